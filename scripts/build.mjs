// Bundles every entry point with esbuild. Type-checking is `npm run typecheck`.
import { build } from "esbuild";
import { existsSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { makeMnist } from "./make-mnist.mjs";

const production = process.argv.includes("--production");
const common = {
  bundle: true,
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "warning",
  target: "node20",
};

const node = [
  { in: "cli/cnn.ts", out: "dist/cli/cnn.js", banner: "#!/usr/bin/env node", external: ["@resvg/resvg-js"] },
  { in: "server/server.ts", out: "dist/server/server.js" },
  { in: "client/extension.ts", out: "dist/client/extension.js", external: ["vscode"] },
  // the run view's training thread (a worker_thread of the extension host)
  { in: "client/train/worker.ts", out: "dist/client/train-worker.js" },
];
// a training thread (cnn train --threads, engine/train/threaded.ts)
node.push({ in: "engine/train/thread-worker.ts", out: "dist/engine/train-thread.js" });
const browser = [
  { in: "webview/main.ts", out: "dist/webview/main.js" },
  { in: "engine/worker.ts", out: "dist/webview/worker.js" },
  { in: "diagram/view/main.ts", out: "dist/webview/architecture.js" },
];

const jobs = [];
for (const e of node) {
  if (!existsSync(e.in)) continue;
  jobs.push(
    build({
      ...common,
      entryPoints: [e.in],
      outfile: e.out,
      platform: "node",
      format: "cjs",
      external: e.external ?? [],
      banner: e.banner ? { js: e.banner } : undefined,
    }).then(() => e.banner && chmodSync(e.out, 0o755)),
  );
}
for (const e of browser) {
  if (!existsSync(e.in)) continue;
  jobs.push(build({ ...common, entryPoints: [e.in], outfile: e.out, platform: "browser", format: "iife", target: "es2022" }));
}
// the training digits (cnn train --data mnist, the run view's training)
makeMnist();
jobs.push(writeGrammar());
await Promise.all(jobs);

/**
 * The TextMate grammar VS Code loads: syntaxes/cnn.tmLanguage.json with every name of the
 * layer catalog (analysis/layers.ts `layerNames`) put in for `{{layer-kinds}}` and every
 * option word of the lexer (grammar/tokens.ts `keywordWords.options`) for `{{options}}`,
 * so a new layer kind or option is coloured without editing the grammar.
 */
async function writeGrammar() {
  const load = async (entry) => {
    const bundled = await build({ entryPoints: [entry], bundle: true, write: false, format: "cjs", platform: "node", logLevel: "warning" });
    const module = { exports: {} };
    new Function("module", "exports", bundled.outputFiles[0].text)(module, module.exports);
    return module.exports;
  };
  const words = (list, what) => {
    if (!Array.isArray(list) || list.length === 0 || !list.every((n) => /^[A-Za-z][A-Za-z0-9]*$/.test(n))) throw new Error(`${what} could not be read`);
    return list.join("|");
  };
  const names = words((await load("analysis/layers.ts")).layerNames, "the layer catalog's names");
  const options = words((await load("grammar/tokens.ts")).keywordWords?.options, "the lexer's option words");
  const template = readFileSync("syntaxes/cnn.tmLanguage.json", "utf8");
  for (const placeholder of ["{{layer-kinds}}", "{{options}}"]) if (!template.includes(placeholder)) throw new Error(`syntaxes/cnn.tmLanguage.json has no ${placeholder} to fill`);
  mkdirSync("dist/syntaxes", { recursive: true });
  writeFileSync("dist/syntaxes/cnn.tmLanguage.json", template.replaceAll("{{layer-kinds}}", names).replaceAll("{{options}}", options));
}
