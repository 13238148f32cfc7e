// Training kernels of the layers that move, join or mask values without parameters.
//   flatten: the identity (C×H×W order is already the flat order);
//   dropout p (training): y = x·mask/(1 − p), mask[i] = 1 with probability 1 − p, drawn
//     from the counter generator (engine/random.ts) under a key of (seed, step, node), so
//     a run is repeatable; the identity in eval mode and for p = 0;
//   upsample (nearest): each input cell receives the sum of the cells copied from it;
//   pad: the gradient is the centre of the padded gradient;
//   add: the gradient goes to every input unchanged; concat: each input gets its own
//     channels of every sample's gradient.

import { mix, streamKey, uniform } from "../../random";
import { planesOf, sizeOf } from "../../tensor";
import { like, type Float } from "../float";
import type { TrainContext, TrainKernel } from "../kernel";
import type { GraphNode } from "../../../analysis/types";

export const flattenKernel: TrainKernel = {
  forward: (_n, [x]) => ({ output: x }),
  backward: (_n, dy, _x, _f, _p, _c, need) => ({ inputs: [need[0] ? dy : null] }),
};

export function dropoutProbability(node: GraphNode): number {
  return node.op === "dropout" ? node.attrs.p : 0;
}

/** the key of a dropout node's mask at one optimizer step */
export function dropoutKey(seed: number, step: number, nodeId: number): number {
  return mix((streamKey(seed, 0xd0000000 + nodeId) ^ mix((step + 0x632be5ab) >>> 0)) >>> 0);
}

/** 1/(1 − p) where kept, 0 where dropped; `first`: the index of into[0] in the whole batch's mask */
export function dropoutMask(length: number, p: number, key: number, into: Float, first = 0): Float {
  const keep = 1 / (1 - p);
  for (let i = 0; i < length; i++) into[i] = uniform(key, first + i) < p ? 0 : keep;
  return into;
}

function dropping(node: GraphNode, ctx: TrainContext): boolean {
  return ctx.training && dropoutProbability(node) > 0;
}

export const dropoutKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    if (!dropping(node, ctx)) return { output: x };
    const first = (ctx.sampleOffset ?? 0) * (x.length / ctx.batch);
    const mask = dropoutMask(x.length, dropoutProbability(node), dropoutKey(ctx.seed, ctx.step, node.id), like(x, x.length), first);
    const out = like(x, x.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i] * mask[i];
    return { output: out, saved: mask };
  },
  backward(node, dy, [x], f, _p, ctx, need) {
    if (!need[0]) return { inputs: [null] };
    if (!dropping(node, ctx)) return { inputs: [dy] };
    const mask = f.saved as Float;
    const dx = like(x, x.length);
    for (let i = 0; i < x.length; i++) dx[i] = dy[i] * mask[i];
    return { inputs: [dx] };
  },
};

export const upsampleKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    const from = planesOf(node.input!);
    const to = planesOf(node.output);
    const out = like(x, ctx.batch * from.channels * to.height * to.width);
    eachCopy(node, ctx.batch, (o, i) => (out[o] = x[i]));
    return { output: out };
  },
  backward(node, dy, [x], _f, _p, ctx, need) {
    if (!need[0]) return { inputs: [null] };
    const dx = like(x, x.length);
    eachCopy(node, ctx.batch, (o, i) => (dx[i] += dy[o]));
    return { inputs: [dx] };
  },
};

/** nearest neighbour: output cell (oy, ox) copies input ⌊oy·H₁/H₂⌋, ⌊ox·W₁/W₂⌋ */
function eachCopy(node: GraphNode, batch: number, visit: (out: number, input: number) => void): void {
  const from = planesOf(node.input!);
  const to = planesOf(node.output);
  const planes = batch * from.channels;
  for (let c = 0; c < planes; c++) {
    for (let oy = 0; oy < to.height; oy++) {
      const iy = Math.floor((oy * from.height) / to.height);
      for (let ox = 0; ox < to.width; ox++) {
        const ix = Math.floor((ox * from.width) / to.width);
        visit((c * to.height + oy) * to.width + ox, (c * from.height + iy) * from.width + ix);
      }
    }
  }
}

export const padKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    const from = planesOf(node.input!);
    const to = planesOf(node.output);
    const out = like(x, ctx.batch * from.channels * to.height * to.width);
    eachRow(node, ctx.batch, (o, i, w) => {
      for (let k = 0; k < w; k++) out[o + k] = x[i + k];
    });
    return { output: out };
  },
  backward(node, dy, [x], _f, _p, ctx, need) {
    if (!need[0]) return { inputs: [null] };
    const dx = like(x, x.length);
    eachRow(node, ctx.batch, (o, i, w) => {
      for (let k = 0; k < w; k++) dx[i + k] = dy[o + k];
    });
    return { inputs: [dx] };
  },
};

function eachRow(node: GraphNode, batch: number, visit: (out: number, input: number, width: number) => void): void {
  const from = planesOf(node.input!);
  const to = planesOf(node.output);
  if (node.op !== "pad") throw new Error(`${node.op} is not a pad layer`);
  const pad = node.attrs.padding;
  const planes = batch * from.channels;
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < from.height; y++) visit((c * to.height + y + pad.top) * to.width + pad.left, (c * from.height + y) * from.width, from.width);
  }
}

export const addKernel: TrainKernel = {
  forward(_node, inputs) {
    const out = like(inputs[0], inputs[0].length);
    for (const x of inputs) for (let i = 0; i < out.length; i++) out[i] += x[i];
    return { output: out };
  },
  backward: (_n, dy, inputs, _f, _p, _c, need) => ({ inputs: inputs.map((_, k) => (need[k] ? dy : null)) }),
};

export const concatKernel: TrainKernel = {
  forward(node, inputs, _p, ctx) {
    const total = sizeOf(node.output);
    const out = like(inputs[0], ctx.batch * total);
    let at = 0;
    for (const x of inputs) {
      const size = x.length / ctx.batch;
      for (let n = 0; n < ctx.batch; n++) for (let k = 0; k < size; k++) out[n * total + at + k] = x[n * size + k];
      at += size;
    }
    return { output: out };
  },
  backward(node, dy, inputs, _f, _p, ctx, need) {
    const total = sizeOf(node.output);
    let at = 0;
    const grads = inputs.map((x, k) => {
      const size = x.length / ctx.batch;
      let dx: Float | null = null;
      if (need[k]) {
        dx = like(x, x.length);
        for (let n = 0; n < ctx.batch; n++) for (let j = 0; j < size; j++) dx[n * size + j] = dy[n * total + at + j];
      }
      at += size;
      return dx;
    });
    return { inputs: grads };
  },
};
