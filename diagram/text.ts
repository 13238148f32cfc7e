// What the boxes say, and how wide it is. Widths are estimated from the advance widths of
// a Helvetica-like sans-serif (em fractions), so the CLI (no fonts at hand) and the view
// size boxes alike; boxes keep a margin for fonts a little wider.

import type { ShapeArray } from "./model";

export type ShapeFormat = "WxHxD" | "CxHxW";

export function shapeLabel(shape: ShapeArray | null, format: ShapeFormat = "WxHxD"): string {
  if (!shape) return "?";
  if (shape.length === 1) return String(shape[0]);
  const [w, h, d] = shape;
  return format === "CxHxW" ? `${d}×${h}×${w}` : `${w}×${h}×${d}`;
}

function groupDigits(digits: string): string {
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return out;
}

function short(digits: string, unit: string): string {
  const n = Number(digits);
  const steps: [number, string][] = [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, prefix] of steps) {
    if (n >= size) {
      const v = n / size;
      const text = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
      return `${text.includes(".") ? text.replace(/\.?0+$/, "") : text}${prefix} ${unit}`;
    }
  }
  return `${digits} ${unit}`;
}

/** `36,864 params` exactly below a million, `2.36M params` above */
export function paramsLabel(digits: string): string {
  return digits.length <= 6 ? `${groupDigits(digits)} params` : short(digits, "params");
}

/** `118M MACs` */
export function macsLabel(digits: string): string {
  return digits.length <= 4 ? `${groupDigits(digits)} MACs` : short(digits, "MACs");
}

/** `36,864 params · 118M MACs`, or the part that is not zero, or "" */
export function countsLabel(params: string, macs: string): string {
  const parts: string[] = [];
  if (params !== "0") parts.push(paramsLabel(params));
  if (macs !== "0") parts.push(macsLabel(macs));
  return parts.join(" · ");
}

export function exactCounts(params: string, macs: string): string {
  return `${groupDigits(params)} params, ${groupDigits(macs)} MACs`;
}

// advance widths in thousandths of an em
const narrow = new Set("ijlI.,:;'|!·()[]/ ");
const wide = new Set("mwMW@%");
const width1000 = (c: string): number => {
  if (c >= "0" && c <= "9") return 556;
  if (narrow.has(c)) return c === " " ? 278 : c === "(" || c === ")" || c === "[" || c === "]" || c === "/" ? 333 : 250;
  if (wide.has(c)) return c === "m" || c === "w" ? 833 : 944;
  if (c === "×" || c === "−" || c === "+" || c === "=") return 584;
  if (c === "→" || c === "…") return 1000;
  if (c === "f" || c === "t" || c === "r") return 333;
  if (c >= "a" && c <= "z") return 556;
  if (c >= "A" && c <= "Z") return 667;
  // CJK and others: a full em
  return c.charCodeAt(0) > 0x2e80 ? 1000 : 600;
};

/** the estimated width of `text` at `size` px (bold ones a little wider) */
export function textWidth(text: string, size: number, bold = false): number {
  let w = 0;
  for (const c of text) w += width1000(c);
  return (w / 1000) * size * (bold ? 1.07 : 1);
}
