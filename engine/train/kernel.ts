// What a layer kind provides for training: a forward pass over a batch that keeps what
// its backward pass needs, and the backward pass itself (vector–Jacobian products: the
// gradient of the loss with respect to each input and each parameter, given the
// gradient with respect to the output). Batches are N×C×H×W in either precision.

import type { GraphNode } from "../../analysis/types";
import type { Float, TrainParams } from "./float";

export interface TrainContext {
  /** samples in this batch (N) */
  batch: number;
  /** training mode: bn uses the batch's statistics (and updates its running ones), dropout drops */
  training: boolean;
  /** the training seed and the optimizer step, for dropout's masks */
  seed: number;
  step: number;
  /**
   * the first sample's index in the whole batch when a training thread computes only some
   * of its samples (engine/train/threaded.ts): dropout draws the masks one thread would
   */
  sampleOffset?: number;
  /**
   * when the batch is split over training threads: how a kernel whose training forward
   * couples the samples (bn's statistics) sees the whole batch
   */
  join?: BatchJoin;
}

/**
 * The threads of one batch meeting (engine/train/threaded.ts): every thread's kernels call
 * `sum` in the same order with arrays of the same length, and each gets the element-wise
 * sums of all of them, added in slice order (the same numbers in every thread).
 */
export interface BatchJoin {
  /** samples in the whole batch (the thread's own are TrainContext.batch) */
  total: number;
  /** the thread that updates state the slices share (bn's running statistics) */
  first: boolean;
  sum(values: Float64Array): Float64Array;
}

export interface ForwardResult {
  output: Float;
  /** whatever the backward pass needs besides the inputs and the output */
  saved?: unknown;
}

export interface Gradients {
  /** one per input; null where the caller did not ask for it */
  inputs: (Float | null)[];
  /** gradients of the node's trainable tensors (weight, bias), summed over the batch */
  params?: TrainParams;
}

export interface TrainKernel {
  forward(node: GraphNode, inputs: Float[], params: TrainParams | undefined, ctx: TrainContext): ForwardResult;
  backward(
    node: GraphNode,
    dOutput: Float,
    inputs: Float[],
    forward: ForwardResult,
    params: TrainParams | undefined,
    ctx: TrainContext,
    needInputs: boolean[],
  ): Gradients;
}

export function needParam(node: GraphNode, params: TrainParams | undefined, field: keyof TrainParams): Float {
  const value = params?.[field];
  if (!value) throw new Error(`${node.label ?? node.op} (node ${node.id}) has no ${field}`);
  return value;
}

export { biasOf as hasBias } from "./attrs";
