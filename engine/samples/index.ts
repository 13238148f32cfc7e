// The built-in sample inputs, by name, fitted to any input W×H×D.

import type { Raster } from "./raster";
import { fitRaster } from "./raster";
import { checkerboard, edge, gradient, noise, shapes, type Painter } from "./patterns";
import { digit } from "./digits";
import { digitSample, sampleCatalog } from "../../analysis/samples";

export { sampleCatalog, isSampleName, type SampleInfo } from "../../analysis/samples";

const painters: Record<string, Painter> = { shapes, gradient, checkerboard, edge, noise };

/** the raster a sample name stands for, made at (or for) the given size */
export function sampleRaster(name: string, width: number, height: number, channels: number, seed: number): Raster {
  const d = digitSample(name);
  if (d) return digit(d[0], d[1]);
  const paint = painters[name];
  if (!paint) throw new Error(`unknown sample \`${name}\`; the samples are ${sampleCatalog().map((s) => s.name).filter((n) => !/^digit[0-9]$/.test(n) || n === "digit0").join(", ").replace("digit0", "digit0 … digit9")}`);
  return paint(width, height, channels, seed);
}

export function sampleInput(name: string, width: number, height: number, channels: number, seed: number): Float32Array {
  return fitRaster(sampleRaster(name, width, height, channels, seed), width, height, channels);
}

/** What a net sees when nothing is chosen: a digit for gray inputs, shapes for colour, noise otherwise. */
export function defaultSample(channels: number): string {
  if (channels === 1) return "digits";
  if (channels === 3 || channels === 4) return "shapes";
  return "noise";
}
