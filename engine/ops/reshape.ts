// flatten, dropout and droppath: when running, the numbers stay as they are — flatten
// only changes how the shape is read (C×H×W order is already PyTorch's flattened order),
// dropout and droppath (stochastic depth) are the identity outside training. The fast
// executor gives their output the input's buffer. Training: dropout's seeded mask is its
// `trainForward` (engine/train/kernels/layout.ts); droppath's drops whole samples
// (torchvision's StochasticDepth, mode "row"), below.

import type { Floats } from "../api";
import { mix, streamKey, uniform } from "../random";
import { trainSlots } from "../train/slots";
import { dropoutKernel, flattenKernel } from "../train/kernels/layout";
import { sizeOf } from "../tensor";
import { like } from "./shared";
import type { Op } from "./types";

/**
 * Stochastic depth's per-sample factors for one step (torchvision StochasticDepth, mode
 * "row"): each sample of the batch is kept with probability 1 − p and then scaled by
 * 1/(1 − p), or dropped (0). Seeded by (seed, step, node) and drawn by each sample's
 * index in the whole batch (`first`: the index of the first of these `batch` samples), so
 * every executor and every slicing of a batch over threads draws the same.
 */
export function dropPathFactors(seed: number, step: number, node: number, batch: number, p: number, first = 0): Float64Array {
  const keep = 1 - p;
  const key = streamKey((seed ^ mix(step >>> 0)) >>> 0, 0x64726f70 + node);
  const factors = new Float64Array(batch);
  for (let b = 0; b < batch; b++) factors[b] = p === 0 || uniform(key, first + b) < keep ? 1 / keep : 0;
  return factors;
}

function scaleSamples<T extends Floats>(x: T, batch: number, factors: Float64Array | undefined): T {
  const out = like(x, x.length);
  const n = x.length / batch;
  for (let b = 0; b < batch; b++) {
    const f = factors ? factors[b] : 1;
    for (let i = b * n, end = i + n; i < end; i++) out[i] = x[i] * f;
  }
  return out;
}

export const flatten: Op<"flatten"> = {
  kind: "flatten",
  reference: { forward: ({ inputs: [x] }) => x, ...trainSlots(flattenKernel) },
  fast: { alias: true },
  onnx: { export: (e) => e.emit("Flatten", [e.inputs[0]], { axis: 1 }) },
};

export const dropout: Op<"dropout"> = {
  kind: "dropout",
  // the mask
  trainKept: (node) => sizeOf(node.output),
  reference: { forward: ({ inputs: [x] }) => x, ...trainSlots(dropoutKernel) },
  fast: { alias: true },
  onnx: { export: (e) => e.emit("Identity", [e.inputs[0]]) },
};

export const droppath: Op<"droppath"> = {
  kind: "droppath",
  reference: {
    forward: ({ inputs: [x] }) => x,
    trainForward({ node, inputs: [x], batch, seed, step, sampleOffset }) {
      const factors = dropPathFactors(seed, step, node.id, batch, node.attrs.p, sampleOffset ?? 0);
      return { output: scaleSamples(x, batch, factors), saved: factors };
    },
    // dx = dy times the sample's factor (1 where the forward ran as inference)
    backward: ({ outputGrad, batch, saved }) => ({ inputGrads: [scaleSamples(outputGrad, batch, saved as Float64Array | undefined)], paramGrads: {} }),
  },
  fast: { alias: true },
  onnx: { export: (e) => e.emit("Identity", [e.inputs[0]]) },
};
