// Which network a command acts on: the arguments of a code lens or a caller ([uri,
// networkName]), else the active .cnn editor's network under the cursor (else the
// server's default, the file's first network).

import * as vscode from "vscode";
import type { RunTarget } from "../webview/protocol";

export async function networkTarget(uri: unknown, network: unknown): Promise<RunTarget | null> {
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
