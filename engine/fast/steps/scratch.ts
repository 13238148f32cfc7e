// What one step needs of scratch, from its node alone (before anything is prepared), by
// the same formulas the steps reserve with: each op's `fast.scratch` (engine/ops), summed
// up for the memory budget by engine/fast/scratch.ts. An upper bound: the GEMM's register
// tile is taken at its largest, and a layer fused into an fc-like product still counts a
// GEMM's panel.

import type { NodeOf } from "../../../analysis/types";
import { windowGeometry } from "../../geometry";
import { gemmConvScratch, gemmThreadPlan } from "./conv";
import { DEFAULT_GRAIN, partCount } from "../threads/split";
import { direct3Scratch, direct3x3 } from "./depthwise";
import { paddedWindow, poolsInPlace } from "./context";
import { byBlocks, winogradFits, winogradLayout } from "./winograd";
import { polyphaseFits, polyphaseScratch } from "./polyphase";
import { stridedFits, stridedScratch } from "./strided";

/** bytes all threads share and bytes each thread needs of its own */
export interface StepScratch {
  shared: number;
  local: number;
  /**
   * with threads: the step's first phase can run with the step before it (its `head`,
   * steps/context.ts), its shared scratch then after another step's (engine/fast/network.ts)
   */
  head?: boolean;
}

/** the GEMM tile's most rows (6 with relaxed SIMD, else 4) */
const MR_MOST = 6;

/** a pooling window's padded copy (none when it pools its input in place) */
export function poolScratch(node: NodeOf<"maxpool" | "avgpool">): StepScratch {
  const g = windowGeometry(node);
  return { shared: poolsInPlace(g) ? 0 : paddedWindow(g).bytes, local: 0 };
}

/** a convolution's (`depthwise`: the op compiles it as one): depthwise, Winograd or GEMM, as the step will be compiled on `threads` */
export function convScratch(conv: NodeOf<"conv" | "dwconv">, threads: number, depthwise: boolean): StepScratch {
  const g = windowGeometry(conv, conv.attrs.groups);
  if (depthwise) return { shared: direct3x3(g) ? direct3Scratch(g) : paddedWindow(g).bytes, local: 0, head: threads > 1 && g.outChannels === g.inChannels };
  if (polyphaseFits(conv)) return polyphaseScratch(g, MR_MOST, threads);
  if (stridedFits(conv)) return stridedScratch(g, MR_MOST, threads);
  if (winogradFits({ head: conv } as Parameters<typeof winogradFits>[0])) {
    const w = winogradLayout(g, MR_MOST, threads);
    const block = w.vBytes + w.mBytes;
    if (threads <= 1) return { shared: w.padBytes + block + w.tmpBytes, local: 0 };
    return byBlocks(w.blocks, threads) ? { shared: w.padBytes, local: block + w.tmpBytes, head: true } : { shared: w.padBytes + block, local: w.tmpBytes, head: true };
  }
  const s = gemmConvScratch(g, MR_MOST);
  if (threads <= 1) return { shared: s.padBytes + s.panelBytes + s.tileBytes, local: 0 };
  // B packed once for all threads where the step will (steps/conv.ts, at the default grain)
  const Kg = g.outChannels / g.groups;
  const Kd = (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
  const N = g.outHeight * g.outWidth;
  const parts = Math.max(1, Math.round(partCount(g.groups * Kg * Kd * N, { threads, grain: DEFAULT_GRAIN }) / g.groups));
  const plan = gemmThreadPlan(parts, Kg, Kd, N, s.direct, g.groups);
  return { shared: s.padBytes + plan.panelsBytes, local: s.panelBytes + s.tileBytes, head: s.padded };
}
