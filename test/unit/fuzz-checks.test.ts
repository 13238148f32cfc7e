// The fuzzer's checks (test/fuzz/checks.ts) catch what they are meant to: each is shown
// a good answer (no problem) and a bad one (the problem named).

import * as assert from "node:assert/strict";
import { Doc, diagnosticProblems, formattingProblems, positionProblem, resultProblems, semanticTokenProblems } from "../fuzz/checks";
import { documentArbitrary, mutated, Random } from "../fuzz/generate";
import fc from "fast-check";

const pos = (line: number, character: number) => ({ line, character });
const range = (a: number, b: number, c: number, d: number) => ({ start: pos(a, b), end: pos(c, d) });

describe("fuzz checks", () => {
  const doc = new Doc("input 8x8\r\nconv 1 3x3 # 😀 done\rrelu");

  it("lines split at \\n, \\r\\n and \\r, as LSP counts them", () => {
    assert.deepEqual(doc.lines, ["input 8x8", "conv 1 3x3 # 😀 done", "relu"]);
    assert.deepEqual(doc.positionAt(doc.offsetAt(pos(1, 4))), pos(1, 4));
    // as LSP documents resolve them: past the last line, the end; past a line's end, that end
    assert.equal(doc.offsetAt(pos(9, 3)), doc.text.length);
    assert.equal(doc.offsetAt(pos(0, 99)), 9);
  });

  it("positions: inside the document, at a line end, past it, between a surrogate pair's halves", () => {
    assert.equal(positionProblem(doc, pos(0, 9), "p"), null);
    assert.equal(positionProblem(doc, pos(2, 4), "p"), null);
    assert.match(positionProblem(doc, pos(0, 10), "p")!, /past the end of the line/);
    assert.match(positionProblem(doc, pos(3, 0), "p")!, /past the document's 3 lines/);
    assert.match(positionProblem(doc, pos(1, 14), "p")!, /splits a surrogate pair/);
    assert.equal(positionProblem(doc, pos(1, 13), "p"), null);
    assert.match(positionProblem(doc, pos(-1, 0), "p")!, /non-negative integers/);
    assert.match(positionProblem(doc, { line: 0 }, "p")!, /not a position/);
  });

  it("results: every range anywhere, folding lines, other documents' locations left alone", () => {
    const uri = "file:///a.cnn";
    assert.deepEqual(resultProblems(doc, uri, [{ range: range(0, 0, 0, 5), selectionRange: range(0, 0, 0, 2), children: [] }]), []);
    assert.match(resultProblems(doc, uri, [{ name: "x", children: [{ range: range(0, 0, 5, 0) }] }])[0], /past the document/);
    assert.match(resultProblems(doc, uri, { range: range(1, 3, 0, 0) })[0], /ends .* before it starts/);
    assert.deepEqual(resultProblems(doc, uri, [{ uri: "file:///other.cnn", range: range(99, 0, 99, 1) }]), []);
    assert.match(resultProblems(doc, uri, [{ startLine: 1, endLine: 3 }])[0], /folding lines 1–3/);
    assert.match(resultProblems(doc, uri, [{ position: pos(1, 14), label: "→" }])[0], /surrogate/);
    assert.match(resultProblems(doc, uri, { changes: { [uri]: [{ range: range(0, 0, 0, 99), newText: "" }] } })[0], /past the end/);
  });

  it("semantic tokens: non-negative integers in fives, inside their lines, known types", () => {
    assert.deepEqual(semanticTokenProblems(doc, { data: [1, 0, 4, 0, 0, 1, 0, 4, 1, 1] }, 2, 1), []);
    assert.match(semanticTokenProblems(doc, { data: [0, 6, 1, 1, 1, 0, 2, null, 3, 1] }, 6, 2)[0], /not non-negative integers/);
    assert.match(semanticTokenProblems(doc, { data: [0, 0, 4] }, 2, 1)[0], /not a multiple of 5/);
    assert.match(semanticTokenProblems(doc, { data: [0, 6, 9, 0, 0] }, 2, 1)[0], /runs past the line/);
    assert.match(semanticTokenProblems(doc, { data: [0, 0, 4, 7, 0] }, 2, 1)[0], /type 7, the legend has 2/);
    assert.match(semanticTokenProblems(doc, { data: [0, 0, 4, 0, 0, 0, 2, 3, 0, 0] }, 2, 1)[0], /overlaps/);
    assert.match(semanticTokenProblems(doc, { data: [1, 13, 1, 0, 0] }, 2, 1)[0], /splits a surrogate pair/);
    assert.match(semanticTokenProblems(doc, { data: [5, 0, 1, 0, 0] }, 2, 1)[0], /past the 3 lines/);
  });

  it("formatting: moving spaces and line breaks is fine; losing a BOM, a no-break space or a letter is not", () => {
    const d = new Doc("\uFEFFinput  8x8\nconv\u00A01 3x3");
    assert.deepEqual(formattingProblems(d, [{ range: range(0, 6, 0, 8), newText: " " }]), []);
    assert.deepEqual(formattingProblems(d, [{ range: range(0, 11, 1, 0), newText: "\r\n\t" }]), []);
    assert.match(formattingProblems(d, [{ range: range(0, 0, 0, 1), newText: "" }])[0], /U\+FEFF/);
    assert.match(formattingProblems(d, [{ range: range(1, 4, 1, 5), newText: " " }])[0], /U\+00A0 .* became U\+0031/);
    assert.match(formattingProblems(d, [{ range: range(0, 1, 0, 2), newText: "I" }])[0], /more than white space/);
    assert.match(formattingProblems(d, [{ range: range(0, 1, 0, 3), newText: "" }, { range: range(0, 2, 0, 4), newText: "" }])[0], /overlap/);
  });

  it("diagnostics: one line each, and never over the whole file", () => {
    const d = new Doc("conv 6 5x5\nrelu\nmaxpool 2x2\n");
    assert.deepEqual(diagnosticProblems(d, [{ range: range(0, 0, 0, 10), message: "no `input` first" }]), []);
    assert.match(diagnosticProblems(d, [{ range: range(0, 0, 2, 11), message: "no input" }])[0], /covers the whole file/);
    assert.match(diagnosticProblems(d, [{ range: range(0, 0, 0, 1), message: "after `\n`" }])[0], /raw control character, line break/);
    assert.match(diagnosticProblems(d, [{ range: range(0, 0, 0, 1), message: "`\u007f`" }])[0], /raw control/);
    assert.match(diagnosticProblems(d, [{ range: range(0, 0, 0, 1), message: "`\u0085` `\ud800`" }])[0], /raw control/);
    assert.deepEqual(diagnosticProblems(d, [{ range: range(0, 0, 0, 1), message: "unexpected `😀` (U+0085)" }]), []);
    // a one-line file: its one statement is the file, and may be pointed at
    assert.deepEqual(diagnosticProblems(new Doc("conv 6 5x5"), [{ range: range(0, 0, 0, 10), message: "x" }]), []);
  });

  it("the generators are deterministic and stay under ~12 kB", () => {
    const a = fc.sample(documentArbitrary, { seed: 5, numRuns: 30 });
    assert.deepEqual(a, fc.sample(documentArbitrary, { seed: 5, numRuns: 30 }));
    assert.ok(a.every((t) => t.length <= 10_000));
    const seeds = ["input 8x8\nconv 1 3x3\n", "network N {\n  input 4x4\n  relu\n}\n"];
    const m1 = Array.from({ length: 20 }, ((r) => () => mutated(seeds, r))(new Random(3)));
    const m2 = Array.from({ length: 20 }, ((r) => () => mutated(seeds, r))(new Random(3)));
    assert.deepEqual(m1, m2);
    assert.ok(m1.every((t) => t.length <= 12_000));
  });
});
