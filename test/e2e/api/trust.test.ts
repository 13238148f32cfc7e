// The suite runs twice: with workspace trust off, and in Restricted Mode (the folder not
// trusted, CNN_E2E_TRUST=restricted). Every other test is the same in both; this one makes
// sure each run really is in the mode it claims, so a Restricted Mode run that silently
// got a trusted window fails instead of proving nothing.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import manifest from "../../../package.json";
import { extensionId, openCnn } from "./support";

const mode = process.env.CNN_E2E_TRUST;

describe("workspace trust", () => {
  it("the window is in the trust mode the harness asked for", () => {
    assert.ok(mode === "off" || mode === "restricted", `CNN_E2E_TRUST reaches the extension host (run-api.mjs sets it); got ${String(mode)}`);
    assert.equal(vscode.workspace.isTrusted, mode === "off", `vscode.workspace.isTrusted in a run with trust ${mode}`);
  });

  it("the extension declares untrusted workspaces supported, and is active in this one", async () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
    await openCnn("lenet5.cnn");
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension?.isActive, `${extensionId} is active (trusted: ${vscode.workspace.isTrusted})`);
  });
});
