// slice: channels start ≤ c < end of the input (torch `x[:, start:end]`, ShuffleNet's
// channel split). In C×H×W order those channels are one contiguous run of planes, so
// the output is a copy of that run (a vector: of its elements).

import type { Floats } from "../api";
import { planesOf } from "../tensor";
import { like } from "./shared";
import type { Op } from "./types";

export function sliceChannels<T extends Floats>(input: T, plane: number, start: number, end: number): T {
  const out = like(input, (end - start) * plane);
  out.set(input.subarray(start * plane, end * plane));
  return out;
}

export const slice: Op<"slice"> = {
  kind: "slice",
  reference: {
    forward({ node, inputs: [x] }) {
      const p = planesOf(node.input!);
      return sliceChannels(x, p.height * p.width, node.attrs.start, node.attrs.end);
    },
    // the gradient goes back to the channels taken; the others get 0
    backward({ node, inputs: [x], outputGrad: dy, batch }) {
      const p = planesOf(node.input!);
      const plane = p.height * p.width;
      const { start, end } = node.attrs;
      const inSize = p.channels * plane;
      const outSize = (end - start) * plane;
      const dx = like(x, x.length);
      for (let b = 0; b < batch; b++) dx.set(dy.subarray(b * outSize, (b + 1) * outSize), b * inSize + start * plane);
      return { inputGrads: [dx], paramGrads: {} };
    },
  },
  fast: {
    compile(step, ctx) {
      const p = planesOf(step.head.input!);
      const plane = p.height * p.width;
      const from = 4 * plane * step.head.attrs.start;
      const bytes = 4 * plane * (step.head.attrs.end - step.head.attrs.start);
      return [
        "slice",
        {
          scratchBytes: 0,
          run({ inputs, output }) {
            new Uint8Array(ctx.heap.memory.buffer).copyWithin(output, inputs[0] + from, inputs[0] + from + bytes);
          },
        },
      ];
    },
  },
  onnx: {
    export(e) {
      const { start, end } = e.node.attrs;
      return e.emit("Slice", [e.inputs[0], e.g.ints(`${e.base}.starts`, [start]), e.g.ints(`${e.base}.ends`, [end]), e.g.ints(`${e.base}.axes`, [1])]);
    },
  },
};
