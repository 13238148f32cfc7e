// The memory training needs, counted before anything is allocated (float32 throughout):
//   weights   every parameter and bn statistic
//   gradients one per parameter
//   optimizer SGD's momentum buffer (when momentum ≠ 0), Adam's two moments
//   kept      for the backward pass, every layer's output for the whole batch, and what a
//             layer keeps besides (bn's normalized values, a max pool's indices, a
//             dropout mask: at most twice the outputs; a convolution's unrolled columns,
//             C·F_h·F_w per output position, which the fast engine keeps)
//   backward  the gradients in flight, and the fast engine's planned copies: per layer, its
//             input's gradient, and a copy of its input and of its output's gradient for
//             the whole batch (engine/train/fast plans them all before the first step):
//             three times every layer's output
//   data      the prepared training and test samples
// A run past the budget is refused with these numbers (engine/budget.ts' wording).

import type { NetworkResult } from "../../analysis/types";
import { bytesText } from "../../analysis/format";
import { sizeOf } from "../tensor";
import { elements, paramShapes } from "../init";
import { isOpNode, opOf } from "../ops";
import { stateTensors, type OptimizerSettings } from "./optim";

export interface TrainingMemory {
  weights: bigint;
  gradients: bigint;
  optimizer: bigint;
  kept: bigint;
  backward: bigint;
  data: bigint;
  total: bigint;
}

export function trainingMemory(network: NetworkResult, batch: number, optimizer: OptimizerSettings, dataValues: number): TrainingMemory {
  let statistics = 0n;
  let outputs = 0n;
  let activations = 0n;
  let largest = 0n;
  let second = 0n;
  for (const node of network.graph) {
    // buffers (bn's running statistics) are weights too, not parameters
    for (const s of paramShapes(node)) if (!s.trainable) statistics += BigInt(elements(s.dims));
    const size = BigInt(sizeOf(node.output));
    activations += size;
    outputs += size;
    // what the kind keeps besides (engine/ops: Op.trainKept)
    if (isOpNode(node) && node.input) outputs += BigInt(opOf(node).trainKept?.(node) ?? 0);
    if (size > largest) [largest, second] = [size, largest];
    else if (size > second) second = size;
  }
  const b = BigInt(batch);
  const weights = (network.params + statistics) * 4n;
  const gradients = network.params * 4n;
  const state = network.params * BigInt(stateTensors(optimizer)) * 4n;
  const kept = outputs * b * 4n;
  // (never less than the reference engine's two largest gradients alive at once)
  const planned = 3n * activations;
  const backward = (planned > largest + second ? planned : largest + second) * b * 4n;
  const data = BigInt(dataValues) * 4n;
  return { weights, gradients, optimizer: state, kept, backward, data, total: weights + gradients + state + kept + backward + data };
}

/** null when training fits the budget, else why not, with the numbers */
export function trainingRefusal(network: NetworkResult, m: TrainingMemory, batch: number, budgetMB: number): string | null {
  const budget = BigInt(Math.floor(budgetMB * 1e6));
  if (m.total <= budget) return null;
  return (
    `training ${network.name} at batch ${batch} needs ${bytesText(m.total)} (weights ${bytesText(m.weights)} + gradients ${bytesText(m.gradients)} + ` +
    `optimizer state ${bytesText(m.optimizer)} + activations kept for the backward pass ${bytesText(m.kept)} + gradients in flight ${bytesText(m.backward)} + ` +
    `the pictures ${bytesText(m.data)}), more than the memory budget of ${bytesText(budget)} (${budgetMB} MB, the setting cnn.run.memoryBudgetMB); a smaller --batch needs less`
  );
}
