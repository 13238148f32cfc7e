// A counter-based generator, so a seed gives the same numbers in Node and in a browser
// and any value can be computed without the ones before it:
//
//   key(seed, stream) = mix(mix(seed + φ) ⊕ (stream + c))
//   u(key, i)         = (mix(key + (i + 1)·φ) >>> 8) / 2²⁴   ∈ [0, 1)
//
// with φ = 0x9e3779b9 (the golden-ratio Weyl step), c = 0x85ebca6b, + and · mod 2³².
// mix is the 32-bit "lowbias32" integer hash (x ⊕= x≫16; x ·= 0x7feb352d; x ⊕= x≫15;
// x ·= 0x846ca68b; x ⊕= x≫16, all mod 2³²). Only integer arithmetic (Math.imul, shifts)
// is used, so every platform computes the same bits. 24 bits fill a float32 mantissa.

export function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** the key of one stream of numbers (one tensor) under a seed */
const PHI = 0x9e3779b9;

export function streamKey(seed: number, stream: number): number {
  return mix((mix((seed + PHI) >>> 0) ^ ((stream + 0x85ebca6b) >>> 0)) >>> 0);
}

/** the i-th number of a stream, uniform in [0, 1) */
export function uniform(key: number, index: number): number {
  return (mix((key + Math.imul(index + 1, PHI)) >>> 0) >>> 8) / 16777216;
}

/** fills `out` with uniform numbers in [−bound, bound) */
export function fillUniform(out: Float32Array, seed: number, stream: number, bound: number): Float32Array {
  const key = streamKey(seed, stream);
  for (let i = 0; i < out.length; i++) out[i] = (2 * uniform(key, i) - 1) * bound;
  return out;
}
