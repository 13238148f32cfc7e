// Training on several threads (issue 16): data parallelism over the batch, as PyTorch's
// DistributedDataParallel does on one machine. Each worker thread holds an engine of its
// own (the same kind: fast or reference); a step gives every thread a contiguous slice of
// the batch, each computes the mean loss of its slice and its gradients, and the main
// thread sums them weighted by the slices' sizes — in slice order, so a run is
// deterministic — and runs the optimizer once. It then copies the parameters into shared
// memory, which each worker copies into its engine before its next slice (a few hundred
// KB for LeNet-5: microseconds), wherever that engine keeps them.
//
// The result is one thread's up to the order of float sums (a slice's gradients are summed
// over fewer samples, then added): ≤ 1e-5 relative, as the issue allows. Dropout draws
// each sample's mask by its index in the whole batch (TrainContext.sampleOffset), so the
// masks are one thread's. A batch norm couples the samples of a batch (its statistics),
// so a network with one trains on one thread (`threadsRefusal` says why).

import type { GraphNode, NetworkResult } from "../../analysis/types";
import type { LayerParams } from "../api";
import { sizeOf } from "../tensor";
import { isSplitEngine, type EngineSetup, type SplitEngine, type StepResult, type TrainEngine } from "./engine";
import { TRAINABLE, type TrainParams } from "./float";
import type { OptimizerSettings } from "./optim";
import { trainingMemory } from "./memory";

/** kinds whose training forward couples the samples of a batch, or draws per-sample randomness without TrainContext.sampleOffset */
const COUPLED: Record<string, string> = {
  bn: "a batch norm's statistics are the whole batch's",
  droppath: "droppath draws its samples' drops without their index in the batch",
};

/** why this network trains on one thread only, or null */
export function threadsRefusal(graph: GraphNode[]): string | null {
  for (const node of graph) {
    const why = COUPLED[node.op];
    if (why) return `${why} (${node.label ?? node.op}, node ${node.id})`;
  }
  return null;
}

/**
 * What each thread past the first adds to a training run's memory: its JavaScript heap
 * and the engine's own scratch (the fast engine's WebAssembly memory starts at 16 MB);
 * the activations are the batch's whichever thread holds them, counted once.
 */
export const THREAD_BYTES = 48_000_000n;

/** the most threads, at most `wanted` and the batch, whose training fits the budget */
export function trainingThreads(network: NetworkResult, batch: number, optimizer: OptimizerSettings, dataValues: number, budgetMB: number, wanted: number): number {
  const budget = BigInt(Math.floor(budgetMB * 1e6));
  const base = trainingMemory(network, batch, optimizer, dataValues).total;
  let threads = Math.max(1, Math.min(wanted, batch));
  while (threads > 1 && base + BigInt(threads - 1) * THREAD_BYTES > budget) threads--;
  return threads;
}

/** a worker thread as the trainer sees it (Node: engine/train/threads-node.ts) */
export interface TrainThread {
  post(message: ToThread, transfer?: ArrayBuffer[]): void;
  onMessage(fn: (message: FromThread) => void): void;
  onError(fn: (error: Error) => void): void;
  terminate(): void;
}

export interface TrainThreadHost {
  /** cores of this machine */
  cores(): number;
  /** why threads cannot start here, or null */
  unavailable(): string | null;
  spawn(): TrainThread;
}

type Tensors = [number, Partial<Record<keyof LayerParams, Float32Array>>][];

export type ToThread =
  | { kind: "init"; engine: string; network: NetworkResult; weights: Tensors; optimizer: OptimizerSettings; seed: number; batch: number }
  | { kind: "step"; id: number; inputs: Float32Array; labels: Int32Array; batch: number; step: number; offset: number; epoch: Int32Array }
  | { kind: "scores"; id: number; inputs: Float32Array; batch: number; epoch: Int32Array }
  | { kind: "params"; tensors: Tensors }
  | { kind: "close" };

export type FromThread =
  | { kind: "ready" }
  | { kind: "grads"; id: number; loss: number; correct: number; grads: Tensors }
  | { kind: "scores"; id: number; scores: Float32Array }
  | { kind: "error"; id?: number; message: string };

/** a float32 copy of each tensor in shared memory (what every worker copies into its engine) */
function sharedTensors(params: Map<number, TrainParams>): Map<number, TrainParams> {
  const out = new Map<number, TrainParams>();
  for (const [id, p] of params) {
    const copy: TrainParams = {};
    for (const key of Object.keys(p) as (keyof TrainParams)[]) {
      const t = p[key];
      if (!t) continue;
      const shared = new Float32Array(new SharedArrayBuffer(4 * t.length));
      shared.set(t);
      copy[key] = shared;
    }
    out.set(id, copy);
  }
  return out;
}

function tensorsOf(params: Map<number, TrainParams>): Tensors {
  return [...params].map(([id, p]) => [id, p as Tensors[number][1]]);
}

/** the slices of a batch of n over `parts` threads: [first, end) each, the first ones one larger */
export function slices(n: number, parts: number): [number, number][] {
  const used = Math.max(1, Math.min(parts, n));
  const out: [number, number][] = [];
  for (let i = 0, first = 0; i < used; i++) {
    const size = Math.floor(n / used) + (i < n % used ? 1 : 0);
    out.push([first, first + size]);
    first += size;
  }
  return out;
}

interface Pending {
  resolve: (r: FromThread) => void;
  reject: (e: Error) => void;
}

class Worker {
  private readonly waiting = new Map<number, Pending>();
  private failure: Error | null = null;
  private ready: Promise<void>;

  constructor(readonly thread: TrainThread) {
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => ((readyResolve = resolve), (readyReject = reject)));
    const fail = (e: Error) => {
      this.failure = e;
      readyReject(e);
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    thread.onMessage((m) => {
      if (m.kind === "ready") readyResolve();
      else if (m.kind === "grads" || m.kind === "scores") {
        const p = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        p?.resolve(m);
      } else fail(new Error(`a training thread failed: ${m.message}`));
    });
    thread.onError((e) => fail(new Error(`a training thread failed: ${e.message}`)));
  }

  started(): Promise<void> {
    return this.ready;
  }

  request<K extends "grads" | "scores">(message: ToThread & { kind: "step" | "scores" }): Promise<FromThread & { kind: K }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(message.id, { resolve: resolve as (r: FromThread) => void, reject });
      this.thread.post(message);
    });
  }
}

export class ThreadedEngine implements TrainEngine {
  private sums: Map<number, TrainParams> | null = null;
  private requests = 0;
  /** bumped after each update: a worker's Atomics.load of it orders its reads after the main thread's writes */
  private readonly epoch = new Int32Array(new SharedArrayBuffer(4));

  private constructor(
    private readonly inner: SplitEngine,
    private readonly workers: Worker[],
    private readonly sampleSize: number,
    /** the parameters as of the last update, in shared memory (what the workers copy in) */
    private readonly shared: Map<number, TrainParams>,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  /** the threads a step runs on, the calling one included */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * `threads` threads (the calling one and threads − 1 workers) training with engine
   * `engine` (made by `make` here, by name in the workers).
   */
  static async create(setup: EngineSetup, engine: string, make: (s: EngineSetup) => TrainEngine | Promise<TrainEngine>, threads: number, host: TrainThreadHost): Promise<ThreadedEngine> {
    const parts = slices(setup.batch, threads);
    // this thread's engine takes whole batches too (weights(), a caller's scores of a full batch)
    const inner = await make(setup);
    if (!isSplitEngine(inner)) throw new Error(`the ${inner.name} engine cannot split a batch over threads`);
    const shared = sharedTensors(inner.parameters);
    const workers: Worker[] = [];
    try {
      for (let i = 1; i < parts.length; i++) {
        const w = new Worker(host.spawn());
        workers.push(w);
        w.thread.post({ kind: "init", engine, network: portable(setup.network), weights: tensorsOf(setup.weights as Map<number, TrainParams>), optimizer: setup.optimizer, seed: setup.seed, batch: parts[i][1] - parts[i][0] });
        w.thread.post({ kind: "params", tensors: tensorsOf(shared) });
      }
      await Promise.all(workers.map((w) => w.started()));
    } catch (e) {
      for (const w of workers) w.thread.terminate();
      inner.dispose?.();
      throw e;
    }
    return new ThreadedEngine(inner, workers, sizeOf(setup.network.graph[0].output), shared);
  }

  async step(inputs: Float32Array, labels: Int32Array, batch: number, step: number): Promise<StepResult> {
    const parts = slices(batch, this.threads);
    const size = this.sampleSize;
    const replies = parts.slice(1).map(([a, b], i) =>
      this.workers[i].request<"grads">({ kind: "step", id: ++this.requests, inputs: inputs.slice(a * size, b * size), labels: labels.slice(a, b), batch: b - a, step, offset: a, epoch: this.epoch }),
    );
    // the first slice here, meanwhile: its gradients, weighted, start the sums
    const [a0, b0] = parts[0];
    let loss = 0;
    let correct = 0;
    this.inner.gradientsOf(inputs.subarray(a0 * size, b0 * size), labels.subarray(a0, b0), b0 - a0, step, a0, (r) => {
      const weight = (b0 - a0) / batch;
      loss += weight * r.loss;
      correct += r.correct;
      this.start(r.grads, weight);
    });
    let failure: unknown = null;
    const results = await Promise.all(replies.map((p) => p.catch((e) => ((failure ??= e), null))));
    if (failure) throw failure;
    results.forEach((r, i) => {
      const [a, b] = parts[i + 1];
      const weight = (b - a) / batch;
      loss += weight * r!.loss;
      correct += r!.correct;
      this.add(r!.grads, weight);
    });
    this.inner.apply(this.sums!, step);
    this.publish();
    return { loss, correct };
  }

  /** the updated parameters into the shared tensors; the workers' Atomics.load of the epoch orders their reads after these writes */
  private publish(): void {
    for (const [id, p] of this.inner.parameters) {
      const to = this.shared.get(id)!;
      for (const key of Object.keys(p) as (keyof TrainParams)[]) if (p[key] && to[key]) to[key]!.set(p[key]!);
    }
    Atomics.add(this.epoch, 0, 1);
  }

  /** sums = weight · grads (the first slice's) */
  private start(grads: Map<number, TrainParams>, weight: number): void {
    if (!this.sums) {
      this.sums = new Map();
      for (const [id, g] of grads) {
        const s: TrainParams = {};
        for (const name of TRAINABLE) if (g[name]) s[name] = new Float32Array(g[name]!.length);
        this.sums.set(id, s);
      }
    }
    for (const [id, g] of grads) {
      const s = this.sums.get(id)!;
      for (const name of TRAINABLE) {
        const from = g[name];
        const to = s[name];
        if (from && to) for (let i = 0; i < to.length; i++) to[i] = weight * from[i];
      }
    }
  }

  private add(grads: Tensors, weight: number): void {
    for (const [id, g] of grads) {
      const s = this.sums!.get(id)!;
      for (const name of TRAINABLE) {
        const from = g[name];
        const to = s[name];
        if (from && to) for (let i = 0; i < to.length; i++) to[i] += weight * from[i];
      }
    }
  }

  /** eval mode: each thread scores a slice (no sample sees another's there) */
  async scores(inputs: Float32Array, batch: number): Promise<Float32Array> {
    const parts = slices(batch, this.threads);
    const size = this.sampleSize;
    const replies = parts.slice(1).map(([a, b], i) =>
      this.workers[i].request<"scores">({ kind: "scores", id: ++this.requests, inputs: inputs.slice(a * size, b * size), batch: b - a, epoch: this.epoch }),
    );
    const [a0, b0] = parts[0];
    const first = await this.inner.scores(inputs.subarray(a0 * size, b0 * size), b0 - a0);
    let failure: unknown = null;
    const rest = await Promise.all(replies.map((p) => p.catch((e) => ((failure ??= e), null))));
    if (failure) throw failure;
    const classes = first.length / (b0 - a0);
    const out = new Float32Array(batch * classes);
    out.set(first, 0);
    rest.forEach((r, i) => out.set(r!.scores, parts[i + 1][0] * classes));
    return out;
  }

  weights() {
    return this.inner.weights();
  }

  dispose(): void {
    for (const w of this.workers) {
      w.thread.post({ kind: "close" });
      w.thread.terminate();
    }
    this.inner.dispose?.();
  }
}

/** the network without what a structured clone cannot carry (the statements' explain functions), for a worker */
function portable(network: NetworkResult): NetworkResult {
  return { ...network, statements: [] };
}

/**
 * An engine factory for the trainer: `threads` threads where the network allows it and
 * the host can start them, else the engine itself on one thread.
 */
export function threadedTrainEngine(engine: string, make: (s: EngineSetup) => TrainEngine | Promise<TrainEngine>, threads: number, host: TrainThreadHost) {
  return async (setup: EngineSetup): Promise<TrainEngine> => {
    if (threads <= 1 || setup.batch < 2 || threadsRefusal(setup.network.graph) || host.unavailable()) return make(setup);
    return ThreadedEngine.create(setup, engine, make, threads, host);
  };
}
