// Where the end-to-end harness keeps things. One place, so install and run agree.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const e2eDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = resolve(e2eDir, "..", "..");
export const tools = JSON.parse(readFileSync(join(e2eDir, "tools.json"), "utf8"));

/** code-server and playwright-core live outside the project's dependencies (both are big,
 * code-server has native modules); one cache per version pair, shared by every clone. */
export function toolsDir() {
  if (process.env.CNN_E2E_TOOLS) return resolve(process.env.CNN_E2E_TOOLS);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "cnn-designer-e2e", `code-server-${tools.codeServer}-playwright-${tools.playwrightCore}`);
}

export const codeServerEntry = () => join(toolsDir(), "node_modules", "code-server", "out", "node", "entry.js");
export const playwrightModule = () => join(toolsDir(), "node_modules", "playwright-core", "index.js");
export const installedStamp = () => join(toolsDir(), "installed.json");

/** Screenshots and logs a person looks at after a run (git-ignored). */
export const artifactsDir = () => resolve(process.env.CNN_E2E_ARTIFACTS || join(repoRoot, "test-artifacts"));
/** Per-run scratch space: profiles, user data, extensions, workspace copies (git-ignored). */
export const runsDir = () => resolve(process.env.CNN_E2E_RUNS || join(repoRoot, ".e2e", "runs"));

export function chromiumPath() {
  return process.env.CNN_E2E_CHROMIUM || "/usr/bin/chromium";
}
