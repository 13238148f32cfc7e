// fc: fully connected (PyTorch Linear): out[n] = bias[n] + Σ_i w[n][i] · in[i], w being
// N×n_in. A volume arrives already flat in C×H×W order, as torch.flatten leaves it.

import type { Floats } from "../api";
import { compileFc } from "../fast/steps/fc";
import { sizeOf } from "../tensor";
import { like, need, weightAndBias } from "./shared";
import type { Op } from "./types";
import { trainSlots } from "../train/slots";
import { fcKernel } from "../train/kernels/window";
import { fastFc } from "../train/fast/layers";

export function fullyConnected<T extends Floats>(input: T, weight: Floats, bias: Floats | null, features: number): T {
  const size = input.length;
  const out = like(input, features);
  for (let n = 0; n < features; n++) {
    const row = n * size;
    let sum = 0;
    for (let i = 0; i < size; i++) sum += weight[row + i] * input[i];
    out[n] = sum + (bias ? bias[n] : 0);
  }
  return out;
}

export const fc: Op<"fc"> = {
  kind: "fc",
  // [N][n_in]; fan_in n_in
  params(node) {
    const n = node.attrs.features;
    const nIn = sizeOf(node.input!);
    return weightAndBias(node, [n, nIn], nIn, node.attrs.bias ? { dims: [n] } : null);
  },
  // N rows, each shaped as the picture it reads (an fc after a pool or a conv: none)
  filters(_node, weightLength, picture) {
    if (!picture) return null;
    return { count: weightLength / (picture.w * picture.h * picture.d), channels: picture.d, height: picture.h, width: picture.w };
  },
  reference: {
    ...trainSlots(fcKernel),
    forward: ({ node, inputs: [x], params }) =>
      fullyConnected(x, need(node, params, "weight"), node.attrs.bias ? need(node, params, "bias") : null, node.attrs.features),
  },
  fast: { compile: (step, ctx) => ["fc", compileFc(step, ctx)], absorbs: { norm: true, activation: true }, backward: fastFc },
  onnx: {
    export(e) {
      const flat = e.node.input!.kind === "volume" ? e.step("Flatten", [e.inputs[0]], "flatten", { axis: 1 }) : e.inputs[0];
      return e.emit("Gemm", [flat, ...e.weights()], { transB: 1 });
    },
  },
};
