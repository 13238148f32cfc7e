// The VS Code extension: starts the language server (over IPC, from the bundle in
// dist/server) for .cnn documents of any scheme — files, untitled, virtual workspaces —
// and adds the summary command, the run view, Export ONNX and Import ONNX.

import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { serverNodeFlags } from "../server/protocol";
import { registerExportOnnx } from "./export";
import { registerImportOnnx } from "./import";
import { registerRunView } from "./run";
import { serverSource } from "./run/source";
import { registerSummary } from "./summary";
import { registerArchitectureView } from "./architecture";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath("dist/server/server.js");
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: serverNodeFlags } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: serverNodeFlags } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: "cnn" }],
    outputChannelName: "CNN Language Server",
    // the settings at start, in VS Code's shape (plain JSON); later changes are pulled by
    // the server. The run view and the summary editor are this extension's own commands:
    // the server leaves them to it (server/commands.ts)
    initializationOptions: {
      settings: { cnn: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration("cnn"))) as unknown },
      clientCommands: ["cnn.run", "cnn.showSummary", "cnn.showArchitecture"],
    },
  };
  client = new LanguageClient("cnn", "CNN Language Server", serverOptions, clientOptions);
  registerImportOnnx(context);
  registerSummary(context, client);
  registerRunView(context, client);
  registerExportOnnx(context, serverSource(client));
  registerArchitectureView(context, client);
  await client.start();
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
