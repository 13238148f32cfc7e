// Issue 9 item 6: what the server sends is always valid protocol. Semantic tokens are
// non-negative integers; no position falls between the halves of a surrogate pair; no
// diagnostic covers the whole file; every message is one line with its control
// characters named. First the cases the fuzzer found, then a property test for each
// over generated and mutated texts (the fuzzer's checks, test/fuzz/checks.ts, as oracle).

import * as assert from "node:assert/strict";
import fc from "fast-check";
import { SnapshotCache, type Snapshot } from "../../server/snapshots";
import { diagnostics } from "../../server/features/diagnostics";
import { semanticTokens, semanticTokensLegend } from "../../server/features/semanticTokens";
import { inlayHints } from "../../server/features/inlayHints";
import { foldingRanges } from "../../server/features/folding";
import { documentSymbols } from "../../server/features/symbols";
import { hover } from "../../server/features/hover";
import { highlights, prepareRename } from "../../server/features/names";
import { defaultSettings } from "../../server/settings";
import { Positions } from "../../server/positions";
import { oneLine, parse, printable } from "../../grammar";
import { Doc, diagnosticProblems, resultProblems, semanticTokenProblems } from "../fuzz/checks";
import { documentArbitrary, mutated, ODD, Random } from "../fuzz/generate";
import { example } from "../lsp/support/fixtures";

let version = 0;
function snapshotOf(text: string, name = "t.cnn"): Snapshot {
  return new SnapshotCache({}).get({ uri: `file:///p/${name}`, version: ++version, getText: () => text });
}

/** a diagnostic's message (a string here; LSP 3.18 allows markup) */
const messageOf = (m: string | { value: string }) => (typeof m === "string" ? m : m.value);

const types = semanticTokensLegend.tokenTypes.length;
const mods = semanticTokensLegend.tokenModifiers.length;

/** every problem the fuzzer's oracle finds in what the pure features answer for this text */
function problems(text: string, at: { line: number; character: number }[] = []): string[] {
  const s = snapshotOf(text);
  const doc = new Doc(text);
  const uri = s.uri;
  const out = [...diagnosticProblems(doc, diagnostics(s)), ...semanticTokenProblems(doc, semanticTokens(s, null), types, mods)];
  out.push(...resultProblems(doc, uri, inlayHints(s, null, defaultSettings), "inlayHint"));
  out.push(...resultProblems(doc, uri, foldingRanges(s), "foldingRange"));
  out.push(...resultProblems(doc, uri, documentSymbols(s, defaultSettings), "documentSymbol"));
  for (const p of at) {
    out.push(...resultProblems(doc, uri, hover(s, p, defaultSettings), "hover"));
    out.push(...resultProblems(doc, uri, highlights(s, p), "documentHighlight"));
    out.push(...resultProblems(doc, uri, prepareRename(s, p), "prepareRename"));
  }
  return out;
}

describe("protocol output (issue 9 item 6)", () => {
  describe("semantic tokens are non-negative integers", () => {
    for (const text of ["block S(k, ) { relu }", "block Bott(w, = 1) {", "block B(, k) { relu }", "block B(k,,j = 2) { conv k 3x3 }"]) {
      it(JSON.stringify(text), () => {
        const { data } = semanticTokens(snapshotOf(text), null);
        assert.ok(data.every((n) => Number.isInteger(n) && n >= 0), JSON.stringify(data));
        assert.deepEqual(semanticTokenProblems(new Doc(text), { data }, types, mods), []);
      });
    }

    it("the names that were written are still tokens: the block and its parameter", () => {
      for (const text of ["block S(k, ) { relu }", "block Bott(w, = 1) {"]) {
        const { data } = semanticTokens(snapshotOf(text), null);
        // [line, char, length, type, modifiers]: `S`/`Bott` a class, `k`/`w` a parameter, both declared
        const tokens = Array.from({ length: data.length / 5 }, (_, i) => data.slice(5 * i, 5 * i + 5));
        assert.deepEqual(tokens.slice(0, 2).map((t) => [t[2], semanticTokensLegend.tokenTypes[t[3]]]), [[text.indexOf("(") - 6, "class"], [1, "parameter"]]);
      }
    });

    it("the parameter a recovery had to make up is no parameter, and every span in the tree is a number", () => {
      const { file, errors } = parse("block S(k, ) { relu }");
      assert.equal(errors.length, 1);
      assert.match(errors[0].message, /expected name after `,`, found `\)`/);
      const block = file.items[0];
      assert.equal(block.type, "block");
      assert.deepEqual(block.type === "block" && block.params.map((p) => p.name.text), ["k"]);
      const spans: unknown[] = [];
      JSON.stringify(file, (k, v) => (k === "start" || k === "end" ? (spans.push(v), v) : v));
      assert.ok(spans.length > 0 && spans.every((v) => Number.isInteger(v)), JSON.stringify(spans));
    });
  });

  describe("no position inside a surrogate pair", () => {
    it("`{\\n#\\u{10FFFF}`: the error points at the `{`, not between the halves of the comment's last character", () => {
      const text = "{\n#\u{10FFFF}";
      const d = diagnostics(snapshotOf(text));
      assert.deepEqual(diagnosticProblems(new Doc(text), d), []);
      assert.deepEqual(
        d.map((x) => x.range),
        [{ start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }],
      );
    });

    it("a comment ending in an emoji, a CJK comment, CRLF: the unclosed brace is the one error", () => {
      for (const text of ["network N {\n  input 8x8\n  # 😀", "residual {\r\n# 卷积 🧠", "{\r#𝔸"]) {
        const d = diagnostics(snapshotOf(text));
        assert.deepEqual(diagnosticProblems(new Doc(text), d), [], text);
        assert.ok(d.every((x) => x.range.start.line === 0 || /never closed/.test(messageOf(x.message))), JSON.stringify(d));
      }
    });

    it("Positions never returns a position between the halves, nor NaN", () => {
      const p = new Positions("a😀b\n𝔸");
      assert.deepEqual(p.position(2), { line: 0, character: 1 });
      assert.deepEqual(p.position(2, true), { line: 0, character: 3 });
      assert.deepEqual(p.position(Number.NaN), { line: 0, character: 0 });
      assert.deepEqual(p.range({ start: 2, end: 2 }), { start: { line: 0, character: 1 }, end: { line: 0, character: 3 } });
      assert.deepEqual(p.range({ start: 6, end: 6 }), { start: { line: 1, character: 0 }, end: { line: 1, character: 2 } });
      assert.deepEqual(p.range({ start: 7, end: Number.NaN }), { start: { line: 1, character: 2 }, end: { line: 1, character: 2 } });
      assert.deepEqual(p.range({ start: Number.NaN, end: Number.NaN }), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    });
  });

  describe("no diagnostic covers the whole file", () => {
    it("`residual u\\n{\\nn`: no-input points at `residual`", () => {
      const text = "residual u\n{\nn";
      const d = diagnostics(snapshotOf(text));
      const noInput = d.find((x) => x.code === "no-input");
      assert.ok(noInput, JSON.stringify(d));
      assert.deepEqual(noInput.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 8 } });
      assert.deepEqual(diagnosticProblems(new Doc(text), d), []);
    });

    it("repeat, concat and a labelled residual first, without input: the keyword", () => {
      for (const [text, word] of [
        ["repeat 2 {\n  relu\n}\n", "repeat"],
        ["concat {\n  branch { relu }\n  branch { relu }\n}\n", "concat"],
        ["r: residual {\n  relu\n}\n", "residual"],
      ]) {
        const d = diagnostics(snapshotOf(text));
        const noInput = d.find((x) => x.code === "no-input");
        assert.ok(noInput, text);
        const { start, end } = noInput.range;
        assert.equal(start.line, 0);
        assert.equal(end.line, 0);
        assert.equal(text.split("\n")[0].slice(start.character, end.character), word);
      }
    });

    it("an unknown container first (`netwo {`, as the fuzzer found it): its word, not its lines", () => {
      const text = "netwo {\n  input 32x32x3\n  relu\n}\n";
      const d = diagnostics(snapshotOf(text));
      const noInput = d.find((x) => x.code === "no-input" && /no `input` first/.test(messageOf(x.message)));
      assert.ok(noInput, JSON.stringify(d));
      assert.deepEqual(noInput.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } });
      assert.deepEqual(diagnosticProblems(new Doc(text), d), []);
    });

    // the long fuzz's docs 6164 and 72161: a network too large to expand, cut inside an unknown
    // container that never closes — the message was put on the whole container, to the end of the file
    it("a network too large to expand, inside an unknown container that never closes: the message is at the container's word", () => {
      for (const [text, line] of [
        ["eat 2 {\n" + "repeat 2 {\n".repeat(25) + "residual {\nrelu\n", 0],
        ["input 8x8x1\nfoo {\n" + "repeat 2 {\n".repeat(25) + "residual {\nrelu\n", 1],
        ["network N {\n  input 8x8x1\n  stage {\n" + "repeat 2 {\n".repeat(25) + "relu\n", 2],
      ] as const) {
        const d = diagnostics(snapshotOf(text));
        const cut = d.find((x) => /too large to expand|more than the [\d,]+ that can run|more than one analysis can check/.test(messageOf(x.message)));
        assert.ok(cut, `${JSON.stringify(text)}: ${JSON.stringify(d.map((x) => messageOf(x.message)))}`);
        assert.deepEqual([cut.range.start.line, cut.range.end.line], [line, line], JSON.stringify(cut));
        assert.match(text.split("\n")[line].slice(cut.range.start.character, cut.range.end.character), /^(eat|foo|stage)$/);
        assert.deepEqual(diagnosticProblems(new Doc(text), d), []);
      }
    });

    // docs 80034 and 81230: `input` whose argument opens a bracket that swallows the rest
    it("`input` whose size opens a bracket that never closes: 'needs its size' is at the word `input`", () => {
      for (const text of ["\ufeffinput 8x{8x,1\r\n[[[[[[[[ [[[[[[[[[relu\r\n]]]\t]]]]dense 30 2x1]]]]]]]]]]", "input {8x8x1\n" + "(".repeat(120) + "relu6 1\nrelu\n", "input {{{{\n  relu\n}\n}\n", "x: input {\nconv 8 3x3\nrelu\n"]) {
        const d = diagnostics(snapshotOf(text));
        const size = d.find((x) => /`input` needs its size/.test(messageOf(x.message)));
        assert.ok(size, `${JSON.stringify(text)}: ${JSON.stringify(d.map((x) => messageOf(x.message)))}`);
        const { start, end } = size.range;
        assert.equal(start.line, 0);
        assert.equal(end.line, 0);
        assert.match(text.split(/\r?\n/)[0].slice(start.character, end.character), /^(x: )?input$/);
        assert.deepEqual(diagnosticProblems(new Doc(text), d), []);
      }
    });
  });

  describe("messages are one line, control characters named", () => {
    const raw = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    it("DEL, ESC, NUL, NEL, a line separator, a lone surrogate; a break after `block`; 150 nested `residual {`", () => {
      const texts = [
        "input 8x8x1\nrelu \u007f\n",
        "input 8x8\n\u0000\nrelu\n",
        "relu \u001b",
        "relu \u0085 \u2028 \ud800",
        "block\nblock ",
        "block\r\nblock ",
        "input 8x8x1\n" + "residual {\n".repeat(150),
        // a quoted value (the fuzzer's: a picture path holding a vertical tab)
        'input 8x8x1 sample "no; repeat 2 { B(42949\u000b67296, 6) }"\nrelu\n',
        'input 8x8x1 sample "a\u0000b\u2028c.txt"\nrelu\n',
      ];
      for (const text of texts) {
        const d = diagnostics(snapshotOf(text));
        assert.ok(d.length > 0, JSON.stringify(text));
        for (const x of d) assert.doesNotMatch(messageOf(x.message), raw, `${JSON.stringify(text)}: ${JSON.stringify(messageOf(x.message))}`);
      }
      assert.ok(diagnostics(snapshotOf(texts[0])).some((x) => messageOf(x.message).includes("U+007F")));
      assert.ok(diagnostics(snapshotOf(texts[7])).some((x) => messageOf(x.message).includes("42949U+000B67296")));
    });

    // a message quoting the document's text must never reorder the editor's: the bidirectional
    // controls are named as the control characters are
    const BIDI = ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"];
    const code = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    it("the bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE, U+202A–202E, U+2066–2069, U+200E/200F, U+061C) are named in messages", () => {
      for (const c of BIDI) {
        assert.equal(printable(`a${c}b`), `a${code(c)}b`);
        assert.equal(oneLine(`x ${c} y`), `x ${code(c)} y`);
        for (const text of [`input 8x8x1\nrelu ${c}\n`, `input 8x8x1\nrelu\n${c}conv 8 3x3\n`, `input 8x8x1 sample "a${c}b.png"\nconv 8 3x3 stride "${c}"\n`, `input 8x8x1\nconv 8 3x3 stride ${c}2\n`]) {
          const d = diagnostics(snapshotOf(text));
          assert.ok(d.length > 0, JSON.stringify(text));
          for (const x of d) assert.doesNotMatch(messageOf(x.message), raw, `${JSON.stringify(text)}: ${JSON.stringify(messageOf(x.message))}`);
        }
        assert.ok(diagnostics(snapshotOf(`input 8x8x1\nrelu ${c}\n`)).some((x) => messageOf(x.message).includes(code(c))), code(c));
      }
      // a hover quoting a statement's line (a block use's, a residual's rows) names them too
      for (const use of ["B(4 \u202e)", "B(\u2066 4)", "B(k = 4\u200f)"]) {
        const h = hover(snapshotOf(`block B(k) { conv k 3x3 pad 1 }\ninput 8x8x1\n${use}\n`), { line: 2, character: 1 }, defaultSettings);
        assert.ok(h, `a hover on ${JSON.stringify(use)}`);
        assert.doesNotMatch(JSON.stringify(h.contents), /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/, `${JSON.stringify(use)}: ${JSON.stringify(h.contents)}`);
      }
      // and the fuzzer's oracle counts them as raw
      assert.notDeepEqual(diagnosticProblems(new Doc("input 8x8x1\n"), [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } }, message: "`\u202e`" }]), []);
    });

    it("oneLine, the last guard: names what printable names and cuts nothing", () => {
      assert.equal(oneLine("a\nb\r\u0000\u0085\u2028\ud800 😀 " + "x".repeat(100)), "aU+000AbU+000DU+0000U+0085U+2028U+D800 😀 " + "x".repeat(100));
    });
  });

  describe("the limits are named", () => {
    it("200,000 nested braces: the nesting limit, at the first brace too deep", () => {
      for (const text of ["{".repeat(200_000) + "}".repeat(200_000), "input 8x8x1\n" + "{".repeat(200_000), "input 8x8x1\nconv " + "(".repeat(200_000)]) {
        const d = diagnostics(snapshotOf(text));
        const limit = d.find((x) => /nesting deeper than 100 levels/.test(messageOf(x.message)));
        assert.ok(limit, JSON.stringify(d.map((x) => messageOf(x.message))));
        assert.equal(limit.range.end.character - limit.range.start.character, 1);
        assert.ok(!d.some((x) => /\bEOF\b/.test(messageOf(x.message))), JSON.stringify(d.map((x) => messageOf(x.message))));
        assert.deepEqual(diagnosticProblems(new Doc(text), d), []);
      }
    });

    it("a 20 MB file: one error at its first character naming the length and the limit; nothing else is read", () => {
      const text = "input 8x8x1\n" + "relu\n".repeat(4_000_000);
      const s = snapshotOf(text);
      const d = diagnostics(s);
      assert.equal(d.length, 1);
      assert.match(messageOf(d[0].message), /too long to analyze: 20,000,012 characters, the limit is 1,048,576/);
      assert.deepEqual(d[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } });
      assert.equal(s.analysis.parse.tokens.length, 0);
      assert.deepEqual(semanticTokens(s, null).data, []);
    });

    it("a pad or stride of 1e308 is refused by its bound; a 1e9 filter that misfits is checked at once (the fuzzer's: 25–41 s, then an internal error)", () => {
      for (const [text, message] of [
        ["input 8x8x1\nconv 4 3x3 pad 1e308\n", /the padding P must be at most 2,147,483,647/],
        ["input 8x8x1\nconv 4 1e9x3 pad 1e308\n", /the padding P must be at most 2,147,483,647/],
        ["input 8x8x1\nconv 4 3x3 stride 1e300\n", /the stride S must be at most 2,147,483,647/],
        ["input 2000000000x8x1\nconv 4 1000000000x3 stride 3\n", /stride 3 doesn't fit/],
      ] as const) {
        const s = snapshotOf(text);
        assert.ok(diagnostics(s).some((d) => message.test(messageOf(d.message))), JSON.stringify(diagnostics(s).map((d) => d.message)));
      }
    });

    it("1 MiB is still read", () => {
      const text = "input 8x8x1\nrelu # " + "x".repeat((1 << 20) - 19);
      assert.equal(text.length, 1 << 20);
      const { errors, tokens } = parse(text);
      assert.deepEqual(errors, []);
      assert.equal(tokens.length, 8); // input 8 x 8 x 1 ⏎ relu
      assert.match(parse(text + "x").errors[0].message, /1,048,577 characters/);
    });
  });

  describe("properties (fast-check)", () => {
    // repeat counts 0 or 1: what is checked here is the shape of the answers, not the time of slow texts (the fuzzer times them)
    const small = (t: string) => t.replace(/repeat(\s+)(\d+)/g, (_, s, n) => `repeat${s}${Number(n) % 2}`);
    const seeds = ["lenet5.cnn", "resnet18.cnn", "inception.cnn", "course/stride_fit.cnn"].map(example);
    const positionsIn = (text: string, r: Random) => {
      const lines = new Doc(text).lines;
      return Array.from({ length: 4 }, () => {
        const line = r.int(lines.length);
        return { line, character: r.int(lines[line].length + 2) };
      });
    };

    it("generated texts: every answer passes the fuzzer's checks", () => {
      fc.assert(
        fc.property(documentArbitrary.map(small), fc.integer(), (text, seed) => {
          assert.deepEqual(problems(text, positionsIn(text, new Random(seed >>> 0))), []);
        }),
        { numRuns: 60, seed: 9_006 },
      );
    });

    it("mutated examples with odd characters: every answer passes the fuzzer's checks", () => {
      fc.assert(
        fc.property(fc.integer(), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...ODD)), { maxLength: 4 }), (seed, sprinkles) => {
          const r = new Random(seed >>> 0);
          let text = small(mutated(seeds, r));
          for (const [at, s] of sprinkles) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + s + text.slice(i);
          }
          assert.deepEqual(problems(text, positionsIn(text, r)), []);
        }),
        { numRuns: 150, seed: 9_006 },
      );
    });
  });
});
