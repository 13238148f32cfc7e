// A fresh workspace per run, made of the project's own examples, so a test never edits a
// file of the repository and every run starts from the same text.
import { cpSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { repoRoot } from "./paths.mjs";

/** The files the tests open, as users have them in the repository. */
export const workspaceFiles = ["examples/lenet5.cnn", "examples/course/stride_fit.cnn", "examples/vgg16.cnn"];

export function freshWorkspace(runDir) {
  const dir = join(runDir, "workspace");
  mkdirSync(dir, { recursive: true });
  for (const f of workspaceFiles) cpSync(join(repoRoot, f), join(dir, basename(f)));
  return dir;
}
