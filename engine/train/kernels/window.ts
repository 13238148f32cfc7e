// Training kernels of the layers with filters: conv (and dwconv: groups = channels),
// deconv (ConvTranspose2d), local (no sharing) and fc, as PyTorch differentiates them.
//   conv:   Y_g = W_g · im2col(X_g) + b        dW_g += dY_g · colᵀ,  dX_g = col2im(W_gᵀ · dY_g)
//   deconv: Y_g = col2im(W_gᵀ · X_g) + b       dX_g = W_g · im2col(dY_g),  dW_g += X_g · im2col(dY_g)ᵀ
//   local:  y[k][p] = b[p][k] + w[p][k]·col_p  (per position p)
//   fc:     Y = X · Wᵀ + b                     dW += dYᵀ · X,  dX = dY · W
// The unrolled columns are made again in the backward pass rather than kept.

import type { WindowGeometry } from "../../geometry";
import { windowOf as windowGeometry } from "../attrs";
import { sizeOf } from "../../tensor";
import { like, type Float, type TrainParams } from "../float";
import { hasBias, needParam, type TrainKernel } from "../kernel";
import { mat, nn, nt, tn } from "./matmul";
import { col2im, im2col, type Unroll } from "./unroll";

/** the window seen from the convolution's side: wide = input, narrow = output */
function convUnroll(g: WindowGeometry, channels: number): Unroll {
  return {
    channels,
    wideH: g.inHeight,
    wideW: g.inWidth,
    narrowH: g.outHeight,
    narrowW: g.outWidth,
    kh: g.kernelHeight,
    kw: g.kernelWidth,
    sh: g.strideHeight,
    sw: g.strideWidth,
    dh: g.dilationHeight,
    dw: g.dilationWidth,
    padTop: g.padTop,
    padLeft: g.padLeft,
  };
}

/** a transposed convolution scatters into its output: wide = output, narrow = input */
function deconvUnroll(g: WindowGeometry, channels: number): Unroll {
  return { ...convUnroll(g, channels), wideH: g.outHeight, wideW: g.outWidth, narrowH: g.inHeight, narrowW: g.inWidth };
}

/** sizes shared by the forward and backward passes of conv and deconv */
function layout(node: Parameters<TrainKernel["forward"]>[0]) {
  const g = windowGeometry(node);
  const cg = g.inChannels / g.groups;
  const kg = g.outChannels / g.groups;
  const taps = g.kernelHeight * g.kernelWidth;
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.outHeight * g.outWidth;
  return { g, cg, kg, taps, inPlane, outPlane, inSize: g.inChannels * inPlane, outSize: g.outChannels * outPlane };
}

function addBias(out: Float, bias: Float, batch: number, channels: number, plane: number): void {
  for (let n = 0; n < batch; n++) {
    for (let k = 0; k < channels; k++) {
      const b = bias[k];
      for (let i = (n * channels + k) * plane, end = i + plane; i < end; i++) out[i] += b;
    }
  }
}

/** db[k] = Σ over the batch and positions of dY[n][k] */
export function biasGradient(dy: Float, batch: number, channels: number, plane: number): Float {
  const db = like(dy, channels);
  for (let n = 0; n < batch; n++) {
    for (let k = 0; k < channels; k++) {
      let sum = 0;
      for (let i = (n * channels + k) * plane, end = i + plane; i < end; i++) sum += dy[i];
      db[k] += sum;
    }
  }
  return db;
}

export const convKernel: TrainKernel = {
  forward(node, [x], params, ctx) {
    const { g, cg, kg, taps, outPlane: positions, inPlane, inSize, outSize } = layout(node);
    const w = needParam(node, params, "weight");
    const u = convUnroll(g, cg);
    const rows = cg * taps;
    const out = like(x, ctx.batch * outSize);
    const col = like(x, rows * positions);
    for (let n = 0; n < ctx.batch; n++) {
      for (let group = 0; group < g.groups; group++) {
        im2col(x, n * inSize + group * cg * inPlane, u, col);
        nn(kg, positions, rows, mat(w, group * kg * rows, rows), mat(col, 0, positions), mat(out, n * outSize + group * kg * positions, positions));
      }
    }
    if (hasBias(node)) addBias(out, needParam(node, params, "bias"), ctx.batch, g.outChannels, positions);
    return { output: out };
  },
  backward(node, dy, [x], _f, params, ctx, need) {
    const { g, cg, kg, taps, outPlane: positions, inPlane, inSize, outSize } = layout(node);
    const w = needParam(node, params, "weight");
    const u = convUnroll(g, cg);
    const rows = cg * taps;
    const dw = like(x, w.length);
    const dx = need[0] ? like(x, x.length) : null;
    const col = like(x, rows * positions);
    const dcol = dx ? like(x, rows * positions) : null;
    for (let n = 0; n < ctx.batch; n++) {
      for (let group = 0; group < g.groups; group++) {
        const xAt = n * inSize + group * cg * inPlane;
        const dyAt = mat(dy, n * outSize + group * kg * positions, positions);
        im2col(x, xAt, u, col);
        nt(kg, rows, positions, dyAt, mat(col, 0, positions), mat(dw, group * kg * rows, rows));
        if (dx && dcol) {
          dcol.fill(0);
          tn(rows, positions, kg, mat(w, group * kg * rows, rows), dyAt, mat(dcol, 0, positions));
          col2im(dcol, u, dx, xAt);
        }
      }
    }
    const grads: TrainParams = { weight: dw };
    if (hasBias(node)) grads.bias = biasGradient(dy, ctx.batch, g.outChannels, positions);
    return { inputs: [dx], params: grads };
  },
};

export const deconvKernel: TrainKernel = {
  forward(node, [x], params, ctx) {
    const { g, cg, kg, taps, inPlane, outPlane, inSize, outSize } = layout(node);
    const w = needParam(node, params, "weight");
    const u = deconvUnroll(g, kg);
    const rows = kg * taps;
    const out = like(x, ctx.batch * outSize);
    const col = like(x, rows * inPlane);
    for (let n = 0; n < ctx.batch; n++) {
      for (let group = 0; group < g.groups; group++) {
        col.fill(0);
        // weight of a group: [C/G][K/G·F_h·F_w]; columns = W_gᵀ · X_g
        tn(rows, inPlane, cg, mat(w, group * cg * rows, rows), mat(x, n * inSize + group * cg * inPlane, inPlane), mat(col, 0, inPlane));
        col2im(col, u, out, n * outSize + group * kg * outPlane);
      }
    }
    if (hasBias(node)) addBias(out, needParam(node, params, "bias"), ctx.batch, g.outChannels, outPlane);
    return { output: out };
  },
  backward(node, dy, [x], _f, params, ctx, need) {
    const { g, cg, kg, taps, inPlane, outPlane, inSize, outSize } = layout(node);
    const w = needParam(node, params, "weight");
    const u = deconvUnroll(g, kg);
    const rows = kg * taps;
    const dw = like(x, w.length);
    const dx = need[0] ? like(x, x.length) : null;
    const dcol = like(x, rows * inPlane);
    for (let n = 0; n < ctx.batch; n++) {
      for (let group = 0; group < g.groups; group++) {
        im2col(dy, n * outSize + group * kg * outPlane, u, dcol);
        const xAt = n * inSize + group * cg * inPlane;
        nt(cg, rows, inPlane, mat(x, xAt, inPlane), mat(dcol, 0, inPlane), mat(dw, group * cg * rows, rows));
        if (dx) nn(cg, inPlane, rows, mat(w, group * cg * rows, rows), mat(dcol, 0, inPlane), mat(dx, xAt, inPlane));
      }
    }
    const grads: TrainParams = { weight: dw };
    if (hasBias(node)) grads.bias = biasGradient(dy, ctx.batch, g.outChannels, outPlane);
    return { inputs: [dx], params: grads };
  },
};

export const localKernel: TrainKernel = {
  forward(node, [x], params, ctx) {
    const g = windowGeometry(node);
    const w = needParam(node, params, "weight");
    const b = hasBias(node) ? needParam(node, params, "bias") : null;
    const u = convUnroll(g, g.inChannels);
    const taps = g.inChannels * g.kernelHeight * g.kernelWidth;
    const positions = g.outHeight * g.outWidth;
    const inSize = g.inChannels * g.inHeight * g.inWidth;
    const outSize = g.outChannels * positions;
    const out = like(x, ctx.batch * outSize);
    const col = like(x, taps * positions);
    for (let n = 0; n < ctx.batch; n++) {
      im2col(x, n * inSize, u, col);
      for (let p = 0; p < positions; p++) {
        for (let k = 0; k < g.outChannels; k++) {
          const wr = (p * g.outChannels + k) * taps;
          let sum = b ? b[p * g.outChannels + k] : 0;
          for (let t = 0; t < taps; t++) sum += w[wr + t] * col[t * positions + p];
          out[n * outSize + k * positions + p] = sum;
        }
      }
    }
    return { output: out };
  },
  backward(node, dy, [x], _f, params, ctx, need) {
    const g = windowGeometry(node);
    const w = needParam(node, params, "weight");
    const u = convUnroll(g, g.inChannels);
    const taps = g.inChannels * g.kernelHeight * g.kernelWidth;
    const positions = g.outHeight * g.outWidth;
    const inSize = g.inChannels * g.inHeight * g.inWidth;
    const outSize = g.outChannels * positions;
    const dw = like(x, w.length);
    const db = hasBias(node) ? like(x, positions * g.outChannels) : null;
    const dx = need[0] ? like(x, x.length) : null;
    const col = like(x, taps * positions);
    const dcol = like(x, taps * positions);
    for (let n = 0; n < ctx.batch; n++) {
      im2col(x, n * inSize, u, col);
      dcol.fill(0);
      for (let p = 0; p < positions; p++) {
        for (let k = 0; k < g.outChannels; k++) {
          const d = dy[n * outSize + k * positions + p];
          if (db) db[p * g.outChannels + k] += d;
          if (d === 0) continue;
          const wr = (p * g.outChannels + k) * taps;
          for (let t = 0; t < taps; t++) {
            dw[wr + t] += d * col[t * positions + p];
            dcol[t * positions + p] += d * w[wr + t];
          }
        }
      }
      if (dx) col2im(dcol, u, dx, n * inSize);
    }
    const grads: TrainParams = { weight: dw };
    if (db) grads.bias = db;
    return { inputs: [dx], params: grads };
  },
};

export const fcKernel: TrainKernel = {
  forward(node, [x], params, ctx) {
    const w = needParam(node, params, "weight");
    const units = sizeOf(node.output);
    const size = sizeOf(node.input!);
    const out = like(x, ctx.batch * units);
    nt(ctx.batch, units, size, mat(x, 0, size), mat(w, 0, size), mat(out, 0, units));
    if (hasBias(node)) addBias(out, needParam(node, params, "bias"), ctx.batch, units, 1);
    return { output: out };
  },
  backward(node, dy, [x], _f, params, ctx, need) {
    const w = needParam(node, params, "weight");
    const units = sizeOf(node.output);
    const size = sizeOf(node.input!);
    const dw = like(x, w.length);
    tn(units, size, ctx.batch, mat(dy, 0, units), mat(x, 0, size), mat(dw, 0, size));
    let dx: Float | null = null;
    if (need[0]) {
      dx = like(x, x.length);
      nn(ctx.batch, size, units, mat(dy, 0, units), mat(w, 0, size), mat(dx, 0, size));
    }
    const grads: TrainParams = { weight: dw };
    if (hasBias(node)) grads.bias = biasGradient(dy, ctx.batch, units, 1);
    return { inputs: [dx], params: grads };
  },
};
