// What the network's input holds for a run. In order: an image or sample chosen for this
// run (command line, run view), the file's literal `data`, the file's `sample`, and a
// default sample that suits the input's depth. A picture (a file, a drawing, a built-in
// sample) becomes a tensor as torchvision makes one (docs/ENGINE.md, "From a picture to
// a tensor"): channels converted and resized as PIL does, scaled to [0, 1], inverted if
// asked, then normalized by the input's `mean`/`std`. Literal `data` is used as written.

import type { GraphNode, InputAttrs } from "../analysis/types";

export { requestedImagePath } from "../analysis/input";
import { planesOf } from "./tensor";
import type { Raster } from "./samples/raster";
import { fitRaster } from "./samples/raster";
import { defaultSample, sampleRaster } from "./samples";

export interface InputRequest {
  /** a built-in sample chosen for this run */
  sample?: string;
  /** a decoded picture (the file's `sample "path"`, a picked file, a drawing) and what to call it */
  image?: { raster: Raster; name: string };
  /** read the picture as 1 − x whatever the file says (the run view's "invert") */
  invert?: boolean;
}

export interface NetworkInput {
  data: Float32Array;
  /** where the values came from, for people: `sample digit7`, `literal data`, `cat.png` */
  source: string;
  /** how a picture became the tensor, step by step, for people (empty for literal data) */
  steps: string[];
}

/** The input line's attributes (none when the graph does not start with an input). */
export function inputAttrs(network: { graph: GraphNode[] }): InputAttrs {
  const first = network.graph[0];
  return first && first.op === "input" ? first.attrs : {};
}

export interface Preprocessing {
  mean?: number[];
  std?: number[];
  invert?: boolean;
}

const channelWords: Record<number, string> = { 1: "gray", 3: "RGB", 4: "RGBA" };
const list = (values: number[]) => (values.every((v) => v === values[0]) ? String(values[0]) : `[${values.join(", ")}]`);

/**
 * A picture as the network's input of W×H×D: converted to D channels and resized to
 * W×H as PIL does (8-bit pictures exactly), scaled to [0, 1] (ToTensor), 1 − x when
 * inverted, then (x − mean)/std per channel in float32 (Normalize).
 */
export function pictureTensor(raster: Raster, input: GraphNode, pre: Preprocessing = input.op === "input" ? input.attrs : {}): { data: Float32Array; steps: string[] } {
  const p = planesOf(input.output);
  const steps: string[] = [`${raster.width}×${raster.height} ${channelWords[raster.channels] ?? `${raster.channels} channels`}`];
  if (raster.channels !== p.channels) {
    const to = p.channels === 1 ? "gray (PIL's luminance: 0.299 R + 0.587 G + 0.114 B)" : p.channels === 3 ? (raster.channels === 4 ? "RGB (alpha dropped)" : "RGB (gray repeated)") : p.channels === 4 ? "RGBA" : `the luminance in each of ${p.channels} channels`;
    steps.push(`to ${to}`);
  } else if (raster.channels === 4 && p.channels === 4) steps.push("alpha kept");
  if (raster.width !== p.width || raster.height !== p.height) steps.push(`resized to ${p.width}×${p.height} (PIL's bilinear, antialiased)`);
  const data = fitRaster(raster, p.width, p.height, p.channels);
  steps.push(raster.eightBit ? "÷ 255 → [0, 1]" : "values as drawn");
  if (pre.invert) {
    for (let i = 0; i < data.length; i++) data[i] = 1 - data[i];
    steps.push("inverted: 1 − x");
  }
  if (pre.mean || pre.std) {
    const plane = p.width * p.height;
    const mean = pre.mean ?? Array(p.channels).fill(0);
    const std = pre.std ?? Array(p.channels).fill(1);
    for (let c = 0; c < p.channels; c++) {
      // as torchvision's Normalize on a float32 tensor: (x − mean) then ÷ std, each rounded to float32
      const m = Math.fround(mean[c]);
      const s = Math.fround(std[c]);
      for (let i = c * plane; i < (c + 1) * plane; i++) data[i] = Math.fround(data[i] - m) / s;
    }
    steps.push(`(x − mean)/std, mean ${list(mean)}, std ${list(std)}`);
  }
  return { data, steps };
}

/** `input`: the graph's first node */
export function networkInput(input: GraphNode, request: InputRequest, seed: number): NetworkInput {
  if (input.op !== "input") throw new Error(`the graph starts with ${input.op}, not its input`);
  const p = planesOf(input.output);
  const pre: Preprocessing = { ...input.attrs, ...(request.invert !== undefined ? { invert: request.invert } : {}) };
  const picture = (raster: Raster, source: string): NetworkInput => ({ ...pictureTensor(raster, input, pre), source });
  if (request.image) return picture(request.image.raster, request.image.name);
  if (request.sample) return picture(sampleRaster(request.sample, p.width, p.height, p.channels, seed), `sample ${request.sample}`);
  if (input.attrs.data) return { data: Float32Array.from(input.attrs.data), source: "literal data", steps: input.attrs.mean || input.attrs.std || input.attrs.invert ? ["literal data, used as written (mean, std and invert apply to pictures)"] : [] };
  const s = input.attrs.sample;
  if (s && "path" in s) throw new Error(`the input asks for the picture "${s.path}", which has not been loaded`);
  const name = s?.name ?? defaultSample(p.channels);
  return picture(sampleRaster(name, p.width, p.height, p.channels, seed), `sample ${name}`);
}
