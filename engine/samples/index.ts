// The built-in sample inputs, by name, fitted to any input W×H×D.

import type { Raster } from "./raster";
import { fitRaster } from "./raster";
import { checkerboard, edge, gradient, noise, shapes, type Painter } from "./patterns";
import { digit, digitVariants } from "./digits";

export interface SampleInfo {
  name: string;
  description: string;
}

const painters: Record<string, { paint: Painter; description: string }> = {
  shapes: { paint: shapes, description: "a disc, a square and a triangle (coloured at D = 3)" },
  gradient: { paint: gradient, description: "a smooth ramp from dark to bright" },
  checkerboard: { paint: checkerboard, description: "an 8×8 board of black and white squares" },
  edge: { paint: edge, description: "the course's edge image: 10 on the left half, 0 on the right" },
  noise: { paint: noise, description: "seeded uniform noise in [0, 1)" },
};

const digitName = /^digit([0-9])(?:_([1-9]))?$/;

/** every sample name, for completion, `cnn run --sample` and the run view */
export function sampleCatalog(): SampleInfo[] {
  const list: SampleInfo[] = [{ name: "digits", description: "a handwritten 7 from MNIST (same as digit7)" }];
  for (let d = 0; d < 10; d++) list.push({ name: `digit${d}`, description: `a handwritten ${d} from MNIST${digitVariants > 1 ? ` (digit${d}_2 … digit${d}_${digitVariants} are others)` : ""}` });
  for (const [name, p] of Object.entries(painters)) list.push({ name, description: p.description });
  return list;
}

export function isSampleName(name: string): boolean {
  if (name === "digits" || name in painters) return true;
  const m = digitName.exec(name);
  return !!m && (!m[2] || Number(m[2]) <= digitVariants);
}

/** the raster a sample name stands for, made at (or for) the given size */
export function sampleRaster(name: string, width: number, height: number, channels: number, seed: number): Raster {
  if (name === "digits") return digit(7);
  const m = digitName.exec(name);
  if (m && isSampleName(name)) return digit(Number(m[1]), m[2] ? Number(m[2]) - 1 : 0);
  const p = painters[name];
  if (!p) throw new Error(`unknown sample \`${name}\`; the samples are ${sampleCatalog().map((s) => s.name).filter((n) => !/^digit[0-9]$/.test(n) || n === "digit0").join(", ").replace("digit0", "digit0 … digit9")}`);
  return p.paint(width, height, channels, seed);
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
