// One run of a network, whatever executes it: choose an executor, make the weights
// (seeded, literal, or loaded), check the memory budget, run, and time every layer.

import type { NetworkResult } from "../analysis/types";
import type { Executor, LayerTrace, NetworkWeights } from "./api";
import { ReferenceExecutor } from "./reference";
import { FastExecutor } from "./fast/executor";
import { initWeights } from "./init";
import { budgetRefusal, RefusedError } from "./budget";
import type { ThreadHost } from "./fast/threads/host";

/** How an executor may run: threads (the calling one included) and where they come from. */
export interface ExecutorOptions {
  threads?: number;
  /** Node's worker_threads or the browser's Workers (engine/fast/threads/node.ts, web.ts) */
  host?: ThreadHost;
}

/** Executors by name. Faster ones register here. */
export const executors: Record<string, (options?: ExecutorOptions) => Executor> = {
  // WebAssembly SIMD kernels (engine/fast), where the engine has SIMD; threads where the host has them
  fast: (options = {}) => new FastExecutor(options),
  reference: () => new ReferenceExecutor(),
};

/** the fast executor where WebAssembly SIMD is available, else the reference */
export function defaultExecutorName(): string {
  return FastExecutor.available() ? "fast" : "reference";
}

export function createExecutor(name = defaultExecutorName(), options: ExecutorOptions = {}): Executor {
  const make = executors[name];
  if (!make) throw new Error(`unknown executor \`${name}\` (there are: ${Object.keys(executors).join(", ")})`);
  return make(options);
}

export { RefusedError };

export interface RunRequest {
  network: NetworkResult;
  input: Float32Array;
  seed: number;
  /** replaces the seeded weights (e.g. loaded from a .safetensors file) */
  weights?: NetworkWeights;
  executor?: Executor;
  budgetMB?: number;
  onLayer?: (trace: LayerTrace) => void;
  signal?: AbortSignal;
}

export interface RunResult {
  output: Float32Array;
  layers: { nodeId: number; ms: number }[];
  ms: number;
  executor: string;
  /** threads the run took (the calling one included) */
  threads: number;
}

export async function runNetwork(request: RunRequest): Promise<RunResult> {
  const { network } = request;
  if (!network.complete) throw new RefusedError(`${network.name} has errors or unknown shapes: fix them before running it`);
  if (request.budgetMB !== undefined) {
    const refusal = budgetRefusal(network, request.budgetMB);
    if (refusal) throw new RefusedError(refusal);
  }
  const executor = request.executor ?? createExecutor();
  const weights = request.weights ?? initWeights(network.graph, request.seed);
  const layers: RunResult["layers"] = [];
  const started = performance.now();
  const output = await executor.run(network.graph, weights, request.input, {
    signal: request.signal,
    onLayer: (trace) => {
      if (trace.node.op !== "input") layers.push({ nodeId: trace.node.id, ms: trace.ms });
      request.onLayer?.(trace);
    },
  });
  return { output, layers, ms: performance.now() - started, executor: executor.name, threads: executor.lastRunThreads ?? 1 };
}
