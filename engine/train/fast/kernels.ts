// The WebAssembly SIMD kernels of the fast training engine, written with the engine's
// emitter (engine/wasm/emit). Matrices are row-major float32; addresses are bytes,
// strides are in floats.
//   nn(M, N, K, A, lda, B, ldb, C, ldc, acc)  C = acc·C + A·B      (4×8 register tiles)
//   nt(M, N, K, A, lda, B, ldb, C, ldc, acc)  C = acc·C + A·Bᵀ     (4×2 tiles of 4-lane dot products)
//   transpose(rows, cols, src, dst)           dst[j][i] = src[i][j];  transposeAdd: dst[j][i] += src[i][j]
//   im2col(src, C, H, W, OH, OW, kh, kw, sh, sw, dh, dw, pt, pl, dst, ldd)
//       rows (c, fy, fx) of the unrolled windows, columns (oy, ox), written with row stride ldd
//   col2im(src, lds, C, H, W, OH, OW, kh, kw, sh, sw, dh, dw, pt, pl, dst)  its adjoint, added into dst
//   relu(n, x, y)  y = max(x, 0);   reluBack(n, y, dy, dx)  dx = y > 0 ? dy : 0
//   maxpool(planes, H, W, OH, OW, kh, kw, sh, sw, dh, dw, pt, pl, src, dst, idx)
//       each window's first largest value in scan order (a NaN wins; padding never does),
//       and its element index in src (−1 for a window wholly in the padding)
//   maxpoolBack(outs, idx, dy, ins, dx)  dx = 0, then dx[idx[o]] += dy[o]
//   avgpool(planes, inPlane, outPlane, W, table, src, dst)  each output the mean of its window, as the
//       table says (per output: y0, y1, x0, x1 clipped to the input, and the divisor; train/kernels/pool.ts)
//   avgpoolBack(planes, inPlane, outPlane, W, table, dy, dx)  dx = 0, then each window += dy / divisor
//   avgpool2(planes, H, W, OH, OW, src, dst), avgpool2Back(…, dy, dx)  the same for whole 2×2 windows at
//       stride 2 without padding, four outputs at a time (the same bits)
//   sigmoid(n, x, y)  y = 1/(1 + e^−x), e^t as Cephes' expf (t = n·ln2 + r, a degree-7 polynomial in r,
//       then 2ⁿ in the exponent bits; within 2 ulp of e^t), t clamped to [−87, 88];  sigmoidBack(n, y, dy, dx)
//       dx = dy·y·(1 − y)
//   colSums(rows, cols, src, dst)  dst[r] += Σ_c src[r·cols + c] (a bias gradient)
//   adam(n, p, g, m, v, beta1, beta2, eps, wd, stepSize, bc2Sqrt)   torch.optim.Adam's step, in float32:
//       d = g + wd·p; m = β₁m + (1 − β₁)d; v = β₂v + (1 − β₂)d²; p −= stepSize·(m / (√v / bc2Sqrt + eps))
//   sgd(n, p, g, buf, lr, momentum, wd)   torch.optim.SGD's: buf = momentum·buf + (g + wd·p); p −= lr·buf
//       (buf starts at zero, so the first step's buf is g + wd·p, as torch sets it)
//   adamSum(n, p, ga, wa, gb, wb, m, v, …), sgdSum(n, p, ga, wa, gb, wb, buf, …)  the same with the gradient
//       wa·ga + wb·gb, summed as combine sums (the training threads' slices, fused into the update)
//   combine(n, dst, src, w, acc)  dst = acc·dst + w·src (training threads' weighted gradient sums, engine/train/threaded.ts)

import { Module } from "../../wasm/emit/module";
import type { Local, Value } from "../../wasm/emit/expr";
import type { Func } from "../../wasm/emit/func";
import { f32, i32, select, v } from "../../wasm/emit/ops";

export interface TrainKernelsWasm {
  /** blocks(A, B, len, src, sa, sb, dst, da, db, bias): dst[a·da + b·db + i] = src[a·sa + b·sb + i] (+ bias[a]) */
  blocks(A: number, B: number, len: number, src: number, sa: number, sb: number, dst: number, da: number, db: number, bias: number): void;
  nn(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, acc: number): void;
  nt(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, acc: number): void;
  transpose(rows: number, cols: number, src: number, dst: number): void;
  transposeAdd(rows: number, cols: number, src: number, dst: number): void;
  im2col(...args: number[]): void;
  col2im(...args: number[]): void;
  relu(n: number, x: number, y: number): void;
  reluBack(n: number, y: number, dy: number, dx: number): void;
  maxpool(...args: number[]): void;
  maxpoolBack(outs: number, idx: number, dy: number, ins: number, dx: number): void;
  colSums(rows: number, cols: number, src: number, dst: number): void;
  sigmoid(n: number, x: number, y: number): void;
  sigmoidBack(n: number, y: number, dy: number, dx: number): void;
  avgpool(planes: number, inPlane: number, outPlane: number, W: number, table: number, src: number, dst: number): void;
  avgpoolBack(planes: number, inPlane: number, outPlane: number, W: number, table: number, dy: number, dx: number): void;
  avgpool2(planes: number, H: number, W: number, OH: number, OW: number, src: number, dst: number): void;
  avgpool2Back(planes: number, H: number, W: number, OH: number, OW: number, dy: number, dx: number): void;
  adam(n: number, p: number, g: number, m: number, v: number, beta1: number, beta2: number, eps: number, wd: number, stepSize: number, bc2Sqrt: number): void;
  sgd(n: number, p: number, g: number, buf: number, lr: number, momentum: number, wd: number): void;
  adamSum(n: number, p: number, ga: number, wa: number, gb: number, wb: number, m: number, v: number, beta1: number, beta2: number, eps: number, wd: number, stepSize: number, bc2Sqrt: number): void;
  sgdSum(n: number, p: number, ga: number, wa: number, gb: number, wb: number, buf: number, lr: number, momentum: number, wd: number): void;
  combine(n: number, dst: number, src: number, w: number, acc: number): void;
}

const I = "i32" as const;

function emitNN(m: Module, relaxed: boolean): void {
  m.func("nn", [I, I, I, I, I, I, I, I, I, I], [], (f) => {
    const [M, N, K, A, lda, B, ldb, C, ldc, acc] = f.params;
    const i = f.i32();
    const j = f.i32();
    const p = f.i32();
    const a = f.i32();
    const b = f.i32();
    const c = f.i32();
    const full = f.i32(i32.and(N, -8));
    const rows4 = f.i32(i32.and(M, -4));
    const ldaB = f.i32(i32.shl(lda, 2));
    const ldbB = f.i32(i32.shl(ldb, 2));
    const ldcB = f.i32(i32.shl(ldc, 2));
    const b0 = f.v128();
    const b1 = f.v128();
    const s = f.v128();
    const sum = f.f32();
    const tile = (rows: number) => {
      const accs: [Local, Local][] = Array.from({ length: rows }, () => [f.v128(), f.v128()]);
      return (row0: Local) => {
        f.for(j, 0, full, 8, () => {
          f.set(c, i32.add(C, i32.shl(i32.add(i32.mul(row0, ldc), j), 2)));
          accs.forEach(([x0, x1], r) => {
            const at = i32.add(c, i32.mul(ldcB, r));
            f.if(acc, () => (f.set(x0, v.load(at)), f.set(x1, v.load(at, 16))), () => (f.set(x0, v.const(0)), f.set(x1, v.const(0))));
          });
          f.set(a, i32.add(A, i32.shl(i32.mul(row0, lda), 2)));
          f.set(b, i32.add(B, i32.shl(j, 2)));
          f.for(p, 0, K, 1, () => {
            f.set(b0, v.load(b));
            f.set(b1, v.load(b, 16));
            accs.forEach(([x0, x1], r) => {
              f.set(s, v.splat(f32.load(i32.add(a, i32.mul(ldaB, r)))));
              f.set(x0, v.madd(s, b0, x0, relaxed));
              f.set(x1, v.madd(s, b1, x1, relaxed));
            });
            f.inc(a, 4);
            f.set(b, i32.add(b, ldbB));
          });
          accs.forEach(([x0, x1], r) => {
            const at = i32.add(c, i32.mul(ldcB, r));
            f.storeV(at, x0);
            f.storeV(at, x1, 16);
          });
        });
      };
    };
    const four = tile(4);
    const three = tile(3);
    const two = tile(2);
    const one = tile(1);
    f.for(i, 0, rows4, 4, () => four(i));
    // the last M mod 4 rows in one tile of their height (M = 6 filters: a 4-row and a 2-row tile)
    f.set(i, rows4);
    f.if(i32.eq(i32.sub(M, rows4), 3), () => three(i));
    f.if(i32.eq(i32.sub(M, rows4), 2), () => two(i));
    f.if(i32.eq(i32.sub(M, rows4), 1), () => one(i));
    // the last N mod 8 columns, one value at a time
    f.for(i, 0, M, 1, () =>
      f.for(j, full, N, 1, () => {
        f.set(c, i32.add(C, i32.shl(i32.add(i32.mul(i, ldc), j), 2)));
        f.set(sum, f32.const(0));
        f.if(acc, () => f.set(sum, f32.load(c)));
        f.set(a, i32.add(A, i32.shl(i32.mul(i, lda), 2)));
        f.set(b, i32.add(B, i32.shl(j, 2)));
        f.for(p, 0, K, 1, () => {
          f.set(sum, f32.add(sum, f32.mul(f32.load(a), f32.load(b))));
          f.inc(a, 4);
          f.set(b, i32.add(b, ldbB));
        });
        f.storeF32(c, sum);
      }),
    );
  });
}

function hsum(x: Local) {
  return f32.add(f32.add(v.lane(x, 0), v.lane(x, 1)), f32.add(v.lane(x, 2), v.lane(x, 3)));
}

function emitNT(m: Module, relaxed: boolean): void {
  m.func("nt", [I, I, I, I, I, I, I, I, I, I], [], (f) => {
    const [M, N, K, A, lda, B, ldb, C, ldc, acc] = f.params;
    const i = f.i32();
    const j = f.i32();
    const p = f.i32();
    const k4 = f.i32(i32.and(K, -4));
    const rows4 = f.i32(i32.and(M, -4));
    const cols2 = f.i32(i32.and(N, -2));
    const ldaB = f.i32(i32.shl(lda, 2));
    const ldbB = f.i32(i32.shl(ldb, 2));
    const a = f.i32();
    const b = f.i32();
    const c = f.i32();
    const t = f.f32();
    const tile = (R: number, Cn: number) => {
      const accs = Array.from({ length: R }, () => Array.from({ length: Cn }, () => f.v128()));
      const as = Array.from({ length: R }, () => f.v128());
      const bs = Array.from({ length: Cn }, () => f.v128());
      return (i0: Local, j0: Local) => {
        accs.flat().forEach((x) => f.set(x, v.const(0)));
        f.set(a, i32.add(A, i32.shl(i32.mul(i0, lda), 2)));
        f.set(b, i32.add(B, i32.shl(i32.mul(j0, ldb), 2)));
        f.for(p, 0, k4, 4, () => {
          as.forEach((x, r) => f.set(x, v.load(i32.add(a, i32.mul(ldaB, r)))));
          bs.forEach((x, q) => f.set(x, v.load(i32.add(b, i32.mul(ldbB, q)))));
          accs.forEach((row, r) => row.forEach((x, q) => f.set(x, v.madd(as[r], bs[q], x, relaxed))));
          f.inc(a, 16);
          f.inc(b, 16);
        });
        accs.forEach((row, r) =>
          row.forEach((x, q) => {
            f.set(t, hsum(x));
            // the K mod 4 tail
            f.for(p, k4, K, 1, () =>
              f.set(t, f32.add(t, f32.mul(f32.load(i32.add(A, i32.shl(i32.add(i32.mul(i32.add(i0, r), lda), p), 2))), f32.load(i32.add(B, i32.shl(i32.add(i32.mul(i32.add(j0, q), ldb), p), 2)))))),
            );
            f.set(c, i32.add(C, i32.shl(i32.add(i32.mul(i32.add(i0, r), ldc), i32.add(j0, q)), 2)));
            f.if(acc, () => f.set(t, f32.add(t, f32.load(c))));
            f.storeF32(c, t);
          }),
        );
      };
    };
    const t42 = tile(4, 2);
    const t41 = tile(4, 1);
    const t12 = tile(1, 2);
    const t11 = tile(1, 1);
    f.for(i, 0, rows4, 4, () => {
      f.for(j, 0, cols2, 2, () => t42(i, j));
      f.for(j, cols2, N, 1, () => t41(i, j));
    });
    f.for(i, rows4, M, 1, () => {
      f.for(j, 0, cols2, 2, () => t12(i, j));
      f.for(j, cols2, N, 1, () => t11(i, j));
    });
  });
}

/** transpose, or (add) transposeAdd: dst[j][i] += src[i][j] */
function emitTranspose(m: Module, add = false): void {
  m.func(add ? "transposeAdd" : "transpose", [I, I, I, I], [], (f) => {
    const [rows, cols, src, dst] = f.params;
    const i0 = f.i32();
    const j0 = f.i32();
    const i = f.i32();
    const j = f.i32();
    const iEnd = f.i32();
    const jEnd = f.i32();
    const i4 = f.i32();
    const j4 = f.i32();
    const r = [f.v128(), f.v128(), f.v128(), f.v128()];
    const t = [f.v128(), f.v128(), f.v128(), f.v128()];
    const BLOCK = 16;
    const from = (y: Value, x: Value) => i32.add(src, i32.shl(i32.add(i32.mul(y, cols), x), 2));
    const to = (x: Value, y: Value) => i32.add(dst, i32.shl(i32.add(i32.mul(x, rows), y), 2));
    const put = (at: Value, x: Value) => f.storeV(at, add ? v.add(v.load(at), x) : x);
    const scalar = (y0: Value, y1: Value, x0: Value, x1: Value) =>
      f.for(i, y0, y1, 1, () =>
        f.for(j, x0, x1, 1, () => {
          if (add) f.storeF32(to(j, i), f32.add(f32.load(to(j, i)), f32.load(from(i, j))));
          else f.storeF32(to(j, i), f32.load(from(i, j)));
        }),
      );
    f.for(i0, 0, rows, BLOCK, () =>
      f.for(j0, 0, cols, BLOCK, () => {
        f.set(iEnd, i32.minS(rows, i32.add(i0, BLOCK)));
        f.set(jEnd, i32.minS(cols, i32.add(j0, BLOCK)));
        f.set(i4, i32.add(i0, i32.and(i32.sub(iEnd, i0), -4)));
        f.set(j4, i32.add(j0, i32.and(i32.sub(jEnd, j0), -4)));
        // 4×4 blocks in four registers: rows in, interleaved twice, columns out
        f.for(i, i0, i4, 4, () =>
          f.for(j, j0, j4, 4, () => {
            r.forEach((x, k) => f.set(x, v.load(from(i32.add(i, k), j))));
            f.set(t[0], v.shuffle(r[0], r[1], [0, 4, 1, 5]));
            f.set(t[1], v.shuffle(r[0], r[1], [2, 6, 3, 7]));
            f.set(t[2], v.shuffle(r[2], r[3], [0, 4, 1, 5]));
            f.set(t[3], v.shuffle(r[2], r[3], [2, 6, 3, 7]));
            put(to(j, i), v.shuffle(t[0], t[2], [0, 1, 4, 5]));
            put(to(i32.add(j, 1), i), v.shuffle(t[0], t[2], [2, 3, 6, 7]));
            put(to(i32.add(j, 2), i), v.shuffle(t[1], t[3], [0, 1, 4, 5]));
            put(to(i32.add(j, 3), i), v.shuffle(t[1], t[3], [2, 3, 6, 7]));
          }),
        );
        // the block's edges one value at a time: its last columns, then its last rows
        scalar(i0, i4, j4, jEnd);
        scalar(i4, iEnd, j0, jEnd);
      }),
    );
  });
}

/**
 * The window walk shared by im2col and col2im. Per unrolled row (c, fy, fx) and output row
 * oy, the columns ox whose input x = ox·sw − pl + fx·dw lies inside [0, W) form one run;
 * at stride 1 that run is contiguous in the input, so im2col copies it and col2im adds it
 * four lanes at a time (im2col zeroes the padding around it).
 */
function emitWindowWalk(m: Module, name: string, gather: boolean): void {
  // im2col(src, C, H, W, OH, OW, kh, kw, sh, sw, dh, dw, pt, pl, col, ldc)
  // col2im(col, ldc, C, H, W, OH, OW, kh, kw, sh, sw, dh, dw, pt, pl, dst)
  m.func(name, [I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I], [], (f) => {
    const ps = f.params;
    const [col, ldc] = gather ? [ps[14], ps[15]] : [ps[0], ps[1]];
    const [img, C, H, W, OH, OW, kh, kw, sh, sw, dh, dw, pt, pl] = gather ? ps.slice(0, 14) : [ps[15], ...ps.slice(2, 15)];
    const c = f.i32();
    const fy = f.i32();
    const fx = f.i32();
    const oy = f.i32();
    const ox = f.i32();
    const iy = f.i32();
    const row = f.i32();
    const at = f.i32();
    const src = f.i32();
    const x0 = f.i32();
    const lo = f.i32();
    const hi = f.i32();
    const q = f.i32();
    const end = f.i32();
    f.set(row, 0);
    f.for(c, 0, C, 1, () =>
      f.for(fy, 0, kh, 1, () =>
        f.for(fx, 0, kw, 1, () => {
          // x = ox·sw + x0; the run of ox with 0 ≤ x < W is [lo, hi)
          f.set(x0, i32.sub(i32.mul(fx, dw), pl));
          f.set(lo, i32.const(0));
          f.if(i32.ltS(x0, 0), () => f.set(lo, i32.divS(i32.add(i32.sub(0, x0), i32.sub(sw, 1)), sw)));
          f.set(hi, i32.const(0));
          f.if(i32.gtS(i32.sub(W, x0), 0), () => f.set(hi, i32.minS(OW, i32.divS(i32.add(i32.sub(W, x0), i32.sub(sw, 1)), sw))));
          f.set(lo, i32.minS(lo, OW));
          f.set(hi, i32.maxS(hi, lo));
          f.for(oy, 0, OH, 1, () => {
            f.set(iy, i32.add(i32.sub(i32.mul(oy, sh), pt), i32.mul(fy, dh)));
            f.set(at, i32.add(col, i32.shl(i32.add(i32.mul(row, ldc), i32.mul(oy, OW)), 2)));
            f.if(
              i32.and(i32.geS(iy, 0), i32.ltS(iy, H)),
              () => {
                // the input address of ox = 0 (x = x0) on this row
                f.set(src, i32.add(img, i32.shl(i32.add(i32.mul(i32.add(i32.mul(c, H), iy), W), x0), 2)));
                if (gather) {
                  // (bulk fills cost a call each: only where there is padding)
                  f.if(i32.gtS(lo, 0), () => f.fill(at, 0, i32.shl(lo, 2)));
                  f.if(i32.ltS(hi, OW), () => f.fill(i32.add(at, i32.shl(hi, 2)), 0, i32.shl(i32.sub(OW, hi), 2)));
                  f.if(
                    i32.eq(sw, 1),
                    () => {
                      // short runs (a LeNet row is 28 values): four lanes at a time, then the tail
                      f.set(q, lo);
                      f.set(end, i32.sub(hi, 3));
                      f.if(i32.ltS(q, end), () =>
                        f.loop((again) => {
                          f.storeV(i32.add(at, i32.shl(q, 2)), v.load(i32.add(src, i32.shl(q, 2))));
                          f.inc(q, 4);
                          f.brIf(again, i32.ltS(q, end));
                        }),
                      );
                      f.for(ox, q, hi, 1, () => f.storeF32(i32.add(at, i32.shl(ox, 2)), f32.load(i32.add(src, i32.shl(ox, 2)))));
                    },
                    () => f.for(ox, lo, hi, 1, () => f.storeF32(i32.add(at, i32.shl(ox, 2)), f32.load(i32.add(src, i32.shl(i32.mul(ox, sw), 2))))),
                  );
                } else {
                  f.if(
                    i32.eq(sw, 1),
                    () => {
                      f.set(q, lo);
                      f.set(end, i32.sub(hi, 3));
                      f.if(i32.ltS(q, end), () =>
                        f.loop((again) => {
                          const d = i32.add(src, i32.shl(q, 2));
                          f.storeV(d, v.add(v.load(d), v.load(i32.add(at, i32.shl(q, 2)))));
                          f.inc(q, 4);
                          f.brIf(again, i32.ltS(q, end));
                        }),
                      );
                      f.for(ox, q, hi, 1, () => {
                        const d = i32.add(src, i32.shl(ox, 2));
                        f.storeF32(d, f32.add(f32.load(d), f32.load(i32.add(at, i32.shl(ox, 2)))));
                      });
                    },
                    () =>
                      f.for(ox, lo, hi, 1, () => {
                        const d = i32.add(src, i32.shl(i32.mul(ox, sw), 2));
                        f.storeF32(d, f32.add(f32.load(d), f32.load(i32.add(at, i32.shl(ox, 2)))));
                      }),
                  );
                }
              },
              gather ? () => f.fill(at, 0, i32.shl(OW, 2)) : undefined,
            );
          });
          f.inc(row);
        }),
      ),
    );
  });
}

/** a 2-D grid of equal runs copied between layouts (N×C×H×W ⇄ C×N·H·W), with an optional bias per a */
function emitBlocks(m: Module): void {
  m.func("blocks", [I, I, I, I, I, I, I, I, I, I], [], (f) => {
    const [A, B, len, src, sa, sb, dst, da, db, bias] = f.params;
    const a = f.i32();
    const b = f.i32();
    const i = f.i32();
    const s0 = f.i32();
    const d0 = f.i32();
    const end = f.i32(i32.sub(len, 3));
    const add = f.v128();
    const addS = f.f32();
    f.for(a, 0, A, 1, () => {
      f.set(addS, f32.const(0));
      f.if(bias, () => f.set(addS, f32.load(i32.add(bias, i32.shl(a, 2)))));
      f.set(add, v.splat(addS));
      f.for(b, 0, B, 1, () => {
        f.set(s0, i32.add(src, i32.shl(i32.add(i32.mul(a, sa), i32.mul(b, sb)), 2)));
        f.set(d0, i32.add(dst, i32.shl(i32.add(i32.mul(a, da), i32.mul(b, db)), 2)));
        f.set(i, 0);
        f.if(i32.ltS(i, end), () =>
          f.loop((again) => {
            f.storeV(i32.add(d0, i32.shl(i, 2)), v.add(v.load(i32.add(s0, i32.shl(i, 2))), add));
            f.inc(i, 4);
            f.brIf(again, i32.ltS(i, end));
          }),
        );
        f.for(i, i, len, 1, () => f.storeF32(i32.add(d0, i32.shl(i, 2)), f32.add(f32.load(i32.add(s0, i32.shl(i, 2))), addS)));
      });
    });
  });
}

/** elementwise over n floats, four lanes at a time, then the tail */
function lanes(f: Func, n: Local, body: (byte: Local, wide: boolean) => void): void {
  const i = f.i32();
  const end = f.i32(i32.shl(i32.and(n, -4), 2));
  const all = f.i32(i32.shl(n, 2));
  f.for(i, 0, end, 16, () => body(i, true));
  f.for(i, end, all, 4, () => body(i, false));
}

function emitRelu(m: Module): void {
  m.func("relu", [I, I, I], [], (f) => {
    const [n, x, y] = f.params;
    lanes(f, n, (b, wide) =>
      wide ? f.storeV(i32.add(y, b), v.max(v.load(i32.add(x, b)), v.const(0))) : f.storeF32(i32.add(y, b), f32.max(f32.load(i32.add(x, b)), f32.const(0))),
    );
  });
  m.func("reluBack", [I, I, I, I], [], (f) => {
    const [n, y, dy, dx] = f.params;
    const t = f.f32();
    lanes(f, n, (b, wide) => {
      if (wide) f.storeV(i32.add(dx, b), v.and(v.load(i32.add(dy, b)), v.gt(v.load(i32.add(y, b)), v.const(0))));
      else {
        f.set(t, f32.const(0));
        f.if(f32.gt(f32.load(i32.add(y, b)), f32.const(0)), () => f.set(t, f32.load(i32.add(dy, b))));
        f.storeF32(i32.add(dx, b), t);
      }
    });
  });
}

function emitMaxpool(m: Module): void {
  m.func("maxpool", [I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I], [], (f) => {
    const [planes, H, W, OH, OW, kh, kw, sh, sw, dh, dw, pt, pl, src, dst, idx] = f.params;
    const c = f.i32();
    const oy = f.i32();
    const ox = f.i32();
    const fy = f.i32();
    const fx = f.i32();
    const iy = f.i32();
    const ix = f.i32();
    const i = f.i32();
    const at = f.i32();
    const o = f.i32();
    const plane = f.i32();
    const corner = f.i32();
    const take = f.i32();
    const best = f.f32();
    const x = f.f32();
    const row = f.i32();
    const end = f.i32();
    const p0 = f.i32();
    const p1 = f.i32();
    const [lo, hi, vbest, vx, vat, vat0, vtake] = Array.from({ length: 7 }, () => f.v128());
    // the comparisons go by data: selects, not branches
    const consider = (index: Local, first: boolean) => {
      f.set(x, f32.load(i32.add(src, i32.shl(index, 2))));
      f.set(take, first ? i32.const(1) : i32.or(f32.gt(x, best), f32.ne(x, x)));
      f.set(best, select(x, best, take));
      f.set(at, select(index, at, take));
    };
    const inside = f.i32(
      i32.and(
        i32.and(i32.eqz(pt), i32.eqz(pl)),
        i32.and(
          i32.ltS(i32.add(i32.mul(i32.sub(OH, 1), sh), i32.mul(i32.sub(kh, 1), dh)), H),
          i32.ltS(i32.add(i32.mul(i32.sub(OW, 1), sw), i32.mul(i32.sub(kw, 1), dw)), W),
        ),
      ),
    );
    const store = () => {
      f.storeF32(i32.add(dst, i32.shl(o, 2)), best);
      f.storeI32(i32.add(idx, i32.shl(o, 2)), at);
      f.inc(o);
    };
    f.set(o, 0);
    f.for(c, 0, planes, 1, () => {
      f.set(plane, i32.mul(c, i32.mul(H, W)));
      f.if(
        inside,
        () =>
          f.if(
            i32.and(i32.and(i32.eq(kh, 2), i32.eq(kw, 2)), i32.and(i32.eq(dh, 1), i32.eq(dw, 1))),
            // 2×2 windows, the commonest: four values in scan order; at stride 2, four windows at once
            () =>
              f.for(oy, 0, OH, 1, () => {
                f.set(ox, 0);
                f.if(i32.and(i32.eq(sh, 2), i32.eq(sw, 2)), () => {
                  f.set(row, i32.add(plane, i32.mul(i32.shl(oy, 1), W)));
                  f.set(end, i32.sub(OW, 3));
                  f.for(ox, 0, end, 4, () => {
                    f.set(corner, i32.add(row, i32.shl(ox, 1)));
                    f.set(p0, i32.add(src, i32.shl(corner, 2)));
                    f.set(p1, i32.add(p0, i32.shl(W, 2)));
                    f.set(lo, v.load(p0));
                    f.set(hi, v.load(p0, 16));
                    f.set(vbest, v.shuffle(lo, hi, [0, 2, 4, 6]));
                    f.set(vx, v.shuffle(lo, hi, [1, 3, 5, 7]));
                    f.set(vat, v.i32add(v.i32splat(corner), v.i32const([0, 2, 4, 6])));
                    const step = (offset: Value) => {
                      f.set(vtake, v.or(v.gt(vx, vbest), v.ne(vx, vx)));
                      f.set(vbest, v.bitselect(vx, vbest, vtake));
                      f.set(vat, v.bitselect(v.i32add(vat0, offset), vat, vtake));
                    };
                    f.set(vat0, vat);
                    step(v.i32const([1, 1, 1, 1]));
                    f.set(lo, v.load(p1));
                    f.set(hi, v.load(p1, 16));
                    f.set(vx, v.shuffle(lo, hi, [0, 2, 4, 6]));
                    step(v.i32splat(W));
                    f.set(vx, v.shuffle(lo, hi, [1, 3, 5, 7]));
                    step(v.i32splat(i32.add(W, 1)));
                    f.storeV(i32.add(dst, i32.shl(o, 2)), vbest);
                    f.storeV(i32.add(idx, i32.shl(o, 2)), vat);
                    f.inc(o, 4);
                  });
                });
                f.for(ox, ox, OW, 1, () => {
                  f.set(corner, i32.add(plane, i32.add(i32.mul(i32.mul(oy, sh), W), i32.mul(ox, sw))));
                  consider(corner, true);
                  f.set(i, i32.add(corner, 1));
                  consider(i, false);
                  f.set(i, i32.add(corner, W));
                  consider(i, false);
                  f.set(i, i32.add(i, 1));
                  consider(i, false);
                  store();
                });
              }),
            () =>
              f.for(oy, 0, OH, 1, () =>
                f.for(ox, 0, OW, 1, () => {
                  f.set(corner, i32.add(plane, i32.add(i32.mul(i32.mul(oy, sh), W), i32.mul(ox, sw))));
                  consider(corner, true);
                  f.for(fy, 0, kh, 1, () =>
                    f.for(fx, 0, kw, 1, () => {
                      f.set(i, i32.add(corner, i32.add(i32.mul(i32.mul(fy, dh), W), i32.mul(fx, dw))));
                      consider(i, false);
                    }),
                  );
                  store();
                }),
              ),
          ),
        () =>
          f.for(oy, 0, OH, 1, () =>
            f.for(ox, 0, OW, 1, () => {
              f.set(at, -1);
              f.set(best, f32.const(0));
              f.for(fy, 0, kh, 1, () => {
                f.set(iy, i32.add(i32.sub(i32.mul(oy, sh), pt), i32.mul(fy, dh)));
                // unsigned: negative rows are out too
                f.if(i32.ltU(iy, H), () =>
                  f.for(fx, 0, kw, 1, () => {
                    f.set(ix, i32.add(i32.sub(i32.mul(ox, sw), pl), i32.mul(fx, dw)));
                    f.if(i32.ltU(ix, W), () => {
                      f.set(i, i32.add(plane, i32.add(i32.mul(iy, W), ix)));
                      f.set(x, f32.load(i32.add(src, i32.shl(i, 2))));
                      f.set(take, i32.or(i32.ltS(at, 0), i32.or(f32.gt(x, best), f32.ne(x, x))));
                      f.set(best, select(x, best, take));
                      f.set(at, select(i, at, take));
                    });
                  }),
                );
              });
              store();
            }),
          ),
      );
    });
  });
  m.func("maxpoolBack", [I, I, I, I, I], [], (f) => {
    const [outs, idx, dy, ins, dx] = f.params;
    const o = f.i32();
    const at = f.i32();
    const d = f.i32();
    f.fill(dx, 0, i32.shl(ins, 2));
    f.for(o, 0, outs, 1, () => {
      f.set(at, i32.load(i32.add(idx, i32.shl(o, 2))));
      f.if(i32.geS(at, 0), () => {
        f.set(d, i32.add(dx, i32.shl(at, 2)));
        f.storeF32(d, f32.add(f32.load(d), f32.load(i32.add(dy, i32.shl(o, 2)))));
      });
    });
  });
}

/** four e^t at once (Cephes' expf) */
function vexp(f: Func, t: Local, n: Local, r: Local, p: Local): Value {
  f.set(t, v.min(v.max(t, v.const(-87)), v.const(88)));
  f.set(n, v.nearest(v.mul(t, v.const(Math.LOG2E))));
  // r = t − n·ln 2, ln 2 in two parts so that n·ln2_hi is exact
  f.set(r, v.sub(v.sub(t, v.mul(n, v.const(0.693359375))), v.mul(n, v.const(-2.12194440e-4))));
  f.set(p, v.const(1.9875691500e-4));
  for (const c of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) f.set(p, v.add(v.mul(p, r), v.const(c)));
  f.set(p, v.add(v.add(v.mul(v.mul(p, r), r), r), v.const(1)));
  // × 2ⁿ: n + 127 in the exponent field
  return v.mul(p, v.i32shl(v.i32add(v.truncToI32(n), v.i32const([127, 127, 127, 127])), 23));
}

function emitSigmoid(m: Module): void {
  m.func("sigmoid", [I, I, I], [], (f) => {
    const [n, x, y] = f.params;
    const [t, k, r, p] = Array.from({ length: 4 }, () => f.v128());
    lanes(f, n, (b, wide) => {
      f.set(t, v.neg(wide ? v.load(i32.add(x, b)) : v.splatLoad(i32.add(x, b))));
      const out = v.div(v.const(1), v.add(v.const(1), vexp(f, t, k, r, p)));
      if (wide) f.storeV(i32.add(y, b), out);
      else f.storeF32(i32.add(y, b), v.lane(out, 0));
    });
  });
  m.func("sigmoidBack", [I, I, I, I], [], (f) => {
    const [n, y, dy, dx] = f.params;
    const yy = f.v128();
    lanes(f, n, (b, wide) => {
      f.set(yy, wide ? v.load(i32.add(y, b)) : v.splatLoad(i32.add(y, b)));
      const out = v.mul(v.mul(wide ? v.load(i32.add(dy, b)) : v.splatLoad(i32.add(dy, b)), yy), v.sub(v.const(1), yy));
      if (wide) f.storeV(i32.add(dx, b), out);
      else f.storeF32(i32.add(dx, b), v.lane(out, 0));
    });
  });
}

function emitAvgpool(m: Module): void {
  for (const back of [false, true]) {
    m.func(back ? "avgpoolBack" : "avgpool", [I, I, I, I, I, I, I], [], (f) => {
      const [planes, inPlane, outPlane, W, table, from, to] = f.params;
      const c = f.i32();
      const o = f.i32();
      const w = f.i32();
      const iy = f.i32();
      const ix = f.i32();
      const y1 = f.i32();
      const x0 = f.i32();
      const x1 = f.i32();
      const at = f.i32();
      const plane = f.i32();
      const value = f.f32();
      if (back) f.fill(to, 0, i32.shl(i32.mul(planes, inPlane), 2));
      f.for(c, 0, planes, 1, () => {
        f.set(plane, i32.mul(c, inPlane));
        f.set(w, table);
        f.for(o, 0, outPlane, 1, () => {
          f.set(y1, i32.load(w, 4));
          f.set(x0, i32.load(w, 8));
          f.set(x1, i32.load(w, 12));
          const cell = () => i32.add(from, i32.shl(i32.add(i32.mul(c, outPlane), o), 2));
          if (back) f.set(value, f32.div(f32.load(cell()), f32.fromI32(i32.load(w, 16))));
          else f.set(value, f32.const(0));
          f.for(iy, i32.load(w), y1, 1, () =>
            f.for(ix, x0, x1, 1, () => {
              f.set(at, i32.add(back ? to : from, i32.shl(i32.add(plane, i32.add(i32.mul(iy, W), ix)), 2)));
              if (back) f.storeF32(at, f32.add(f32.load(at), value));
              else f.set(value, f32.add(value, f32.load(at)));
            }),
          );
          if (!back) f.storeF32(i32.add(to, i32.shl(i32.add(i32.mul(c, outPlane), o), 2)), f32.div(value, f32.fromI32(i32.load(w, 16))));
          f.inc(w, 20);
        });
      });
    });
  }
}

/**
 * avgpool2(planes, H, W, OH, OW, src, dst) and avgpool2Back(…, dy, dx): 2×2 windows at stride 2
 * without padding, every window whole (divisor 4) — LeNet's pools. The same float32 sums in
 * the same order as avgpool's table walk ((((0 + x₀₀) + x₀₁) + x₁₀) + x₁₁, then ÷ 4; back:
 * dx = 0 + dy ÷ 4, the rows and columns no window covers 0), so the same bits, four outputs at once.
 */
function emitAvgpool2(m: Module): void {
  for (const back of [false, true]) {
    m.func(back ? "avgpool2Back" : "avgpool2", [I, I, I, I, I, I, I], [], (f) => {
      const [planes, H, W, OH, OW, from, to] = f.params;
      const c = f.i32();
      const oy = f.i32();
      const ox = f.i32();
      const r0 = f.i32();
      const o = f.i32();
      const ow4 = f.i32(i32.and(OW, -4));
      const rowB = f.i32(i32.shl(W, 2));
      const lo = f.v128();
      const hi = f.v128();
      const sum = f.v128();
      const d = f.v128();
      const s = f.f32();
      const ds = f.f32();
      const four = v.const(4);
      if (back) f.fill(to, 0, i32.shl(i32.mul(planes, i32.mul(H, W)), 2));
      f.for(c, 0, planes, 1, () =>
        f.for(oy, 0, OH, 1, () => {
          // the window rows' start in the input (2·oy, 2·oy + 1), and the output row's
          f.set(r0, i32.add(back ? to : from, i32.shl(i32.add(i32.mul(c, i32.mul(H, W)), i32.mul(i32.shl(oy, 1), W)), 2)));
          f.set(o, i32.add(back ? from : to, i32.shl(i32.add(i32.mul(c, i32.mul(OH, OW)), i32.mul(oy, OW)), 2)));
          f.for(ox, 0, ow4, 4, () => {
            const inAt = i32.add(r0, i32.shl(ox, 3));
            const outAt = i32.add(o, i32.shl(ox, 2));
            if (!back) {
              f.set(lo, v.load(inAt));
              f.set(hi, v.load(inAt, 16));
              f.set(sum, v.add(v.add(v.const(0), v.shuffle(lo, hi, [0, 2, 4, 6])), v.shuffle(lo, hi, [1, 3, 5, 7])));
              f.set(lo, v.load(i32.add(inAt, rowB)));
              f.set(hi, v.load(i32.add(inAt, rowB), 16));
              f.set(sum, v.add(v.add(sum, v.shuffle(lo, hi, [0, 2, 4, 6])), v.shuffle(lo, hi, [1, 3, 5, 7])));
              f.storeV(outAt, v.div(sum, four));
            } else {
              f.set(d, v.add(v.const(0), v.div(v.load(outAt), four)));
              f.set(lo, v.shuffle(d, d, [0, 0, 1, 1]));
              f.set(hi, v.shuffle(d, d, [2, 2, 3, 3]));
              f.storeV(inAt, lo);
              f.storeV(inAt, hi, 16);
              f.storeV(i32.add(inAt, rowB), lo);
              f.storeV(i32.add(inAt, rowB), hi, 16);
            }
          });
          f.for(ox, ow4, OW, 1, () => {
            const inAt = i32.add(r0, i32.shl(ox, 3));
            const outAt = i32.add(o, i32.shl(ox, 2));
            if (!back) {
              f.set(s, f32.add(f32.add(f32.add(f32.add(f32.const(0), f32.load(inAt)), f32.load(inAt, 4)), f32.load(i32.add(inAt, rowB))), f32.load(i32.add(inAt, rowB), 4)));
              f.storeF32(outAt, f32.div(s, f32.const(4)));
            } else {
              f.set(ds, f32.add(f32.const(0), f32.div(f32.load(outAt), f32.const(4))));
              f.storeF32(inAt, ds);
              f.storeF32(inAt, ds, 4);
              f.storeF32(i32.add(inAt, rowB), ds);
              f.storeF32(i32.add(inAt, rowB), ds, 4);
            }
          });
        }),
      );
    });
  }
}

function emitColSums(m: Module): void {
  m.func("colSums", [I, I, I, I], [], (f) => {
    const [rows, cols, src, dst] = f.params;
    const r = f.i32();
    const p = f.i32();
    const acc = f.v128();
    const t = f.f32();
    const d = f.i32();
    const c4 = f.i32(i32.and(cols, -4));
    f.for(r, 0, rows, 1, () => {
      f.set(p, i32.add(src, i32.shl(i32.mul(r, cols), 2)));
      f.set(acc, v.const(0));
      f.set(d, i32.add(p, i32.shl(c4, 2)));
      f.if(i32.ltS(p, d), () =>
        f.loop((again) => {
          f.set(acc, v.add(acc, v.load(p)));
          f.inc(p, 16);
          f.brIf(again, i32.ltS(p, d));
        }),
      );
      f.set(t, hsum(acc));
      f.set(d, i32.add(src, i32.shl(i32.mul(i32.add(r, 1), cols), 2)));
      f.for(p, p, d, 4, () => f.set(t, f32.add(t, f32.load(p))));
      f.set(d, i32.add(dst, i32.shl(r, 2)));
      f.storeF32(d, f32.add(f32.load(d), t));
    });
  });
}

const F = "f32" as const;

/**
 * adam and sgd, and (sum) adamSum and sgdSum, whose gradient is two weighted sources
 * wa·ga + wb·gb summed as `combine` sums them (the training threads' slices, fused into the
 * update: the same float operations as combine, then adam or sgd on the sum)
 */
function emitOptimizers(m: Module, sum: boolean): void {
  const G = sum ? [I, F, I, F] : [I];
  /** the gradient at byte b: g, or wa·ga + wb·gb */
  const gradient = (gs: Local[], b: Local, wide: boolean): Value => {
    const at = (base: Local) => i32.add(base, b);
    if (!sum) return wide ? v.load(at(gs[0])) : f32.load(at(gs[0]));
    const [ga, wa, gb, wb] = gs;
    return wide ? v.add(v.mul(v.splat(wa), v.load(at(ga))), v.mul(v.splat(wb), v.load(at(gb)))) : f32.add(f32.mul(wa, f32.load(at(ga))), f32.mul(wb, f32.load(at(gb))));
  };
  m.func(sum ? "adamSum" : "adam", [I, I, ...G, I, I, F, F, F, F, F, F], [], (f) => {
    const [n, p, ...rest] = f.params;
    const gs = rest.slice(0, G.length);
    const [mo, vo, beta1, beta2, eps, wd, stepSize, bc2Sqrt] = rest.slice(G.length);
    const d = f.v128();
    const mm = f.v128();
    const vv = f.v128();
    const ds = f.f32();
    const ms = f.f32();
    const vs = f.f32();
    const c1 = f.f32(f32.sub(f32.const(1), beta1));
    const c2 = f.f32(f32.sub(f32.const(1), beta2));
    const splat = (x: Local) => v.splat(x);
    lanes(f, n, (b, wide) => {
      const at = (base: Local) => i32.add(base, b);
      if (wide) {
        f.set(d, v.add(gradient(gs, b, true), v.mul(splat(wd), v.load(at(p)))));
        f.set(mm, v.add(v.mul(splat(beta1), v.load(at(mo))), v.mul(splat(c1), d)));
        f.set(vv, v.add(v.mul(splat(beta2), v.load(at(vo))), v.mul(v.mul(splat(c2), d), d)));
        f.storeV(at(mo), mm);
        f.storeV(at(vo), vv);
        f.storeV(at(p), v.sub(v.load(at(p)), v.mul(splat(stepSize), v.div(mm, v.add(v.div(v.sqrt(vv), splat(bc2Sqrt)), splat(eps))))));
      } else {
        f.set(ds, f32.add(gradient(gs, b, false), f32.mul(wd, f32.load(at(p)))));
        f.set(ms, f32.add(f32.mul(beta1, f32.load(at(mo))), f32.mul(c1, ds)));
        f.set(vs, f32.add(f32.mul(beta2, f32.load(at(vo))), f32.mul(f32.mul(c2, ds), ds)));
        f.storeF32(at(mo), ms);
        f.storeF32(at(vo), vs);
        f.storeF32(at(p), f32.sub(f32.load(at(p)), f32.mul(stepSize, f32.div(ms, f32.add(f32.div(f32.sqrt(vs), bc2Sqrt), eps)))));
      }
    });
  });
  m.func(sum ? "sgdSum" : "sgd", [I, I, ...G, I, F, F, F], [], (f) => {
    const [n, p, ...rest] = f.params;
    const gs = rest.slice(0, G.length);
    const [buf, lr, momentum, wd] = rest.slice(G.length);
    const bb = f.v128();
    const bs = f.f32();
    lanes(f, n, (b, wide) => {
      const at = (base: Local) => i32.add(base, b);
      if (wide) {
        f.set(bb, v.add(v.mul(v.splat(momentum), v.load(at(buf))), v.add(gradient(gs, b, true), v.mul(v.splat(wd), v.load(at(p))))));
        f.storeV(at(buf), bb);
        f.storeV(at(p), v.sub(v.load(at(p)), v.mul(v.splat(lr), bb)));
      } else {
        f.set(bs, f32.add(f32.mul(momentum, f32.load(at(buf))), f32.add(gradient(gs, b, false), f32.mul(wd, f32.load(at(p))))));
        f.storeF32(at(buf), bs);
        f.storeF32(at(p), f32.sub(f32.load(at(p)), f32.mul(lr, bs)));
      }
    });
  });
}

function emitCombine(m: Module): void {
  m.func("combine", [I, I, I, F, I], [], (f) => {
    const [n, dst, src, w, acc] = f.params;
    const wv = f.v128(v.splat(w));
    const into = (add: boolean) =>
      lanes(f, n, (b, wide) => {
        const d = i32.add(dst, b);
        const x = i32.add(src, b);
        if (wide) f.storeV(d, add ? v.add(v.load(d), v.mul(wv, v.load(x))) : v.mul(wv, v.load(x)));
        else f.storeF32(d, add ? f32.add(f32.load(d), f32.mul(w, f32.load(x))) : f32.mul(w, f32.load(x)));
      });
    f.if(acc, () => into(true), () => into(false));
  });
}

/** the library's module; `shared`: its memory is a shared one (the training threads' exchange) */
export function trainLibraryBytes(relaxed: boolean, shared = false): Uint8Array<ArrayBuffer> {
  const m = new Module();
  emitBlocks(m);
  emitNN(m, relaxed);
  emitNT(m, relaxed);
  emitTranspose(m);
  emitTranspose(m, true);
  emitWindowWalk(m, "im2col", true);
  emitWindowWalk(m, "col2im", false);
  emitRelu(m);
  emitMaxpool(m);
  emitColSums(m);
  emitAvgpool(m);
  emitAvgpool2(m);
  emitSigmoid(m);
  emitOptimizers(m, false);
  emitOptimizers(m, true);
  emitCombine(m);
  return m.toBytes({ shared });
}
