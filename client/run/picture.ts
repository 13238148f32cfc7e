// The picture an `input … sample "x.png"` line names, read for the run view: relative to
// the .cnn file, and only from inside an open workspace folder (the view never reads
// anything else on its own).

import * as vscode from "vscode";
import { MAX_PICTURE_BYTES, type Picture } from "../../webview/protocol";

export async function readInputPicture(document: vscode.Uri, path: string): Promise<Picture> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("/") || path.startsWith("\\")) {
    throw new Error(`sample "${path}": give a path relative to the .cnn file`);
  }
  const folder = vscode.workspace.getWorkspaceFolder(document);
  if (!folder) throw new Error(`sample "${path}": pictures are read only for files inside an open workspace folder`);
  const target = vscode.Uri.joinPath(document, "..", path);
  const inside = vscode.workspace.getWorkspaceFolder(target);
  const root = folder.uri.path.endsWith("/") ? folder.uri.path : `${folder.uri.path}/`;
  if (!inside || inside.uri.toString() !== folder.uri.toString() || !target.path.startsWith(root)) {
    throw new Error(`sample "${path}" is outside the workspace folder ${folder.name}: it is not read`);
  }
  return readPicture(target);
}

export async function readPicture(uri: vscode.Uri): Promise<Picture> {
  const name = uri.path.split("/").pop() ?? uri.path;
  if (!/\.(png|jpe?g)$/i.test(name)) throw new Error(`${name}: only PNG and JPEG pictures can be used`);
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    throw new Error(`the picture ${name} does not exist (${uri.fsPath || uri.path})`);
  }
  if (stat.size > MAX_PICTURE_BYTES) throw new Error(`the picture ${name} is ${(stat.size / 1e6).toFixed(1)} MB; at most ${MAX_PICTURE_BYTES / 1e6} MB`);
  const bytes = await vscode.workspace.fs.readFile(uri);
  return { name, base64: Buffer.from(bytes).toString("base64") };
}
