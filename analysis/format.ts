// How numbers and shapes are written for people: 34,944 params; 28×28×6; 2.33.

import type { Shape } from "./types";

/** 1234567 → "1,234,567" (exact for bigint) */
export function grouped(n: bigint | number): string {
  const s = typeof n === "bigint" ? n.toString() : String(n);
  const neg = s.charCodeAt(0) === 45;
  const dot = s.indexOf(".");
  const intEnd = dot < 0 ? s.length : dot;
  const start = neg ? 1 : 0;
  if (intEnd - start <= 3) return s;
  let out = "";
  const first = (intEnd - start) % 3 || 3;
  out = s.slice(start, start + first);
  for (let i = start + first; i < intEnd; i += 3) out += "," + s.slice(i, i + 3);
  return (neg ? "-" : "") + out + s.slice(intEnd);
}

/** A real number with at most `digits` decimals, trailing zeros dropped: 2.333 → "2.33", 2.5 → "2.5". */
export function decimal(x: number, digits = 2): string {
  if (Number.isInteger(x)) return String(x);
  const s = x.toFixed(digits);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

export type ShapeFormat = "WxHxD" | "CxHxW";

/** 28×28×6 (W×H×D, the course's notation) or 6×28×28 (C×H×W, as PyTorch prints it) */
export function shapeText(shape: Shape | null, format: ShapeFormat = "WxHxD"): string {
  if (!shape) return "?";
  if (shape.kind === "vector") return String(shape.n);
  return format === "CxHxW" ? `${shape.d}×${shape.h}×${shape.w}` : `${shape.w}×${shape.h}×${shape.d}`;
}

export function shapeArray(shape: Shape | null): number[] | null {
  if (!shape) return null;
  return shape.kind === "vector" ? [shape.n] : [shape.w, shape.h, shape.d];
}

export function elementCount(shape: Shape): bigint {
  return shape.kind === "vector" ? BigInt(shape.n) : BigInt(shape.w) * BigInt(shape.h) * BigInt(shape.d);
}

/** 1_814_073_344 → "1.81 GMAC"-style scaled value: "1.81 G" */
export function scaled(n: bigint, digits = 2): string {
  const units: [bigint, string][] = [
    [10n ** 12n, "T"],
    [10n ** 9n, "G"],
    [10n ** 6n, "M"],
    [10n ** 3n, "k"],
  ];
  for (const [size, unit] of units) {
    if (n >= size) return `${decimal(Number((n * 1000n) / size) / 1000, digits)} ${unit}`;
  }
  return `${n} `;
}

/** bytes → "3.06 MB" (decimal megabytes, as torchinfo reports) */
export function bytesText(bytes: bigint): string {
  if (bytes < 1000n) return `${bytes} B`;
  if (bytes < 1_000_000n) return `${decimal(Number(bytes) / 1e3)} kB`;
  if (bytes < 1_000_000_000n) return `${decimal(Number(bytes) / 1e6)} MB`;
  return `${decimal(Number(bytes) / 1e9)} GB`;
}

/**
 * JSON text in which every bigint is written as its exact digits (a JSON number),
 * so counts past 2^53 are never silently rounded by the writer.
 */
export function toJson(value: unknown, indent?: number): string {
  const marker = "\u0000bigint:";
  const text = JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? marker + v.toString() : v), indent);
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, "$1");
}
