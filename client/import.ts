// "CNN: Import ONNX…": an ONNX model as a .cnn design and its weights, as `cnn import`
// makes them (engine/onnx/import.ts). Pick the model (or a caller names it, or the
// Explorer's context menu on a .onnx file); the design and FILE.safetensors are written
// beside it — asked where when a file of that name is there already — and the design
// opens, its hints drawn by the language server. Nothing is written when the model cannot
// be expressed (the message names the node and the operator).

import { posix } from "node:path";
import * as vscode from "vscode";
import { importedFiles, importOnnx, ImportError } from "../engine/onnx/import";
import { isAllocationFailure } from "../engine/budget";

export const importOnnxCommand = "cnn.importOnnx";

/**
 * Arguments: [model, saveTo]; both optional Uris. `model` skips the open dialog, `saveTo`
 * (the .cnn to write) the save dialog. Resolves to the .cnn written, or undefined when
 * nothing was written (cancelled, or the model refused — the user is told why).
 */
export function registerImportOnnx(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(importOnnxCommand, (model?: unknown, saveTo?: unknown) =>
      importOnnxFile(model instanceof vscode.Uri ? model : undefined, saveTo instanceof vscode.Uri ? saveTo : undefined),
    ),
  );
}

async function importOnnxFile(model: vscode.Uri | undefined, saveTo: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  if (!model) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { ONNX: ["onnx"] },
      openLabel: "Import",
      title: "Import an ONNX model as a .cnn design",
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!picked?.length) return undefined;
    model = picked[0];
  }
  const modelName = posix.basename(model.path);
  let destination = saveTo ?? model.with({ path: model.path.replace(/(\.onnx)?$/i, ".cnn") });
  if (!saveTo && (await exists(destination))) {
    const chosen = await vscode.window.showSaveDialog({ defaultUri: destination, filters: { CNN: ["cnn"] }, saveLabel: "Import", title: `Import ${modelName} as` });
    if (!chosen) return undefined;
    destination = chosen;
  }
  if (!destination.path.endsWith(".cnn")) destination = destination.with({ path: `${destination.path}.cnn` });
  const weights = destination.with({ path: destination.path.replace(/\.cnn$/, ".safetensors") });
  const cnnName = posix.basename(destination.path);
  try {
    const files = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Importing ${modelName}…` }, async () => {
      const bytes = await vscode.workspace.fs.readFile(model!);
      // the import is one synchronous stretch: let the notification go out first
      await new Promise((resolve) => setImmediate(resolve));
      return importedFiles(importOnnx(bytes, cnnName.replace(/\.cnn$/, "")), cnnName, posix.basename(weights.path), modelName);
    });
    await vscode.workspace.fs.writeFile(weights, files.weights);
    await vscode.workspace.fs.writeFile(destination, new TextEncoder().encode(files.text));
    const document = await vscode.workspace.openTextDocument(destination);
    await vscode.window.showTextDocument(document);
    const summary = `Imported ${modelName}: ${files.layers} layer statements in ${vscode.workspace.asRelativePath(destination)}, weights in ${vscode.workspace.asRelativePath(weights)}.`;
    if (files.notes.length) void vscode.window.showWarningMessage(`${summary} ${files.notes.join(" ")}`);
    else void vscode.window.showInformationMessage(summary);
    return destination;
  } catch (e) {
    if (e instanceof ImportError) return refuse(`${modelName}: ${e.message}`);
    if (isAllocationFailure(e)) return refuse(`${modelName}: more memory than this machine could allocate`);
    return refuse(`${modelName}: ${(e as Error).message}`);
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

function refuse(reason: string): undefined {
  void vscode.window.showErrorMessage(`Nothing imported: ${reason}`);
  return undefined;
}
