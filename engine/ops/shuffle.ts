// shuffle: channel shuffle as torchvision's `channel_shuffle` — the C channels viewed
// as G groups of C/G, the two axes transposed, viewed flat again: output channel
// k·G + j is input channel j·(C/G) + k. A vector's N elements are shuffled the same way.

import type { Floats } from "../api";
import { planesOf } from "../tensor";
import { like } from "./shared";
import type { Op } from "./types";

/** for each output channel, the input channel it takes */
export function shuffleOrder(channels: number, groups: number): Int32Array {
  const per = channels / groups;
  const from = new Int32Array(channels);
  for (let j = 0; j < groups; j++) for (let k = 0; k < per; k++) from[k * groups + j] = j * per + k;
  return from;
}

export function shuffleChannels<T extends Floats>(input: T, channels: number, plane: number, groups: number): T {
  const out = like(input, input.length);
  const from = shuffleOrder(channels, groups);
  for (let c = 0; c < channels; c++) out.set(input.subarray(from[c] * plane, (from[c] + 1) * plane), c * plane);
  return out;
}

export const shuffle: Op<"shuffle"> = {
  kind: "shuffle",
  reference: {
    forward({ node, inputs: [x] }) {
      const p = planesOf(node.input!);
      return shuffleChannels(x, p.channels, p.height * p.width, node.attrs.groups);
    },
    // the inverse permutation: output channel c's gradient goes back to input channel from[c]
    backward({ node, inputs: [x], outputGrad: dy, batch }) {
      const p = planesOf(node.input!);
      const plane = p.height * p.width;
      const from = shuffleOrder(p.channels, node.attrs.groups);
      const size = p.channels * plane;
      const dx = like(x, x.length);
      for (let b = 0; b < batch; b++)
        for (let c = 0; c < p.channels; c++) dx.set(dy.subarray(b * size + c * plane, b * size + (c + 1) * plane), b * size + from[c] * plane);
      return { inputGrads: [dx], paramGrads: {} };
    },
  },
  fast: {
    compile(step, ctx) {
      const p = planesOf(step.head.input!);
      const bytes = 4 * p.height * p.width;
      const from = shuffleOrder(p.channels, step.head.attrs.groups);
      return [
        "shuffle",
        {
          scratchBytes: 0,
          run({ inputs, output }) {
            const memory = new Uint8Array(ctx.heap.memory.buffer);
            for (let c = 0; c < from.length; c++) memory.copyWithin(output + c * bytes, inputs[0] + from[c] * bytes, inputs[0] + (from[c] + 1) * bytes);
          },
        },
      ];
    },
  },
  onnx: {
    // Reshape to [1, G, C/G, …], swap the two, Reshape back (as torch exports channel_shuffle)
    export(e) {
      const input = e.node.input!;
      const p = planesOf(input);
      const g = e.node.attrs.groups;
      const spatial = input.kind === "volume" ? [p.height, p.width] : [];
      const grouped = e.step("Reshape", [e.inputs[0], e.g.ints(`${e.base}.grouped`, [1, g, p.channels / g, ...spatial])], "grouped");
      const swapped = e.step("Transpose", [grouped], "transposed", { perm: [0, 2, 1, ...spatial.map((_, i) => 3 + i)] });
      return e.emit("Reshape", [swapped, e.g.ints(`${e.base}.shape`, [1, p.channels, ...spatial])]);
    },
  },
};
