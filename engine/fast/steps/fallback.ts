// Layers without a WebAssembly kernel (local, deconv, lrn): the reference kernel runs on
// copies of the inputs, and its output is written back into the arena. None of the
// benchmarked networks needs one.

import { runNode } from "../../reference";
import { sizeOf } from "../../tensor";
import type { BuildContext, CompiledStep, Step } from "./context";

export function compileFallback(step: Step, ctx: BuildContext): CompiledStep {
  const params = ctx.weights(step.head);
  const n = sizeOf(step.head.output);
  const inputSizes = step.head.inputs.map((i) => sizeOf(ctx.shapeOf(i)));
  return {
    scratchBytes: 0,
    run({ inputs, output }) {
      const values = inputs.map((at, i) => ctx.heap.read(at, inputSizes[i]));
      const result = runNode(step.head, values, params);
      ctx.heap.f32(output, n).set(result);
    },
  };
}
