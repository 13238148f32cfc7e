// Typed expressions of the emitter: each knows its value type and writes its own
// instructions (operands first, as the stack machine wants). Kernels are written with
// these instead of text so that loops can be unrolled and specialised in TypeScript.

import { float32, signed, unsigned, type Bytes } from "./bytes";

export type ValType = "i32" | "f32" | "v128";

export const typeCode: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

export class Expr {
  constructor(
    readonly type: ValType,
    readonly write: (out: Bytes) => void,
  ) {}
}

export class Local {
  constructor(
    readonly index: number,
    readonly type: ValType,
  ) {}
}

/** a number is an i32 constant */
export type Value = Expr | Local | number;

export function expr(v: Value): Expr {
  if (typeof v === "number") return i32c(v);
  if (v instanceof Local) return new Expr(v.type, (out) => (out.push(0x20), unsigned(out, v.index)));
  return v;
}

export function i32c(n: number): Expr {
  return new Expr("i32", (out) => (out.push(0x41), signed(out, n)));
}

export function f32c(n: number): Expr {
  return new Expr("f32", (out) => (out.push(0x43), float32(out, n)));
}

function check(v: Expr, type: ValType, what: string): void {
  if (v.type !== type) throw new Error(`emitter: ${what} wants ${type}, got ${v.type}`);
}

/** a plain opcode over typed operands */
export function op(result: ValType, operand: ValType, code: number, ...args: Value[]): Expr {
  const es = args.map(expr);
  es.forEach((e) => check(e, operand, `opcode 0x${code.toString(16)}`));
  return new Expr(result, (out) => {
    for (const e of es) e.write(out);
    out.push(code);
  });
}

/** a SIMD (0xfd-prefixed) opcode; `tail` are immediates written after it */
export function simd(result: ValType, code: number, args: Value[], tail: number[] = []): Expr {
  const es = args.map(expr);
  return new Expr(result, (out) => {
    for (const e of es) e.write(out);
    out.push(0xfd);
    unsigned(out, code);
    for (const b of tail) out.push(b);
  });
}

/** memarg: alignment exponent then offset */
export function memarg(out: Bytes, align: number, offset: number): void {
  unsigned(out, align);
  unsigned(out, offset);
}

export function load(type: ValType, code: number, align: number, addr: Value, offset: number, prefix = false): Expr {
  const a = expr(addr);
  check(a, "i32", "address");
  return new Expr(type, (out) => {
    a.write(out);
    if (prefix) {
      out.push(0xfd);
      unsigned(out, code);
    } else out.push(code);
    memarg(out, align, offset);
  });
}
