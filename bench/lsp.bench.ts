// `npm run bench -- --only lsp`: the language server over the real protocol (stdio, the
// built dist/server/server.js), on a generated 5,000-layer document:
//   edit → diagnostics   a one-line edit until the diagnostics of that version arrive
//   inlay hints          the hints of the whole document, request to response
// The document is bench/generate.ts's (as the analysis benchmark's). Edits come 100 ms
// apart (typing pace); each run alternates between introducing a stride misfit and
// removing it, so every edit changes the shapes of the layers below it.
// Targets on this machine: ≤ 50 ms and ≤ 30 ms (median).
// LSP_BENCH_NODE_FLAGS="" compares with node's default flags; LSP_BENCH_LAYERS, _RUNS.

import type { InlayHint } from "vscode-languageserver-protocol";
import { analyze } from "../analysis";
import { serverNodeFlags } from "../server/protocol";
import { TestServer } from "../test/lsp/support/client";
import { generatedNetwork } from "./generate";

const layers = Number(process.env.LSP_BENCH_LAYERS ?? 5000);
const runs = Number(process.env.LSP_BENCH_RUNS ?? 40);
const warmup = 5;

function stats(samples: number[]): { median: number; p95: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted[sorted.length - 1] };
}

const fmt = (x: number) => `${x.toFixed(1)} ms`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const text = generatedNetwork(layers);
  const lines = text.split("\n");
  const lineCount = lines.length;
  const uri = "file:///bench/big.cnn";
  // the 101st layer: `c100: conv 16 3x3 pad 1` ↔ `c100: conv 16 3x3 pad 1 stride 2`
  const editLine = lines.findIndex((l) => l.startsWith("  c100: conv"));
  const editAt = { line: editLine, character: lines[editLine].indexOf("pad 1") + "pad 1".length };

  const server = await TestServer.start(process.env.LSP_BENCH_NODE_FLAGS !== undefined ? { nodeFlags: process.env.LSP_BENCH_NODE_FLAGS.split(" ").filter(Boolean) } : {});
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
    // stride 2 on 224×224 with a 3×3 filter and pad 1: (224 − 3 + 2)/2 + 1 = 112.5, a misfit
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
  const flags = process.env.LSP_BENCH_NODE_FLAGS ?? serverNodeFlags.join(" ");
  console.log(`LSP over stdio, ${layers.toLocaleString("en-US")}-layer document (${lineCount.toLocaleString("en-US")} lines), ${runs} runs, server flags: ${flags || "none"}`);
  console.log(`  edit → diagnostics published   median ${fmt(e.median)}  p95 ${fmt(e.p95)}  (min ${fmt(e.min)}, max ${fmt(e.max)})   target ≤ 50 ms`);
  console.log(`  inlay hints, whole document    median ${fmt(h.median)}  p95 ${fmt(h.p95)}  (min ${fmt(h.min)}, max ${fmt(h.max)})   target ≤ 30 ms   [${hintCount.toLocaleString("en-US")} hints]`);
  console.log(`  (analyze() alone, in-process   median ${fmt(a.median)}  p95 ${fmt(a.p95)})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
