// Local response normalization as PyTorch's LocalResponseNorm(size, alpha=1e-4,
// beta=0.75, k=1): b_c = a_c / (k + α/n · Σ a_j²)^β, the sum over channels
// j ∈ [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋] (zeros past the ends; the divisor stays n).

import type { Planes } from "../tensor";

export const LRN_ALPHA = 1e-4;
export const LRN_BETA = 0.75;
export const LRN_K = 1;

export function lrn(input: Float32Array, p: Planes, size: number): Float32Array {
  const plane = p.height * p.width;
  const out = new Float32Array(input.length);
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  for (let c = 0; c < p.channels; c++) {
    const lo = Math.max(0, c - before);
    const hi = Math.min(p.channels - 1, c + after);
    for (let i = 0; i < plane; i++) {
      let squares = 0;
      for (let j = lo; j <= hi; j++) {
        const v = input[j * plane + i];
        squares += v * v;
      }
      out[c * plane + i] = input[c * plane + i] / Math.pow(LRN_K + (LRN_ALPHA / size) * squares, LRN_BETA);
    }
  }
  return out;
}
