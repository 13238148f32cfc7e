// Winograd F(4×4, 3×3) for 3×3 stride-1 convolutions (Lavin & Gray 2016): each 4×4 block
// of outputs ("tile") costs 36 multiplications per (filter, channel) pair instead of 144.
//   V = Bᵀ d B   (the 6×6 input patch d of each tile and channel)
//   M = Σ_c U ⊙ V (U = G g Gᵀ, the filters transformed once at load time)
//   Y = Aᵀ M A   (+ bias, residual, activation)
// The sum over channels is 36 independent matrix products M[p] = U[p]·V[p], one per
// position p of the 6×6 transform, run on the GEMM register tile (kernels/gemm.ts): V is
// written straight in its B-panel layout [p][tile group][C][NR], M as [p][K][nb].
// Transforms work on four tiles at once (one per lane); the rows of four patches are
// turned into lanes with a 4×4 transpose of shuffles. A table made once per layer gives
// every tile's input and output offsets and how many of its rows and columns are real.

import type { Local, Value } from "../emit/expr";
import type { Func } from "../emit/func";
import type { Module } from "../emit/module";
import { f32, i32, v } from "../emit/ops";
import { emitKernel } from "../signatures";
import { applyActivation, NR, type GemmKernels } from "./gemm";

/** Bᵀ (6×6), G (6×3), Aᵀ (4×6) for the points 0, ±1, ±2, ∞ */
export const BT = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
export const G = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
export const AT = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];

/** bytes of one tile's table entry: input offset, output offset, real rows, real columns */
export const TILE_ENTRY = 16;
/**
 * F(3×3, 4×4)'s output transform: a group of four tiles (lanes) whose first tile's
 * columns read this is four whole tiles side by side in one row (stored as whole vectors)
 */
export const WHOLE_GROUP = 8;

/**
 * Bytes between two positions p of V (M): `floats` of one position, then one cache line,
 * so that the 36 streams a transform writes (reads) do not fall on one set of L1 — at a
 * multiple of 4 KiB apart (64 channels × 64 tiles: 16 KiB) they did.
 */
export const POSITION_PAD = 64;
/** U[p] of at least this many floats (Mp·C) is read with the touching strip (emitProducts) */
export const TOUCH_WEIGHTS = 32768;
/** V[p] of more bytes than this with ≤ 3 column groups: products group by group (emitProducts) */
export const BY_GROUP_BYTES = 24576;
export function positionBytes(floats: number): number {
  return 4 * floats + POSITION_PAD;
}

/** Σ coeffs[i]·xs[i], skipping zeros, adding or subtracting for ±1 */
function combine(xs: Value[], coeffs: number[]) {
  let sum: ReturnType<typeof v.add> | null = null;
  coeffs.forEach((c, i) => {
    if (c === 0) return;
    const term = Math.abs(c) === 1 ? xs[i] : v.mul(xs[i], v.const(Math.abs(c)));
    if (sum === null) sum = c > 0 ? (term as ReturnType<typeof v.add>) : v.neg(term);
    else sum = c > 0 ? v.add(sum, term) : v.sub(sum, term);
  });
  return sum ?? v.const(0);
}

/** the columns of four row vectors: out[j] lane l = rows[l] lane j */
function transpose(f: Func, rows: Local[], out: Local[], t: Local[], count = 4): void {
  f.set(t[0], v.shuffle(rows[0], rows[1], [0, 4, 1, 5]));
  f.set(t[1], v.shuffle(rows[0], rows[1], [2, 6, 3, 7]));
  f.set(t[2], v.shuffle(rows[2], rows[3], [0, 4, 1, 5]));
  f.set(t[3], v.shuffle(rows[2], rows[3], [2, 6, 3, 7]));
  const parts: [number, number, number[]][] = [
    [0, 2, [0, 1, 4, 5]],
    [0, 2, [2, 3, 6, 7]],
    [1, 3, [0, 1, 4, 5]],
    [1, 3, [2, 3, 6, 7]],
  ];
  for (let j = 0; j < count; j++) f.set(out[j], v.shuffle(t[parts[j][0]], t[parts[j][1]], parts[j][2]));
}

/** the rows of G (F(4×4, 3×3)) applied to (a, b, d) */
function applyG4(a: Local, b: Local, d: Local) {
  return [
    f32.mul(a, f32.const(1 / 4)),
    f32.mul(f32.add(f32.add(a, d), b), f32.const(-1 / 6)),
    f32.mul(f32.sub(f32.add(a, d), b), f32.const(-1 / 6)),
    f32.add(f32.add(f32.mul(a, f32.const(1 / 24)), f32.mul(b, f32.const(1 / 12))), f32.mul(d, f32.const(1 / 6))),
    f32.add(f32.sub(f32.mul(a, f32.const(1 / 24)), f32.mul(b, f32.const(1 / 12))), f32.mul(d, f32.const(1 / 6))),
    d,
  ];
}

/** F(2×2, 3×3): Bᵀ (4×4), Aᵀ (2×4), the rows of G (4×3) for the points 0, ±1, ∞ */
export const BT2 = [
  [1, 0, -1, 0],
  [0, 1, 1, 0],
  [0, -1, 1, 0],
  [0, 1, 0, -1],
];
export const AT2 = [
  [1, 1, 1, 0],
  [0, 1, -1, -1],
];
function applyG2(a: Local, b: Local, d: Local) {
  return [a, f32.mul(f32.add(f32.add(a, d), b), f32.const(1 / 2)), f32.mul(f32.sub(f32.add(a, d), b), f32.const(1 / 2)), d];
}

/**
 * The two forms: F(4×4, 3×3) (6×6 patches, 36 positions: the fewest multiplications) and
 * F(2×2, 3×3) (4×4 patches, 16 positions) for small outputs, where F(4×4)'s 36 filter
 * matrices are read for four tiles or fewer: at ResNet-18's 7×7 stage (37.7 MB of U a
 * layer, for four tiles in a group of eight) its products are bound by streaming U, and
 * F(2×2)'s 16.8 MB serve sixteen tiles.
 */
export interface WinogradForm {
  /** outputs per tile side */
  tile: 4 | 3 | 2;
  /** patch side: tile + 2 */
  patch: 6 | 4;
  names: { input: "wino_input" | "wino2_input"; output: "wino_output" | "wino2_output" | "wino34_output"; filters: "wino_filters" | "wino2_filters" };
  BT: number[][];
  AT: number[][];
  applyG: (a: Local, b: Local, d: Local) => Value[];
}

/** what the transforms' emitters need of a form (steps/strided.ts has one of its own) */
export type TransformForm = Pick<WinogradForm, "BT" | "AT"> & {
  tile: 4 | 3 | 2;
  patch: number;
  names: { input: WinogradForm["names"]["input"] | "wino9_input"; output: WinogradForm["names"]["output"] | "wino9_output" };
};

export const F4: WinogradForm = { tile: 4, patch: 6, names: { input: "wino_input", output: "wino_output", filters: "wino_filters" }, BT, AT, applyG: applyG4 };
export const F2: WinogradForm = { tile: 2, patch: 4, names: { input: "wino2_input", output: "wino2_output", filters: "wino2_filters" }, BT: BT2, AT: AT2, applyG: applyG2 };

/**
 * F(3×3, 4×4) (the same points, so the same Bᵀ and input transform as F(4×4, 3×3)): the
 * 4×4 stride-1 filters of a 7×7 stride-2 convolution's polyphase parts (steps/polyphase.ts,
 * which transforms its filters itself); only its output transform is a kernel of its own
 */
export const AT3 = AT.slice(0, 2).concat([[0, 1, 1, 4, 4, 1]]);
export const F34: WinogradForm = { tile: 3, patch: 6, names: { input: "wino_input", output: "wino34_output", filters: "wino_filters" }, BT, AT: AT3, applyG: applyG4 };

export function emitWinograd(m: Module, MR: number, gemm: GemmKernels) {
  for (const form of [F4, F2]) emitForm(m, MR, form);
  emitOutput(m, F34);
  return { products: emitProducts(m, MR, gemm) };
}

/** the transforms of one form (the products are the same for both: kernels of positions) */
function emitForm(m: Module, MR: number, form: WinogradForm) {
  const n = form.patch;
  const input = emitInput(m, form);
  const output = emitOutput(m, form);
  // filters(U, w, gain, K, C, Mp): U[p][panel][C][MR] = (G·g·Gᵀ)[p]·gain[k] for each 3×3
  // filter g = w[k][c] (made once per network; rows past K stay zero)
  const filters = emitKernel(m, form.names.filters as "wino_filters", (f, p) => {
    const { u: U, filters: w, gains: gain, outChannels: K, inChannels: C, paddedRows: Mp } = p;
    const k = f.i32();
    const c = f.i32();
    const src = f.i32();
    const dst = f.i32();
    const pStride = f.i32(i32.shl(i32.mul(Mp, C), 2));
    const scale = f.f32();
    const g = Array.from({ length: 9 }, () => f.f32());
    const gg = Array.from({ length: 3 * n }, () => f.f32());
    const applyG = form.applyG;
    f.set(src, w);
    f.for(k, 0, K, 1, () => {
      f.set(scale, f32.load(i32.add(gain, i32.shl(k, 2))));
      // U's address for (p = 0, k's panel, c = 0, k's row)
      f.set(dst, i32.add(U, i32.shl(i32.add(i32.mul(i32.sub(k, i32.remU(k, MR)), C), i32.remU(k, MR)), 2)));
      f.for(c, 0, C, 1, () => {
        g.forEach((x, e) => f.set(x, f32.load(src, 4 * e)));
        for (let x = 0; x < 3; x++) applyG(g[x], g[3 + x], g[6 + x]).forEach((e, i) => f.set(gg[3 * i + x], e));
        for (let i = 0; i < n; i++)
          applyG(gg[3 * i], gg[3 * i + 1], gg[3 * i + 2]).forEach((e, j) => f.storeF32(i32.add(dst, i32.mul(pStride, n * i + j)), f32.mul(e, scale)));
        f.inc(src, 36);
        f.inc(dst, 4 * MR);
      });
    });
  });
  return { input, output, filters };
}

/** the input transform of a form: V = Bᵀ d B of every n×n patch of a block of tiles, written in the products' B-panel layout */
export function emitInput(m: Module, form: TransformForm) {
  const n = form.patch;
  // input(V, src, table, C, plane, rowBytes, nb, tmp, span): V[p][nb/NR][C][NR] for nb tiles,
  // `span` of the C channels (a thread's range: V and src moved to its first channel)
  return emitKernel(m, form.names.input as "wino_input", (f, p) => {
    const { v: V, src, tiles: table, channels: C, planeBytes: plane, rowBytes, count: nb, scratch: tmp, span: channels } = p;
    const t4 = f.i32();
    const c = f.i32();
    const dst = f.i32();
    const pStride = f.i32(i32.add(i32.mul(i32.shl(nb, 2), C), POSITION_PAD)); // bytes between positions p (positionBytes)
    const base = [f.i32(), f.i32(), f.i32(), f.i32()];
    const rows = [f.v128(), f.v128(), f.v128(), f.v128()];
    const d = Array.from({ length: n }, () => f.v128());
    const t = [f.v128(), f.v128(), f.v128(), f.v128()];
    const r = Array.from({ length: n }, () => f.v128());
    f.for(t4, 0, nb, 4, () => {
      base.forEach((b, l) => f.set(b, i32.add(src, i32.load(i32.add(table, i32.mul(i32.add(t4, l), TILE_ENTRY))))));
      // V's address for (p = 0, this group, channel 0, lane t4 mod NR)
      f.set(dst, i32.add(V, i32.shl(i32.add(i32.mul(i32.divU(t4, NR), i32.mul(C, NR)), i32.remU(t4, NR)), 2)));
      f.for(c, 0, channels, 1, () => {
        for (let k = 0; k < n; k++) {
          const rowOf = (b: Local) => (k === 0 ? b : i32.add(b, i32.mul(rowBytes, k)));
          base.forEach((b, l) => f.set(rows[l], v.load(rowOf(b))));
          transpose(f, rows, d.slice(0, 4), t);
          // the patch row's next four floats (or fewer: the last two of 6, the last one of 9)
          for (let q = 4; q < n; q += 4) {
            base.forEach((b, l) => f.set(rows[l], v.load(rowOf(b), 4 * q)));
            transpose(f, rows, d.slice(q, Math.min(n, q + 4)), t, Math.min(4, n - q));
          }
          // row transform: r[j] = Σ_m d[m]·Bᵀ[j][m]
          for (let j = 0; j < n; j++) f.storeV(tmp, combine(d, form.BT[j]), 16 * (n * k + j));
        }
        for (let j = 0; j < n; j++) {
          for (let k = 0; k < n; k++) f.set(r[k], v.load(tmp, 16 * (n * k + j)));
          for (let i = 0; i < n; i++) f.storeV(i32.add(dst, i32.mul(pStride, n * i + j)), combine(r, form.BT[i]));
        }
        base.forEach((b) => f.inc(b, plane));
        f.inc(dst, NR * 4);
      });
    });
  });
}

/** the output transform of a form: Y = Aᵀ M A of a block of tiles, with bias, residual and activation */
export function emitOutput(m: Module, form: TransformForm) {
  const n = form.patch;
  const o = form.tile;
  // output(out, M, table, K, Mp, nb, bias, residual, act, outPlane, outRow, tmp)
  return emitKernel(m, form.names.output as "wino_output", (f, p) => {
    const { dst: out, m: M, tiles: table, outChannels: K, paddedRows: Mp, count: nb, bias, residual: res, act, planeBytes: outPlane, rowBytes: outRow, scratch: tmp } = p;
    const k = f.i32();
    const t4 = f.i32();
    const b = f.v128();
    const src = f.i32();
    const pStride = f.i32(i32.add(i32.shl(i32.mul(Mp, nb), 2), POSITION_PAD));
    const row = Array.from({ length: n }, () => f.v128());
    const y = Array.from({ length: o }, () => Array.from({ length: o }, () => f.v128()));
    const s = Array.from({ length: n }, () => f.v128());
    const t = [f.v128(), f.v128(), f.v128(), f.v128()];
    const lanes = [f.v128(), f.v128(), f.v128(), f.v128()];
    const entry = f.i32();
    const addr = f.i32();
    const value = f.v128();
    const cols = f.i32();
    const plane = f.i32();
    // F(4×4): a group of four whole tiles (4 rows, 4 columns each) stores whole vectors with
    // no test per tile and row; the activation's masks made once (applyActivation's values)
    const whole = f.i32();
    const at = [f.i32(), f.i32(), f.i32(), f.i32()];
    const reluMask = f.v128(v.i32splat(i32.sub(0, i32.ne(act, 0))));
    const sixMask = f.v128(v.i32splat(i32.sub(0, i32.eq(act, 2))));
    const activate = (x: Local) => {
      const relu = v.pmax(v.const(0), x);
      return v.bitselect(v.bitselect(v.pmin(v.const(6), relu), relu, sixMask), x, reluMask);
    };
    f.for(k, 0, K, 1, () => {
      f.set(b, v.splatLoad(i32.add(bias, i32.shl(k, 2))));
      f.set(plane, i32.mul(k, outPlane));
      f.for(t4, 0, nb, 4, () => {
        f.set(src, i32.add(M, i32.shl(i32.add(i32.mul(k, nb), t4), 2)));
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) f.set(row[j], v.load(i32.add(src, i32.mul(pStride, n * i + j))));
          for (let j = 0; j < o; j++) f.storeV(tmp, combine(row, form.AT[j]), 16 * (o * i + j));
        }
        for (let j = 0; j < o; j++) {
          for (let i = 0; i < n; i++) f.set(s[i], v.load(tmp, 16 * (o * i + j)));
          for (let i = 0; i < o; i++) f.set(y[i][j], combine(s, form.AT[i]));
        }
        const general = () => {
          for (let i = 0; i < o; i++) {
            // each tile's row i as the lanes of one vector (2×2 tiles: the two columns twice;
            // 3×3: the last one twice, a whole vector stored only where the table says 4
            // columns, the fourth then written again by the tile to the right, later)
            transpose(f, o === 4 ? y[i] : o === 3 ? [y[i][0], y[i][1], y[i][2], y[i][2]] : [y[i][0], y[i][1], y[i][0], y[i][1]], lanes, t);
            lanes.forEach((lane, l) => {
              f.set(entry, i32.add(table, i32.mul(i32.add(t4, l), TILE_ENTRY)));
              f.if(i32.ltS(i, i32.load(entry, 8)), () => {
                f.set(addr, i32.add(i32.add(i32.add(out, plane), i32.load(entry, 4)), i32.mul(outRow, i)));
                f.set(value, v.add(lane, b));
                f.if(res, () => f.set(value, v.add(value, v.load(i32.add(res, i32.sub(addr, out))))));
                f.set(value, applyActivation(value, act));
                f.set(cols, i32.load(entry, 12));
                f.if(
                  i32.eq(cols, 4),
                  () => f.storeV(addr, value),
                  () => {
                    for (let j = 0; j < 3; j++) f.if(i32.gtS(cols, j), () => f.storeF32(addr, v.lane(value, j), 4 * j));
                  },
                );
              });
            });
          }
        };
        if (o === 4) {
          f.set(entry, i32.add(table, i32.mul(t4, TILE_ENTRY)));
          let all: ReturnType<typeof i32.add> | null = null;
          for (let l = 0; l < 4; l++)
            for (const field of [8, 12]) {
              const four = i32.eq(i32.load(entry, TILE_ENTRY * l + field), 4);
              all = all === null ? four : i32.and(all, four);
            }
          f.set(whole, all!);
          f.if(
            whole,
            () => {
              at.forEach((a, l) => f.set(a, i32.add(i32.add(out, plane), i32.load(entry, TILE_ENTRY * l + 4))));
              for (let i = 0; i < o; i++) {
                transpose(f, y[i], lanes, t);
                lanes.forEach((lane, l) => {
                  f.set(value, v.add(lane, b));
                  f.if(res, () => f.set(value, v.add(value, v.load(i32.add(res, i32.sub(at[l], out)), 0))));
                  f.storeV(at[l], activate(value));
                  f.inc(at[l], outRow);
                });
              }
            },
            general,
          );
        } else if (o !== 3) general();
        else {
          // four whole 3×3 tiles side by side (the table says so in the first one's
          // columns): a row of the four is 12 floats, three vectors interleaved from the
          // rows' columns y[i][0..2] (lane l: tile l)
          const first = i32.add(table, i32.mul(t4, TILE_ENTRY));
          f.if(i32.eq(i32.load(first, 12), WHOLE_GROUP), () => {
            f.set(addr, i32.add(i32.add(out, plane), i32.load(first, 4)));
            for (let i = 0; i < o; i++) {
              y[i].forEach((x) => f.set(x, v.add(x, b)));
              const [y0, y1, y2] = y[i];
              f.set(t[0], v.shuffle(y0, y1, [0, 4, 1, 5]));
              f.set(t[1], v.shuffle(y1, y2, [1, 5, 2, 6]));
              f.set(t[2], v.shuffle(y0, y1, [3, 7, 3, 7]));
              f.set(lanes[0], v.shuffle(t[0], y2, [0, 1, 4, 2]));
              f.set(lanes[1], v.shuffle(t[1], y0, [0, 1, 6, 2]));
              f.set(lanes[2], v.shuffle(y2, t[2], [2, 4, 5, 3]));
              for (let q = 0; q < 3; q++) {
                f.set(value, lanes[q]);
                f.if(res, () => f.set(value, v.add(value, v.load(i32.add(res, i32.sub(addr, out)), 16 * q))));
                f.storeV(addr, applyActivation(value, act), 16 * q);
              }
              f.inc(addr, outRow);
            }
          }, general);
        }
      });
    });
  });
}

function emitProducts(m: Module, MR: number, gemm: GemmKernels) {
  // products(U, V, M, C, Mp, nb, from, to): M[p] = U[p]·V[p] for the positions from ≤ p < to (all: 0, 36).
  // Where U is large (Mp·C ≥ TOUCH_WEIGHTS: from memory more than from cache) and a panel
  // serves ≥ 4 column groups, the strip touches the next panel of U a byte per k (as the
  // GEMM's), so that its lines come spread over this panel's groups instead of all in the
  // next one's first group; never past U: the last panel of the range touches nothing, the
  // one before it rounds its step down (kernels/gemm.ts, prefetch).
  const products = emitKernel(m, "wino_products", (f, args) => {
    const { u: U, v: V, m: M, channels: C, paddedRows: Mp, count: nb, from: p0, to: p1 } = args;
    const p = f.i32();
    const m0 = f.i32();
    const up = f.i32();
    const vp = f.i32();
    const mp = f.i32();
    const groups = f.i32(i32.divU(nb, NR));
    const panel = f.i32(i32.shl(C, 4)); // bytes of one MR = 4-row panel of U[p]
    const touching = f.i32(i32.and(i32.geS(groups, 4), i32.geS(i32.mul(Mp, C), TOUCH_WEIGHTS)));
    const last = f.i32();
    const g = f.i32();
    const byGroup = f.i32(i32.and(i32.leS(groups, 3), i32.gtS(i32.mul(i32.shl(C, 2), nb), BY_GROUP_BYTES)));
    const step = f.i32();
    f.for(p, p0, p1, 1, () => {
      f.set(up, i32.add(U, i32.shl(i32.mul(i32.mul(p, Mp), C), 2)));
      f.set(vp, i32.add(V, i32.mul(p, i32.add(i32.shl(i32.mul(nb, C), 2), POSITION_PAD))));
      f.set(mp, i32.add(M, i32.mul(p, i32.add(i32.shl(i32.mul(Mp, nb), 2), POSITION_PAD))));
      // few groups over a long C (V[p] past BY_GROUP_BYTES: 512 channels × 16 tiles, 32 KB):
      // one group at a time over every panel, so that its B panel stays in L1 beside U's
      f.if(
        byGroup,
        () =>
          f.for(g, 0, groups, 1, () =>
            f.for(m0, 0, Mp, MR, () => {
              const a = i32.add(up, i32.shl(i32.mul(m0, C), 2));
              f.call(gemm.strip, a, i32.add(vp, i32.mul(g, i32.shl(C, 5))), 0, NR * 4, i32.add(mp, i32.shl(i32.add(i32.mul(m0, nb), i32.mul(g, NR)), 2)), i32.shl(nb, 2), 0, 0, C, 0, 0, 1, a, 0);
            }),
          ),
        () =>
      f.for(m0, 0, Mp, MR, () => {
        const a = i32.add(up, i32.shl(i32.mul(m0, C), 2));
        const args = [a, vp, i32.shl(C, 5), NR * 4, i32.add(mp, i32.shl(i32.mul(m0, nb), 2)), i32.shl(nb, 2), 0, 0, C, 0, 0, groups] as const;
        f.if(
          touching,
          () => {
            // panels left in the range after this one: 0 → touch nothing, 1 → round down
            f.set(last, i32.add(i32.mul(i32.sub(i32.sub(p1, p), 1), i32.divU(Mp, MR)), i32.divU(i32.sub(i32.sub(Mp, m0), MR), MR)));
            f.set(step, i32.mul(i32.ne(last, 0), i32.divU(i32.add(16, i32.mul(i32.gtS(last, 1), i32.sub(groups, 1))), groups)));
            f.call(gemm.stripTouching, ...args, i32.add(a, i32.mul(i32.ne(last, 0), panel)), step);
          },
          () => f.call(gemm.strip, ...args, a, 0),
        );
      }),
      );
    });
  });

  return products;
}
