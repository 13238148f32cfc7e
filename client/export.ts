// "CNN: Export ONNX…": the network under the cursor (or the one a caller names) as an ONNX
// model with the run view's seeded weights (`cnn.run.seed`), saved where the user says —
// beside the .cnn file by default. The network comes from the language server
// (`cnn/network`); the model is made by the engine, as `cnn export --onnx` makes it.

import { posix } from "node:path";
import * as vscode from "vscode";
import { nodeDescriber } from "../engine/describe";
import { exportedText, onnxModel, onnxRefusal } from "../engine/onnx/model";
import { deserializeNetwork } from "../analysis/serialize";
import { isAllocationFailure } from "../engine/budget";
import type { NetworkResult } from "../analysis/types";
import type { NetworkSource } from "./run/source";
import { budgetSetting, seedSetting } from "./settings";
import { networkTarget } from "./target";

export const exportOnnxCommand = "cnn.exportOnnx";

/**
 * Arguments: [uri, networkName, saveTo]; all optional. `saveTo` (a Uri) skips the save
 * dialog. Resolves to the written file, or undefined when nothing was written (no .cnn
 * file, the network refused — the user is told why — or the dialog cancelled).
 */
export function registerExportOnnx(context: vscode.ExtensionContext, source: NetworkSource): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(exportOnnxCommand, (uri?: unknown, network?: unknown, saveTo?: unknown) =>
      exportOnnxFile(source, uri, network, saveTo instanceof vscode.Uri ? saveTo : undefined),
    ),
  );
}

async function exportOnnxFile(source: NetworkSource, uri: unknown, name: unknown, saveTo: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  const target = await networkTarget(uri, name);
  if (!target) {
    void vscode.window.showInformationMessage("Open a .cnn file to export one of its networks as ONNX.");
    return undefined;
  }
  const sourceUri = vscode.Uri.parse(target.uri);
  const fileName = posix.basename(sourceUri.path) || target.uri;
  let network: NetworkResult;
  try {
    const response = await source(target.uri, target.network);
    if ("error" in response) return refuse(response.error);
    network = deserializeNetwork(response.network);
  } catch (e) {
    return refuse(`${fileName}: ${(e as Error).message}`);
  }
  // refused before asking where to save: no dialog for a file that will not be written
  const budgetMB = budgetSetting();
  const refusal = onnxRefusal(network, budgetMB);
  if (refusal) return refuse(refusal);

  const destination =
    saveTo ??
    (await vscode.window.showSaveDialog({
      defaultUri: besideSource(sourceUri, `${network.name}.onnx`),
      filters: { ONNX: ["onnx"] },
      saveLabel: "Export",
      title: `Export ${network.name} as ONNX`,
    }));
  if (!destination) return undefined;

  const seed = seedSetting();
  try {
    const text = (await vscode.workspace.openTextDocument(sourceUri)).getText();
    const bytes = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${network.name} as ONNX…` }, async () => {
      // the model is made in one synchronous stretch: let the notification go out first
      await new Promise((resolve) => setImmediate(resolve));
      return onnxModel(network, { seed, budgetMB, describe: nodeDescriber(fileName, text) });
    });
    await vscode.workspace.fs.writeFile(destination, bytes);
    void vscode.window.showInformationMessage(exportedText(network.name, vscode.workspace.asRelativePath(destination), bytes.length, `seed ${seed}`));
    return destination;
  } catch (e) {
    if (isAllocationFailure(e)) return refuse(`${network.name}: more memory than this machine could allocate (${(e as Error).message.split("\n")[0]})`);
    return refuse(`${network.name}: ${(e as Error).message}`);
  }
}

function refuse(reason: string): undefined {
  void vscode.window.showErrorMessage(`Nothing exported: ${reason}`);
  return undefined;
}

/** `name` in the .cnn file's folder; in the first workspace folder for an untitled file */
function besideSource(source: vscode.Uri, name: string): vscode.Uri | undefined {
  if (source.scheme !== "untitled") return source.with({ path: posix.join(posix.dirname(source.path), name), query: "", fragment: "" });
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, name) : undefined;
}
