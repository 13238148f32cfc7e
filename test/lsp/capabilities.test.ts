// An independent client launching `npm run --silent lsp` (spec §7) sees the announced
// capabilities, and the server shuts down cleanly when asked.

import * as assert from "node:assert/strict";
import type { InlayHint } from "vscode-languageserver-protocol";
import { TestServer } from "./support/client";

describe("`npm run --silent lsp`: a language server on stdio", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start({ viaNpm: true })));
  after(() => server.stop());

  it("announces hover, inlay hints, completion, code actions, document symbols and the rest", () => {
    const c = server.initialize.capabilities;
    assert.deepEqual(c.textDocumentSync, { openClose: true, change: 2 });
    assert.equal(c.hoverProvider, true);
    assert.deepEqual(c.inlayHintProvider, { resolveProvider: false });
    assert.deepEqual(c.completionProvider, { triggerCharacters: [" ", "(", ","], resolveProvider: false });
    assert.deepEqual(c.codeActionProvider, { codeActionKinds: ["quickfix", "refactor.rewrite"] });
    assert.ok(c.documentSymbolProvider);
    assert.deepEqual(c.signatureHelpProvider, { triggerCharacters: ["(", ",", " "], retriggerCharacters: ["="] });
    assert.equal(c.definitionProvider, true);
    assert.equal(c.referencesProvider, true);
    assert.equal(c.documentHighlightProvider, true);
    assert.deepEqual(c.renameProvider, { prepareProvider: true });
    assert.equal(c.foldingRangeProvider, true);
    assert.ok(c.semanticTokensProvider);
    assert.equal(c.documentFormattingProvider, true);
    assert.equal(c.documentRangeFormattingProvider, true);
    assert.deepEqual(c.codeLensProvider, { resolveProvider: false });
    assert.equal(server.initialize.serverInfo?.name, "cnn-language-server");
  });

  it("answers over stdio like the direct launch", async () => {
    const uri = "file:///cap/a.cnn";
    const { diagnostics } = await server.open(uri, "input 32x32x3\nconv 10 5x5 stride 1 pad 2\n");
    assert.deepEqual(diagnostics, []);
    const hints = await server.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } } });
    assert.deepEqual(hints.map((h) => h.label), ["→ 32×32×10 · 760 params"]);
  });

  it("shutdown, then exit: the process ends with code 0", async () => {
    await server.connection.sendRequest("shutdown");
    await server.connection.sendNotification("exit");
    const code = await new Promise<number>((resolve) => {
      if (server.exited !== null) resolve(server.exited);
      else server.process.once("exit", (c) => resolve(c ?? -1));
    });
    assert.equal(code, 0);
  });
});
