// maxpool and avgpool (PyTorch MaxPool2d, AvgPool2d): a window per channel. Max: padding
// counts as −∞ (never chosen), windows may be dilated, NaN wins. Average, as
// count_include_pad=True: the divisor counts the zero padding, but not the part of a
// ceil-mode window that hangs past the padding — per axis the window is
// [start, min(start + F, size + P_after)), then clipped to the input for the sum.
// In ceil mode the last window may hang over the edge (the analysis has already decided
// how many windows there are).

import type { Floats } from "../api";
import { windowGeometry, type WindowGeometry } from "../geometry";
import { paddedWindow, poolsInPlace, type Addresses, type CompiledStep, type BuildContext, type StepOf } from "../fast/steps/context";
import { byRanges, COST } from "../fast/threads/split";
import { poolScratch } from "../fast/steps/scratch";
import { sizeOf } from "../tensor";
import { like, onnxWindow } from "./shared";
import type { Op } from "./types";
import { trainSlots } from "../train/slots";
import { avgpoolKernel, maxpoolKernel } from "../train/kernels/pool";
import { fastAvgpool, fastMaxpool } from "../train/fast/layers";

export function maxpool<T extends Floats>(input: T, g: WindowGeometry): T {
  const outPlane = g.outHeight * g.outWidth;
  const out = like(input, g.inChannels * outPlane);
  for (let c = 0; c < g.inChannels; c++) {
    const plane = c * g.inHeight * g.inWidth;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      for (let ox = 0; ox < g.outWidth; ox++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        let best = -Infinity;
        for (let fy = 0; fy < g.kernelHeight; fy++) {
          const iy = y0 + fy * g.dilationHeight;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let fx = 0; fx < g.kernelWidth; fx++) {
            const ix = x0 + fx * g.dilationWidth;
            if (ix < 0 || ix >= g.inWidth) continue;
            const v = input[plane + iy * g.inWidth + ix];
            // NaN wins, as in PyTorch
            if (v > best || Number.isNaN(v)) best = v;
          }
        }
        out[c * outPlane + oy * g.outWidth + ox] = best;
      }
    }
  }
  return out;
}

export function avgpool<T extends Floats>(input: T, g: WindowGeometry): T {
  const outPlane = g.outHeight * g.outWidth;
  const out = like(input, g.inChannels * outPlane);
  for (let c = 0; c < g.inChannels; c++) {
    const plane = c * g.inHeight * g.inWidth;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const yStart = oy * g.strideHeight - g.padTop;
      const yEnd = Math.min(yStart + g.kernelHeight, g.inHeight + g.padBottom);
      const y0 = Math.max(yStart, 0);
      const y1 = Math.min(yEnd, g.inHeight);
      for (let ox = 0; ox < g.outWidth; ox++) {
        const xStart = ox * g.strideWidth - g.padLeft;
        const xEnd = Math.min(xStart + g.kernelWidth, g.inWidth + g.padRight);
        const x0 = Math.max(xStart, 0);
        const x1 = Math.min(xEnd, g.inWidth);
        const count = (yEnd - yStart) * (xEnd - xStart);
        let sum = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) sum += input[plane + iy * g.inWidth + ix];
        out[c * outPlane + oy * g.outWidth + ox] = sum / count;
      }
    }
  }
  return out;
}

/**
 * kernels/window.ts over the input itself where no padding is needed (poolsInPlace), else
 * over a padded copy: −∞ around a max pool, zeros around an average (which divides by the
 * window clipped to the padding, as PyTorch counts it).
 */
function compileWindowPool(step: StepOf<"maxpool" | "avgpool">, ctx: BuildContext): CompiledStep {
  const g = windowGeometry(step.head);
  const { lib } = ctx;
  const avg = step.head.op === "avgpool";
  const { Hp, Wp, bytes } = paddedWindow(g);
  const inPlace = poolsInPlace(g);
  const plane = Hp * Wp;
  const outPlane = g.outHeight * g.outWidth;
  // channels [c0, c1): padded, then pooled (threads take ranges of channels)
  const channels = ({ inputs, output, scratch }: Addresses, c0: number, c1: number) => {
    const src = inputs[0] + 4 * c0 * g.inHeight * g.inWidth;
    if (!inPlace) {
      lib.k.pad({
        dst: scratch + 4 * c0 * plane, src, channels: c1 - c0, height: g.inHeight, width: g.inWidth,
        top: g.padTop, left: g.padLeft, paddedHeight: Hp, paddedWidth: Wp, value: avg ? 0 : -Infinity,
      });
    }
    lib.k.pool({
      dst: output + 4 * c0 * outPlane, src: inPlace ? src : scratch + 4 * c0 * plane, channels: c1 - c0, outHeight: g.outHeight, outWidth: g.outWidth,
      paddedHeight: Hp, paddedWidth: Wp, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, strideHeight: g.strideHeight, strideWidth: g.strideWidth,
      dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth, average: avg ? 1 : 0, hEnd: g.inHeight + g.padBottom, wEnd: g.inWidth + g.padRight,
      top: g.padTop, left: g.padLeft,
    });
  };
  const compiled: CompiledStep = { scratchBytes: inPlace ? 0 : bytes, run: (at) => channels(at, 0, g.inChannels) };
  return byRanges(compiled, ctx, g.inChannels, g.inChannels * ((inPlace ? 0 : plane * COST.copy) + outPlane * g.kernelHeight * g.kernelWidth * COST.tap), channels);
}

export const maxpoolOp: Op<"maxpool"> = {
  kind: "maxpool",
  // the index of each window's maximum
  trainKept: (node) => sizeOf(node.output),
  reference: { forward: ({ node, inputs: [x] }) => maxpool(x, windowGeometry(node)), ...trainSlots(maxpoolKernel) },
  fast: { compile: (step, ctx) => ["pool", compileWindowPool(step, ctx)], scratch: poolScratch, backward: fastMaxpool },
  onnx: { export: (e) => e.emit("MaxPool", [e.inputs[0]], { ...onnxWindow(e.node.attrs), ceil_mode: e.node.attrs.ceil ? 1 : 0 }) },
};

export const avgpoolOp: Op<"avgpool"> = {
  kind: "avgpool",
  reference: { forward: ({ node, inputs: [x] }) => avgpool(x, windowGeometry(node)), ...trainSlots(avgpoolKernel) },
  fast: { compile: (step, ctx) => ["pool", compileWindowPool(step, ctx)], scratch: poolScratch, backward: fastAvgpool },
  onnx: {
    export(e) {
      const { kernel_shape, strides, pads } = onnxWindow(e.node.attrs);
      return e.emit("AveragePool", [e.inputs[0]], { kernel_shape, strides, pads, ceil_mode: e.node.attrs.ceil ? 1 : 0, count_include_pad: 1 });
    },
  },
};
