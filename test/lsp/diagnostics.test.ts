// Diagnostics over the protocol: the spec's codes, tight UTF-16 ranges, related
// information, severities from the settings, and the version they belong to.

import * as assert from "node:assert/strict";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { TestServer } from "./support/client";
import { slice } from "./support/fixtures";

const codes = (list: Diagnostic[]) => list.map((d) => d.code);

describe("diagnostics", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("stride-misfit: a warning on the statement, the arithmetic in the message", async () => {
    const text = "network Misfit {\n  input 7x7x1\n  conv 1 3x3 stride 3   # 卷积 😀\n}\n";
    const { diagnostics, version } = await server.open("file:///d/misfit.cnn", text, 7);
    assert.equal(version, 7);
    assert.equal(diagnostics.length, 1);
    const [d] = diagnostics;
    assert.equal(d.code, "stride-misfit");
    assert.equal(d.source, "cnn");
    assert.equal(d.severity, 2);
    assert.equal(slice(text, d.range), "conv 1 3x3 stride 3");
    assert.match(d.message as string, /^stride 3 doesn't fit: \(7 − 3 \+ 2·0\)\/3 \+ 1 = 2\.33/);
  });

  it("depth-mismatch on the filter size only (spec §8), after CJK text on the same line", async () => {
    const text = "network Depth {\n  input 32x32x1 # 灰度\n  conv 6 5x5x3\n}\n";
    const { diagnostics } = await server.open("file:///d/depth.cnn", text);
    assert.deepEqual(codes(diagnostics), ["depth-mismatch"]);
    assert.equal(slice(text, diagnostics[0].range), "5x5x3");
    assert.deepEqual(diagnostics[0].range, { start: { line: 2, character: 9 }, end: { line: 2, character: 14 } });
  });

  it("related information: the first definition of a duplicate; the block use behind an error in a block body", async () => {
    const text = [
      "block Twice(k) { relu }",
      "network Twice {",
      "  input 8x8x1",
      "}",
      "block Shrink(k) {",
      "  conv k 5x5",
      "}",
      "network Small {",
      "  input 4x4x1",
      "  Shrink(2)",
      "}",
    ].join("\n");
    const { diagnostics } = await server.open("file:///d/related.cnn", text);
    const duplicate = diagnostics.find((d) => d.code === "duplicate-name")!;
    assert.equal(slice(text, duplicate.range), "Twice");
    assert.equal(duplicate.range.start.line, 1);
    assert.deepEqual(duplicate.relatedInformation!.map((r) => [r.location.uri, r.location.range.start.line, r.message]), [
      ["file:///d/related.cnn", 0, "first definition of `Twice`"],
    ]);
    const empty = diagnostics.find((d) => d.code === "empty-output")!;
    assert.equal(slice(text, empty.range), "conv k 5x5");
    assert.deepEqual(empty.relatedInformation!.map((r) => [slice(text, r.location.range), r.message]), [["Shrink", "in this use of `Shrink`"]]);
  });

  it("syntax errors are located; a broken file still gets its other diagnostics", async () => {
    const text = "network A {\n  input 8x8x1\n  conv 6 3x3 stride\n  conv 1 9x9\n}\n";
    const { diagnostics } = await server.open("file:///d/syntax.cnn", text);
    assert.ok(diagnostics.length >= 2, JSON.stringify(diagnostics));
    for (const d of diagnostics) assert.ok(d.range.start.line >= 2 && d.range.end.line <= 3, `${d.code} at ${JSON.stringify(d.range)}`);
    assert.ok(diagnostics.some((d) => d.code === "empty-output" && d.range.start.line === 3));
  });

  it("every publish carries the document's version; closing clears the diagnostics", async () => {
    const uri = "file:///d/versions.cnn";
    await server.open(uri, "network V {\n  input 7x7x1\n  conv 1 3x3 stride 2\n}\n", 1);
    const second = await server.change(uri, 2, [{ range: { start: { line: 2, character: 20 }, end: { line: 2, character: 21 } }, text: "3" }]);
    assert.equal(second.version, 2);
    assert.deepEqual(codes(second.diagnostics), ["stride-misfit"]);
    const cleared = server.diagnosticsFor(uri, undefined);
    await server.connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
    assert.deepEqual((await cleared).diagnostics, []);
  });
});

describe("diagnostics while typing", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("a burst of edits: publishes never go back to an older version, and the last one is for the final text", async () => {
    const uri = "file:///d/burst.cnn";
    await server.open(uri, "network B {\n  input 64x64x3\n  conv 8 3x3\n}\n", 1);
    // type " stride 2" after `conv 8 3x3`, one character per change, without waiting
    const typed = " stride 2";
    const sent: Promise<void>[] = [];
    for (let i = 0; i < typed.length; i++) {
      sent.push(server.connection.sendNotification("textDocument/didChange", {
        textDocument: { uri, version: i + 2 },
        contentChanges: [{ range: { start: { line: 2, character: 12 + i }, end: { line: 2, character: 12 + i } }, text: typed[i] }],
      }));
    }
    await Promise.all(sent);
    const last = await server.diagnosticsFor(uri, typed.length + 1);
    // (64 − 3)/2 + 1 = 31.5: the final text has a stride misfit
    assert.deepEqual(last.diagnostics.map((d) => d.code), ["stride-misfit"]);
    const seen = server.published(uri).map((p) => p.version ?? -1);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), `versions published: ${seen.join(", ")}`);
    assert.equal(seen[seen.length - 1], typed.length + 1);
  });
});

describe("diagnostic severities from the settings", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start({ settings: { diagnostics: { severity: { "stride-misfit": "error", "even-filter": "off", "depth-mismatch": "information" } } } })));
  after(() => server.stop());

  it("stride-misfit as an error, even-filter off, depth-mismatch as information", async () => {
    const text = "network S {\n  input 8x8x1\n  conv 1 4x4 pad same\n  conv 1 3x3x2 stride 2\n}\n";
    const { diagnostics } = await server.open("file:///d/severity.cnn", text);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [
      ["stride-misfit", 1],
      ["depth-mismatch", 3],
    ]);
  });
});
