// Depthwise convolution (groups = D₁, multiplier M): filters copied once with the batch
// norm folded in, then kernels/window.ts over a padded copy of the input. With threads:
// both by ranges of input channels, each range padded and filtered by one thread.

import { partCount, partRange } from "../threads/split";
import { convolution, paddedWindow, type Addresses, type BuildContext, type CompiledStep, type StepOf } from "./context";

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
  const { Hp, Wp, bytes } = paddedWindow(g);
  const M = K / g.inChannels;
  const plane = Hp * Wp;
  const outPlane = g.outHeight * g.outWidth;
  /** input channels [c0, c1): padded, then filtered */
  const channels = ({ inputs, output, scratch }: Addresses, c0: number, c1: number) => {
    lib.k.pad({
      dst: scratch + 4 * c0 * plane, src: inputs[0] + 4 * c0 * g.inHeight * g.inWidth, channels: c1 - c0, height: g.inHeight, width: g.inWidth,
      top: g.padTop, left: g.padLeft, paddedHeight: Hp, paddedWidth: Wp, value: 0,
    });
    lib.k.depthwise({
      dst: output + 4 * c0 * M * outPlane, src: scratch + 4 * c0 * plane, filters: W + 4 * c0 * M * taps, bias: bias + 4 * c0 * M, channels: c1 - c0, multiplier: M,
      outHeight: g.outHeight, outWidth: g.outWidth, paddedHeight: Hp, paddedWidth: Wp, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
      strideHeight: g.strideHeight, strideWidth: g.strideWidth, dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth, act: step.act,
    });
  };
  const compiled: CompiledStep = {
    scratchBytes: bytes,
    run: (at) => channels(at, 0, g.inChannels),
  };
  if (ctx.threads <= 1) return compiled;
  const count = partCount(K * outPlane * taps + g.inChannels * plane, ctx, g.inChannels);
  if (count === 1) return compiled;
  return { ...compiled, phases: [{ count, run: (at, part) => channels(at, ...partRange(g.inChannels, count, part)) }] };
}
