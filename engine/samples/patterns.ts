// Drawn samples, made at the input's own size so their edges stay crisp. Values in [0, 1],
// except the course's edge image, which keeps its 10/0 (CS231n's edge-detection exercise).

import type { Raster } from "./raster";
import { fillUniform } from "../random";

export type Painter = (width: number, height: number, channels: number, seed: number) => Raster;

function raster(width: number, height: number, channels: number, paint: (x: number, y: number, c: number) => number): Raster {
  const data = new Float32Array(width * height * channels);
  for (let c = 0; c < channels; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = paint(x, y, c);
  return { width, height, channels, data };
}

/** a disc, a square and a triangle in three colours on a dark ground (gray levels at D = 1) */
export const shapes: Painter = (width, height, channels) => {
  const colours = [
    [0.95, 0.3, 0.2],
    [0.2, 0.75, 0.3],
    [0.25, 0.45, 0.95],
  ];
  const gray = [1, 0.7, 0.45];
  const level = (shape: number, c: number) => (channels >= 3 ? (c < 3 ? colours[shape][c] : 1) : gray[shape]);
  return raster(width, height, channels, (x, y, c) => {
    const u = (x + 0.5) / width;
    const v = (y + 0.5) / height;
    if ((u - 0.3) ** 2 + (v - 0.3) ** 2 < 0.18 ** 2) return level(0, c);
    if (u > 0.55 && u < 0.88 && v > 0.12 && v < 0.45) return level(1, c);
    // triangle: apex (0.5, 0.55), base from (0.2, 0.9) to (0.8, 0.9)
    if (v < 0.9 && v > 0.55 && Math.abs(u - 0.5) < ((v - 0.55) / 0.35) * 0.3) return level(2, c);
    return channels === 4 && c === 3 ? 1 : 0.05;
  });
};

/** left to right from 0 to 1 (each colour channel its own direction at D ≥ 3) */
export const gradient: Painter = (width, height, channels) =>
  raster(width, height, channels, (x, y, c) => {
    const u = width > 1 ? x / (width - 1) : 0;
    const v = height > 1 ? y / (height - 1) : 0;
    if (channels < 3 || c >= 3) return channels === 4 && c === 3 ? 1 : u;
    return [u, v, 1 - u][c];
  });

/** an 8×8 board of black and white squares */
export const checkerboard: Painter = (width, height, channels) =>
  raster(width, height, channels, (x, y) => ((Math.floor((x * 8) / width) + Math.floor((y * 8) / height)) % 2 === 0 ? 1 : 0));

/** the course's edge image: 10 on the left half, 0 on the right */
export const edge: Painter = (width, height, channels) => raster(width, height, channels, (x) => (x < width / 2 ? 10 : 0));

/** seeded uniform noise in [0, 1) */
export const noise: Painter = (width, height, channels, seed) => {
  const data = fillUniform(new Float32Array(width * height * channels), seed, 0x7fffffff, 0.5);
  for (let i = 0; i < data.length; i++) data[i] += 0.5;
  return { width, height, channels, data };
};
