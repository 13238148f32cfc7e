// How the editor words counts: `456 params`, `0.42 MMAC`, `1.14 GMAC`. Shapes and digit
// grouping come from analysis/format.ts; this only adds the editor's short forms.

import { decimal, grouped } from "../analysis";

export function paramsText(params: bigint): string {
  return `${grouped(params)} param${params === 1n ? "" : "s"}`;
}

/** Mult-adds in the unit the course and papers use: 0.42 MMAC, 1.81 GMAC (exact below 10,000). */
export function macsText(macs: bigint): string {
  if (macs < 10_000n) return `${grouped(macs)} MAC${macs === 1n ? "" : "s"}`;
  if (macs < 1_000_000_000n) return `${decimal(Number(macs) / 1e6)} MMAC`;
  if (macs < 1_000_000_000_000n) return `${decimal(Number(macs) / 1e9)} GMAC`;
  return `${decimal(Number(macs) / 1e12)} TMAC`;
}

export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}
