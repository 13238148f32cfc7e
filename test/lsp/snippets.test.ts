// Every snippet, expanded with its default placeholders, is valid .cnn: no diagnostic.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze } from "../../analysis";
import { root } from "./support/client";

interface Snippet {
  prefix: string;
  body: string[];
  description: string;
}

const snippets = JSON.parse(readFileSync(join(root, "snippets", "cnn.json"), "utf8")) as Record<string, Snippet>;

/** What the editor inserts when every placeholder keeps its default. */
function expand(body: string[], indent: string): string {
  return body
    .map((line) => indent + line.replace(/\t/g, "  "))
    .join("\n")
    .replace(/\$\{\d+:([^}]*)\}/g, "$1")
    .replace(/\$\{\d+\}|\$\d+/g, "");
}

describe("snippets", () => {
  for (const [name, snippet] of Object.entries(snippets)) {
    it(`${name} (${snippet.prefix}) expands to valid code`, () => {
      assert.ok(snippet.description.length > 10);
      let text: string;
      if (snippet.prefix === "network") text = expand(snippet.body, "").replace("input 32x32x3", "input 32x32x3\n  conv 8 3x3");
      else if (snippet.prefix.startsWith("block")) text = `${expand(snippet.body, "")}\nnetwork Uses {\n  input 32x32x64\n  Basic(64)\n  Basic(128, s = 2)\n}\n`;
      else text = `network Uses {\n  input 32x32x64\n${expand(snippet.body, "  ")}\n}\n`;
      const analysis = analyze(text, "snippet.cnn");
      assert.deepEqual(analysis.diagnostics.map((d) => `${d.code}: ${d.message}`), [], text);
      assert.ok(analysis.networks.every((n) => n.complete), text);
    });
  }
});
