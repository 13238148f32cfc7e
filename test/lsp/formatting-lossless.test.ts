// A formatter may move only spaces, tabs and line breaks (issue 9, item 5). Property
// tests over random texts, soups of the language's tokens, mutated examples and
// generated valid documents whose gaps hold every kind of white space the lexer skips:
// every other character survives, in order; the line breaks are the same; formatting
// the result again changes nothing; a text that parsed still parses to the same tokens.

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { TextEdit } from "vscode-languageserver-protocol";
import { analyze } from "../../analysis";
import { parse } from "../../grammar";
import { formatEdits } from "../../server/features/formatting";
import { Positions } from "../../server/positions";
import type { Snapshot } from "../../server/snapshots";
import { root } from "./support/client";
import { applyEdits } from "./support/fixtures";

/** Characters that separate tokens but are neither a space, a tab nor a line break. */
const otherBlanks = ["\u00a0", "\ufeff", "\u2028", "\u2029", "\u3000", "\u200b", "\u2003", "\u2009", "\f", "\v"];
const blanks = [" ", "  ", "\t", ...otherBlanks];
const breaks = ["\n", "\r\n", "\r"];

function format(text: string, options = { tabSize: 2, insertSpaces: true }): { text: string; edits: TextEdit[] } {
  const snapshot: Snapshot = { uri: "file:///p/doc.cnn", version: 1, analysis: analyze(text, "doc.cnn"), positions: new Positions(text) };
  const edits = formatEdits(snapshot, options, null);
  return { text: applyEdits(text, edits), edits };
}

/** What a formatter must keep: every character but spaces, tabs and line breaks. */
const substance = (s: string) => s.replace(/[ \t\r\n]/g, "");
const lineBreaks = (s: string) => (s.match(/\r\n|\r|\n/g) ?? []).join("|");

let changedWithOthers = 0;
let parsedRuns = 0;

function check(text: string) {
  const once = format(text);
  assert.equal(substance(once.text), substance(text), "a character other than a space, tab or line break was added, removed or moved");
  assert.equal(lineBreaks(once.text), lineBreaks(text), "the line breaks changed");
  const twice = format(once.text);
  assert.deepEqual(twice.edits, [], "formatting the formatted text changes it again");
  const before = parse(text);
  if (before.errors.length === 0) {
    parsedRuns++;
    const after = parse(once.text);
    assert.deepEqual(after.errors, [], "the formatted text no longer parses");
    assert.deepEqual(after.tokens.map((t) => t.image), before.tokens.map((t) => t.image), "the tokens changed");
    if (once.edits.length > 0 && otherBlanks.some((c) => text.includes(c))) changedWithOthers++;
  }
}

const seeds = (readdirSync(join(root, "examples"), { recursive: true }) as string[])
  .filter((f) => f.endsWith(".cnn"))
  .sort()
  .map((f) => readFileSync(join(root, "examples", f), "utf8"));

const vocabulary = [
  "network", "block", "input", "conv", "maxpool", "fc", "bn", "relu", "softmax", "repeat", "residual", "shortcut",
  "stride", "pad", "same", "nobias", "floor", "x", "×", "{", "}", "(", ")", "[", "]", ",", "=", ":", ";",
  "3", "32", "5x5", "7x7x1", "1e-5", "k", "Basic(64)", "#", "# note", "中文", "😀",
];
const soup = fc
  .array(fc.oneof(fc.constantFrom(...vocabulary), fc.constantFrom(...blanks), fc.constantFrom(...breaks)), { maxLength: 60 })
  .map((parts) => parts.join(""));

/** An example with white space of every kind put in (anywhere, tokens included), or spaces taken out. */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...blanks, ""), fc.nat({ max: 3 })), { minLength: 1, maxLength: 12 }),
  )
  .map(([seed, edits]) => {
    let text = seed;
    for (const [at, insert, drop] of edits) {
      const i = at % (text.length + 1);
      // drop only spaces and tabs right after i, so most mutants still parse
      let j = i;
      while (j < text.length && j - i < drop && (text[j] === " " || text[j] === "\t")) j++;
      text = text.slice(0, i) + insert + text.slice(j);
    }
    return text;
  });

/** Valid statements, each a list of tokens to be joined by generated gaps. */
const statements = [
  ["input", "32x32x3"], ["conv", "6", "5x5"], ["conv", "16", "3x3", "stride", "2", "pad", "1"], ["relu"], ["bn"],
  ["maxpool", "2x2"], ["fc", "10"], ["fc", "128"], ["dropout", "0.5"], ["softmax"], ["c1", ":", "conv", "8", "3x3", "pad", "same"],
  ["Basic(", "8", ")"], ["Basic(", "k", "=", "8", ",", "s", "=", "1", ")"],
];
const gap = fc.oneof({ weight: 3, arbitrary: fc.constant(" ") }, fc.array(fc.constantFrom(...blanks), { minLength: 1, maxLength: 3 }).map((a) => a.join("")));
const optionalGap = fc.oneof(fc.constant(""), gap);
const comment = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  fc.tuple(optionalGap, fc.array(fc.constantFrom("#", " ", "x", "\u00a0", "\u2028", "\ufeff", "→", "28×28×6", "\t"), { maxLength: 6 })).map(([g, c]) => `${g}# ${c.join("")}`),
);
const line = fc
  .tuple(optionalGap, fc.constantFrom(...statements), fc.array(gap, { minLength: 12, maxLength: 12 }), comment, optionalGap)
  .map(([lead, tokens, gaps, note, trail]) => lead + tokens.map((t, i) => (i === 0 ? t : gaps[i] + t)).join("") + note + (note ? "" : trail));
const document = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.oneof({ weight: 6, arbitrary: line }, fc.constantFrom("", "  ", "\u00a0", "# only a comment\u2028")), { minLength: 1, maxLength: 12 }),
    fc.constantFrom(...breaks),
    optionalGap,
  )
  .map(([bom, body, eol, inner]) => {
    const block = `block Basic(k, s=1) {${eol}${inner}conv k 3x3 stride s pad 1${eol}}${eol}`;
    return (bom ? "\ufeff" : "") + block + `network N {${eol}` + body.map((l) => `${l}${eol}`).join("") + `}${eol}`;
  });

describe("formatting is lossless: only spaces, tabs and line breaks move", () => {
  it("keeps U+FEFF, U+00A0 and U+2028 where they stand (the cases the fuzzer found)", () => {
    const text = "\ufeffnetwork N {\n input\u00a032x32x3\n    conv 6 5x5 # c1\u2028note\u00a0\n\u2028relu\n  fc   10\u3000\n}\n";
    const out = format(text).text;
    assert.equal(out, "\ufeffnetwork N {\n  input\u00a032x32x3\n  conv 6 5x5   # c1\u2028note\u00a0\n\u2028relu\n  fc   10\u3000\n}\n");
  });

  it("a blank line between a lone CR and an LF keeps its spaces (emptied, the two breaks would become one CRLF)", () => {
    const text = "input 8x8x1\r  \nrelu\n";
    assert.equal(format(text).text, text);
  });

  it("random strings", () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: "grapheme" }), check), { numRuns: 300 });
  });

  it("soups of the language's tokens and white space", () => {
    fc.assert(fc.property(soup, check), { numRuns: 400 });
  });

  it("examples with white space of every kind put in or taken out", () => {
    fc.assert(fc.property(mutated, check), { numRuns: 300 });
  });

  it("generated valid documents whose gaps hold every kind of white space", () => {
    const before = changedWithOthers;
    const parsedBefore = parsedRuns;
    fc.assert(fc.property(document, check), { numRuns: 400 });
    // not vacuous: most documents parse, and many of those were reformatted around a kept character
    assert.ok(parsedRuns - parsedBefore >= 300, `only ${parsedRuns - parsedBefore} of 400 generated documents parsed`);
    assert.ok(changedWithOthers - before >= 100, `only ${changedWithOthers - before} reformatted documents held other white space`);
  });
});
