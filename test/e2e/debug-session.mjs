// Debug helper (not part of the suite): start code-server + browser with the extension and
// run ad-hoc code from a file against the Workbench: node test/e2e/debug-session.mjs SCRIPT.mjs
// (CNN_E2E_TRUST=restricted: the folder untrusted, as lib/codeServer.mjs describes)
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { launchBrowser } from "./lib/browser.mjs";
import { startCodeServer, trustMode } from "./lib/codeServer.mjs";
import { installExtension } from "./lib/extensionPackage.mjs";
import { runsDir } from "./lib/paths.mjs";
import { Workbench } from "./lib/workbench.mjs";
import { freshWorkspace } from "./lib/workspace.mjs";

const runDir = join(runsDir(), `debug-${Date.now()}`);
const { extensionsDir } = installExtension({ runDir });
const server = await startCodeServer({ runDir, workspace: freshWorkspace(runDir), extensionsDir, trust: trustMode() });
const browser = await launchBrowser({ runDir });
try {
  const wb = new Workbench(browser.page);
  await wb.open(server.url);
  const script = await import(pathToFileURL(process.argv[2]).href);
  await script.default({ wb, page: browser.page, server, runDir });
} finally {
  await browser.close();
  await server.stop();
}
