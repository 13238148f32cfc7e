// No text and no request takes the server down: garbage parameters, unknown documents,
// random text and random positions. After each, the server still answers correctly,
// and no feature had to be rescued by its guard (none threw).

import * as assert from "node:assert/strict";
import fc from "fast-check";
import type { Hover, InlayHint } from "vscode-languageserver-protocol";
import { CancellationTokenSource } from "vscode-languageserver-protocol/node";
import { TestServer } from "./support/client";
import { example } from "./support/fixtures";

const features = [
  "textDocument/hover",
  "textDocument/inlayHint",
  "inlayHint/resolve",
  "textDocument/completion",
  "textDocument/signatureHelp",
  "textDocument/codeAction",
  "textDocument/documentSymbol",
  "textDocument/definition",
  "textDocument/references",
  "textDocument/documentHighlight",
  "textDocument/prepareRename",
  "textDocument/foldingRange",
  "textDocument/semanticTokens/full",
  "textDocument/formatting",
  "textDocument/codeLens",
  "cnn/network",
  "cnn/summary",
];

async function stillAnswers(server: TestServer): Promise<void> {
  const uri = "file:///r/alive.cnn";
  await server.open(uri, "network Alive {\n  input 32x32x3\n  conv 10 5x5 stride 1 pad 2\n}\n", Date.now() % 1_000_000);
  const hints = await server.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } } });
  assert.ok(hints.some((h) => h.label === "→ 32×32×10 · 760 params"));
  assert.equal(server.exited, null);
}

describe("robustness: nothing takes the server down", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  let logged = 0;
  beforeEach(() => (logged = server.logs.length));
  /** what features logged as failed during this test */
  const failures = () => server.logs.slice(logged).filter((l) => / failed/.test(l) && !/^Notification handler/.test(l));

  it("garbage parameters to every request, unknown documents, unknown methods", async () => {
    const uri = "file:///r/real.cnn";
    await server.open(uri, example("resnet18.cnn"));
    const garbage: unknown[] = [
      null,
      {},
      { textDocument: null },
      { textDocument: { uri: 42 } },
      { textDocument: { uri: "file:///r/never-opened.cnn" }, position: { line: 0, character: 0 } },
      { textDocument: { uri }, position: { line: -5, character: -1 } },
      { textDocument: { uri }, position: { line: 1e12, character: 1e12 } },
      { textDocument: { uri }, position: { line: "x", character: null } },
      { textDocument: { uri }, position: { line: 3.7, character: Number.NaN } },
      { textDocument: { uri }, range: { start: { line: 40, character: 0 }, end: { line: 2, character: 0 } }, context: { diagnostics: "no" } },
      { textDocument: { uri }, range: null, context: null, options: null, newName: null },
      { uri: null, network: 7 },
      { position: null, label: null, data: [0, 1, 0] },
      { label: "x", data: [-1, 1e12, -7] },
      { label: "x", data: [0, "1", { at: 3 }] },
      [1, 2, 3],
      "text",
    ];
    for (const method of features) {
      for (const params of garbage) {
        // an error response is fine (the library rejects malformed params); a crash is not
        await server.request(method, params).catch(() => undefined);
      }
    }
    await assert.rejects(server.request("cnn/no-such-request", {}));
    await server.connection.sendNotification("textDocument/didChange", { textDocument: { uri: "file:///r/never-opened.cnn", version: 2 }, contentChanges: [{ text: "x" }] });
    await server.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version: null }, contentChanges: [{ range: { start: { line: 99, character: 0 }, end: { line: 0, character: 0 } }, text: "conv" }] });
    await server.connection.sendNotification("textDocument/didOpen", { textDocument: null });
    await server.connection.sendNotification("workspace/didChangeConfiguration", { settings: { cnn: { diagnostics: { severity: "loud" }, inlayHints: 5, shapeFormat: [] } } });
    await stillAnswers(server);
    assert.deepEqual(failures(), []);
  });

  it("hostile texts: deep nesting, huge lines, control characters, lone surrogates, a million characters", async () => {
    const texts = [
      "network N {\n" + "repeat 2 {\n".repeat(3000) + "relu\n" + "}\n".repeat(3000) + "}\n",
      "concat { branch { ".repeat(2000),
      "(".repeat(50_000),
      "[".repeat(20_000) + "1" + "]".repeat(20_000),
      "input 8x8x1\nconv 1 3x3 " + "stride 1 ".repeat(20_000),
      "\u0000\u0001\u0002\ud800\udfff\ud800 network \u202e {\uFEFF\n",
      "input 99999999999999999999x1x1\nconv 1e400 3x3\nrepeat 10000 { repeat 10000 { fc 1 } }\n",
      "# " + "😀".repeat(200_000) + "\nrelu\n",
      "input 4x4x1\n" + "relu\n".repeat(100_000),
    ];
    let n = 0;
    for (const text of texts) {
      const uri = `file:///r/hostile${n++}.cnn`;
      const { diagnostics } = await server.open(uri, text);
      // 3,000 nested braces: reported as syntax errors, located in the text
      if (n === 1) assert.ok(diagnostics.length > 0 && diagnostics.every((d) => d.code === "syntax" && d.range.start.line <= 6002), JSON.stringify(diagnostics));
      for (const method of features) {
        await server.request(method, {
          textDocument: { uri },
          position: { line: 1, character: 3 },
          range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } },
          context: { diagnostics: [], includeDeclaration: true },
          options: { tabSize: 2, insertSpaces: true },
          uri,
        });
      }
      await server.connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
    }
    await stillAnswers(server);
    assert.deepEqual(failures(), []);
  });

  it("random texts and random positions (fast-check): every feature answers", async () => {
    const vocabulary = ["network", "block", "input", "conv", "pad", "stride", "same", "residual", "shortcut", "concat", "branch", "repeat", "{", "}", "(", ")", "[", "]", ",", ";", ":", "=", "x", "×", "3", "32x32x3", "5x5", "k", "Basic(2)", "#", "//", "\n", "\r\n", " ", "中文", "😀", '"', "-1", "1.5"];
    const text = fc.oneof(fc.string({ maxLength: 200, unit: "grapheme" }), fc.array(fc.constantFrom(...vocabulary), { maxLength: 60 }).map((a) => a.join(" ")));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(text, fc.nat({ max: 12 }), fc.nat({ max: 80 }), async (body, line, character) => {
        const uri = `file:///r/random${n++}.cnn`;
        await server.open(uri, body);
        for (const method of features) {
          await server.request(method, {
            textDocument: { uri },
            position: { line, character },
            range: { start: { line: 0, character: 0 }, end: { line, character } },
            context: { diagnostics: [], triggerKind: 2, triggerCharacter: " " },
            options: { tabSize: 2, insertSpaces: true },
            uri,
          });
        }
        await server.connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
      }),
      { numRuns: 120 },
    );
    await stillAnswers(server);
    assert.deepEqual(failures(), []);
  });

  it("a cancelled request answers `RequestCancelled`, and the server goes on", async () => {
    // while the server analyzes a large file (opening it analyzes at once), the hover and
    // its cancellation both arrive: the hover is cancelled before it runs
    const uri = "file:///r/cancel.cnn";
    const opened = server.open(uri, "input 4x4x1\n" + "relu\n".repeat(60_000));
    const source = new CancellationTokenSource();
    const pending = server.connection.sendRequest<Hover>("textDocument/hover", { textDocument: { uri }, position: { line: 40, character: 4 } }, source.token);
    source.cancel();
    await assert.rejects(pending, (e: { code?: number }) => e.code === -32800);
    await opened;
    await stillAnswers(server);
  });
});
