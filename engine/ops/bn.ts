// bn: batch normalization in inference mode (PyTorch BatchNorm1d/2d in eval()): per
// channel, y = (x − running_mean) / √(running_var + eps) · γ + β. Fresh, as a new
// PyTorch module: γ = 1, β = 0, running mean 0, running variance 1. The fast executor
// folds it into the convolution or fc before it, else runs it as a per-channel affine map.

import type { NodeOf } from "../../analysis/types";
import type { Floats, LayerParams } from "../api";
import { planesOf, sizeOf } from "../tensor";
import { filled, like, need } from "./shared";
import type { Op } from "./types";
import { byRanges } from "../fast/threads/split";
import { trainSlots } from "../train/slots";
import { bnKernel } from "../train/kernels/norm";

export interface NormStatistics {
  scale: Floats;
  shift: Floats;
  mean: Floats;
  variance: Floats;
  eps: number;
}

export function batchnorm<T extends Floats>(input: T, channels: number, plane: number, s: NormStatistics): T {
  const out = like(input, input.length);
  for (let c = 0; c < channels; c++) {
    const inv = 1 / Math.sqrt(s.variance[c] + s.eps);
    const gain = s.scale[c] * inv;
    const mean = s.mean[c];
    const shift = s.shift[c];
    for (let i = c * plane, end = i + plane; i < end; i++) out[i] = (input[i] - mean) * gain + shift;
  }
  return out;
}

/** y = x·gain[c] + offset[c], in float64 so that folding it adds a single rounding */
function affine(node: NodeOf<"bn">, params: LayerParams): { gain: Float64Array; offset: Float64Array } {
  const [g, b, mean, variance] = [need(node, params, "weight"), need(node, params, "bias"), need(node, params, "runningMean"), need(node, params, "runningVar")];
  const channels = g.length;
  const gain = new Float64Array(channels);
  const offset = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    gain[c] = g[c] / Math.sqrt(variance[c] + node.attrs.eps);
    offset[c] = b[c] - mean[c] * gain[c];
  }
  return { gain, offset };
}

export const bn: Op<"bn"> = {
  kind: "bn",
  // the normalized values
  trainKept: (node) => sizeOf(node.output),
  batchStatistics: true,
  params(node) {
    const c = planesOf(node.input!).channels;
    return [
      { name: "weight", dims: [c], trainable: true, init: filled(1) },
      { name: "bias", dims: [c], trainable: true, init: filled(0) },
      { name: "runningMean", dims: [c], trainable: false, init: filled(0) },
      { name: "runningVar", dims: [c], trainable: false, init: filled(1) },
    ];
  },
  reference: {
    ...trainSlots(bnKernel),
    forward({ node, inputs: [x], params }) {
      const p = planesOf(node.input!);
      return batchnorm(x, p.channels, p.height * p.width, {
        scale: need(node, params, "weight"),
        shift: need(node, params, "bias"),
        mean: need(node, params, "runningMean"),
        variance: need(node, params, "runningVar"),
        eps: node.attrs.eps,
      });
    },
  },
  affine,
  fast: {
    compile(step, ctx) {
      const p = planesOf(step.head.input!);
      const node = step.head;
      const { gain, offset } = affine(node, ctx.weights(node) ?? {});
      const scale = ctx.heap.store(Float32Array.from(gain));
      const shift = ctx.heap.store(Float32Array.from(offset));
      const plane = p.height * p.width;
      const channels = (at: { inputs: number[]; output: number }, c0: number, c1: number) =>
        ctx.lib.k.affine({ dst: at.output + 4 * c0 * plane, src: at.inputs[0] + 4 * c0 * plane, scale: scale + 4 * c0, shift: shift + 4 * c0, channels: c1 - c0, plane, act: step.act });
      return ["affine", byRanges({ scratchBytes: 0, run: (at) => channels(at, 0, p.channels) }, ctx, p.channels, p.channels * plane, channels)];
    },
    absorbs: { activation: true },
  },
  onnx: {
    export(e) {
      const [scale, shift, mean, variance] = e.weights();
      return e.emit("BatchNormalization", [e.inputs[0], scale, shift, mean, variance], { epsilon: { float: e.node.attrs.eps } });
    },
  },
};
