// A vector (fc, softmax, a 1×1×D volume after gap) drawn as what it is: one bar per
// index, up from the zero line for a positive value and down for a negative one, in the
// heatmaps' colours, with the indices under it (every one when they fit, else at round
// steps) and the values over the bars when there are few. Past MAX_BARS indices the bars
// are bins of consecutive indices, each drawn to its largest |value|; the hover says the
// index range and the bin's least and greatest values. SVG: the text takes the theme's
// colours from CSS, and nothing is drawn with inline styles (the CSP forbids them).

import { colourScale } from "./colormap";

const SVG = "http://www.w3.org/2000/svg";
export const MAX_BARS = 256;
const HEIGHT = 96;
const LABEL_ROW = 14;
const VALUE_ROW = 13;

export interface VectorLayout {
  n: number;
  /** indices per bar (1 unless binned) */
  per: number;
  bars: number;
  barWidth: number;
  gap: number;
  width: number;
  height: number;
  /** y of the zero line */
  zero: number;
  /** pixels per unit of value */
  unit: number;
  /** values written over the bars */
  valueLabels: boolean;
  /** the indices written under the bars */
  ticks: number[];
}

/** Tick indices at a round step (1, 2, 5 × 10^k) leaving room for their text, always the last one. */
function tickIndices(n: number, per: number, barWidth: number, gap: number): number[] {
  const chars = String(n - 1).length;
  const room = chars * 6.5 + 6;
  const pixelsPerIndex = (barWidth + gap) / per;
  const candidates = [1, 2, 5].flatMap((b) => [1, 10, 100, 1000, 10000, 100000].map((k) => b * k)).sort((a, b) => a - b);
  const step = candidates.find((s) => s * pixelsPerIndex >= room) ?? n;
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(i);
  const last = n - 1;
  if (out[out.length - 1] !== last) {
    // the last index always shows; a round tick too close to it gives way
    if (out.length > 1 && (last - out[out.length - 1]) * pixelsPerIndex < room) out.pop();
    out.push(last);
  }
  return out;
}

export function layoutVector(n: number, availableWidth: number, min: number, max: number): VectorLayout {
  const width = Math.max(120, Math.min(availableWidth, 900));
  const per = n > MAX_BARS ? Math.ceil(n / MAX_BARS) : 1;
  const bars = Math.ceil(n / per);
  const slot = Math.max(1, Math.min(bars <= 16 ? 36 : 28, Math.floor(width / bars)));
  const gap = slot >= 6 ? Math.max(1, Math.round(slot / 6)) : 0;
  const barWidth = Math.max(1, slot - gap);
  const valueLabels = bars <= 16 && slot >= 28;
  const top = valueLabels ? VALUE_ROW : 2;
  const hi = Math.max(max, 0);
  const lo = Math.min(min, 0);
  const span = hi - lo || 1;
  const unit = (HEIGHT - top - 2) / span;
  return {
    n,
    per,
    bars,
    barWidth,
    gap,
    width: bars * slot,
    height: HEIGHT + LABEL_ROW,
    zero: top + hi * unit,
    unit,
    valueLabels,
    ticks: tickIndices(n, per, barWidth, gap),
  };
}

/** The bar's values: one index, or the bin's least and greatest. */
export function barRange(values: ArrayLike<number>, layout: VectorLayout, bar: number): { first: number; last: number; min: number; max: number; shown: number } {
  const first = bar * layout.per;
  const last = Math.min(layout.n, first + layout.per) - 1;
  let min = Infinity;
  let max = -Infinity;
  for (let i = first; i <= last; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // a bin is drawn to its value farthest from zero
  const shown = Math.abs(min) > Math.abs(max) ? min : max;
  return { first, last, min, max, shown };
}

function el(name: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** `format`: how a value is written over its bar (three digits fit); `exact`: kept in `data-value` of each bar, for whoever reads the page */
export function drawVector(values: ArrayLike<number>, layout: VectorLayout, min: number, max: number, format: (v: number) => string, exact: (v: number) => string = String): SVGSVGElement {
  const svg = el("svg", { class: "vector", width: layout.width, height: layout.height, viewBox: `0 0 ${layout.width} ${layout.height}`, role: "img" }) as SVGSVGElement;
  const scale = colourScale(min, max);
  const slot = layout.barWidth + layout.gap;
  const bars = el("g", { class: "bars" });
  for (let b = 0; b < layout.bars; b++) {
    const { shown } = barRange(values, layout, b);
    if (!Number.isFinite(shown)) continue;
    const size = Math.max(Math.abs(shown) * layout.unit, shown === 0 ? 0 : 1);
    const y = shown >= 0 ? layout.zero - size : layout.zero;
    const [r, g, bl] = scale.colour(shown);
    bars.append(el("rect", { x: b * slot, y, width: layout.barWidth, height: size, fill: `rgb(${Math.round(r)},${Math.round(g)},${Math.round(bl)})`, "data-index": b * layout.per, "data-value": exact(shown) }));
    if (layout.valueLabels) {
      const ty = shown >= 0 ? Math.max(10, y - 2) : Math.min(layout.zero + size + 10, HEIGHT - 1);
      bars.append(el("text", { class: "value", x: b * slot + layout.barWidth / 2, y: ty, "text-anchor": "middle" }, format(shown)));
    }
  }
  svg.append(el("line", { class: "zero", x1: 0, x2: layout.width, y1: layout.zero, y2: layout.zero }), bars);
  const ticks = el("g", { class: "ticks" });
  for (const i of layout.ticks) {
    const x = Math.floor(i / layout.per) * slot + layout.barWidth / 2;
    ticks.append(el("text", { class: "tick", x: Math.min(Math.max(x, 4), layout.width - 4), y: HEIGHT + LABEL_ROW - 2, "text-anchor": x < 8 ? "start" : x > layout.width - 8 ? "end" : "middle", "data-index": i }, String(i)));
  }
  svg.append(ticks);
  return svg;
}

/** The bar under a point of the drawing (CSS pixels of its box), or null. */
export function vectorHit(layout: VectorLayout, svg: Element, clientX: number): number | null {
  const box = svg.getBoundingClientRect();
  const x = ((clientX - box.left) / box.width) * layout.width;
  const bar = Math.floor(x / (layout.barWidth + layout.gap));
  return bar >= 0 && bar < layout.bars ? bar : null;
}

/** "index 7 · 0.1234", or "indices 8–15 · −0.2 to 0.5" for a bin. */
export function describeBar(values: ArrayLike<number>, layout: VectorLayout, bar: number, format: (v: number) => string): string {
  const r = barRange(values, layout, bar);
  if (r.first === r.last) return `index ${r.first} · ${format(values[r.first])}`;
  return `indices ${r.first}–${r.last} · ${format(r.min)} to ${format(r.max)}`;
}
