// The run view's entry: the `cnn.run` command ("CNN: Run Network", and the code lens
// above each network, with arguments [uri, networkName]), `cnn.loadWeights` ("CNN: Load
// Weights…", the view's button) and panel restoration.

import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { RunPanel } from "./panel";
import { serverSource, type NetworkSource } from "./source";
import { networkTarget } from "../target";

export function registerRunView(context: vscode.ExtensionContext, client: LanguageClient): void {
  registerRunViewWith(context, serverSource(client));
}

/** the same, with any source of networks (tests use a local analyze()) */
export function registerRunViewWith(context: vscode.ExtensionContext, source: NetworkSource): void {
  context.subscriptions.push(
    vscode.commands.registerCommand("cnn.run", async (uri?: unknown, network?: unknown) => {
      const target = await networkTarget(uri, network);
      if (!target) {
        void vscode.window.showInformationMessage("Open a .cnn file to run one of its networks.");
        return;
      }
      RunPanel.createOrShow(context.extensionUri, source, target);
    }),
    // "CNN: Load Weights…": the run view's button, from the palette (opens the view first)
    vscode.commands.registerCommand("cnn.loadWeights", async (uri?: unknown, network?: unknown) => {
      if (!RunPanel.active) {
        const target = await networkTarget(uri, network);
        if (!target) {
          void vscode.window.showInformationMessage("Open a .cnn file to load weights for one of its networks.");
          return;
        }
        RunPanel.createOrShow(context.extensionUri, source, target);
      }
      await RunPanel.active?.loadWeights();
    }),
    vscode.window.registerWebviewPanelSerializer(RunPanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => RunPanel.revive(panel, context.extensionUri, source, state),
    }),
    { dispose: () => RunPanel.active?.dispose() },
  );
}
