// One canvas per layer: its depth slices as a grid of heatmap tiles. The same layout
// answers "which channel and pixel is under the mouse" for hover values and zooming.

import type { Preview } from "../engine/preview";
import { colourScale } from "./colormap";

export interface Grid {
  preview: Preview;
  columns: number;
  /** screen pixels per preview cell */
  scale: number;
  gap: number;
}

export function layoutGrid(preview: Preview, availableWidth: number, tileTarget = 72): Grid {
  const side = Math.max(preview.tileWidth, preview.tileHeight);
  const scale = Math.max(1, Math.min(12, Math.floor(tileTarget / side)));
  const gap = preview.shown > 1 ? 3 : 0;
  const tile = preview.tileWidth * scale + gap;
  const columns = Math.max(1, Math.min(preview.shown, Math.floor((availableWidth + gap) / tile)));
  return { preview, columns, scale, gap };
}

export function gridSize(g: Grid): { width: number; height: number } {
  const rows = Math.ceil(g.preview.shown / g.columns);
  return {
    width: g.columns * (g.preview.tileWidth * g.scale + g.gap) - g.gap,
    height: rows * (g.preview.tileHeight * g.scale + g.gap) - g.gap,
  };
}

/** Draws tiles `channels` (all by default) of the grid into `canvas`. */
export function drawGrid(canvas: HTMLCanvasElement, g: Grid, min = g.preview.min, max = g.preview.max): void {
  const { width, height } = gridSize(g);
  canvas.width = Math.max(1, width);
  canvas.height = Math.max(1, height);
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const image = ctx.createImageData(canvas.width, canvas.height);
  const scale = colourScale(min, max);
  const p = g.preview;
  for (let c = 0; c < p.shown; c++) {
    const ox = (c % g.columns) * (p.tileWidth * g.scale + g.gap);
    const oy = Math.floor(c / g.columns) * (p.tileHeight * g.scale + g.gap);
    for (let y = 0; y < p.tileHeight; y++) {
      for (let x = 0; x < p.tileWidth; x++) {
        const v = p.data[(c * p.tileHeight + y) * p.tileWidth + x];
        if (Number.isNaN(v)) continue;
        const [r, gr, b] = scale.colour(v);
        for (let dy = 0; dy < g.scale; dy++) {
          let at = ((oy + y * g.scale + dy) * canvas.width + ox + x * g.scale) * 4;
          for (let dx = 0; dx < g.scale; dx++, at += 4) {
            image.data[at] = r;
            image.data[at + 1] = gr;
            image.data[at + 2] = b;
            image.data[at + 3] = 255;
          }
        }
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

export interface Hit {
  channel: number;
  /** the cell in the preview */
  x: number;
  y: number;
  value: number;
}

/** The tile and cell under a point of the canvas (in CSS pixels of its box), or null. */
export function hitTest(g: Grid, canvas: HTMLCanvasElement, clientX: number, clientY: number): Hit | null {
  const box = canvas.getBoundingClientRect();
  const px = ((clientX - box.left) / box.width) * canvas.width;
  const py = ((clientY - box.top) / box.height) * canvas.height;
  const p = g.preview;
  const tw = p.tileWidth * g.scale + g.gap;
  const th = p.tileHeight * g.scale + g.gap;
  const col = Math.floor(px / tw);
  const row = Math.floor(py / th);
  const channel = row * g.columns + col;
  if (col < 0 || col >= g.columns || row < 0 || channel >= p.shown) return null;
  const x = Math.floor((px - col * tw) / g.scale);
  const y = Math.floor((py - row * th) / g.scale);
  if (x < 0 || y < 0 || x >= p.tileWidth || y >= p.tileHeight) return null;
  const value = p.data[(channel * p.tileHeight + y) * p.tileWidth + x];
  return Number.isNaN(value) ? null : { channel, x, y, value };
}

/** "channel 3 · x 5, y 7 · 0.1234" (a range of pixels when the preview was averaged) */
export function describeHit(p: Preview, hit: Hit, format: (v: number) => string): string {
  if (p.wrapped) return `value ${hit.y * p.tileWidth + hit.x} · ${format(hit.value)}`;
  const axis = (i: number, size: number) => {
    const lo = i * p.factor;
    const hi = Math.min(size, lo + p.factor) - 1;
    return hi > lo ? `${lo}–${hi}` : `${lo}`;
  };
  const where = `x ${axis(hit.x, p.width)}, y ${axis(hit.y, p.height)}`;
  return `depth ${hit.channel} · ${where} · ${p.factor > 1 ? "mean " : ""}${format(hit.value)}`;
}
