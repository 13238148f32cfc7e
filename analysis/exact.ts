// The receptive field's sizes and jumps, exact (spec §6, in the counting rules' spirit:
// exact integers past 2^53). r₂ = r₁ + (F'−1)·j₁ and j₂ = j₁·S are integers until an
// upsampling divides the jump; then they are fractions. A value is
//   - a number while it is a safe integer (the fast path: every ordinary network),
//   - a bigint past 2^53,
//   - a Fraction n/d in lowest terms (d > 1) after an upsampling,
//   - Infinity past 2^1024, where a float would be too (a field no input can have; it keeps
//     a text like `repeat 10000 { repeat 10000 { conv 1 1x1 stride 2 } }` from building
//     numbers of 10⁸ bits).
// One value has one form, so values compare with ===/deepEqual, and a reused elaboration
// (the affine map of a template, graph.ts movedField/fieldAfter) gives the digits a fresh
// one gives step by step. Past 2^1024 in a denominator (a jump below 2^-1024 pixels) the
// value is the nearest float, as it was before.

export interface Fraction {
  readonly n: bigint;
  readonly d: bigint;
}

export type FieldValue = number | bigint | Fraction;

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const LIMIT = 1n << 1024n;

const isFraction = (v: FieldValue): v is Fraction => typeof v === "object";

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const abs = (v: bigint) => (v < 0n ? -v : v);

/** a float for n/d, even when both are past what a float holds */
function ratioFloat(n: bigint, d: bigint): number {
  const shift = BigInt(Math.max(0, Math.max(abs(n).toString(2).length, d.toString(2).length) - 1000));
  return Number(n >> shift) / Number(d >> shift);
}

/** n/d in its one form */
function exact(n: bigint, d = 1n): FieldValue {
  if (d < 0n) [n, d] = [-n, -d];
  if (d !== 1n) {
    const g = gcd(abs(n), d);
    if (g !== 1n) [n, d] = [n / g, d / g];
  }
  if (d === 1n) {
    const a = abs(n);
    if (a <= SAFE) return Number(n);
    if (a <= LIMIT) return n;
    return n < 0n ? -Infinity : Infinity;
  }
  if (abs(n) / d > LIMIT) return n < 0n ? -Infinity : Infinity;
  if (d > LIMIT) return ratioFloat(n, d);
  return { n, d };
}

/** a float result: ∞ − ∞ (a field past a float moved by another) is past a float too, not NaN */
const beyond = (v: number) => (Number.isNaN(v) ? Infinity : v);

/** whether v is held exactly (a number only when it is a safe integer) */
const held = (v: FieldValue) => typeof v !== "number" || Number.isSafeInteger(v);

/** v as numerator and denominator (v held exactly) */
function parts(v: FieldValue): [bigint, bigint] {
  if (typeof v === "number") return [BigInt(v), 1n];
  if (typeof v === "bigint") return [v, 1n];
  return [v.n, v.d];
}

/** the nearest float */
export function fieldNumber(v: FieldValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return ratioFloat(v.n, v.d);
}

export function fieldAdd(a: FieldValue, b: FieldValue): FieldValue {
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  if (!held(a) || !held(b)) return beyond(fieldNumber(a) + fieldNumber(b));
  const [an, ad] = parts(a);
  const [bn, bd] = parts(b);
  return exact(an * bd + bn * ad, ad * bd);
}

export function fieldSub(a: FieldValue, b: FieldValue): FieldValue {
  return fieldAdd(a, fieldMul(b, -1));
}

export function fieldMul(a: FieldValue, b: FieldValue): FieldValue {
  if (typeof a === "number" && typeof b === "number") {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r;
  }
  // (a 1×1 window adds nothing, even to a field past a float: 0·∞ is 0 here)
  if (a === 0 || b === 0) return 0;
  if (!held(a) || !held(b)) return beyond(fieldNumber(a) * fieldNumber(b));
  const [an, ad] = parts(a);
  const [bn, bd] = parts(b);
  return exact(an * bn, ad * bd);
}

export function fieldDiv(a: FieldValue, b: FieldValue): FieldValue {
  if (typeof a === "number" && typeof b === "number" && Number.isSafeInteger(a) && Number.isSafeInteger(b) && b !== 0 && a % b === 0) return a / b;
  if (!held(a) || !held(b)) return beyond(fieldNumber(a) / fieldNumber(b));
  const [an, ad] = parts(a);
  const [bn, bd] = parts(b);
  if (bn === 0n) return an === 0n ? NaN : an < 0n ? -Infinity : Infinity;
  return exact(an * bd, ad * bn);
}

/** a < b: -1, a = b: 0, a > b: 1 */
export function fieldCompare(a: FieldValue, b: FieldValue): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (!held(a) || !held(b)) {
    const x = fieldNumber(a);
    const y = fieldNumber(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const [an, ad] = parts(a);
  const [bn, bd] = parts(b);
  const l = an * bd;
  const r = bn * ad;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function fieldMax(a: FieldValue, b: FieldValue): FieldValue {
  return fieldCompare(a, b) >= 0 ? a : b;
}

export function fieldEquals(a: FieldValue, b: FieldValue): boolean {
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  return a.n === b.n && a.d === b.d;
}

/**
 * As the hover (`trim`: `1.5`, `0.33`) and the summary table (`1.50`) write it: an integer
 * in full, digit for digit past 2^53; a fraction to two decimals.
 */
export function fieldText(v: FieldValue, trim = true): string {
  if (typeof v === "bigint") return v.toString();
  let s: string;
  if (typeof v === "number") {
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    s = v.toFixed(2);
  } else {
    // rounded to hundredths, exactly (half up)
    const hundredths = (v.n * 200n + v.d) / (2n * v.d);
    s = `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, "0")}`;
  }
  return trim && s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** for JSON: an integer as it is (toJson writes a bigint's digits), a fraction as its nearest float */
export function fieldJson(v: FieldValue): number | bigint {
  return isFraction(v) ? fieldNumber(v) : v;
}

/** a value read back from its serialized form (a bigint as its digits, a fraction as {n, d} in digits, Infinity as null) */
export function fieldFromWire(v: unknown): FieldValue | undefined {
  if (v === null) return Infinity;
  if (typeof v === "number") return Number.isNaN(v) ? undefined : v;
  if (typeof v === "string" && /^-?\d+$/.test(v) && v.length <= 700) return exact(BigInt(v));
  if (typeof v === "object" && v !== null) {
    const { n, d } = v as { n?: unknown; d?: unknown };
    if (typeof n === "string" && typeof d === "string" && /^-?\d+$/.test(n) && /^\d+$/.test(d) && d !== "0" && n.length <= 700 && d.length <= 700) return exact(BigInt(n), BigInt(d));
  }
  return undefined;
}
