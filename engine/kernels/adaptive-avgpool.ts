// Adaptive average pooling as PyTorch's AdaptiveAvgPool2d: output cell i along an axis
// averages input cells [⌊i·in/out⌋, ⌈(i+1)·in/out⌉), so bins may overlap or differ in size.

import type { Planes } from "../tensor";

export function adaptiveBins(inSize: number, outSize: number): [number, number][] {
  const bins: [number, number][] = [];
  for (let i = 0; i < outSize; i++) bins.push([Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)]);
  return bins;
}

export function adaptiveAvgpool(input: Float32Array, from: Planes, to: Planes): Float32Array {
  const rows = adaptiveBins(from.height, to.height);
  const cols = adaptiveBins(from.width, to.width);
  const out = new Float32Array(from.channels * to.height * to.width);
  for (let c = 0; c < from.channels; c++) {
    const plane = c * from.height * from.width;
    for (let oy = 0; oy < to.height; oy++) {
      const [y0, y1] = rows[oy];
      for (let ox = 0; ox < to.width; ox++) {
        const [x0, x1] = cols[ox];
        let sum = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) sum += input[plane + iy * from.width + ix];
        out[(c * to.height + oy) * to.width + ox] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return out;
}
