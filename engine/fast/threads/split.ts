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
 * A multiply-add of a matrix–vector product (an fc: its weight streamed from memory and
 * used once, 0.2 ns against the GEMM's 0.05): 4 — counted as one, ResNet-18's fc (2 MB of
 * weights, 0.11 ms) ran on one thread while the other waited.
 */
export const COST = { transform: 24, copy: 12, tap: 4, weight: 2, stream: 4 } as const;

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
 *
 * With `threads` > 1 the parts are not all of a size: they go in rounds of `threads`
 * parts of one size, each round smaller than the one before (from 1.5 times the mean
 * size down to half of it), as threads claim them in order. Threads of one speed still
 * finish together; when one runs slower (its core busy with something else, its data in
 * the other core's cache), the other takes more of the small last parts instead of
 * waiting for a big one: with n equal parts a thread waits up to 1/n of the phase at its
 * end; here up to half that.
 */
export function partRange(total: number, n: number, i: number, align = 1, threads = 1): [number, number] {
  const units = Math.ceil(total / align);
  if (threads <= 1 || n <= threads) {
    const start = align * Math.floor((i * units) / n);
    const end = i === n - 1 ? total : Math.min(total, align * Math.floor(((i + 1) * units) / n));
    return [start, end];
  }
  // the boundaries up to part i's end: weights by round, and at least one unit a part while there are units enough
  const rounds = Math.ceil(n / threads);
  const weight = (k: number) => 1.5 - Math.floor(k / threads) / (rounds - 1);
  let all = 0;
  for (let k = 0; k < n; k++) all += weight(k);
  let sum = 0;
  let start = 0;
  let end = 0;
  for (let k = 0; k <= i; k++) {
    sum += weight(k);
    start = end;
    const at = k === n - 1 ? units : Math.floor((units * sum) / all);
    end = n <= units ? Math.max(start + 1, Math.min(at, units - (n - 1 - k))) : at;
  }
  return [align * start, i === n - 1 ? total : Math.min(total, align * end)];
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
  return { ...compiled, phases: [{ count, run: (at, part) => range(at, ...partRange(units, count, part, align, ctx.threads)) }] };
}
