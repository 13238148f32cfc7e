// Global pooling: one number per channel, the mean (gap) or the largest value (gmp).

import type { Planes } from "../tensor";

export function globalAverage(input: Float32Array, p: Planes): Float32Array {
  const plane = p.height * p.width;
  const out = new Float32Array(p.channels);
  for (let c = 0; c < p.channels; c++) {
    let sum = 0;
    for (let i = c * plane, end = i + plane; i < end; i++) sum += input[i];
    out[c] = sum / plane;
  }
  return out;
}

export function globalMax(input: Float32Array, p: Planes): Float32Array {
  const plane = p.height * p.width;
  const out = new Float32Array(p.channels);
  for (let c = 0; c < p.channels; c++) {
    let best = -Infinity;
    for (let i = c * plane, end = i + plane; i < end; i++) if (input[i] > best || Number.isNaN(input[i])) best = input[i];
    out[c] = best;
  }
  return out;
}
