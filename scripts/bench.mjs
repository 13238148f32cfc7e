// `npm run bench`: the side-by-side benchmarks. Each suite is bench/<name>.bench.ts,
// bundled and run in its own process (so one suite's memory never skews another's).
//   npm run bench                     every suite
//   npm run bench -- --only analysis  one suite (arguments after it go to the suite)
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
const known = readdirSync("bench").filter((f) => f.endsWith(".bench.ts")).map((f) => f.replace(/\.bench\.ts$/, "")).sort((a, b) => (a === "engine") - (b === "engine") || a.localeCompare(b));
if (args.includes("--help") || args.includes("-h")) {
  console.log(`npm run bench [-- options]
  (no options)                   every suite: ${known.join(", ")} (engine last; it takes ~25 min)
  --only <suite>                 one suite of bench/ (${known.join(", ")}); later options go to it
  --profile [--nets a,b] [--threads 1,2] [--runs N] [--min] [--top N] [--chains]
                                 not a suite: our executor's time step by step (bench/engine/profile.ts)
  --nets a,b                     engine suite: these nets (lenet5, alexnet, vgg16, resnet18, mobilenetv2, …)
  --engines a,b                  engine suite: these engines (ours, tfjs-wasm, ort-web, tfjs-cpu; ours-plain: without relaxed SIMD; ours-chains: steps chained band by band on threads)
  --threads 1,2                  engine suite: these thread counts (default: 1 and every core), then issue 16's targets
  --rounds N, --quiet-wait S     engine suite: rounds per (engine, net); seconds to wait for a quiet machine
  --json                         engine suite: {"results": [{net, engine, threads, ms, gflops, peakRssMB}]}
  --only train [--threads 1,2] [--rounds N] [--nets lenet5,lenet5-relu,resnet-small,vgg-small] [--engines ours,ours-reference,tfjs-cpu,tfjs-wasm]
                                 [--steps N] [--batch B] [--epochs E]   training: ours at each thread count, in turn per round; 2t/1t per round`);
  process.exit(0);
}
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? args[onlyAt + 1] : null;
const passThrough = onlyAt >= 0 ? args.filter((_, i) => i !== onlyAt && i !== onlyAt + 1) : args;
// engine-bench options (--json, --nets, --engines, --threads) select the engine suite alone
const engineOnly = !only && passThrough.some((a) => ["--json", "--nets", "--engines", "--threads"].includes(a));

const suites = known.filter((name) => (only ? name === only : engineOnly ? name === "engine" : true));
if (suites.length === 0) {
  console.error(`no bench suite${only ? ` named ${only}` : ""} in bench/`);
  process.exit(2);
}
// the suites start dist/ (the LSP bench runs the server as `npm run lsp` does, the training
// bench its worker threads): built from this checkout every time, never a stale one
const built = spawnSync("node", ["scripts/build.mjs"], { stdio: "inherit" });
if (built.status !== 0) process.exit(built.status ?? 1);
// --profile: our executor step by step (bench/engine/profile.ts), not a suite
const profile = args.includes("--profile");
await build({
  entryPoints: profile ? ["bench/engine/profile.ts"] : suites.map((s) => `bench/${s}.bench.ts`),
  outdir: profile ? "out/bench/engine" : "out/bench",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["onnxruntime-node", "onnxruntime-web", "@tensorflow/*", "@resvg/resvg-js"],
  logLevel: "warning",
});
/** `// node-flags: …` on a suite's first line: how the code it measures runs for real */
function nodeFlags(suite) {
  const first = readFileSync(`bench/${suite}.bench.ts`, "utf8").split("\n", 1)[0];
  const m = /^\/\/ node-flags:(.*)$/.exec(first);
  return m ? m[1].trim().split(/\s+/) : [];
}

if (profile) {
  const r = spawnSync("node", ["--experimental-wasm-relaxed-simd", "out/bench/engine/profile.js", ...args.filter((a) => a !== "--profile")], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
let failed = 0;
for (const suite of suites) {
  const r = spawnSync("node", ["--expose-gc", ...nodeFlags(suite), `out/bench/${suite}.bench.js`, ...passThrough], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
