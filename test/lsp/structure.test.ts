// Document symbols, definition, references, rename, highlights, folding and semantic
// tokens over the protocol.

import * as assert from "node:assert/strict";
import type { DocumentSymbol, FoldingRange, Location, SemanticTokens, WorkspaceEdit, DocumentHighlight } from "vscode-languageserver-protocol";
import { TestServer, marked, positionOf } from "./support/client";
import { applyEdits, example, slice } from "./support/fixtures";

describe("symbols, names, folding, semantic tokens", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("the outline: networks with totals, blocks with parameters, every statement nested as written", async () => {
    const uri = "file:///s/resnet18.cnn";
    const text = example("resnet18.cnn");
    await server.open(uri, text);
    const symbols = await server.request<DocumentSymbol[]>("textDocument/documentSymbol", { textDocument: { uri } });
    assert.deepEqual(symbols.map((s) => [s.name, s.detail, s.kind]), [
      ["Basic", "(k)", 12],
      ["Down", "(k)", 12],
      ["ResNet18", "224×224×3 → 1000 · 11,689,512 params", 5],
    ]);
    const net = symbols[2];
    // every statement, unlabelled ones named by what the line says
    assert.deepEqual(net.children!.map((c) => [c.name, c.detail]), [
      ["input 224x224x3", "→ 224×224×3"],
      ["conv1", "conv 64 7x7 stride 2 pad 3 nobias floor → 112×112×64 · 9,408 params"],
      ["bn", "→ 112×112×64 · 128 params"],
      ["relu", "→ 112×112×64"],
      ["maxpool 3x3 stride 2 pad 1 floor", "→ 56×56×64"],
      ["layer1", "repeat 2 → 56×56×64 · 147,968 params"],
      ["layer2", "Down(128) → 28×28×128 · 230,144 params"],
      ["Basic(128)", "→ 28×28×128 · 295,424 params"],
      ["layer3", "Down(256) → 14×14×256 · 919,040 params"],
      ["Basic(256)", "→ 14×14×256 · 1,180,672 params"],
      ["layer4", "Down(512) → 7×7×512 · 3,673,088 params"],
      ["Basic(512)", "→ 7×7×512 · 4,720,640 params"],
      ["gap", "→ 1×1×512"],
      ["fc 1000", "→ 1000 · 513,000 params"],
    ]);
    assert.deepEqual(net.children![5].children!.map((c) => c.name), ["Basic(64)"]);
    assert.equal(slice(text, net.selectionRange), "ResNet18");
    assert.equal(slice(text, net.children![1].selectionRange), "conv1");
    assert.equal(slice(text, net.children![2].selectionRange), "bn");
    // a block's body: the residual holds its statements, the shortcut is a child of its own
    const down = symbols[1];
    assert.deepEqual(down.children!.map((c) => c.name), ["residual", "relu"]);
    const residual = down.children![0];
    assert.deepEqual(residual.children!.map((c) => c.name), ["conv k 3x3 stride 2 pad 1 nobias floor", "bn", "relu", "conv k 3x3 pad 1 nobias", "bn", "shortcut"]);
    assert.deepEqual(residual.children![5].children!.map((c) => [c.name, c.detail]), [["conv k 1x1 stride 2 nobias floor", "→ 28×28×128 · 8,192 params · (1st of 3)"], ["bn", "→ 28×28×128 · 256 params · (1st of 3)"]]);
    // every range holds its children and its selection range
    const inside = (outer: { start: { line: number; character: number }; end: { line: number; character: number } }, inner: typeof outer) =>
      (inner.start.line > outer.start.line || (inner.start.line === outer.start.line && inner.start.character >= outer.start.character)) &&
      (inner.end.line < outer.end.line || (inner.end.line === outer.end.line && inner.end.character <= outer.end.character));
    const walk = (list: DocumentSymbol[]) => {
      for (const s of list) {
        assert.ok(s.name.length > 0);
        assert.ok(inside(s.range, s.selectionRange), `${s.name}: selection outside its range`);
        for (const c of s.children ?? []) assert.ok(inside(s.range, c.range), `${c.name} outside ${s.name}`);
        walk(s.children ?? []);
      }
    };
    walk(symbols);
  });

  it("the outline of branches and of a file with a syntax error", async () => {
    const uri = "file:///s/branches.cnn";
    await server.open(uri, "network I {\n  input 28x28x192\n  concat {\n    branch { conv 64 1x1 }\n    branch { conv 96 1x1; relu }\n  }\n  conv 8 (\n}\n");
    const symbols = await server.request<DocumentSymbol[]>("textDocument/documentSymbol", { textDocument: { uri } });
    const concat = symbols[0].children!.find((c) => c.name === "concat")!;
    assert.deepEqual(concat.children!.map((b) => [b.name, b.children!.map((c) => c.name)]), [["branch 1", ["conv 64 1x1"]], ["branch 2", ["conv 96 1x1", "relu"]]]);
  });

  it("a file of loose statements is one network named after the file", async () => {
    const uri = "file:///s/%E7%BB%83%E4%B9%A0.cnn";
    await server.open(uri, "input 32x32x3\nconv 10 5x5 stride 1 pad 2\n");
    const symbols = await server.request<DocumentSymbol[]>("textDocument/documentSymbol", { textDocument: { uri } });
    assert.deepEqual(symbols.map((s) => [s.name, s.detail]), [["练习", "32×32×3 → 32×32×10 · 760 params"]]);
  });

  const blocks = "block Ba<|>sic(k, s = 1) {\n  conv <|>k 3x3 stride s pad 1 floor\n  conv k 3x3 pad 1\n}\nnetwork N {\n  input 8x8x4\n  Basic(4)\n  Bas<|>ic(8, <|>s = 2)\n}\n";

  it("go to definition and find references for a block and a parameter (named arguments included)", async () => {
    const { text, offsets } = marked(blocks);
    const uri = "file:///s/names.cnn";
    await server.open(uri, text);
    const at = (i: number) => ({ textDocument: { uri }, position: positionOf(text, offsets[i]) });
    const def = await server.request<Location>("textDocument/definition", at(2));
    assert.equal(slice(text, def.range), "Basic");
    assert.equal(def.range.start.line, 0);
    const refs = await server.request<Location[]>("textDocument/references", { ...at(0), context: { includeDeclaration: true } });
    assert.deepEqual(refs.map((r) => r.range.start.line), [0, 6, 7]);
    const params = await server.request<Location[]>("textDocument/references", { ...at(3), context: { includeDeclaration: false } });
    assert.deepEqual(params.map((r) => [r.range.start.line, slice(text, r.range)]), [[1, "s"], [7, "s"]]);
    const k = await server.request<Location[]>("textDocument/references", { ...at(1), context: { includeDeclaration: true } });
    assert.deepEqual(k.map((r) => r.range.start.line), [0, 1, 2]);
    const lit = await server.request<DocumentHighlight[]>("textDocument/documentHighlight", at(1));
    assert.deepEqual(lit.map((h) => [h.range.start.line, h.kind]), [[0, 3], [1, 2], [2, 2]]);
  });

  it("rename a block and a parameter everywhere; refuse keywords, layer kinds and clashes", async () => {
    const { text, offsets } = marked(blocks);
    const uri = "file:///s/rename.cnn";
    await server.open(uri, text);
    const at = (i: number) => ({ textDocument: { uri }, position: positionOf(text, offsets[i]) });
    const prepared = await server.request<{ range: unknown; placeholder: string }>("textDocument/prepareRename", at(2));
    assert.equal(prepared.placeholder, "Basic");
    const edit = await server.request<WorkspaceEdit>("textDocument/rename", { ...at(2), newName: "Plain" });
    const renamed = applyEdits(text, edit.changes![uri]);
    assert.equal(renamed, text.replace(/Basic/g, "Plain"));
    const stride = await server.request<WorkspaceEdit>("textDocument/rename", { ...at(3), newName: "step" });
    assert.equal(applyEdits(text, stride.changes![uri]), text.replace("s = 1", "step = 1").replace("stride s", "stride step").replace("s = 2", "step = 2"));
    const { diagnostics } = await server.open("file:///s/renamed.cnn", applyEdits(text, stride.changes![uri]));
    assert.deepEqual(diagnostics, []);
    for (const [i, name, why] of [
      [2, "conv", /layer kind/],
      [2, "N", /already the name/],
      [2, "repeat", /keyword/],
      [3, "k", /already has a parameter `k`/],
      [3, "2x", /not a name/],
    ] as const) {
      await assert.rejects(server.request("textDocument/rename", { ...at(i), newName: name }), (e: Error) => why.test(e.message));
    }
    assert.equal(await server.request("textDocument/prepareRename", { textDocument: { uri }, position: { line: 5, character: 4 } }), null);
  });

  it("folding: definitions, bodies, each part of residual/shortcut, comment runs", async () => {
    const text = [
      "# Down-sampling block,", // 0
      "# as in ResNet.", // 1
      "block Down(k) {", // 2
      "  residual {", // 3
      "    conv k 3x3 stride 2 pad 1 floor", // 4
      "    conv k 3x3 pad 1", // 5
      "  } shortcut {", // 6
      "    conv k 1x1 stride 2 floor", // 7
      "  }", // 8
      "}", // 9
    ].join("\n");
    const uri = "file:///s/fold.cnn";
    await server.open(uri, text);
    const ranges = await server.request<FoldingRange[]>("textDocument/foldingRange", { textDocument: { uri } });
    assert.deepEqual(ranges.map((r) => [r.startLine, r.endLine, r.kind ?? ""]), [
      [0, 1, "comment"],
      [2, 8, ""],
      [3, 5, ""],
      [6, 7, ""],
    ]);
  });

  it("semantic tokens: network and block names, parameters, labels, layer kinds, same/valid", async () => {
    const text = "block B(k) {\n  conv k 3x3 pad same\n}\nnetwork Net {\n  input 8x8x1\n  first: B(4)\n  cnov 3\n}\n";
    const uri = "file:///s/tokens.cnn";
    await server.open(uri, text);
    const { data } = await server.request<SemanticTokens>("textDocument/semanticTokens/full", { textDocument: { uri } });
    const legend = (server.initialize.capabilities.semanticTokensProvider as { legend: { tokenTypes: string[]; tokenModifiers: string[] } }).legend;
    const decoded: string[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
      const mods = legend.tokenModifiers.filter((_, b) => data[i + 4] & (1 << b));
      const word = text.split("\n")[line].slice(char, char + data[i + 2]);
      decoded.push(`${word}:${legend.tokenTypes[data[i + 3]]}${mods.map((m) => `.${m}`).join("")}`);
    }
    assert.deepEqual(decoded, [
      "B:class.declaration",
      "k:parameter.declaration",
      "conv:function.defaultLibrary",
      "k:parameter",
      "same:enumMember",
      "Net:namespace.declaration",
      "input:function.defaultLibrary",
      "first:variable.declaration",
      "B:class",
    ]);
  });
});
