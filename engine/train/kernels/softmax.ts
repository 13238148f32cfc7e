// Softmax inside a network (over the channels at each position, PyTorch Softmax(dim=1))
// and the loss: softmax fused with the cross-entropy, as torch.nn.CrossEntropyLoss
// (mean over the batch) computes it on the scores before any final softmax.
//   softmax backward: dx = y ⊙ (dy − Σ_c dy_c·y_c)
//   loss = −(1/N) Σ_n log softmax(z_n)[t_n],  ∂loss/∂z_n = (softmax(z_n) − onehot(t_n))/N

import { planesOf } from "../../tensor";
import { like, type Float } from "../float";
import type { TrainKernel } from "../kernel";

export const softmaxKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    const p = planesOf(node.input!);
    const plane = p.height * p.width;
    const out = like(x, x.length);
    for (let n = 0; n < ctx.batch; n++) {
      const base = n * p.channels * plane;
      for (let i = 0; i < plane; i++) {
        let max = -Infinity;
        for (let c = 0; c < p.channels; c++) max = Math.max(max, x[base + c * plane + i]);
        let sum = 0;
        for (let c = 0; c < p.channels; c++) sum += Math.exp(x[base + c * plane + i] - max);
        for (let c = 0; c < p.channels; c++) out[base + c * plane + i] = Math.exp(x[base + c * plane + i] - max) / sum;
      }
    }
    return { output: out };
  },
  backward(node, dy, [x], f, _p, ctx, need) {
    if (!need[0]) return { inputs: [null] };
    const p = planesOf(node.input!);
    const plane = p.height * p.width;
    const y = f.output;
    const dx = like(x, x.length);
    for (let n = 0; n < ctx.batch; n++) {
      const base = n * p.channels * plane;
      for (let i = 0; i < plane; i++) {
        let dot = 0;
        for (let c = 0; c < p.channels; c++) dot += dy[base + c * plane + i] * y[base + c * plane + i];
        for (let c = 0; c < p.channels; c++) {
          const at = base + c * plane + i;
          dx[at] = y[at] * (dy[at] - dot);
        }
      }
    }
    return { inputs: [dx] };
  },
};

export interface LossResult {
  /** the mean cross-entropy over the batch */
  loss: number;
  /** ∂loss/∂scores, N×classes */
  gradient: Float;
  /** how many samples' largest score is their class (the first largest, as torch.argmax) */
  correct: number;
  /** each sample's predicted class */
  predictions: Int32Array;
}

/** Cross-entropy of N×classes scores against the classes `targets`, and its gradient. */
export function softmaxCrossEntropy(scores: Float, targets: ArrayLike<number>, batch: number, classes: number): LossResult {
  const gradient = like(scores, batch * classes);
  const predictions = new Int32Array(batch);
  let total = 0;
  let correct = 0;
  for (let n = 0; n < batch; n++) {
    const base = n * classes;
    let max = -Infinity;
    let best = 0;
    for (let c = 0; c < classes; c++) {
      const v = scores[base + c];
      // the first largest; a NaN counts as the largest, as in torch.argmax
      if (v > max || (Number.isNaN(v) && !Number.isNaN(max))) {
        max = v;
        best = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(scores[base + c] - max);
    const logSum = Math.log(sum) + max;
    const t = targets[n];
    total += logSum - scores[base + t];
    for (let c = 0; c < classes; c++) gradient[base + c] = (Math.exp(scores[base + c] - logSum) - (c === t ? 1 : 0)) / batch;
    predictions[n] = best;
    if (best === t) correct++;
  }
  return { loss: total / batch, gradient, correct, predictions };
}
