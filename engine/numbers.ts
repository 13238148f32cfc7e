// Float32 values written the shortest way that reads back as the same float32:
// 0.1f prints as 0.1, not 0.10000000149011612 (so hand-computed results compare exactly).

export function float32Text(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
  if (Object.is(x, -0)) return "0";
  for (let digits = 1; digits <= 9; digits++) {
    const s = x.toPrecision(digits);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

/** the float32 value as a JSON-safe number with the shortest text (NaN/±∞ become null) */
export function float32Number(x: number): number | null {
  return Number.isFinite(x) ? Number(float32Text(x)) : null;
}
