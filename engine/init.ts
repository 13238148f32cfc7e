// Seeded weights for a network, the same in Node and in a browser (engine/random.ts).
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
import { planesOf, sizeOf } from "./tensor";

export interface TensorShape {
  /** the name's suffix, as in a PyTorch state_dict: weight, bias, running_mean, running_var */
  name: keyof LayerParams;
  dims: number[];
}

/** The tensors a node learns, with PyTorch's layouts (engine/api.ts). */
export function paramShapes(node: GraphNode): TensorShape[] {
  const a = node.attrs;
  const bias = a.bias !== false;
  if (!node.input) return [];
  const input = planesOf(node.input);
  const output = planesOf(node.output);
  const [kw, kh] = a.kernel ?? [1, 1];
  switch (node.op) {
    case "conv":
    case "dwconv": {
      const groups = a.groups ?? 1;
      return withBias([{ name: "weight", dims: [output.channels, input.channels / groups, kh, kw] }], bias, output.channels);
    }
    case "deconv": {
      const groups = a.groups ?? 1;
      return withBias([{ name: "weight", dims: [input.channels, output.channels / groups, kh, kw] }], bias, output.channels);
    }
    case "local": {
      const positions = output.height * output.width;
      const shapes: TensorShape[] = [{ name: "weight", dims: [positions, output.channels, input.channels * kh * kw] }];
      if (bias) shapes.push({ name: "bias", dims: [positions, output.channels] });
      return shapes;
    }
    case "fc":
      return withBias([{ name: "weight", dims: [sizeOf(node.output), sizeOf(node.input)] }], bias, sizeOf(node.output));
    case "bn": {
      const c = input.channels;
      return [
        { name: "weight", dims: [c] },
        { name: "bias", dims: [c] },
        { name: "runningMean", dims: [c] },
        { name: "runningVar", dims: [c] },
      ];
    }
    default:
      return [];
  }
}

function withBias(shapes: TensorShape[], bias: boolean, units: number): TensorShape[] {
  return bias ? [...shapes, { name: "bias", dims: [units] }] : shapes;
}

export function elements(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function fanIn(node: GraphNode, weightDims: number[]): number {
  if (node.op === "local") return weightDims[2];
  return elements(weightDims.slice(1));
}

/**
 * Seeded random weights for every node that learns, literal values from the file first.
 * `allocate` lets an executor have a tensor written where it will keep it (the fast
 * executor's memory), so a large fc matrix never exists twice.
 */
export function initWeights(graph: GraphNode[], seed: number, allocate: (length: number) => Float32Array = (n) => new Float32Array(n)): NetworkWeights {
  const weights: NetworkWeights = new Map();
  for (const node of graph) {
    const shapes = paramShapes(node);
    if (shapes.length === 0) continue;
    const params: LayerParams = {};
    const weightShape = shapes.find((s) => s.name === "weight")!;
    const fan = Math.max(1, fanIn(node, weightShape.dims));
    for (const shape of shapes) {
      const out = allocate(elements(shape.dims));
      if (node.op === "bn") {
        if (shape.name === "weight" || shape.name === "runningVar") out.fill(1);
      } else if (shape.name === "weight") {
        if (node.attrs.weights) out.set(node.attrs.weights);
        else fillUniform(out, seed, 4 * node.id, Math.sqrt(6 / fan));
      } else if (shape.name === "bias") {
        if (node.attrs.biasValues) out.set(node.attrs.biasValues);
        else if (!node.attrs.weights) fillUniform(out, seed, 4 * node.id + 1, 1 / Math.sqrt(fan));
      }
      params[shape.name] = out;
    }
    weights.set(node.id, params);
  }
  return weights;
}
