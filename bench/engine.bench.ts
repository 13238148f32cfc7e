// `npm run bench -- --only engine` (or any of --json, --nets, --engines, --threads): our
// WebAssembly executor side by side with tfjs-wasm, onnxruntime-web (wasm) and
// tfjs-cpu, on the project's example networks with the same seeded weights and input,
// on each thread count of --threads (default: 1 and every core) that an engine can run.
//
// Every (engine, net, threads) runs in a fresh process (peak RSS is its own), warmed up,
// then timed; rounds (default 3) alternate the engines and thread counts, each
// measurement waits (up to --quiet-wait s) for the shared machine to be quiet, and a
// row's figure is the median over its rounds of each round's median (a fresh process's
// time varies from one process to the next by more than within one: the middle process
// counts, not the luckiest), with the spread of the rounds printed beside it. Prints median ms, GFLOP/s (2·MACs/time), speed relative to tfjs-wasm on one
// thread and to the same engine on one thread, the CPU time per run (all threads), peak
// RSS, whether the outputs agree (max |diff| ≤ 1e-4·max(1, max |out|)), then issue 16's
// targets as ratios of this run's rows. An engine that cannot run on some thread count
// here says why (tfjs-wasm's threaded build is off in Node).
//
//   --nets lenet5,resnet18   --engines ours,tfjs-wasm   --threads 1,2   --rounds 3   --quiet-wait 60   --json
//   --measure ENGINE NET THREADS WARMUP RUNS OUTFILE   (internal: one measurement)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { benchNetwork, defaultNets } from "./engine/nets";
import { defaultEngines, engineNames, machineBusyMs, measure, type Measurement } from "./engine/measure";
import { Unavailable } from "./engine/adapter";
import { formatTable, formatTargets, targets, type Row } from "./engine/table";

const root = process.cwd();
const args = process.argv.slice(2);
const option = (name: string): string | null => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : null;
};

/** warm-up and timed runs per net (tfjs-cpu is 30–50× slower: fewer) */
function runsFor(net: string, engine: string): [number, number] {
  const slow = engine === "tfjs-cpu";
  if (net === "lenet5") return slow ? [20, 50] : [100, 300];
  if (net === "vgg16") return slow ? [1, 1] : [2, 5];
  return slow ? [1, 3] : [3, 10];
}

async function child(): Promise<void> {
  const at = args.indexOf("--measure");
  const [engine, net, threads, warmup, runs, outFile] = args.slice(at + 1, at + 7);
  try {
    const m = await measure(engine, net, Number(threads), root, Number(warmup), Number(runs), outFile);
    // synchronously: process.exit below must not cut the line short
    writeSync(1, `${JSON.stringify(m)}\n`);
  } catch (e) {
    if (!(e instanceof Unavailable)) throw e;
    process.stdout.write(`${JSON.stringify({ unavailable: e.message })}\n`);
  }
  // the engines' worker threads (ours unref'd, ort-web's not) must not keep the measurement alive
  process.exit(0);
}

/** waits (at most `seconds`) until other processes use less than 10% of a core */
async function quietMachine(seconds: number, log: (s: string) => void): Promise<void> {
  for (let waited = 0; waited < seconds; waited += 2) {
    const before = machineBusyMs();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if ((machineBusyMs() - before) / 2000 < 0.1) return;
  }
  if (seconds > 0) log(`the machine stayed busy for ${seconds} s: measuring anyway (see the busy column)`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const json = args.includes("--json");
  const nets = (option("--nets") ?? defaultNets.join(",")).split(",");
  const engines = (option("--engines") ?? defaultEngines.join(",")).split(",");
  const cores = availableParallelism();
  const threadCounts = (option("--threads") ?? (cores > 1 ? `1,${cores}` : "1")).split(",").map(Number);
  const rounds = Number(option("--rounds") ?? 3);
  const quietWait = Number(option("--quiet-wait") ?? 60);
  for (const e of engines) if (!engineNames.includes(e)) throw new Error(`unknown engine ${e} (there are: ${engineNames.join(", ")})`);
  for (const t of threadCounts) if (!Number.isInteger(t) || t < 1) throw new Error(`--threads takes whole numbers ≥ 1, e.g. 1,2`);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const dir = mkdtempSync(join(tmpdir(), "cnn-bench-"));
  const rows: Row[] = [];
  const unavailable = new Map<string, string>();
  // (engine, threads) in the order they are printed; rounds rotate it
  const combos = engines.flatMap((engine) => threadCounts.map((threads) => ({ engine, threads })));
  const key = (c: { engine: string; threads: number }) => `${c.engine}/${c.threads}`;
  try {
    for (const net of nets) {
      const gmacs = Number(benchNetwork(net, root).macs) / 1e9;
      /** per (engine, threads): each round's median ms, CPU ms per run and busy share; the largest peak RSS; an output */
      const found = new Map<string, { medians: number[]; cpuMs: number[]; foreign: number[]; peak: number; output: Float32Array }>();
      for (let round = 0; round < rounds; round++) {
        const order = combos.map((_, i) => combos[(i + round) % combos.length]);
        for (const combo of order) {
          if (unavailable.has(`${net}/${key(combo)}`)) continue;
          const [warmup, runs] = runsFor(net, combo.engine);
          await quietMachine(quietWait, log);
          const outFile = join(dir, `${net}-${combo.engine}-${combo.threads}.f32`);
          const r = spawnSync(
            process.execPath,
            ["--max-old-space-size=8192", process.argv[1], "--measure", combo.engine, net, String(combo.threads), String(warmup), String(runs), outFile],
            { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 },
          );
          if (r.status !== 0) throw new Error(`${combo.engine} on ${net} (${combo.threads} threads) failed (exit ${r.status ?? r.signal})`);
          const reply = JSON.parse(r.stdout.trim().split("\n").pop()!) as Measurement | { unavailable: string };
          if ("unavailable" in reply) {
            unavailable.set(`${net}/${key(combo)}`, reply.unavailable);
            log(`${net} ${combo.engine} threads=${combo.threads}: not measured — ${reply.unavailable}`);
            continue;
          }
          const m = reply;
          const bytes = readFileSync(outFile);
          const output = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
          const prev = found.get(key(combo)) ?? { medians: [], cpuMs: [], foreign: [], peak: 0, output };
          prev.medians.push(m.medianMs);
          prev.cpuMs.push(m.cpuMs);
          prev.foreign.push(m.foreign);
          prev.peak = Math.max(prev.peak, m.peakRssMB);
          found.set(key(combo), prev);
          log(
            `${net} ${combo.engine} threads=${combo.threads} round ${round + 1}: median ${m.medianMs.toFixed(2)} ms of ${m.runs} runs, CPU ${m.cpuMs.toFixed(2)} ms/run, ` +
              `peak RSS ${m.peakRssMB.toFixed(0)} MB, machine busy elsewhere ${(100 * m.foreign).toFixed(0)}% — ${m.info}`,
          );
        }
      }
      const measured = combos.filter((c) => found.has(key(c)));
      if (measured.length === 0) continue;
      const oracle = found.get(key(measured[0]))!.output;
      const tfjsOne = found.get("tfjs-wasm/1");
      const tfjsMs = tfjsOne ? median(tfjsOne.medians) : null;
      for (const combo of measured) {
        const f = found.get(key(combo))!;
        const ms = median(f.medians);
        const one = found.get(`${combo.engine}/1`);
        let diff = 0;
        let top = 0;
        for (let i = 0; i < oracle.length; i++) {
          diff = Math.max(diff, Math.abs(f.output[i] - oracle[i]));
          top = Math.max(top, Math.abs(oracle[i]));
        }
        const comparable = f.output.length === oracle.length;
        const first = combo === measured[0];
        rows.push({
          net,
          gmacs,
          engine: combo.engine,
          threads: combo.threads,
          ms,
          gflops: (2 * gmacs) / (ms / 1000),
          speedup: tfjsMs === null ? null : tfjsMs / ms,
          scaling: one ? median(one.medians) / ms : null,
          rounds: f.medians,
          cpuMs: median(f.cpuMs),
          peakRssMB: f.peak,
          diff: first ? null : comparable ? diff : Infinity,
          agrees: first ? null : comparable && diff <= 1e-4 * Math.max(1, top),
          foreign: Math.max(...f.foreign),
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (json) {
    const results = rows.map((r) => ({ net: r.net, engine: r.engine, threads: r.threads, ms: r.ms, gflops: r.gflops, peakRssMB: r.peakRssMB }));
    process.stdout.write(`${JSON.stringify({ results })}\n`);
  } else {
    console.log(formatTable(rows, rows[0] ? `${rows[0].engine} ${rows[0].threads}t` : "the first"));
    for (const [what, why] of unavailable) console.log(`not measured: ${what.replace(/\/(\d+)$/, " threads=$1")} — ${why}`);
    console.log(
      `busy: the share of this machine's CPU other processes used during the timed runs counted (${cores} cores); ` +
        `load average now ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
    );
    const many = Math.max(...threadCounts);
    if (many > 1) {
      console.log(`\nIssue 16's targets (threads = ${many}), from the rows above:`);
      console.log(formatTargets(targets(many), rows));
    }
  }
  const disagreeing = rows.filter((r) => r.agrees === false);
  if (disagreeing.length) {
    log(`outputs disagree: ${disagreeing.map((r) => `${r.engine} on ${r.net} (${r.threads} threads)`).join(", ")}`);
    process.exitCode = 1;
  }
}

(args.includes("--measure") ? child() : main()).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
