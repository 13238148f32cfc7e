// Properties that hold for any text: analyze never throws, every range lies inside the
// text, and the same text always gives the same result.

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { analyze, toJson } from "../../analysis";

const root = join(__dirname, "..", "..", "..");
const seeds = readdirSync(join(root, "examples"))
  .filter((f) => f.endsWith(".cnn"))
  .map((f) => readFileSync(join(root, "examples", f), "utf8"));

const vocabulary = [
  "network", "block", "input", "conv", "dwconv", "deconv", "local", "maxpool", "avgpool", "gap", "fc",
  "flatten", "bn", "relu", "softmax", "repeat", "residual", "shortcut", "concat", "add", "branch",
  "stride", "pad", "same", "dilation", "groups", "outpad", "nobias", "floor", "ceil", "weights", "bias",
  "data", "sample", "x", "×", "{", "}", "(", ")", "[", "]", ",", "=", ":", ";", "+", "-", "*", "/",
  "\n", "\r\n", " ", "  ", "#", "//", "3", "0", "32", "5x5", "7x7x1", "1.5", "-1", "1e-5", "12abc",
  "\"a.png\"", "\"", "中文", "한국어", "😀", "\t", "k", "Basic(64)", "Basic", "64",
];

const tokenSoup = fc.array(fc.constantFrom(...vocabulary), { maxLength: 80 }).map((parts) => parts.join(" "));

/** An example with a slice deleted, duplicated or replaced by random text. */
const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat({ max: 40 }), fc.oneof(fc.string({ maxLength: 12 }), tokenSoup), fc.nat({ max: 2 }))
  .map(([seed, at, len, insert, how]) => {
    const start = at % (seed.length + 1);
    const end = Math.min(seed.length, start + len);
    if (how === 0) return seed.slice(0, start) + seed.slice(end);
    if (how === 1) return seed.slice(0, end) + seed.slice(start, end) + seed.slice(end);
    return seed.slice(0, start) + insert + seed.slice(end);
  });

function checkInvariants(text: string) {
  const a = analyze(text, "fuzz.cnn");
  for (const d of a.diagnostics) {
    assert.ok(d.start >= 0 && d.end >= d.start && d.end <= text.length, `range ${d.start}-${d.end} outside 0-${text.length}: ${d.message}`);
    for (const r of d.related ?? []) assert.ok(r.start >= 0 && r.end <= text.length);
    assert.ok(d.message.length > 0);
  }
  for (const list of a.occurrences.values()) {
    for (const o of list) assert.ok(o.span.start >= 0 && o.span.end <= text.length && o.span.start <= o.span.end);
  }
  for (const n of a.networks) assert.ok(n.params >= 0n && n.macs >= 0n);
  const again = analyze(text, "fuzz.cnn");
  assert.equal(toJson(again.diagnostics), toJson(a.diagnostics));
  assert.equal(toJson(again.networks.map((n) => [n.name, n.params, n.macs, n.output])), toJson(a.networks.map((n) => [n.name, n.params, n.macs, n.output])));
}

describe("properties of analyze()", () => {
  it("never throws on arbitrary strings; ranges stay inside the text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300, unit: "grapheme" }), checkInvariants), { numRuns: 400 });
  });
  it("never throws on soups of language tokens", () => {
    fc.assert(fc.property(tokenSoup, checkInvariants), { numRuns: 600 });
  });
  it("never throws on mutated examples; re-analysis is deterministic", () => {
    fc.assert(fc.property(mutated, checkInvariants), { numRuns: 400 });
  });
});
