// An image as the engine sees it: channels × height × width floats in [0, 1] (C×H×W,
// like every tensor here), and how one is fitted to a network's input: resized
// (area average when shrinking, bilinear when growing) and its channels converted.

export interface Raster {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

/** RGBA bytes (a decoded PNG, a canvas) → a raster; alpha is kept only if present. */
export function rasterFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Raster {
  return rasterFromPixels(rgba, width, height, 4);
}

/**
 * Interleaved 8-bit pixels, 3 (RGB) or 4 (RGBA) bytes each → a raster in one pass (the
 * only full-size float copy); alpha is kept only if some pixel is not opaque.
 */
export function rasterFromPixels(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, bytesPerPixel: 3 | 4): Raster {
  let opaque = true;
  if (bytesPerPixel === 4) {
    for (let i = 3; i < pixels.length; i += 4) {
      if (pixels[i] !== 255) {
        opaque = false;
        break;
      }
    }
  }
  const channels = opaque ? 3 : 4;
  const plane = width * height;
  const data = new Float32Array(channels * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < channels; c++) data[c * plane + i] = pixels[i * bytesPerPixel + c] / 255;
  return { width, height, channels, data };
}

/** How much of each source cell lands in each target cell along one axis (rows sum to 1). */
function axisWeights(from: number, to: number): { first: number; weights: number[] }[] {
  const rows: { first: number; weights: number[] }[] = [];
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    if (scale >= 1) {
      // shrinking: average the source cells the target cell covers, by overlap
      const lo = i * scale;
      const hi = lo + scale;
      const first = Math.floor(lo);
      const weights: number[] = [];
      for (let j = first; j < Math.min(from, Math.ceil(hi)); j++) weights.push((Math.min(hi, j + 1) - Math.max(lo, j)) / scale);
      rows.push({ first, weights });
    } else {
      // growing: bilinear between the two nearest source centres
      const x = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
      const first = Math.floor(x);
      const t = x - first;
      rows.push(first + 1 < from ? { first, weights: [1 - t, t] } : { first, weights: [1] });
    }
  }
  return rows;
}

export function resize(src: Raster, width: number, height: number): Raster {
  if (src.width === width && src.height === height) return src;
  const across = axisWeights(src.width, width);
  const down = axisWeights(src.height, height);
  const wide = new Float32Array(src.channels * src.height * width);
  for (let c = 0; c < src.channels; c++) {
    for (let y = 0; y < src.height; y++) {
      const row = (c * src.height + y) * src.width;
      for (let x = 0; x < width; x++) {
        const { first, weights } = across[x];
        let v = 0;
        for (let k = 0; k < weights.length; k++) v += weights[k] * src.data[row + first + k];
        wide[(c * src.height + y) * width + x] = v;
      }
    }
  }
  const out = new Float32Array(src.channels * height * width);
  for (let c = 0; c < src.channels; c++) {
    for (let y = 0; y < height; y++) {
      const { first, weights } = down[y];
      for (let x = 0; x < width; x++) {
        let v = 0;
        for (let k = 0; k < weights.length; k++) v += weights[k] * wide[(c * src.height + first + k) * width + x];
        out[(c * height + y) * width + x] = v;
      }
    }
  }
  return { width, height, channels: src.channels, data: out };
}

/**
 * Converts the channels: to 1, the luminance (ITU-R 601: 0.299 R + 0.587 G + 0.114 B);
 * to 3, RGB (gray is repeated); to 4, RGB and alpha (1 when there is none); to any other
 * depth D, the luminance in every slice.
 */
export function convertChannels(src: Raster, channels: number): Raster {
  if (src.channels === channels) return src;
  const plane = src.width * src.height;
  const out = new Float32Array(channels * plane);
  const at = (c: number, i: number) => src.data[Math.min(c, src.channels - 1) * plane + i];
  for (let i = 0; i < plane; i++) {
    const gray = src.channels >= 3 ? 0.299 * at(0, i) + 0.587 * at(1, i) + 0.114 * at(2, i) : at(0, i);
    const rgb = src.channels >= 3 ? [at(0, i), at(1, i), at(2, i)] : [gray, gray, gray];
    for (let c = 0; c < channels; c++) {
      let v: number;
      if (channels === 3 || (channels === 4 && c < 3)) v = rgb[c];
      else if (channels === 4) v = src.channels === 4 ? at(3, i) : 1;
      else v = gray;
      out[c * plane + i] = v;
    }
  }
  return { width: src.width, height: src.height, channels, data: out };
}

/** A raster resized and converted to a network input of W×H×D. */
export function fitRaster(src: Raster, width: number, height: number, channels: number): Float32Array {
  return convertChannels(resize(src, width, height), channels).data;
}
