// Placeholder until the engine's run view lands (it replaces this file): `cnn.run`
// says so instead of failing silently.

import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";

export function registerRunView(context: vscode.ExtensionContext, _client: LanguageClient): void {
  context.subscriptions.push(
    vscode.commands.registerCommand("cnn.run", () => vscode.window.showInformationMessage("The CNN run view is not built yet.")),
  );
}
