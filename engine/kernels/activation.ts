// Element-wise activations, each as PyTorch defines it (torch.nn.functional).

import { erf } from "./erf";

export type Activation = (x: number, alpha: number) => number;

export const activations: Record<string, { fn: Activation; alpha?: number }> = {
  relu: { fn: (x) => (x > 0 ? x : x === x ? 0 : x) },
  relu6: { fn: (x) => (x !== x ? x : x < 0 ? 0 : x > 6 ? 6 : x) },
  leakyrelu: { fn: (x, a) => (x >= 0 ? x : a * x), alpha: 0.01 },
  elu: { fn: (x, a) => (x > 0 ? x : a * Math.expm1(x)), alpha: 1 },
  // the exact form (approximate='none'): x·Φ(x)
  gelu: { fn: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)) },
  silu: { fn: (x) => x / (1 + Math.exp(-x)) },
  sigmoid: { fn: (x) => 1 / (1 + Math.exp(-x)) },
  tanh: { fn: (x) => Math.tanh(x) },
  hardswish: { fn: (x) => (x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6) },
  hardsigmoid: { fn: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5) },
};

export function isActivation(op: string): boolean {
  return op in activations;
}

export function activate(op: string, input: Float32Array, alpha: number | undefined): Float32Array {
  const { fn, alpha: standard } = activations[op];
  const a = alpha ?? standard ?? 0;
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = fn(input[i], a);
  return out;
}
