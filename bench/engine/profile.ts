// A per-step profile of our executor: for each net and thread count, the median time
// (--min: the fastest, which on a busy machine is the least disturbed) of every step (one
// kernel call, fused nodes included) over a number of runs, with its kernel, its
// multiply-adds and GFLOP/s, and the whole run's wall and CPU time. Not part of `npm run
// bench` (it times steps inside a run, which the bench never does); run it as
//   npm run bench -- --profile --nets resnet18 --threads 1,2 --runs 10 [--min] [--top 12] [--chains]
// (--chains: steps chained band by band on threads, engine/fast/threads/bands.ts; a
// chain's time shows on its first step)
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
    const ideals = new Map<number, Ideal>();
    const joins: string[] = [];
    for (const threads of threadCounts) {
      const network = await FastNetwork.prepare(net.graph, seeded(SEED), { threads, host: nodeThreads, relaxed, chains: args.includes("--chains") });
      for (let i = 0; i < 3; i++) await network.run(input);
      const byStep: number[][] = [];
      const walls: number[] = [];
      const cpus: number[] = [];
      const s0 = network.threadStats;
      for (let r = 0; r < runs; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await network.run(input);
        walls.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpus.push((c.user + c.system) / 1000);
      }
      const s1 = network.threadStats;
      const wait0 = s1.waitMs;
      if (threads > 1) {
        const per = (k: keyof typeof s0) => ((s1[k] - s0[k]) / runs).toFixed(k === "waitMs" ? 2 : 1);
        joins.push(
          `  ${threads}t untraced runs, per run: ${per("phases")} phases on the team, main thread waited ${per("waitMs")} ms at their ends and slept ${per("sleeps")} times, ` +
            `workers ran ${per("workerParts")} parts and slept ${per("workerSleeps")} times (each sleep costs a wake-up)`,
        );
      }
      for (let r = 0; r < runs; r++) {
        let i = 0;
        await network.run(input, { onLayer: (l) => { if (l.node.op !== "input") (byStep[i++] ??= []).push(l.ms); } });
      }
      totals[threads] = { wall: statOf(walls), cpu: statOf(cpus), wait: (network.threadStats.waitMs - wait0) / runs };
      per.set(threads, byStep);
      if (threads > 1) ideals.set(threads, idealTeam(network, input, runs, threads));
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
    for (const line of joins) console.log(line);
    for (const [t, ideal] of ideals) console.log(idealLine(t, ideal));
    const idealCounts = [...ideals.keys()];
    const head = ["node", "step", "out", "MMAC", ...threadCounts.map((t) => `${t}t ms`), ...idealCounts.flatMap((t) => [`${t}t parts`, `${t}t ideal`, `${t}t lost`]), ...threadCounts.map((t) => `${t}t GF/s`), ...(threadCounts.length > 1 ? [`${threadCounts[0]}t/${threadCounts[1]}t`] : [])];
    const table = rows.map((r, i) => {
      const ms = threadCounts.map((t) => statOf(per.get(t)![i] ?? [0]));
      const ideal = idealCounts.flatMap((t) => {
        const st = ideals.get(t)!.steps[i];
        // lost: what the best time is above an even share of the step's work
        return [st.parts, st.ideal.toFixed(3), (st.ideal - st.work / t).toFixed(3)];
      });
      return { r, ms, cells: [String(r.node), r.op, r.shape, (r.macs / 1e6).toFixed(1), ...ms.map((x) => x.toFixed(3)), ...ideal, ...ms.map((x) => (x > 0 ? ((2 * r.macs) / x / 1e6).toFixed(1) : "")), ...(ms.length > 1 ? [(ms[0] / ms[1]).toFixed(2)] : [])] };
    });
    const sums = threadCounts.map((_, j) => table.reduce((a, t) => a + t.ms[j], 0));
    const shown = [...table].sort((a, b) => b.ms[0] - a.ms[0]).slice(0, top).sort((a, b) => rows.indexOf(a.r) - rows.indexOf(b.r));
    const idealSums = idealCounts.flatMap((t) => ["", ideals.get(t)!.ideal.toFixed(2), (ideals.get(t)!.ideal - ideals.get(t)!.work / t).toFixed(2)]);
    const all = [head, ...shown.map((t) => t.cells), ["", "sum of steps", "", "", ...sums.map((s) => s.toFixed(2)), ...idealSums]];
    const widths = head.map((_, j) => Math.max(...all.map((c) => (c[j] ?? "").length)));
    for (const c of all) console.log(c.map((x, j) => (j < 3 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join("  "));
  }
  process.exit(0);
}
/**
 * What a team of `threads` could do at best with the network's phases as they are cut:
 * every part timed alone on this thread (FastNetwork.timeParts, the `statOf` of `runs`
 * runs), then each phase's parts handed out in order to whichever thread is free first,
 * as the claims do, with no cost for waking or joining. Per step: its parts per phase
 * ("—" runs whole) and that best time. A step that runs whole, or a phase of one part,
 * is serial work.
 */
interface Ideal {
  steps: { parts: string; ideal: number; work: number; serial: number }[];
  /** the parts' work, the best time, the serial work (ms); phases of more than one part per run */
  work: number;
  ideal: number;
  serial: number;
  phases: number;
}

function idealTeam(network: FastNetwork, input: Float32Array, runs: number, threads: number): Ideal {
  const samples = Array.from({ length: runs }, () => network.timeParts(input));
  const steps = samples[0].map((first, i) => {
    if (!first.phases) {
      const whole = statOf(samples.map((s) => s[i].whole));
      return { parts: "—", ideal: whole, work: whole, serial: whole, phases: 0 };
    }
    let ideal = 0;
    let work = 0;
    let serial = 0;
    let phases = 0;
    first.phases.forEach((parts, p) => {
      const ms = parts.map((_, j) => statOf(samples.map((s) => s[i].phases![p][j])));
      const sum = ms.reduce((a, b) => a + b, 0);
      work += sum;
      if (ms.length === 1) {
        serial += sum;
        ideal += sum;
        return;
      }
      phases++;
      const free = new Array(threads).fill(0);
      for (const x of ms) {
        const k = free.indexOf(Math.min(...free));
        free[k] += x;
      }
      ideal += Math.max(...free);
    });
    return { parts: first.phases.map((p) => p.length).join("+"), ideal, work, serial, phases };
  });
  const sum = (f: (s: (typeof steps)[number]) => number) => steps.reduce((a, s) => a + f(s), 0);
  return { steps, work: sum((s) => s.work), ideal: sum((s) => s.ideal), serial: sum((s) => s.serial), phases: sum((s) => s.phases) };
}

/**
 * The summary of idealTeam: Amdahl's serial fraction s of the parts' work, from
 * T_t / T_1 = s + (1 − s) / t, counting what the cut loses too (a phase whose parts
 * don't balance), and the ratio that bounds: 2t/1t = 1 / (s + (1 − s) / 2) with no sync.
 */
function idealLine(t: number, x: Ideal): string {
  const s = (x.ideal / x.work - 1 / t) / (1 - 1 / t);
  return (
    `  ${t}t best with this cut (parts timed alone, ${args.includes("--min") ? "min" : "median"} of runs; no sync cost): ${x.ideal.toFixed(2)} ms of ${x.work.toFixed(2)} ms work, ` +
    `${t}t/1t ≤ ${(x.work / x.ideal).toFixed(2)}×, serial fraction s = ${s.toFixed(3)} (whole steps and one-part phases ${x.serial.toFixed(2)} ms), ` +
    `${x.phases} phases of ≥ 2 parts a run (each a join: at ${((x.work / x.phases) * 1000).toFixed(0)} µs of work a phase)`
  );
}

main();
