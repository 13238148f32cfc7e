// Layer 1: the mocha suite in test/e2e/api, inside a real extension host, started through
// @vscode/test-electron's runTests — one entry point for both kinds of VS Code:
//   node test/e2e/run-api.mjs             code-server through code-shim.mjs (works offline)
//   node test/e2e/run-api.mjs --desktop   desktop VS Code, downloaded by test-electron
//   node test/e2e/run-api.mjs --restricted   code-server, the workspace folder not trusted
// run.mjs calls runApi() with an extension it has already built and installed.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runTests } from "@vscode/test-electron";
import { installExtension } from "./lib/extensionPackage.mjs";
import { e2eDir, repoRoot, runsDir } from "./lib/paths.mjs";
import { freshWorkspace } from "./lib/workspace.mjs";

const suiteOut = join(repoRoot, "out", "e2e", "api");

/** Bundles the suite for the extension host (vscode and mocha come from the host and node_modules). */
export async function bundleApiSuite() {
  rmSync(suiteOut, { recursive: true, force: true });
  await build({
    entryPoints: [join(e2eDir, "api", "*.ts")],
    outdir: suiteOut,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    external: ["vscode", "mocha"],
    logLevel: "warning",
  });
  return join(suiteOut, "index.js");
}

/**
 * trust: "off", or "restricted" (the folder untrusted; code-server only: runTests always
 * passes --disable-workspace-trust to desktop VS Code). The suite reads CNN_E2E_TRUST to
 * know which mode it must find itself in (api/trust.test.ts).
 * @param {{ runDir: string, extensionPath: string, desktop?: boolean, trust?: "off" | "restricted" }} o
 * @returns {Promise<{ ok: boolean, ms: number }>}
 */
export async function runApi({ runDir, extensionPath, desktop = false, trust = "off" }) {
  if (desktop && trust !== "off") throw new Error("a restricted-mode run needs code-server: runTests disables workspace trust in desktop VS Code");
  const started = Date.now();
  const extensionTestsPath = await bundleApiSuite();
  const workspace = freshWorkspace(runDir);
  try {
    await runTests({
      ...(desktop ? {} : { vscodeExecutablePath: join(e2eDir, "code-shim.mjs") }),
      extensionDevelopmentPath: extensionPath,
      extensionTestsPath,
      launchArgs: [workspace, "--disable-extensions"],
      extensionTestsEnv: { CNN_E2E_RUN_DIR: join(runDir, "vscode"), CNN_E2E_TRUST: trust },
    });
    return { ok: true, ms: Date.now() - started };
  } catch (e) {
    console.error(`✗ extension-host tests: ${e.message}`);
    return { ok: false, ms: Date.now() - started };
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const desktop = process.argv.includes("--desktop");
  const trust = process.argv.includes("--restricted") ? "restricted" : "off";
  const built = spawnSync(process.execPath, [join(repoRoot, "scripts", "build.mjs")], { stdio: "inherit", cwd: repoRoot });
  if (built.status !== 0) process.exit(1);
  const runDir = join(runsDir(), `api-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const { extensionPath } = installExtension({ runDir });
  const { ok } = await runApi({ runDir, extensionPath, desktop, trust });
  process.exit(ok ? 0 : 1);
}
