// Headless Chromium (Debian's) driven by playwright-core, with a profile and HOME of its own.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromiumPath, playwrightModule, toolsDir } from "./paths.mjs";

export function playwright() {
  try {
    return createRequire(join(toolsDir(), "package.json"))(playwrightModule());
  } catch (e) {
    throw new Error(`playwright-core is not installed in ${toolsDir()}: run test/e2e/install.sh (${e.message})`);
  }
}

/** @returns {Promise<{ context: any, page: any, close: () => Promise<void> }>} */
export async function launchBrowser({ runDir, viewport = { width: 1400, height: 900 } }) {
  const home = join(runDir, "browser-home");
  mkdirSync(home, { recursive: true });
  const context = await playwright().chromium.launchPersistentContext(join(runDir, "browser-profile"), {
    executablePath: chromiumPath(),
    headless: true,
    viewport,
    deviceScaleFactor: 1,
    args: [
      "--no-sandbox", // runs as root in CI
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
    ],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_CACHE_HOME: join(home, ".cache") },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, close: () => context.close().catch(() => {}) };
}
