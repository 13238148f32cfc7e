// Seeded weights for a network, the same in Node and in a browser (engine/random.ts).
// Each op says which tensors its layer holds and how each starts (engine/ops, `params`):
//
//   weights: He (Kaiming) uniform, U(−√(6/fan_in), √(6/fan_in)), stream 4·id
//   biases:  PyTorch's default, U(−1/√fan_in, 1/√fan_in), stream 4·id + 1
//   bn:      γ = 1, β = 0, running mean 0, running variance 1 (a fresh PyTorch module in eval())
//
// fan_in as torch.nn.init computes it from the weight tensor: conv C/G·F_h·F_w,
// deconv K/G·F_h·F_w (ConvTranspose2d's weight is C×K/G×F_h×F_w), local C·F_h·F_w, fc n_in.
// Literal `weights`/`bias` written in the file replace the random ones; literal weights
// without a `bias` get a zero bias, so a hand-worked exercise stays exact.

import type { GraphNode } from "../analysis/types";
import type { LayerParams, NetworkWeights } from "./api";
import { fillUniform } from "./random";
import { opOf } from "./ops";
import type { ParamSpec } from "./ops/types";

/** a tensor's name and PyTorch shape */
export type TensorShape = Pick<ParamSpec, "name" | "dims">;

const none: ParamSpec[] = [];

/** The tensors a node holds, with PyTorch's layouts (engine/api.ts) and their initialisation. */
export function paramShapes(node: GraphNode): ParamSpec[] {
  if (node.op === "input" || !node.input) return none;
  return opOf(node).params?.(node) ?? none;
}

export function elements(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * Seeded random weights for every node that learns, literal values from the file first.
 * `allocate` lets an executor have a tensor written where it will keep it (the fast
 * executor's memory), so a large fc matrix never exists twice.
 */
export function initWeights(graph: GraphNode[], seed: number, allocate: (length: number) => Float32Array = (n) => new Float32Array(n)): NetworkWeights {
  const weights: NetworkWeights = new Map();
  for (const node of graph) {
    const specs = paramShapes(node);
    if (specs.length === 0) continue;
    const params: LayerParams = {};
    for (const spec of specs) {
      const out = allocate(elements(spec.dims));
      const init = spec.init;
      if (init.kind === "uniform") fillUniform(out, seed, init.stream, init.bound);
      else if (init.kind === "fill") out.fill(init.value);
      else out.set(init.values);
      params[spec.name] = out;
    }
    weights.set(node.id, params);
  }
  return weights;
}
