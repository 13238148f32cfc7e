// A PNG's pixels, from its inflated scanlines (exactly PngInfo.inflatedBytes, which the
// caller has capped) to a raster: unfiltered in place, Adam7 passes placed, samples of
// any depth (1–16 bits) scaled to [0, 1], palettes and tRNS transparency applied.
// Written here rather than taken from pngjs because pngjs inflates interlaced pictures
// without an output cap and keeps four full-size copies of the pixels; this keeps one
// (the scanlines) besides the raster itself.

import { ADAM7, type PngInfo } from "./picture";
import type { Raster } from "./raster";

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Throws Error("…") for a bad filter byte; the caller names the file. */
export function pngPixels(bytes: Uint8Array, info: PngInfo, scanlines: Uint8Array): Raster {
  const { width, height, bitDepth, colorType } = info;
  const samples = SAMPLES[colorType];
  const bitsPerPixel = samples * bitDepth;
  const filterStride = Math.max(1, bitsPerPixel >> 3);
  const plane = width * height;
  const alpha = colorType === 4 || colorType === 6 || info.transparency !== undefined;
  const channels = alpha ? 4 : 3;
  const data = new Float32Array(channels * plane);
  const max = (1 << bitDepth) - 1;

  // the palette as floats, with its alpha (tRNS) where given
  let palette: Float32Array | null = null;
  if (colorType === 3) {
    const [start, end] = info.palette!;
    const entries = (end - start) / 3;
    // an index past the palette's end is opaque black
    palette = new Float32Array(256 * 4);
    for (let i = 0; i < 256; i++) palette[i * 4 + 3] = 1;
    for (let i = 0; i < entries; i++) for (let c = 0; c < 3; c++) palette[i * 4 + c] = bytes[start + i * 3 + c] / 255;
    if (info.transparency) for (let i = info.transparency[0]; i < info.transparency[1]; i++) palette[(i - info.transparency[0]) * 4 + 3] = bytes[i] / 255;
  }
  // the one transparent gray level or colour (tRNS for colour types 0 and 2), as samples
  let key: number[] | null = null;
  if (info.transparency && (colorType === 0 || colorType === 2)) {
    key = [];
    for (let i = info.transparency[0]; i < info.transparency[1]; i += 2) key.push(((bytes[i] << 8) | bytes[i + 1]) & (bitDepth === 16 ? 0xffff : max));
  }

  const passes = info.interlaced ? ADAM7 : [[0, 0, 1, 1]];
  let at = 0;
  const pixel = new Array<number>(4);
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rowBytes = Math.ceil((pw * bitsPerPixel) / 8);
    for (let r = 0; r < ph; r++) {
      const filter = scanlines[at];
      const row = at + 1;
      const prev = r === 0 ? -1 : row - (rowBytes + 1);
      unfilter(scanlines, filter, row, prev, rowBytes, filterStride);
      const y = y0 + r * dy;
      for (let i = 0; i < pw; i++) {
        const index = y * width + x0 + i * dx;
        for (let s = 0; s < samples; s++) pixel[s] = sample(scanlines, row, i * samples + s, bitDepth);
        if (palette) {
          const p = pixel[0] * 4;
          for (let c = 0; c < 4; c++) if (c < channels) data[c * plane + index] = palette[p + c];
          continue;
        }
        const transparent = key !== null && key.every((k, c) => pixel[c] === k);
        const scale = bitDepth === 16 ? 65535 : max;
        if (transparent) {
          // the tRNS colour is fully transparent: nothing of it shows (as pngjs and browsers read it)
          for (let c = 0; c < 4; c++) data[c * plane + index] = 0;
        } else if (samples <= 2) {
          const gray = pixel[0] / scale;
          data[index] = gray;
          data[plane + index] = gray;
          data[2 * plane + index] = gray;
          if (alpha) data[3 * plane + index] = samples === 2 ? pixel[1] / scale : 1;
        } else {
          for (let c = 0; c < 3; c++) data[c * plane + index] = pixel[c] / scale;
          if (alpha) data[3 * plane + index] = samples === 4 ? pixel[3] / scale : 1;
        }
      }
      at = row + rowBytes;
    }
  }
  if (alpha) {
    // an alpha that is 1 everywhere is no alpha: RGB, as for an opaque picture
    const a = data.subarray(3 * plane);
    if (a.every((v) => v === 1)) return { width, height, channels: 3, data: data.subarray(0, 3 * plane), eightBit: bitDepth <= 8 };
  }
  // (8 bits or fewer: every value is k/255, so it is converted and resized as PIL does, raster.ts)
  return { width, height, channels, data, eightBit: bitDepth <= 8 };
}

/** the n-th sample of a row of `depth`-bit samples (big-endian, most significant bits first) */
function sample(buf: Uint8Array, row: number, n: number, depth: number): number {
  if (depth === 8) return buf[row + n];
  if (depth === 16) return (buf[row + 2 * n] << 8) | buf[row + 2 * n + 1];
  const bit = n * depth;
  return (buf[row + (bit >> 3)] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/** Undoes a row's filter in place (PNG spec §9); `prev` is the row above, or -1 for none. */
function unfilter(buf: Uint8Array, filter: number, row: number, prev: number, length: number, stride: number): void {
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = stride; i < length; i++) buf[row + i] = (buf[row + i] + buf[row + i - stride]) & 255;
      return;
    case 2:
      if (prev < 0) return;
      for (let i = 0; i < length; i++) buf[row + i] = (buf[row + i] + buf[prev + i]) & 255;
      return;
    case 3:
      for (let i = 0; i < length; i++) {
        const left = i >= stride ? buf[row + i - stride] : 0;
        const up = prev < 0 ? 0 : buf[prev + i];
        buf[row + i] = (buf[row + i] + ((left + up) >> 1)) & 255;
      }
      return;
    case 4:
      for (let i = 0; i < length; i++) {
        const a = i >= stride ? buf[row + i - stride] : 0;
        const b = prev < 0 ? 0 : buf[prev + i];
        const c = i >= stride && prev >= 0 ? buf[prev + i - stride] : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        buf[row + i] = (buf[row + i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
      }
      return;
    default:
      throw new Error(`corrupt data: unknown filter type ${filter} on a scanline`);
  }
}
