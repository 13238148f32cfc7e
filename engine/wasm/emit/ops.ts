// The instructions the kernels use, grouped by value type (opcodes: WebAssembly core
// spec §5.4, SIMD and relaxed-SIMD proposals). Only what some kernel needs is here.

import { Expr, expr, f32c, i32c, load, op, simd, type Value } from "./expr";

const bin = (code: number) => (a: Value, b: Value) => op("i32", "i32", code, a, b);
const fbin = (code: number) => (a: Value, b: Value) => op("f32", "f32", code, a, b);
const fcmp = (code: number) => (a: Value, b: Value) => op("i32", "f32", code, a, b);
const vbin = (code: number) => (a: Value, b: Value) => simd("v128", code, [a, b]);
const vun = (code: number) => (a: Value) => simd("v128", code, [a]);

export const i32 = {
  const: i32c,
  add: bin(0x6a),
  sub: bin(0x6b),
  mul: bin(0x6c),
  divS: bin(0x6d),
  divU: bin(0x6e),
  remS: bin(0x6f),
  remU: bin(0x70),
  and: bin(0x71),
  or: bin(0x72),
  shl: bin(0x74),
  shrS: bin(0x75),
  shrU: bin(0x76),
  eq: bin(0x46),
  ne: bin(0x47),
  ltS: bin(0x48),
  gtS: bin(0x4a),
  leS: bin(0x4c),
  geS: bin(0x4e),
  ltU: bin(0x49),
  geU: bin(0x4f),
  eqz: (a: Value) => op("i32", "i32", 0x45, a),
  minS: (a: Value, b: Value) => select(a, b, i32.ltS(a, b)),
  maxS: (a: Value, b: Value) => select(a, b, i32.gtS(a, b)),
  load: (addr: Value, offset = 0) => load("i32", 0x28, 2, addr, offset),
  /** one byte, zero-extended */
  load8: (addr: Value, offset = 0) => load("i32", 0x2d, 0, addr, offset),
  truncF32: (a: Value) => op("i32", "f32", 0xa8, a),
  reinterpret: (a: Value) => op("i32", "f32", 0xbc, a),
};

export const f32 = {
  const: f32c,
  add: fbin(0x92),
  sub: fbin(0x93),
  mul: fbin(0x94),
  div: fbin(0x95),
  min: fbin(0x96),
  max: fbin(0x97),
  sqrt: (a: Value) => op("f32", "f32", 0x91, a),
  floor: (a: Value) => op("f32", "f32", 0x8e, a),
  abs: (a: Value) => op("f32", "f32", 0x8b, a),
  neg: (a: Value) => op("f32", "f32", 0x8c, a),
  eq: fcmp(0x5b),
  ne: fcmp(0x5c),
  lt: fcmp(0x5d),
  gt: fcmp(0x5e),
  ge: fcmp(0x60),
  fromI32: (a: Value) => op("f32", "i32", 0xb2, a),
  reinterpret: (a: Value) => op("f32", "i32", 0xbe, a),
  load: (addr: Value, offset = 0) => load("f32", 0x2a, 2, addr, offset),
};

/** select(a, b, cond): a when cond ≠ 0, else b */
export function select(a: Value, b: Value, cond: Value): Expr {
  const [ea, eb, ec] = [expr(a), expr(b), expr(cond)];
  return new Expr(ea.type, (out) => {
    ea.write(out);
    eb.write(out);
    ec.write(out);
    if (ea.type === "v128") out.push(0x1c, 1, 0x7b);
    else out.push(0x1b);
  });
}

/** f32x4 lanes and whole-v128 operations */
export const v = {
  load: (addr: Value, offset = 0) => load("v128", 0x00, 4, addr, offset, true),
  splatLoad: (addr: Value, offset = 0) => load("v128", 0x09, 2, addr, offset, true),
  splat: (a: Value) => simd("v128", 0x13, [a]),
  const: (x: number) => v.splat(f32c(x)),
  i32splat: (a: Value) => simd("v128", 0x11, [a]),
  lane: (a: Value, i: number) => simd("f32", 0x1f, [a], [i]),
  replace: (a: Value, i: number, x: Value) => simd("v128", 0x20, [a, x], [i]),
  shuffle: (a: Value, b: Value, lanes32: number[]) =>
    simd("v128", 0x0d, [a, b], lanes32.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  add: vbin(0xe4),
  sub: vbin(0xe5),
  mul: vbin(0xe6),
  div: vbin(0xe7),
  min: vbin(0xe8),
  max: vbin(0xe9),
  /** pmax/pmin: b < a ? a : b — one instruction on x86, NaN-propagation aside */
  pmax: vbin(0xeb),
  pmin: vbin(0xea),
  abs: vun(0xe0),
  neg: vun(0xe1),
  sqrt: vun(0xe3),
  floor: vun(0x68),
  nearest: vun(0x6a),
  ne: vbin(0x42),
  lt: vbin(0x43),
  gt: vbin(0x44),
  and: vbin(0x4e),
  or: vbin(0x50),
  xor: vbin(0x51),
  bitselect: (a: Value, b: Value, mask: Value) => simd("v128", 0x52, [a, b, mask]),
  /** 1 when any bit of a is set, else 0 (v128.any_true) */
  anyTrue: (a: Value) => simd("i32", 0x53, [a]),
  i32add: vbin(0xae),
  i32mul: vbin(0xb5),
  i32min: vbin(0xb6),
  i32max: vbin(0xb8),
  i32const: (lanes: [number, number, number, number]) =>
    simd("v128", 0x0c, [], lanes.flatMap((x) => [x & 255, (x >> 8) & 255, (x >> 16) & 255, (x >>> 24) & 255])),
  i32sub: vbin(0xb1),
  /** lanes a < b as unsigned i32 (all ones or zero): 0 ≤ a < b for a signed a and b ≥ 0 */
  i32ltU: vbin(0x3a),
  i32shl: (a: Value, n: Value) => simd("v128", 0xab, [a, n]),
  truncToI32: vun(0xf8),
  fromI32: vun(0xfa),
  /** a·b + c; fused (one rounding) only in the relaxed variant */
  madd: (a: Value, b: Value, c: Value, relaxed: boolean) =>
    relaxed ? simd("v128", 0x105, [a, b, c]) : v.add(v.mul(a, b), c),
};
