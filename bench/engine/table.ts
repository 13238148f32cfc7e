// The bench's printed table: one row per (net, engine), medians over every timed run.

export interface Row {
  net: string;
  gmacs: number;
  engine: string;
  threads: number;
  ms: number;
  gflops: number;
  /** tfjs-wasm's median ÷ this engine's: above 1 is faster than tfjs-wasm */
  speedup: number | null;
  peakRssMB: number;
  /** max |diff| against the first engine's output, and that output's max |value| */
  diff: number | null;
  agrees: boolean | null;
  foreign: number;
}

function fixed(x: number, digits: number): string {
  return x.toFixed(digits);
}

export function formatTable(rows: Row[], against: string): string {
  const head = ["net (GMAC)", "engine", "threads", "median ms", "GFLOP/s", "× tfjs-wasm", "peak RSS MB", `max |diff| vs ${against}`, "busy"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const ms = r.ms < 1 ? fixed(r.ms, 3) : r.ms < 100 ? fixed(r.ms, 2) : fixed(r.ms, 1);
    const diff = r.diff === null ? "—" : `${r.diff.toExponential(1)}${r.agrees ? "" : " DISAGREES"}`;
    lines.push(
      `| ${r.net} (${r.gmacs.toFixed(4)}) | ${r.engine} | ${r.threads} | ${ms} | ${fixed(r.gflops, 1)} | ${r.speedup === null ? "—" : fixed(r.speedup, 2)} | ${fixed(r.peakRssMB, 0)} | ${diff} | ${fixed(100 * r.foreign, 0)}% |`,
    );
  }
  return lines.join("\n");
}
