// `npm run bench -- --only lsp`: the language server over the real protocol (stdio, the
// built dist/server/server.js), on a generated 5,000-layer document:
//   edit → diagnostics   a one-line edit until the diagnostics of that version arrive
//   inlay hints          the hints of the whole document, request to response
// Edits come 100 ms apart (typing pace); each run alternates between introducing a
// stride misfit and removing it, so every edit changes the shapes of the layers below.
// Targets on this machine: ≤ 50 ms and ≤ 30 ms (median).

import type { InlayHint } from "vscode-languageserver-protocol";
import { analyze } from "../analysis";
import { TestServer } from "../test/lsp/support/client";

const layers = Number(process.env.LSP_BENCH_LAYERS ?? 5000);
const runs = Number(process.env.LSP_BENCH_RUNS ?? 40);
const warmup = 5;

function generate(count: number): string {
  const lines = ["# generated: a deep plain network, comments in Chinese and emoji", "network Big {", "  input 64x64x3"];
  for (let i = 0; i < count; i++) {
    switch (i % 5) {
      case 0:
        lines.push(`  conv 32 3x3 pad 1          # 卷积 ${i} 🧠`);
        break;
      case 1:
        lines.push("  bn");
        break;
      case 2:
        lines.push("  relu");
        break;
      case 3:
        lines.push(`  l${i}: conv 32 3x3 pad 1 nobias`);
        break;
      default:
        lines.push("  dropout 0.1");
    }
  }
  lines.push("}", "");
  return lines.join("\n");
}

function stats(samples: number[]): { median: number; p95: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted[sorted.length - 1] };
}

const fmt = (x: number) => `${x.toFixed(1)} ms`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const text = generate(layers);
  const lineCount = text.split("\n").length;
  const uri = "file:///bench/big.cnn";
  // the line of the 100th layer: `conv 32 3x3 pad 1` ↔ `conv 32 3x3 pad 1 stride 2`
  const editLine = 3 + 100;
  const editAt = { line: editLine, character: "  conv 32 3x3 pad 1".length };

  const server = await TestServer.start();
  const first = await server.open(uri, text, 1);
  if (first.diagnostics.length !== 0) throw new Error(`the generated document has diagnostics: ${first.diagnostics[0].message}`);

  const edits: number[] = [];
  const hints: number[] = [];
  let version = 1;
  let hintCount = 0;
  for (let run = 0; run < warmup + runs; run++) {
    const introduce = run % 2 === 0;
    version++;
    const change = introduce
      ? { range: { start: editAt, end: editAt }, text: " stride 2" }
      : { range: { start: editAt, end: { line: editLine, character: editAt.character + " stride 2".length } }, text: "" };
    const t0 = performance.now();
    const published = await server.change(uri, version, [change]);
    const t1 = performance.now();
    // stride 2 on 64×64 with a 3×3 filter and pad 1: (64 − 3 + 2)/2 + 1 = 32.5, a misfit
    const misfits = published.diagnostics.filter((d) => d.code === "stride-misfit").length;
    if (misfits !== (introduce ? 1 : 0)) throw new Error(`run ${run}: expected ${introduce ? 1 : 0} stride-misfit, got ${misfits}`);
    const t2 = performance.now();
    const list = await server.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lineCount, character: 0 } } });
    const t3 = performance.now();
    hintCount = list.length;
    if (run >= warmup) {
      edits.push(t1 - t0);
      hints.push(t3 - t2);
    }
    await sleep(100);
  }
  await server.stop();
  if (hintCount !== layers + 1) throw new Error(`expected ${layers + 1} hints (each layer + the network line), got ${hintCount}`);

  // where the time goes: the analysis alone, in this process
  const alone: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    analyze(text, "big.cnn");
    alone.push(performance.now() - t);
  }

  const e = stats(edits);
  const h = stats(hints);
  const a = stats(alone.slice(5));
  console.log(`LSP over stdio, ${layers.toLocaleString("en-US")}-layer document (${lineCount.toLocaleString("en-US")} lines), ${runs} runs`);
  console.log(`  edit → diagnostics published   median ${fmt(e.median)}  p95 ${fmt(e.p95)}  (min ${fmt(e.min)}, max ${fmt(e.max)})   target ≤ 50 ms`);
  console.log(`  inlay hints, whole document    median ${fmt(h.median)}  p95 ${fmt(h.p95)}  (min ${fmt(h.min)}, max ${fmt(h.max)})   target ≤ 30 ms   [${hintCount.toLocaleString("en-US")} hints]`);
  console.log(`  (analyze() alone, in-process   median ${fmt(a.median)}  p95 ${fmt(a.p95)})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
