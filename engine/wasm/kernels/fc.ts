// Fully connected at batch 1: y = W·x + b with W as PyTorch stores it, [N][n_in] rows.
// A matrix–vector product reads every weight once, so it is bound by memory bandwidth,
// not arithmetic: four rows at a time share each loaded x vector, and two vector
// accumulators per row keep loads in flight. Bias and ReLU/ReLU6 are fused.

import type { Module } from "../emit/module";
import { f32, i32, v } from "../emit/ops";
import { emitKernel } from "../signatures";
import type { Local } from "../emit/expr";
import { applyActivation } from "./gemm";

/** horizontal sum of a v128's four lanes */
function hsum(x: Local) {
  return f32.add(f32.add(v.lane(x, 0), v.lane(x, 1)), f32.add(v.lane(x, 2), v.lane(x, 3)));
}

export function emitFc(m: Module, relaxed: boolean) {
  // fc(out, W, x, bias, N, nIn, act); bias 0 = none
  return emitKernel(m, "fc", (f, p) => {
    const { dst: out, weights: W, src: x, bias, outputs: N, inputs: nIn, act } = p;
    const ROWS = 4;
    const n = f.i32();
    const i = f.i32();
    const row = f.i32(i32.shl(nIn, 2));
    const vecEnd = f.i32(i32.shl(i32.and(nIn, -8), 2));
    const acc = Array.from({ length: ROWS }, () => [f.v128(), f.v128()]);
    const xs = [f.v128(), f.v128()];
    const sums = f.v128();
    const w = f.i32();
    const s = f.f32();
    const rows = f.i32();
    const r = f.i32();
    f.for(n, 0, N, ROWS, () => {
      f.set(rows, i32.minS(ROWS, i32.sub(N, n)));
      f.if(
        i32.eq(rows, ROWS),
        () => {
          acc.forEach(([a0, a1]) => (f.set(a0, v.const(0)), f.set(a1, v.const(0))));
          f.set(w, i32.add(W, i32.mul(n, row)));
          f.for(i, 0, vecEnd, 32, () => {
            f.set(xs[0], v.load(i32.add(x, i)));
            f.set(xs[1], v.load(i32.add(x, i), 16));
            acc.forEach(([a0, a1], k) => {
              const p = i32.add(i32.add(w, i), i32.mul(row, k));
              f.set(a0, v.madd(v.load(p), xs[0], a0, relaxed));
              f.set(a1, v.madd(v.load(p, 16), xs[1], a1, relaxed));
            });
          });
          // lane sums into one vector, then the scalar tail
          acc.forEach(([a0, a1]) => f.set(a0, v.add(a0, a1)));
          f.set(sums, v.splat(f32.const(0)));
          acc.forEach(([a0], k) => f.set(sums, v.replace(sums, k, hsum(a0))));
          f.for(i, vecEnd, row, 4, () => {
            f.set(s, f32.load(i32.add(x, i)));
            acc.forEach((_, k) =>
              f.set(sums, v.replace(sums, k, f32.add(v.lane(sums, k), f32.mul(f32.load(i32.add(i32.add(w, i), i32.mul(row, k))), s)))),
            );
          });
          f.if(bias, () => f.set(sums, v.add(sums, v.load(i32.add(bias, i32.shl(n, 2))))));
          f.storeV(i32.add(out, i32.shl(n, 2)), applyActivation(sums, act));
        },
        () =>
          // the last N mod 4 rows, one at a time
          f.for(r, n, N, 1, () => {
            f.set(s, f32.const(0));
            f.set(w, i32.add(W, i32.mul(r, row)));
            f.for(i, 0, row, 4, () => f.set(s, f32.add(s, f32.mul(f32.load(i32.add(w, i)), f32.load(i32.add(x, i))))));
            f.if(bias, () => f.set(s, f32.add(s, f32.load(i32.add(bias, i32.shl(r, 2))))));
            f.storeF32(i32.add(out, i32.shl(r, 2)), v.lane(applyActivation(v.splat(s), act), 0));
          }),
      );
    });
  });
}
