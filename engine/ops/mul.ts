// mul: the element-wise product of parallel paths (`mul { branch … }`: squeeze-and-
// excitation, gating). An input of 1×1×D multiplies every position of channel d by its
// d-th value (broadcast over W×H); the others have the output's shape. In C×H×W order
// an input is broadcast exactly when it holds one number per channel and the output more.

import type { Floats } from "../api";
import { planesOf, sizeOf } from "../tensor";
import { like } from "./shared";
import type { Op } from "./types";

export function multiplyAll<T extends Floats>(inputs: T[], channels: number, plane: number): T {
  const n = channels * plane;
  // by position: two empty branches hand on the same array, and each is a factor
  const first = Math.max(0, inputs.findIndex((x) => x.length === n));
  const out = like(inputs[first], n);
  out.set(inputs[first]);
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    if (k === first) continue;
    if (x.length === n) for (let i = 0; i < n; i++) out[i] *= x[i];
    else for (let c = 0; c < channels; c++) for (let i = c * plane, end = i + plane; i < end; i++) out[i] *= x[c];
  }
  return out;
}

export const mul: Op<"mul"> = {
  kind: "mul",
  reference: {
    forward({ node, inputs }) {
      const p = planesOf(node.output);
      return multiplyAll(inputs, p.channels, p.height * p.width);
    },
    // d/dx_k = dy · Π_{j≠k} x_j; a broadcast input sums its gradient over the positions
    backward({ node, inputs, outputGrad: dy, batch }) {
      const p = planesOf(node.output);
      const plane = p.height * p.width;
      const n = p.channels * plane;
      const full = inputs.map((x) => x.length === batch * n);
      const at = (k: number, b: number, c: number, i: number) => (full[k] ? inputs[k][b * n + c * plane + i] : inputs[k][b * p.channels + c]);
      const inputGrads = inputs.map((x, k) => {
        const g = like(x, x.length);
        for (let b = 0; b < batch; b++)
          for (let c = 0; c < p.channels; c++)
            for (let i = 0; i < plane; i++) {
              let v = dy[b * n + c * plane + i];
              for (let j = 0; j < inputs.length; j++) if (j !== k) v *= at(j, b, c, i);
              if (full[k]) g[b * n + c * plane + i] = v;
              else g[b * p.channels + c] += v;
            }
        return g;
      });
      return { inputGrads, paramGrads: {} };
    },
  },
  fast: {
    compile(step, ctx) {
      const node = step.head;
      const p = planesOf(node.output);
      const n = sizeOf(node.output);
      const plane = p.height * p.width;
      const sizes = node.inputs.map((id) => sizeOf(ctx.shapeOf(id)));
      const first = Math.max(0, sizes.indexOf(n));
      const rest = sizes.map((size, i) => ({ i, broadcast: size !== n })).filter((x) => x.i !== first);
      return [
        "mul",
        {
          scratchBytes: 0,
          run({ inputs, output }) {
            // the first full-size input times each other one, in place in the output after the first
            let acc = inputs[first];
            if (rest.length === 0) new Uint8Array(ctx.heap.memory.buffer).copyWithin(output, acc, acc + 4 * n);
            for (const { i, broadcast } of rest) {
              if (broadcast) ctx.lib.k.scale_channels({ dst: output, src: acc, scale: inputs[i], channels: p.channels, plane });
              else ctx.lib.k.mul({ dst: output, a: acc, b: inputs[i], count: n, act: 0 });
              acc = output;
            }
          },
        },
      ];
    },
  },
  onnx: {
    // ONNX's Mul broadcasts [1, C, 1, 1] over [1, C, H, W] as torch does
    export(e) {
      let acc = e.inputs[0];
      for (let i = 1; i < e.inputs.length - 1; i++) acc = e.step("Mul", [acc, e.inputs[i]], `product${i}`);
      return e.inputs.length === 1 ? e.emit("Identity", [acc]) : e.emit("Mul", [acc, e.inputs[e.inputs.length - 1]]);
    },
  },
};
