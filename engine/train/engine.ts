// What trains a network, whatever executes the kernels: one optimizer step on a batch,
// the scores of a batch in eval mode, and the weights as they stand.
// ReferenceEngine runs the reference training kernels (engine/train/kernels) in float32.

import type { GraphNode, NetworkResult } from "../../analysis/types";
import type { LayerParams, NetworkWeights } from "../api";
import { paramShapes } from "../init";
import { sizeOf } from "../tensor";
import { backwardPass, forwardPass, scoresNode, type KernelOf } from "./backprop";
import { trainKernel } from "./kernels";
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

export class ReferenceEngine implements TrainEngine {
  readonly name: string = "reference";
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

  step(inputs: Float32Array, labels: Int32Array, batch: number, step: number): StepResult {
    // every array of the step is recycled for the next (float.ts): only numbers leave it
    return withArena(() => this.stepIn(inputs, labels, batch, step));
  }

  private stepIn(inputs: Float32Array, labels: Int32Array, batch: number, step: number): StepResult {
    const graph = this.setup.network.graph;
    const until = scoresNode(graph);
    const pass = forwardPass(graph, this.paramsOf, inputs, { batch, training: true, seed: this.setup.seed, step }, until, this.kernelOf);
    const loss = softmaxCrossEntropy(pass.scores, labels, batch, this.classes);
    const grads = backwardPass(graph, this.paramsOf, pass, loss.gradient, until, this.kernelOf);
    this.applyGradients(grads, step);
    return { loss: loss.loss, correct: loss.correct };
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
