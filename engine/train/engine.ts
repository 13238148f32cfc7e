// What trains a network, whatever executes the kernels: one optimizer step on a batch,
// the scores of a batch in eval mode, and the weights as they stand.
// ReferenceEngine runs the reference training kernels (engine/train/kernels) in float32.

import type { GraphNode, NetworkResult } from "../../analysis/types";
import type { LayerParams, NetworkWeights } from "../api";
import { paramShapes } from "../init";
import { sizeOf } from "../tensor";
import { backwardPass, forwardPass, scoresNode, type KernelOf } from "./backprop";
import { trainKernel } from "./kernels";
import type { BatchJoin } from "./kernel";
import { TRAINABLE, withArena, type TrainParams } from "./float";
import { softmaxCrossEntropy } from "./kernels/softmax";
import { ParamState, type OptimizerSettings } from "./optim";

export interface StepResult {
  loss: number;
  correct: number;
}

export interface TrainEngine {
  readonly name: string;
  /** one optimizer step on `batch` samples (N×C×H×W) with their classes; `step` counts from 0 */
  step(inputs: Float32Array, labels: Int32Array, batch: number, step: number): Promise<StepResult> | StepResult;
  /** eval-mode scores of `batch` samples, N×classes */
  scores(inputs: Float32Array, batch: number): Promise<Float32Array> | Float32Array;
  /** copies of the current parameters and bn statistics */
  weights(): NetworkWeights;
  /** frees what the engine holds */
  dispose?(): void;
}

export interface EngineSetup {
  network: NetworkResult;
  weights: NetworkWeights;
  optimizer: OptimizerSettings;
  seed: number;
  /** the largest batch `step` and `scores` will be given */
  batch: number;
}

/** one slice of a batch: its mean loss, correct count and the gradients of that mean */
export interface SliceGradients {
  loss: number;
  correct: number;
  grads: Map<number, TrainParams>;
}

/** an engine whose step can be split: gradients of some samples, then one update (engine/train/threaded.ts) */
export interface SplitEngine extends TrainEngine {
  /**
   * `use` gets the gradients of `batch` samples' mean loss, the parameters unchanged; the
   * arrays are recycled once `use` returns. `sampleOffset`: the first sample's index in
   * the whole batch (dropout's masks). `join`: how the slices meet where a kernel needs the
   * whole batch (bn's statistics; TrainContext.join).
   */
  gradientsOf<T>(inputs: Float32Array, labels: Int32Array, batch: number, step: number, sampleOffset: number, use: (r: SliceGradients) => T, join?: BatchJoin): T;
  /** one optimizer update from gradients of the whole batch (`step` counts from 0) */
  apply(grads: Map<number, TrainParams>, step: number): void;
  /** the parameters as the engine holds them, live: a training thread copies the main thread's into them */
  readonly parameters: Map<number, TrainParams>;
  /** where the last `gradientsOf` spent its time */
  readonly timing: SliceTiming;
}

export function isSplitEngine(e: TrainEngine): e is SplitEngine {
  return typeof (e as SplitEngine).gradientsOf === "function" && typeof (e as SplitEngine).apply === "function";
}

/** a float32 copy of every learning node's tensors (in arrays from `alloc`: zeroed, of that length) */
export function copyWeights(graph: GraphNode[], weights: NetworkWeights, alloc: (length: number) => Float32Array = (n) => new Float32Array(n)): Map<number, TrainParams> {
  const out = new Map<number, TrainParams>();
  for (const node of graph) {
    const p = weights.get(node.id);
    if (!p || paramShapes(node).length === 0) continue;
    const copy: TrainParams = {};
    for (const key of Object.keys(p) as (keyof LayerParams)[]) {
      const from = p[key];
      if (!from) continue;
      const to = alloc(from.length);
      to.set(from);
      copy[key] = to;
    }
    out.set(node.id, copy);
  }
  return out;
}

export function toNetworkWeights(params: Map<number, TrainParams>): NetworkWeights {
  const out: NetworkWeights = new Map();
  for (const [id, p] of params) {
    const copy: LayerParams = {};
    for (const key of Object.keys(p) as (keyof LayerParams)[]) if (p[key]) copy[key] = Float32Array.from(p[key]!);
    out.set(id, copy);
  }
  return out;
}

/** the last slice's time (ms): its forward pass, the loss, its backward pass */
export interface SliceTiming {
  forward: number;
  loss: number;
  backward: number;
}

export class ReferenceEngine implements SplitEngine {
  readonly name: string = "reference";
  /** where the last `gradientsOf` spent its time (the bench and engine/train/threaded.ts read it) */
  readonly timing: SliceTiming = { forward: 0, loss: 0, backward: 0 };
  protected readonly params: Map<number, TrainParams>;
  private readonly states = new Map<string, ParamState>();
  private readonly classes: number;

  constructor(
    protected readonly setup: EngineSetup,
    /** the kernels this engine runs (a faster engine passes its own for some ops) */
    protected readonly kernelOf: KernelOf = trainKernel,
    /** where the parameters live (a faster engine keeps them in its own memory) */
    alloc?: (length: number) => Float32Array,
  ) {
    this.params = copyWeights(setup.network.graph, setup.weights, alloc);
    this.classes = sizeOf(scoresNode(setup.network.graph).output);
  }

  private readonly paramsOf = (node: GraphNode) => this.params.get(node.id);

  get parameters(): Map<number, TrainParams> {
    return this.params;
  }

  step(inputs: Float32Array, labels: Int32Array, batch: number, step: number): StepResult {
    // every array of the step is recycled for the next (float.ts): only numbers leave it
    return this.gradientsOf(inputs, labels, batch, step, 0, (r) => {
      this.apply(r.grads, step);
      return { loss: r.loss, correct: r.correct };
    });
  }

  gradientsOf<T>(inputs: Float32Array, labels: Int32Array, batch: number, step: number, sampleOffset: number, use: (r: SliceGradients) => T, join?: BatchJoin): T {
    return withArena(() => use(this.gradientsIn(inputs, labels, batch, step, sampleOffset, join)));
  }

  private gradientsIn(inputs: Float32Array, labels: Int32Array, batch: number, step: number, sampleOffset: number, join?: BatchJoin): SliceGradients {
    const graph = this.setup.network.graph;
    const until = scoresNode(graph);
    const t0 = performance.now();
    const pass = forwardPass(graph, this.paramsOf, inputs, { batch, training: true, seed: this.setup.seed, step, sampleOffset, join }, until, this.kernelOf);
    const t1 = performance.now();
    const loss = softmaxCrossEntropy(pass.scores, labels, batch, this.classes);
    const t2 = performance.now();
    const grads = backwardPass(graph, this.paramsOf, pass, loss.gradient, until, this.kernelOf);
    const t = this.timing;
    t.forward = t1 - t0;
    t.loss = t2 - t1;
    t.backward = performance.now() - t2;
    return { loss: loss.loss, correct: loss.correct, grads };
  }

  apply(grads: Map<number, TrainParams>, step: number): void {
    this.applyGradients(grads, step);
  }

  /** the optimizer's step: every trainable tensor from its gradient (torch.optim's order, optim.ts) */
  protected applyGradients(grads: Map<number, TrainParams>, _step: number): void {
    for (const [id, g] of grads) {
      const p = this.params.get(id)!;
      for (const name of TRAINABLE) {
        const value = p[name] as Float32Array | undefined;
        const grad = g[name];
        if (!value || !grad) continue;
        const key = `${id}.${name}`;
        let state = this.states.get(key);
        if (!state) this.states.set(key, (state = new ParamState(value.length, this.setup.optimizer)));
        state.update(value, grad);
      }
    }
  }

  scores(inputs: Float32Array, batch: number): Float32Array {
    const graph = this.setup.network.graph;
    return withArena(() => Float32Array.from(forwardPass(graph, this.paramsOf, inputs, { batch, training: false, seed: this.setup.seed, step: 0 }, scoresNode(graph), this.kernelOf).scores));
  }

  weights(): NetworkWeights {
    return toNetworkWeights(this.params);
  }
}
