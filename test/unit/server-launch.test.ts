// Every way the language server is started gives node the same flags (server/protocol.ts
// `serverNodeFlags`): the VS Code client and the tests take them from there; `npm run lsp`
// and the command docs/EDITORS.md gives other editors are written out, and must not drift.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serverNodeFlags } from "../../server/protocol";
import { root } from "../lsp/support/client";

describe("the server's node flags, wherever it is started", () => {
  it("`npm run lsp` runs node with serverNodeFlags", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    assert.equal(manifest.scripts.lsp, `node ${serverNodeFlags.join(" ")} dist/server/server.js --stdio`);
  });

  it("docs/EDITORS.md's direct command gives the same flags", () => {
    const doc = readFileSync(join(root, "docs", "EDITORS.md"), "utf8");
    const commands = [...doc.matchAll(/`node ([^`]*?)\S*dist\/server\/server\.js --stdio`/g)].map((m) => m[1].trim());
    assert.ok(commands.length > 0, "EDITORS.md shows the command");
    for (const flags of commands) assert.equal(flags, serverNodeFlags.join(" "));
  });

  it("the flags are ones node accepts", () => {
    // (a misspelt V8 flag is refused at start: `node: bad option`)
    const r = spawnSync(process.execPath, [...serverNodeFlags, "-e", "process.exit(0)"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });
});
