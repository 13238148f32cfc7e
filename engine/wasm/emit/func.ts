// One function under construction: parameters, locals, and a body written as
// statements with structured control flow (labels are tracked, so kernels never
// count branch depths by hand).

import { unsigned, type Bytes } from "./bytes";
import { Expr, Local, expr, memarg, typeCode, type ValType, type Value } from "./expr";
import { i32 } from "./ops";

export interface Label {
  readonly depth: number;
}

export class Func {
  readonly body: Bytes = [];
  readonly params: Local[];
  private readonly localTypes: ValType[] = [];
  private depth = 0;

  constructor(
    readonly name: string,
    readonly index: number,
    readonly paramTypes: ValType[],
    readonly resultTypes: ValType[],
  ) {
    this.params = paramTypes.map((t, i) => new Local(i, t));
  }

  local(type: ValType): Local {
    this.localTypes.push(type);
    return new Local(this.paramTypes.length + this.localTypes.length - 1, type);
  }

  i32(init?: Value): Local {
    const l = this.local("i32");
    if (init !== undefined) this.set(l, init);
    return l;
  }

  f32(init?: Value): Local {
    const l = this.local("f32");
    if (init !== undefined) this.set(l, init);
    return l;
  }

  v128(init?: Value): Local {
    const l = this.local("v128");
    if (init !== undefined) this.set(l, init);
    return l;
  }

  set(l: Local, v: Value): void {
    const e = expr(v);
    if (e.type !== l.type) throw new Error(`emitter: ${this.name}: setting a ${l.type} local to ${e.type}`);
    e.write(this.body);
    this.body.push(0x21);
    unsigned(this.body, l.index);
  }

  /** l += n (i32) */
  inc(l: Local, n: Value = 1): void {
    this.set(l, i32.add(l, n));
  }

  private store(code: number, align: number, addr: Value, value: Value, offset: number, prefix = false): void {
    expr(addr).write(this.body);
    expr(value).write(this.body);
    if (prefix) {
      this.body.push(0xfd);
      unsigned(this.body, code);
    } else this.body.push(code);
    memarg(this.body, align, offset);
  }

  storeI32(addr: Value, value: Value, offset = 0): void {
    this.store(0x36, 2, addr, value, offset);
  }

  storeF32(addr: Value, value: Value, offset = 0): void {
    this.store(0x38, 2, addr, value, offset);
  }

  storeV(addr: Value, value: Value, offset = 0): void {
    this.store(0x0b, 4, addr, value, offset, true);
  }

  /**
   * Loads the byte at addr and drops it: brings its cache line in ahead of use (WebAssembly
   * has no prefetch instruction; V8 keeps the load, which may trap)
   */
  touch(addr: Value, offset = 0): void {
    expr(i32.load8(addr, offset)).write(this.body);
    this.body.push(0x1a);
  }

  /** memory.copy dst ← src, n bytes (bulk memory) */
  copy(dst: Value, src: Value, n: Value): void {
    for (const a of [dst, src, n]) expr(a).write(this.body);
    this.body.push(0xfc, 10, 0, 0);
  }

  /** memory.fill dst with byte, n bytes */
  fill(dst: Value, byte: Value, n: Value): void {
    for (const a of [dst, byte, n]) expr(a).write(this.body);
    this.body.push(0xfc, 11, 0);
  }

  call(fn: Func, ...args: Value[]): void {
    if (fn.resultTypes.length) throw new Error(`emitter: ${fn.name} returns a value: use callValue`);
    this.writeCall(fn, args);
  }

  callValue(fn: Func, ...args: Value[]): Expr {
    return new Expr(fn.resultTypes[0], (out) => {
      for (const a of args) expr(a).write(out);
      out.push(0x10);
      unsigned(out, fn.index);
    });
  }

  private writeCall(fn: Func, args: Value[]): void {
    if (args.length !== fn.paramTypes.length) throw new Error(`emitter: ${fn.name} takes ${fn.paramTypes.length} arguments`);
    for (const a of args) expr(a).write(this.body);
    this.body.push(0x10);
    unsigned(this.body, fn.index);
  }

  returnValue(v: Value): void {
    expr(v).write(this.body);
    this.body.push(0x0f);
  }

  ret(): void {
    this.body.push(0x0f);
  }

  block(inner: (exit: Label) => void): void {
    this.body.push(0x02, 0x40);
    this.depth++;
    inner({ depth: this.depth });
    this.depth--;
    this.body.push(0x0b);
  }

  loop(inner: (again: Label) => void): void {
    this.body.push(0x03, 0x40);
    this.depth++;
    inner({ depth: this.depth });
    this.depth--;
    this.body.push(0x0b);
  }

  if(cond: Value, then: () => void, otherwise?: () => void): void {
    expr(cond).write(this.body);
    this.body.push(0x04, 0x40);
    this.depth++;
    then();
    if (otherwise) {
      this.body.push(0x05);
      otherwise();
    }
    this.depth--;
    this.body.push(0x0b);
  }

  br(label: Label): void {
    this.body.push(0x0c);
    unsigned(this.body, this.depth - label.depth);
  }

  brIf(label: Label, cond: Value): void {
    expr(cond).write(this.body);
    this.body.push(0x0d);
    unsigned(this.body, this.depth - label.depth);
  }

  /** for (v = start; v < end; v += step) — signed comparison; the body may be empty of iterations */
  for(v: Local, start: Value, end: Value, step: Value, body: () => void): void {
    this.set(v, start);
    this.if(i32.ltS(v, end), () =>
      this.loop((again) => {
        body();
        this.inc(v, step);
        this.brIf(again, i32.ltS(v, end));
      }),
    );
  }

  /** the function's code entry: locals (run-length by type) and body */
  encode(): Bytes {
    const out: Bytes = [];
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    unsigned(out, runs.length);
    for (const [n, t] of runs) {
      unsigned(out, n);
      out.push(typeCode[t]);
    }
    for (const b of this.body) out.push(b);
    out.push(0x0b);
    return out;
  }
}
