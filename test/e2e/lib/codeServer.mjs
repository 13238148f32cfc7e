// A real VS Code (code-server: VS Code 1.100 served to a browser) in throwaway directories:
// its own config, user data, extensions, XDG dirs and TMPDIR, nothing shared with the user
// or with another run. Started in its own process group; stop() ends all of it.
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codeServerEntry } from "./paths.mjs";
import { atExit, spawnGroup } from "./processGroup.mjs";

/** What a first-time user would not want in the way of the tests. */
const quietSettings = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "chat.commandCenter.enabled": false,
  "git.enabled": false,
  "editor.inlayHints.enabled": "on",
  "editor.minimap.enabled": false,
  "window.restoreWindows": "none",
  "files.hotExit": "off",
};

/**
 * How the window treats the workspace folder:
 * - "off": workspace trust disabled (`--disable-workspace-trust`), so everything is trusted;
 * - "restricted": trust enabled and the folder never trusted, i.e. Restricted Mode, as for
 *   a folder someone downloaded. VS Code keeps the folders a user trusted in the browser's
 *   storage (IndexedDB); each run's Chromium profile is new, so nothing is trusted yet, and
 *   `startupPrompt: never` opens the folder in Restricted Mode without the modal dialog that
 *   would ask (and that a test could click away by accident).
 */
export const trustSettings = {
  off: { "security.workspace.trust.enabled": false },
  restricted: {
    "security.workspace.trust.enabled": true,
    "security.workspace.trust.startupPrompt": "never",
    "security.workspace.trust.banner": "always",
    "security.workspace.trust.emptyWindow": false,
  },
};

/** The trust mode a process was asked for (CNN_E2E_TRUST), "off" when none. */
export function trustMode(value = process.env.CNN_E2E_TRUST) {
  const mode = value || "off";
  if (!(mode in trustSettings)) throw new Error(`CNN_E2E_TRUST=${mode}: expected one of ${Object.keys(trustSettings).join(", ")}`);
  return mode;
}

/**
 * @param {{ runDir: string, workspace: string, extensionsDir?: string, settings?: object, env?: object, label?: string, trust?: "off" | "restricted" }} o
 * @returns {Promise<{ url: string, port: number, origin: string, userDataDir: string, extensionsDir: string, logFile: string, stop: () => Promise<void> }>}
 */
export async function startCodeServer({ runDir, workspace, extensionsDir, settings = {}, env = {}, label = "code-server", trust = "off" }) {
  if (!existsSync(codeServerEntry())) {
    throw new Error(`code-server is not installed (${codeServerEntry()}): run test/e2e/install.sh`);
  }
  const userDataDir = join(runDir, "user-data");
  const extDir = extensionsDir ?? join(runDir, "extensions");
  for (const d of [join(userDataDir, "User"), extDir, join(runDir, "xdg")]) mkdirSync(d, { recursive: true });
  // sockets live in TMPDIR and their paths must stay under 108 bytes: a short private one
  const tmp = mkdtempSync(join(tmpdir(), "cnn-e2e-"));
  const forgetTmp = atExit(() => rmSync(tmp, { recursive: true, force: true }));
  writeFileSync(join(userDataDir, "User", "settings.json"), JSON.stringify({ ...quietSettings, ...trustSettings[trustMode(trust)], ...settings }, null, 2));
  const config = join(runDir, "config.yaml");
  writeFileSync(config, "bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n");

  const logFile = join(runDir, `${label}.log`);
  const log = createWriteStream(logFile);
  const { child, stop: stopGroup } = spawnGroup(
    process.execPath,
    [
      codeServerEntry(),
      "--config", config,
      "--bind-addr", "127.0.0.1:0", // the OS picks a free port; the log says which
      "--auth", "none",
      "--disable-telemetry",
      "--disable-update-check",
      ...(trust === "off" ? ["--disable-workspace-trust"] : []),
      "--disable-getting-started-override",
      "--user-data-dir", userDataDir,
      "--extensions-dir", extDir,
      workspace,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env, ...privateDirs(runDir, tmp) },
    },
  );

  const listening = new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${label} did not start within 60 s:\n${seen}`)), 60_000);
    const onData = (chunk) => {
      log.write(chunk);
      if (seen.length < 20_000) seen += chunk;
      const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code ?? signal}) before listening:\n${seen}`));
    });
  });
  const port = await listening.catch(async (e) => {
    await stopGroup();
    rmSync(tmp, { recursive: true, force: true });
    forgetTmp();
    throw e;
  });
  // keep logging after start; ignore late writes once the stream is closed
  child.on("exit", () => log.end());

  const origin = `http://127.0.0.1:${port}`; // webviews need a secure context: 127.0.0.1 or localhost
  return {
    port,
    origin,
    url: `${origin}/?folder=${encodeURIComponent(workspace)}`,
    userDataDir,
    extensionsDir: extDir,
    logFile,
    stop: async () => {
      await stopGroup();
      rmSync(tmp, { recursive: true, force: true });
      forgetTmp();
    },
  };
}

/** Installs a .vsix the way a user does (`code-server --install-extension`), into extensionsDir. */
export function installVsix({ runDir, vsix, extensionsDir }) {
  for (const d of [extensionsDir, join(runDir, "xdg")]) mkdirSync(d, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), "cnn-e2e-"));
  const r = spawnSync(
    process.execPath,
    [codeServerEntry(), "--user-data-dir", join(runDir, "user-data"), "--extensions-dir", extensionsDir, "--install-extension", vsix],
    { encoding: "utf8", env: { ...process.env, ...privateDirs(runDir, tmp) }, timeout: 120_000 },
  );
  rmSync(tmp, { recursive: true, force: true });
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout + r.stderr)) {
    throw new Error(`installing ${vsix} failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
}

function privateDirs(runDir, tmp) {
  return {
    TMPDIR: tmp,
    EXTENSIONS_GALLERY: "{}", // no marketplace: nothing is fetched from the network
    XDG_CONFIG_HOME: join(runDir, "xdg", "config"),
    XDG_DATA_HOME: join(runDir, "xdg", "data"),
    XDG_CACHE_HOME: join(runDir, "xdg", "cache"),
  };
}
