// Training kernels of the normalizations.
//
// bn, training mode (PyTorch BatchNorm2d/1d in train()): per channel over the m = N·H·W
// values of the batch, mean μ and biased variance σ² (dividing by m); y = γ·x̂ + β with
// x̂ = (x − μ)/√(σ² + eps). The running statistics are updated with momentum 0.1 and the
// unbiased variance: mean ← 0.9·mean + 0.1·μ, var ← 0.9·var + 0.1·σ²·m/(m − 1). As in
// PyTorch, m = 1 is refused (a single value has no variance). The backward pass:
//   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/√(σ² + eps) · (dy − dβ/m − x̂·dγ/m).
// In eval mode bn is the fixed affine map of the running statistics.
//
// lrn (LocalResponseNorm(n), α = 1e-4, β = 0.75, k = 1): b_c = a_c · s_c^(−β) with
// s_c = k + α/n · Σ_{j ∈ W(c)} a_j², W(c) = [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋]; so
//   ∂L/∂a_j = dy_j · s_j^(−β) − (2αβ/n) · a_j · Σ_{c : j ∈ W(c)} dy_c · a_c · s_c^(−β−1).

import { planesOf } from "../../tensor";

/** PyTorch's LocalResponseNorm defaults, as the run uses them (engine/ops/lrn.ts) */
const LRN_ALPHA = 1e-4;
const LRN_BETA = 0.75;
const LRN_K = 1;
import { like, type Float } from "../float";
import { needParam, type TrainKernel } from "../kernel";

export const BN_MOMENTUM = 0.1;

interface BnSaved {
  xhat: Float;
  /** 1/√(σ² + eps) per channel (batch statistics in training, running ones in eval) */
  invStd: Float64Array;
}

export const bnKernel: TrainKernel = {
  forward(node, [x], params, ctx) {
    const p = planesOf(node.input!);
    const plane = p.height * p.width;
    // on training threads the statistics are the whole batch's: each thread's sums joined (ctx.join)
    const join = ctx.training ? ctx.join : undefined;
    const m = (join ? join.total : ctx.batch) * plane;
    const gamma = needParam(node, params, "weight");
    const beta = needParam(node, params, "bias");
    const runningMean = needParam(node, params, "runningMean");
    const runningVar = needParam(node, params, "runningVar");
    const eps = node.op === "bn" ? node.attrs.eps : 1e-5;
    if (ctx.training && m < 2) {
      throw new Error(`${node.label ?? "bn"} (node ${node.id}) in training needs more than 1 value per channel, as PyTorch does; it got ${m} (batch ${join ? join.total : ctx.batch} × ${p.height}×${p.width})`);
    }
    const out = like(x, x.length);
    const xhat = like(x, x.length);
    const invStd = new Float64Array(p.channels);
    const stride = p.channels * plane;
    let mean: Float64Array;
    let variance: Float64Array;
    if (ctx.training) {
      // per channel, over this thread's samples: Σ x, then Σ (x − μ)² (each joined over the threads)
      const sums = new Float64Array(p.channels);
      for (let c = 0; c < p.channels; c++) {
        let sum = 0;
        for (let n = 0; n < ctx.batch; n++) for (let i = n * stride + c * plane, end = i + plane; i < end; i++) sum += x[i];
        sums[c] = sum;
      }
      mean = (join ? join.sum(sums) : sums).map((sum) => sum / m);
      const partial = new Float64Array(p.channels);
      for (let c = 0; c < p.channels; c++) {
        const mu = mean[c];
        let squares = 0;
        for (let n = 0; n < ctx.batch; n++) {
          for (let i = n * stride + c * plane, end = i + plane; i < end; i++) {
            const d = x[i] - mu;
            squares += d * d;
          }
        }
        partial[c] = squares;
      }
      const squares = join ? join.sum(partial) : partial;
      variance = squares.map((s) => s / m);
      // (one thread updates the running statistics the threads share)
      if (!join || join.first) {
        for (let c = 0; c < p.channels; c++) {
          runningMean[c] = (1 - BN_MOMENTUM) * runningMean[c] + BN_MOMENTUM * mean[c];
          runningVar[c] = (1 - BN_MOMENTUM) * runningVar[c] + BN_MOMENTUM * (squares[c] / (m - 1));
        }
      }
    } else {
      mean = Float64Array.from(runningMean);
      variance = Float64Array.from(runningVar);
    }
    for (let c = 0; c < p.channels; c++) {
      const inv = 1 / Math.sqrt(variance[c] + eps);
      invStd[c] = inv;
      const g = gamma[c];
      const b = beta[c];
      const mu = mean[c];
      for (let n = 0; n < ctx.batch; n++) {
        for (let i = n * stride + c * plane, end = i + plane; i < end; i++) {
          const h = (x[i] - mu) * inv;
          xhat[i] = h;
          out[i] = h * g + b;
        }
      }
    }
    const saved: BnSaved = { xhat, invStd };
    return { output: out, saved };
  },
  backward(node, dy, [x], f, params, ctx, need) {
    const p = planesOf(node.input!);
    const plane = p.height * p.width;
    const m = ctx.batch * plane;
    const gamma = needParam(node, params, "weight");
    const { xhat, invStd } = f.saved as BnSaved;
    const dGamma = like(x, p.channels);
    const dBeta = like(x, p.channels);
    const dx = need[0] ? like(x, x.length) : null;
    const stride = p.channels * plane;
    // this thread's Σ dy and Σ dy·x̂ per channel: its share of dβ and dγ
    const sums = new Float64Array(2 * p.channels);
    for (let c = 0; c < p.channels; c++) {
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let n = 0; n < ctx.batch; n++) {
        for (let i = n * stride + c * plane, end = i + plane; i < end; i++) {
          sumDy += dy[i];
          sumDyXhat += dy[i] * xhat[i];
        }
      }
      dGamma[c] = sumDyXhat;
      dBeta[c] = sumDy;
      sums[c] = sumDy;
      sums[p.channels + c] = sumDyXhat;
    }
    if (!dx) return { inputs: [dx], params: { weight: dGamma, bias: dBeta } };
    // On threads each slice's gradients are of its own mean loss (the engine weighs them by
    // batch/total when it sums them): the whole batch's sums are the slices' weighted so, and
    // in this slice's scale they are divided by its own m.
    const join = ctx.training ? ctx.join : undefined;
    const all = join ? join.sum(sums.map((s) => (s * ctx.batch) / join.total)) : sums;
    for (let c = 0; c < p.channels; c++) {
      const sumDy = all[c];
      const sumDyXhat = all[p.channels + c];
      const scale = gamma[c] * invStd[c];
      for (let n = 0; n < ctx.batch; n++) {
        for (let i = n * stride + c * plane, end = i + plane; i < end; i++) {
          dx[i] = ctx.training ? scale * (dy[i] - sumDy / m - (xhat[i] * sumDyXhat) / m) : scale * dy[i];
        }
      }
    }
    return { inputs: [dx], params: { weight: dGamma, bias: dBeta } };
  },
};

interface LrnSaved {
  /** s_c at every value */
  scale: Float64Array;
}

export const lrnKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    const p = planesOf(node.input!);
    const size = node.op === "lrn" ? node.attrs.size : 5;
    const plane = p.height * p.width;
    const before = Math.floor(size / 2);
    const after = Math.floor((size - 1) / 2);
    const out = like(x, x.length);
    const scale = new Float64Array(x.length);
    for (let n = 0; n < ctx.batch; n++) {
      const base = n * p.channels * plane;
      for (let c = 0; c < p.channels; c++) {
        const lo = Math.max(0, c - before);
        const hi = Math.min(p.channels - 1, c + after);
        for (let i = 0; i < plane; i++) {
          let squares = 0;
          for (let j = lo; j <= hi; j++) {
            const v = x[base + j * plane + i];
            squares += v * v;
          }
          const at = base + c * plane + i;
          const s = LRN_K + (LRN_ALPHA / size) * squares;
          scale[at] = s;
          out[at] = x[at] / Math.pow(s, LRN_BETA);
        }
      }
    }
    const saved: LrnSaved = { scale };
    return { output: out, saved };
  },
  backward(node, dy, [x], f, _p, ctx, need) {
    if (!need[0]) return { inputs: [null] };
    const p = planesOf(node.input!);
    const size = node.op === "lrn" ? node.attrs.size : 5;
    const plane = p.height * p.width;
    const before = Math.floor(size / 2);
    const after = Math.floor((size - 1) / 2);
    const { scale } = f.saved as LrnSaved;
    const dx = like(x, x.length);
    const coefficient = (2 * LRN_ALPHA * LRN_BETA) / size;
    // t_c = dy_c · a_c · s_c^(−β−1), then each j sums t over the c whose window holds j
    const t = new Float64Array(p.channels);
    for (let n = 0; n < ctx.batch; n++) {
      const base = n * p.channels * plane;
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < p.channels; c++) {
          const at = base + c * plane + i;
          t[c] = dy[at] * x[at] * Math.pow(scale[at], -LRN_BETA - 1);
        }
        for (let j = 0; j < p.channels; j++) {
          const at = base + j * plane + i;
          const lo = Math.max(0, j - after);
          const hi = Math.min(p.channels - 1, j + before);
          let sum = 0;
          for (let c = lo; c <= hi; c++) sum += t[c];
          dx[at] = dy[at] * Math.pow(scale[at], -LRN_BETA) - coefficient * x[at] * sum;
        }
      }
    }
    return { inputs: [dx] };
  },
};

/**
 * layernorm (torchvision's LayerNorm2d; nn.LayerNorm on a vector): per sample and position,
 * over its D channels, x̂ = (x − μ)/σ with the biased variance, y = γ·x̂ + β. Backward, per
 * position with g = dy·γ: dx = (g − mean(g) − x̂·mean(g·x̂))/σ; dγ = Σ dy·x̂, dβ = Σ dy.
 * The same in training and eval (no running statistics).
 */
export const layernormKernel: TrainKernel = {
  forward(node, [x], params, ctx) {
    const p = planesOf(node.input!);
    const plane = p.height * p.width;
    const gamma = needParam(node, params, "weight");
    const beta = needParam(node, params, "bias");
    const eps = node.op === "layernorm" ? node.attrs.eps : 1e-5;
    const out = like(x, x.length);
    const xhat = like(x, x.length);
    const invStd = new Float64Array(ctx.batch * plane);
    for (let n = 0; n < ctx.batch; n++) {
      const base = n * p.channels * plane;
      for (let i = 0; i < plane; i++) {
        let mean = 0;
        for (let c = 0; c < p.channels; c++) mean += x[base + c * plane + i];
        mean /= p.channels;
        let variance = 0;
        for (let c = 0; c < p.channels; c++) variance += (x[base + c * plane + i] - mean) ** 2;
        const inv = 1 / Math.sqrt(variance / p.channels + eps);
        invStd[n * plane + i] = inv;
        for (let c = 0; c < p.channels; c++) {
          const at = base + c * plane + i;
          xhat[at] = (x[at] - mean) * inv;
          out[at] = xhat[at] * gamma[c] + beta[c];
        }
      }
    }
    const saved: BnSaved = { xhat, invStd };
    return { output: out, saved };
  },
  backward(node, dy, [x], f, params, ctx, need) {
    const p = planesOf(node.input!);
    const plane = p.height * p.width;
    const gamma = needParam(node, params, "weight");
    const { xhat, invStd } = f.saved as BnSaved;
    const dGamma = like(x, p.channels);
    const dBeta = like(x, p.channels);
    const dx = need[0] ? like(x, x.length) : null;
    for (let n = 0; n < ctx.batch; n++) {
      const base = n * p.channels * plane;
      for (let i = 0; i < plane; i++) {
        let meanG = 0;
        let meanGX = 0;
        for (let c = 0; c < p.channels; c++) {
          const at = base + c * plane + i;
          const g = dy[at] * gamma[c];
          meanG += g;
          meanGX += g * xhat[at];
          dGamma[c] += dy[at] * xhat[at];
          dBeta[c] += dy[at];
        }
        if (!dx) continue;
        meanG /= p.channels;
        meanGX /= p.channels;
        const inv = invStd[n * plane + i];
        for (let c = 0; c < p.channels; c++) {
          const at = base + c * plane + i;
          dx[at] = (dy[at] * gamma[c] - meanG - xhat[at] * meanGX) * inv;
        }
      }
    }
    return { inputs: [dx], params: { weight: dGamma, bias: dBeta } };
  },
};
