// The extension's commands, run the way the command palette runs them.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { openCnn } from "./support";

describe("CNN: Show Summary", () => {
  it("opens the torchinfo-like table of LeNet5 beside the source", async () => {
    const { document } = await openCnn("lenet5.cnn");
    await vscode.commands.executeCommand("cnn.showSummary", document.uri);
    const summary = vscode.window.visibleTextEditors.map((e) => e.document).find((d) => d.uri.scheme === "cnn-summary");
    assert.ok(summary, `a summary editor is visible; visible: ${vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()).join(", ")}`);
    const text = summary.getText();
    assert.match(text, /^c1 \(conv\)\s+5\s+28×28×6\s+156\s+117,600$/m);
    assert.match(text, /^Total params: 61,706$/m);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });
});

describe("CNN: Run Network", () => {
  it("opens the run view, which names the network it got from the server", async () => {
    const { document } = await openCnn("lenet5.cnn");
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    const isRunView = (t: vscode.Tab) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith("cnn.run");
    assert.equal(tabs().filter(isRunView).length, 0, "no run view before the command");
    // the panel is titled "Run: <network>" once the server has sent the network
    const named = new Promise<vscode.Tab>((resolve, reject) => {
      const check = () => {
        const tab = tabs().find((t) => isRunView(t) && t.label.includes("LeNet5"));
        if (!tab) return;
        clearTimeout(timer);
        listener.dispose();
        resolve(tab);
      };
      const timer = setTimeout(() => {
        listener.dispose();
        reject(new Error(`no run view titled with LeNet5 within 30 s; tabs: ${tabs().map((t) => `${t.label} (${t.input instanceof vscode.TabInputWebview ? t.input.viewType : "text"})`).join(", ")}`));
      }, 30_000);
      const listener = vscode.window.tabGroups.onDidChangeTabs(check);
    });
    // the command may stay busy while the network runs: wait for the tab, not for the command
    const ran = Promise.resolve(vscode.commands.executeCommand("cnn.run", document.uri));
    await Promise.race([named, ran.then(() => named)]);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });
});
