// What the network's input holds for a run. In order: an image or sample chosen for this
// run (command line, run view), the file's literal `data`, the file's `sample`, and a
// default sample that suits the input's depth.

import type { GraphNode } from "../analysis/types";

export { requestedImagePath } from "../analysis/input";
import { planesOf } from "./tensor";
import type { Raster } from "./samples/raster";
import { fitRaster } from "./samples/raster";
import { defaultSample, sampleInput } from "./samples";

export interface InputRequest {
  /** a built-in sample chosen for this run */
  sample?: string;
  /** a decoded picture (the file's `sample "path"`, a picked file, a drawing) and what to call it */
  image?: { raster: Raster; name: string };
}

export interface NetworkInput {
  data: Float32Array;
  /** where the values came from, for people: `sample digit7`, `literal data`, `cat.png` */
  source: string;
}

/** `input`: the graph's first node */
export function networkInput(input: GraphNode, request: InputRequest, seed: number): NetworkInput {
  if (input.op !== "input") throw new Error(`the graph starts with ${input.op}, not its input`);
  const p = planesOf(input.output);
  if (request.image) return { data: fitRaster(request.image.raster, p.width, p.height, p.channels), source: request.image.name };
  if (request.sample) return { data: sampleInput(request.sample, p.width, p.height, p.channels, seed), source: `sample ${request.sample}` };
  if (input.attrs.data) return { data: Float32Array.from(input.attrs.data), source: "literal data" };
  const s = input.attrs.sample;
  if (s && "path" in s) throw new Error(`the input asks for the picture "${s.path}", which has not been loaded`);
  const name = s?.name ?? defaultSample(p.channels);
  return { data: sampleInput(name, p.width, p.height, p.channels, seed), source: `sample ${name}` };
}
