// What training leaves to look at besides the curves: the misclassified pictures (as the
// network saw them, with the true and the predicted class) and the first layer's learned
// filters (each weight a cell: gray inputs on a diverging scale centred on zero, shared
// by all the layer's filters so they compare; colour filters as RGB).

import { h } from "../dom";
import { colourScale } from "../colormap";
import { base64Bytes } from "./bytes";
import type { ViewFilters, ViewMistake, ViewThumbnail } from "./protocol";

export function drawThumbnail(canvas: HTMLCanvasElement, t: ViewThumbnail): void {
  canvas.width = t.width;
  canvas.height = t.height;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const bytes = base64Bytes(t.base64);
  const image = ctx.createImageData(t.width, t.height);
  for (let i = 0; i < t.width * t.height; i++) {
    for (let c = 0; c < 3; c++) image.data[i * 4 + c] = bytes[i * t.channels + (t.channels === 3 ? c : 0)];
    image.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** `7 → 9 · 62 %` */
export function mistakeCaption(m: ViewMistake, classes: string[]): string {
  return `${classes[m.label]} → ${classes[m.predicted]} · ${(m.confidence * 100).toFixed(0)} %`;
}

/** The grid of mistakes, optionally only those of one (true, predicted) pair. */
export function renderMistakes(box: HTMLElement, mistakes: ViewMistake[], classes: string[], only: { label: number; predicted: number } | null): number {
  const shown = only ? mistakes.filter((m) => m.label === only.label && m.predicted === only.predicted) : mistakes;
  box.replaceChildren(
    ...shown.map((m) => {
      const canvas = h("canvas", { class: "mistake-picture", "aria-hidden": "true" });
      drawThumbnail(canvas, m.picture);
      return h(
        "figure",
        { class: "mistake", "data-testid": "mistake", title: `${m.name}: true ${classes[m.label]}, predicted ${classes[m.predicted]} (${(m.confidence * 100).toFixed(1)} %)` },
        canvas,
        h("figcaption", {}, mistakeCaption(m, classes)),
      );
    }),
  );
  return shown.length;
}

export interface FilterGrid {
  columns: number;
  /** screen pixels per weight */
  scale: number;
  gap: number;
  width: number;
  height: number;
  /** RGB tiles (3 channels) or one diverging tile per filter's first channel */
  rgb: boolean;
}

export function layoutFilters(f: ViewFilters, availableWidth: number): FilterGrid {
  const side = Math.max(f.width, f.height);
  const scale = Math.max(1, Math.min(12, Math.floor(48 / side)));
  const gap = 4;
  const tile = f.width * scale + gap;
  const columns = Math.max(1, Math.min(f.count, Math.floor((availableWidth + gap) / tile)));
  const rows = Math.ceil(f.count / columns);
  return { columns, scale, gap, width: columns * tile - gap, height: rows * (f.height * scale + gap) - gap, rgb: f.channels === 3 };
}

/** Draws every filter; returns the value range of the scale (for the legend). */
export function drawFilters(canvas: HTMLCanvasElement, f: ViewFilters, g: FilterGrid): { min: number; max: number } {
  canvas.width = Math.max(1, g.width);
  canvas.height = Math.max(1, g.height);
  const ctx = canvas.getContext("2d");
  const per = f.channels * f.height * f.width;
  let min = Infinity;
  let max = -Infinity;
  for (const v of f.values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (!ctx) return { min, max };
  const scale = colourScale(Math.min(min, -1e-12), Math.max(max, 1e-12));
  const image = ctx.createImageData(canvas.width, canvas.height);
  const plane = f.height * f.width;
  for (let k = 0; k < f.count; k++) {
    const ox = (k % g.columns) * (f.width * g.scale + g.gap);
    const oy = Math.floor(k / g.columns) * (f.height * g.scale + g.gap);
    const base = k * per;
    // RGB: each filter stretched over its own range, as filters are usually shown
    let lo = Infinity;
    let hi = -Infinity;
    if (g.rgb) for (let i = 0; i < per; i++) (lo = Math.min(lo, f.values[base + i])), (hi = Math.max(hi, f.values[base + i]));
    const span = hi - lo || 1;
    for (let y = 0; y < f.height; y++) {
      for (let x = 0; x < f.width; x++) {
        let rgb: [number, number, number];
        if (g.rgb) {
          const at = (c: number) => ((f.values[base + c * plane + y * f.width + x] - lo) / span) * 255;
          rgb = [at(0), at(1), at(2)];
        } else rgb = scale.colour(f.values[base + y * f.width + x]);
        for (let sy = 0; sy < g.scale; sy++) {
          for (let sx = 0; sx < g.scale; sx++) {
            const o = ((oy + y * g.scale + sy) * canvas.width + ox + x * g.scale + sx) * 4;
            image.data[o] = rgb[0];
            image.data[o + 1] = rgb[1];
            image.data[o + 2] = rgb[2];
            image.data[o + 3] = 255;
          }
        }
      }
    }
  }
  ctx.putImageData(image, 0, 0);
  return { min, max };
}

export function renderFilters(box: HTMLElement, f: ViewFilters | null, format: (v: number) => string): void {
  if (!f) {
    box.replaceChildren(h("div", { class: "caption" }, "the first layer with weights is not a convolution or an fc on the picture: its weights are not pictures"));
    return;
  }
  const canvas = h("canvas", { class: "filters", "data-testid": "filters", "aria-label": `${f.count} learned filters of ${f.layer}` });
  const g = layoutFilters(f, Math.max(160, (box.clientWidth || 480) - 8));
  const range = drawFilters(canvas, f, g);
  const what = g.rgb ? "each filter's red, green and blue, stretched over its own range" : f.channels > 1 ? `the first of its ${f.channels} input channels, ${format(range.min)} … ${format(range.max)} (blue < 0 < red)` : `${format(range.min)} … ${format(range.max)} (blue < 0 < red)`;
  box.replaceChildren(h("div", { class: "caption" }, `${f.layer}${f.line ? ` (line ${f.line})` : ""}: ${f.count} filter${f.count === 1 ? "" : "s"} of ${f.width}×${f.height}${f.channels > 1 ? `×${f.channels}` : ""} · ${what}`), canvas);
}
