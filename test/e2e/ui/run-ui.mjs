// Layer 2: the workbench in headless Chromium, driven like a person drives it.
// run.mjs calls runUi() after building and installing the extension (`run.mjs --ui`).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "../lib/browser.mjs";
import { startCodeServer } from "../lib/codeServer.mjs";
import { extensionHostLogs, Steps } from "../lib/steps.mjs";
import { Workbench } from "../lib/workbench.mjs";
import { freshWorkspace } from "../lib/workspace.mjs";
import { scenarios } from "./scenarios.mjs";

/**
 * @param {{ runDir: string, extensionsDir: string, artifacts: string, only?: string[] }} o
 * @returns {Promise<{ passed: string[], failed: string[], ms: number }>}
 */
export async function runUi({ runDir, extensionsDir, artifacts, only }) {
  const started = Date.now();
  mkdirSync(runDir, { recursive: true });
  const workspace = freshWorkspace(runDir);
  const server = await startCodeServer({ runDir, workspace, extensionsDir, label: "code-server-ui" });
  const browser = await launchBrowser({ runDir }).catch(async (e) => {
    await server.stop();
    throw e;
  });
  const wb = new Workbench(browser.page);
  const steps = new Steps({ layer: "ui", artifacts, workbench: wb, logs: () => [server.logFile, ...extensionHostLogs(server.userDataDir)] });
  const passed = [];
  const failed = [];
  try {
    await steps.step("the workbench opens the workspace", () => wb.open(server.url));
    for (const scenario of scenarios) {
      if (only && !only.some((o) => scenario.name.includes(o))) continue;
      console.log(` ${scenario.name}`);
      try {
        await scenario.run({ wb, steps, workspace, shot: (name, ...around) => screenshot(wb.page, join(artifacts, `${name}.png`), around) });
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

/** A screenshot of the area around some elements (for the README), or the whole page. */
async function screenshot(page, path, around) {
  const boxes = (await Promise.all(around.map((l) => l.boundingBox().catch(() => null)))).filter(Boolean);
  if (boxes.length === 0) {
    await page.screenshot({ path });
    return path;
  }
  const pad = 16;
  const view = page.viewportSize();
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
  const right = Math.min(view.width, Math.max(...boxes.map((b) => b.x + b.width)) + pad);
  const bottom = Math.min(view.height, Math.max(...boxes.map((b) => b.y + b.height)) + pad);
  await page.screenshot({ path, clip: { x, y, width: right - x, height: bottom - y } });
  return path;
}
