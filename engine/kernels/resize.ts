// Layers that only move values: nearest-neighbour upsampling (PyTorch Upsample
// mode='nearest', an integer factor) and zero padding.

import type { Planes } from "../tensor";
import type { Padding } from "../../analysis/types";

export function upsampleNearest(input: Float32Array, from: Planes, to: Planes): Float32Array {
  const out = new Float32Array(from.channels * to.height * to.width);
  for (let c = 0; c < from.channels; c++) {
    for (let oy = 0; oy < to.height; oy++) {
      const iy = Math.floor((oy * from.height) / to.height);
      for (let ox = 0; ox < to.width; ox++) {
        const ix = Math.floor((ox * from.width) / to.width);
        out[(c * to.height + oy) * to.width + ox] = input[(c * from.height + iy) * from.width + ix];
      }
    }
  }
  return out;
}

export function zeroPad(input: Float32Array, from: Planes, to: Planes, padding: Padding): Float32Array {
  const out = new Float32Array(from.channels * to.height * to.width);
  for (let c = 0; c < from.channels; c++) {
    for (let y = 0; y < from.height; y++) {
      const src = (c * from.height + y) * from.width;
      out.set(input.subarray(src, src + from.width), (c * to.height + y + padding.top) * to.width + padding.left);
    }
  }
  return out;
}
