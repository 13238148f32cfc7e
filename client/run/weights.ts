// "Load weights…" in the run view: a .safetensors file the user picks, checked against the
// network before it is used (the matching rule of engine/weights-match.ts: a file that does
// not fit is refused with its reasons, and the weights used before stay), then sent with
// each run of that network as RunMessage.weights (origin "file") — the path the view's
// training uses — until another file is loaded, the view trains, or the target changes.

import * as vscode from "vscode";
import type { NetworkResult } from "../../analysis";
import { initWeights } from "../../engine/init";
import { readWeightsFile } from "../../engine/weights-file";
import { MAX_WEIGHTS_BYTES, type RunTarget, type WeightsMessage } from "../../webview/protocol";

export interface LoadedWeights {
  /** the target (file and network) it was loaded for */
  key: string;
  /** what the view calls it: the file's path in its workspace folder, else its name */
  name: string;
  bytes: Uint8Array;
  /** what the match said (tensors no layer takes) */
  notes: string[];
}

export const targetKey = (t: RunTarget): string => `${t.uri}\u0000${t.network ?? ""}`;

/** Asks for a .safetensors file; null when none was picked. */
export async function pickWeightsFile(target: RunTarget): Promise<vscode.Uri | null> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(target.uri));
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: "Run with these weights",
    title: "Weights for the run: a .safetensors file (a state_dict saved under torch's names, cnn train's or cnn import's)",
    filters: { Safetensors: ["safetensors"] },
    ...(folder ? { defaultUri: folder.uri } : {}),
  });
  return chosen?.[0] ?? null;
}

/** Reads and checks the file for this network; throws an Error whose message says why not. */
export async function readWeightsFor(uri: vscode.Uri, target: RunTarget, network: NetworkResult): Promise<LoadedWeights> {
  const file = uri.path.split("/").pop() ?? uri.path;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const name = folder ? vscode.workspace.asRelativePath(uri, false) : file;
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    throw new Error(`${name} does not exist`);
  }
  if (stat.type !== vscode.FileType.File) throw new Error(`${name} is not a file`);
  if (stat.size > MAX_WEIGHTS_BYTES) throw new Error(`${name} is ${(stat.size / 1e6).toFixed(0)} MB; the run view takes weights files up to ${MAX_WEIGHTS_BYTES / 1e6} MB (cnn run --weights takes any)`);
  const bytes = await vscode.workspace.fs.readFile(uri);
  // the matching rule, before anything runs: a mismatch is refused here with its reasons
  const loaded = readWeightsFile(bytes, network, initWeights(network.graph, 0));
  return { key: targetKey(target), name, bytes, notes: loaded.notes };
}

export function weightsMessage(loaded: LoadedWeights): WeightsMessage {
  return { name: loaded.name, origin: "file", base64: Buffer.from(loaded.bytes).toString("base64") };
}
