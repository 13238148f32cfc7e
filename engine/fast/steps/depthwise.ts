// Depthwise convolution (groups = D₁, multiplier M): filters copied once with the batch
// norm folded in, then kernels/window.ts over a padded copy of the input.

import { convolution, type BuildContext, type CompiledStep, type StepOf } from "./context";

export function compileDepthwise(step: StepOf<"conv" | "dwconv">, ctx: BuildContext): CompiledStep {
  const { lib, heap } = ctx;
  const { g, w, b, gain, offset } = convolution(step, ctx);
  const K = g.outChannels;
  const taps = g.kernelHeight * g.kernelWidth;
  const filters = new Float32Array(K * taps);
  const biases = new Float32Array(K);
  for (let k = 0; k < K; k++) {
    for (let t = 0; t < taps; t++) filters[k * taps + t] = w[k * taps + t] * gain[k];
    biases[k] = (b ? b[k] : 0) * gain[k] + offset[k];
  }
  const W = heap.store(filters);
  const bias = heap.store(biases);
  // rows and columns the windows reach, at least the padded input
  const Hp = Math.max(g.inHeight + g.padTop + g.padBottom, (g.outHeight - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight + 1);
  const Wp = Math.max(g.inWidth + g.padLeft + g.padRight, (g.outWidth - 1) * g.strideWidth + (g.kernelWidth - 1) * g.dilationWidth + 1);
  return {
    scratchBytes: 4 * g.inChannels * Hp * Wp + 256,
    run({ inputs, output, scratch }) {
      lib.k.pad({ dst: scratch, src: inputs[0], channels: g.inChannels, height: g.inHeight, width: g.inWidth, top: g.padTop, left: g.padLeft, paddedHeight: Hp, paddedWidth: Wp, value: 0 });
      lib.k.depthwise({
        dst: output, src: scratch, filters: W, bias, channels: g.inChannels, multiplier: K / g.inChannels, outHeight: g.outHeight, outWidth: g.outWidth,
        paddedHeight: Hp, paddedWidth: Wp, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, strideHeight: g.strideHeight, strideWidth: g.strideWidth,
        dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth, act: step.act,
      });
    },
  };
}
