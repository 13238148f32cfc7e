// Imports only go down (docs/ARCHITECTURE.md), checked over the real import graph of the
// source tree: every `import`/`export … from`, `import()` and `require()` of every .ts
// file of the product's rooms, resolved to a file. Two rules:
//   1. a room imports only the rooms below it (the table `below`); the client, at the
//      top, reads the server's and the run view's protocols and nothing else of theirs;
//   2. no cycle of files, through imports that exist at run time (`import type` is
//      erased by the compiler, so a type may be named in both directions).

import * as assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(__dirname, "..", "..", "..");

/** each room and the rooms it may import, lowest first */
const below: Record<string, string[]> = {
  grammar: [],
  analysis: ["grammar"],
  engine: ["grammar", "analysis"],
  diagram: ["grammar", "analysis"],
  cli: ["grammar", "analysis", "engine", "diagram"],
  server: ["grammar", "analysis", "diagram"],
  webview: ["grammar", "analysis", "engine"],
  client: ["grammar", "analysis", "engine", "diagram", "server/protocol.ts", "webview/protocol.ts"],
};
const rooms = Object.keys(below);

interface Import {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function resolveImport(fromFile: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null; // a package
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  throw new Error(`${relative(root, fromFile)}: cannot resolve the import "${spec}"`);
}

/** the file's imports; comments are blanked first (keeping line numbers), strings are left alone */
export function importsOf(file: string, text: string): Import[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/(^|[^:"'`\\])\/\/[^\n]*/g, "$1");
  const found: Import[] = [];
  const add = (spec: string, at: number, typeOnly: boolean) => {
    const to = resolveImport(file, spec);
    if (to) found.push({ from: file, to, line: code.slice(0, at).split("\n").length, typeOnly });
  };
  // import … from "x"; import "x"; export … from "x" (`type` marks the erased ones)
  const statement = /(^|[;\n}])\s*(import|export)\s+(type\s+)?([^;"'`]*?\s+from\s+)?["']([^"']+)["']/g;
  for (let m: RegExpExecArray | null; (m = statement.exec(code)); ) {
    if (m[2] === "export" && !m[4]) continue; // `export "x"` is not a thing; `export const …` has no from
    const names = m[4] ?? "";
    // `import { type A, type B } from` is erased too when every name is a type
    const braced = /^\s*\{([^}]*)\}\s+from\s+$/.exec(names);
    const allTypes = braced !== null && braced[1].split(",").map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith("type "));
    const rest = m[0].slice(m[1].length);
    add(m[5], m.index + m[0].length - rest.trimStart().length, !!m[3] || allTypes);
  }
  for (const m of code.matchAll(/\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g)) add(m[1], m.index!, false);
  return found;
}

function roomOf(file: string): string | null {
  const rel = relative(root, file).split("\\").join("/");
  const top = rel.split("/")[0];
  return rooms.includes(top) ? top : null;
}

function allowed(fromRoom: string, to: string): boolean {
  const rel = relative(root, to).split("\\").join("/");
  const toRoom = rel.split("/")[0];
  if (toRoom === fromRoom) return true;
  return below[fromRoom].some((r) => r === toRoom || r === rel);
}

/** strongly connected components with more than one file (or a file importing itself), Tarjan's */
function cycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(component.map((f) => relative(root, f)).sort());
    }
  };
  for (const v of edges.keys()) if (!indexOf.has(v)) visit(v);
  return out;
}

describe("imports only go down", () => {
  const files = rooms.flatMap((r) => (existsSync(join(root, r)) ? sourceFiles(join(root, r)) : []));
  const imports = files.flatMap((f) => importsOf(f, readFileSync(f, "utf8")));

  it("the graph is read: every room has files, and imports between rooms are found", () => {
    for (const r of rooms) assert.ok(files.some((f) => roomOf(f) === r), `no .ts files in ${r}/`);
    const engineToAnalysis = imports.filter((i) => roomOf(i.from) === "engine" && roomOf(i.to) === "analysis");
    assert.ok(engineToAnalysis.length > 5, "the engine's imports of the analysis are seen");
    assert.ok(imports.some((i) => i.typeOnly) && imports.some((i) => !i.typeOnly));
  });

  it("each room imports only the rooms below it", () => {
    const upward = imports
      .filter((i) => !allowed(roomOf(i.from)!, i.to))
      .map((i) => `${relative(root, i.from)}:${i.line} imports ${relative(root, i.to)}`);
    assert.deepEqual(upward, [], `imports that go up or sideways (allowed: ${JSON.stringify(below)})`);
  });

  it("no cycle among the files (imports that exist at run time)", () => {
    const edges = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const i of imports) if (!i.typeOnly) edges.get(i.from)!.push(i.to);
    assert.deepEqual(cycles(edges), []);
  });

  it("the reader sees what it must: type-only imports, re-exports, dynamic imports, and not comments", () => {
    const file = join(root, "engine", "x.ts");
    const text = [
      'import type { A } from "../analysis/types";',
      'import { type B, type C } from "../analysis/types";',
      'import { D, type E } from "../analysis/format";',
      'export { F } from "./run";',
      "// import { G } from \"../client/extension\";",
      "/* import { H } from \"../server/start\"; */",
      'const m = await import("./reference");',
    ].join("\n");
    const seen = importsOf(file, text).map((i) => [relative(root, i.to), i.line, i.typeOnly]);
    assert.deepEqual(seen, [
      ["analysis/types.ts", 1, true],
      ["analysis/types.ts", 2, true],
      ["analysis/format.ts", 3, false],
      ["engine/run.ts", 4, false],
      ["engine/reference.ts", 7, false],
    ]);
  });
});
