// local: a locally connected layer (a convolution without parameter sharing, as in
// DeepFace): every output position p has its own bank of K filters.
// out[k][p] = bias[p][k] + Σ_j w[p][k][j] · patch_p[j], j running over (c, fy, fx).
// No WebAssembly kernel: the fast executor runs the reference.

import type { Floats } from "../api";
import { windowGeometry, type WindowGeometry } from "../geometry";
import { planesOf } from "../tensor";
import { like, need, onnxWindow, weightAndBias } from "./shared";
import type { Op, OnnxExportContext } from "./types";
import { trainSlots } from "../train/slots";
import { localKernel } from "../train/kernels/window";

export function locallyConnected<T extends Floats>(input: T, weight: Floats, bias: Floats | null, g: WindowGeometry): T {
  const positions = g.outHeight * g.outWidth;
  const taps = g.inChannels * g.kernelHeight * g.kernelWidth;
  const out = like(input, g.outChannels * positions);
  const patch = like(input, taps);
  for (let oy = 0; oy < g.outHeight; oy++) {
    for (let ox = 0; ox < g.outWidth; ox++) {
      const p = oy * g.outWidth + ox;
      let j = 0;
      for (let c = 0; c < g.inChannels; c++) {
        for (let fy = 0; fy < g.kernelHeight; fy++) {
          const iy = oy * g.strideHeight - g.padTop + fy * g.dilationHeight;
          for (let fx = 0; fx < g.kernelWidth; fx++) {
            const ix = ox * g.strideWidth - g.padLeft + fx * g.dilationWidth;
            patch[j++] = iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth ? input[(c * g.inHeight + iy) * g.inWidth + ix] : 0;
          }
        }
      }
      for (let k = 0; k < g.outChannels; k++) {
        const w = (p * g.outChannels + k) * taps;
        let sum = 0;
        for (let t = 0; t < taps; t++) sum += weight[w + t] * patch[t];
        out[k * positions + p] = sum + (bias ? bias[p * g.outChannels + k] : 0);
      }
    }
  }
  return out;
}

/**
 * ONNX has no locally connected operator: the patches come from a Conv with a one-hot
 * filter bank (im2col), then each position multiplies its own K×(C·F_h·F_w) weights (a
 * batched MatMul).
 */
function exportLocal(e: OnnxExportContext<"local">): string {
  const { g, node, params } = e;
  const input = planesOf(node.input!);
  const output = planesOf(node.output);
  const [kw, kh] = node.attrs.kernel;
  const taps = input.channels * kh * kw;
  const positions = output.height * output.width;
  const k = output.channels;
  const picker = new Float32Array(taps * taps);
  for (let t = 0; t < taps; t++) picker[t * taps + t] = 1;
  const patches = e.step("Conv", [e.inputs[0], g.floats(`${e.base}.im2col`, [taps, input.channels, kh, kw], picker)], "patches", onnxWindow(node.attrs));
  const rows = e.step("Reshape", [patches, g.ints(`${e.base}.rows_shape`, [taps, positions])], "rows");
  const byPosition = e.step("Transpose", [rows], "by_position", { perm: [1, 0] });
  const batched = e.step("Reshape", [byPosition, g.ints(`${e.base}.batched_shape`, [positions, 1, taps])], "batched");
  // our layout is [P][K][taps]; MatMul wants [P][taps][K]
  const weight = need(node, params, "weight");
  const transposed = new Float32Array(weight.length);
  for (let p = 0; p < positions; p++) for (let o = 0; o < k; o++) for (let t = 0; t < taps; t++) transposed[(p * taps + t) * k + o] = weight[(p * k + o) * taps + t];
  let y = e.step("MatMul", [batched, g.floats(`${e.base}.weight`, [positions, taps, k], transposed)], "product");
  y = e.step("Reshape", [y, g.ints(`${e.base}.pk_shape`, [positions, k])], "pk");
  if (node.attrs.bias) y = e.step("Add", [y, g.floats(`${e.base}.bias`, [positions, k], need(node, params, "bias"))], "biased");
  const kp = e.step("Transpose", [y], "kp", { perm: [1, 0] });
  return e.emit("Reshape", [kp, g.ints(`${e.base}.shape`, [1, k, output.height, output.width])]);
}

export const local: Op<"local"> = {
  kind: "local",
  // weight [H₂·W₂][K][C·F_h·F_w] (one filter bank per output position), bias [H₂·W₂][K];
  // fan_in C·F_h·F_w
  params(node) {
    const input = planesOf(node.input!);
    const output = planesOf(node.output);
    const [kw, kh] = node.attrs.kernel;
    const positions = output.height * output.width;
    const taps = input.channels * kh * kw;
    return weightAndBias(node, [positions, output.channels, taps], taps, node.attrs.bias ? { dims: [positions, output.channels] } : null);
  },
  reference: {
    ...trainSlots(localKernel),
    forward: ({ node, inputs: [x], params }) =>
      locallyConnected(x, need(node, params, "weight"), node.attrs.bias ? need(node, params, "bias") : null, windowGeometry(node)),
  },
  onnx: { export: exportLocal },
};
