// A 3×3 stride-2 convolution by a nested 9-point algorithm (kernels/polyphase.ts S9): along
// a row, 4 outputs from 9 inputs take F(4, 2) on the even inputs with the taps g_0, g_2
// (5 products) and one product each of the odd inputs with g_1 — 9 instead of 12; in two
// dimensions 81 per 4×4 outputs instead of 144 (1.78× fewer multiplications). Run as the
// Winograd layers are: filters transformed once (float64, batch norm folded), a padded
// copy, and per block of tiles the input transform of 9×9 patches (at stride 8), 81
// products on the GEMM tile, the output transform with bias, residual and activation.
// Only where its 81 filter matrices stay within MOST_U: ResNet-18's 56×56 → 28×28 and
// 28 → 14 downsampling convs (2.6 and 10.6 MB; the 14 → 7 one has 4 tiles, too few).
//
// With threads: per block the input transform by channels (the first block's with the
// padded copy of the same channels), the products by positions, the output transform by
// filters (a tile's sums do not depend on the cut: one thread's bits).

import { NR } from "../../wasm/kernels/gemm";
import { positionBytes, TILE_ENTRY } from "../../wasm/kernels/winograd";
import { S9 } from "../../wasm/kernels/polyphase";
import { windowGeometry, type WindowGeometry } from "../../geometry";
import { COST } from "../threads/split";
import { blockStages, transformedFilters } from "./winograd";
import { padChannels } from "./conv";
import { convolution, foldedBias, type Addresses, type BuildContext, type CompiledStep, type StepOf } from "./context";
import type { NodeOf } from "../../../analysis/types";

const MAX_BLOCK = 64;
const TILE = 4;
const PATCH = 9;
const P = PATCH * PATCH;
/**
 * most bytes of the 81 filter matrices (the GEMM tile's most rows: 6): ResNet-18's 28 → 14
 * conv (10.6 MB, 16 tiles: 1.36× fewer multiplications, the matrices read from memory
 * once a run) measured 0.9–1.2 % faster on the whole net than as a GEMM (pairwise medians
 * of 150 alternated runs, two processes, load 4)
 */
const MOST_U = 12 << 20;

/**
 * a 3×3 stride-2 undilated ungrouped convolution of ≥ 16 channels into ≥ 16 with ≥ 16
 * tiles (fewer leave the transforms' cost for little), its transformed filters at most
 * MOST_U bytes
 */
export function stridedFits(node: NodeOf<"conv" | "dwconv">): boolean {
  if (node.op !== "conv" || node.input?.kind !== "volume") return false;
  const g = windowGeometry(node, node.attrs.groups);
  return (
    g.kernelHeight === 3 && g.kernelWidth === 3 && g.strideHeight === 2 && g.strideWidth === 2 && g.dilationHeight === 1 && g.dilationWidth === 1 &&
    g.groups === 1 && g.inChannels >= 16 && g.outChannels >= 16 && Math.ceil(g.outHeight / TILE) * Math.ceil(g.outWidth / TILE) >= 16 && 4 * P * Math.ceil(g.outChannels / 6) * 6 * g.inChannels <= MOST_U
  );
}

/** tiles, blocks and scratch: the padded input covers every tile's 9×9 patch and the 12-float reads of its rows */
export function stridedLayout(g: WindowGeometry, MR: number) {
  const Ho = g.outHeight;
  const Wo = g.outWidth;
  const th = Math.ceil(Ho / TILE);
  const tw = Math.ceil(Wo / TILE);
  const T = th * tw;
  const Hp = Math.max(2 * TILE * th + 1, g.inHeight + g.padTop + g.padBottom, g.inHeight + g.padTop);
  const Wp = Math.max(2 * TILE * tw + 4, g.inWidth + g.padLeft + g.padRight, g.inWidth + g.padLeft);
  const fewest = Math.ceil(T / MAX_BLOCK);
  const nb = Math.ceil(T / fewest / NR) * NR;
  const blocks = Math.ceil(T / nb);
  const Mp = Math.ceil(g.outChannels / MR) * MR;
  return {
    Ho, Wo, tw, T, Hp, Wp, nb, blocks, Mp,
    padBytes: Math.ceil((4 * g.inChannels * Hp * Wp) / 64) * 64 + 256,
    vBytes: P * positionBytes(g.inChannels * nb),
    mBytes: P * positionBytes(Mp * nb),
    tmpBytes: P * 16 + 256,
  };
}

/** bytes all threads share and each needs of its own, and that it has a head (engine/fast/steps/scratch.ts) */
export function stridedScratch(g: WindowGeometry, MR: number, threads: number): { shared: number; local: number; head?: boolean } {
  const l = stridedLayout(g, MR);
  return threads <= 1 ? { shared: l.padBytes + l.vBytes + l.mBytes + l.tmpBytes, local: 0 } : { shared: l.padBytes + l.vBytes + l.mBytes, local: l.tmpBytes, head: true };
}

export function compileStrided(step: StepOf<"conv" | "dwconv">, ctx: BuildContext): CompiledStep {
  const { lib, heap } = ctx;
  const { g, w, b, gain, offset } = convolution(step, ctx);
  const MR = lib.MR;
  const K = g.outChannels;
  const C = g.inChannels;
  const { Ho, Wo, tw, T, Hp, Wp, nb, blocks, Mp, padBytes, vBytes, mBytes } = stridedLayout(g, MR);

  // U = G·g·Gᵀ of every 3×3 filter, batch norm folded
  const U = transformedFilters(ctx, S9.G, K, C, gain, (k, c, a, x) => w[((k * C + c) * 3 + a) * 3 + x]);
  const bias = heap.store(foldedBias(b, gain, offset, K, Mp));

  const table = heap.reserve(TILE_ENTRY * blocks * nb);
  const entries = heap.i32(table, 4 * blocks * nb);
  for (let t = 0; t < T; t++) {
    const [ty, tx] = [Math.floor(t / tw), t % tw];
    entries.set([4 * (2 * TILE * ty * Wp + 2 * TILE * tx), 4 * (TILE * ty * Wo + TILE * tx), Math.min(TILE, Ho - TILE * ty), Math.min(TILE, Wo - TILE * tx)], 4 * t);
  }
  const plane = 4 * Hp * Wp;
  const outPlane = 4 * Ho * Wo;
  const [V0, M0] = [padBytes, padBytes + vBytes];
  /** block blk's input transform of channels [c0, c1) */
  const transform = ({ scratch }: Addresses, blk: number, c0: number, c1: number, tmp: number) =>
    lib.k.wino9_input({ v: scratch + V0 + 4 * NR * c0, src: scratch + c0 * plane, tiles: table + TILE_ENTRY * blk * nb, channels: C, planeBytes: plane, rowBytes: 4 * Wp, count: nb, scratch: tmp, span: c1 - c0 });
  const products = ({ scratch }: Addresses, p0: number, p1: number) =>
    lib.k.wino_products({ u: U, v: scratch + V0, m: scratch + M0, channels: C, paddedRows: Mp, count: nb, from: p0, to: p1 });
  /** block blk's output transform of filters [k0, k1) */
  const untransform = ({ inputs, output, scratch }: Addresses, blk: number, k0: number, k1: number, tmp: number) => {
    const residual = step.residual === null ? 0 : inputs[inputs.length - 1];
    lib.k.wino9_output({
      dst: output + k0 * outPlane, m: scratch + M0 + 4 * k0 * nb, tiles: table + TILE_ENTRY * blk * nb, outChannels: k1 - k0, paddedRows: Mp, count: nb, bias: bias + 4 * k0,
      residual: residual ? residual + k0 * outPlane : 0, act: step.act, planeBytes: outPlane, rowBytes: 4 * Wo, scratch: tmp,
    });
  };
  const compiled: CompiledStep = {
    scratchBytes: stridedScratch(g, MR, 1).shared,
    run(at) {
      lib.k.pad({ dst: at.scratch, src: at.inputs[0], channels: C, height: g.inHeight, width: g.inWidth, top: g.padTop, left: g.padLeft, paddedHeight: Hp, paddedWidth: Wp, value: 0 });
      const tmp = at.scratch + M0 + mBytes;
      for (let blk = 0; blk < blocks; blk++) {
        transform(at, blk, 0, C, tmp);
        products(at, 0, P);
        untransform(at, blk, 0, K, tmp);
      }
    },
  };
  if (ctx.threads <= 1) return compiled;
  // the first block's input transform pads its channels first (the step's head), the last
  // block's output transform is its tail (blockStages)
  const padded = padChannels(ctx, C, g.inHeight, g.inWidth, g.padTop, g.padLeft, Hp, Wp, 0);
  const { phases, head, tail } = blockStages(
    {
      channels: C,
      filters: K,
      positions: P,
      blocks,
      costs: { input: P * C * nb * COST.transform, products: P * Mp * C * nb, output: P * K * nb * COST.transform },
      padded,
      transform,
      products,
      untransform,
    },
    ctx,
  );
  return { ...compiled, scratchBytes: stridedScratch(g, MR, ctx.threads).shared, localBytes: stridedScratch(g, MR, ctx.threads).local, phases, head, tail };
}
