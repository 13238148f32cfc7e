// layerscale: each channel multiplied by its own learned factor γ (ConvNeXt's layer
// scale, CaiT's LayerScale): y[c] = γ[c]·x[c]. Its tensor is `weight`, D values — a
// PyTorch module stores it as D (CaiT) or D×1×1 (torchvision's ConvNeXt `layer_scale`);
// both hold the same numbers in the same order. Fresh: γ = init (1e-6 unless written).
// The fast executor runs it as the per-channel affine kernel with a zero shift.

import type { Floats } from "../api";
import { planesOf } from "../tensor";
import { filled, learned, like, need } from "./shared";
import type { Op } from "./types";

export function scaleChannels<T extends Floats>(input: T, channels: number, plane: number, gamma: Floats): T {
  const out = like(input, input.length);
  for (let c = 0; c < channels; c++) {
    const g = gamma[c];
    for (let i = c * plane, end = i + plane; i < end; i++) out[i] = input[i] * g;
  }
  return out;
}

export const layerscale: Op<"layerscale"> = {
  kind: "layerscale",
  params(node) {
    return [learned("weight", [planesOf(node.input!).channels], filled(node.attrs.init))];
  },
  reference: {
    forward({ node, inputs: [x], params }) {
      const p = planesOf(node.input!);
      return scaleChannels(x, p.channels, p.height * p.width, need(node, params, "weight"));
    },
    // dx = γ[c]·dy; dγ[c] = Σ over the batch and the positions of x·dy
    backward({ node, inputs: [x], outputGrad: dy, params, batch }) {
      const p = planesOf(node.input!);
      const plane = p.height * p.width;
      const gamma = need(node, params, "weight");
      const dx = like(x, x.length);
      const dGamma = like(x, p.channels);
      for (let b = 0; b < batch; b++)
        for (let c = 0; c < p.channels; c++) {
          const g = gamma[c];
          let sum = 0;
          for (let i = (b * p.channels + c) * plane, end = i + plane; i < end; i++) {
            dx[i] = dy[i] * g;
            sum += x[i] * dy[i];
          }
          dGamma[c] += sum;
        }
      return { inputGrads: [dx], paramGrads: { weight: dGamma } };
    },
  },
  fast: {
    compile(step, ctx) {
      const node = step.head;
      const p = planesOf(node.input!);
      const scale = ctx.heap.store(Float32Array.from(need(node, ctx.weights(node), "weight")));
      const shift = ctx.heap.store(new Float32Array(p.channels));
      return ["affine", { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.affine({ dst: output, src: inputs[0], scale, shift, channels: p.channels, plane: p.height * p.width, act: step.act }) }];
    },
    absorbs: { activation: true },
  },
  onnx: {
    // γ as [C, 1, 1] broadcasts over H×W in a Mul ([N] for a vector)
    export(e) {
      const p = planesOf(e.node.input!);
      const gamma = need(e.node, e.params, "weight");
      const dims = e.node.input!.kind === "volume" ? [p.channels, 1, 1] : [p.channels];
      return e.emit("Mul", [e.inputs[0], e.g.floats(`${e.base}.weight`, dims, Float32Array.from(gamma))]);
    },
  },
};
