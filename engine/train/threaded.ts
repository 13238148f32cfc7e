// Training on several threads (issue 16): data parallelism over the batch, as PyTorch's
// DistributedDataParallel does on one machine. Each worker thread holds an engine of its
// own (the same kind: fast or reference); a step gives every thread a contiguous slice of
// the batch, each computes the mean loss of its slice and its gradients, and the main
// thread sums them weighted by the slices' sizes — in slice order, so a run is
// deterministic — and runs the optimizer once.
//
// A step costs the threads little but the step itself: no message is posted, nothing is
// allocated, and no loop runs in JavaScript. Everything the threads share lies in one
// shared memory, the exchange: the parameters (every thread's engine reads them in place,
// its parameter arrays being views of it; the main thread updates them after the join),
// the sums of the gradients, the fast engine's optimizer state, and one lane per worker —
// its control words, its slice's inputs and labels, its gradients (or scores) as it
// returns them. A worker
// sleeps in Atomics.wait on its lane's GO word (after a spin: SPIN_MS); the main thread
// writes the slice, bumps GO and wakes it, computes its own slice meanwhile, then waits for
// DONE (a short spin, then Atomics.waitAsync, so a worker that dies is an error, not a hang). The weighted sums are
// the training library's kernels on the exchange (WebAssembly SIMD), in slice order: for
// the fast engine the last slice's sum is fused into its optimizer step (adamSum, sgdSum:
// the same float operations as the sums and then the engine's own update, no copy of the
// gradients or the parameters); for the reference engine `combine`, then its own update;
// without WebAssembly SIMD, the same sums in JavaScript.
//
// The result is one thread's up to the order of float sums (a slice's gradients are summed
// over fewer samples, then added): ≤ 1e-5 relative, as the issue allows. Dropout draws
// each sample's mask by its index in the whole batch (TrainContext.sampleOffset), so the
// masks are one thread's. A batch norm couples the samples of a batch: its statistics
// are the whole batch's, so the threads meet inside the step (JoinPoint, TrainContext.join):
// each sums its slice per channel, and every thread gets the sums of all, in slice order —
// twice in the forward pass (Σx for the mean, then Σ(x − μ)² for the variance, as one
// thread computes them) and once in the backward (Σdy and Σdy·x̂, each slice's weighted
// by its share of the batch); the first thread alone updates the running statistics.
// Droppath draws each sample's factor by its index in the whole batch, as dropout does.

import type { GraphNode, NetworkResult } from "../../analysis/types";
import type { LayerParams } from "../api";
import { planesOf, sizeOf } from "../tensor";
import { batchNormalizes, scoresNode } from "./backprop";
import { isSplitEngine, type EngineSetup, type SplitEngine, type StepResult, type TrainEngine } from "./engine";
import { TRAINABLE, type TrainParams } from "./float";
import type { OptimizerSettings } from "./optim";
import { trainingMemory } from "./memory";
import { FastEngine, sharedTrainLibrary } from "./fast/engine";
import type { TrainKernelsWasm } from "./fast/kernels";
import type { BatchJoin } from "./kernel";

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
  post(message: ToThread): void;
  /** keeps the process alive while the main thread waits for this thread (Node's ref), or lets it go */
  hold(busy: boolean): void;
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

/** where one tensor lies in a flat shared buffer (in floats) */
export interface Place {
  id: number;
  key: keyof TrainParams;
  at: number;
  length: number;
}

/** what a worker is told once; then it serves its lane until told to close */
export interface LaneSetup {
  kind: "init";
  engine: string;
  network: NetworkResult;
  weights: Tensors;
  optimizer: OptimizerSettings;
  seed: number;
  /** the largest slice the worker is given */
  batch: number;
  /** the exchange's memory, the byte offsets of the parameters and of this worker's lane in it */
  exchange: SharedArrayBuffer;
  paramsAt: number;
  laneAt: number;
  /** each parameter tensor's place after paramsAt, each gradient's in the lane's gradients */
  paramPlaces: Place[];
  gradPlaces: Place[];
  sampleSize: number;
  classes: number;
  /** where the threads meet inside a step (a network with a batch norm), this worker's index among them */
  join: { at: number; threads: number; index: number; floats: number } | null;
}

export type ToThread = LaneSetup;
export type FromThread = { kind: "ready" } | { kind: "error"; message: string };

/** the lane's control words (Int32), then its loss (a float64 at LOSS_BYTE) and a failure's message */
export const Lane = {
  /** futex the worker sleeps on: the main thread bumps it to start a command */
  GO: 0,
  /** the worker sets it to GO's value when the command is done */
  DONE: 1,
  KIND: 2,
  /** samples in the slice, the optimizer step, the slice's first sample in the whole batch */
  BATCH: 3,
  STEP: 4,
  OFFSET: 5,
  CORRECT: 6,
  /** 0, or the length in bytes of the failure's message (UTF-8 at MESSAGE_BYTE) */
  FAILED: 7,
  /** samples in the whole batch (a batch norm's statistics are theirs) */
  TOTAL: 8,
  /** the slices of the step (the threads that meet at its joins) */
  SLICES: 9,
  WORDS: 16,
  LOSS_BYTE: 64,
  /** four float64: when the worker began its command (ms since the epoch: performance.timeOrigin + now), how long it ran, its forward and its backward pass (ms) */
  TIMING_BYTE: 72,
  MESSAGE_BYTE: 128,
  MESSAGE_BYTES: 1024,
} as const;

export const Command = { STEP: 1, SCORES: 2, CLOSE: 3 } as const;

/**
 * How long a thread busy-waits before it sleeps (ms). A worker waits out the main thread's
 * serial update (~0.1 ms on LeNet-5 at batch 32) and, when its slice ended first, the rest
 * of the main thread's: spinning through them it starts the next slice at once, where a
 * sleeping one is woken late (a futex, and on a virtual machine an idle vCPU's wake-up:
 * 0.2–0.4 ms a step measured with 0.5 ms spins, 0.05 with 2 ms). The main thread waits
 * for a worker's slice that ends a little after its own (the slices' times differ by
 * a few tenths of a millisecond from step to step). Past these, both sleep: between
 * epochs, or on a machine too busy to give them a core.
 */
export const SPIN_MS = { worker: 2, main: 2 } as const;

/** spins until `ctl[word]` is no longer `value`, for at most `ms`; the value it saw last */
export function spinWhile(ctl: Int32Array, word: number, value: number, ms: number): number {
  let seen = Atomics.load(ctl, word);
  if (seen !== value) return seen;
  const until = performance.now() + ms;
  for (let i = 1; ; i++) {
    seen = Atomics.load(ctl, word);
    if (seen !== value || ((i & 63) === 0 && performance.now() > until)) return seen;
  }
}

const align = (n: number) => Math.ceil(n / 64) * 64;

/** points an engine's parameter tensors at their places in the exchange (it then reads every update in place) */
export function viewParameters(own: Map<number, TrainParams>, exchange: SharedArrayBuffer, paramsAt: number, places: Place[]): void {
  for (const p of places) {
    const to = own.get(p.id);
    if (!to?.[p.key] || to[p.key]!.length !== p.length) throw new Error(`the thread's engine has no ${p.key} of node ${p.id} like the main thread's`);
    to[p.key] = new Float32Array(exchange, paramsAt + 4 * p.at, p.length);
  }
}

/** a lane's regions (byte offsets from its start), for the largest slice */
export function laneLayout(batch: number, sampleSize: number, classes: number, gradFloats: number) {
  const inputs = Lane.MESSAGE_BYTE + Lane.MESSAGE_BYTES;
  const labels = align(inputs + 4 * batch * sampleSize);
  const grads = align(labels + 4 * batch);
  const scores = align(grads + 4 * gradFloats);
  return { inputs, labels, grads, scores, bytes: align(scores + 4 * batch * classes) };
}

/** views of the lane at byte `at` of the exchange */
export function laneViews(exchange: SharedArrayBuffer, at: number, batch: number, sampleSize: number, classes: number, gradFloats: number) {
  const l = laneLayout(batch, sampleSize, classes, gradFloats);
  return {
    ctl: new Int32Array(exchange, at, Lane.WORDS),
    loss: new Float64Array(exchange, at + Lane.LOSS_BYTE, 1),
    timing: new Float64Array(exchange, at + Lane.TIMING_BYTE, 4),
    message: new Uint8Array(exchange, at + Lane.MESSAGE_BYTE, Lane.MESSAGE_BYTES),
    inputs: new Float32Array(exchange, at + l.inputs, batch * sampleSize),
    labels: new Int32Array(exchange, at + l.labels, batch),
    gradsAt: at + l.grads,
    grads: new Float32Array(exchange, at + l.grads, gradFloats),
    scores: new Float32Array(exchange, at + l.scores, batch * classes),
  };
}

/** dst = acc·dst + w·src over n floats of the exchange (byte addresses) */
type Combine = (n: number, dst: number, src: number, w: number, acc: number) => void;

/** the exchange: WebAssembly's shared memory, its `combine` and its kernels where WebAssembly SIMD validates, else a SharedArrayBuffer and a loop */
async function exchangeOf(bytes: number): Promise<{ buffer: SharedArrayBuffer; combine: Combine; k?: TrainKernelsWasm }> {
  if (FastEngine.available()) {
    const { memory, k } = await sharedTrainLibrary(bytes);
    return { buffer: memory.buffer as unknown as SharedArrayBuffer, combine: (n, dst, src, w, acc) => k.combine(n, dst, src, w, acc), k };
  }
  const buffer = new SharedArrayBuffer(bytes);
  const all = new Float32Array(buffer);
  return {
    buffer,
    combine: (n, dst, src, w, acc) => {
      const d = dst >> 2;
      const s = src >> 2;
      for (let i = 0; i < n; i++) all[d + i] = (acc ? all[d + i] : 0) + Math.fround(w * all[s + i]);
    },
  };
}

/** places for every tensor of `params` whose key `keys` admits, back to back */
function placesOf(params: Map<number, TrainParams>, keys: (key: keyof TrainParams) => boolean): { places: Place[]; floats: number } {
  const places: Place[] = [];
  let floats = 0;
  for (const [id, p] of params) {
    for (const key of Object.keys(p) as (keyof TrainParams)[]) {
      const t = p[key];
      if (!t || !keys(key)) continue;
      places.push({ id, key, at: floats, length: t.length });
      floats += t.length;
    }
  }
  return { places, floats };
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

/**
 * The most values a step's join sums, 0 when no kernel joins: the layers that normalize
 * with the batch's statistics (bn, Op.batchStatistics) meet the other threads inside a
 * step (TrainContext.join), two values per channel in the backward pass.
 */
function joinFloats(graph: GraphNode[]): number {
  let most = 0;
  for (const node of graph) if (batchNormalizes(node) && node.input) most = Math.max(most, 2 * planesOf(node.input).channels);
  return most;
}

/**
 * Where the threads of a step meet (TrainContext.join; bn's statistics): per thread a
 * generation word, then an abort word; per thread two slots of `floats` float64 (one for
 * even generations, one for odd: a thread is at most one join ahead of the slowest, so the
 * slot it writes is never one another still reads). A thread writes its values, bumps
 * its generation, waits for every other thread's, and sums the slots in slice order — the
 * same sums in every thread. A thread that fails aborts: every join then throws, so none
 * waits for it for ever; one that vanishes is given up on after JOIN_PATIENCE_MS.
 */
export class JoinPoint implements BatchJoin {
  total = 0;
  /** the threads of this step (a batch smaller than the threads leaves some out) */
  private count: number;
  private gen = 0;
  private readonly ctl: Int32Array;
  private readonly slots: Float64Array[][];

  constructor(
    buffer: SharedArrayBuffer,
    at: number,
    private readonly threads: number,
    private readonly index: number,
    private readonly floats: number,
    private readonly patienceMs = JOIN_PATIENCE_MS,
  ) {
    this.count = threads;
    this.ctl = new Int32Array(buffer, at, threads + 1);
    const slotsAt = at + align(4 * (threads + 1));
    this.slots = Array.from({ length: threads }, (_, t) => [0, 1].map((parity) => new Float64Array(buffer, slotsAt + 8 * floats * (2 * t + parity), floats)));
  }

  /**
   * A step starts: `total` samples over `count` threads. The main thread also sets every
   * thread's generation to 0 (`reset`), before it starts the workers — all idle then.
   */
  begin(total: number, count: number, reset = false): void {
    this.total = total;
    this.count = count;
    this.gen = 0;
    if (reset) for (let t = 0; t < this.threads; t++) Atomics.store(this.ctl, t, 0);
  }

  static bytes(threads: number, floats: number): number {
    return align(4 * (threads + 1)) + align(8 * floats * 2 * threads);
  }

  get first(): boolean {
    return this.index === 0;
  }

  get aborted(): boolean {
    return Atomics.load(this.ctl, this.threads) !== 0;
  }

  /** every thread's joins throw from now on */
  abort(): void {
    Atomics.store(this.ctl, this.threads, 1);
    for (let t = 0; t < this.threads; t++) Atomics.notify(this.ctl, t);
  }

  sum(values: Float64Array): Float64Array {
    if (values.length > this.floats) throw new Error(`a training thread's join takes at most ${this.floats} values, not ${values.length}`);
    if (this.aborted) throw new Error("another training thread failed");
    const gen = ++this.gen;
    const parity = gen & 1;
    this.slots[this.index][parity].set(values);
    Atomics.store(this.ctl, this.index, gen);
    Atomics.notify(this.ctl, this.index);
    for (let t = 0; t < this.count; t++) if (t !== this.index) this.await(t, gen);
    const out = new Float64Array(values.length);
    for (let t = 0; t < this.count; t++) {
      const slot = this.slots[t][parity];
      for (let i = 0; i < values.length; i++) out[i] += slot[i];
    }
    return out;
  }

  /** until thread t reaches generation `gen`: a spin, then sleeps of 50 ms, checking for an abort */
  private await(t: number, gen: number): void {
    const ctl = this.ctl;
    let seen = spinWhile(ctl, t, gen - 1, SPIN_MS.worker);
    const since = performance.now();
    while (seen < gen) {
      if (this.aborted) throw new Error("another training thread failed");
      if (performance.now() - since > this.patienceMs) {
        this.abort();
        throw new Error(`a training thread did not reach a batch norm's join in ${this.patienceMs / 1000} s`);
      }
      Atomics.wait(ctl, t, seen, 50);
      seen = Atomics.load(ctl, t);
    }
  }
}

/**
 * How long a thread waits at a join for another before it gives up on it (ms). A worker
 * that fails aborts the joins at once; this bounds the wait for one that vanishes without
 * a word (killed from outside) while the main thread, blocked at the join, cannot hear of it.
 */
export const JOIN_PATIENCE_MS = 120_000;

type Waiter = { waitAsync?: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string } };

class Worker {
  failure: Error | null = null;
  readonly ready: Promise<void>;
  private failed!: (e: Error) => void;
  /** rejects when the thread fails (a lane's wait races it) */
  readonly broken: Promise<never>;
  private seq = 0;

  constructor(
    readonly thread: TrainThread,
    readonly views: ReturnType<typeof laneViews>,
  ) {
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => ((readyResolve = resolve), (readyReject = reject)));
    this.broken = new Promise<never>((_, reject) => (this.failed = reject));
    this.broken.catch(() => {});
    const fail = (e: Error) => {
      if (this.failure) return;
      this.failure = e;
      readyReject(e);
      this.failed(e);
    };
    thread.onMessage((m) => (m.kind === "ready" ? readyResolve() : fail(new Error(`a training thread failed: ${m.message}`))));
    thread.onError((e) => fail(new Error(`a training thread failed: ${e.message}`)));
  }

  /** when the last command was started (ms since the epoch) */
  startedAt = 0;

  /** starts a command on the lane (the lane's inputs and words other than GO already written) */
  go(kind: number): void {
    const ctl = this.views.ctl;
    this.startedAt = performance.timeOrigin + performance.now();
    ctl[Lane.KIND] = kind;
    ctl[Lane.FAILED] = 0;
    Atomics.store(ctl, Lane.GO, ++this.seq);
    Atomics.notify(ctl, Lane.GO);
  }

  /** waits for the command started last: a spin, then an asynchronous wait that a failing thread cuts short */
  async done(): Promise<void> {
    const ctl = this.views.ctl;
    const want = this.seq;
    spinWhile(ctl, Lane.DONE, want - 1, SPIN_MS.main);
    while (Atomics.load(ctl, Lane.DONE) !== want) {
      if (this.failure) throw this.failure;
      const seen = Atomics.load(ctl, Lane.DONE);
      if (seen === want) break;
      const wait = (Atomics as unknown as Waiter).waitAsync;
      if (wait) {
        const r = wait(ctl, Lane.DONE, seen);
        if (r.async) {
          this.thread.hold(true);
          try {
            await Promise.race([r.value, this.broken]);
          } finally {
            this.thread.hold(false);
          }
        }
      } else {
        Atomics.wait(ctl, Lane.DONE, seen, 50);
      }
    }
    const failed = ctl[Lane.FAILED];
    if (failed) throw new Error(`a training thread failed: ${new TextDecoder().decode(this.views.message.slice(0, failed))}`);
  }
}

/**
 * Where a threaded step's time goes (ms, summed over the steps since the engine was made or
 * the profile last reset), wall-clock per thread: what a quiet machine's step costs, and
 * which part of it is serial (Amdahl: 2 threads give 1.5× only with a serial share ≤ 1/3).
 */
export interface ThreadProfile {
  steps: number;
  /** the calling thread: writing the workers' slices into their lanes and waking them */
  dispatch: number;
  /** the calling thread's own slice (forward, loss, backward), and of it the forward and the backward pass */
  slice: number;
  forward: number;
  backward: number;
  /** the calling thread waiting for the workers once its slice is done */
  wait: number;
  /** the calling thread alone after the join: the weighted sums, the optimizer's update, the parameters published */
  update: number;
  /** per worker: from being woken to starting (scheduling latency), its slice, and of it the forward and the backward pass */
  wake: number[];
  work: number[];
  workForward: number[];
  workBackward: number[];
}

export class ThreadedEngine implements TrainEngine {
  private timing: ThreadProfile;
  /** the sums of the slices' gradients, as the optimizer takes them (views of the exchange), made at the first step */
  private sums: Map<number, TrainParams> | null = null;

  private constructor(
    private readonly inner: SplitEngine,
    private readonly workers: Worker[],
    private readonly sampleSize: number,
    private readonly classes: number,
    /** this thread's side of the joins inside a step (a network with a batch norm), or null */
    private readonly join: JoinPoint | null,
    private readonly ex: {
      combine: Combine;
      /** the fast engine's update on the exchange: its kernels, and the optimizer's state (Adam's m and v, SGD's buffer in m) by gradPlaces (byte addresses) */
      update: { k: TrainKernelsWasm; optimizer: OptimizerSettings; mAt: number; vAt: number } | null;
      /** the parameters (every engine's, the workers' and this thread's, are views of them), by paramPlaces */
      params: Float32Array;
      paramPlaces: Place[];
      gradPlaces: Place[];
      gradFloats: number;
      /** byte addresses: the sums, and this thread's slice's gradients */
      sumsAt: number;
      mineAt: number;
      sums: Float32Array;
      mine: Float32Array;
    },
  ) {
    this.timing = this.emptyProfile();
  }

  private emptyProfile(): ThreadProfile {
    const zeros = () => this.workers.map(() => 0);
    return { steps: 0, dispatch: 0, slice: 0, forward: 0, backward: 0, wait: 0, update: 0, wake: zeros(), work: zeros(), workForward: zeros(), workBackward: zeros() };
  }

  /** the time of the steps so far (see ThreadProfile); `reset` starts a new count */
  profile(reset = false): ThreadProfile {
    const p = this.timing;
    if (reset) this.timing = this.emptyProfile();
    return { ...p, wake: [...p.wake], work: [...p.work], workForward: [...p.workForward], workBackward: [...p.workBackward] };
  }

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
    const sampleSize = sizeOf(setup.network.graph[0].output);
    const classes = sizeOf(scoresNode(setup.network.graph).output);
    const params = placesOf(inner.parameters, () => true);
    const grads = placesOf(inner.parameters, (key) => (TRAINABLE as readonly string[]).includes(key));
    const maxSlice = parts.length > 1 ? parts[1][1] - parts[1][0] : 1;
    // the exchange: parameters, sums, this thread's gradients, then a lane per worker
    // the fast engine's update runs on the exchange (its state there too): fused with the sums, no copies
    const fused = inner instanceof FastEngine && FastEngine.available();
    const sumsAt = align(4 * params.floats);
    const mineAt = align(sumsAt + 4 * grads.floats);
    const mAt = align(mineAt + 4 * grads.floats);
    const vAt = align(mAt + (fused ? 4 * grads.floats : 0));
    // where the threads meet inside a step (a batch norm's statistics), if they do
    const floats = joinFloats(setup.network.graph);
    const joinAt = align(vAt + (fused && setup.optimizer.kind === "adam" ? 4 * grads.floats : 0));
    const laneBytes = laneLayout(maxSlice, sampleSize, classes, grads.floats).bytes;
    const lanesAt = align(joinAt + (floats ? JoinPoint.bytes(parts.length, floats) : 0));
    const { buffer, combine, k } = await exchangeOf(lanesAt + (parts.length - 1) * laneBytes);
    const workers: Worker[] = [];
    try {
      for (let i = 1; i < parts.length; i++) {
        const laneAt = lanesAt + (i - 1) * laneBytes;
        const w = new Worker(host.spawn(), laneViews(buffer, laneAt, maxSlice, sampleSize, classes, grads.floats));
        workers.push(w);
        w.thread.post({
          kind: "init",
          engine,
          network: portable(setup.network),
          weights: [...(setup.weights as Map<number, TrainParams>)].map(([id, p]) => [id, p as Tensors[number][1]]),
          optimizer: setup.optimizer,
          seed: setup.seed,
          batch: maxSlice,
          exchange: buffer,
          paramsAt: 0,
          laneAt,
          paramPlaces: params.places,
          gradPlaces: grads.places,
          sampleSize,
          classes,
          join: floats ? { at: joinAt, threads: parts.length, index: i, floats } : null,
        });
      }
      await Promise.all(workers.map((w) => w.ready));
    } catch (e) {
      for (const w of workers) w.thread.terminate();
      inner.dispose?.();
      throw e;
    }
    const made = new ThreadedEngine(inner, workers, sampleSize, classes, floats ? new JoinPoint(buffer, joinAt, parts.length, 0, floats) : null, {
      combine,
      update: fused && k ? { k, optimizer: setup.optimizer, mAt, vAt } : null,
      params: new Float32Array(buffer, 0, params.floats),
      paramPlaces: params.places,
      gradPlaces: grads.places,
      gradFloats: grads.floats,
      sumsAt,
      mineAt,
      sums: new Float32Array(buffer, sumsAt, grads.floats),
      mine: new Float32Array(buffer, mineAt, grads.floats),
    });
    // the parameters into the exchange, and this thread's engine reading them there from now on
    for (const p of params.places) made.ex.params.set(inner.parameters.get(p.id)![p.key]!, p.at);
    viewParameters(inner.parameters, buffer, 0, params.places);
    return made;
  }

  async step(inputs: Float32Array, labels: Int32Array, batch: number, step: number): Promise<StepResult> {
    const t0 = performance.now();
    const parts = slices(batch, this.threads);
    const size = this.sampleSize;
    this.join?.begin(batch, parts.length, true);
    for (let i = 1; i < parts.length; i++) {
      const [a, b] = parts[i];
      const w = this.workers[i - 1];
      const { ctl } = w.views;
      w.views.inputs.set(inputs.subarray(a * size, b * size));
      w.views.labels.set(labels.subarray(a, b));
      ctl[Lane.BATCH] = b - a;
      ctl[Lane.STEP] = step;
      ctl[Lane.OFFSET] = a;
      ctl[Lane.TOTAL] = batch;
      ctl[Lane.SLICES] = parts.length;
      w.go(Command.STEP);
    }
    // the first slice here, meanwhile: its gradients, weighted, start the sums
    const t1 = performance.now();
    const [a0, b0] = parts[0];
    let loss = 0;
    let correct = 0;
    try {
      this.inner.gradientsOf(
        inputs.subarray(a0 * size, b0 * size),
        labels.subarray(a0, b0),
        b0 - a0,
        step,
        a0,
        (r) => {
          loss += ((b0 - a0) / batch) * r.loss;
          correct += r.correct;
          this.keep(r.grads);
        },
        this.join ?? undefined,
      );
    } catch (e) {
      // a worker that failed aborted the joins: its message is the one to give; else this
      // thread's own failure ends the workers' waits at the joins (the engine is done)
      if (!this.join) throw e;
      if (this.join.aborted) await this.joined(parts.length - 1);
      else {
        this.join.abort();
        await this.joined(parts.length - 1).catch(() => {});
      }
      throw e;
    }
    const t2 = performance.now();
    await this.joined(parts.length - 1);
    const t3 = performance.now();
    // sums = Σ (slice / batch) · its gradients, in slice order
    const ex = this.ex;
    for (let i = 1; i < parts.length; i++) {
      const v = this.workers[i - 1].views;
      loss += ((parts[i][1] - parts[i][0]) / batch) * v.loss[0];
      correct += v.ctl[Lane.CORRECT];
    }
    const weight = (i: number) => (parts[i][1] - parts[i][0]) / batch;
    if (ex.update) {
      // the last slice's sum fused into the update (the sums before it by combine): the same float operations
      const last = parts.length - 1;
      let from = ex.mineAt;
      let w = weight(0);
      if (last === 0) this.update(from, 1, 0, 0);
      else if (last > 1) {
        ex.combine(ex.gradFloats, ex.sumsAt, ex.mineAt, weight(0), 0);
        for (let i = 1; i < last; i++) ex.combine(ex.gradFloats, ex.sumsAt, this.workers[i - 1].views.gradsAt, weight(i), 1);
        from = ex.sumsAt;
        w = 1;
      }
      if (last > 0) this.update(from, w, this.workers[last - 1].views.gradsAt, weight(last));
    } else {
      ex.combine(ex.gradFloats, ex.sumsAt, ex.mineAt, weight(0), 0);
      for (let i = 1; i < parts.length; i++) ex.combine(ex.gradFloats, ex.sumsAt, this.workers[i - 1].views.gradsAt, weight(i), 1);
      // (the engine's parameters are views of the exchange: updated in place, the workers read them)
      this.inner.apply(this.sums!, step);
    }
    const p = this.timing;
    p.steps++;
    p.dispatch += t1 - t0;
    p.slice += t2 - t1;
    p.forward += this.inner.timing.forward;
    p.backward += this.inner.timing.backward;
    p.wait += t3 - t2;
    p.update += performance.now() - t3;
    for (let i = 1; i < parts.length; i++) {
      const w = this.workers[i - 1];
      p.wake[i - 1] += Math.max(0, w.views.timing[0] - w.startedAt);
      p.work[i - 1] += w.views.timing[1];
      p.workForward[i - 1] += w.views.timing[2];
      p.workBackward[i - 1] += w.views.timing[3];
    }
    return { loss, correct };
  }

  /** waits for the first `count` workers; the first failure is the error */
  private async joined(count: number): Promise<void> {
    let failure: unknown = null;
    for (let i = 0; i < count; i++) {
      try {
        await this.workers[i].done();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
  }

  /** per trainable tensor with a gradient: its place, its parameter's address, its optimizer steps so far */
  private updates: { g: Place; at: number; steps: number }[] | null = null;

  /**
   * The fast engine's optimizer step (engine/train/fast/engine.ts) on the exchange, each
   * tensor's gradient wa·ga + wb·gb (byte addresses of the gradient regions) summed in the
   * kernel: torch.optim's step, the same float operations as the sums and then the
   * engine's own update, without a copy. gb = 0: the gradient is ga's alone (a batch of
   * one sample is one slice; its weight is 1).
   */
  private update(ga: number, wa: number, gb: number, wb: number): void {
    const { k, optimizer: s, mAt, vAt } = this.ex.update!;
    for (const u of this.updates!) {
      const n = u.g.length;
      const g = 4 * u.g.at;
      const t = ++u.steps;
      const stepSize = s.lr / (1 - s.beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - s.beta2 ** t);
      if (!gb) {
        if (s.kind === "adam") k.adam(n, u.at, ga + g, mAt + g, vAt + g, s.beta1, s.beta2, s.eps, s.weightDecay, stepSize, bc2Sqrt);
        else k.sgd(n, u.at, ga + g, mAt + g, s.lr, s.momentum, s.weightDecay);
      } else if (s.kind === "adam") k.adamSum(n, u.at, ga + g, wa, gb + g, wb, mAt + g, vAt + g, s.beta1, s.beta2, s.eps, s.weightDecay, stepSize, bc2Sqrt);
      else k.sgdSum(n, u.at, ga + g, wa, gb + g, wb, mAt + g, s.lr, s.momentum, s.weightDecay);
    }
  }

  /** this thread's slice's gradients into the exchange (they are recycled once its `use` returns); the sums' views, the first time */
  private keep(grads: Map<number, TrainParams>): void {
    const { gradPlaces, mine, sums } = this.ex;
    if (!this.sums) {
      // the tensors the optimizer updates: those with a gradient (torch skips a parameter whose grad is None)
      this.sums = new Map();
      this.updates = [];
      for (const p of gradPlaces) {
        if (!grads.get(p.id)?.[p.key]) continue;
        let s = this.sums.get(p.id);
        if (!s) this.sums.set(p.id, (s = {}));
        s[p.key] = sums.subarray(p.at, p.at + p.length);
        const param = this.ex.paramPlaces.find((q) => q.id === p.id && q.key === p.key)!;
        this.updates.push({ g: p, at: 4 * param.at, steps: 0 });
      }
    }
    for (const p of gradPlaces) {
      const g = grads.get(p.id)?.[p.key];
      if (g) mine.set(g, p.at);
      else mine.fill(0, p.at, p.at + p.length);
    }
  }

  /** eval mode: each thread scores a slice (no sample sees another's there) */
  async scores(inputs: Float32Array, batch: number): Promise<Float32Array> {
    const parts = slices(batch, this.threads);
    const size = this.sampleSize;
    for (let i = 1; i < parts.length; i++) {
      const [a, b] = parts[i];
      const w = this.workers[i - 1];
      w.views.inputs.set(inputs.subarray(a * size, b * size));
      w.views.ctl[Lane.BATCH] = b - a;
      w.go(Command.SCORES);
    }
    const [a0, b0] = parts[0];
    const first = await this.inner.scores(inputs.subarray(a0 * size, b0 * size), b0 - a0);
    const classes = this.classes;
    const out = new Float32Array(batch * classes);
    out.set(first.subarray(0, (b0 - a0) * classes), 0);
    await this.joined(parts.length - 1);
    for (let i = 1; i < parts.length; i++) {
      const [a, b] = parts[i];
      out.set(this.workers[i - 1].views.scores.subarray(0, (b - a) * classes), a * classes);
    }
    return out;
  }

  weights() {
    return this.inner.weights();
  }

  dispose(): void {
    for (const w of this.workers) {
      if (!w.failure) w.go(Command.CLOSE);
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
    if (threads <= 1 || setup.batch < 2 || host.unavailable()) return make(setup);
    return ThreadedEngine.create(setup, engine, make, threads, host);
  };
}
