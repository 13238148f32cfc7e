#!/usr/bin/env node
// Stands in for the VS Code executable that @vscode/test-electron's runTests() launches
// (pass it as vscodeExecutablePath). Desktop VS Code cannot be downloaded here, so this starts
// code-server (VS Code 1.100 for the browser) in fresh directories, opens the workbench in
// headless Chromium with the extension development and test paths in the URL's payload, and
// exits with the test run's exit code. Arguments it does not need (--no-sandbox,
// --user-data-dir, --extensions-dir …) are ignored: every run gets its own directories.
// runTests always passes --disable-workspace-trust; the trust mode here is CNN_E2E_TRUST
// (lib/codeServer.mjs: "off", or "restricted" for an untrusted folder in Restricted Mode).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { format } from "node:util";
import { launchBrowser } from "./lib/browser.mjs";
import { startCodeServer, trustMode } from "./lib/codeServer.mjs";
import { artifactsDir, runsDir } from "./lib/paths.mjs";
import { extensionHostLogs, tail } from "./lib/steps.mjs";
import { Workbench } from "./lib/workbench.mjs";

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const developmentPath = option("extensionDevelopmentPath");
const testsPath = option("extensionTestsPath");
const folder = args.filter((a) => !a.startsWith("--")).at(-1) ?? developmentPath;
if (!developmentPath || !testsPath) {
  console.error("code-shim: needs --extensionDevelopmentPath=… and --extensionTestsPath=… (as runTests passes them)");
  process.exit(2);
}
const timeoutMs = Number(process.env.CNN_E2E_API_TIMEOUT_MS || 180_000);
const runDir = process.env.CNN_E2E_RUN_DIR || join(runsDir(), `api-${Date.now()}-${process.pid}`);
mkdirSync(runDir, { recursive: true });

// runTests' parent may be killed without passing the signal on: don't outlive it
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(1), 1000).unref();

const server = await startCodeServer({ runDir, workspace: folder, label: "code-server-api", trust: trustMode() });
let code = 1;
let browser;
try {
  browser = await launchBrowser({ runDir });
  const { page } = browser;
  let exited;
  const exit = new Promise((resolve) => (exited = resolve));
  // the workbench reports the extension host's console and the test's end through these
  await page.exposeFunction("codeAutomationLog", (type, logArgs) => {
    (type === "error" ? process.stderr : process.stdout).write(`${format(...(logArgs ?? []))}\n`);
  });
  await page.exposeFunction("codeAutomationExit", (exitCode) => exited(exitCode));
  page.on("pageerror", (e) => console.error(`[workbench page error] ${e.message}`));

  const authority = `127.0.0.1:${server.port}`;
  const payload = JSON.stringify([
    ["extensionDevelopmentPath", `vscode-remote://${authority}${developmentPath}`],
    ["extensionTestsPath", `vscode-remote://${authority}${testsPath}`],
  ]);
  await page.goto(`${server.url}&payload=${encodeURIComponent(payload)}`);
  let timer;
  const result = await Promise.race([exit, new Promise((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)))]);
  clearTimeout(timer);
  if (result === "timeout") {
    const artifacts = artifactsDir();
    mkdirSync(artifacts, { recursive: true });
    const shot = join(artifacts, "FAIL-api-timeout.png");
    await page.screenshot({ path: shot }).catch(() => {});
    console.error(`✗ the extension-host tests did not finish within ${timeoutMs / 1000} s; screenshot ${shot}`);
    console.error(await new Workbench(page).describeScreen().catch(() => ""));
    for (const log of extensionHostLogs(server.userDataDir)) console.error(`[${log}]\n${tail(log, 30)}`);
  } else {
    code = Number(result);
    if (code !== 0) {
      // a provider that throws shows nothing in the test; its log says why
      for (const log of extensionHostLogs(server.userDataDir).filter((f) => /CNN/.test(f))) {
        const errors = tail(log, 400).split("\n").filter((l) => /\[error\]/.test(l)).slice(-10);
        if (errors.length) console.error(`errors in ${log}:\n${errors.join("\n")}`);
      }
    }
  }
} catch (e) {
  console.error(`✗ code-shim: ${e.stack ?? e.message}`);
  console.error(tail(server.logFile, 30));
} finally {
  await browser?.close();
  await server.stop();
}
process.exit(code);
