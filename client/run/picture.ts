// The picture an `input … sample "x.png"` line names, read for the run view: relative to
// the .cnn file, and only from inside an open workspace folder (the view never reads
// anything else on its own); its structure and size are checked before it is sent.

import * as vscode from "vscode";
import type { Picture } from "../../webview/protocol";
import { MAX_PICTURE_BYTES, PictureError, probePicture } from "../../engine/samples/picture";
import { MAX_CLASSES_BYTES } from "../../webview/protocol";
import { classNamesFromBytes } from "../../engine/classes";
import { pictureLocation } from "./location";

export async function readInputPicture(document: vscode.Uri, path: string): Promise<Picture> {
  const folder = vscode.workspace.getWorkspaceFolder(document);
  if (!folder) throw new Error(`sample "${path}": pictures are read only for files inside an open workspace folder`);
  const where = pictureLocation(document.path, folder.uri.path, path);
  if ("refused" in where) throw new Error(where.refused);
  return readPicture(document.with({ path: where.path }));
}

/** The class names an `input … classes "names.txt"` line names: a text file beside the .cnn file, inside its workspace folder. */
export async function readClassNames(document: vscode.Uri, path: string): Promise<{ name: string; names: string[] }> {
  const folder = vscode.workspace.getWorkspaceFolder(document);
  if (!folder) throw new Error(`classes "${path}": class names are read only for files inside an open workspace folder`);
  const where = pictureLocation(document.path, folder.uri.path, path);
  if ("refused" in where) throw new Error(where.refused.replace(/^sample/, "classes"));
  const uri = document.with({ path: where.path });
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    throw new Error(`the classes file ${path} does not exist`);
  }
  if (stat.size > MAX_CLASSES_BYTES) throw new Error(`the classes file ${path} is ${(stat.size / 1e6).toFixed(1)} MB; at most ${MAX_CLASSES_BYTES / 1e6} MB`);
  try {
    return { name: path, names: classNamesFromBytes(await vscode.workspace.fs.readFile(uri)) };
  } catch (e) {
    throw new Error(`the classes file ${path}: ${(e as Error).message}`);
  }
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
  if ((stat.type & vscode.FileType.File) === 0) throw new Error(`cannot read the picture ${name}: not a regular file`);
  if (stat.size > MAX_PICTURE_BYTES) throw new Error(`cannot read the picture ${name}: the file is too large: ${(stat.size / 1e6).toFixed(1)} MB; pictures are read up to ${(MAX_PICTURE_BYTES / 1e6).toFixed(1)} MB`);
  const bytes = await vscode.workspace.fs.readFile(uri);
  // the page checks again (it trusts no message); refused here, the bytes are not even sent
  try {
    probePicture(bytes, name);
  } catch (e) {
    if (e instanceof PictureError) throw new Error(`cannot read the picture ${e.source}: ${e.problem}`);
    throw e;
  }
  return { name, base64: Buffer.from(bytes).toString("base64") };
}
