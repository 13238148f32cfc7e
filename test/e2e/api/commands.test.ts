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
  it("opens the run view beside LeNet5", async () => {
    const { document } = await openCnn("lenet5.cnn");
    const webviewTabs = () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
    const opened = new Promise<vscode.Tab>((resolve, reject) => {
      const timer = setTimeout(() => {
        listener.dispose();
        reject(new Error(`no webview tab within 30 s; tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label).join(", ")}`));
      }, 30_000);
      const listener = vscode.window.tabGroups.onDidChangeTabs(() => {
        const [tab] = webviewTabs();
        if (!tab) return;
        clearTimeout(timer);
        listener.dispose();
        resolve(tab);
      });
    });
    assert.equal(webviewTabs().length, 0, "no webview open before the command");
    // the command may stay busy while the network runs: wait for the tab, not for the command
    const ran = Promise.resolve(vscode.commands.executeCommand("cnn.run", document.uri));
    const tab = await Promise.race([opened, ran.then(() => opened)]);
    assert.ok(tab.label.includes("LeNet5"), `the run view names the network: "${tab.label}"`);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });
});
