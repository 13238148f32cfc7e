// Training kernels of the element-wise activations: the forward of engine/kernels/
// activation.ts (in either precision) and each derivative as PyTorch's backward
// computes it, including at the kinks:
//   relu       0 where x ≤ 0 (threshold_backward on the output)
//   relu6      0 where x ≤ 0 or x ≥ 6 (hardtanh_backward)
//   leakyrelu  1 where x > 0, else a
//   elu        1 where x > 0, else a·eˣ
//   gelu       Φ(x) + x·φ(x) (exact form)
//   silu       σ(x)·(1 + x·(1 − σ(x)))
//   sigmoid    y·(1 − y);  tanh 1 − y²
//   hardswish  0 below −3, x/3 + 1/2 up to 3 (inclusive), 1 above
//   hardsigmoid 1/6 strictly between −3 and 3, else 0

import type { GraphNode } from "../../../analysis/types";
import { erf } from "../../kernels/erf";
import type { Float } from "../float";
import { like } from "../float";
import type { TrainKernel } from "../kernel";

type Derivative = (x: number, y: number, alpha: number) => number;

const derivatives: Record<string, Derivative> = {
  relu: (_x, y) => (y > 0 ? 1 : 0),
  relu6: (x) => (x > 0 && x < 6 ? 1 : 0),
  leakyrelu: (x, _y, a) => (x > 0 ? 1 : a),
  elu: (x, _y, a) => (x > 0 ? 1 : a * Math.exp(x)),
  gelu: (x) => 0.5 * (1 + erf(x * Math.SQRT1_2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI),
  silu: (x) => {
    const s = 1 / (1 + Math.exp(-x));
    return s * (1 + x * (1 - s));
  },
  sigmoid: (_x, y) => y * (1 - y),
  tanh: (_x, y) => 1 - y * y,
  hardswish: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
  hardsigmoid: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
};

export function hasDerivative(op: string): boolean {
  return op in derivatives;
}

/** y = f(x) for the kinds without a plain loop below: the op's own forward (engine/ops) */
export type ActivationForward = (node: GraphNode, x: Float) => Float;

/** the gradient of an activation from its input, its output, dL/dy and its parameter `a` (0 where it has none) */
export function activationGradient(node: GraphNode, x: Float, y: Float, dy: Float, a: number): Float {
  const dx = like(x, x.length);
  if (node.op === "relu") for (let i = 0; i < x.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
  else if (node.op === "sigmoid") for (let i = 0; i < x.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
  else {
    const d = derivatives[node.op];
    for (let i = 0; i < x.length; i++) dx[i] = dy[i] * d(x[i], y[i], a);
  }
  return dx;
}

/** the kinds' number f(x, a) and f′ read (engine/ops: Op.parameter; 0 where none) */
export type ActivationParameter = (node: GraphNode) => number;

export const activationKernel = (other: ActivationForward, parameterOf: ActivationParameter): TrainKernel => ({
  forward(node, [x]) {
    const out = like(x, x.length);
    // the common ones as plain loops (a call per value costs more than the value)
    if (node.op === "relu") for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? x[i] : x[i] === x[i] ? 0 : x[i];
    else if (node.op === "sigmoid") for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
    // the others element by element as the op computes them (any batch: one value at a time)
    else return { output: other(node, x) };
    return { output: out };
  },
  backward(node, dy, [x], f, _p, _ctx, need) {
    return { inputs: [need[0] ? activationGradient(node, x, f.output, dy, parameterOf(node)) : null] };
  },
});
