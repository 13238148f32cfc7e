// One (engine, net) measurement, in a process of its own so that its peak RSS is its own:
// prepare (not timed), warm up (≥ WARMUP_MS), time each run (≥ TIMED_MS), and report the median run, the peak resident
// memory, and how busy the rest of the machine was meanwhile (it is shared).

import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fillUniform } from "../../engine/random";
import { sizeOf } from "../../engine/tensor";
import type { BenchEngine } from "./adapter";
import { benchNetwork, SEED } from "./nets";
import { ours } from "./ours";
import { ortWeb } from "./ort";
import { tfjs } from "./tfjs";

export interface Measurement {
  engine: string;
  net: string;
  threads: number;
  info: string;
  /** the median timed run (ms) and how many runs were timed */
  medianMs: number;
  runs: number;
  /** CPU time of the whole process (every thread) per timed run, ms */
  cpuMs: number;
  peakRssMB: number;
  /** share of the machine's CPU time other processes used during the timed runs */
  foreign: number;
  prepareMs: number;
}

/** the engines, in the order a run prints them; ours-plain (no relaxed SIMD) and ours-chains (threads/bands.ts) only when asked for */
export const engineNames = ["ours", "tfjs-wasm", "ort-web", "tfjs-cpu", "ours-plain", "ours-chains"];
export const defaultEngines = ["ours", "tfjs-wasm", "ort-web", "tfjs-cpu"];

function makeEngine(name: string, net: ReturnType<typeof benchNetwork>, threads: number): Promise<BenchEngine> {
  switch (name) {
    case "ours":
      return ours(net, SEED, threads);
    case "ours-plain":
      return ours(net, SEED, threads, true);
    case "ours-chains":
      return ours(net, SEED, threads, false, true);
    case "tfjs-wasm":
      return tfjs(net, SEED, "wasm", threads);
    case "tfjs-cpu":
      return tfjs(net, SEED, "cpu", threads);
    case "ort-web":
      return ortWeb(net, SEED, threads);
    default:
      throw new Error(`unknown engine ${name} (there are: ${engineNames.join(", ")})`);
  }
}

/** CPU time of the whole machine so far, ms (user + nice + system + irq + softirq + steal) */
export function machineBusyMs(): number {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * 10;
  } catch {
    return NaN;
  }
}

const cores = availableParallelism();

/** the least time a measurement warms up and is timed for (ms), besides its counts of runs */
export const WARMUP_MS = 1000;
export const TIMED_MS = 1500;

export function benchInput(length: number): Float32Array<ArrayBuffer> {
  const input = new Float32Array(length);
  fillUniform(input, SEED, 999_999, 1);
  return input;
}

export async function measure(engine: string, netName: string, threads: number, root: string, warmup: number, runs: number, outputFile: string): Promise<Measurement> {
  const net = benchNetwork(netName, root);
  const input = benchInput(sizeOf(net.graph[0].output));
  const t0 = performance.now();
  const e = await makeEngine(engine, net, threads);
  const prepareMs = performance.now() - t0;
  let output: Float32Array = new Float32Array(0);
  // warm-up: the runs asked for and at least WARMUP_MS (V8 compiles the JavaScript around
  // the kernels and tiers the WebAssembly up on background threads for a while after start)
  const warm0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - warm0 < WARMUP_MS; i++) output = await e.run(input);
  const busy0 = machineBusyMs();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const times: number[] = [];
  // the runs asked for and at least TIMED_MS of them, so a fast net's median is over many
  for (let i = 0; i < runs || performance.now() - wall0 < TIMED_MS; i++) {
    const t = performance.now();
    output = await e.run(input);
    times.push(performance.now() - t);
  }
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const foreign = Math.max(0, machineBusyMs() - busy0 - (cpu.user + cpu.system) / 1000) / (wall * cores);
  writeFileSync(outputFile, new Uint8Array(output.buffer, output.byteOffset, output.byteLength));
  const cpuMs = (cpu.user + cpu.system) / 1000 / times.length;
  const sorted = [...times].sort((a, b) => a - b);
  const medianMs = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { engine, net: netName, threads, info: e.info, medianMs, runs: times.length, cpuMs, peakRssMB: (process.resourceUsage().maxRSS * 1024) / 1e6, foreign, prepareMs };
}
