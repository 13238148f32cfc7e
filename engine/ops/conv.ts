// conv and dwconv (PyTorch Conv2d; dwconv is Conv2d with groups = C): one family, the
// same tensors and the same math. Cross-correlation (the filter is not flipped), zero
// padding, stride, dilation and groups, every axis on its own:
// out[k][y][x] = bias[k] + Σ_c Σ_fy Σ_fx w[k][c][fy][fx] · in[c][y·S_h − P_top + fy·d_h][x·S_w − P_left + fx·d_w]

import type { GraphNode, NodeOf } from "../../analysis/types";
import type { Floats } from "../api";
import { windowGeometry, type WindowGeometry } from "../geometry";
import { gemm } from "../kernels/gemm";
import { planesOf } from "../tensor";
import { poolFolds, type StepOf } from "../fast/steps/context";
import { compileGemmConv } from "../fast/steps/conv";
import { compileDepthwise } from "../fast/steps/depthwise";
import { compileFc } from "../fast/steps/fc";
import { compileWinograd, winogradFits } from "../fast/steps/winograd";
import { compilePolyphase, polyphaseFits } from "../fast/steps/polyphase";
import { compileStrided, stridedFits } from "../fast/steps/strided";
import { convScratch } from "../fast/steps/scratch";
import { like, need, onnxWindow, weightAndBias } from "./shared";
import type { Op } from "./types";
import { trainSlots } from "../train/slots";
import { convKernel } from "../train/kernels/window";
import { fastConv } from "../train/fast/layers";

type ConvKind = "conv" | "dwconv";
type ConvNode = NodeOf<ConvKind>;

/** one filter per input channel (groups = D₁): the depthwise kernels run it */
export function isDepthwise(node: ConvNode): boolean {
  const groups = node.attrs.groups;
  return groups > 1 && node.input?.kind === "volume" && groups === node.input.d;
}

/** about 1 MB of unrolled input per tile: big enough to amortise, small enough for cache */
const PANEL_FLOATS = 1 << 18;

/**
 * Convolution as a matrix product per group: the filters (K/G × C/G·F_h·F_w) times the
 * input unrolled into columns (im2col), a tile of output positions at a time.
 */
export function conv2d<T extends Floats>(input: T, weight: Floats, bias: Floats | null, g: WindowGeometry): T {
  const positions = g.outHeight * g.outWidth;
  const out = like(input, g.outChannels * positions);
  if (bias) for (let k = 0; k < g.outChannels; k++) out.fill(bias[k], k * positions, (k + 1) * positions);
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  const rows = inPerGroup * g.kernelHeight * g.kernelWidth;
  const inPlane = g.inHeight * g.inWidth;
  const pointwise =
    g.kernelHeight === 1 && g.kernelWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight && g.outWidth === g.inWidth;
  const tile = Math.max(64, Math.min(positions, Math.floor(PANEL_FLOATS / rows)));
  const panel = pointwise ? null : like(input, rows * Math.min(tile, positions));
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
export function im2col(input: Floats, firstChannel: number, channels: number, g: WindowGeometry, first: number, count: number, panel: Floats): void {
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

/**
 * Depthwise convolution: output channel k filters input channel ⌊k/M⌋ alone (M = the
 * multiplier). A direct loop: the matrix form would multiply F_h·F_w-long rows, too
 * short to pay for the unrolling.
 */
export function depthwise<T extends Floats>(input: T, weight: Floats, bias: Floats | null, g: WindowGeometry): T {
  const multiplier = g.outChannels / g.inChannels;
  const outPlane = g.outHeight * g.outWidth;
  const inPlane = g.inHeight * g.inWidth;
  const taps = g.kernelHeight * g.kernelWidth;
  const out = like(input, g.outChannels * outPlane);
  for (let k = 0; k < g.outChannels; k++) {
    const src = Math.floor(k / multiplier) * inPlane;
    const w = k * taps;
    const b = bias ? bias[k] : 0;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      for (let ox = 0; ox < g.outWidth; ox++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        let sum = 0;
        for (let fy = 0; fy < g.kernelHeight; fy++) {
          const iy = y0 + fy * g.dilationHeight;
          if (iy < 0 || iy >= g.inHeight) continue;
          const r = src + iy * g.inWidth;
          const wr = w + fy * g.kernelWidth;
          for (let fx = 0; fx < g.kernelWidth; fx++) {
            const ix = x0 + fx * g.dilationWidth;
            if (ix >= 0 && ix < g.inWidth) sum += weight[wr + fx] * input[r + ix];
          }
        }
        out[k * outPlane + oy * g.outWidth + ox] = sum + b;
      }
    }
  }
  return out;
}

/**
 * A convolution whose one window is the whole input (LeNet's C5: 5×5 over 5×5, one
 * output position) is a fully connected layer: PyTorch's [K][C][F_h][F_w] filters are
 * the [K][C·H·W] matrix, and the matrix–vector kernel runs it without im2col.
 */
function coversWholeInput(step: StepOf<ConvKind>): boolean {
  const g = windowGeometry(step.head, step.head.attrs.groups);
  return (
    step.pool === null && g.groups === 1 && g.outHeight === 1 && g.outWidth === 1 && g.kernelHeight === g.inHeight && g.kernelWidth === g.inWidth &&
    g.padTop + g.padBottom + g.padLeft + g.padRight === 0 && step.residual === null
  );
}

/**
 * An average pool after a convolution folds into it (steps/context.ts foldPool) when the
 * convolution runs as a GEMM (not depthwise, not Winograd's 3×3) and the folded filter is
 * smaller than the filter times the pool window.
 */
function poolFoldsInto(node: ConvNode, next: GraphNode): boolean {
  if (next.op !== "avgpool" || node.op !== "conv" || isDepthwise(node) || winogradFits({ head: node } as StepOf<ConvKind>) || polyphaseFits(node) || stridedFits(node)) return false;
  return poolFolds(windowGeometry(node, node.attrs.groups), windowGeometry(next as NodeOf<"avgpool">));
}

function convOp<K extends ConvKind>(kind: K): Op<K> {
  return {
    kind,
    // [K][C/G][F_h][F_w]; fan_in C/G·F_h·F_w, as torch.nn.init computes it
    params(node) {
      const a = node.attrs;
      const [kw, kh] = a.kernel;
      const input = planesOf(node.input!);
      const k = planesOf(node.output).channels;
      const perGroup = input.channels / a.groups;
      return weightAndBias(node, [k, perGroup, kh, kw], perGroup * kh * kw, a.bias ? { dims: [k] } : null, a);
    },
    // the unrolled columns: C·F_h·F_w values per output position
    trainKept(node) {
      const [kw, kh] = node.attrs.kernel;
      const positions = node.output.kind === "volume" ? node.output.w * node.output.h : 1;
      return planesOf(node.input!).channels * kw * kh * positions;
    },
    // K filters of C/G × F_h × F_w
    filters(node, weightLength) {
      const [width, height] = node.attrs.kernel;
      const count = node.output.kind === "volume" ? node.output.d : 0;
      return count ? { count, channels: weightLength / (count * width * height), height, width } : null;
    },
    reference: {
      ...trainSlots(convKernel),
      forward({ node, inputs: [x], params }) {
        const g = windowGeometry(node, node.attrs.groups);
        const w = need(node, params, "weight");
        const b = node.attrs.bias ? need(node, params, "bias") : null;
        return isDepthwise(node) ? depthwise(x, w, b, g) : conv2d(x, w, b, g);
      },
    },
    fast: {
      compile(step, ctx) {
        if (isDepthwise(step.head)) return ["depthwise", compileDepthwise(step, ctx)];
        if (coversWholeInput(step)) return ["fc", compileFc(step, ctx)];
        if (polyphaseFits(step.head)) return ["polyphase", compilePolyphase(step, ctx)];
        if (stridedFits(step.head)) return ["strided", compileStrided(step, ctx)];
        return winogradFits(step) ? ["winograd", compileWinograd(step, ctx)] : ["gemm", compileGemmConv(step, ctx)];
      },
      absorbs: { norm: true, activation: true, residual: (node) => node.op === "conv" && !isDepthwise(node), pool: poolFoldsInto },
      scratch: (node, threads) => convScratch(node, threads, isDepthwise(node)),
      backward: fastConv,
    },
    onnx: {
      export: (e) => e.emit("Conv", [e.inputs[0], ...e.weights()], { ...onnxWindow(e.node.attrs), group: e.node.attrs.groups }),
    },
  };
}

export const conv = convOp("conv");
export const dwconv = convOp("dwconv");
