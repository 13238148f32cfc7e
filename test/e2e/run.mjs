// The end-to-end tests in a real VS Code (scripts/test.mjs runs this after the other suites):
//   1. the extension-host suite (test/e2e/api, mocha) through @vscode/test-electron's runTests;
//   2. the workbench driven in headless Chromium (test/e2e/ui).
// Both use the extension as it is installed (the .vsix when vsce is available), fresh
// directories per run, and stop every process they start, also on failure.
// Each layer runs twice: with workspace trust off, and in Restricted Mode (the workspace
// folder not trusted; the UI layer then plays only the scenarios marked `restricted`).
//   node test/e2e/run.mjs [--api] [--ui] [--only=<scenario>] [--trust=off|restricted]
//   (default: both layers, both trust modes)
// Needs test/e2e/install.sh to have run once (Debian packages, code-server, playwright-core).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { installExtension } from "./lib/extensionPackage.mjs";
import { artifactsDir, chromiumPath, codeServerEntry, repoRoot, runsDir, toolsDir } from "./lib/paths.mjs";
import { runApi } from "./run-api.mjs";
import { runUi } from "./ui/run-ui.mjs";

const argv = process.argv.slice(2);
const wantApi = argv.includes("--api") || !argv.includes("--ui");
const wantUi = argv.includes("--ui") || !argv.includes("--api");
const only = argv.filter((a) => a.startsWith("--only=")).map((a) => a.slice(7));
const trustModes = argv.filter((a) => a.startsWith("--trust=")).map((a) => a.slice(8));
for (const mode of trustModes) {
  if (mode !== "off" && mode !== "restricted") {
    console.error(`✗ e2e: --trust=${mode}: expected off or restricted`);
    process.exit(2);
  }
}
const modes = trustModes.length ? trustModes : ["off", "restricted"];
const inMode = (mode) => (mode === "restricted" ? " in Restricted Mode" : "");

const missing = [
  [codeServerEntry(), `code-server (in ${toolsDir()})`],
  [chromiumPath(), "chromium"],
].filter(([file]) => !existsSync(file));
if (missing.length) {
  console.error(`✗ e2e: ${missing.map(([, what]) => what).join(" and ")} not installed. Run test/e2e/install.sh once (as root for the Debian packages).`);
  process.exit(1);
}

const started = Date.now();
const runDir = join(runsDir(), `run-${new Date().toISOString().replace(/[:.]/g, "-")}`);
// earlier runs' directories are only kept to look at after a failure
if (existsSync(runsDir())) for (const old of readdirSync(runsDir())) rmSync(join(runsDir(), old), { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });
const artifacts = artifactsDir();
mkdirSync(artifacts, { recursive: true });
for (const old of readdirSync(artifacts)) if (old.startsWith("FAIL-")) rmSync(join(artifacts, old), { force: true });

console.log("\ne2e: build and install the extension");
const built = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: repoRoot, stdio: "inherit" });
if (built.status !== 0) process.exit(1);
let installed;
try {
  installed = installExtension({ runDir });
} catch (e) {
  console.error(`✗ e2e: the extension could not be packaged or installed:\n${e.message}`);
  process.exit(1);
}
console.log(`  ${installed.id} installed from ${installed.how === "vsix" ? installed.vsix : "the built files"} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

const summary = [];
let ok = true;
for (const trust of modes) {
  const dir = trust === "off" ? "" : `-${trust}`;
  if (wantApi) {
    console.log(`\ne2e layer 1${inMode(trust)}: extension-host tests (mocha, @vscode/test-electron runTests → code-server)`);
    const api = await runApi({ runDir: join(runDir, `api${dir}`), extensionPath: installed.extensionPath, trust });
    ok &&= api.ok;
    summary.push(`extension-host suite${inMode(trust)} ${api.ok ? "passed" : "FAILED"} in ${(api.ms / 1000).toFixed(1)} s`);
  }
  if (wantUi) {
    console.log(`\ne2e layer 2${inMode(trust)}: the workbench in headless Chromium`);
    const ui = await runUi({ runDir: join(runDir, `ui${dir}`), extensionsDir: installed.extensionsDir, artifacts, only: only.length ? only : undefined, trust });
    ok &&= ui.failed.length === 0;
    summary.push(`UI scenarios${inMode(trust)}: ${ui.passed.length} passed${ui.failed.length ? `, FAILED: ${ui.failed.join(", ")}` : ""} in ${(ui.ms / 1000).toFixed(1)} s`);
  }
}

console.log(`\ne2e: ${summary.join(";\n     ")};\n     total ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`  screenshots: ${artifacts}`);
if (ok) rmSync(runDir, { recursive: true, force: true });
else console.log(`  run directory kept for inspection: ${runDir}`);
process.exit(ok ? 0 : 1);
