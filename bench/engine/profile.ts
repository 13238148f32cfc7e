// A per-step profile of our executor: for each net and thread count, the median time
// (--min: the fastest, which on a busy machine is the least disturbed) of every step (one
// kernel call, fused nodes included) over a number of runs, with its kernel, its
// multiply-adds and GFLOP/s, and the whole run's wall and CPU time. Not part of `npm run
// bench` (it times steps inside a run, which the bench never does); run it as
//   npm run bench -- --profile --nets resnet18 --threads 1,2 --runs 10 [--min] [--top 12]
// On a shared machine a 2-thread figure says little: the scheduler shares the CPU
// between sessions (autogroups), not threads, so a second thread gets no more of it.
import { sizeOf } from "../../engine/tensor";
import { FastNetwork } from "../../engine/fast/network";
import { seeded } from "../../engine/fast/sources";
import { nodeThreads } from "../../engine/fast/threads/node";
import { enableRelaxedSimd } from "../../engine/wasm/relaxed-node";
import { benchInput } from "./measure";
import { benchNetwork, SEED } from "./nets";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
/** --stat min: the fastest run of each step (on a busy machine, the one least disturbed) */
const statOf = (xs: number[]) => (args.includes("--min") ? Math.min(...xs) : median(xs));

async function main() {
  const nets = option("--nets", "resnet18").split(",");
  const threadCounts = option("--threads", "1,2").split(",").map(Number);
  const runs = Number(option("--runs", "10"));
  const top = Number(option("--top", "100"));
  const relaxed = enableRelaxedSimd();
  for (const name of nets) {
    const net = benchNetwork(name, process.cwd());
    const input = benchInput(sizeOf(net.graph[0].output));
    const macs = new Map(net.graph.map((n) => [n.id, Number(n.macs)]));
    const per = new Map<number, number[][]>();
    const rows: { node: number; op: string; shape: string; macs: number; times: number[] }[] = [];
    const totals: Record<number, { wall: number; cpu: number; wait: number }> = {};
    for (const threads of threadCounts) {
      const network = await FastNetwork.prepare(net.graph, seeded(SEED), { threads, host: nodeThreads, relaxed });
      for (let i = 0; i < 3; i++) await network.run(input);
      const byStep: number[][] = [];
      const walls: number[] = [];
      const cpus: number[] = [];
      for (let r = 0; r < runs; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await network.run(input);
        walls.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpus.push((c.user + c.system) / 1000);
      }
      const wait0 = network.threadStats.waitMs;
      for (let r = 0; r < runs; r++) {
        let i = 0;
        await network.run(input, { onLayer: (l) => { if (l.node.op !== "input") (byStep[i++] ??= []).push(l.ms); } });
      }
      totals[threads] = { wall: statOf(walls), cpu: statOf(cpus), wait: (network.threadStats.waitMs - wait0) / runs };
      per.set(threads, byStep);
      if (rows.length === 0) {
        const kinds = network.kernels;
        let i = 0;
        // covers of each step: the FastNetwork's schedule, seen through its kernels and the graph order
        for (const s of (network as unknown as { schedule: { step: { head: { id: number; op: string; output: unknown }; covers: { id: number }[] }; kind: string }[] }).schedule) {
          const m = s.step.covers.reduce((a, n) => a + (macs.get(n.id) ?? 0), 0);
          const o = s.step.head.output as { kind?: string; d?: number; h?: number; w?: number };
          rows.push({ node: s.step.head.id, op: `${s.step.head.op}/${kinds[i++]}`, shape: o.kind === "volume" ? `${o.d}×${o.h}×${o.w}` : "", macs: m, times: [] });
        }
      }
      network.dispose();
    }
    console.log(`\n${name} (relaxed=${relaxed}, ${runs} runs) — whole run ${args.includes("--min") ? "min" : "median"}: ${threadCounts.map((t) => `${t}t ${totals[t].wall.toFixed(2)} ms wall, ${totals[t].cpu.toFixed(2)} ms cpu, main waited ${totals[t].wait.toFixed(2)} ms (traced)`).join("; ")}`);
    const head = ["node", "step", "out", "MMAC", ...threadCounts.map((t) => `${t}t ms`), ...threadCounts.map((t) => `${t}t GF/s`), ...(threadCounts.length > 1 ? [`${threadCounts[0]}t/${threadCounts[1]}t`] : [])];
    const table = rows.map((r, i) => {
      const ms = threadCounts.map((t) => statOf(per.get(t)![i] ?? [0]));
      return { r, ms, cells: [String(r.node), r.op, r.shape, (r.macs / 1e6).toFixed(1), ...ms.map((x) => x.toFixed(3)), ...ms.map((x) => (x > 0 ? ((2 * r.macs) / x / 1e6).toFixed(1) : "")), ...(ms.length > 1 ? [(ms[0] / ms[1]).toFixed(2)] : [])] };
    });
    const sums = threadCounts.map((_, j) => table.reduce((a, t) => a + t.ms[j], 0));
    const shown = [...table].sort((a, b) => b.ms[0] - a.ms[0]).slice(0, top).sort((a, b) => rows.indexOf(a.r) - rows.indexOf(b.r));
    const all = [head, ...shown.map((t) => t.cells), ["", "sum of steps", "", "", ...sums.map((s) => s.toFixed(2))]];
    const widths = head.map((_, j) => Math.max(...all.map((c) => (c[j] ?? "").length)));
    for (const c of all) console.log(c.map((x, j) => (j < 3 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join("  "));
  }
  process.exit(0);
}
main();
