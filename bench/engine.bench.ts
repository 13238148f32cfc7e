// `npm run bench -- --only engine` (or any of --json, --nets, --engines): our WebAssembly
// executor side by side with tfjs-wasm, onnxruntime-web (wasm) and tfjs-cpu, on the
// project's example networks with the same seeded weights and input, one thread each.
//
// Every (engine, net) runs in a fresh process (peak RSS is its own), warmed up, then
// timed; rounds alternate the engines, each measurement waits (up to --quiet-wait s) for
// the shared machine to be quiet, and the quietest round of each (engine, net) counts. Prints median ms, GFLOP/s (2·MACs/time), speed relative to tfjs-wasm, peak
// RSS, and whether the outputs agree (max |diff| ≤ 1e-4·max(1, max |out|)).
//
//   --nets lenet5,resnet18   --engines ours,tfjs-wasm   --rounds 2   --quiet-wait 60   --json
//   --measure ENGINE NET WARMUP RUNS OUTFILE   (internal: one measurement)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchNetwork, defaultNets } from "./engine/nets";
import { engineNames, machineBusyMs, measure, type Measurement } from "./engine/measure";
import { formatTable, type Row } from "./engine/table";

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
  const [engine, net, warmup, runs, outFile] = args.slice(at + 1, at + 6);
  const m = await measure(engine, net, root, Number(warmup), Number(runs), outFile);
  process.stdout.write(`${JSON.stringify(m)}\n`);
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
  const engines = (option("--engines") ?? engineNames.join(",")).split(",");
  const rounds = Number(option("--rounds") ?? 2);
  const quietWait = Number(option("--quiet-wait") ?? 60);
  for (const e of engines) if (!engineNames.includes(e)) throw new Error(`unknown engine ${e} (there are: ${engineNames.join(", ")})`);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const dir = mkdtempSync(join(tmpdir(), "cnn-bench-"));
  const rows: Row[] = [];
  try {
    for (const net of nets) {
      const gmacs = Number(benchNetwork(net, root).macs) / 1e9;
      const found = new Map<string, { times: number[]; peak: number; foreign: number; output: Float32Array }>();
      for (let round = 0; round < rounds; round++) {
        // alternate: each round starts with a different engine
        const order = engines.map((_, i) => engines[(i + round) % engines.length]);
        for (const engine of order) {
          const [warmup, runs] = runsFor(net, engine);
          await quietMachine(quietWait, log);
          const outFile = join(dir, `${net}-${engine}.f32`);
          const r = spawnSync(process.execPath, ["--max-old-space-size=8192", process.argv[1], "--measure", engine, net, String(warmup), String(runs), outFile], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
            maxBuffer: 1 << 26,
          });
          if (r.status !== 0) throw new Error(`${engine} on ${net} failed (exit ${r.status ?? r.signal})`);
          const m = JSON.parse(r.stdout.trim().split("\n").pop()!) as Measurement;
          const bytes = readFileSync(outFile);
          const output = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
          // the quietest round counts (this machine is shared): its times, its busy share
          const prev = found.get(engine);
          const peak = Math.max(prev?.peak ?? 0, m.peakRssMB);
          if (!prev || m.foreign < prev.foreign) found.set(engine, { times: m.times, peak, foreign: m.foreign, output });
          else prev.peak = peak;
          log(`${net} ${engine} round ${round + 1}: median ${median(m.times).toFixed(2)} ms, peak RSS ${m.peakRssMB.toFixed(0)} MB, machine busy elsewhere ${(100 * m.foreign).toFixed(0)}% — ${m.info}`);
        }
      }
      const oracle = found.get(engines[0])!.output;
      const tfjsMs = found.has("tfjs-wasm") ? median(found.get("tfjs-wasm")!.times) : null;
      for (const engine of engines) {
        const f = found.get(engine)!;
        const ms = median(f.times);
        let diff = 0;
        let top = 0;
        for (let i = 0; i < oracle.length; i++) {
          diff = Math.max(diff, Math.abs(f.output[i] - oracle[i]));
          top = Math.max(top, Math.abs(oracle[i]));
        }
        const comparable = f.output.length === oracle.length;
        rows.push({
          net,
          gmacs,
          engine,
          threads: 1,
          ms,
          gflops: (2 * gmacs) / (ms / 1000),
          speedup: tfjsMs === null ? null : tfjsMs / ms,
          peakRssMB: f.peak,
          diff: engine === engines[0] ? null : comparable ? diff : Infinity,
          agrees: engine === engines[0] ? null : comparable && diff <= 1e-4 * Math.max(1, top),
          foreign: f.foreign,
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
    console.log(formatTable(rows, engines[0]));
    console.log(`busy: the share of this machine's CPU other processes used during the timed runs counted (2 cores); load average now ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  }
  const disagreeing = rows.filter((r) => r.agrees === false);
  if (disagreeing.length) {
    log(`outputs disagree: ${disagreeing.map((r) => `${r.engine} on ${r.net}`).join(", ")}`);
    process.exitCode = 1;
  }
}

(args.includes("--measure") ? child() : main()).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
