// Depthwise convolution (groups = D₁, multiplier M): filters copied once with the batch
// norm folded in, then kernels/window.ts. MobileNet's 3×3 (multiplier 1, stride 1 or 2)
// reads its input as it is (depthwise3: the taps past the borders read zeros); any other
// goes over a padded copy of the input. With threads: by ranges of input channels, each
// range (padded and) filtered by one thread.

import type { WindowGeometry } from "../../geometry";
import { COST, partCount, partRange } from "../threads/split";
import { convolution, paddedWindow, type Addresses, type Bands, type BuildContext, type ByChannels, type CompiledStep, type StepOf } from "./context";

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
  const outPlane = g.outHeight * g.outWidth;
  if (flat3x3(g)) {
    // per vector of four outputs and tap: which lanes read inside the plane (−1) or a zero (0)
    const H = g.inHeight;
    const Wd = g.inWidth;
    const plane = H * Wd;
    const vectors = Math.ceil(plane / 4);
    const table = new Int32Array(vectors * 9 * 4);
    for (let j = 0; j < vectors; j++)
      for (let t = 0; t < 9; t++)
        for (let l = 0; l < 4; l++) {
          const o = 4 * j + l;
          const y = Math.floor(o / Wd) + Math.floor(t / 3) - 1;
          const x = (o % Wd) + (t % 3) - 1;
          table[(j * 9 + t) * 4 + l] = o < plane && y >= 0 && y < H && x >= 0 && x < Wd ? -1 : 0;
        }
    const masks = heap.reserve(4 * table.length);
    heap.i32(masks, table.length).set(table);
    const channels = ({ inputs, output }: Addresses, c0: number, c1: number) => {
      lib.k.depthwise3_flat({ dst: output + 4 * c0 * plane, src: inputs[0] + 4 * c0 * plane, filters: W + 4 * c0 * taps, bias: bias + 4 * c0, channels: c1 - c0, plane, width: Wd, masks, act: step.act });
    };
    const compiled: CompiledStep = { scratchBytes: direct3Scratch(g), run: (at) => channels(at, 0, g.inChannels) };
    if (ctx.threads <= 1) return compiled;
    const bands = depthwise3Bands(step, ctx, g, W, bias);
    const count = partCount(K * outPlane * taps * COST.tap, ctx, g.inChannels);
    if (count === 1) return { ...compiled, bands };
    return { ...compiled, phases: [{ count, run: (at, part) => channels(at, ...partRange(g.inChannels, count, part, 1, ctx.threads)) }], bands, ...byChannels(g, channels) };
  }
  if (direct3x3(g)) {
    // a zero row for the taps above and below the input, among the weights (never written)
    const zeros = heap.reserve(4 * (g.inWidth + 40) + 16);
    heap.f32(zeros, g.inWidth + 44).fill(0);
    const inPlane = 4 * g.inHeight * g.inWidth;
    const channels = ({ inputs, output }: Addresses, c0: number, c1: number) => {
      lib.k.depthwise3({
        dst: output + 4 * c0 * outPlane, dstPlane: 4 * outPlane, src: inputs[0] + c0 * inPlane, srcPlane: inPlane, filters: W + 4 * c0 * taps, bias: bias + 4 * c0,
        channels: c1 - c0, height: g.inHeight, width: g.inWidth, outWidth: g.outWidth, rowFrom: 0, rowTo: g.outHeight, stride: g.strideHeight,
        padTop: g.padTop, padLeft: g.padLeft, zeros: zeros + 16, act: step.act,
      });
    };
    const compiled: CompiledStep = { scratchBytes: direct3Scratch(g), run: (at) => channels(at, 0, g.inChannels) };
    if (ctx.threads <= 1) return compiled;
    const bands = depthwise3Bands(step, ctx, g, W, bias, zeros + 16);
    const count = partCount(K * outPlane * taps * COST.tap, ctx, g.inChannels);
    if (count === 1) return { ...compiled, bands };
    return { ...compiled, phases: [{ count, run: (at, part) => channels(at, ...partRange(g.inChannels, count, part, 1, ctx.threads)) }], bands, ...byChannels(g, channels) };
  }
  // rows and columns the windows reach, at least the padded input
  const { Hp, Wp, bytes } = paddedWindow(g);
  const M = K / g.inChannels;
  const plane = Hp * Wp;
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
  const count = partCount(K * outPlane * taps * COST.tap + g.inChannels * plane * COST.copy, ctx, g.inChannels);
  if (count === 1) return compiled;
  return { ...compiled, phases: [{ count, run: (at, part) => channels(at, ...partRange(g.inChannels, count, part, 1, ctx.threads)) }], ...byChannels(g, channels) };
}

/**
 * With a multiplier of 1, a range of channels is read and written by the same part: the
 * step's one phase is both a head and a tail (ByChannels), so it can share a phase with
 * the step before it (a 1×1 expansion cut by filters) or after it.
 */
function byChannels(g: WindowGeometry, channels: (at: Addresses, c0: number, c1: number) => void): Pick<CompiledStep, "head" | "tail"> {
  if (g.outChannels !== g.inChannels) return {};
  const cut: ByChannels = { channels: g.inChannels, align: 1, run: (at, c0, c1) => channels(at, c0, c1) };
  return { head: cut, tail: cut };
}

/**
 * A 3×3 depthwise by ranges of output positions (threads/bands.ts): depthwise3 over the
 * rows holding them (taps past the input's edges read zeros; `zeros`: a zero row, made
 * here when not given). Its bits are depthwise3_flat's too: the same nine products
 * summed in the same order.
 */
function depthwise3Bands(step: StepOf<"conv" | "dwconv">, ctx: BuildContext, g: WindowGeometry, filters: number, bias: number, zeros = 0): Bands {
  const { lib, heap } = ctx;
  if (!zeros) {
    zeros = heap.reserve(4 * (g.inWidth + 40) + 16);
    heap.f32(zeros, g.inWidth + 44).fill(0);
    zeros += 16;
  }
  const Wo = g.outWidth;
  const outPlane = 4 * g.outHeight * Wo;
  const inPlane = 4 * g.inHeight * g.inWidth;
  return {
    height: g.outHeight,
    width: Wo,
    pointwise: false,
    work: g.outChannels * 9 * COST.tap,
    fixed: 0,
    localBytes: 0,
    run({ inputs, output }, n0, n1) {
      const r0 = Math.floor(n0 / Wo);
      const r1 = Math.ceil(n1 / Wo);
      lib.k.depthwise3({
        dst: output + 4 * r0 * Wo, dstPlane: outPlane, src: inputs[0], srcPlane: inPlane, filters, bias, channels: g.inChannels, height: g.inHeight,
        width: g.inWidth, outWidth: Wo, rowFrom: r0, rowTo: r1, stride: g.strideHeight, padTop: g.padTop, padLeft: g.padLeft, zeros, act: step.act,
      });
    },
  };
}

/** the scratch depthwise3 asks for: none is used, but a row's last vector may read a few floats past the input's end */
export const DIRECT3_SCRATCH = 64;

/**
 * planes at most this wide take depthwise3_flat (its per-vector masks cost less than
 * depthwise3's per-row work there: 960×7×7 0.14 → 0.11 ms; and, once its loop stored whole
 * vectors without a branch, at 14×14 too: 576×14×14 0.109 → 0.098–0.106 ms)
 */
export const FLAT_WIDTH = 14;

/** depthwise3 at stride 1 and padding 1 on planes of width ≤ FLAT_WIDTH: depthwise3_flat */
export function flat3x3(g: WindowGeometry): boolean {
  return direct3x3(g) && g.strideHeight === 1 && g.inWidth <= FLAT_WIDTH && g.padTop === 1 && g.padBottom === 1 && g.padLeft === 1 && g.padRight === 1;
}

/**
 * The scratch asked for by a depthwise step without a padded copy: none is used, but the
 * last vector reads past the input's end (depthwise3: a few floats; depthwise3_flat: the
 * row below, W + 4 floats), so the scratch after the arena covers it.
 */
export function direct3Scratch(g: WindowGeometry): number {
  return flat3x3(g) ? Math.max(DIRECT3_SCRATCH, 4 * (g.inWidth + 8)) : DIRECT3_SCRATCH;
}

/** 3×3, multiplier 1, no dilation, the same stride of 1 or 2 both ways, padding ≤ 1: the kernel without a padded copy */

export function direct3x3(g: WindowGeometry): boolean {
  return (
    g.kernelHeight === 3 && g.kernelWidth === 3 && g.outChannels === g.inChannels && g.dilationHeight === 1 && g.dilationWidth === 1 &&
    g.strideHeight === g.strideWidth && (g.strideHeight === 1 || g.strideHeight === 2) &&
    Math.max(g.padTop, g.padBottom, g.padLeft, g.padRight) <= 1
  );
}
