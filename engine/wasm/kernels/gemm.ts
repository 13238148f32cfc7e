// C[M×N] = A[M×Kd] · B[Kd×N] + bias, then residual and activation: the matrix product
// behind every convolution. Rows are output channels, columns output positions, so C
// is already the C×H×W output. A (the weights) is packed once per network in MR-row
// panels [Kd][MR]; B is either packed on the fly by im2col into NR-column panels
// [kc][NR] (kernels/im2col.ts) or, for a 1×1 convolution, read in place (rows of N).
//
// The register tile is MR×NR = MR×8: MR splatted weights times two 4-lane vectors of
// positions, accumulated in MR·2 v128 locals (with MR = 4 plus 2 B vectors and a
// splat, 11 of the 16 XMM registers V8 allocates from; with relaxed SIMD's fused
// multiply-add too: MR = 6 measured slower, see library.ts). Blocking as in GotoBLAS: Kd in chunks of
// KC rows, N in chunks of NC columns, so a B panel stays in L1 and A's block in L2.

import type { Func } from "../emit/func";
import type { Module } from "../emit/module";
import { f32, i32, v } from "../emit/ops";
import type { Expr, Local, Value } from "../emit/expr";
import { emitKernel } from "../signatures";

export const NR = 8;
export const KC = 256;
export const NC = 128;

/** epilogue bits of a tile call */
export const Mode = {
  /** start from C's current values (a later Kd chunk) */
  accumulate: 1,
  /** start from the bias (first Kd chunk) */
  bias: 2,
  /** last Kd chunk: add the residual, apply the activation */
  finish: 4,
  residual: 8,
  /** activation code in bits 4–5 */
  actShift: 4,
} as const;

/** fused activations (others run as separate element-wise passes) */
export const Activation = { none: 0, relu: 1, relu6: 2 } as const;

export interface GemmKernels {
  strip: Func;
  /** the strip touching a byte of the next panel of A every k (`pf`, `pfStep`) */
  stripTouching: Func;
  gemm: Func;
  gemmPacked: Func;
}

/** the epilogue shared by every kernel that finishes an output: residual, then activation */
export function applyActivation(x: Local | ReturnType<typeof v.add>, act: Local): ReturnType<typeof v.add> {
  // select by code without branching in the caller: relu = max(x, 0); relu6 = min(relu, 6)
  const relu = v.pmax(v.const(0), x);
  return v.bitselect(
    v.bitselect(v.pmin(v.const(6), relu), relu, v.i32splat(i32.sub(0, i32.eq(act, 2)))),
    x,
    v.i32splat(i32.sub(0, i32.ne(act, 0))),
  );
}

/**
 * The strip's prefetch of the next MR-row panel of A (`panelBytes` after this one's `a`,
 * rows m0 + MR… of M) while this one runs over `groups` column groups: a step of
 * ⌈4·MR/groups⌉ bytes a k covers the next panel's rows this chunk reads (4·MR bytes a k)
 * over this panel's groups, running a little into the panel after it — or ⌊…⌋ when the
 * next panel is the last, so that nothing past A is read; none after the last panel.
 */
function prefetch(MR: number, a: Value, panelBytes: Value, m0: Value, M: Value, groups: Value): [Expr, Expr] {
  const notLast = i32.ltS(i32.add(m0, MR), M);
  const round = i32.mul(i32.ltS(i32.add(m0, 2 * MR), M), i32.sub(groups, 1));
  const divisor = i32.add(groups, i32.eqz(groups)); // (no groups: nothing touched)
  return [i32.add(a, i32.mul(notLast, panelBytes)), i32.mul(notLast, i32.divU(i32.add(4 * MR, round), divisor))];
}

/** while (cond) body — `cond` written twice, before the loop and at its end */
function whileDo(f: Func, cond: () => ReturnType<typeof i32.add>, body: () => void): void {
  f.if(cond(), () =>
    f.loop((again) => {
      body();
      f.brIf(again, cond());
    }),
  );
}

/** `pack(panel, src, koff, noff, nc, kc)` is the im2col packer of kernels/im2col.ts */
export function emitGemm(m: Module, MR: number, relaxed: boolean, pack: Func): GemmKernels {
  // strip(a, b, bStep, ldb, c, ldc, r, ldr, kc, bias, mode, groups, pf, pfStep): one MR-row
  // panel of A times `groups` NR-column groups of B (each bStep bytes after the last),
  // written to C. `touching`: every k touches the line at pf (pf += pfStep): the caller
  // points pf at the next panel of A, so that weights coming from memory arrive spread
  // over this panel's groups, not in the next panel's first group, where every fourth k
  // would wait on a new line (a 7×7 layer's weights, read cold: 1280×320 on 49 positions
  // 1.01 → 0.85 ms). (Unrolled four k at a time with one touch, V8 11.3 chained the
  // accumulators through one register: twice as slow.)
  const emitStrip = (name: string, touching: boolean) => m.func(name, ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f) => {
    const [a, b, bStep, ldb, c, ldc, r, ldr, kc, bias, mode, groups, pf, pfStep] = f.params;
    const acc: Local[][] = [];
    for (let row = 0; row < MR; row++) acc.push([f.v128(), f.v128()]);
    const b0 = f.v128();
    const b1 = f.v128();
    const s = f.v128();
    const k = f.i32();
    const ak = f.i32();
    const bk = f.i32();
    const g = f.i32();
    const act = f.i32(i32.and(i32.shrU(mode, Mode.actShift), 3));
    const finish = f.i32(i32.and(mode, Mode.finish));
    const rowC = (row: number) => i32.add(c, i32.mul(ldc, row));
    const each = (fn: (x: Local) => ReturnType<typeof v.add>) => acc.forEach((pair) => pair.forEach((x) => f.set(x, fn(x))));
    f.for(g, 0, groups, 1, () => {
      f.if(
        i32.and(mode, Mode.accumulate),
        () => acc.forEach(([x0, x1], row) => (f.set(x0, v.load(rowC(row))), f.set(x1, v.load(rowC(row), 16)))),
        () =>
          f.if(
            i32.and(mode, Mode.bias),
            () => acc.forEach(([x0, x1], row) => (f.set(x0, v.splatLoad(bias, 4 * row)), f.set(x1, x0))),
            () => acc.forEach(([x0, x1]) => (f.set(x0, v.const(0)), f.set(x1, v.const(0)))),
          ),
      );
      f.set(ak, a);
      f.set(bk, b);
      f.set(k, kc);
      /** one k: row u of this block of A */
      const step = (u: number) => {
        f.set(b0, v.load(bk));
        f.set(b1, v.load(bk, 16));
        acc.forEach(([x0, x1], row) => {
          f.set(s, v.splatLoad(ak, 4 * (MR * u + row)));
          f.set(x0, v.madd(s, b0, x0, relaxed));
          f.set(x1, v.madd(s, b1, x1, relaxed));
        });
        f.set(bk, i32.add(bk, ldb));
      };
      f.loop((again) => {
        step(0);
        if (touching) {
          f.touch(pf);
          f.set(pf, i32.add(pf, pfStep));
        }
        f.inc(ak, 4 * MR);
        f.set(k, i32.sub(k, 1));
        f.brIf(again, k);
      });
      f.if(finish, () => {
        f.if(i32.and(mode, Mode.residual), () =>
          acc.forEach(([x0, x1], row) => {
            const rr = i32.add(r, i32.mul(ldr, row));
            f.set(x0, v.add(x0, v.load(rr)));
            f.set(x1, v.add(x1, v.load(rr, 16)));
          }),
        );
        f.if(act, () => {
          each((x) => v.pmax(v.const(0), x));
          f.if(i32.eq(act, 2), () => each((x) => v.pmin(v.const(6), x)));
        });
      });
      acc.forEach(([x0, x1], row) => {
        f.storeV(rowC(row), x0);
        f.storeV(rowC(row), x1, 16);
      });
      f.inc(b, bStep);
      f.inc(c, NR * 4);
      f.inc(r, NR * 4);
    });
  });
  // the GEMM's products touch the next panel; Winograd's 36 products (blocks of ≤ 64
  // tiles, their U from cache more often than not) and edge tiles do not
  const strip = emitStrip("gemm_strip", false);
  const stripTouching = emitStrip("gemm_strip_touching", true);

  // copies rows×cols floats between two row-strided regions (edge tiles)
  const copyBlock = m.func("copy_block", ["i32", "i32", "i32", "i32", "i32", "i32"], [], (f) => {
    const [dst, ldd, src, lds, rows, cols] = f.params;
    const i = f.i32();
    const j = f.i32();
    f.for(i, 0, rows, 1, () => {
      f.for(j, 0, cols, 1, () => f.storeF32(i32.add(dst, i32.shl(j, 2)), f32.load(i32.add(src, i32.shl(j, 2)))));
      f.inc(dst, ldd);
      f.inc(src, lds);
    });
  });

  // edge(a, b, ldb, c, ldc, r, kc, bias, mode, rows, cols, scratch): a tile with fewer
  // than MR rows or NR columns, computed in a scratch tile and copied out
  const edge = m.func("gemm_edge", ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f) => {
    const [a, b, ldb, c, ldc, r, kc, bias, mode, rows, cols, scratch] = f.params;
    const tmpR = f.i32(i32.add(scratch, MR * NR * 4));
    f.if(i32.and(mode, Mode.accumulate), () => f.call(copyBlock, scratch, NR * 4, c, ldc, rows, cols));
    f.if(i32.and(mode, Mode.residual), () => f.call(copyBlock, tmpR, NR * 4, r, ldc, rows, cols));
    f.call(strip, a, b, 0, ldb, scratch, NR * 4, tmpR, NR * 4, kc, bias, mode, 1, a, 0);
    f.call(copyBlock, c, ldc, scratch, NR * 4, rows, cols);
  });

  // narrow(a, b, ldb, c, ldc, r, kc, bias, mode, cols): MR = 4 full rows times `cols` < NR
  // columns of a B panel (the last column group of N, e.g. 1 of MobileNetV2's 49): one
  // vector per column holds its four rows, so a k costs one load of A, `cols` splats of
  // B and `cols` multiply-adds, instead of a whole 4×8 tile in a scratch tile copied out.
  // With few columns one chain of multiply-adds would wait on its own latency at every
  // k, so the k are dealt round-robin to `sets` independent accumulators (8 chains or
  // more in flight) and summed pairwise at the end: a 7×7 output's last column costs
  // an eighth of a tile instead of a whole one. (Another summation order than the tile's:
  // the same on any number of threads, since a part's columns start on a multiple of NR.)
  const narrow = m.func("gemm_narrow", ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f) => {
    const [a, b, ldb, c, ldc, r, kc, bias, mode, cols] = f.params;
    const av = f.v128();
    const k = f.i32();
    const bu = f.i32();
    const act = f.i32(i32.and(i32.shrU(mode, Mode.actShift), 3));
    /** column j's four rows of a row-strided matrix at `base`, as one vector */
    const gather = (base: Local, ld: Local, j: number) => {
      let x = v.splat(f32.load(base, 4 * j));
      for (let row = 1; row < 4; row++) x = v.replace(x, row, f32.load(i32.add(base, i32.mul(ld, row)), 4 * j));
      return x;
    };
    const pool = Array.from({ length: 8 }, () => f.v128());
    for (let n = 1; n < NR; n++) {
      const sets = n === 1 ? 8 : n === 2 ? 4 : n === 3 ? 2 : 1;
      // acc[u][j]: column j's sum over the k ≡ u (mod sets)
      const acc = Array.from({ length: sets }, (_, u) => Array.from({ length: n }, (_, j) => (u * n + j < pool.length ? pool[u * n + j] : f.v128())));
      const cs = acc[0];
      /** k steps of every set, then one k at a time into the first */
      const step = (u: number) => {
        f.set(av, v.load(a, 16 * u));
        acc[u].forEach((x, j) => f.set(x, v.madd(av, v.splatLoad(bu, 4 * j), x, relaxed)));
        f.set(bu, i32.add(bu, ldb));
      };
      f.if(i32.eq(cols, n), () => {
        f.if(
          i32.and(mode, Mode.accumulate),
          () => cs.forEach((x, j) => f.set(x, gather(c, ldc, j))),
          () =>
            f.if(
              i32.and(mode, Mode.bias),
              () => cs.forEach((x) => f.set(x, v.load(bias))),
              () => cs.forEach((x) => f.set(x, v.const(0))),
            ),
        );
        for (let u = 1; u < sets; u++) acc[u].forEach((x) => f.set(x, v.const(0)));
        f.set(k, kc);
        f.set(bu, b);
        if (sets > 1)
          whileDo(f, () => i32.geS(k, sets), () => {
            for (let u = 0; u < sets; u++) step(u);
            f.inc(a, 4 * MR * sets);
            f.set(k, i32.sub(k, sets));
          });
        whileDo(f, () => i32.gtS(k, 0), () => {
          step(0);
          f.inc(a, 4 * MR);
          f.set(k, i32.sub(k, 1));
        });
        for (let width = 1; width < sets; width *= 2)
          for (let u = 0; u + width < sets; u += 2 * width) acc[u].forEach((x, j) => f.set(x, v.add(x, acc[u + width][j])));
        f.if(i32.and(mode, Mode.finish), () => {
          f.if(i32.and(mode, Mode.residual), () => cs.forEach((x, j) => f.set(x, v.add(x, gather(r, ldc, j)))));
          f.if(act, () => {
            cs.forEach((x) => f.set(x, v.pmax(v.const(0), x)));
            f.if(i32.eq(act, 2), () => cs.forEach((x) => f.set(x, v.pmin(v.const(6), x))));
          });
        });
        cs.forEach((x, j) => {
          for (let row = 0; row < 4; row++) f.storeF32(i32.add(c, i32.mul(ldc, row)), v.lane(x, row), 4 * j);
        });
      });
    }
  });

  /**
   * The product, blocked: `b` says how a block's B panels are had (`koff` 0: read in
   * place; else packed by im2col into `panel`; `packed`: already packed, every column
   * group's [Kd][NR] panel one after another from B)
   */
  const product = (
    f: Func,
    p: { a: Local; rows: Local; depth: Local; b: Local; columns: Local; ld: Local; c: Local; bias: Local; residual: Local; act: Local; scratch: Local },
    b: { packed: true } | { packed: false; koff: Local; noff: Local; panel: Local },
  ) => {
      const { a: apack, rows: M, depth: Kd, b: B, columns: N, ld, c: C, bias, residual: res, act, scratch } = p;
      const n0 = f.i32();
      const nc = f.i32();
      const k0 = f.i32();
      const kc = f.i32();
      const j = f.i32();
      const m0 = f.i32();
      const mode = f.i32();
      const bBase = f.i32();
      const bStep = f.i32();
      const ldb = f.i32();
      const full = f.i32();
      const rows = f.i32();
      const off = f.i32();
      const a = f.i32();
      const ldc = f.i32(i32.shl(ld, 2));
      f.for(n0, 0, N, NC, () => {
        f.set(nc, i32.minS(NC, i32.sub(N, n0)));
        f.set(full, i32.divU(nc, NR));
        f.for(k0, 0, Kd, KC, () => {
          f.set(kc, i32.minS(KC, i32.sub(Kd, k0)));
          // mode: first chunk starts from the bias, later ones accumulate
          f.set(mode, i32.add(i32.mul(i32.eqz(k0), Mode.bias), i32.mul(i32.ne(k0, 0), Mode.accumulate)));
          f.if(i32.geS(i32.add(k0, kc), Kd), () =>
            f.set(
              mode,
              i32.or(
                mode,
                i32.or(i32.or(Mode.finish, i32.mul(i32.ne(res, 0), Mode.residual)), i32.shl(act, Mode.actShift)),
              ),
            ),
          );
          if (b.packed) {
            // column group n0 / NR's panel, row k0
            f.set(bBase, i32.add(B, i32.shl(i32.add(i32.mul(n0, Kd), i32.mul(k0, NR)), 2)));
            f.set(bStep, i32.mul(Kd, NR * 4));
            f.set(ldb, NR * 4);
          } else {
            const { koff, noff, panel } = b;
            f.if(
              i32.eqz(koff),
              () => {
                f.set(bBase, i32.add(B, i32.shl(i32.add(i32.mul(k0, ld), n0), 2)));
                f.set(bStep, NR * 4);
                f.set(ldb, ldc);
              },
              () => {
                f.call(pack, panel, B, i32.add(koff, i32.shl(k0, 2)), i32.add(noff, i32.shl(n0, 2)), nc, kc);
                f.set(bBase, panel);
                f.set(bStep, i32.mul(kc, NR * 4));
                f.set(ldb, NR * 4);
              },
            );
          }
          f.for(m0, 0, M, MR, () => {
            f.set(rows, i32.minS(MR, i32.sub(M, m0)));
            f.set(off, i32.shl(i32.add(i32.mul(m0, ld), n0), 2));
            f.set(a, i32.add(apack, i32.shl(i32.add(i32.mul(m0, Kd), i32.mul(k0, MR)), 2)));
            const biasAt = i32.add(bias, i32.shl(m0, 2));
            f.if(
              i32.eq(rows, MR),
              () => {
                const [pf, pfStep] = prefetch(MR, a, i32.mul(Kd, 4 * MR), m0, M, full);
                f.if(full, () => f.call(stripTouching, a, bBase, bStep, ldb, i32.add(C, off), ldc, i32.add(res, off), ldc, kc, biasAt, mode, full, pf, pfStep));
                f.if(i32.ne(i32.mul(full, NR), nc), () => {
                  const at = i32.add(off, i32.mul(full, NR * 4));
                  const bAt = i32.add(bBase, i32.mul(full, bStep));
                  const cols = i32.sub(nc, i32.mul(full, NR));
                  if (MR === 4) f.call(narrow, a, bAt, ldb, i32.add(C, at), ldc, i32.add(res, at), kc, biasAt, mode, cols);
                  else f.call(edge, a, bAt, ldb, i32.add(C, at), ldc, i32.add(res, at), kc, biasAt, mode, MR, cols, scratch);
                });
              },
              () =>
                f.for(j, 0, nc, NR, () => {
                  const at = i32.add(off, i32.shl(j, 2));
                  f.call(edge, a, i32.add(bBase, i32.mul(i32.divU(j, NR), bStep)), ldb, i32.add(C, at), ldc, i32.add(res, at), kc, biasAt, mode, rows, i32.minS(NR, i32.sub(nc, j)), scratch);
                }),
            );
          });
        });
      });
  };
  const gemm = emitKernel(m, "gemm", (f, p) => product(f, p, { packed: false, koff: p.koff, noff: p.noff, panel: p.panel }));
  const gemmPacked = emitKernel(m, "gemm_packed", (f, p) => product(f, p, { packed: true }));
  return { strip, stripTouching, gemm, gemmPacked };
}
