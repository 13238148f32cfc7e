// `npm run fuzz`: builds the server and the CLI, bundles the fuzzers (test/fuzz) and runs
// them: the language server over stdio (fuzz.ts), then the files the CLI reads (files.ts).
// Arguments go to both:
//   npm run fuzz                   the short runs (LSP: 250 documents or 30 s; files: 8 cases; seeded)
//   npm run fuzz -- --long         LSP: 100,000 documents; files: 2,000 cases
//   npm run fuzz -- --lsp | --files              one of the two
//   npm run fuzz -- --docs N --seconds S --seed N --report FILE --verbose    (LSP)
//   npm run fuzz -- --files --cases N --seconds S --seed N --report FILE --verbose
import { build } from "esbuild";
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
if (!args.includes("--no-build")) {
  const b = spawnSync("node", ["scripts/build.mjs"], { stdio: "inherit" });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const only = args.includes("--files") ? "files" : args.includes("--lsp") ? "lsp" : null;
const passed = args.filter((a) => a !== "--no-build" && a !== "--files" && a !== "--lsp");
let status = 0;
for (const [name, entry] of [["lsp", "test/fuzz/fuzz.ts"], ["files", "test/fuzz/files.ts"]]) {
  if (only && only !== name) continue;
  const outfile = `out/fuzz/${name}.js`;
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    logLevel: "warning",
  });
  const r = spawnSync("node", ["--enable-source-maps", outfile, ...passed], { stdio: "inherit" });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
