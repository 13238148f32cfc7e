// Formatting over the protocol: an exact layout for a messy file, idempotence, and the
// promise that matters most: the formatted text means the same (every example and
// fixture analyzes to the same summary and diagnostics, token for token).

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { TextEdit } from "vscode-languageserver-protocol";
import { analyze } from "../../analysis";
import { summaryText } from "../../analysis/summary";
import { parse } from "../../grammar";
import { TestServer, root } from "./support/client";
import { applyEdits } from "./support/fixtures";

let counter = 0;

async function format(server: TestServer, text: string, options = { tabSize: 2, insertSpaces: true }): Promise<string> {
  const uri = `file:///f/doc${++counter}.cnn`;
  await server.open(uri, text);
  const edits = await server.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri }, options });
  return applyEdits(text, edits);
}

function cnnFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".cnn")).sort().map((f) => join(dir, f));
}

/** What a text means: every network's table, every diagnostic by line, every token. */
function meaning(text: string, file: string): string {
  const a = analyze(text, file);
  const lineOf = (offset: number) => text.slice(0, offset).split(/\r\n|\r|\n/).length;
  return [
    summaryText(file, a, a.networks, "WxHxD"),
    ...a.diagnostics.map((d) => `${lineOf(d.start)} ${d.severity}[${d.code}] ${d.message}`),
    parse(text).tokens.map((t) => t.image).join(" "),
  ].join("\n");
}

describe("formatting", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("indents by braces, one space between tokens, aligns the kinds of consecutive layers and the trailing comments", async () => {
    const messy = [
      "network   LeNet5{",
      "input 32x32x1",
      "    conv 6 5x5 # c1 卷积 😀",
      "  avgpool   2x2      # s2",
      "sigmoid",
      "  conv 16 5x5    # c3",
      "   ",
      "        fc 10   #  out",
      "softmax",
      "    }",
      "block B(k ,s=1){",
      "  residual{ conv k 3x3 pad 1 }shortcut{conv k 1x1}",
      "}",
      "",
    ].join("\n");
    const expected = [
      "network LeNet5 {",
      "  input   32x32x1",
      "  conv    6 5x5   # c1 卷积 😀",
      "  avgpool 2x2     # s2",
      "  sigmoid",
      "  conv    16 5x5  # c3",
      "",
      "  fc 10         #  out",
      "  softmax",
      "}",
      "block B(k, s = 1) {",
      "  residual { conv k 3x3 pad 1 } shortcut { conv k 1x1 }",
      "}",
      "",
    ].join("\n");
    assert.equal(await format(server, messy), expected);
    assert.equal(await format(server, expected), expected);
  });

  it("indents with spaces: the editor's width when it asks for spaces, else two (Neovim's default tabs of 8 included); CRLF kept", async () => {
    const text = "network N {\r\n input 8x8x1\r\n repeat 2 {\r\n relu\r\n }\r\n}\r\n";
    assert.equal(await format(server, text, { tabSize: 4, insertSpaces: true }), "network N {\r\n    input 8x8x1\r\n    repeat 2 {\r\n        relu\r\n    }\r\n}\r\n");
    const two = "network N {\r\n  input 8x8x1\r\n  repeat 2 {\r\n    relu\r\n  }\r\n}\r\n";
    assert.equal(await format(server, text, { tabSize: 4, insertSpaces: false }), two);
    // what Neovim sends by default (shiftwidth 8, noexpandtab)
    assert.equal(await format(server, text, { tabSize: 8, insertSpaces: false }), two);
    // a tab-indented file becomes space-indented
    assert.equal(await format(server, two.replace(/  /g, "\t")), two);
  });

  it("one argument column per paragraph: lines without arguments, labels and block uses do not break it; `=` spaced everywhere", async () => {
    const text = [
      "block Head(n, p=0.5) {",
      "  fc 128",
      "  relu",
      "  dropout p",
      "  fc n",
      "}",
      "network N {",
      "  input 32x32x3",
      "  c1: conv 8 3x3 pad 1",
      "  maxpool 2",
      "  Head(n=10, p = 0.2)",
      "  softmax",
      "}",
      "",
    ].join("\n");
    assert.equal(
      await format(server, text),
      [
        "block Head(n, p = 0.5) {",
        "  fc      128",
        "  relu",
        "  dropout p",
        "  fc      n",
        "}",
        "network N {",
        "  input   32x32x3",
        "  c1: conv 8 3x3 pad 1",
        "  maxpool 2",
        "  Head(n = 10, p = 0.2)",
        "  softmax",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("literal lists keep their layout; lines continuing a list are left as written", async () => {
    const text = "input 6x6x1\nconv 1 3x3 weights [[1,0,-1],\n                    [1,0,-1],\n                    [1,0,-1]]   bias 0\n";
    assert.equal(await format(server, text), "input 6x6x1\nconv 1 3x3 weights [[1,0,-1],\n                    [1,0,-1],\n                    [1,0,-1]]   bias 0\n");
  });

  it("a text with syntax errors is left alone", async () => {
    const text = "network N {\n      input 8x8x1\n  conv 6 (\n}\n";
    assert.equal(await format(server, text), text);
  });

  for (const dir of ["examples", "test/fixtures"]) {
    it(`every file in ${dir}/ keeps its meaning and formats idempotently`, async () => {
      let changed = 0;
      for (const file of cnnFiles(join(root, dir))) {
        const text = readFileSync(file, "utf8");
        const name = relative(root, file);
        const once = await format(server, text);
        if (once !== text) changed++;
        assert.equal(meaning(once, name), meaning(text, name), `${name} changed meaning`);
        assert.equal(await format(server, once), once, `${name}: formatting twice changes it again`);
      }
      // the comparison is not vacuous: formatting did rewrite files here
      assert.ok(changed >= 3, `only ${changed} files changed`);
    });
  }
});
