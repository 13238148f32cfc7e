// add and concat: joining parallel paths. add sums element-wise (residual, add); concat
// stacks along the depth, which in C×H×W order is plain concatenation (vectors are
// joined the same way).

import type { Floats } from "../api";
import { sizeOf } from "../tensor";
import { like } from "./shared";
import type { Op } from "./types";
import { byRanges } from "../fast/threads/split";
import { trainSlots } from "../train/slots";
import { addKernel, concatKernel } from "../train/kernels/layout";

export function addAll<T extends Floats>(inputs: T[]): T {
  const out = like(inputs[0], inputs[0].length);
  out.set(inputs[0]);
  for (let k = 1; k < inputs.length; k++) {
    const x = inputs[k];
    for (let i = 0; i < out.length; i++) out[i] += x[i];
  }
  return out;
}

export function concatAll<T extends Floats>(inputs: T[]): T {
  const out = like(inputs[0], inputs.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of inputs) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

export const add: Op<"add"> = {
  kind: "add",
  reference: { forward: ({ inputs }) => addAll(inputs), ...trainSlots(addKernel) },
  fast: {
    compile(step, ctx) {
      const n = sizeOf(step.head.output);
      const count = step.head.inputs.length;
      // a + b (+ c …): the activation only with the last operand; threads: ranges of 16 floats
      const floats = ({ inputs, output }: { inputs: number[]; output: number }, s: number, e: number) => {
        const o = 4 * s;
        ctx.lib.k.add({ dst: output + o, a: inputs[0] + o, b: inputs[1] + o, count: e - s, act: count === 2 ? step.act : 0 });
        for (let i = 2; i < count; i++) ctx.lib.k.add({ dst: output + o, a: output + o, b: inputs[i] + o, count: e - s, act: i === count - 1 ? step.act : 0 });
      };
      return ["add", byRanges({ scratchBytes: 0, run: (at) => floats(at, 0, n) }, ctx, n, n * count, floats, 16)];
    },
    absorbs: { activation: true },
  },
  onnx: { export: (e) => e.emit(e.inputs.length === 2 ? "Add" : "Sum", e.inputs) },
};

export const concat: Op<"concat"> = {
  kind: "concat",
  reference: { forward: ({ inputs }) => concatAll(inputs), ...trainSlots(concatKernel) },
  fast: {
    compile(step, ctx) {
      const sizes = step.head.inputs.map((i) => sizeOf(ctx.shapeOf(i)));
      return [
        "concat",
        {
          scratchBytes: 0,
          run({ inputs, output }) {
            const bytes = new Uint8Array(ctx.heap.memory.buffer);
            let at = output;
            inputs.forEach((input, i) => {
              bytes.copyWithin(at, input, input + 4 * sizes[i]);
              at += 4 * sizes[i];
            });
          },
        },
      ];
    },
  },
  onnx: { export: (e) => e.emit("Concat", e.inputs, { axis: 1 }) },
};
