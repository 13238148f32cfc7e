// Incremental analysis (issue 14 item 3): analyze(text, …, previous) must give exactly
// what analyze(text) gives — every field — for any edit. Differential: random documents
// and random sequences of edits (grammar-aware ones — a line added, removed or changed,
// an option, a block's body, a label renamed, `input` added or removed, braces — and raw
// character edits), each analysis made from the one before (a chain, as the server
// makes them), compared field by field with a fresh analysis of the same text.

import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { analyze, type Analysis } from "../../analysis";
import { cleanBaseLimits, reuseCounts } from "../../analysis/analyze";
import { Elaborator } from "../../analysis/elaborate";
import { Recorder } from "../../analysis/elaborate/graph";
import { OccurrenceMap } from "../../analysis/elaborate/occurrences";
import { parse, reparse } from "../../grammar";
import { moved, movedItem } from "../../grammar/incremental";
import { cnnText } from "../support/arbitraries";
import { readdirSync, readFileSync } from "node:fs";
import type { IToken } from "chevrotain";
import { join } from "node:path";

const root = join(__dirname, "..", "..", "..");

/** A value as plain data: functions (a layer's `explain`) by what they give, maps as entries. */
function data(x: unknown, path: unknown[] = []): unknown {
  if (typeof x === "function") return { called: data((x as () => unknown)(), path) };
  if (x === null || typeof x !== "object") return x;
  if (path.includes(x)) return "<cycle>";
  const inner = [...path, x];
  if (x instanceof Map) return [...x.entries()].map(([k, v]) => [data(k, inner), data(v, inner)]);
  if (Array.isArray(x)) return x.map((v) => data(v, inner));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(x)) {
    const v = (x as Record<string, unknown>)[key];
    // a node's, frame's or occurrence's statement: by where it is (the statements themselves are compared in \`file\`)
    out[key] = key === "span" && v && typeof v === "object" ? spanOf(v as { start: number; end: number; type?: string }) : data(v, inner);
  }
  return out;
}

const spanOf = (s: { start: number; end: number; type?: string }) => ({ start: s.start, end: s.end, type: s.type });
const tokensOf = (tokens: IToken[]) => tokens.map((t) => ({ image: t.image, type: t.tokenType.name, start: t.startOffset, end: t.endOffset }));

/** What an analysis is, as plain data (the tokens' types by name; without them, its tokens are not read). */
function plain(a: Analysis, withTokens = true) {
  return data({
    text: a.text,
    fileName: a.fileName,
    diagnostics: a.diagnostics,
    networks: a.networks,
    blocks: a.blocks,
    occurrences: [...a.occurrences.entries()],
    unrecordedUses: [...a.unrecordedUses.entries()],
    references: a.references,
    work: a.work,
    file: a.parse.file,
    errors: a.parse.errors,
    comments: a.parse.comments,
    tokens: withTokens ? tokensOf(a.parse.tokens) : null,
  }) as Record<string, unknown>;
}

/** The same, field by field (`withTokens` false: the incremental analysis' tokens are left unread, as the server leaves them). */
function same(incremental: Analysis, fresh: Analysis, context: string, withTokens = true) {
  const x = plain(incremental, withTokens);
  const y = plain(fresh, withTokens);
  for (const key of Object.keys(y)) {
    try {
      assert.deepStrictEqual(x[key], y[key]);
    } catch (error) {
      throw new Error(`${key} differs after ${context}:\n${(error as Error).message.slice(0, 3000)}`);
    }
  }
}

/** Lines of statements a document may gain. */
const statementLines = [
  "conv 8 3x3",
  "conv 16 3x3 pad 1",
  "conv 8 3x3 stride 2",
  "relu",
  "bn",
  "maxpool 2",
  "fc 10",
  "dropout 0.1",
  "rel",
  "conv 8 3x3 strid 2",
  "c9: conv 4 1x1",
  "layer1: repeat 2 { conv 8 3x3 pad 1; relu }",
  "repeat 2 {\n    conv 4 3x3 pad 1\n  }",
  "residual { conv 8 3x3 pad 1 } shortcut { conv 8 1x1 }",
  "concat { branch { conv 4 1x1 } branch { conv 4 3x3 pad 1 } }",
  "B0(8)",
  "B1(4)",
  "input 32x32x3",
  "input 28x28",
  "# a comment",
  "conv 8 3x3 # shape: (32 − 3)/1 + 1 — 生成",
  "a: relu; b2: bn",
  "",
];

/** A document made of blocks, networks and file-level statements, in any order. */
const documentText: fc.Arbitrary<string> = fc.oneof(
  cnnText({ maxBlocks: 3, maxRepeat: 4, maxStatements: 5 }),
  fc
    .tuple(
      fc.array(fc.constantFrom(...statementLines), { minLength: 0, maxLength: 6 }),
      fc.array(fc.constantFrom(...statementLines), { minLength: 0, maxLength: 8 }),
      fc.array(fc.constantFrom(...statementLines), { minLength: 0, maxLength: 8 }),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom("\n", "\r\n"),
    )
    .map(([top, net, block, networkFirst, withInput, eol]) => {
      const blockText = ["block B0(k) {", ...block.map((l) => `  ${l}`), "}", "block B1(k) { conv k 3x3 pad 1; relu }"];
      const netText = ["network N {", ...(withInput ? ["  input 32x32x3"] : []), ...net.map((l) => `  ${l}`), "}"];
      const lines = networkFirst ? [...netText, ...blockText, ...top] : [...blockText, ...netText, ...(top.length ? ["input 16x16x1", ...top] : [])];
      return lines.join("\n").replace(/\n/g, eol) + eol;
    }),
);

interface Edit {
  /** where, as a fraction of the text or of its lines */
  at: number;
  kind: "insert-line" | "remove-line" | "replace-line" | "option" | "rename" | "input" | "brace" | "char" | "delete" | "value" | "undo" | "typo";
  pick: number;
  text: string;
}

const editArb: fc.Arbitrary<Edit> = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  kind: fc.oneof(
    { weight: 7, arbitrary: fc.constantFrom<Edit["kind"]>("insert-line", "remove-line", "replace-line", "option", "rename", "input", "value", "typo") },
    { weight: 3, arbitrary: fc.constantFrom<Edit["kind"]>("brace", "char", "delete", "undo") },
  ),
  pick: fc.nat({ max: 1000 }),
  text: fc.oneof(
    fc.constantFrom(...statementLines),
    fc.string({ unit: fc.constantFrom("a", "x", "3", " ", "{", "}", "(", ")", "[", "]", ";", "#", ":", ".", "\n", "\r", "=", ",", "s", "—", "生", "\t") as fc.Arbitrary<string>, maxLength: 4 }),
  ),
});

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}

/** The edit applied (`undo`: back to the last text without a syntax error, as a typo is fixed). */
function apply(text: string, e: Edit, before: string, fromLine = 0): string {
  if (e.kind === "undo") return before;
  const starts = lineStarts(text);
  // (grammar-aware edits mostly go to a statement's line; any line else)
  const statementLinesAt = starts.map((_, i) => i).filter((i) => i >= fromLine && /^\s+[a-zA-Z]/.test(text.slice(starts[i], starts[i + 1] ?? text.length)));
  const line =
    e.pick % 5 !== 0 && statementLinesAt.length > 0 && !["char", "delete", "brace"].includes(e.kind)
      ? statementLinesAt[Math.floor(e.at * statementLinesAt.length)]
      : Math.min(starts.length - 1, Math.floor(e.at * starts.length));
  const ls = starts[line];
  const le = line + 1 < starts.length ? starts[line + 1] : text.length;
  const content = text.slice(ls, le).replace(/\r?\n$/, "");
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const indent = /^\s*/.exec(content)![0];
  const at = Math.min(text.length, Math.floor(e.at * (text.length + 1)));
  const splice = (s: number, t: number, x: string) => text.slice(0, s) + x + text.slice(t);
  switch (e.kind) {
    case "insert-line":
      return splice(ls, ls, `${indent || "  "}${statementLines[e.pick % statementLines.length].replace(/\n/g, eol)}${eol}`);
    case "remove-line":
      return splice(ls, le, "");
    case "replace-line":
      return splice(ls, ls + content.length, `${indent}${statementLines[e.pick % statementLines.length].replace(/\n/g, eol)}`);
    case "option": {
      const options = [" stride 2", " pad 1", " nobias", " floor", " groups 2", " strid 1"];
      const o = options[e.pick % options.length];
      const i = content.indexOf(o);
      return i >= 0 ? splice(ls + i, ls + i + o.length, "") : splice(ls + content.length, ls + content.length, o);
    }
    case "value": {
      // a number changed in place (the same length or not)
      const m = /\d+/.exec(content.slice(e.pick % Math.max(1, content.length)));
      if (!m) return splice(ls + content.length, ls + content.length, " 3");
      const i = content.indexOf(m[0], e.pick % Math.max(1, content.length));
      return splice(ls + i, ls + i + m[0].length, String((Number(m[0]) + 1 + (e.pick % 17)) % 70));
    }
    case "rename": {
      // a label or a block's name, everywhere or in one place
      const names = [...new Set(text.match(/\b[A-Za-z_][A-Za-z0-9_]*(?=:)|\bB\d\b/g) ?? [])];
      if (!names.length) return splice(ls + indent.length, ls + indent.length, "lab: ");
      const name = names[e.pick % names.length];
      const to = `${name}${e.pick % 3 === 0 ? "" : "x"}`;
      return e.pick % 2 ? text.replace(new RegExp(`\\b${name}\\b`, "g"), to) : text.replace(new RegExp(`\\b${name}\\b`), to === name ? `${name}2` : to);
    }
    case "input": {
      const i = text.indexOf("input ");
      if (i >= 0 && e.pick % 2) {
        const end = text.indexOf("\n", i);
        return splice(i, end < 0 ? text.length : end, e.pick % 4 === 1 ? "" : "relu");
      }
      return splice(ls, ls, `${indent || "  "}input ${8 + (e.pick % 3) * 8}x${8 + (e.pick % 3) * 8}x3${eol}`);
    }
    case "brace": {
      const braces = ["{", "}", " {", `${eol}}`, "{ relu }", "}{"];
      if (e.pick % 3 === 0) {
        const i = text.indexOf(e.pick % 2 ? "{" : "}", at);
        if (i >= 0) return splice(i, i + 1, "");
      }
      return splice(at, at, braces[e.pick % braces.length]);
    }
    case "typo": {
      // a syntax error typed on a statement's line, at its end or inside it (mostly its line's own)
      const typos = [" (", " 3x", " =", " [", " )", "(8", " $", "[1,", ":", " pad", " 2x", ",", " )("];
      const i = e.pick % 4 === 0 ? e.pick % Math.max(1, content.length) : content.replace(/\s+#.*$/, "").length;
      return splice(ls + i, ls + i, typos[e.pick % typos.length]);
    }
    case "char":
      return splice(at, at, e.text);
    case "delete":
      return splice(at, Math.min(text.length, at + 1 + (e.pick % 12)), "");
  }
}

describe("incremental analysis: the same as a fresh analysis, for every edit", function () {
  this.timeout(3_000_000);
  // resumes on small texts too, from checkpoints every few statements (the defaults: 100 and 32)
  const defaults = { every: Elaborator.checkpointEvery, from: Elaborator.resumableFrom, chunk: OccurrenceMap.chunkSize };
  before(() => {
    Elaborator.checkpointEvery = 3;
    Elaborator.resumableFrom = 0;
    // (the occurrences of a few statements fill several tables: a restore cuts across them)
    OccurrenceMap.chunkSize = 4;
    cleanBaseLimits.from = 0;
  });
  after(() => {
    Elaborator.checkpointEvery = defaults.every;
    Elaborator.resumableFrom = defaults.from;
    OccurrenceMap.chunkSize = defaults.chunk;
    cleanBaseLimits.from = 20_000;
  });
  let reused = 0;
  let edits = 0;
  let broken = 0;
  let reusedWithError = 0;

  it("random documents, random sequences of edits (a chain of analyses, each from the one before)", () => {
    reuseCounts.parses = 0;
    reuseCounts.resumes = 0;
    fc.assert(
      fc.property(documentText, fc.array(editArb, { minLength: 1, maxLength: 12 }), (start, list) => {
        let text = start;
        let before = start;
        let previous = analyze(text, "doc.cnn");
        if (process.env.INCREMENTAL_DEBUG && previous.parse.errors.length) console.log("start", JSON.stringify(text), previous.parse.errors[0].message);
        same(previous, analyze(text, "doc.cnn"), "the first analysis");
        for (const [n, e] of list.entries()) {
          const next = apply(text, e, before);
          const context = `edit ${n + 1} (${e.kind}) of ${JSON.stringify(text)} → ${JSON.stringify(next)}`;
          const r = reparse(previous.text, previous.parse, next);
          if (r) reused++;
          else if (previous.parse.errors.length > 0) broken++;
          if (r && r.result.errors.length > 0) reusedWithError++;
          edits++;
          const incremental = analyze(next, "doc.cnn", {}, previous);
          const fresh = analyze(next, "doc.cnn");
          // (the tokens read every third edit and at the end: between, a reparse reads the last one's unread — grammar/incremental.ts Reparsed)
          same(incremental, fresh, context, n % 3 === 2 || n === list.length - 1);
          previous = incremental;
          // (undo goes back to the last text without a syntax error: the typo fixed)
          if (fresh.parse.errors.length === 0) before = next;
          else if (process.env.INCREMENTAL_DEBUG && before === text) console.log(e.kind, JSON.stringify(next), fresh.parse.errors[0].message);
          text = next;
        }
      }),
      { numRuns: Number(process.env.INCREMENTAL_RUNS ?? 40), seed: process.env.INCREMENTAL_SEED ? Number(process.env.INCREMENTAL_SEED) : undefined },
    );
    // the test is only worth something if many edits took the incremental paths
    assert.ok(reused > edits / 5, `only ${reused} of ${edits} edits were parsed incrementally (${broken} after a text with a syntax error)`);
    // (a syntax error made by an edit is parsed in place: grammar/incremental.ts inPlace)
    assert.ok(reusedWithError > edits / 100, `only ${reusedWithError} of ${edits} edits that made a syntax error were parsed incrementally`);
    console.log(`      (${edits} edits: ${reuseCounts.parses} parsed incrementally, ${reusedWithError} of them making a syntax error, ${reuseCounts.resumes} elaborations resumed)`);
  });

  for (const rebuild of [null, false] as const) {
    it(`edits in a network's body below the blocks it uses (the elaboration resumed at the statement edited)${rebuild === false ? ", the occurrences at the checkpoint always taken back out of a copy" : ""}`, () => {
      Recorder.rebuildOccurrences = rebuild;
      const resumes = reuseCounts.resumes;
      let count = 0;
      const doc = fc
        .tuple(
          fc.array(fc.constantFrom(...statementLines), { minLength: 0, maxLength: 4 }),
          fc.array(fc.constantFrom(...statementLines.filter((l) => !l.startsWith("input"))), { minLength: 3, maxLength: 25 }),
          fc.constantFrom("input 32x32x3", "input 28x28", "conv 8 3x3"),
        )
        .map(([block, net, first]) => ["block B0(k) {", ...block.map((l) => `  ${l}`), "}", "block B1(k) { conv k 3x3 pad 1; relu }", "network N {", `  ${first}`, ...net.map((l) => `  ${l}`), "}", ""].join("\n"));
      fc.assert(
        fc.property(doc, fc.array(editArb, { minLength: 1, maxLength: 10 }), (start, list) => {
          let text = start;
          let before = start;
          let previous = analyze(text, "doc.cnn");
          const fromLine = text.split("\n").indexOf("network N {") + 2;
          for (const [n, e] of list.entries()) {
            const next = apply(text, e.kind === "char" || e.kind === "delete" || e.kind === "brace" ? { ...e, kind: "replace-line" } : e, before, fromLine);
            count++;
            const incremental = analyze(next, "doc.cnn", {}, previous);
            const fresh = analyze(next, "doc.cnn");
            same(incremental, fresh, `edit ${n + 1} (${e.kind}) of ${JSON.stringify(text)} → ${JSON.stringify(next)}`);
            previous = incremental;
            if (fresh.parse.errors.length === 0) before = next;
            text = next;
          }
        }),
        { numRuns: Number(process.env.INCREMENTAL_RUNS ?? 40), seed: process.env.INCREMENTAL_SEED ? Number(process.env.INCREMENTAL_SEED) : undefined },
      );
      Recorder.rebuildOccurrences = null;
      assert.ok(reuseCounts.resumes - resumes > count / 6, `only ${reuseCounts.resumes - resumes} of ${count} elaborations were resumed`);
    });
  }

  it("an edit of the last layer line of a long network reparses that line only, and resumes its elaboration", () => {
    const lines = ["network Big {", "  input 224x224x3"];
    for (let i = 0; i < 300; i++) lines.push(i % 2 ? "  relu" : `  c${i}: conv 16 3x3 pad 1   # keeps the size`);
    lines.push("}", "");
    const text = lines.join("\n");
    const at = text.lastIndexOf("relu") + 4;
    const next = text.slice(0, at) + " stride 2" + text.slice(at);
    const before = parse(text);
    const r = reparse(text, before, next)!;
    assert.ok(r, "reparsed");
    assert.equal(next.slice(r.start, r.end), "  relu stride 2\n");
    const net = r.result.file.items[0];
    const old = before.file.items[0];
    assert.ok(net.type === "network" && old.type === "network");
    // the statements before the edit are the previous parse's own
    assert.equal(net.body[100], old.body[100]);
    assert.equal(net.body.length, old.body.length);
    // (with the default checkpoints: the elaboration resumed near the end)
    Elaborator.checkpointEvery = defaults.every;
    Elaborator.resumableFrom = defaults.from;
    const resumes = reuseCounts.resumes;
    try {
      same(analyze(next, "big.cnn", {}, analyze(text, "big.cnn")), analyze(next, "big.cnn"), "the stride");
    } finally {
      Elaborator.checkpointEvery = 3;
      Elaborator.resumableFrom = 0;
    }
    assert.equal(reuseCounts.resumes, resumes + 1);
  });

  it("a syntax error typed in a long network, and fixed: the broken line reparsed alone, the elaboration resumed from the last clean text", () => {
    const lines = ["# top", "block B(k) { conv k 3x3 pad 1; relu }", "network Big {", "  input 64x64x3"];
    for (let i = 0; i < 400; i++) lines.push(i % 4 === 0 ? `  c${i}: conv 16 3x3 pad 1   # keeps the size` : i % 4 === 1 ? "  bn" : i % 4 === 2 ? "  B(16)" : "  relu");
    lines.push("}", "");
    const text = lines.join("\n");
    Elaborator.checkpointEvery = defaults.every;
    Elaborator.resumableFrom = defaults.from;
    try {
      for (const [where, line] of [["near the top", 12], ["in the middle", 204], ["at the last layer", 400]] as const) {
        for (const typed of [" (", " 3x", " =", " pad", "[1,", " )", " $", ":"]) {
          const at = text.split("\n").slice(0, line).join("\n").length + 1 + lines[line].replace(/\s+#.*$/, "").length;
          const broken = text.slice(0, at) + typed + text.slice(at);
          const fresh = analyze(broken, "big.cnn");
          assert.ok(fresh.parse.errors.length > 0, `${JSON.stringify(typed)} ${where}: no syntax error`);
          const clean = analyze(text, "big.cnn");
          const r = reparse(text, clean.parse, broken);
          const resumes = reuseCounts.resumes;
          const incremental = analyze(broken, "big.cnn", {}, clean);
          same(incremental, fresh, `${JSON.stringify(typed)} typed ${where}`);
          if (process.env.INCREMENTAL_DEBUG) console.log(where, JSON.stringify(typed), r ? "reparsed" : "whole", fresh.parse.errors[0].message);
          if (r) {
            assert.ok(r.end - r.start < 80, `${JSON.stringify(typed)} ${where}: ${r.end - r.start} characters reparsed`);
            assert.equal(reuseCounts.resumes, resumes + 1, `${JSON.stringify(typed)} ${where}: not resumed`);
          }
          // a second character typed while the error is on screen, then the line fixed: each from the last clean text
          const more = broken.slice(0, at + typed.length) + "x" + broken.slice(at + typed.length);
          const second = analyze(more, "big.cnn", {}, incremental);
          same(second, analyze(more, "big.cnn"), `${JSON.stringify(typed + "x")} typed ${where}`);
          const before = reuseCounts.resumes;
          same(analyze(text, "big.cnn", {}, second), clean, `${JSON.stringify(typed + "x")} ${where}, removed`);
          assert.equal(reuseCounts.resumes, before + 1, `${JSON.stringify(typed)} ${where}: the fix not resumed`);
        }
      }
      // most such errors stay on their line: reparsed alone
      let alone = 0;
      for (const typed of [" 3x", " =", " pad", "[1,", " )", " $", ":"]) {
        const at = text.indexOf("  bn\n", 2000) + 4;
        if (reparse(text, parse(text), text.slice(0, at) + typed + text.slice(at))) alone++;
      }
      assert.ok(alone >= 5, `${alone} of 7 reparsed alone`);
    } finally {
      Elaborator.checkpointEvery = 3;
      Elaborator.resumableFrom = 0;
    }
  });

  it("the previous analysis is left as it was (a run in progress may still read it)", () => {
    const text = "block B(k) { conv k 3x3 pad 1 }\nnetwork N {\n  input 8x8x1\n  B(4)\n  relu\n  fc 10\n}\n";
    const first = analyze(text, "n.cnn");
    const before = JSON.stringify(plain(first), (_, v) => (typeof v === "bigint" ? `${v}n` : v));
    const next = text.replace("  B(4)\n", "  B(4)\n  conv 2 1x1\n");
    analyze(next, "n.cnn", {}, first);
    assert.equal(JSON.stringify(plain(first), (_, v) => (typeof v === "bigint" ? `${v}n` : v)), before);
  });

  it("statements moved by an edit: the copy written out per kind of node is the generic walk's, on every example and fixture", () => {
    const files = ["examples", "test/fixtures"].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith(".cnn"))
        .map((f) => join(root, dir, f)),
    );
    assert.ok(files.length > 30, `${files.length} files`);
    let items = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const shifted = parse("\n".repeat(37) + text).file.items;
      for (const [k, item] of parse(text).file.items.entries()) {
        assert.deepStrictEqual(movedItem(item, 37), moved(item, 37), file);
        // the parser's keys in the parser's order (the copies then share its hidden classes: grammar/incremental.ts)
        assert.equal(JSON.stringify(movedItem(item, 37)), JSON.stringify(shifted[k]), file);
        items++;
      }
    }
    assert.ok(items > 100);
  });

  it("a reparse near the top: the moved statements and tokens are the fresh parse's, keys in the same order", () => {
    const lines = ["# top", "network Big {", "  input 64x64x3"];
    for (let i = 0; i < 60; i++) lines.push(i % 3 === 0 ? `  c${i}: conv 8 3x3 pad 1   # keeps the size` : i % 3 === 1 ? "  B(4) nobias" : "  concat { branch { conv 4 1x1 } branch { conv 4 [1, -2] } }");
    lines.push("}", 'block B(k, m = 2*k) { conv k 3x3 pad 1 init "x"; residual { relu } shortcut { bn } }', "");
    const text = lines.join("\n");
    const at = text.indexOf("pad 1") + "pad 1".length;
    const next = text.slice(0, at) + " stride 2" + text.slice(at);
    const r = reparse(text, parse(text), next);
    assert.ok(r && r.delta === 9, "reparsed");
    const fresh = parse(next);
    assert.equal(JSON.stringify(r.result.file), JSON.stringify(fresh.file));
    assert.equal(r.result.tokens.length, fresh.tokens.length);
    for (let i = 0; i < fresh.tokens.length; i++) assert.deepStrictEqual(Object.keys(r.result.tokens[i]), Object.keys(fresh.tokens[i]), `token ${i}`);
  });

  it("a long chain of reparses whose tokens nobody reads: made into one array at the end (and whenever the runs grow too many), the fresh parse's", () => {
    const lines = ["network N {", "  input 32x32x3"];
    for (let i = 0; i < 80; i++) lines.push(i % 2 ? "  relu" : `  c${i}: conv 8 3x3 pad 1  # same size`);
    lines.push("}", "");
    let text = lines.join("\n");
    let parsed = parse(text);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let reparsed = 0;
    for (let n = 0; n < 60; n++) {
      const at = text.indexOf("\n", Math.floor(random() * (text.length - 20)));
      const next = random() < 0.5 ? text.slice(0, at) + " stride 2" + text.slice(at) : text.replace(" stride 2", "");
      const r = reparse(text, parsed, next);
      if (r) reparsed++;
      parsed = r ? r.result : parse(next);
      text = next;
      if (n % 20 === 19) assert.deepEqual(tokensOf(parsed.tokens), tokensOf(parse(text).tokens), `after edit ${n + 1}`);
    }
    assert.ok(reparsed > 50, `${reparsed} reparsed`);
  });
});
