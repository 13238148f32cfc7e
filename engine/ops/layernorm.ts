// layernorm: layer normalization over the channels at each position, as torchvision's
// ConvNeXt LayerNorm2d (F.layer_norm over C of the N×H×W×C permutation): per position,
// y_c = (x_c − mean) / √(var + eps) · γ_c + β_c, mean and the biased variance over the
// D channels there. A vector of N numbers is one position of N channels (nn.LayerNorm).
// Fresh, as a new PyTorch module: γ = 1, β = 0. The fast executor runs it in
// WebAssembly (engine/wasm/kernels/channels.ts), four positions at a time.

import type { Floats } from "../api";
import { planesOf } from "../tensor";
import { filled, learned, like, need } from "./shared";
import type { Op } from "./types";
import { trainSlots } from "../train/slots";
import { layernormKernel } from "../train/kernels/norm";

export function layerNorm<T extends Floats>(input: T, channels: number, plane: number, gamma: Floats, beta: Floats, eps: number): T {
  const out = like(input, input.length);
  for (let i = 0; i < plane; i++) {
    let mean = 0;
    for (let c = 0; c < channels; c++) mean += input[c * plane + i];
    mean /= channels;
    let variance = 0;
    for (let c = 0; c < channels; c++) variance += (input[c * plane + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / channels + eps);
    for (let c = 0; c < channels; c++) out[c * plane + i] = (input[c * plane + i] - mean) * inv * gamma[c] + beta[c];
  }
  return out;
}

export const layernorm: Op<"layernorm"> = {
  kind: "layernorm",
  params(node) {
    const c = planesOf(node.input!).channels;
    return [learned("weight", [c], filled(1)), learned("bias", [c], filled(0))];
  },
  reference: {
    ...trainSlots(layernormKernel),
    forward({ node, inputs: [x], params }) {
      const p = planesOf(node.input!);
      return layerNorm(x, p.channels, p.height * p.width, need(node, params, "weight"), need(node, params, "bias"), node.attrs.eps);
    },
  },
  fast: {
    compile(step, ctx) {
      const node = step.head;
      const p = planesOf(node.input!);
      const params = ctx.weights(node);
      const gamma = ctx.heap.store(Float32Array.from(need(node, params, "weight")));
      const beta = ctx.heap.store(Float32Array.from(need(node, params, "bias")));
      const plane = p.height * p.width;
      const eps = node.attrs.eps;
      return ["layernorm", { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.layernorm({ dst: output, src: inputs[0], gamma, beta, channels: p.channels, plane, eps }) }];
    },
  },
  onnx: {
    // ONNX's LayerNormalization normalizes the last axes: channels last for a volume, and back
    export(e) {
      const [scale, shift] = e.weights();
      const epsilon = { float: e.node.attrs.eps };
      if (e.node.input!.kind === "vector") return e.emit("LayerNormalization", [e.inputs[0], scale, shift], { axis: -1, epsilon });
      const last = e.step("Transpose", [e.inputs[0]], "nhwc", { perm: [0, 2, 3, 1] });
      const normed = e.step("LayerNormalization", [last, scale, shift], "norm", { axis: -1, epsilon });
      return e.emit("Transpose", [normed], { perm: [0, 3, 1, 2] });
    },
  },
};
