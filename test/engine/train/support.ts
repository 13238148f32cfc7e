// Helpers for the training tests: seeded float64 tensors.

import { streamKey, uniform } from "../../../engine/random";

/** seeded values uniform in [lo, hi) */
export function seeded(length: number, seed: number, lo = -1, hi = 1): Float64Array {
  const key = streamKey(seed, 77);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * uniform(key, i);
  return out;
}
