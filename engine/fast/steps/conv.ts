// Convolutions as matrix products (kernels/gemm.ts): the filters of each group packed
// once in MR-row panels with the batch norm folded in, the window tables made once, and
// at run time a padded copy of the input (when there is padding) and one GEMM per group.
// A 1×1, stride-1, unpadded convolution over enough positions reads its input in place
// as the B matrix.
// With threads: the padded copy by ranges of channels, then the product by blocks of
// output columns (rows too when there are few columns), each thread packing its own B.

import type { WindowGeometry } from "../../geometry";
import { KC, NC, NR } from "../../wasm/kernels/gemm";
import { COST, partCount, partRange } from "../threads/split";
import { convolution, type Addresses, type Bands, type BuildContext, type ByChannels, type CompiledStep, type Phase, type StepOf } from "./context";

/**
 * A 1×1 convolution reads its input in place as B when it has at least this many output
 * positions; fewer (MobileNetV2's 14×14 and 7×7 stages) are packed into NR-column panels
 * like any window, which measured faster there (rows of 49 or 196 floats read in place
 * are misaligned, and the last group of columns is mostly an edge tile):
 * 960→320 on 7×7 0.85 ms instead of 1.15, 320→1280 1.1 instead of 1.5.
 */
export const DIRECT_COLUMNS = 256;

/**
 * The scratch of a convolution as a GEMM: the padded copy of its input (none without
 * padding), one B panel block and the edge tiles (each thread its own).
 */
export function gemmConvScratch(g: WindowGeometry, MR: number) {
  const padded = g.padTop + g.padBottom + g.padLeft + g.padRight > 0;
  const direct = g.kernelHeight * g.kernelWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 && !padded && g.outHeight * g.outWidth >= DIRECT_COLUMNS;
  const Hp = g.inHeight + g.padTop + g.padBottom;
  const Wp = g.inWidth + g.padLeft + g.padRight;
  const padBytes = padded ? Math.ceil((4 * g.inChannels * Hp * Wp) / 64) * 64 + 256 : 0;
  return { padded, direct, Hp, Wp, padBytes, panelBytes: 4 * KC * NC, tileBytes: 4 * 2 * MR * NR + 256 };
}

export function compileGemmConv(step: StepOf<"conv" | "dwconv">, ctx: BuildContext): CompiledStep {
  const { lib, heap } = ctx;
  const { g, w, b, gain, offset } = convolution(step, ctx);
  const MR = lib.MR;
  const K = g.outChannels;
  const G = g.groups;
  const Kg = K / G;
  const Cg = g.inChannels / G;
  const taps = g.kernelHeight * g.kernelWidth;
  const Kd = Cg * taps;
  const Mp = Math.ceil(Kg / MR) * MR;
  const N = g.outHeight * g.outWidth;

  // A: [group][panel][Kd][MR], zero rows past Kg; bias: [group][Mp]
  const A = heap.reserve(4 * G * Mp * Kd);
  const packed = heap.f32(A, G * Mp * Kd);
  for (let k = 0; k < K; k++) {
    const grp = Math.floor(k / Kg);
    const m = k % Kg;
    const base = grp * Mp * Kd + Math.floor(m / MR) * MR * Kd + (m % MR);
    const row = k * Kd;
    for (let i = 0; i < Kd; i++) packed[base + i * MR] = w[row + i] * gain[k];
  }
  const biasValues = new Float32Array(G * Mp);
  for (let k = 0; k < K; k++) biasValues[Math.floor(k / Kg) * Mp + (k % Kg)] = (b ? b[k] : 0) * gain[k] + offset[k];
  const bias = heap.store(biasValues);

  const { padded, direct, Hp, Wp, padBytes, panelBytes, tileBytes } = gemmConvScratch(g, MR);
  let koff = 0;
  let noff = 0;
  if (!direct) {
    // byte offsets of filter element (c, fy, fx) and of output position (oy, ox)'s window
    koff = heap.reserve(4 * Kd);
    const kt = heap.i32(koff, Kd);
    for (let c = 0; c < Cg; c++)
      for (let fy = 0; fy < g.kernelHeight; fy++)
        for (let fx = 0; fx < g.kernelWidth; fx++)
          kt[(c * g.kernelHeight + fy) * g.kernelWidth + fx] = 4 * (c * Hp * Wp + fy * g.dilationHeight * Wp + fx * g.dilationWidth);
    noff = heap.reserve(4 * N);
    const nt = heap.i32(noff, N);
    for (let oy = 0; oy < g.outHeight; oy++)
      for (let ox = 0; ox < g.outWidth; ox++) nt[oy * g.outWidth + ox] = 4 * (oy * g.strideHeight * Wp + ox * g.strideWidth);
  }
  const inPlane = 4 * (direct ? g.inHeight * g.inWidth : Hp * Wp);
  const compiled: CompiledStep = {
    scratchBytes: padBytes + panelBytes + tileBytes,
    run({ inputs, output, scratch }) {
      let src = inputs[0];
      const residual = step.residual === null ? 0 : inputs[inputs.length - 1];
      if (padded) {
        lib.k.pad({ dst: scratch, src, channels: g.inChannels, height: g.inHeight, width: g.inWidth, top: g.padTop, left: g.padLeft, paddedHeight: Hp, paddedWidth: Wp, value: 0 });
        src = scratch;
      }
      const panel = scratch + padBytes;
      const tiles = panel + panelBytes;
      for (let grp = 0; grp < G; grp++) {
        const out = output + 4 * grp * Kg * N;
        lib.k.gemm({
          a: A + 4 * grp * Mp * Kd,
          rows: Kg,
          depth: Kd,
          b: src + grp * Cg * inPlane,
          columns: N,
          ld: N,
          c: out,
          bias: bias + 4 * grp * Mp,
          residual: residual ? residual + 4 * grp * Kg * N : 0,
          act: step.act,
          koff,
          noff,
          panel,
          scratch: tiles,
        });
      }
    },
  };
  if (ctx.threads <= 1) return compiled;

  // a 1×1 stride-1 convolution by ranges of positions (threads/bands.ts): all its rows, the
  // columns [n0, n1), each part packing its own B (or reading it in place) — the product
  // of one thread's column part below
  const pointwise = taps === 1 && G === 1 && !padded && g.strideHeight === 1 && g.strideWidth === 1 && g.outHeight === g.inHeight && g.outWidth === g.inWidth;
  const bands: Bands | undefined = pointwise
    ? {
        height: g.outHeight,
        width: g.outWidth,
        pointwise: true,
        work: Kg * Kd,
        fixed: Kg * Kd * COST.weight,
        localBytes: panelBytes + tileBytes,
        run({ inputs, output }, n0, n1, local) {
          const residual = step.residual === null ? 0 : inputs[inputs.length - 1];
          lib.k.gemm({
            a: A, rows: Kg, depth: Kd, b: inputs[0] + (direct ? 4 * n0 : 0), columns: n1 - n0, ld: N, c: output + 4 * n0, bias,
            residual: residual ? residual + 4 * n0 : 0, act: step.act, koff, noff: direct ? 0 : noff + 4 * n0, panel: local, scratch: local + panelBytes,
          });
        },
      }
    : undefined;

  // threads: the padded copy by channels (shared scratch), then blocks of the product,
  // each packing the B panels of its own columns in its own scratch — or, when the
  // parts would pack the same columns over and over (gemmThreadPlan), B packed once
  // into the shared scratch by ranges of columns, and blocks of the product reading it
  const phases: Phase[] = [];
  if (padded) phases.push(padPhase(ctx, g.inChannels, g.inHeight, g.inWidth, g.padTop, g.padLeft, Hp, Wp, 0));
  const head: ByChannels | undefined = padded ? padChannels(ctx, g.inChannels, g.inHeight, g.inWidth, g.padTop, g.padLeft, Hp, Wp, 0) : undefined;
  const work = Kg * Kd * N;
  const perGroup = Math.max(1, Math.round(partCount(G * work, ctx) / G));
  // (a folded average pool's product packs its own B: the memory budget counts the head's
  // scratch alone, engine/fast/steps/scratch.ts, and B packed once is counted from its size)
  const plan = gemmThreadPlan(perGroup, Kg, Kd, N, direct, G, step.pool === null);
  const { cols, rows } = plan;
  /** rows [m0, m1) and columns [n0, n1) of group grp's product: where they are */
  const block = (part: number) => {
    const grp = Math.floor(part / (cols * rows));
    const [n0, n1] = partRange(N, cols, part % cols, NR, ctx.threads);
    const [m0, m1] = partRange(Kg, rows, Math.floor(part / cols) % rows, MR, ctx.threads);
    return { grp, n0, n1, m0, m1, at: 4 * (grp * Kg * N + m0 * N + n0) };
  };
  if (plan.sharedPanels) {
    const panels = padBytes;
    const packs = partCount(Kd * N * COST.copy, ctx, Math.ceil(N / NR));
    phases.push(
      {
        count: packs,
        run({ inputs, scratch }, part) {
          const [n0, n1] = partRange(N, packs, part, NR, ctx.threads);
          lib.k.im2col({ panel: scratch + panels + 4 * n0 * Kd, src: padded ? scratch : inputs[0], koff, noff: noff + 4 * n0, columns: n1 - n0, depth: Kd });
        },
      },
      {
        count: cols * rows,
        run({ inputs, output, scratch }, part, local) {
          const { n0, n1, m0, m1, at } = block(part);
          const residual = step.residual === null ? 0 : inputs[inputs.length - 1];
          lib.k.gemm_packed({
            a: A + 4 * m0 * Kd, rows: m1 - m0, depth: Kd, b: scratch + panels + 4 * n0 * Kd, columns: n1 - n0, ld: N, c: output + at,
            bias: bias + 4 * m0, residual: residual ? residual + at : 0, act: step.act, scratch: local,
          });
        },
      },
    );
    // cut by rows only: a range of filters over every column is a range of output channels
    const tail: ByChannels | undefined =
      cols === 1
        ? {
            channels: Kg,
            align: MR,
            run({ inputs, output, scratch }, m0, m1, local) {
              const residual = step.residual === null ? 0 : inputs[inputs.length - 1];
              const at = 4 * m0 * N;
              lib.k.gemm_packed({
                a: A + 4 * m0 * Kd, rows: m1 - m0, depth: Kd, b: scratch + panels, columns: N, ld: N, c: output + at,
                bias: bias + 4 * m0, residual: residual ? residual + at : 0, act: step.act, scratch: local,
              });
            },
          }
        : undefined;
    return { ...compiled, scratchBytes: padBytes + plan.panelsBytes, phases, localBytes: bands ? bands.localBytes : tileBytes, bands, head, tail };
  }
  /** rows [m0, m1) and columns [n0, n1) of group grp's product, packing its own B panels in `local` */
  const product = ({ inputs, output, scratch }: Addresses, grp: number, n0: number, n1: number, m0: number, m1: number, local: number) => {
    const src = padded ? scratch : inputs[0];
    const residual = step.residual === null ? 0 : inputs[inputs.length - 1];
    const at = 4 * (grp * Kg * N + m0 * N + n0);
    lib.k.gemm({
      a: A + 4 * (grp * Mp * Kd + m0 * Kd),
      rows: m1 - m0,
      depth: Kd,
      b: src + grp * Cg * inPlane + (direct ? 4 * n0 : 0),
      columns: n1 - n0,
      ld: N,
      c: output + at,
      bias: bias + 4 * (grp * Mp + m0),
      residual: residual ? residual + at : 0,
      act: step.act,
      koff,
      noff: direct ? 0 : noff + 4 * n0,
      panel: local,
      scratch: local + panelBytes,
    });
  };
  phases.push({
    count: G * cols * rows,
    run(at, part, local) {
      const { grp, n0, n1, m0, m1 } = block(part);
      product(at, grp, n0, n1, m0, m1, local);
    },
  });
  // cut by rows only: a range of filters over every column is a range of output channels
  const tail: ByChannels | undefined = G === 1 && cols === 1 ? { channels: Kg, align: MR, run: (at, m0, m1, local) => product(at, 0, 0, N, m0, m1, local) } : undefined;
  return { ...compiled, scratchBytes: padBytes, phases, localBytes: panelBytes + tileBytes, bands, head, tail };
}

/** most bytes of B panels packed once for all threads (a larger B: each part packs its own columns) */
export const SHARED_PANELS_MOST = 4 << 20;

/**
 * The relative costs of the product's memory traffic, per float: of A streamed (the
 * weights, from L3 or memory: the unit), of a B float packed by im2col (a gather and a
 * store), of a packed B float read again from cache, and of one more phase (its join).
 */
const TRAFFIC = { pack: 2, reread: 0.25, phase: 1 << 15 } as const;

/** bytes of every column group's [Kd][NR] panel (plus the slack of an edge tile's reads) */
export function sharedPanelsBytes(Kd: number, N: number): number {
  return 4 * Kd * Math.ceil(N / NR) * NR + 256;
}

/**
 * How threads share a convolution's product of one group (`parts` of it, about): its cut
 * into column and row ranges (gemmSplit) and whether B is packed once for all of them
 * first (a phase of its own, into the shared scratch) instead of by each part for its
 * columns — which pays when the cut is by rows, so that every part would pack all of B
 * (ResNet-18's 14×14 and 7×7 stages). Never for B read in place, grouped convolutions,
 * a B past SHARED_PANELS_MOST, or when not `shareable`.
 */
export function gemmThreadPlan(parts: number, M: number, Kd: number, N: number, direct: boolean, groups: number, shareable = true) {
  const own = gemmSplit(parts, M, Kd, N, direct ? 1 : TRAFFIC.pack);
  const panelsBytes = sharedPanelsBytes(Kd, N);
  if (!shareable || direct || groups !== 1 || panelsBytes > SHARED_PANELS_MOST) return { cols: own.cols, rows: own.rows, sharedPanels: false, panelsBytes: 0 };
  const shared = gemmSplit(parts, M, Kd, N, TRAFFIC.reread);
  const sharedCost = shared.cost + TRAFFIC.pack * Kd * N + TRAFFIC.phase;
  return sharedCost < own.cost
    ? { cols: shared.cols, rows: shared.rows, sharedPanels: true, panelsBytes }
    : { cols: own.cols, rows: own.rows, sharedPanels: false, panelsBytes: 0 };
}

/**
 * How a GEMM of one group is cut into `parts` (about): column ranges × row ranges. A
 * part reads the A rows of its row range once for every NC columns of its own (fewer
 * columns than NC still read them once), and packs (or reads) the B columns of its
 * column range once: cutting columns finer than NC multiplies the weights read, cutting
 * rows multiplies the B panels packed (each float of B costing `bCost` floats of A). The
 * cut moving the fewest: columns where there are many positions and few filters (a
 * net's first layers), rows where the filters are many and the positions few (ResNet's
 * 7×7 stage reads a 4.7 MB A once instead of seven times).
 */
export function gemmSplit(parts: number, M: number, Kd: number, N: number, bCost = 1): { cols: number; rows: number; cost: number } {
  const mostCols = Math.ceil(N / NR);
  const mostRows = Math.ceil(M / 4);
  let best = { cols: 1, rows: 1, cost: Infinity };
  for (let cols = 1; cols <= Math.min(parts, mostCols); cols++) {
    const rows = Math.min(Math.ceil(parts / cols), mostRows);
    const cost = M * Kd * Math.max(cols, Math.ceil(N / NC)) + bCost * Kd * N * rows;
    if (cost < best.cost) best = { cols, rows, cost };
  }
  return best;
}

/** a padded copy (kernels/layout.ts `pad`) of C planes, by ranges of channels */
export function padPhase(ctx: BuildContext, C: number, H: number, W: number, top: number, left: number, Hp: number, Wp: number, value: number): Phase {
  const count = partCount(C * Hp * Wp * COST.copy, ctx, C);
  const pad = padChannels(ctx, C, H, W, top, left, Hp, Wp, value);
  return { count, run: (at, part, local) => pad.run(at, ...partRange(C, count, part, 1, ctx.threads), local) };
}

/** channels [c0, c1) of a padded copy of C planes into the scratch (padPhase's parts; a step's head) */
export function padChannels(ctx: BuildContext, C: number, H: number, W: number, top: number, left: number, Hp: number, Wp: number, value: number): ByChannels {
  return {
    channels: C,
    align: 1,
    run({ inputs, scratch }, c0, c1) {
      ctx.lib.k.pad({ dst: scratch + 4 * c0 * Hp * Wp, src: inputs[0] + 4 * c0 * H * W, channels: c1 - c0, height: H, width: W, top, left, paddedHeight: Hp, paddedWidth: Wp, value });
    },
  };
}
