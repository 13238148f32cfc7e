// Training on several threads (issue 16): data parallelism over the batch, as PyTorch's
// DistributedDataParallel does on one machine. Each worker thread holds an engine of its
// own (the same kind: fast or reference) whose parameters are the main thread's tensors in
// shared memory; a step gives every thread a contiguous slice of the batch, each computes
// the mean loss of its slice and its gradients, and the main thread sums them weighted by
// the slices' sizes — in slice order, so a run is deterministic — and runs the optimizer
// once. The parameters it updates in place are what the workers read at the next step.
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
  | { kind: "close" };

export type FromThread =
  | { kind: "ready" }
  | { kind: "grads"; id: number; loss: number; correct: number; grads: Tensors }
  | { kind: "error"; id?: number; message: string };

/** a float32 copy of each tensor in shared memory (what every thread's engine reads) */
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
  resolve: (r: FromThread & { kind: "grads" }) => void;
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
      else if (m.kind === "grads") {
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

  request(message: ToThread & { kind: "step" }): Promise<FromThread & { kind: "grads" }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(message.id, { resolve, reject });
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
    const params = new Map<number, TrainParams>();
    for (const [id, p] of setup.weights) params.set(id, p as TrainParams);
    const shared = sharedTensors(params);
    const weights = new Map([...shared].map(([id, p]) => [id, p as LayerParams]));
    const parts = slices(setup.batch, threads);
    const inner = await make({ ...setup, weights, adoptWeights: true, batch: parts[0][1] - parts[0][0] });
    if (!isSplitEngine(inner)) throw new Error(`the ${inner.name} engine cannot split a batch over threads`);
    const workers: Worker[] = [];
    try {
      for (let i = 1; i < parts.length; i++) {
        const w = new Worker(host.spawn());
        workers.push(w);
        w.thread.post({ kind: "init", engine, network: portable(setup.network), weights: tensorsOf(shared), optimizer: setup.optimizer, seed: setup.seed, batch: parts[i][1] - parts[i][0] });
      }
      await Promise.all(workers.map((w) => w.started()));
    } catch (e) {
      for (const w of workers) w.thread.terminate();
      inner.dispose?.();
      throw e;
    }
    return new ThreadedEngine(inner, workers, sizeOf(setup.network.graph[0].output));
  }

  async step(inputs: Float32Array, labels: Int32Array, batch: number, step: number): Promise<StepResult> {
    const parts = slices(batch, this.threads);
    const size = this.sampleSize;
    Atomics.add(this.epoch, 0, 1);
    const replies = parts.slice(1).map(([a, b], i) =>
      this.workers[i].request({ kind: "step", id: ++this.requests, inputs: inputs.slice(a * size, b * size), labels: labels.slice(a, b), batch: b - a, step, offset: a, epoch: this.epoch }),
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
    this.inner.apply(this.sums!);
    return { loss, correct };
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

  scores(inputs: Float32Array, batch: number): Float32Array | Promise<Float32Array> {
    return this.inner.scores(inputs, batch);
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
