// How long analyze() takes on a generated 5,000-layer file (target: under 20 ms).
// Reports median and p95 of warm runs, and the first (cold) run apart.

import { analyze } from "../analysis";
import { generatedNetwork } from "./generate";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const sizes = [500, 5000];
for (const layers of sizes) {
  const text = generatedNetwork(layers);
  const t0 = performance.now();
  analyze(text, "big.cnn");
  const cold = performance.now() - t0;
  const times: number[] = [];
  const until = performance.now() + 3000;
  while (times.length < 30 || (performance.now() < until && times.length < 200)) {
    const s = performance.now();
    const a = analyze(text, "big.cnn");
    times.push(performance.now() - s);
    if (a.networks[0].statements.length !== layers) throw new Error("the generated network did not analyze fully");
  }
  times.sort((x, y) => x - y);
  console.log(
    `analysis  ${String(layers).padStart(5)} layers  ${(text.length / 1024).toFixed(0)} KiB: median ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms (first run ${cold.toFixed(1)} ms, ${times.length} runs)`,
  );
}
