// Installs code-server and playwright-core into the e2e tools cache (see lib/paths.mjs).
// Called by install.sh after the Debian packages are in place. Idempotent: a stamp file
// records the versions; a second call with the same versions does nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installedStamp, tools, toolsDir, codeServerEntry, playwrightModule } from "./lib/paths.mjs";

const dir = toolsDir();
const wanted = { codeServer: tools.codeServer, playwrightCore: tools.playwrightCore };

if (existsSync(installedStamp()) && !process.argv.includes("--force")) {
  const have = JSON.parse(readFileSync(installedStamp(), "utf8"));
  if (have.codeServer === wanted.codeServer && have.playwrightCore === wanted.playwrightCore && existsSync(codeServerEntry())) {
    console.log(`e2e tools already installed in ${dir}`);
    process.exit(0);
  }
}

// native modules compile against the installed Node's headers; node-gyp would download them
const nodedir = process.env.npm_config_nodedir || "/usr";
if (!existsSync(join(nodedir, "include", "node", "node.h"))) {
  fail(`no Node headers in ${nodedir}/include/node (set npm_config_nodedir to the Node install that has them)`);
}

const started = Date.now();
rmSync(dir, { recursive: true, force: true });
const tmp = join(dir, ".tmp");
mkdirSync(tmp, { recursive: true });

// @vscode/ripgrep's postinstall downloads rg from GitHub, which is not reachable. It looks in
// a cache under TMPDIR first, so we put Debian's rg there in the archive it expects.
const rg = spawnSync("sh", ["-c", "command -v rg"], { encoding: "utf8" }).stdout.trim();
if (!rg) fail("ripgrep (rg) is not on PATH: run test/e2e/install.sh as root, or apt-get install ripgrep");
const rgCache = join(tmp, `vscode-ripgrep-cache-${tools.ripgrepPackage}`);
mkdirSync(rgCache, { recursive: true });
run("tar", ["czf", join(rgCache, tools.ripgrepAsset), "-C", join(rg, ".."), "rg"]);

// npm ≥ 11.19 blocks dependency install scripts unless the project's package.json allows
// them (`allowScripts`), and refuses --allow-scripts for project installs. code-server's
// postinstall runs `npm install` again in lib/vscode, a project of its own, where the native
// modules are built. So: fetch everything without scripts, let lib/vscode allow its native
// modules, then run the install scripts of code-server and argon2. Older npm ignores the
// `allowScripts` keys and behaves the same.
const allowTop = Object.fromEntries(tools.allowScripts.top.map((name) => [name, true]));
writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cnn-designer-e2e-tools", private: true, allowScripts: allowTop }, null, 2) + "\n");

const env = {
  ...process.env,
  TMPDIR: tmp,
  npm_config_yes: "true", // node-pty's install runs `npx node-gyp`
  npm_config_nodedir: nodedir, // the installed Node's headers: no header download
  npm_config_unsafe_perm: "true", // code-server's postinstall refuses root without it
  npm_config_build_from_source: "true", // node-pre-gyp (argon2) would try GitHub first
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
  // npm 11 warns about every env setting it does not know itself (unsafe-perm, build-from-source
  // are read by code-server's and node-pre-gyp's scripts, not by npm): errors only.
  npm_config_loglevel: "error",
};
const packages = [`code-server@${tools.codeServer}`, `playwright-core@${tools.playwrightCore}`];
run("npm", ["install", "--ignore-scripts", ...packages], { cwd: dir, env });

const vscodeDir = join(dir, "node_modules", "code-server", "lib", "vscode");
const vscodePackage = JSON.parse(readFileSync(join(vscodeDir, "package.json"), "utf8"));
vscodePackage.allowScripts = Object.fromEntries(tools.allowScripts.vscode.map((name) => [name, true]));
writeFileSync(join(vscodeDir, "package.json"), JSON.stringify(vscodePackage, null, 2) + "\n");
run("npm", ["rebuild", ...tools.allowScripts.top], { cwd: dir, env });

for (const [what, file] of [
  ["code-server", codeServerEntry()],
  ["playwright-core", playwrightModule()],
  ["argon2 (native)", join(dir, "node_modules/argon2/lib/binding")],
  ["node-pty (native)", join(vscodeDir, "node_modules/node-pty/build/Release/pty.node")],
  ["spdlog (native)", join(vscodeDir, "node_modules/@vscode/spdlog/build/Release/spdlog.node")],
  ["ripgrep", join(vscodeDir, "node_modules/@vscode/ripgrep/bin/rg")],
]) {
  if (!existsSync(file)) fail(`${what} missing after install: ${file}`);
}
rmSync(tmp, { recursive: true, force: true });
writeFileSync(installedStamp(), JSON.stringify({ ...wanted, seconds: Math.round((Date.now() - started) / 1000) }) + "\n");
console.log(`e2e tools installed in ${dir} in ${((Date.now() - started) / 1000).toFixed(0)} s`);

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
}

function fail(message) {
  console.error(`✗ e2e install: ${message}`);
  process.exit(1);
}
