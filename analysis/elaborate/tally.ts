// The network's running totals: params, MACs, activation bytes and layers of every node
// elaborated — expanded into the graph or not (a block use reused past the layer cap
// adds its totals without nodes). Summed as doubles while that is exact (one conversion
// per node, no bigint arithmetic on the hot path), as bigints from the first sum past 2^53.

import { elementCount } from "../format";
import type { Shape } from "../types";

/** Exact sums. */
export interface Totals {
  params: bigint;
  macs: bigint;
  /** Σ of every node's output, float32 */
  bytes: bigint;
  /** layer nodes (not the input, not add/concat) */
  layers: bigint;
}

/** The tally at one moment: a template's or a composite statement's totals are the difference of two. */
export interface Mark {
  p: number;
  m: number;
  b: number;
  l: number;
  /** set once the tally went exact-bigint */
  big: Totals | null;
}

const SAFE = Number.MAX_SAFE_INTEGER;

export class Tally {
  // -0 is not a small integer: the fields are doubles from the start, so the class's map
  // never changes when a sum passes 2^31 (a map reached only by a weak transition dies
  // at the next full GC, and the code that checked it is thrown away: "weak objects")
  p = -0;
  m = -0;
  b = -0;
  l = -0;
  big: Totals | null = null;

  reset(): void {
    this.p = 0;
    this.m = 0;
    this.b = 0;
    this.l = 0;
    this.big = null;
  }

  node(params: bigint, macs: bigint, output: Shape, layer: boolean): void {
    // a count past 2^53 converts to a double past it too (rounding is monotonic), so one
    // conversion both tests and sums
    const p = Number(params);
    const m = Number(macs);
    const b = (output.kind === "volume" ? output.w * output.h * output.d : output.n) * 4;
    if (this.big === null) {
      const np = this.p + p;
      const nm = this.m + m;
      const nb = this.b + b;
      if (np <= SAFE && nm <= SAFE && nb <= SAFE) {
        this.p = np;
        this.m = nm;
        this.b = nb;
        if (layer) this.l++;
        return;
      }
      this.goBig();
    }
    const big = this.big!;
    big.params += params;
    big.macs += macs;
    big.bytes += elementCount(output) * 4n;
    if (layer) big.layers += 1n;
  }

  /** Add `times` × `t` (a reused block use, the remaining passes of a repeat). */
  add(t: Totals, times: bigint): void {
    if (this.big === null) {
      const k = Number(times);
      if (this.addDoubles(Number(t.params) * k, Number(t.macs) * k, Number(t.bytes) * k, Number(t.layers) * k)) return;
      this.goBig();
    }
    const big = this.big!;
    big.params += t.params * times;
    big.macs += t.macs * times;
    big.bytes += t.bytes * times;
    big.layers += t.layers * times;
  }

  /** Add `times` × what was tallied between two marks (a template's elaboration). */
  addSpan(from: Mark, to: Mark, times: number): void {
    if (this.big === null && from.big === null && to.big === null && this.addDoubles((to.p - from.p) * times, (to.m - from.m) * times, (to.b - from.b) * times, (to.l - from.l) * times)) return;
    this.add(since(from, to), BigInt(times));
  }

  /** Adds the four (non-negative) to the double sums if every sum stays exact; false, nothing changed, if one would not. */
  private addDoubles(p: number, m: number, b: number, l: number): boolean {
    const np = this.p + p;
    const nm = this.m + m;
    const nb = this.b + b;
    const nl = this.l + l;
    if (!(np <= SAFE && nm <= SAFE && nb <= SAFE && nl <= SAFE)) return false;
    this.p = np;
    this.m = nm;
    this.b = nb;
    this.l = nl;
    return true;
  }

  private goBig(): void {
    this.big = { params: BigInt(this.p), macs: BigInt(this.m), bytes: BigInt(this.b), layers: BigInt(this.l) };
  }

  mark(): Mark {
    const big = this.big;
    return { p: this.p, m: this.m, b: this.b, l: this.l, big: big ? { params: big.params, macs: big.macs, bytes: big.bytes, layers: big.layers } : null };
  }

  /** Layers so far, as a double (exact below 2^53): for the layer cap. */
  layers(): number {
    return this.big ? Number(this.big.layers) : this.l;
  }

  totals(): Totals {
    return this.big ? { ...this.big } : { params: BigInt(this.p), macs: BigInt(this.m), bytes: BigInt(this.b), layers: BigInt(this.l) };
  }

  /** Params and MACs since `from` (a composite statement's). */
  countsSince(from: Mark): { params: bigint; macs: bigint } {
    if (this.big === null) return { params: BigInt(this.p - from.p), macs: BigInt(this.m - from.m) };
    const d = since(from, this.mark());
    return { params: d.params, macs: d.macs };
  }
}

function exact(mark: Mark): Totals {
  return mark.big ?? { params: BigInt(mark.p), macs: BigInt(mark.m), bytes: BigInt(mark.b), layers: BigInt(mark.l) };
}

/** Everything tallied between two marks. */
export function since(from: Mark, to: Mark): Totals {
  if (from.big === null && to.big === null) return { params: BigInt(to.p - from.p), macs: BigInt(to.m - from.m), bytes: BigInt(to.b - from.b), layers: BigInt(to.l - from.l) };
  const a = exact(from);
  const b = exact(to);
  return { params: b.params - a.params, macs: b.macs - a.macs, bytes: b.bytes - a.bytes, layers: b.layers - a.layers };
}
