// The bench's printed tables: one row per (net, engine, threads), the median over its
// rounds of each round's median run; then issue 16's targets, each a ratio of two rows.

export interface Row {
  net: string;
  gmacs: number;
  engine: string;
  threads: number;
  ms: number;
  gflops: number;
  /** tfjs-wasm's one-thread median ÷ this row's: above 1 is faster than tfjs-wasm */
  speedup: number | null;
  /** this engine's one-thread median ÷ this row's */
  scaling: number | null;
  /** each round's median (ms), in the order they ran */
  rounds: number[];
  /** CPU time of the whole process per run (all its threads) */
  cpuMs: number;
  peakRssMB: number;
  /** max |diff| against the first row's output, and whether it is within the bound */
  diff: number | null;
  agrees: boolean | null;
  foreign: number;
}

function fixed(x: number, digits: number): string {
  return x.toFixed(digits);
}

function msText(ms: number): string {
  return ms < 1 ? fixed(ms, 3) : ms < 100 ? fixed(ms, 2) : fixed(ms, 1);
}

export function formatTable(rows: Row[], against: string): string {
  const head = ["net (GMAC)", "engine", "threads", "median ms", "rounds' medians", "GFLOP/s", "× tfjs-wasm", "× 1 thread", "CPU ms/run", "peak RSS MB", `max |diff| vs ${against}`, "busy"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const diff = r.diff === null ? "—" : `${r.diff.toExponential(1)}${r.agrees ? "" : " DISAGREES"}`;
    const ratio = (x: number | null) => (x === null ? "—" : fixed(x, 2));
    lines.push(
      `| ${r.net} (${r.gmacs.toFixed(4)}) | ${r.engine} | ${r.threads} | ${msText(r.ms)} | ${r.rounds.map(msText).join(" ")} | ${fixed(r.gflops, 1)} | ${ratio(r.speedup)} | ${ratio(r.scaling)} | ${msText(r.cpuMs)} | ${fixed(r.peakRssMB, 0)} | ${diff} | ${fixed(100 * r.foreign, 0)}% |`,
    );
  }
  return lines.join("\n");
}

/** engines of other projects that can run threaded, for "× the best threaded peer" */
const peers = ["tfjs-wasm", "ort-web"];

interface Target {
  what: string;
  /** the faster side and the slower side of the ratio */
  of(rows: Row[]): { num: Row; den: Row } | string;
  bound: number;
}

const find = (rows: Row[], net: string, engine: string, threads: number) => rows.find((r) => r.net === net && r.engine === engine && r.threads === threads);

/** ours on `many` threads vs ours on one */
function scaling(net: string, label: string, bound: number, many: number): Target {
  return {
    what: `${label}: ours ${many} threads vs 1`,
    bound,
    of(rows) {
      const num = find(rows, net, "ours", many);
      const den = find(rows, net, "ours", 1);
      return num && den ? { num, den } : `needs ours on ${net} at 1 and ${many} threads`;
    },
  };
}

function vsTfjs(net: string, label: string, bound: number): Target {
  return {
    what: `${label}: ours vs tfjs-wasm, 1 thread`,
    bound,
    of(rows) {
      const num = find(rows, net, "ours", 1);
      const den = find(rows, net, "tfjs-wasm", 1);
      return num && den ? { num, den } : `needs ours and tfjs-wasm on ${net} at 1 thread`;
    },
  };
}

function vsBestPeer(net: string, label: string, bound: number, many: number): Target {
  return {
    what: `${label}: ours ${many} threads vs the best peer at ${many} threads`,
    bound,
    of(rows) {
      const num = find(rows, net, "ours", many);
      const threaded = rows.filter((r) => r.net === net && r.threads === many && peers.includes(r.engine)).sort((a, b) => a.ms - b.ms);
      return num && threaded.length ? { num, den: threaded[0] } : `needs ours and a threaded peer on ${net} at ${many} threads`;
    },
  };
}

/** issue 16's "done when", for the thread count `many` (2 in the issue) */
export function targets(many: number, training: Target[] = []): Target[] {
  return [
    scaling("resnet18", "ResNet-18", 1.75, many),
    scaling("vgg16", "VGG-16", 1.75, many),
    scaling("mobilenetv2", "MobileNetV2", 1.5, many),
    ...training,
    vsTfjs("mobilenetv2", "MobileNetV2", 2),
    vsTfjs("resnet18", "ResNet-18", 2.5),
    vsTfjs("vgg16", "VGG-16", 3.5),
    vsTfjs("lenet5", "LeNet-5", 4),
    vsBestPeer("resnet18", "ResNet-18", 2, many),
    vsBestPeer("mobilenetv2", "MobileNetV2", 2, many),
  ];
}

export type { Target };

export function formatTargets(list: Target[], rows: Row[]): string {
  const head = ["target", "this run", "ratio", "needed", "met"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const t of list) {
    const pair = t.of(rows);
    if (typeof pair === "string") {
      lines.push(`| ${t.what} | not measured (${pair}) | — | ≥ ${t.bound} | — |`);
      continue;
    }
    const ratio = pair.den.ms / pair.num.ms;
    const busy = Math.max(pair.num.foreign, pair.den.foreign);
    const measured = `${pair.num.engine} ${pair.num.threads}t ${msText(pair.num.ms)} ms vs ${pair.den.engine} ${pair.den.threads}t ${msText(pair.den.ms)} ms${busy > 0.1 ? ` (busy up to ${fixed(100 * busy, 0)}%)` : ""}`;
    lines.push(`| ${t.what} | ${measured} | ${fixed(ratio, 2)}× | ≥ ${t.bound} | ${ratio >= t.bound ? "yes" : "no"} |`);
  }
  return lines.join("\n");
}
