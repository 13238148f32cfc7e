// "CNN: Show Summary": the torchinfo-like table of `cnn summary` in a read-only editor
// (plain text: select and copy it), kept up to date while you type. It opens in an editor
// group below the source by default (`cnn.summary.position`): the whole window's width,
// so no column is cut off; beside the source on request. Its depth (torchinfo's) is the
// command's third argument, else `cnn.summary.depth`.

import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { summaryMethod, type NetworkParams, type SummaryResponse } from "../server/protocol";

const scheme = "cnn-summary";

function summaryUri(source: vscode.Uri, network: string | undefined, depth: number | undefined): vscode.Uri {
  const base = source.path.split("/").pop() || "untitled.cnn";
  const params: NetworkParams = { uri: source.toString(), ...(network ? { network } : {}), ...(depth ? { depth } : {}) };
  const deep = depth && depth > 1 ? ` depth ${depth}` : "";
  return vscode.Uri.from({ scheme, path: `/${network ? `${network} — ` : ""}${base} summary${deep}.txt`, query: JSON.stringify(params) });
}

/** A depth given to the command, else the setting's (whole numbers 1–999). */
function depthOf(given: unknown): number | undefined {
  const d = typeof given === "number" ? given : vscode.workspace.getConfiguration("cnn.summary").get<number>("depth", 1);
  return Number.isInteger(d) && d >= 1 && d <= 999 ? d : undefined;
}

/** Shows the summary below the source (a new group under it, or the one already there), or beside it. */
async function show(doc: vscode.TextDocument): Promise<void> {
  const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString());
  if (open?.viewColumn !== undefined) {
    await vscode.window.showTextDocument(doc, { viewColumn: open.viewColumn, preview: true, preserveFocus: true });
    return;
  }
  const position = vscode.workspace.getConfiguration("cnn.summary").get<string>("position", "below");
  if (position === "beside" || !vscode.window.activeTextEditor) {
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    return;
  }
  const source = vscode.window.activeTextEditor;
  await vscode.commands.executeCommand("workbench.action.newGroupBelow");
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: true, preserveFocus: false });
  await vscode.window.showTextDocument(source.document, { viewColumn: source.viewColumn, preserveFocus: false });
}

class SummaryProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: LanguageClient) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    let params: NetworkParams;
    try {
      params = JSON.parse(uri.query) as NetworkParams;
    } catch {
      return "This summary's address is not valid.";
    }
    const response = await this.client.sendRequest<SummaryResponse>(summaryMethod, params);
    return "text" in response ? response.text : response.error;
  }

  /** The summaries of this source, to refresh after an edit. */
  refresh(source: vscode.Uri): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== scheme) continue;
      try {
        if ((JSON.parse(doc.uri.query) as NetworkParams).uri === source.toString()) this.changed.fire(doc.uri);
      } catch {
        // not one of ours
      }
    }
  }
}

export function registerSummary(context: vscode.ExtensionContext, client: LanguageClient): void {
  const provider = new SummaryProvider(client);
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(scheme, provider),
    vscode.commands.registerCommand("cnn.showSummary", async (target?: unknown, network?: unknown, depth?: unknown) => {
      const source =
        typeof target === "string" ? vscode.Uri.parse(target) : target instanceof vscode.Uri ? target : vscode.window.activeTextEditor?.document.uri;
      if (!source) {
        void vscode.window.showInformationMessage("Open a .cnn file to see its summary.");
        return;
      }
      // the server answers for open documents: open it (without showing it) if needed
      await vscode.workspace.openTextDocument(source);
      const doc = await vscode.workspace.openTextDocument(summaryUri(source, typeof network === "string" ? network : undefined, depthOf(depth)));
      await show(doc);
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.languageId !== "cnn") return;
      const key = e.document.uri.toString();
      clearTimeout(pending.get(key));
      pending.set(key, setTimeout(() => provider.refresh(e.document.uri), 300));
    }),
    { dispose: () => pending.forEach((t) => clearTimeout(t)) },
  );
}
