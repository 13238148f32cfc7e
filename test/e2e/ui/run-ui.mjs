// Layer 2: the workbench in headless Chromium, driven like a person drives it.
// run.mjs calls runUi() after building and installing the extension (`run.mjs --ui`).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "../lib/browser.mjs";
import { startCodeServer } from "../lib/codeServer.mjs";
import { extensionHostLogs, Steps } from "../lib/steps.mjs";
import { Workbench } from "../lib/workbench.mjs";
import { freshWorkspace } from "../lib/workspace.mjs";
import { scenarios } from "./scenarios.mjs";

/**
 * trust "restricted": the workspace folder is not trusted (lib/codeServer.mjs); the run first
 * checks that the workbench says Restricted Mode, then plays the scenarios marked
 * `restricted` — what a user of a downloaded folder does first.
 * @param {{ runDir: string, extensionsDir: string, artifacts: string, only?: string[], trust?: "off" | "restricted" }} o
 * @returns {Promise<{ passed: string[], failed: string[], ms: number }>}
 */
export async function runUi({ runDir, extensionsDir, artifacts, only, trust = "off" }) {
  const started = Date.now();
  mkdirSync(runDir, { recursive: true });
  const workspace = freshWorkspace(runDir);
  for (const scenario of scenarios) for (const [name, text] of Object.entries(scenario.files ?? {})) writeFileSync(join(workspace, name), text);
  const restricted = trust === "restricted";
  const server = await startCodeServer({ runDir, workspace, extensionsDir, label: restricted ? "code-server-ui-restricted" : "code-server-ui", trust });
  const browser = await launchBrowser({ runDir }).catch(async (e) => {
    await server.stop();
    throw e;
  });
  const wb = new Workbench(browser.page);
  const steps = new Steps({ layer: restricted ? "ui-restricted" : "ui", artifacts, workbench: wb, logs: () => [server.logFile, ...extensionHostLogs(server.userDataDir)] });
  const passed = [];
  const failed = [];
  try {
    await steps.step("the workbench opens the workspace", () => wb.open(server.url));
    if (restricted) await steps.step("the window is in Restricted Mode (the status bar says so)", () => wb.restrictedModeShown());
    for (const scenario of scenarios) {
      if (only && !only.some((o) => scenario.name.includes(o))) continue;
      if (restricted && !scenario.restricted) continue;
      console.log(` ${scenario.name}`);
      try {
        await steps.step("start from an empty layout", () => wb.resetLayout());
        // a Restricted Mode run keeps its screenshots apart from the README's
        const shotName = (name) => (restricted ? `restricted-${name}` : name);
        await scenario.run({ wb, steps, workspace, shot: (name, ...around) => screenshot(wb, join(artifacts, `${shotName(name)}.png`), around) });
        passed.push(scenario.name);
      } catch {
        failed.push(scenario.name); // reported by the failing step; the next scenario still runs
        await wb.page.keyboard.press("Escape").catch(() => {});
      }
    }
  } catch {
    failed.push("workbench");
  } finally {
    await browser.close();
    await server.stop();
  }
  return { passed, failed, ms: Date.now() - started };
}

/**
 * A screenshot for the README: the editor from its left edge (line numbers included) down
 * past the elements in `around` (a hover, a menu, a line), or the whole page without them.
 */
async function screenshot(wb, path, around) {
  const page = wb.page;
  const boxes = (await Promise.all(around.map((l) => l.boundingBox().catch(() => null)))).filter(Boolean);
  if (boxes.length === 0) {
    await page.screenshot({ path });
    return path;
  }
  const editor = await wb.editor.boundingBox().catch(() => null);
  const view = page.viewportSize();
  const pad = 40;
  const left = Math.min(editor?.x ?? Infinity, ...boxes.map((b) => b.x));
  const right = Math.max(left + 760, ...boxes.map((b) => b.x + b.width + pad));
  const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
  const bottom = Math.min(view.height, Math.max(...boxes.map((b) => b.y + b.height)) + pad);
  const x = Math.max(0, left);
  await page.screenshot({ path, clip: { x, y: top, width: Math.min(view.width, right) - x, height: bottom - top } });
  return path;
}
