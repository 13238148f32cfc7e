// Batch normalization in inference mode (PyTorch BatchNorm1d/2d in eval()): per channel,
// y = (x − running_mean) / √(running_var + eps) · γ + β.

import type { Planes } from "../tensor";

export interface NormStatistics {
  scale: Float32Array;
  shift: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  eps: number;
}

export function batchnorm(input: Float32Array, p: Planes, s: NormStatistics): Float32Array {
  const plane = p.height * p.width;
  const out = new Float32Array(input.length);
  for (let c = 0; c < p.channels; c++) {
    const inv = 1 / Math.sqrt(s.variance[c] + s.eps);
    const gain = s.scale[c] * inv;
    const mean = s.mean[c];
    const shift = s.shift[c];
    for (let i = c * plane, end = i + plane; i < end; i++) out[i] = (input[i] - mean) * gain + shift;
  }
  return out;
}
