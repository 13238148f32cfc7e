// The extension as users get it, installed into a fresh extensions dir: from the .vsix when
// the project can package one (vsce), else the same files laid out as an installed
// extension (`<publisher>.<name>-<version>/`), which is what VS Code scans.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { installVsix } from "./codeServer.mjs";
import { repoRoot } from "./paths.mjs";

/** What an installed extension needs when package.json names no `files`. */
const defaultFiles = ["package.json", "README.md", "CHANGELOG.md", "LICENSE", "LICENSE.md", "language-configuration.json", "dist", "syntaxes", "snippets", "images", "icons", "media"];

/** The extension under test: this project, or another folder (CNN_E2E_EXTENSION) while
 * trying the harness on a throwaway extension. */
export const extensionSource = () => process.env.CNN_E2E_EXTENSION || repoRoot;

export function manifest(source = extensionSource()) {
  return JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
}

function vsceCli() {
  const cli = join(repoRoot, "node_modules", "@vscode", "vsce", "vsce");
  return existsSync(cli) ? cli : undefined;
}

/**
 * @param {{ runDir: string, how?: "vsix" | "files" }} o  how: CNN_E2E_PACKAGE, else vsix when vsce is there
 * @returns {{ extensionsDir: string, extensionPath: string, id: string, how: string, vsix?: string }}
 */
export function installExtension({ runDir, source = extensionSource(), how = process.env.CNN_E2E_PACKAGE || (vsceCli() ? "vsix" : "files") }) {
  const m = manifest(source);
  const id = `${m.publisher}.${m.name}`;
  const extensionsDir = join(runDir, "extensions");
  mkdirSync(extensionsDir, { recursive: true });
  let vsix;
  if (how === "vsix") {
    const cli = vsceCli();
    if (!cli) throw new Error("CNN_E2E_PACKAGE=vsix but @vscode/vsce is not installed");
    vsix = join(runDir, `${m.name}-${m.version}.vsix`);
    // the project's own `package` script when it has one (its flags are the shipped ones);
    // a later --out wins over the script's
    const r = m.scripts?.package
      ? spawnSync("npm", ["run", "--silent", "package", "--", "--out", vsix], { cwd: source, encoding: "utf8" })
      : spawnSync(process.execPath, [cli, "package", "--no-dependencies", "--out", vsix], { cwd: source, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    installVsix({ runDir: join(runDir, "vsix-install"), vsix, extensionsDir });
  } else {
    const target = join(extensionsDir, `${id}-${m.version}`);
    for (const f of m.files ?? defaultFiles) {
      if (existsSync(join(source, f))) cpSync(join(source, f), join(target, f), { recursive: true });
    }
    cpSync(join(source, "package.json"), join(target, "package.json"));
  }
  const folder = readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(`${id}-`.toLowerCase()));
  if (!folder) throw new Error(`${id} is not in ${extensionsDir} after installing it`);
  const extensionPath = join(extensionsDir, folder);
  if (!existsSync(join(extensionPath, m.main.replace(/^\.\//, "")))) {
    throw new Error(`the installed extension lacks its entry point ${m.main} (did the build run?)`);
  }
  return { extensionsDir, extensionPath, id, how, vsix };
}
