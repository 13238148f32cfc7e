// Element-wise kernels over whole volumes, four lanes at a time: the activations that
// are not fused into a convolution, batch norm as a per-channel affine map, the sum of
// two volumes, and softmax over the depth. WebAssembly has no exp: exp4 is Cephes'
// expf (range reduction by ln 2, degree-6 polynomial, 2ⁿ built in the exponent bits),
// within 2 ulp of Math.exp over the float range.

import type { Func } from "../emit/func";
import type { Module } from "../emit/module";
import { f32, i32, v } from "../emit/ops";
import type { Expr, Value } from "../emit/expr";
import { applyActivation } from "./gemm";
import { emitKernel } from "../signatures";

/** activation codes of `activate` (0–2 are the fused ones of gemm.ts) */
export const ActivationCode: Record<string, number> = {
  relu: 1,
  relu6: 2,
  leakyrelu: 3,
  elu: 4,
  sigmoid: 5,
  tanh: 6,
  silu: 7,
  gelu: 8,
  hardswish: 9,
  hardsigmoid: 10,
};

/**
 * exp of four lanes written into the calling function (its own locals): the body of
 * `exp4`, the same operations in the same order, so the same bits — without a call,
 * which in V8 spills every live vector around it and keeps the loop's iterations from
 * overlapping (sigmoid over LeNet's 6×14×14: 3.1 → 1.2 µs).
 */
export function expInline(f: Func, x0: Value): Expr {
  // clamped with pmin/pmax (one instruction each; a NaN stays NaN: pmin(x, c) is x unless c < x)
  const x = f.v128(v.pmax(v.pmin(x0, v.const(88.3762626647949)), v.const(-87.3365447504)));
  // n = x·log₂e rounded to nearest even by adding 1.5·2²³ (what `nearest` gives, |n| ≤ 127),
  // whose low bits are then n itself: 2ⁿ's exponent field without a float → int conversion
  const t = f.v128(v.add(v.mul(x, v.const(1.44269504088896341)), v.const(MAGIC)));
  const n = f.v128(v.sub(t, v.const(MAGIC)));
  f.set(x, v.sub(v.sub(x, v.mul(n, v.const(0.693359375))), v.mul(n, v.const(-2.12194440e-4))));
  const z = f.v128(v.mul(x, x));
  let p = v.const(1.9875691500e-4);
  for (const c of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) p = v.add(v.mul(p, x), v.const(c));
  const y = v.add(v.add(v.mul(p, z), x), v.const(1));
  // bits(t) = bits(1.5·2²³) + n, whose own exponent bits shift out past bit 31
  const scale = v.i32shl(v.i32add(t, v.i32splat(127)), 23);
  return v.mul(y, scale);
}

/** 1.5·2²³: a float this large has integer steps, and adding it rounds to nearest even */
const MAGIC = 12582912;

export function emitElementwise(m: Module) {
  const exp4 = m.func("exp4", ["v128"], ["v128"], (f) => f.returnValue(expInline(f, f.params[0])), false);
  const erf4 = m.func(
    "erf4",
    ["v128"],
    ["v128"],
    (f) => {
      // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), odd symmetry by the sign bit
      const [x] = f.params;
      const a = f.v128(v.abs(x));
      const t = f.v128(v.div(v.const(1), v.add(v.const(1), v.mul(v.const(0.3275911), a))));
      let p = v.const(1.061405429);
      for (const c of [-1.453152027, 1.421413741, -0.284496736, 0.254829592]) p = v.add(v.mul(p, t), v.const(c));
      const y = v.sub(v.const(1), v.mul(v.mul(p, t), f.callValue(exp4, v.neg(v.mul(a, a)))));
      f.returnValue(v.or(y, v.and(x, v.const(-0))));
    },
    false,
  );

  const sigmoid = (f: Func, x: Value) => v.div(v.const(1), v.add(v.const(1), expInline(f, v.neg(x))));

  // activate(dst, src, n, code, alpha): n floats (rounded up to 4; dst may be src)
  const activate = emitKernel(m, "activate", (f, p) => {
    const { dst, src, count: n, code, alpha } = p;
    const end = f.i32(i32.add(src, i32.shl(n, 2)));
    const x = f.v128();
    const a = f.v128(v.splat(alpha));
    const kinds: [number, () => void][] = [
      [1, () => f.storeV(dst, v.pmax(v.const(0), x))],
      [2, () => f.storeV(dst, v.pmin(v.const(6), v.pmax(v.const(0), x)))],
      [3, () => f.storeV(dst, v.bitselect(x, v.mul(x, a), v.gt(x, v.const(0))))],
      [4, () => f.storeV(dst, v.bitselect(x, v.mul(a, v.sub(expInline(f, x), v.const(1))), v.gt(x, v.const(0))))],
      [5, () => f.storeV(dst, sigmoid(f, x))],
      [6, () => f.storeV(dst, v.sub(v.const(1), v.div(v.const(2), v.add(expInline(f, v.add(x, x)), v.const(1)))))],
      [7, () => f.storeV(dst, v.mul(x, sigmoid(f, x)))],
      [8, () => f.storeV(dst, v.mul(v.mul(v.const(0.5), x), v.add(v.const(1), f.callValue(erf4, v.mul(x, v.const(Math.SQRT1_2))))))],
      [9, () => f.storeV(dst, v.div(v.mul(x, v.pmin(v.const(6), v.pmax(v.const(0), v.add(x, v.const(3))))), v.const(6)))],
      [10, () => f.storeV(dst, v.div(v.pmin(v.const(6), v.pmax(v.const(0), v.add(x, v.const(3)))), v.const(6)))],
    ];
    for (const [k, body] of kinds)
      f.if(i32.eq(code, k), () =>
        f.for(src, src, end, 16, () => {
          f.set(x, v.load(src));
          body();
          f.inc(dst, 16);
        }),
      );
  });

  // affine(dst, src, scale, shift, C, plane, act): batch norm folded to y = x·scale[c] + shift[c]
  const affine = emitKernel(m, "affine", (f, p) => {
    const { dst, src, scale, shift, channels: C, plane, act } = p;
    const c = f.i32();
    const i = f.i32();
    const k = f.v128();
    const b = f.v128();
    const bytes = f.i32(i32.shl(plane, 2));
    f.for(c, 0, C, 1, () => {
      f.set(k, v.splatLoad(i32.add(scale, i32.shl(c, 2))));
      f.set(b, v.splatLoad(i32.add(shift, i32.shl(c, 2))));
      // whole vectors, then the plane's last lanes one by one (planes are not 4-aligned)
      f.for(i, 0, i32.sub(bytes, 12), 16, () =>
        f.storeV(i32.add(dst, i), applyActivation(v.add(v.mul(v.load(i32.add(src, i)), k), b), act)),
      );
      f.for(i, i, bytes, 4, () =>
        f.storeF32(i32.add(dst, i), v.lane(applyActivation(v.add(v.mul(v.splatLoad(i32.add(src, i)), k), b), act), 0)),
      );
      f.inc(dst, bytes);
      f.inc(src, bytes);
    });
  });

  // add(dst, a, b, n, act): n floats rounded up to 4
  const add = emitKernel(m, "add", (f, p) => {
    const { dst, a, b, count: n, act } = p;
    const end = f.i32(i32.add(a, i32.shl(n, 2)));
    f.for(a, a, end, 16, () => {
      f.storeV(dst, applyActivation(v.add(v.load(a), v.load(b)), act));
      f.inc(b, 16);
      f.inc(dst, 16);
    });
  });

  // softmax(dst, src, C, plane): over the depth at every position (a vector: plane = 1)
  const softmax = emitKernel(m, "softmax", (f, args) => {
    const { dst, src, channels: C, plane } = args;
    const p = f.i32();
    const c = f.i32();
    const top = f.f32();
    const sum = f.f32();
    const e = f.f32();
    const stride = f.i32(i32.shl(plane, 2));
    const cell = (base: typeof src) => i32.add(base, i32.add(i32.shl(p, 2), i32.mul(c, stride)));
    f.for(p, 0, plane, 1, () => {
      f.set(c, 0);
      f.set(top, f32.load(cell(src)));
      f.for(c, 0, C, 1, () => f.set(top, f32.max(top, f32.load(cell(src)))));
      f.set(sum, f32.const(0));
      f.for(c, 0, C, 1, () => {
        f.set(e, v.lane(f.callValue(exp4, v.splat(f32.sub(f32.load(cell(src)), top))), 0));
        f.storeF32(cell(dst), e);
        f.set(sum, f32.add(sum, e));
      });
      f.for(c, 0, C, 1, () => f.storeF32(cell(dst), f32.div(f32.load(cell(dst)), sum)));
    });
  });
  return { exp4, activate, affine, add, softmax };
}
