// node-flags: --max-semi-space-size=64
// How long analyze() takes on a generated 5,000-layer file (target: under 20 ms).
// Reports median, p95 and min of warm runs, and the first (cold) run apart. Node runs
// with the young-generation size the language server uses (package.json `lsp`), and
// each timed run starts after a full collection, so it pays for exactly its own garbage.
// Then, measured after (and apart from) the timed runs, a line per size splits the time
// into the pipeline's phases and gives the memory one analysis allocates.

import { analyze } from "../analysis";
import { Elaborator } from "../analysis/elaborate";
import { layout } from "../grammar/layout";
import { CnnParser } from "../grammar/parser";
import { tokenize } from "../grammar/tokens";
import { generatedNetwork } from "./generate";

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
