// Real handwritten digits (MNIST), 28×28, ink = 1.

import type { Raster } from "./raster";
import { DIGITS_BASE64, DIGITS_PER_CLASS, DIGIT_SIZE } from "./mnist-digits";

let bytes: Uint8Array | null = null;

function decoded(): Uint8Array {
  if (!bytes) {
    const text = atob(DIGITS_BASE64);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  }
  return bytes;
}

export const digitVariants = DIGITS_PER_CLASS;

/** the `variant`-th (0-based) shipped sample of `digit` */
export function digit(digit: number, variant = 0): Raster {
  const size = DIGIT_SIZE * DIGIT_SIZE;
  const start = (digit * DIGITS_PER_CLASS + variant) * size;
  const data = new Float32Array(size);
  const all = decoded();
  for (let i = 0; i < size; i++) data[i] = all[start + i] / 255;
  return { width: DIGIT_SIZE, height: DIGIT_SIZE, channels: 1, data, eightBit: true };
}
