// Pooling: max and average windows (kernels/window.ts) over a padded copy — −∞ around a
// max pool, zeros around an average (which divides by the window clipped to the padding,
// as PyTorch counts it); global and adaptive pools (kernels/reduce.ts).

import { windowGeometry } from "../../geometry";
import { planesOf } from "../../tensor";
import type { Step } from "../plan";
import type { BuildContext, CompiledStep } from "./context";

export function compileWindowPool(step: Step, ctx: BuildContext): CompiledStep {
  const g = windowGeometry(step.head);
  const { lib } = ctx;
  const avg = step.head.op === "avgpool";
  const Hp = Math.max(g.inHeight + g.padTop + g.padBottom, (g.outHeight - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight + 1);
  const Wp = Math.max(g.inWidth + g.padLeft + g.padRight, (g.outWidth - 1) * g.strideWidth + (g.kernelWidth - 1) * g.dilationWidth + 1);
  return {
    scratchBytes: 4 * g.inChannels * Hp * Wp + 256,
    run({ inputs, output, scratch }) {
      lib.k.pad(scratch, inputs[0], g.inChannels, g.inHeight, g.inWidth, g.padTop, g.padLeft, Hp, Wp, avg ? 0 : -Infinity);
      lib.k.pool(output, scratch, g.inChannels, g.outHeight, g.outWidth, Hp, Wp, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth,
        g.dilationHeight, g.dilationWidth, avg ? 1 : 0, g.inHeight + g.padBottom, g.inWidth + g.padRight, g.padTop, g.padLeft);
    },
  };
}

export function compileGlobalPool(step: Step, ctx: BuildContext): CompiledStep {
  const p = planesOf(step.head.input!);
  const max = step.head.op === "gmp" ? 1 : 0;
  return { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.global_pool(output, inputs[0], p.channels, p.height * p.width, max) };
}

export function compileAdaptivePool(step: Step, ctx: BuildContext): CompiledStep {
  const p = planesOf(step.head.input!);
  const o = planesOf(step.head.output);
  return { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.adaptive_avg_pool(output, inputs[0], p.channels, p.height, p.width, o.height, o.width) };
}
