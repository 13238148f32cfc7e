// Transposed convolution as PyTorch's ConvTranspose2d: each input pixel scatters its
// value times the filter into the output, at stride S, then P is cropped from each side
// (and the output padding A only extends the size, read from the analysis).
// out[k][y·S_h − P + fy·d_h][x·S_w − P + fx·d_w] += in[c][y][x] · w[c][k][fy][fx]
// Done per group as columns = wᵀ·in (a matrix product), then the columns are added into
// place (col2im).

import type { WindowGeometry } from "../geometry";
import { gemm } from "./gemm";

export function deconv(input: Float32Array, weight: Float32Array, bias: Float32Array | null, g: WindowGeometry): Float32Array {
  const outPlane = g.outHeight * g.outWidth;
  const inPlane = g.inHeight * g.inWidth;
  const out = new Float32Array(g.outChannels * outPlane);
  if (bias) for (let k = 0; k < g.outChannels; k++) out.fill(bias[k], k * outPlane, (k + 1) * outPlane);
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  const taps = g.kernelHeight * g.kernelWidth;
  const rows = outPerGroup * taps;
  const transposed = new Float32Array(rows * inPerGroup);
  const columns = new Float32Array(rows * inPlane);
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
