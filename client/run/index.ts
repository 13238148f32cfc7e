// The run view's entry: the `cnn.run` command ("CNN: Run Network", and the code lens
// above each network, with arguments [uri, networkName]) and panel restoration.

import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { RunPanel } from "./panel";
import { serverSource, type NetworkSource } from "./source";

export function registerRunView(context: vscode.ExtensionContext, client: LanguageClient): void {
  registerRunViewWith(context, serverSource(client));
}

/** the same, with any source of networks (tests use a local analyze()) */
export function registerRunViewWith(context: vscode.ExtensionContext, source: NetworkSource): void {
  context.subscriptions.push(
    vscode.commands.registerCommand("cnn.run", async (uri?: unknown, network?: unknown) => {
      const target = await targetOf(uri, network);
      if (!target) {
        void vscode.window.showInformationMessage("Open a .cnn file to run one of its networks.");
        return;
      }
      RunPanel.createOrShow(context.extensionUri, source, target);
    }),
    vscode.window.registerWebviewPanelSerializer(RunPanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => RunPanel.revive(panel, context.extensionUri, source, state),
    }),
    { dispose: () => RunPanel.active?.dispose() },
  );
}

/** the network to run: the arguments of a code lens, else the active .cnn editor's network under the cursor */
async function targetOf(uri: unknown, network: unknown): Promise<{ uri: string; network?: string } | null> {
  if (typeof uri === "string" || uri instanceof vscode.Uri) {
    const text = uri.toString();
    return typeof network === "string" ? { uri: text, network } : { uri: text };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "cnn") return null;
  const name = await networkAtCursor(editor);
  return name ? { uri: editor.document.uri.toString(), network: name } : { uri: editor.document.uri.toString() };
}

/** the outline's top-level symbol around the cursor (networks are top-level symbols) */
async function networkAtCursor(editor: vscode.TextEditor): Promise<string | undefined> {
  try {
    const symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>("vscode.executeDocumentSymbolProvider", editor.document.uri);
    const cursor = editor.selection.active;
    for (const s of symbols ?? []) {
      const range = "range" in s ? s.range : s.location.range;
      if (!range.contains(cursor)) continue;
      const name = s.name.replace(/^network\s+/, "");
      // only a name the file really defines as a network
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && new RegExp(`\\bnetwork\\s+${name}\\b`).test(editor.document.getText())) return name;
    }
  } catch {
    // no outline: the server's default (the file's first network) will do
  }
  return undefined;
}
