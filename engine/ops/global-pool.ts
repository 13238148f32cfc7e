// gap and gmp: global pooling, one number per channel — the mean (GlobalAveragePool)
// or the largest value (GlobalMaxPool; NaN wins, as in PyTorch).

import type { Floats } from "../api";
import type { NodeOf } from "../../analysis/types";
import { planesOf, sizeOf, type Planes } from "../tensor";
import { like } from "./shared";
import type { Op } from "./types";
import { byRanges } from "../fast/threads/split";
import { trainSlots } from "../train/slots";
import { gapKernel, gmpKernel } from "../train/kernels/pool";

export function globalAverage<T extends Floats>(input: T, p: Planes): T {
  const plane = p.height * p.width;
  const out = like(input, p.channels);
  for (let c = 0; c < p.channels; c++) {
    let sum = 0;
    for (let i = c * plane, end = i + plane; i < end; i++) sum += input[i];
    out[c] = sum / plane;
  }
  return out;
}

export function globalMax<T extends Floats>(input: T, p: Planes): T {
  const plane = p.height * p.width;
  const out = like(input, p.channels);
  for (let c = 0; c < p.channels; c++) {
    let best = -Infinity;
    for (let i = c * plane, end = i + plane; i < end; i++) if (input[i] > best || Number.isNaN(input[i])) best = input[i];
    out[c] = best;
  }
  return out;
}

function globalPool<K extends "gap" | "gmp">(kind: K, reduce: typeof globalAverage, onnxOp: string, max: 0 | 1): Op<K> {
  return {
    kind,
    // gmp: the index of each plane's maximum
    ...(max ? { trainKept: (node: NodeOf<K>) => sizeOf(node.output) } : {}),
    reference: { forward: ({ node, inputs: [x] }) => reduce(x, planesOf(node.input!)), ...trainSlots(max ? gmpKernel : gapKernel) },
    fast: {
      compile(step, ctx) {
        const p = planesOf(step.head.input!);
        const plane = p.height * p.width;
        const channels = (at: { inputs: number[]; output: number }, c0: number, c1: number) => ctx.lib.k.global_pool({ dst: at.output + 4 * c0, src: at.inputs[0] + 4 * c0 * plane, channels: c1 - c0, plane, max });
        return ["global-pool", byRanges({ scratchBytes: 0, run: (at) => channels(at, 0, p.channels) }, ctx, p.channels, p.channels * plane, channels)];
      },
    },
    onnx: { export: (e) => e.emit(onnxOp, [e.inputs[0]]) },
  };
}

export const gap = globalPool("gap", globalAverage, "GlobalAveragePool", 0);
export const gmp = globalPool("gmp", globalMax, "GlobalMaxPool", 1);
