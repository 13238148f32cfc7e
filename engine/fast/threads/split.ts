// Cutting a step's work into parts for threads: how many parts a stretch of work is
// worth, and the ranges they cover. More parts than threads (PARTS_PER_THREAD each)
// let a thread whose core is busy elsewhere take fewer, since parts are claimed one by
// one; but a part must be big enough (the context's `grain`) to pay for its claim.

import type { Addresses, BuildContext, CompiledStep } from "../steps/context";

/** parts per thread a phase may be cut into, at most */
export const PARTS_PER_THREAD = 4;

/** the default grain: about 2¹⁸ multiply-adds (some 15 µs of one core) per part */
export const DEFAULT_GRAIN = 1 << 18;

/**
 * What one unit of other kinds of work costs, in the GEMM's multiply-adds (fastest of
 * 40 runs, one thread): a float through a Winograd input or output transform (1.1–1.3 ns
 * at ResNet-18's 28×28 stage, against 0.05 ns a multiply-add of its products), a float
 * of a padded copy (~0.8 ns), a depthwise or pooling tap (0.1–0.3 ns: small planes cost
 * the most). Counted as plain multiply-adds, a Winograd block's transforms and its
 * padded copy ran on one thread while the other waited (0.4–0.7 ms a layer). A float of
 * weights read again by one more part of a product (from L2 or L3, not registers): 2.
 */
export const COST = { transform: 24, copy: 12, tap: 4, weight: 2 } as const;

/**
 * How many parts `work` (multiply-adds, or floats moved) is worth with `threads` threads:
 * at most threads × PARTS_PER_THREAD and `most` (the units there are to share), each at
 * least `grain`; 1 on a single thread.
 */
export function partCount(work: number, ctx: { threads: number; grain: number }, most = Infinity): number {
  if (ctx.threads <= 1) return 1;
  const byWork = Math.floor(work / Math.max(1, ctx.grain));
  return Math.max(1, Math.min(ctx.threads * PARTS_PER_THREAD, most, byWork));
}

/**
 * Part `i` of `n` of the range [0, total): [start, end), starts on multiples of `align`
 * (the last part ends at `total`). With n ≤ ⌈total / align⌉ no part is empty.
 */
export function partRange(total: number, n: number, i: number, align = 1): [number, number] {
  const units = Math.ceil(total / align);
  const start = align * Math.floor((i * units) / n);
  const end = i === n - 1 ? total : Math.min(total, align * Math.floor(((i + 1) * units) / n));
  return [start, end];
}

/**
 * A step whose work is `units` independent units (channels, floats) as one phase of
 * ranges, when `work` is worth more than one part: `range(at, start, end)` does units
 * [start, end) (starts on multiples of `align`). Otherwise the step as it is.
 */
export function byRanges(
  compiled: CompiledStep,
  ctx: BuildContext,
  units: number,
  work: number,
  range: (at: Addresses, start: number, end: number) => void,
  align = 1,
): CompiledStep {
  const count = partCount(work, ctx, Math.ceil(units / align));
  if (count === 1) return compiled;
  return { ...compiled, phases: [{ count, run: (at, part) => range(at, ...partRange(units, count, part, align)) }] };
}
