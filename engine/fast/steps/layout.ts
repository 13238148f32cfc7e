// Steps that move numbers without arithmetic: concat (each input's C×H×W block copied
// after the previous one: stacking in depth is contiguous in this layout), zero padding,
// nearest-neighbour upsampling.

import { planesOf } from "../../tensor";
import type { Step } from "../plan";
import type { BuildContext, CompiledStep } from "./context";

export function compileConcat(ctx: BuildContext, sizes: number[]): CompiledStep {
  return {
    scratchBytes: 0,
    run({ inputs, output }) {
      const bytes = new Uint8Array(ctx.heap.memory.buffer);
      let at = output;
      inputs.forEach((input, i) => {
        bytes.copyWithin(at, input, input + 4 * sizes[i]);
        at += 4 * sizes[i];
      });
    },
  };
}

export function compilePad(step: Step, ctx: BuildContext): CompiledStep {
  const i = planesOf(step.head.input!);
  const o = planesOf(step.head.output);
  const p = step.head.attrs.padding!;
  return { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.pad(output, inputs[0], i.channels, i.height, i.width, p.top, p.left, o.height, o.width, 0) };
}

export function compileUpsample(step: Step, ctx: BuildContext): CompiledStep {
  const i = planesOf(step.head.input!);
  const factor = step.head.attrs.units ?? 1;
  return { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.upsample(output, inputs[0], i.channels, i.height, i.width, factor) };
}
