// Files the server writes for editors to open (a summary, a run's JSON): in its own
// temp folder, made on first use and removed when the server exits.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileNameOf } from "./snapshots";

let folder: string | null = null;
/** The server's own temp folder (removed when it exits). */
function tempFolder(): string {
  if (!folder) {
    const made = mkdtempSync(join(tmpdir(), "cnn-designer-"));
    folder = made;
    process.once("exit", () => rmSync(made, { recursive: true, force: true }));
  }
  return folder;
}
let written = 0;

/** A file of the server's temp folder: `<file> <network> <what>-<n>.<ext>` (a new name each time: editors keep stale buffers). */
export function tempFile(uri: string, network: string | undefined, what: string, ext: string, text: string): string {
  const safe = (s: string) => s.replace(/[^\p{L}\p{N}._-]+/gu, "_").slice(0, 80);
  const path = join(tempFolder(), `${safe(fileNameOf(uri))}${network ? `-${safe(network)}` : ""}-${what}-${++written}.${ext}`);
  writeFileSync(path, text);
  return path;
}

