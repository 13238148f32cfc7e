// An image as the engine sees it: channels × height × width floats (C×H×W, like every
// tensor here), and how one is fitted to a network's input the way torchvision reads a
// picture with PIL (docs/ENGINE.md, "From a picture to a tensor"): channels converted as
// PIL's convert("L") / convert("RGB") do, then resized as PIL's resize((W, H), BILINEAR)
// — on 8-bit values with PIL's fixed-point arithmetic for pictures, so the tensor is
// torchvision's bit for bit.

export interface Raster {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
  /** every value is k/255 (a decoded picture, an MNIST digit): converted and resized as 8-bit, as PIL does */
  eightBit?: boolean;
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
  return { width, height, channels, data, eightBit: true };
}

/** a raster's 8-bit levels (exact for an eightBit raster) */
function levels(src: Raster): Uint8Array {
  const out = new Uint8Array(src.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(src.data[i] * 255)));
  return out;
}

function fromLevels(bytes: Uint8Array, width: number, height: number, channels: number): Raster {
  const data = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) data[i] = bytes[i] / 255;
  return { width, height, channels, data, eightBit: true };
}

// ---- resizing: PIL's two-pass resample with its bilinear (triangle) filter ----

/** PIL's precompute_coeffs: per output cell, the first source cell and the weights (support 1, widened by the scale when shrinking) */
function coefficients(inSize: number, outSize: number): { bounds: Int32Array; weights: Float64Array; ksize: number } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Float64Array(outSize * ksize);
  const inv = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * inv);
      const w = t < 1 ? 1 - t : 0;
      weights[xx * ksize + x] = w;
      sum += w;
    }
    if (sum !== 0) for (let x = 0; x < xmax; x++) weights[xx * ksize + x] /= sum;
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, weights, ksize };
}

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

/** One pass along rows (`stride` 1) or columns; 8-bit with PIL's rounding, or exact floats. */
function resamplePass(src: ArrayLike<number>, dst: Uint8Array | Float32Array, lines: number, inLen: number, outLen: number, along: "x" | "y", width: number, eightBit: boolean): void {
  const { bounds, weights, ksize } = coefficients(inLen, outLen);
  // PIL's normalize_coeffs_8bpc: each weight as a 22-bit fixed-point integer, rounded half away from zero
  const fixed = eightBit ? Float64Array.from(weights, (w) => (w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE))) : weights;
  for (let line = 0; line < lines; line++) {
    for (let o = 0; o < outLen; o++) {
      const first = bounds[o * 2];
      const count = bounds[o * 2 + 1];
      let acc = eightBit ? ONE / 2 : 0;
      for (let k = 0; k < count; k++) {
        const i = first + k;
        const v = along === "x" ? src[line * inLen + i] : src[i * width + line];
        acc += v * fixed[o * ksize + k];
      }
      const at = along === "x" ? line * outLen + o : o * width + line;
      dst[at] = eightBit ? (acc <= 0 ? 0 : Math.min(255, Math.floor(acc / ONE))) : acc;
    }
  }
}

/** Resized to width × height as PIL's resize((width, height), BILINEAR): the rows first, then the columns. */
export function resize(src: Raster, width: number, height: number): Raster {
  if (src.width === width && src.height === height) return src;
  const eightBit = !!src.eightBit;
  const all = eightBit ? levels(src) : src.data;
  const out = eightBit ? new Uint8Array(src.channels * width * height) : new Float32Array(src.channels * width * height);
  for (let c = 0; c < src.channels; c++) {
    let cur: ArrayLike<number> = all.subarray(c * src.width * src.height, (c + 1) * src.width * src.height);
    let w = src.width;
    if (width !== src.width) {
      const next = eightBit ? new Uint8Array(width * src.height) : new Float32Array(width * src.height);
      resamplePass(cur, next, src.height, src.width, width, "x", width, eightBit);
      cur = next;
      w = width;
    }
    const target = out.subarray(c * width * height, (c + 1) * width * height);
    if (height !== src.height) resamplePass(cur, target, w, src.height, height, "y", w, eightBit);
    else target.set(cur as Uint8Array);
  }
  return eightBit ? fromLevels(out as Uint8Array, width, height, src.channels) : { width, height, channels: src.channels, data: out as Float32Array };
}

/**
 * Converts the channels as PIL's convert() does: to 1, the luminance (ITU-R 601-2:
 * L = 0.299 R + 0.587 G + 0.114 B; on 8-bit values PIL's (19595 R + 38470 G + 7471 B +
 * 2¹⁵) ≫ 16); to 3, RGB (gray is repeated, alpha dropped); to 4, RGB and alpha (255 when
 * there is none); to any other depth D, the luminance in every slice.
 */
export function convertChannels(src: Raster, channels: number): Raster {
  if (src.channels === channels) return src;
  const plane = src.width * src.height;
  const eightBit = !!src.eightBit;
  const values = eightBit ? levels(src) : src.data;
  const out = eightBit ? new Uint8Array(channels * plane) : new Float32Array(channels * plane);
  const at = (c: number, i: number) => values[Math.min(c, src.channels - 1) * plane + i];
  const full = eightBit ? 255 : 1;
  for (let i = 0; i < plane; i++) {
    const colour = src.channels >= 3;
    const gray = !colour ? at(0, i) : eightBit ? (at(0, i) * 19595 + at(1, i) * 38470 + at(2, i) * 7471 + 0x8000) >> 16 : 0.299 * at(0, i) + 0.587 * at(1, i) + 0.114 * at(2, i);
    for (let c = 0; c < channels; c++) {
      let v: number;
      if (channels === 3 || (channels === 4 && c < 3)) v = colour ? at(c, i) : gray;
      else if (channels === 4) v = src.channels === 4 ? at(3, i) : full;
      else v = gray;
      out[c * plane + i] = v;
    }
  }
  return eightBit ? fromLevels(out as Uint8Array, src.width, src.height, channels) : { width: src.width, height: src.height, channels, data: out as Float32Array };
}

/** A raster converted and resized to a network input of W×H×D, as torchvision's convert, then Resize((H, W)), then ToTensor. */
export function fitRaster(src: Raster, width: number, height: number, channels: number): Float32Array {
  return resize(convertChannels(src, channels), width, height).data;
}
