// node-flags: --max-semi-space-size=64
// How long analyze() takes on a generated 5,000-layer file (target: under 20 ms).
// Reports median, p95 and min of warm runs, and the first (cold) run apart. Node runs
// with the young-generation size the language server uses (package.json `lsp`), and
// each timed run starts after a full collection, so it pays for exactly its own garbage.
// Then, measured after (and apart from) the timed runs, a line per size splits the time
// into the pipeline's phases and gives the memory one analysis allocates.
// Last, the worst case (issue 9: any text of at most 10 kB in ≤ 200 ms): the slow
// texts, then a search over generated texts (test/support/arbitraries.ts: chains of
// blocks used several times, nested repeats, growing paddings, typos) for the slowest,
// each timed as the best of 3 runs, wall and CPU (under load the CPU time is the figure to
// read). `--search-seconds N` (default 20), `--seed N`.

import { analyze } from "../analysis";
import { Elaborator } from "../analysis/elaborate";
import { layout } from "../grammar/layout";
import { CnnParser } from "../grammar/parser";
import { tokenize } from "../grammar/tokens";
import { generatedNetwork } from "./generate";
import * as fc from "fast-check";
import { loadavg } from "node:os";
import { cnnText, hostileText } from "../test/support/arbitraries";

const gc = (globalThis as { gc?: () => void }).gc;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function median(values: number[]): number {
  return percentile([...values].sort((x, y) => x - y), 0.5);
}

/**
 * The time of each phase, each run after a full collection, and the heap grown by a
 * whole analysis (the young generation is large enough that none collects within one).
 */
function phases(text: string): string {
  const parser = new CnnParser(); // a parser of its own: warmed up by the first runs, not counted
  const split = { tokenize: [] as number[], layout: [] as number[], parse: [] as number[], elaborate: [] as number[] };
  const allocated: number[] = [];
  for (let i = 0; i < 45; i++) {
    gc?.();
    let t = performance.now();
    const lexed = tokenize(text);
    split.tokenize.push(performance.now() - t);
    t = performance.now();
    const arranged = layout(text, lexed.tokens);
    split.layout.push(performance.now() - t);
    t = performance.now();
    parser.input = arranged.tokens;
    const file = parser.file();
    split.parse.push(performance.now() - t);
    t = performance.now();
    new Elaborator(file, "big").run();
    split.elaborate.push(performance.now() - t);
    gc?.();
    const before = process.memoryUsage().heapUsed;
    analyze(text, "big.cnn");
    allocated.push(process.memoryUsage().heapUsed - before);
  }
  // the minimum: phases are short, and a median of each is mostly the machine's noise
  const ms = (name: keyof typeof split) => `${name} ${Math.min(...split[name].slice(30)).toFixed(1)}`;
  return `phases (min ms): ${ms("tokenize")}, ${ms("layout")}, ${ms("parse")}, ${ms("elaborate")}; ${(median(allocated.slice(30)) / 1e6).toFixed(1)} MB allocated per analysis`;
}

const sizes = [500, 5000];
const texts = new Map<number, string>();
for (const layers of sizes) {
  const text = generatedNetwork(layers);
  texts.set(layers, text);
  const t0 = performance.now();
  analyze(text, "big.cnn");
  const cold = performance.now() - t0;
  const times: number[] = [];
  const until = performance.now() + 3000;
  while (times.length < 30 || (performance.now() < until && times.length < 200)) {
    gc?.();
    const s = performance.now();
    const a = analyze(text, "big.cnn");
    times.push(performance.now() - s);
    if (a.networks[0].statements.length !== layers) throw new Error("the generated network did not analyze fully");
  }
  times.sort((x, y) => x - y);
  console.log(
    `analysis  ${String(layers).padStart(5)} layers  ${(text.length / 1024).toFixed(0)} KiB: median ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms, min ${times[0].toFixed(2)} ms (first run ${cold.toFixed(1)} ms, ${times.length} runs)`,
  );
}
// after every timed run, so that the phases' own code never shapes what was timed
for (const layers of sizes) console.log(`analysis  ${String(layers).padStart(5)} layers  ${phases(texts.get(layers)!)}`);

// ---- the worst case ----

const argValue = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Best of 3: wall time, and CPU time (the process's, GC threads included: what load does not inflate much). */
function timed(text: string): { ms: number; cpu: number; work: number } {
  let best = Infinity;
  let cpu = Infinity;
  let work = 0;
  for (let i = 0; i < 3; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    work = analyze(text, "worst.cnn").work;
    best = Math.min(best, performance.now() - t);
    const u = process.cpuUsage(c);
    cpu = Math.min(cpu, (u.user + u.system) / 1000);
  }
  return { ms: best, cpu, work };
}

function chainText(n: number): string {
  const lines = ["block B0(k) { conv k 3x3 pad 1 }"];
  for (let i = 1; i < n; i++) lines.push(`block B${i}(k) { B${i - 1}(k); B${i - 1}(k); B${i - 1}(k) }`);
  return `${lines.join("\n")}\ninput 8x8x2\nB${n - 1}(2)\n`;
}

const known: [string, string][] = [
  ["repeat 300 { repeat 300 { rel } }", "input 8x8x1\nrepeat 300 { repeat 300 { rel } }\n"],
  ["40 blocks, each using the one before 3 times (3^39 layers)", chainText(40)],
  ["repeat 10000 ×3 of an empty body (10^12 passes)", "input 8x8x1\nrepeat 10000 { repeat 10000 { repeat 10000 { } } }\n"],
  ["30 blocks of pad 1, each using the one before twice (no two uses alike)", ["block P0(k) { pad 1 }", ...Array.from({ length: 30 }, (_, i) => `block P${i + 1}(k) { P${i}(k); P${i}(k) }`), "input 8x8x1", "P30(1)", ""].join("\n")],
  // the fuzzer's slowest (issue 9's long run): 16 nested `repeat 2`; a fault, then a convT growing the stand-in
  ["16 nested repeat 2 { relu } (65,536 layers)", `input 8x8x1\n${"repeat 2 {\n".repeat(16)}relu\n${"}\n".repeat(16)}`],
  ["a fault, then repeat 298 { repeat 121 { convT 8 20 } }", "input 32x32x3\nconv 8 3x3 stride 0\nrepeat 298 { elu; repeat 121 { convT 8 20; maxpool 2 ceil } }\nrelu\n"],
];
for (const [name, text] of known) {
  const r = timed(text);
  console.log(`worst case  ${name} (${text.length} B): ${r.ms.toFixed(1)} ms (CPU ${r.cpu.toFixed(1)} ms), work ${r.work.toLocaleString("en-US")}`);
}

const seconds = argValue("--search-seconds", 20);
const seed = argValue("--seed", 1);
const until = performance.now() + seconds * 1000;
/** the slowest texts found, slowest first */
const slowest: { ms: number; cpu: number; work: number; text: string }[] = [];
const KEEP = 3;
const floor = () => (slowest.length < KEEP ? 0 : slowest[KEEP - 1].ms);
let tried = 0;
const arbitrary = fc.oneof(hostileText(), cnnText({ maxBlocks: 8, maxDepth: 3, maxStatements: 5 })).filter((t) => t.length <= 10_240);
for (let round = 0; performance.now() < until; round++) {
  for (const text of fc.sample(arbitrary, { numRuns: 50, seed: seed + round })) {
    if (performance.now() > until) break;
    tried++;
    // one quick run to choose; the best of 3 for a new worst
    const t = performance.now();
    analyze(text, "worst.cnn");
    if (performance.now() - t <= floor()) continue;
    const r = timed(text);
    if (r.ms <= floor()) continue;
    slowest.push({ ...r, text });
    slowest.sort((a, b) => b.ms - a.ms);
    slowest.length = Math.min(slowest.length, KEEP);
  }
}
const load = loadavg()[0].toFixed(1);
console.log(`worst case  searched ${tried.toLocaleString("en-US")} generated texts ≤ 10 kB in ${seconds} s (load average ${load}): slowest ${(slowest[0]?.ms ?? 0).toFixed(1)} ms, target ≤ 200 ms; the ${slowest.length} slowest:`);
for (const w of slowest) {
  const shown = w.text.length > 600 ? `${w.text.slice(0, 600)}… (${w.text.length} B)` : w.text;
  console.log(`  ${w.ms.toFixed(1)} ms (CPU ${w.cpu.toFixed(1)} ms), work ${w.work.toLocaleString("en-US")}, ${w.text.length} B:`);
  console.log(shown.trimEnd().replace(/^/gm, "    "));
}
