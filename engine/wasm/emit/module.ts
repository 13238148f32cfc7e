// A module: an imported memory (the executor owns it and grows it), functions, and
// the exports JS calls. toBytes() writes the binary format directly, so no assembler
// or compiler is needed at build or install time — the kernels are TypeScript that
// writes WebAssembly, in Node and in a browser Worker alike.

import { name, section, unsigned, type Bytes } from "./bytes";
import { typeCode, type ValType } from "./expr";
import { Func } from "./func";

/** the most pages a 32-bit WebAssembly memory can have (4 GiB) */
export const MAX_PAGES = 65536;

export class Module {
  private readonly funcs: Func[] = [];
  private readonly exported = new Set<Func>();

  /** declares a function (callable before its body is written) */
  func(fname: string, params: ValType[], results: ValType[] = [], body?: (f: Func) => void, exported = true): Func {
    const f = new Func(fname, this.funcs.length, params, results);
    this.funcs.push(f);
    if (exported) this.exported.add(f);
    if (body) body(f);
    return f;
  }

  /**
   * The binary module. `shared`: the imported memory is a shared one (worker threads run
   * the same kernels on it); a shared memory must declare its maximum, here the most a
   * 32-bit memory can be (4 GiB), so any shared memory of at most that size fits.
   */
  toBytes(options: { shared?: boolean } = {}): Uint8Array<ArrayBuffer> {
    const out: Bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    // types: one per distinct signature
    const sigs: string[] = [];
    const sigOf = (f: Func) => `${f.paramTypes.join(",")}>${f.resultTypes.join(",")}`;
    for (const f of this.funcs) if (!sigs.includes(sigOf(f))) sigs.push(sigOf(f));
    const types: Bytes = [];
    unsigned(types, sigs.length);
    for (const s of sigs) {
      const [p, r] = s.split(">").map((x) => (x ? (x.split(",") as ValType[]) : []));
      types.push(0x60);
      unsigned(types, p.length);
      for (const t of p) types.push(typeCode[t]);
      unsigned(types, r.length);
      for (const t of r) types.push(typeCode[t]);
    }
    section(out, 1, types);
    // import env.memory: at least 1 page, no maximum (the executor's memory may have one);
    // shared: limits flag 3 (shared, with maximum) and 65536 pages
    const imports: Bytes = [];
    unsigned(imports, 1);
    name(imports, "env");
    name(imports, "memory");
    imports.push(0x02, options.shared ? 0x03 : 0x00);
    unsigned(imports, 1);
    if (options.shared) unsigned(imports, MAX_PAGES);
    section(out, 2, imports);
    const fsec: Bytes = [];
    unsigned(fsec, this.funcs.length);
    for (const f of this.funcs) unsigned(fsec, sigs.indexOf(sigOf(f)));
    section(out, 3, fsec);
    const exps: Bytes = [];
    unsigned(exps, this.exported.size);
    for (const f of this.exported) {
      name(exps, f.name);
      exps.push(0x00);
      unsigned(exps, f.index);
    }
    section(out, 7, exps);
    const code: Bytes = [];
    unsigned(code, this.funcs.length);
    for (const f of this.funcs) {
      const body = f.encode();
      unsigned(code, body.length);
      for (const b of body) code.push(b);
    }
    section(out, 10, code);
    return new Uint8Array(out);
  }
}
