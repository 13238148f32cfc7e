// What the architecture view accepts: a diagram as the server sends it (through JSON), and
// nothing else — every message from the other side is checked before it is read.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze } from "../../analysis";
import { buildDiagram } from "../../diagram/build";
import { readDiagram } from "../../diagram/read";
import { layoutDiagram } from "../../diagram/layout";
import { sceneToSvg } from "../../diagram/svg";
import { readHostMessage, readViewMessage, readViewState } from "../../diagram/view/protocol";
import { architectureHtml } from "../../client/architecture-html";

const root = join(__dirname, "..", "..", "..");

function sent(file: string) {
  const a = analyze(readFileSync(join(root, "examples", file), "utf8"), file);
  return JSON.parse(JSON.stringify(buildDiagram(a, a.networks[0]))) as unknown;
}

describe("architecture view: messages", () => {
  it("a diagram survives JSON and the check whole, and draws the same SVG as before it", () => {
    for (const file of ["resnet18.cnn", "inception.cnn", "densenet_block.cnn"]) {
      const a = analyze(readFileSync(join(root, "examples", file), "utf8"), file);
      const original = buildDiagram(a, a.networks[0]);
      const checked = readDiagram(JSON.parse(JSON.stringify(original)));
      assert.deepEqual(checked, original);
      assert.equal(sceneToSvg(layoutDiagram(checked)), sceneToSvg(layoutDiagram(original)));
    }
  });

  it("a malformed diagram is refused with the path of what is wrong", () => {
    const good = sent("inception.cnn") as { items: Record<string, unknown>[] };
    const cases: [unknown, RegExp][] = [
      [null, /diagram/],
      [{ ...good, items: "x" }, /diagram\.items: expected a list/],
      [{ ...good, params: "1e9" }, /diagram\.params: expected decimal digits/],
      [{ ...good, items: [{ ...good.items[0], type: "script" }] }, /diagram\.items\[0\]\.type/],
      [{ ...good, items: [{ ...good.items[0], output: [1, 2] }] }, /output/],
      [{ ...good, items: [{ ...good.items[0], fault: { severity: "fatal", message: "x" } }] }, /severity/],
      [{ ...good, items: [{ ...good.items[0], start: -1 }] }, /start/],
    ];
    for (const [value, why] of cases) assert.throws(() => readDiagram(value), why);
    // nesting past the bound is refused, not recursed into
    let deep: Record<string, unknown> = { ...good.items[0] };
    for (let i = 0; i < 400; i++) deep = { ...good.items[0], type: "sequence", kind: "call", name: "B()", children: [deep] };
    assert.throws(() => readDiagram({ ...good, items: [deep] }), /nested more than/);
  });

  it("host and view messages: each kind checked, anything else refused", () => {
    assert.equal(readHostMessage({ type: "cursor", offset: 12 }).type, "cursor");
    assert.deepEqual(readHostMessage({ type: "cursor", offset: null }), { type: "cursor", offset: null });
    assert.throws(() => readHostMessage({ type: "cursor", offset: "12" }));
    assert.throws(() => readHostMessage({ type: "diagram", diagram: sent("lenet5.cnn"), version: 1, shapeFormat: "HxW", errors: 0, warnings: 0 }), /shapeFormat/);
    assert.equal(readHostMessage({ type: "diagram", diagram: sent("lenet5.cnn"), version: 3, shapeFormat: "CxHxW", errors: 0, warnings: 1 }).type, "diagram");
    assert.deepEqual(readViewMessage({ type: "reveal", start: 10, end: 20 }), { type: "reveal", start: 10, end: 20 });
    assert.throws(() => readViewMessage({ type: "reveal", start: -1, end: 2 }));
    assert.throws(() => readViewMessage({ type: "eval", code: "x" }), /message\.type/);
    assert.throws(() => readViewMessage({ type: "export", format: "svg", style: "flow", expand: "auto", toggled: { a: "yes" } }), /toggled/);
    assert.throws(() => readViewMessage({ type: "export", format: "png", base64: "not base64!" }), /base64/);
    assert.deepEqual(readViewMessage({ type: "export", format: "svg", style: "volume", expand: "all", toggled: { "5": false } }), { type: "export", format: "svg", style: "volume", expand: "all", toggled: { "5": false } });
    assert.deepEqual(readViewState({ uri: 3 }), { uri: null, network: null, style: "flow", expand: "auto", toggled: {} });
  });

  it("the page: a strict CSP with a nonce, nothing remote, no inline handler", () => {
    const html = architectureHtml("vscode-webview://abc", "vscode-webview://abc/dist/webview/architecture.js", "NONCE123");
    const csp = /content="([^"]+)"/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-NONCE123'(;|$)/);
    assert.match(csp, /style-src 'nonce-NONCE123'(;|$)/);
    assert.ok(!/unsafe-inline|unsafe-eval|https?:/.test(csp), csp);
    assert.equal((html.match(/<script /g) ?? []).length, 1);
    assert.match(html, /<script nonce="NONCE123" src="vscode-webview:\/\/abc\/dist\/webview\/architecture\.js">/);
    assert.ok(!/ on[a-z]+=/.test(html));
  });
});
