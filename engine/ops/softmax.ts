// softmax: over the channels at each position of a volume (PyTorch Softmax(dim=1) on
// N×C×H×W), over all N numbers of a vector. The largest value is subtracted first so
// exp never overflows.

import type { Floats } from "../api";
import { planesOf } from "../tensor";
import { like } from "./shared";
import type { Op } from "./types";
import { trainSlots } from "../train/slots";
import { softmaxKernel } from "../train/kernels/softmax";

export function softmax<T extends Floats>(input: T, channels: number, plane: number): T {
  const out = like(input, input.length);
  for (let i = 0; i < plane; i++) {
    let max = -Infinity;
    for (let c = 0; c < channels; c++) max = Math.max(max, input[c * plane + i]);
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += Math.exp(input[c * plane + i] - max);
    for (let c = 0; c < channels; c++) out[c * plane + i] = Math.exp(input[c * plane + i] - max) / sum;
  }
  return out;
}

export const softmaxOp: Op<"softmax"> = {
  kind: "softmax",
  probabilities: true,
  reference: {
    ...trainSlots(softmaxKernel),
    forward({ node, inputs: [x] }) {
      const p = planesOf(node.input!);
      return softmax(x, p.channels, p.height * p.width);
    },
  },
  fast: {
    compile(step, ctx) {
      const p = planesOf(step.head.input!);
      return ["softmax", { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.softmax({ dst: output, src: inputs[0], channels: p.channels, plane: p.height * p.width }) }];
    },
  },
  onnx: { export: (e) => e.emit("Softmax", [e.inputs[0]], { axis: 1 }) },
};
