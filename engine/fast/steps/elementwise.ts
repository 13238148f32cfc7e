// Steps that touch each number on its own: batch norm that follows no convolution (a
// per-channel affine map), activations, the sum of volumes, softmax over the depth.

import { activations } from "../../kernels/activation";
import { planesOf, sizeOf } from "../../tensor";
import { ActivationCode } from "../../wasm/kernels/elementwise";
import type { Step } from "../plan";
import { foldedNorm, type BuildContext, type CompiledStep } from "./context";

export function compileNorm(step: Step, ctx: BuildContext): CompiledStep {
  const p = planesOf(step.head.input!);
  const { gain, offset } = foldedNorm(step.head, p.channels, ctx);
  const scale = ctx.heap.store(Float32Array.from(gain));
  const shift = ctx.heap.store(Float32Array.from(offset));
  return {
    scratchBytes: 0,
    run: ({ inputs, output }) => ctx.lib.k.affine(output, inputs[0], scale, shift, p.channels, p.height * p.width, step.act),
  };
}

export function compileActivation(step: Step, ctx: BuildContext): CompiledStep {
  const op = step.head.op;
  const code = ActivationCode[op];
  const alpha = step.head.attrs.alpha ?? activations[op]?.alpha ?? 0;
  const n = sizeOf(step.head.output);
  return { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.activate(output, inputs[0], n, code, alpha) };
}

export function compileAdd(step: Step, ctx: BuildContext): CompiledStep {
  const n = sizeOf(step.head.output);
  const count = step.head.inputs.length;
  return {
    scratchBytes: 0,
    run({ inputs, output }) {
      // a + b (+ c …): the activation only with the last operand
      ctx.lib.k.add(output, inputs[0], inputs[1], n, count === 2 ? step.act : 0);
      for (let i = 2; i < count; i++) ctx.lib.k.add(output, output, inputs[i], n, i === count - 1 ? step.act : 0);
    },
  };
}

export function compileSoftmax(step: Step, ctx: BuildContext): CompiledStep {
  const p = planesOf(step.head.input!);
  return { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.softmax(output, inputs[0], p.channels, p.height * p.width) };
}
