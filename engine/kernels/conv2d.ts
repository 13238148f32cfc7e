// Convolution as PyTorch's Conv2d computes it: cross-correlation (the filter is not
// flipped), zero padding, stride, dilation and groups, every axis on its own.
// out[k][y][x] = bias[k] + Σ_c Σ_fy Σ_fx w[k][c][fy][fx] · in[c][y·S_h − P_top + fy·d_h][x·S_w − P_left + fx·d_w]
// Done as a matrix product per group: the filters (K/G × C/G·F_h·F_w) times the input
// unrolled into columns (im2col), a tile of output positions at a time.

import type { WindowGeometry } from "../geometry";
import { gemm } from "./gemm";

/** about 1 MB of unrolled input per tile: big enough to amortise, small enough for cache */
const PANEL_FLOATS = 1 << 18;

export function conv2d(input: Float32Array, weight: Float32Array, bias: Float32Array | null, g: WindowGeometry): Float32Array {
  const positions = g.outHeight * g.outWidth;
  const out = new Float32Array(g.outChannels * positions);
  if (bias) for (let k = 0; k < g.outChannels; k++) out.fill(bias[k], k * positions, (k + 1) * positions);
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  const rows = inPerGroup * g.kernelHeight * g.kernelWidth;
  const inPlane = g.inHeight * g.inWidth;
  const pointwise =
    g.kernelHeight === 1 && g.kernelWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight && g.outWidth === g.inWidth;
  const tile = Math.max(64, Math.min(positions, Math.floor(PANEL_FLOATS / rows)));
  const panel = pointwise ? null : new Float32Array(rows * Math.min(tile, positions));
  for (let group = 0; group < g.groups; group++) {
    const filters = { data: weight, offset: group * outPerGroup * rows, stride: rows };
    const outOffset = group * outPerGroup * positions;
    if (!panel) {
      // a 1×1 filter at stride 1: the input planes already are the columns
      gemm(outPerGroup, positions, rows, filters, { data: input, offset: group * inPerGroup * inPlane, stride: inPlane }, { data: out, offset: outOffset, stride: positions });
      continue;
    }
    for (let first = 0; first < positions; first += tile) {
      const count = Math.min(tile, positions - first);
      im2col(input, group * inPerGroup, inPerGroup, g, first, count, panel);
      gemm(outPerGroup, count, rows, filters, { data: panel, offset: 0, stride: count }, { data: out, offset: outOffset + first, stride: positions });
    }
  }
  return out;
}

/** Unrolls output positions [first, first+count) into panel rows (c, fy, fx), zero outside the input. */
export function im2col(input: Float32Array, firstChannel: number, channels: number, g: WindowGeometry, first: number, count: number, panel: Float32Array): void {
  let row = 0;
  for (let c = 0; c < channels; c++) {
    const plane = (firstChannel + c) * g.inHeight * g.inWidth;
    for (let fy = 0; fy < g.kernelHeight; fy++) {
      const dy = fy * g.dilationHeight - g.padTop;
      for (let fx = 0; fx < g.kernelWidth; fx++) {
        const dx = fx * g.dilationWidth - g.padLeft;
        const base = row * count;
        let oy = Math.floor(first / g.outWidth);
        let ox = first - oy * g.outWidth;
        for (let j = 0; j < count; j++) {
          const iy = oy * g.strideHeight + dy;
          const ix = ox * g.strideWidth + dx;
          panel[base + j] = iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth ? input[plane + iy * g.inWidth + ix] : 0;
          if (++ox === g.outWidth) {
            ox = 0;
            oy++;
          }
        }
        row++;
      }
    }
  }
}
