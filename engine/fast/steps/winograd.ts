// 3×3 stride-1 convolutions by Winograd F(4×4, 3×3), or F(2×2, 3×3) on outputs of 8×8
// or less (winogradForm; kernels/winograd.ts): the filters transformed once (U = G g Gᵀ,
// batch norm folded), a table of tiles made once, and at run time a padded copy of the
// input and, per block of tiles, input transform → 36 (16) products → output transform
// with bias, residual and activation.
//
// With threads: the padded copy by channels, then either whole blocks (each thread its
// own V and M: when there are blocks enough to share) or, block after block, the input
// transform by channels (the first block's with the padded copy of the same channels),
// the 36 products by positions, the output transform by filters.

import { NR } from "../../wasm/kernels/gemm";
import { F2, F4, positionBytes, TILE_ENTRY, type WinogradForm } from "../../wasm/kernels/winograd";
import { windowGeometry, type WindowGeometry } from "../../geometry";
import { COST, partCount, partRange } from "../threads/split";
import { padChannels, padPhase } from "./conv";
import { convolution, foldedBias, type Addresses, type BuildContext, type ByChannels, type CompiledStep, type Phase, type StepOf } from "./context";

/** most tiles per block: V and M of a block stay within a few MB */
const MAX_BLOCK = 64;

export function winogradFits(step: StepOf<"conv" | "dwconv">): boolean {
  const node = step.head;
  if (node.op !== "conv" || node.input?.kind !== "volume") return false;
  const g = windowGeometry(node, node.attrs.groups);
  return (
    g.kernelHeight === 3 && g.kernelWidth === 3 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.dilationHeight === 1 && g.dilationWidth === 1 && g.groups === 1 && g.inChannels >= 16 && g.outChannels >= 16
  );
}

/**
 * F(4×4, 3×3), unless its tiles would be four or fewer (an output of 8×8 or less, as
 * ResNet-18's 7×7 stage): then F(2×2, 3×3), whose 16 filter matrices serve four times as
 * many tiles (kernels/winograd.ts: F(4×4)'s products there are bound by reading its 36).
 */
export function winogradForm(g: WindowGeometry): WinogradForm {
  return Math.ceil(g.outHeight / 4) * Math.ceil(g.outWidth / 4) <= 4 ? F2 : F4;
}

/**
 * Tiles per block with `threads` taking whole blocks (byBlocks): a block costs its
 * `nb` tiles whether or not they are all real, and the busiest thread takes
 * ⌈blocks / threads⌉ of them, so of the sizes from `nb` down to ¾ of it (multiples of NR)
 * the one whose busiest thread has the fewest tiles: VGG-16's 112×112 layers (784 tiles)
 * take 14 blocks of 56 instead of 13 of 64 (7 blocks for one thread, 6 for the other).
 * The sums of a tile do not depend on its block, so neither do the bits.
 */
export function balancedBlock(T: number, nb: number, threads: number): number {
  let best = nb;
  let bestLoad = Math.ceil(Math.ceil(T / nb) / threads) * nb;
  for (let n = nb - NR; n >= Math.max(NR, (3 * nb) / 4); n -= NR) {
    const load = Math.ceil(Math.ceil(T / n) / threads) * n;
    if (load < bestLoad) [best, bestLoad] = [n, load];
  }
  return best;
}

/**
 * Tiles, blocks and scratch of a Winograd convolution: tile×tile outputs per tile; the
 * padded input covers every tile's patch (+2 columns for the vector loads of a patch
 * row); V and M of one block of at most MAX_BLOCK tiles, for the form's positions (with
 * threads taking whole blocks, blocks sized so that they share evenly: balancedBlock).
 */
export function winogradLayout(g: WindowGeometry, MR: number, threads = 1) {
  const form = winogradForm(g);
  const m = form.tile;
  const P = form.patch * form.patch;
  const Ho = g.outHeight;
  const Wo = g.outWidth;
  const th = Math.ceil(Ho / m);
  const tw = Math.ceil(Wo / m);
  const T = th * tw;
  const Hp = m * th + 2;
  const Wp = m * tw + 4;
  const fewest = Math.ceil(T / MAX_BLOCK);
  const even = Math.ceil(T / fewest / NR) * NR;
  const nb = byBlocks(fewest, threads) ? balancedBlock(T, even, threads) : even;
  const blocks = Math.ceil(T / nb);
  const Mp = Math.ceil(g.outChannels / MR) * MR;
  return {
    form, P, Ho, Wo, th, tw, T, Hp, Wp, blocks, nb,
    padBytes: Math.ceil((4 * g.inChannels * Hp * Wp) / 64) * 64 + 256,
    vBytes: P * positionBytes(g.inChannels * nb),
    mBytes: P * positionBytes(Mp * nb),
    tmpBytes: P * 16 + 256,
  };
}

/**
 * Of `count` parts of `units` equal units (F(4×4)'s 36 positions), the most — at most
 * `count` — that cut them into equal parts a whole number per thread: 8 parts of 36 are
 * 4, 5, 4, 5, … positions, so one of two threads does 20 while the other does 16; 6 parts
 * of 6 share them evenly. `count` itself when no such number is near.
 */
export function evenParts(count: number, units: number, threads: number): number {
  for (let n = count; n >= Math.max(threads, Math.ceil(count / 2)); n--) if (units % n === 0 && n % threads === 0) return n;
  return count;
}

/** with threads: whole blocks to each (V and M its own) when there are blocks enough to share */
export function byBlocks(blocks: number, threads: number): boolean {
  return blocks >= 2 * threads;
}

/**
 * Transformed filters computed here in float64 (one rounding each), for the steps whose
 * filter transform has no kernel of its own (steps/strided.ts, steps/polyphase.ts):
 * U[p = i·n + j][panel][channel][MR] = (G·h·Gᵀ)[i][j] · gain[k], n = G's rows, where
 * h[a][b] = tap(k, channel, a, b) is filter k's r×r matrix for that channel (r = G's columns).
 * Returns U's address in the heap.
 */
export function transformedFilters(ctx: BuildContext, G: number[][], K: number, channels: number, gain: ArrayLike<number>, tap: (k: number, channel: number, a: number, b: number) => number): number {
  const { heap } = ctx;
  const MR = ctx.lib.MR;
  const [n, r] = [G.length, G[0].length];
  const Mp = Math.ceil(K / MR) * MR;
  const U = heap.reserve(4 * n * n * Mp * channels);
  const u = heap.f32(U, n * n * Mp * channels);
  const h = new Float64Array(r * r);
  const gh = new Float64Array(n * r);
  for (let k = 0; k < K; k++)
    for (let ch = 0; ch < channels; ch++) {
      for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) h[a * r + b] = tap(k, ch, a, b);
      for (let i = 0; i < n; i++)
        for (let b = 0; b < r; b++) {
          let s = 0;
          for (let a = 0; a < r; a++) s += G[i][a] * h[a * r + b];
          gh[i * r + b] = s;
        }
      const at = (k - (k % MR)) * channels + ch * MR + (k % MR);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let b = 0; b < r; b++) s += gh[i * r + b] * G[j][b];
          u[(i * n + j) * Mp * channels + at] = s * gain[k];
        }
    }
  return U;
}

/** a transform step's block-by-block stages, for the threads (blockStages) */
export interface Stages {
  channels: number;
  filters: number;
  /** positions of the transform (36 for F(4×4)): the products' parts */
  positions: number;
  blocks: number;
  /** work of each stage as partCount counts it */
  costs: { input: number; products: number; output: number };
  /** channels [c0, c1) of the padded copy */
  padded: ByChannels;
  /** block blk's input transform of channels [c0, c1) */
  transform(at: Addresses, blk: number, c0: number, c1: number, local: number): void;
  /** the products of positions [p0, p1) (of the block whose V was just written) */
  products(at: Addresses, p0: number, p1: number): void;
  /** block blk's output transform of filters [k0, k1) */
  untransform(at: Addresses, blk: number, k0: number, k1: number, local: number): void;
}

/**
 * Block after block, each in three phases: the input transform by channels (the first
 * block's with the padded copy of the same channels: the same thread, no join between —
 * the step's head), the products by positions, the output transform by filters (the last
 * block's is the step's tail). engine/fast/network.ts may run head and tail with the
 * neighbouring steps' phases.
 */
export function blockStages(s: Stages, ctx: BuildContext): { phases: Phase[]; head: ByChannels; tail: ByChannels } {
  const { threads } = ctx;
  const inputs = partCount(s.costs.input, ctx, s.channels);
  const positions = evenParts(partCount(s.costs.products, ctx, s.positions), s.positions, threads);
  const outputs = partCount(s.costs.output, ctx, s.filters);
  const head: ByChannels = {
    channels: s.channels,
    align: 1,
    run(at, c0, c1, local) {
      s.padded.run(at, c0, c1, local);
      s.transform(at, 0, c0, c1, local);
    },
  };
  const tail: ByChannels = { channels: s.filters, align: 1, run: (at, k0, k1, local) => s.untransform(at, s.blocks - 1, k0, k1, local) };
  const phases: Phase[] = [];
  for (let blk = 0; blk < s.blocks; blk++)
    phases.push(
      blk === 0
        ? { count: inputs, run: (at, part, local) => head.run(at, ...partRange(s.channels, inputs, part, 1, threads), local) }
        : { count: inputs, run: (at, part, local) => s.transform(at, blk, ...partRange(s.channels, inputs, part, 1, threads), local) },
      { count: positions, run: (at, part) => s.products(at, ...partRange(s.positions, positions, part, 1, threads)) },
      { count: outputs, run: (at, part, local) => s.untransform(at, blk, ...partRange(s.filters, outputs, part, 1, threads), local) },
    );
  return { phases, head, tail };
}

export function compileWinograd(step: StepOf<"conv" | "dwconv">, ctx: BuildContext): CompiledStep {
  const { lib, heap } = ctx;
  const { g, w, b, gain, offset } = convolution(step, ctx);
  const MR = lib.MR;
  const K = g.outChannels;
  const C = g.inChannels;
  const Mp = Math.ceil(K / MR) * MR;

  const { form, P, Ho, Wo, tw, T, Hp, Wp, blocks, nb, padBytes, vBytes, mBytes, tmpBytes } = winogradLayout(g, MR, ctx.threads);
  const names = form.names;
  const tile = form.tile;

  // U = G·g·Gᵀ of every filter, batch norm folded, packed [p][panel][C][MR] by the
  // kernel (the filters and gains pass through the scratch end of the heap)
  const U = heap.reserve(4 * P * Mp * C);
  const filters = heap.store(w);
  const gains = heap.store(Float32Array.from(gain));
  lib.k[names.filters]({ u: U, filters, gains, outChannels: K, inChannels: C, paddedRows: Mp });
  heap.release(filters);
  const bias = heap.store(foldedBias(b, gain, offset, K, Mp));

  const table = heap.reserve(TILE_ENTRY * blocks * nb);
  const entries = heap.i32(table, 4 * blocks * nb);
  for (let t = 0; t < T; t++) {
    const ty = Math.floor(t / tw);
    const tx = t % tw;
    entries.set([4 * (tile * ty * Wp + tile * tx), 4 * (tile * ty * Wo + tile * tx), Math.min(tile, Ho - tile * ty), Math.min(tile, Wo - tile * tx)], 4 * t);
  }
  const plane = 4 * Hp * Wp;
  const outPlane = 4 * Ho * Wo;
  /** one block of tiles, start to end, with V, M and tmp where given */
  const block = (at: { inputs: number[]; output: number }, padded: number, blk: number, V: number, M: number, tmp: number) => {
    const residual = step.residual === null ? 0 : at.inputs[at.inputs.length - 1];
    const tiles = table + TILE_ENTRY * blk * nb;
    lib.k[names.input]({ v: V, src: padded, tiles, channels: C, planeBytes: plane, rowBytes: 4 * Wp, count: nb, scratch: tmp, span: C });
    lib.k.wino_products({ u: U, v: V, m: M, channels: C, paddedRows: Mp, count: nb, from: 0, to: P });
    lib.k[names.output]({ dst: at.output, m: M, tiles, outChannels: K, paddedRows: Mp, count: nb, bias, residual, act: step.act, planeBytes: outPlane, rowBytes: 4 * Wo, scratch: tmp });
  };
  const compiled: CompiledStep = {
    scratchBytes: padBytes + vBytes + mBytes + tmpBytes,
    run(at) {
      const V = at.scratch + padBytes;
      lib.k.pad({ dst: at.scratch, src: at.inputs[0], channels: C, height: g.inHeight, width: g.inWidth, top: g.padTop, left: g.padLeft, paddedHeight: Hp, paddedWidth: Wp, value: 0 });
      for (let blk = 0; blk < blocks; blk++) block(at, at.scratch, blk, V, V + vBytes, V + vBytes + mBytes);
    },
  };
  if (ctx.threads <= 1) return compiled;

  const pad = padPhase(ctx, C, g.inHeight, g.inWidth, g.padTop, g.padLeft, Hp, Wp, 0);
  /** channels [c0, c1) of the padded copy (padPhase's parts) */
  const padded = padChannels(ctx, C, g.inHeight, g.inWidth, g.padTop, g.padLeft, Hp, Wp, 0);
  if (byBlocks(blocks, ctx.threads)) {
    // whole blocks: V, M and tmp in each thread's own scratch
    const byBlock: Phase = { count: blocks, run: (at, blk, local) => block(at, at.scratch, blk, local, local + vBytes, local + vBytes + mBytes) };
    return { ...compiled, scratchBytes: padBytes, phases: [pad, byBlock], localBytes: vBytes + mBytes + tmpBytes, head: padded };
  }
  // few blocks: each block's three stages split, V and M shared
  /** block blk's input transform of channels [c0, c1) */
  const transform = ({ scratch }: Addresses, blk: number, c0: number, c1: number, local: number) =>
    lib.k[names.input]({ v: scratch + padBytes + 4 * NR * c0, src: scratch + c0 * plane, tiles: table + TILE_ENTRY * blk * nb, channels: C, planeBytes: plane, rowBytes: 4 * Wp, count: nb, scratch: local, span: c1 - c0 });
  /** block blk's output transform of filters [k0, k1) */
  const untransform = ({ inputs: ins, output, scratch }: Addresses, blk: number, k0: number, k1: number, local: number) => {
    const residual = step.residual === null ? 0 : ins[ins.length - 1];
    const M = scratch + padBytes + vBytes;
    lib.k[names.output]({
      dst: output + k0 * outPlane, m: M + 4 * k0 * nb, tiles: table + TILE_ENTRY * blk * nb, outChannels: k1 - k0, paddedRows: Mp, count: nb, bias: bias + 4 * k0,
      residual: residual ? residual + k0 * outPlane : 0, act: step.act, planeBytes: outPlane, rowBytes: 4 * Wo, scratch: local,
    });
  };
  const { phases, head, tail } = blockStages(
    {
      channels: C,
      filters: K,
      positions: P,
      blocks,
      costs: { input: P * C * nb * COST.transform + C * Hp * Wp * COST.copy, products: P * Mp * C * nb, output: P * K * nb * COST.transform },
      padded,
      transform,
      products({ scratch }, p0, p1) {
        const V = scratch + padBytes;
        lib.k.wino_products({ u: U, v: V, m: V + vBytes, channels: C, paddedRows: Mp, count: nb, from: p0, to: p1 });
      },
      untransform,
    },
    ctx,
  );
  return { ...compiled, scratchBytes: padBytes + vBytes + mBytes, phases, localBytes: tmpBytes, head, tail };
}
