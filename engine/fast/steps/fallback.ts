// Layers without a WebAssembly kernel (local, deconv, lrn): the reference kernel runs on
// copies of the inputs, and its output is written back into the arena. None of the
// benchmarked networks needs one.

import { runNode } from "../../reference";
import { sizeOf } from "../../tensor";
import type { Step } from "../plan";
import type { BuildContext, CompiledStep } from "./context";

export function compileFallback(step: Step, ctx: BuildContext, inputSizes: number[]): CompiledStep {
  const params = ctx.weights(step.head);
  const n = sizeOf(step.head.output);
  return {
    scratchBytes: 0,
    run({ inputs, output }) {
      const values = inputs.map((at, i) => ctx.heap.read(at, inputSizes[i]));
      const result = runNode(step.head, values, params);
      ctx.heap.f32(output, n).set(result);
    },
  };
}
