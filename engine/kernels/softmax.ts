// Softmax: over the channels at each position of a volume (PyTorch Softmax(dim=1) on
// N×C×H×W), over all N numbers of a vector. The largest value is subtracted first so
// exp never overflows.

import type { Planes } from "../tensor";

export function softmax(input: Float32Array, p: Planes): Float32Array {
  const plane = p.height * p.width;
  const out = new Float32Array(input.length);
  for (let i = 0; i < plane; i++) {
    let max = -Infinity;
    for (let c = 0; c < p.channels; c++) max = Math.max(max, input[c * plane + i]);
    let sum = 0;
    for (let c = 0; c < p.channels; c++) sum += Math.exp(input[c * plane + i] - max);
    for (let c = 0; c < p.channels; c++) out[c * plane + i] = Math.exp(input[c * plane + i] - max) / sum;
  }
  return out;
}
