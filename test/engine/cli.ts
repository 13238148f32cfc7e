// The built `cnn` command, run as a user would, for the engine's command-line tests.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** the repository: the first folder above the bundled test that holds package.json */
function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, "package.json"))) return dir;
  return join(from, "..", "..", "..");
}

export const root = findRoot(__dirname);

export function cnn(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "dist/cli/cnn.js"), ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** a fresh directory with `files` written in it; returns its path */
export function tempDir(files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "cnn-engine-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

export function tempCnn(text: string, name = "net.cnn"): string {
  return join(tempDir({ [name]: text }), name);
}
