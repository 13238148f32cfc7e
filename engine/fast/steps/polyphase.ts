// A 7×7 stride-2 convolution (ResNet's stem) as Winograd F(3×3, 4×4) on its polyphase
// parts. The padded input x splits into four parts P[py][px][i][j] = x[2i + py][2j + px];
// filter tap (2a + py, 2b + px) meets only part (py, px), so the convolution is a 4×4
// stride-1 one over 4·C channels (the taps past the 7×7 filter zero):
//   y[oy][ox] = Σ_{py,px,c} Σ_{a,b<4} w[c][2a + py][2b + px] · P[py][px][c][oy + a][ox + b]
// and that, by F(3×3, 4×4) (kernels/winograd.ts: the points of F(4×4, 3×3), so its input
// transform), costs 36·4C multiplications per 3×3 outputs and filter: 48 per output for
// C = 3 instead of 147. At run time: a padded copy, the four parts (phase_split), then per
// block of tiles the input transform, the 36 products and the output transform with bias,
// residual and activation — the Winograd layers' kernels, on 4C channels.
//
// With threads: the padded copy and its parts by ranges of channels, then whole blocks of
// tiles (each thread its own V and M; a tile's sums do not depend on its block, so the
// bits are one thread's).

import { NR } from "../../wasm/kernels/gemm";
import { positionBytes, TILE_ENTRY, WHOLE_GROUP } from "../../wasm/kernels/winograd";
import { windowGeometry, type WindowGeometry } from "../../geometry";
import { COST, partCount, partRange } from "../threads/split";
import { balancedBlock, byBlocks, transformedFilters } from "./winograd";
import { convolution, foldedBias, type Addresses, type BuildContext, type CompiledStep, type StepOf } from "./context";
import type { NodeOf } from "../../../analysis/types";

/** most tiles per block (as the Winograd layers') */
const MAX_BLOCK = 64;
/** outputs per tile side, patch side, positions */
const TILE = 3;
const PATCH = 6;
const P = PATCH * PATCH;

/**
 * G of F(3×3, 4×4) (6×4) for the points 0, 1, −1, 2, −2, ∞ in Bᵀ's order (kernels/winograd.ts):
 * row j is s_j·(1, p_j, p_j², p_j³), with F(4×4, 3×3)'s scales s_j (so that Bᵀ is its own)
 */
export const G34 = [
  [1 / 4, 0, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6, 1 / 6],
  [1 / 24, 1 / 12, 1 / 6, 1 / 3],
  [1 / 24, -1 / 12, 1 / 6, -1 / 3],
  [0, 0, 0, 1],
];

/** a 7×7 stride-2 undilated ungrouped convolution of a few channels (a stem) into at least 16 */
export function polyphaseFits(node: NodeOf<"conv" | "dwconv">): boolean {
  if (node.op !== "conv" || node.input?.kind !== "volume") return false;
  const g = windowGeometry(node, node.attrs.groups);
  return (
    g.kernelHeight === 7 && g.kernelWidth === 7 && g.strideHeight === 2 && g.strideWidth === 2 && g.dilationHeight === 1 && g.dilationWidth === 1 &&
    g.groups === 1 && g.inChannels <= 16 && g.outChannels >= 16
  );
}

/**
 * Tiles, blocks and scratch: the padded input (2·Hq rows of Ws floats: every part's row
 * and the phase split's vector reads), the parts (4C planes Hq×Wq, covering every tile's
 * 6×6 patch and the input transform's 8-float row reads), V and M of one block.
 */
export function polyphaseLayout(g: WindowGeometry, MR: number, threads = 1) {
  const Ho = g.outHeight;
  const Wo = g.outWidth;
  const th = Math.ceil(Ho / TILE);
  const tw = Math.ceil(Wo / TILE);
  const T = th * tw;
  const Hq = TILE * th + PATCH - TILE;
  const Wq = Math.ceil((TILE * tw + 5) / 4) * 4;
  const Hs = 2 * Hq;
  const Ws = 2 * Wq + 8;
  const C4 = 4 * g.inChannels;
  const fewest = Math.ceil(T / MAX_BLOCK);
  const even = Math.ceil(T / fewest / NR) * NR;
  const nb = byBlocks(fewest, threads) ? balancedBlock(T, even, threads) : even;
  const blocks = Math.ceil(T / nb);
  const Mp = Math.ceil(g.outChannels / MR) * MR;
  const round = (bytes: number) => Math.ceil(bytes / 64) * 64 + 256;
  return {
    Ho, Wo, tw, T, Hq, Wq, Hs, Ws, C4, nb, blocks, Mp,
    padBytes: round(4 * g.inChannels * Hs * Ws),
    partBytes: round(4 * C4 * Hq * Wq),
    vBytes: P * positionBytes(C4 * nb),
    mBytes: P * positionBytes(Mp * nb),
    tmpBytes: P * 16 + 256,
  };
}

/** bytes all threads share and bytes each needs of its own (engine/fast/steps/scratch.ts) */
export function polyphaseScratch(g: WindowGeometry, MR: number, threads: number): { shared: number; local: number } {
  const l = polyphaseLayout(g, MR, threads);
  const block = l.vBytes + l.mBytes + l.tmpBytes;
  return threads <= 1 ? { shared: l.padBytes + l.partBytes + block, local: 0 } : { shared: l.padBytes + l.partBytes, local: block };
}

export function compilePolyphase(step: StepOf<"conv" | "dwconv">, ctx: BuildContext): CompiledStep {
  const { lib, heap } = ctx;
  const { g, w, b, gain, offset } = convolution(step, ctx);
  const MR = lib.MR;
  const K = g.outChannels;
  const C = g.inChannels;
  const [kh, kw] = [g.kernelHeight, g.kernelWidth];
  const L = polyphaseLayout(g, MR, ctx.threads);
  const { Ho, Wo, tw, T, Hq, Wq, Hs, Ws, C4, nb, blocks, Mp, padBytes, partBytes, vBytes, mBytes } = L;

  // U = G·h·Gᵀ·gain[k] for part channel (2·py + px)·C + c's 4×4 filter
  // h[a][b] = w[k][c][2a + py][2b + px] (zero past the 7×7)
  const U = transformedFilters(ctx, G34, K, C4, gain, (k, ch, a, bb) => {
    const [ph, c] = [Math.floor(ch / C), ch % C];
    const [fy, fx] = [2 * a + (ph >> 1), 2 * bb + (ph & 1)];
    return fy < kh && fx < kw ? w[((k * C + c) * kh + fy) * kw + fx] : 0;
  });
  const bias = heap.store(foldedBias(b, gain, offset, K, Mp));

  // per tile: part offset, output offset, real rows, columns — 4 where a whole vector
  // may be stored (the tile to its right, in the same block, writes its own first
  // column later: never across blocks, which threads run at once)
  const table = heap.reserve(TILE_ENTRY * blocks * nb);
  const entries = heap.i32(table, 4 * blocks * nb);
  for (let t = 0; t < T; t++) {
    const [ty, tx] = [Math.floor(t / tw), t % tw];
    const cols = Math.min(TILE, Wo - TILE * tx);
    const whole = cols === TILE && tx + 1 < tw && (t + 1) % nb !== 0;
    entries.set([4 * (TILE * ty * Wq + TILE * tx), 4 * (TILE * ty * Wo + TILE * tx), Math.min(TILE, Ho - TILE * ty), whole ? 4 : cols], 4 * t);
  }
  // a group of four whole tiles side by side in one row (groups start at multiples of 4
  // within a block): stored as whole vectors, the first tile's columns say so
  for (let blk = 0; blk < blocks; blk++)
    for (let t4 = 0; t4 < nb; t4 += 4) {
      const t = blk * nb + t4;
      const [ty, tx] = [Math.floor(t / tw), t % tw];
      if (t + 3 < T && tx + 3 < tw && TILE * (tx + 4) <= Wo && TILE * (ty + 1) <= Ho) entries[4 * t + 3] = WHOLE_GROUP;
    }
  const partPlane = 4 * Hq * Wq;
  const parts = (at: Addresses, c0: number, c1: number) => {
    const padded = at.scratch;
    lib.k.pad({ dst: padded + 4 * c0 * Hs * Ws, src: at.inputs[0] + 4 * c0 * g.inHeight * g.inWidth, channels: c1 - c0, height: g.inHeight, width: g.inWidth, top: g.padTop, left: g.padLeft, paddedHeight: Hs, paddedWidth: Ws, value: 0 });
    lib.k.phase_split({ dst: padded + padBytes, src: padded, channels: C, from: c0, to: c1, height: Hq, width: Wq, srcWidth: Ws });
  };
  const block = (at: Addresses, blk: number, V: number) => {
    const [M, tmp] = [V + vBytes, V + vBytes + mBytes];
    const residual = step.residual === null ? 0 : at.inputs[at.inputs.length - 1];
    const tiles = table + TILE_ENTRY * blk * nb;
    lib.k.wino_input({ v: V, src: at.scratch + padBytes, tiles, channels: C4, planeBytes: partPlane, rowBytes: 4 * Wq, count: nb, scratch: tmp, span: C4 });
    lib.k.wino_products({ u: U, v: V, m: M, channels: C4, paddedRows: Mp, count: nb, from: 0, to: P });
    lib.k.wino34_output({ dst: at.output, m: M, tiles, outChannels: K, paddedRows: Mp, count: nb, bias, residual, act: step.act, planeBytes: 4 * Ho * Wo, rowBytes: 4 * Wo, scratch: tmp });
  };
  const compiled: CompiledStep = {
    scratchBytes: polyphaseScratch(g, MR, 1).shared,
    run(at) {
      parts(at, 0, C);
      for (let blk = 0; blk < blocks; blk++) block(at, blk, at.scratch + padBytes + partBytes);
    },
  };
  if (ctx.threads <= 1) return compiled;
  const splits = partCount(C * Hs * Ws * COST.copy, ctx, C);
  return {
    ...compiled,
    scratchBytes: polyphaseScratch(g, MR, ctx.threads).shared,
    localBytes: polyphaseScratch(g, MR, ctx.threads).local,
    phases: [
      { count: splits, run: (at, part) => parts(at, ...partRange(C, splits, part, 1, ctx.threads)) },
      { count: blocks, run: (at, blk, local) => block(at, blk, local) },
    ],
  };
}
