// What the run view draws of an activation: up to `maxChannels` depth slices, each
// averaged down so its longer side is at most `maxSide` pixels. A vector of N numbers is
// wrapped into a near-square grid (row-major, the rest NaN). Kept small: every layer's
// preview stays in the view at once.

import type { Shape } from "../analysis/types";

export interface Preview {
  /** the activation's own size */
  width: number;
  height: number;
  channels: number;
  /** how many slices are in `data`, and their size after averaging by `factor` */
  shown: number;
  tileWidth: number;
  tileHeight: number;
  factor: number;
  /** a vector wrapped into rows of `tileWidth` */
  wrapped: boolean;
  min: number;
  max: number;
  data: Float32Array;
}

export function makePreview(values: Float32Array, shape: Shape, maxSide = 64, maxChannels = 32): Preview {
  // a vector, or a 1×1×D volume (after gap, a 1×1 conv on 1×1): one number per unit
  if (shape.kind === "vector" || (shape.w === 1 && shape.h === 1)) {
    const n = shape.kind === "vector" ? shape.n : shape.d;
    const cols = Math.ceil(Math.sqrt(n));
    const rows = Math.ceil(n / cols);
    const data = new Float32Array(rows * cols).fill(NaN);
    data.set(values.subarray(0, n));
    const [min, max] = range(values);
    return { width: n, height: 1, channels: 1, shown: 1, tileWidth: cols, tileHeight: rows, factor: 1, wrapped: true, min, max, data };
  }
  const { w, h, d } = shape;
  const factor = Math.max(1, Math.ceil(Math.max(w, h) / maxSide));
  const tw = Math.ceil(w / factor);
  const th = Math.ceil(h / factor);
  const shown = Math.min(d, maxChannels);
  const data = new Float32Array(shown * tw * th);
  for (let c = 0; c < shown; c++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++) {
        let sum = 0;
        let n = 0;
        for (let y = ty * factor; y < Math.min(h, (ty + 1) * factor); y++)
          for (let x = tx * factor; x < Math.min(w, (tx + 1) * factor); x++) {
            sum += values[(c * h + y) * w + x];
            n++;
          }
        data[(c * th + ty) * tw + tx] = sum / n;
      }
    }
  }
  const [min, max] = range(data);
  return { width: w, height: h, channels: d, shown, tileWidth: tw, tileHeight: th, factor, wrapped: false, min, max, data };
}

function range(values: Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? [min, max] : [0, 0];
}
