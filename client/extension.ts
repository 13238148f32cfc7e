// The VS Code extension: starts the language server (over IPC, from the bundle in
// dist/server) for .cnn documents of any scheme — files, untitled, virtual workspaces —
// and adds the summary command and the run view.

import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { registerRunView } from "./run";
import { registerSummary } from "./summary";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath("dist/server/server.js");
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: "cnn" }],
    outputChannelName: "CNN Language Server",
    initializationOptions: { settings: vscode.workspace.getConfiguration("cnn") },
  };
  client = new LanguageClient("cnn", "CNN Language Server", serverOptions, clientOptions);
  registerSummary(context, client);
  registerRunView(context, client);
  await client.start();
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
