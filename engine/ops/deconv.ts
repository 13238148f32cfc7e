// deconv: transposed convolution as PyTorch's ConvTranspose2d. Each input pixel scatters
// its value times the filter into the output, at stride S, then P is cropped from each
// side (and the output padding A only extends the size, read from the analysis).
// out[k][y·S_h − P + fy·d_h][x·S_w − P + fx·d_w] += in[c][y][x] · w[c][k][fy][fx]
// No WebAssembly kernel: the fast executor runs the reference.

import type { Floats } from "../api";
import { windowGeometry, type WindowGeometry } from "../geometry";
import { gemm } from "../kernels/gemm";
import { planesOf } from "../tensor";
import { like, need, onnxWindow, weightAndBias } from "./shared";
import type { Op } from "./types";
import { trainSlots } from "../train/slots";
import { deconvKernel } from "../train/kernels/window";

/** per group: columns = wᵀ·in (a matrix product), then the columns added into place (col2im) */
export function transposedConv<T extends Floats>(input: T, weight: Floats, bias: Floats | null, g: WindowGeometry): T {
  const outPlane = g.outHeight * g.outWidth;
  const inPlane = g.inHeight * g.inWidth;
  const out = like(input, g.outChannels * outPlane);
  if (bias) for (let k = 0; k < g.outChannels; k++) out.fill(bias[k], k * outPlane, (k + 1) * outPlane);
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  const taps = g.kernelHeight * g.kernelWidth;
  const rows = outPerGroup * taps;
  const transposed = like(input, rows * inPerGroup);
  const columns = like(input, rows * inPlane);
  for (let group = 0; group < g.groups; group++) {
    // weight of this group: [C/G][K/G·F_h·F_w] → transposed [K/G·F_h·F_w][C/G]
    const w0 = group * inPerGroup * rows;
    for (let c = 0; c < inPerGroup; c++) for (let r = 0; r < rows; r++) transposed[r * inPerGroup + c] = weight[w0 + c * rows + r];
    columns.fill(0);
    gemm(rows, inPlane, inPerGroup, { data: transposed, offset: 0, stride: inPerGroup }, { data: input, offset: group * inPerGroup * inPlane, stride: inPlane }, { data: columns, offset: 0, stride: inPlane });
    for (let r = 0; r < rows; r++) {
      const k = group * outPerGroup + Math.floor(r / taps);
      const tap = r % taps;
      const fy = Math.floor(tap / g.kernelWidth);
      const fx = tap % g.kernelWidth;
      const plane = k * outPlane;
      for (let iy = 0; iy < g.inHeight; iy++) {
        const oy = iy * g.strideHeight - g.padTop + fy * g.dilationHeight;
        if (oy < 0 || oy >= g.outHeight) continue;
        for (let ix = 0; ix < g.inWidth; ix++) {
          const ox = ix * g.strideWidth - g.padLeft + fx * g.dilationWidth;
          if (ox >= 0 && ox < g.outWidth) out[plane + oy * g.outWidth + ox] += columns[r * inPlane + iy * g.inWidth + ix];
        }
      }
    }
  }
  return out;
}

export const deconv: Op<"deconv"> = {
  kind: "deconv",
  // ConvTranspose2d's weight is [C][K/G][F_h][F_w]; fan_in K/G·F_h·F_w (torch.nn.init reads dims 1…)
  params(node) {
    const a = node.attrs;
    const [kw, kh] = a.kernel;
    const c = planesOf(node.input!).channels;
    const k = planesOf(node.output).channels;
    return weightAndBias(node, [c, k / a.groups, kh, kw], (k / a.groups) * kh * kw, a.bias ? { dims: [k] } : null);
  },
  reference: {
    ...trainSlots(deconvKernel),
    forward: ({ node, inputs: [x], params }) =>
      transposedConv(x, need(node, params, "weight"), node.attrs.bias ? need(node, params, "bias") : null, windowGeometry(node, node.attrs.groups)),
  },
  onnx: {
    export(e) {
      const a = e.node.attrs;
      const [ow, oh] = a.outputPadding;
      return e.emit("ConvTranspose", [e.inputs[0], ...e.weights()], { ...onnxWindow(a), group: a.groups, output_padding: [oh, ow] });
    },
  },
};
