// `npm run fuzz`: builds the server, bundles the fuzzer (test/fuzz) and runs it against
// dist/server/server.js over stdio. Arguments go to the fuzzer:
//   npm run fuzz                   the short run (250 documents or 30 s, seeded)
//   npm run fuzz -- --long         100,000 documents
//   npm run fuzz -- --docs N --seconds S --seed N --report FILE --verbose
import { build } from "esbuild";
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
if (!args.includes("--no-build")) {
  const b = spawnSync("node", ["scripts/build.mjs"], { stdio: "inherit" });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
await build({
  entryPoints: ["test/fuzz/fuzz.ts"],
  outfile: "out/fuzz/fuzz.js",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: "inline",
  logLevel: "warning",
});
const r = spawnSync("node", ["--enable-source-maps", "out/fuzz/fuzz.js", ...args.filter((a) => a !== "--no-build")], { stdio: "inherit" });
process.exit(r.status ?? 1);
