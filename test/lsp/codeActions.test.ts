// Quick fixes over the protocol: each one is applied to the text, the text is analyzed
// again by the server, and the diagnostic it fixed is gone.

import * as assert from "node:assert/strict";
import type { CodeAction, Diagnostic, InlayHint, Range, TextEdit } from "vscode-languageserver-protocol";
import { TestServer } from "./support/client";
import { applyEdits, slice } from "./support/fixtures";

let counter = 0;

interface Opened {
  uri: string;
  text: string;
  diagnostics: Diagnostic[];
}

async function open(server: TestServer, text: string): Promise<Opened> {
  const uri = `file:///fix/case${++counter}.cnn`;
  const { diagnostics } = await server.open(uri, text);
  return { uri, text, diagnostics };
}

function actionsFor(server: TestServer, doc: Opened, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
  return server.request<CodeAction[]>("textDocument/codeAction", {
    textDocument: { uri: doc.uri },
    range,
    context: { diagnostics, ...(only ? { only } : {}) },
  });
}

/** Applies the action's edit as a new document and returns what the server then reports. */
async function applied(server: TestServer, doc: Opened, action: CodeAction): Promise<{ text: string; diagnostics: Diagnostic[] }> {
  const edits = action.edit!.changes![doc.uri] as TextEdit[];
  const text = applyEdits(doc.text, edits);
  const { diagnostics } = await server.open(`${doc.uri}.fixed${++counter}.cnn`, text);
  return { text, diagnostics };
}

describe("code actions", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("an edit introduces a stride misfit: the warning and its quick fixes come right after; the preferred fix removes it", async () => {
    const uri = "file:///fix/typed.cnn";
    const before = "network Misfit {\n  input 7x7x1\n  conv 1 3x3 stride 2\n}\n";
    const first = await server.open(uri, before, 1);
    assert.deepEqual(first.diagnostics, []);
    // the user types 3 over the 2
    const { diagnostics } = await server.change(uri, 2, [{ range: { start: { line: 2, character: 20 }, end: { line: 2, character: 21 } }, text: "3" }]);
    const text = before.replace("stride 2", "stride 3");
    assert.deepEqual(diagnostics.map((d) => d.code), ["stride-misfit"]);
    const actions = await actionsFor(server, { uri, text, diagnostics }, diagnostics[0].range, diagnostics);
    assert.deepEqual(actions.map((a) => a.title), [
      "Fit with pad 1",
      "Fit with stride 1",
      "Fit with stride 2",
      // stride 4 would tile too, but a stride larger than the 3×3 filter skips pixels: not offered
      "Accept the misfit: add floor (round down, as PyTorch does)",
    ]);
    assert.ok(actions.every((a) => a.kind === "quickfix" && a.diagnostics?.[0].code === "stride-misfit"));
    assert.deepEqual(actions.filter((a) => a.isPreferred).map((a) => a.title), ["Fit with pad 1"]);
    for (const action of actions) {
      const after = await applied(server, { uri, text, diagnostics }, action);
      assert.deepEqual(after.diagnostics, [], `${action.title} → ${after.text}`);
    }
    // the preferred fix, sent as an edit of the open document
    const edit = actions[0].edit!.changes![uri][0];
    assert.deepEqual(edit, { range: { start: { line: 2, character: 21 }, end: { line: 2, character: 21 } }, newText: " pad 1" });
    const fixed = await server.change(uri, 3, [{ range: edit.range, text: edit.newText }]);
    assert.deepEqual(fixed.diagnostics, []);
  });

  it("stride-misfit on one axis: the other axis keeps its value (`pad 1x0`, `stride 2x3`)", async () => {
    const doc = await open(server, "network W {\n  input 7x9x1\n  conv 1 3x3 stride 3\n}\n");
    assert.deepEqual(doc.diagnostics.map((d) => d.code), ["stride-misfit"]);
    const actions = await actionsFor(server, doc, doc.diagnostics[0].range, doc.diagnostics);
    assert.deepEqual(actions.map((a) => a.title).slice(0, 4), ["Fit with pad 1x0", "Fit with stride 1x3", "Fit with stride 2x3", "Accept the misfit: add floor (round down, as PyTorch does)"]);
    for (const action of actions) assert.deepEqual((await applied(server, doc, action)).diagnostics, [], action.title);
  });

  it("a pool offers ceil too; an existing stride is replaced, not repeated", async () => {
    const doc = await open(server, "network P {\n  input 6x6x4\n  maxpool 3x3 stride 2\n}\n");
    const actions = await actionsFor(server, doc, doc.diagnostics[0].range, doc.diagnostics);
    assert.deepEqual(actions.map((a) => a.title), [
      "Fit with stride 1",
      "Fit with stride 3",
      "Accept the misfit: add floor (round down, as PyTorch does)",
      "Accept the misfit: add ceil (round up, like PyTorch's ceil_mode)",
    ]);
    const stride3 = await applied(server, doc, actions[1]);
    assert.match(stride3.text, /maxpool 3x3 stride 3\n/);
    for (const action of actions) assert.deepEqual((await applied(server, doc, action)).diagnostics, [], action.title);
  });

  it("never a stride larger than the window: it would leave pixels unseen (3×3 on 32×32, stride 2)", async () => {
    // (32 − 3)/S + 1 tiles for S = 1 and 29 only: stride 5 or 29 is never offered
    for (const [layer, kernel] of [["conv 4 3x3 stride 2", 3], ["conv 4 3x3 dilation 2 stride 2", 5], ["maxpool 3x3 stride 2", 3], ["maxpool 2x2 stride 4", 2], ["conv 4 5x5 stride 4", 5]] as const) {
      const doc = await open(server, `network K {\n  input 32x32x3\n  ${layer}\n}\n`);
      assert.deepEqual(doc.diagnostics.map((d) => d.code), ["stride-misfit"], layer);
      const actions = await actionsFor(server, doc, doc.diagnostics[0].range, doc.diagnostics);
      const strides = actions.map((a) => /^Fit with stride (\d+)$/.exec(a.title)?.[1]).filter((x) => x !== undefined).map(Number);
      assert.ok(strides.every((x) => x <= kernel), `${layer}: offered ${strides.join(", ")}`);
      assert.doesNotMatch(String(doc.diagnostics[0].message), new RegExp(`stride [^;]*\\b(${Array.from({ length: 30 }, (_, i) => i + kernel + 1).join("|")})\\b[^;]*would fit`), `${layer}: ${doc.diagnostics[0].message}`);
      for (const action of actions) assert.deepEqual((await applied(server, doc, action)).diagnostics, [], `${layer}: ${action.title}`);
    }
  });

  it("a misspelt option is read as the suggestion everywhere: its stride misfit is reported, and the fix replaces the typo", async () => {
    const doc = await open(server, "network T {\n  input 28x28x1\n  conv 16 3x3 strid 2\n}\n");
    assert.deepEqual(doc.diagnostics.map((d) => d.code).sort(), ["stride-misfit", "unknown-name"]);
    const misfit = doc.diagnostics.find((d) => d.code === "stride-misfit")!;
    // the numbers the hint and the hover use: (28 − 3)/2 + 1 = 13.5
    assert.match(String(misfit.message), /^stride 2 doesn't fit: \(28 − 3 \+ 2·0\)\/2 \+ 1 = 13\.5 .* \(reading `strid` as `stride`\)$/);
    const actions = await actionsFor(server, doc, misfit.range, [misfit]);
    const stride1 = actions.find((a) => a.title === "Fit with stride 1")!;
    assert.ok(stride1, actions.map((a) => a.title).join(" | "));
    const after = await applied(server, doc, stride1);
    assert.match(after.text, /conv 16 3x3 stride 1\n/);
    assert.deepEqual(after.diagnostics, []);
  });

  it("wrong filter depth → the input's depth", async () => {
    const doc = await open(server, "network Depth {\n  input 32x32x1\n  conv 6 5x5x3\n}\n");
    const [action, ...rest] = await actionsFor(server, doc, doc.diagnostics[0].range, doc.diagnostics, ["quickfix"]);
    assert.equal(rest.length, 0);
    assert.equal(action.title, "Make the filter 1 deep: 5x5x1");
    const after = await applied(server, doc, action);
    assert.match(after.text, /conv 6 5x5x1/);
    assert.deepEqual(after.diagnostics, []);
  });

  it("residual depth mismatch → a 1×1 projection shortcut (with `floor` when the strided 1×1 does not tile)", async () => {
    const text = [
      "network P {",
      "  input 56x56x64",
      "  residual {",
      "    conv 128 3x3 stride 2 pad 1 floor",
      "    relu",
      "    conv 128 3x3 pad 1",
      "  }",
      "  relu",
      "}",
      "",
    ].join("\n");
    const doc = await open(server, text);
    assert.deepEqual(doc.diagnostics.map((d) => d.code), ["depth-mismatch"]);
    assert.equal(slice(text, doc.diagnostics[0].range), "residual");
    const actions = await actionsFor(server, doc, doc.diagnostics[0].range, doc.diagnostics);
    assert.deepEqual(actions.map((a) => a.title), ["Add a 1×1 projection shortcut: conv 128 1x1 stride 2 floor"]);
    const after = await applied(server, doc, actions[0]);
    assert.equal(after.text, text.replace("  }\n  relu", "  } shortcut {\n    conv 128 1x1 stride 2 floor\n  }\n  relu"));
    assert.deepEqual(after.diagnostics, []);
  });

  it("a body with batch norm gets torchvision's projection: a bias-free strided 1×1 conv, then bn; message and fix say the same", async () => {
    const text = [
      "network B {",
      "  input 56x56x16",
      "  residual {",
      "    conv 32 3x3 stride 2 pad 1 nobias floor",
      "    bn",
      "    relu",
      "    conv 32 3x3 pad 1 nobias",
      "    bn",
      "  }",
      "  relu",
      "}",
      "",
    ].join("\n");
    const doc = await open(server, text);
    assert.deepEqual(doc.diagnostics.map((d) => d.code), ["depth-mismatch"]);
    assert.match(String(doc.diagnostics[0].message), /add a 1×1 projection shortcut: `shortcut \{ conv 32 1x1 stride 2 nobias floor; bn \}`$/);
    const actions = await actionsFor(server, doc, doc.diagnostics[0].range, doc.diagnostics);
    assert.deepEqual(actions.map((a) => a.title), ["Add a 1×1 projection shortcut: conv 32 1x1 stride 2 nobias floor; bn"]);
    const after = await applied(server, doc, actions[0]);
    assert.equal(after.text, text.replace("    bn\n  }\n  relu", "    bn\n  } shortcut {\n    conv 32 1x1 stride 2 nobias floor\n    bn\n  }\n  relu"));
    assert.deepEqual(after.diagnostics, []);
    // odd sizes: 7 → 4 takes stride 2 (⌊6/2⌋ + 1 = 4) and tiles, no floor
    const odd = await open(server, text.replace("56x56x16", "7x7x16"));
    assert.match(String(odd.diagnostics[0].message), /`shortcut \{ conv 32 1x1 stride 2 nobias; bn \}`$/);
    assert.deepEqual((await applied(server, odd, (await actionsFor(server, odd, odd.diagnostics[0].range, odd.diagnostics))[0])).diagnostics, []);
  });

  it("an existing shortcut of the wrong depth is replaced by the projection", async () => {
    const text = "network R {\n  input 8x8x16\n  residual {\n    conv 32 3x3 pad 1\n  } shortcut {\n    relu\n  }\n}\n";
    const doc = await open(server, text);
    const actions = await actionsFor(server, doc, doc.diagnostics[0].range, doc.diagnostics);
    assert.deepEqual(actions.map((a) => a.title), ["Replace the shortcut with a 1×1 projection: conv 32 1x1"]);
    const after = await applied(server, doc, actions[0]);
    assert.equal(after.text, "network R {\n  input 8x8x16\n  residual {\n    conv 32 3x3 pad 1\n  } shortcut {\n    conv 32 1x1\n  }\n}\n");
    assert.deepEqual(after.diagnostics, []);
  });

  it("in a block the projection is written with the block's parameter, so every use fits", async () => {
    const text = [
      "block Down(k) {",
      "  residual {",
      "    conv k 3x3 stride 2 pad 1 floor",
      "    conv k 3x3 pad 1",
      "  }",
      "}",
      "network N {",
      "  input 32x32x16",
      "  Down(32)",
      "  Down(64)",
      "}",
      "",
    ].join("\n");
    const doc = await open(server, text);
    assert.ok(doc.diagnostics.length >= 1 && doc.diagnostics.every((d) => d.code === "depth-mismatch"));
    const actions = await actionsFor(server, doc, doc.diagnostics[0].range, doc.diagnostics);
    assert.deepEqual(actions.map((a) => a.title), ["Add a 1×1 projection shortcut: conv k 1x1 stride 2 floor"]);
    assert.deepEqual((await applied(server, doc, actions[0])).diagnostics, []);
  });

  it("unknown names → the suggestion (layer kinds, misspelt options)", async () => {
    const doc = await open(server, "network U {\n  input 8x8x1\n  cnov 4 3x3\n  conv 4 3x3 strid 1 pad 1\n}\n");
    assert.deepEqual(doc.diagnostics.map((d) => d.code), ["unknown-name", "unknown-name"]);
    const titles: string[] = [];
    let text = doc.text;
    for (const d of doc.diagnostics) {
      const [action] = await actionsFor(server, doc, d.range, [d]);
      titles.push(action.title);
      assert.equal(action.isPreferred, true);
      text = applyEdits(text, action.edit!.changes![doc.uri]);
    }
    assert.deepEqual(titles, ["Change to `conv`", "Change to `stride`"]);
    const { diagnostics } = await server.open("file:///fix/unknown-fixed.cnn", text);
    assert.deepEqual(diagnostics, []);
  });

  it("preserve size: pad (F−1)/2, offered as a refactoring on a shrinking stride-1 layer", async () => {
    const text = "network S {\n  input 32x32x3\n  conv 6 5x5\n  conv 6 5x3 dilation 2\n  maxpool 2x2\n}\n";
    const doc = await open(server, text);
    const at = (line: number) => ({ start: { line, character: 4 }, end: { line, character: 4 } });
    const first = await actionsFor(server, doc, at(2), []);
    assert.deepEqual(first.map((a) => [a.title, a.kind]), [["Preserve size: pad (F−1)/2 = 2", "refactor.rewrite"]]);
    const second = await actionsFor(server, doc, at(3), []);
    assert.deepEqual(second.map((a) => a.title), ["Preserve size: pad (F−1)/2 = 4x2"]);
    // a 2×2 pool (stride 2) is meant to shrink: nothing offered
    assert.deepEqual(await actionsFor(server, doc, at(4), []), []);
    // asking for quick fixes only leaves refactorings out
    assert.deepEqual(await actionsFor(server, doc, at(2), [], ["quickfix"]), []);

    const after = await applied(server, doc, first[0]);
    assert.match(after.text, /conv 6 5x5 pad 2\n/);
    const uri = `file:///fix/preserved${++counter}.cnn`;
    await server.open(uri, after.text);
    const hints = await server.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } } });
    assert.equal(hints.find((h) => h.position.line === 2)!.label, "→ 32×32×6 · 456 params");
  });
});
