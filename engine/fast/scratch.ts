// The fast executor's scratch for a network, from its graph alone (the memory budget
// asks before anything is prepared): the largest shared scratch of any step (padded
// copies, Winograd's V and M when the threads share a block, B packed once for all
// threads where the GEMM's plan says so) and the largest scratch one thread needs of
// its own (B panels, a Winograd block per thread), by the same formulas the steps
// reserve with. An upper bound: the GEMM's register tile is taken at
// its largest, and a layer fused into an fc-like product still counts a GEMM's panel.

import type { GraphNode, NodeOf } from "../../analysis/types";
import { windowGeometry } from "../geometry";
import { isDepthwise } from "../ops/conv";
import { gemmConvScratch, gemmThreadPlan } from "./steps/conv";
import { DEFAULT_GRAIN, partCount } from "./threads/split";
import { direct3Scratch, direct3x3 } from "./steps/depthwise";
import { paddedWindow } from "./steps/context";
import { byBlocks, winogradFits, winogradLayout } from "./steps/winograd";

/** the GEMM tile's most rows (6 with relaxed SIMD, else 4) */
const MR_MOST = 6;

export interface ScratchNeed {
  /** scratch all threads share (the largest step's) */
  shared: number;
  /** scratch each thread needs of its own (the largest step's) */
  local: number;
  /** shared + threads × local, the threads' control block and recorded calls */
  total: number;
}

function ofNode(node: GraphNode, threads: number): { shared: number; local: number } {
  if (node.op === "maxpool" || node.op === "avgpool") return { shared: paddedWindow(windowGeometry(node)).bytes, local: 0 };
  if (node.op !== "conv" && node.op !== "dwconv") return { shared: 0, local: 0 };
  const conv = node as NodeOf<"conv" | "dwconv">;
  const g = windowGeometry(conv, conv.attrs.groups);
  if (isDepthwise(conv)) return { shared: direct3x3(g) ? direct3Scratch(g) : paddedWindow(g).bytes, local: 0 };
  if (winogradFits({ head: conv } as Parameters<typeof winogradFits>[0])) {
    const w = winogradLayout(g, MR_MOST, threads);
    const block = w.vBytes + w.mBytes;
    if (threads <= 1) return { shared: w.padBytes + block + w.tmpBytes, local: 0 };
    return byBlocks(w.blocks, threads) ? { shared: w.padBytes, local: block + w.tmpBytes } : { shared: w.padBytes + block, local: w.tmpBytes };
  }
  const s = gemmConvScratch(g, MR_MOST);
  if (threads <= 1) return { shared: s.padBytes + s.panelBytes + s.tileBytes, local: 0 };
  // B packed once for all threads where the step will (steps/conv.ts, at the default grain)
  const Kg = g.outChannels / g.groups;
  const Kd = (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
  const N = g.outHeight * g.outWidth;
  const parts = Math.max(1, Math.round(partCount(g.groups * Kg * Kd * N, { threads, grain: DEFAULT_GRAIN }) / g.groups));
  const plan = gemmThreadPlan(parts, Kg, Kd, N, s.direct, g.groups);
  return { shared: s.padBytes + plan.panelsBytes, local: s.panelBytes + s.tileBytes };
}

export function scratchNeed(graph: GraphNode[], threads = 1): ScratchNeed {
  let shared = 0;
  let local = 0;
  let programs = 0;
  for (const node of graph) {
    const s = ofNode(node, threads);
    shared = Math.max(shared, s.shared);
    local = Math.max(local, s.local);
    // a step's recorded calls: a few parts per thread, a few calls of some 20 numbers each
    if (threads > 1) programs += 8 * threads * 4 * 3 * 64;
  }
  const total = threads > 1 ? shared + threads * Math.max(64, local) + 64 + programs : shared + local;
  return { shared, local, total };
}
