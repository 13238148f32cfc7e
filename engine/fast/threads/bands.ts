// Several steps in one phase, band by band (MobileNetV2's inverted residuals): a 3×3
// depthwise (or a 1×1) and the 1×1 convolutions after it, each part computing the same
// range of output positions of every one of them in turn — the depthwise over the rows
// that hold its range, then the projection of that range, then the next block's
// expansion of it. One join for the chain instead of one (or two) a step, and a part's
// volumes stay in its core's cache between the steps.
//
// Off by default (PrepareOptions.chains): measured on MobileNetV2 (issue 16, session 5,
// under load), its parts run alone cost the same as the steps' parts (±5 %, min of 40:
// the volumes between the steps were not what held these kernels back), and two threads
// ran no faster with 20 joins a run than with 63 — its few big parts at 28×28 and below
// balance worse when a core is taken away. `npm run bench -- --engines ours,ours-chains`
// compares them on a quiet machine.
//
// Where it is safe: a step after the first is pointwise (its position p reads position p
// of its inputs, nothing else), on the first's grid, so a part only reads what it wrote
// itself or what was made before the phase. The values a chain reads live, for the
// arena, until its last step and those it writes from its first (network.ts), so no
// part writes over what another part still reads.

import type { Bands } from "../steps/context";
import { NR } from "../../wasm/kernels/gemm";
import { partCount, partRange } from "./split";

/** one chain: schedule entries [first, first + bands.length) and its cut */
export interface Chain {
  first: number;
  bands: Bands[];
  /** parts of the phase; part i computes positions partRange(N, count, i, NR) */
  count: number;
}

/** how far the busiest thread of a chain's parts may be above an even share of its work */
export const TOLERANCE = 1.1;

/** what a chain's parts may hold in a core's L2 cache (bytes of outputs a part writes) */
export const BAND_BYTES = 256 << 10;

/**
 * The chains of a schedule: runs of two or more entries with bands, the first any, the
 * rest pointwise on its grid, each reading only values made before the run or by an
 * earlier entry of it. `steps[i]`: the values entry i reads and writes (null: an entry
 * no chain may take, such as an alias).
 */
export function findChains(
  entries: { bands?: Bands; inputs: number[]; output: number; channels: number }[],
  ctx: { threads: number; grain: number },
): Chain[] {
  const chains: Chain[] = [];
  let i = 0;
  while (i < entries.length) {
    const head = entries[i].bands;
    if (!head) {
      i++;
      continue;
    }
    let end = i + 1;
    const written = new Set<number>([entries[i].output]);
    while (end < entries.length) {
      const b = entries[end].bands;
      if (!b || !b.pointwise || b.height !== head.height || b.width !== head.width) break;
      // its main input must be a volume of this chain (else it starts a chain of its own)
      if (!written.has(entries[end].inputs[0])) break;
      written.add(entries[end].output);
      end++;
    }
    if (end - i >= 2) {
      const members = entries.slice(i, end);
      const count = chainParts(members.map((m) => m.bands!), members.map((m) => m.channels), ctx);
      if (count > 1) chains.push({ first: i, bands: members.map((m) => m.bands!), count });
    }
    i = end;
  }
  return chains;
}

/** what part [n0, n1) of a chain costs (its first step's rows when it is not pointwise) */
function partCost(bands: Bands[], n0: number, n1: number): number {
  let cost = 0;
  for (const b of bands) {
    const positions = b.pointwise ? n1 - n0 : (Math.ceil(n1 / b.width) - Math.floor(n0 / b.width)) * b.width;
    cost += b.fixed + b.work * positions;
  }
  return cost;
}

/**
 * The parts a chain is cut into: at least enough that a part's outputs fit BAND_BYTES (or
 * the threads), at most what partCount allows; among those the count whose busiest thread
 * (parts claimed in order by whichever is free first) has the least to do, a part's fixed
 * costs and a depthwise's shared rows counted. 1: the chain is not worth it (the steps
 * then run phase by phase).
 */
export function chainParts(bands: Bands[], channels: number[], ctx: { threads: number; grain: number }): number {
  const N = bands[0].height * bands[0].width;
  const units = Math.ceil(N / NR);
  const total = partCost(bands, 0, N);
  const most = partCount(total, ctx, units);
  if (most < ctx.threads) return 1;
  const bytes = 4 * N * channels.reduce((a, c) => a + c, 0);
  const least = Math.min(most, Math.max(ctx.threads, Math.ceil(bytes / BAND_BYTES)));
  let best = 1;
  let bestSpan = Infinity;
  let bestScore = Infinity;
  for (let n = ctx.threads; n <= most; n++) {
    const free = new Array(ctx.threads).fill(0);
    for (let p = 0; p < n; p++) {
      const [n0, n1] = partRange(N, n, p, NR);
      const k = free.indexOf(Math.min(...free));
      free[k] += partCost(bands, n0, n1);
    }
    const span = Math.max(...free);
    // fewer parts than keep a part's outputs in cache: a little worse than the span says
    const score = span * (n < least ? 1.03 : 1);
    if (score < bestScore) [best, bestSpan, bestScore] = [n, span, score];
  }
  // worth it only when the busiest thread does about its share (a 7×7 plane's few rows may not split evenly)
  return bestSpan <= TOLERANCE * (total / ctx.threads) ? best : 1;
}

/** part `part` of a chain of `count`: output positions [n0, n1), starting on a whole register tile */
export function chainRange(bands: Bands[], count: number, part: number): [number, number] {
  return partRange(bands[0].height * bands[0].width, count, part, NR);
}
