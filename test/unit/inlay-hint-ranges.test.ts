// Inlay hints asked for by range (VS Code asks per visible range, and again whenever it
// scrolls): the hints of a range are exactly the whole document's whose position lies in
// it, however often a version is asked, and a new version, new settings or a client that
// cannot resolve tooltips each get their own (server/features/inlayHints.ts makes a
// version's hints once).

import * as assert from "node:assert/strict";
import type { InlayHint, Position, Range } from "vscode-languageserver";
import { SnapshotCache, type Snapshot } from "../../server/snapshots";
import { inlayHints } from "../../server/features/inlayHints";
import { defaultSettings, type ServerSettings } from "../../server/settings";
import { example } from "../lsp/support/fixtures";

let version = 0;
function snapshotOf(text: string): Snapshot {
  return new SnapshotCache({}).get({ uri: "file:///p/h.cnn", version: ++version, getText: () => text });
}

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character < b.character);
const within = (p: Position, r: Range) => !before(p, r.start) && !before(r.end, p);
const plain = (list: InlayHint[]) => JSON.parse(JSON.stringify(list)) as unknown;

describe("inlay hints by range", () => {
  const texts = ["resnet18.cnn", "inception.cnn", "lenet5.cnn"].map((name) => [name, example(name)] as const);
  // (CRLF line breaks and a one-line repeat, whose inner statement's hint moves next to its text)
  texts.push(["crlf", "network N {\r\n  input 32x32x3\r\n  repeat 2 { conv 8 3x3 pad 1 }\r\n  conv 8 3x3; relu\r\n  fc 10\r\n}\r\n"]);

  for (const [name, text] of texts) {
    it(`${name}: every range's hints are the whole document's within it, asked once or again`, () => {
      const s = snapshotOf(text);
      for (const resolve of [false, true]) {
        const whole = inlayHints(s, null, defaultSettings, resolve);
        assert.ok(whole.length > 3, `${whole.length} hints`);
        const lines = text.split("\n");
        for (let a = 0; a <= lines.length; a += 3) {
          for (const b of [a, a + 1, a + 7, lines.length + 5]) {
            for (const [ca, cb] of [[0, 0], [4, 200]]) {
              const range = { start: { line: a, character: ca }, end: { line: b, character: cb } };
              const expected = whole.filter((h) => within(h.position, range));
              assert.deepStrictEqual(plain(inlayHints(s, range, defaultSettings, resolve)), plain(expected), `${JSON.stringify(range)}, resolve ${resolve}`);
            }
          }
        }
        // asked again: the same answer
        assert.deepStrictEqual(plain(inlayHints(s, null, defaultSettings, resolve)), plain(whole));
      }
    });
  }

  it("a client that cannot resolve gets the tooltips; new settings and a new version get their own hints", () => {
    const text = "network N {\n  input 32x32x3\n  conv 8 3x3\n  fc 10\n}\n";
    const s = snapshotOf(text);
    const lazy = inlayHints(s, null, defaultSettings, true);
    const eager = inlayHints(s, null, defaultSettings, false);
    assert.ok(lazy.every((h) => h.tooltip === undefined && h.data !== undefined));
    assert.ok(eager.every((h) => h.tooltip !== undefined && h.data === undefined));
    assert.deepStrictEqual(lazy.map((h) => h.label), eager.map((h) => h.label));
    assert.ok(eager.some((h) => String(h.label).includes("params")));

    const noParams: ServerSettings = { ...defaultSettings, hints: { ...defaultSettings.hints, params: false } };
    const shapes = inlayHints(s, null, noParams, false);
    assert.ok(shapes.length > 0 && shapes.every((h) => !String(h.label).includes("params")), JSON.stringify(shapes.map((h) => h.label)));
    const macs: ServerSettings = { ...defaultSettings, hints: { ...defaultSettings.hints, macs: true } };
    // (the conv's line: the network's totals show the MACs whatever the settings)
    const conv = (list: InlayHint[]) => String(list.find((h) => h.position.line === 2)?.label);
    assert.equal(conv(eager), "→ 30×30×8 · 224 params");
    assert.match(conv(inlayHints(s, null, macs, false)), /^→ 30×30×8 · 224 params · [\d.]+ MMAC$/);
    assert.ok(inlayHints(s, null, { ...defaultSettings, shapeFormat: "CxHxW" }, false).some((h) => String(h.label).startsWith("→ 8×30×30")));

    const next = snapshotOf(text.replace("conv 8 3x3", "conv 8 3x3 stride 2"));
    const moved = inlayHints(next, null, defaultSettings, false);
    assert.ok(moved.some((h) => String(h.label).startsWith("→ 15×15×8")), JSON.stringify(moved.map((h) => h.label)));
    assert.ok(eager.some((h) => String(h.label).startsWith("→ 30×30×8")));
  });
});
