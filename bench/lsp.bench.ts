// `npm run bench -- --only lsp`: edit latency as an editor sees it (issue 14 item 3), on a
// generated 5,000-layer document (bench/generate.ts, as the analysis benchmark's):
// - a plain stdio client that starts the server exactly as `npm run lsp` does (npm, the
//   package.json script and its node flags) and sends incremental didChange notifications;
//   each figure is the time from sending a didChange to receiving the publishDiagnostics
//   of that version. Nothing is discarded as warm-up: the first edit after open is
//   reported on its own (sent at once when the open's diagnostics arrive, and, in a second
//   server, after a second of reading), the others give p50/p95.
// - the same through Neovim (headless, its own LSP client, test/neovim/harness.lua), from
//   the buffer edit to the arrival of that version's diagnostics, with Neovim's
//   debounce off and at its default (150 ms in 0.7), when Neovim is installed.
// Two edits: ` stride 2` added/removed at the end of the last layer line (the issue's) and
// after `pad 1` of the 101st layer (every shape of the 4,900 layers below it changes); and
// at both places a syntax error (` =`) typed and taken out.
// Two paces: "typing", the next edit 100 ms after the last one's diagnostics (a fast
// typist), and "back to back", at once.
// Targets: p50 ≤ 25 ms, p95 ≤ 50 ms, first edit after open ≤ 100 ms; hints ≤ 30 ms (the
// whole document's; the client announces VS Code's inlay hint capabilities — tooltips
// resolved on hover — and a client without resolve is measured too).
// The stdio series at the last line run again with the server's idle work off
// (CNN_LSP_IDLE=0: no garbage collection between edits, no JIT warm-up), and with
// incremental analysis off (CNN_LSP_INCREMENTAL=0: every version analyzed whole), side by side.
// Every figure also as a ratio to analyze() alone in this process (a loaded machine
// stretches both alike). LSP_BENCH_LAYERS, LSP_BENCH_RUNS (edits per series),
// LSP_BENCH_NEOVIM=0 to skip Neovim.

import type { ClientCapabilities, InlayHint, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from "vscode-languageserver-protocol";
import { loadavg } from "node:os";
import { analyze } from "../analysis";
import { capabilities, root, TestServer } from "../test/lsp/support/client";
import { neovimPath, runNeovim } from "../test/support/neovim";
import { generatedNetwork } from "./generate";

const layers = Number(process.env.LSP_BENCH_LAYERS ?? 5000);
const runs = Number(process.env.LSP_BENCH_RUNS ?? 40);
const typingGapMs = 100;
const readingMs = 1000;

interface Stats {
  p50: number;
  p95: number;
  min: number;
  max: number;
  n: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p95: at(0.95), min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
/** analyze() alone, warm, in this process: the floor an edit's latency is compared with (a ratio survives a loaded machine) */
let floor = NaN;
const times = (x: number) => `${(x / floor).toFixed(1)}×`;
const line = (label: string, s: Stats, target = "p50 ≤ 25 ms, p95 ≤ 50 ms") =>
  `  ${label.padEnd(44)} p50 ${ms(s.p50).padStart(9)} (${times(s.p50)})  p95 ${ms(s.p95).padStart(9)} (${times(s.p95)})  (min ${ms(s.min)}, max ${ms(s.max)}, ${s.n} edits)   target ${target}`;
const single = (label: string, x: number, target: string) => `  ${label.padEnd(44)} ${ms(x).padStart(9)} (${times(x)})   target ${target}`;

/** analyze() of an edited text from the analysis before it (incremental, docs/ARCHITECTURE.md), in this process */
function incrementalAlone(text: string, site: Site): Stats {
  const lines = text.split("\n");
  const at = lines.slice(0, site.line).join("\n").length + (site.line > 0 ? 1 : 0) + site.character;
  const edited = text.slice(0, at) + (site.insert ?? insert) + text.slice(at);
  let previous = analyze(text, "big.cnn");
  const out: number[] = [];
  for (let i = 0; i < 30; i++) {
    const next = i % 2 === 0 ? edited : text;
    const t = performance.now();
    previous = analyze(next, "big.cnn", {}, previous);
    out.push(performance.now() - t);
  }
  return stats(out.slice(6));
}

function analysisAlone(text: string): Stats {
  const alone: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    analyze(text, "big.cnn");
    alone.push(performance.now() - t);
  }
  return stats(alone.slice(5));
}

/** Where an edit goes: ` stride 2` inserted at `at`, then removed. */
interface Site {
  name: string;
  line: number;
  character: number;
  /** what is typed there (default ` stride 2`) */
  insert?: string;
}

function sites(text: string): Site[] {
  const lines = text.split("\n");
  let last = lines.length - 1;
  while (last > 0 && !/^\s+\S/.test(lines[last])) last--;
  const c100 = lines.findIndex((l) => l.startsWith("  c100: conv"));
  return [
    { name: "last layer line", line: last, character: lines[last].length },
    { name: "101st layer (shapes below change)", line: c100, character: lines[c100].indexOf("pad 1") + "pad 1".length },
    // a syntax error typed and taken out (` =`: one error on its line)
    // (the line before the last: the last one may have its ` stride 2` in, its diagnostic counted apart)
    { name: "next-to-last layer line, a syntax error", line: last - 1, character: lines[last - 1].length, insert: " =" },
    { name: "101st layer, a syntax error", line: c100, character: lines[c100].indexOf("pad 1") + "pad 1".length, insert: " =" },
  ];
}

/**
 * The client announces what VS Code 1.100 does for inlay hints: it resolves a hint's
 * tooltip when it shows it, so the hints come without (server/features/inlayHints.ts).
 * The hints are measured with a client that cannot resolve too (every tooltip at once).
 */
const vscodeLike: ClientCapabilities = {
  ...capabilities,
  textDocument: { ...capabilities.textDocument, inlayHint: { dynamicRegistration: true, resolveSupport: { properties: ["tooltip", "textEdits", "label.tooltip", "label.location", "label.command"] } } },
};

async function wholeDocumentHints(session: Session, lineCount: number): Promise<{ samples: number[]; count: number }> {
  const samples: number[] = [];
  let count = 0;
  for (let i = 0; i < 20; i++) {
    await sleep(typingGapMs);
    const t = performance.now();
    const list = await session.server.request<InlayHint[]>("textDocument/inlayHint", {
      textDocument: { uri: session.uri },
      range: { start: { line: 0, character: 0 }, end: { line: lineCount, character: 0 } },
    });
    samples.push(performance.now() - t);
    count = list.length;
  }
  if (count !== layers + 1) throw new Error(`expected ${layers + 1} hints (each layer + the network line), got ${count}`);
  return { samples, count };
}

const insert = " stride 2";
function change(site: Site, add: boolean): TextDocumentContentChangeEvent {
  const start = { line: site.line, character: site.character };
  const typed = site.insert ?? insert;
  return add ? { range: { start, end: start }, text: typed } : { range: { start, end: { line: site.line, character: site.character + typed.length } }, text: "" };
}

class Session {
  version = 1;
  /** whether ` stride 2` is in at each site */
  private readonly inserted = new Map<string, boolean>();
  private constructor(
    readonly server: TestServer,
    readonly uri: string,
    readonly open: { ms: number; published: PublishDiagnosticsParams },
  ) {}

  static async start(text: string, clientCapabilities: ClientCapabilities = vscodeLike): Promise<Session> {
    const server = await TestServer.start({ viaNpm: true, capabilities: clientCapabilities });
    const uri = "file:///bench/big.cnn";
    const t0 = performance.now();
    const published = await server.open(uri, text, 1);
    const session = new Session(server, uri, { ms: performance.now() - t0, published });
    if (published.diagnostics.length !== 0) throw new Error(`the generated document has diagnostics: ${published.diagnostics[0].message}`);
    return session;
  }

  /** One edit at `site`: the time from didChange sent to that version's diagnostics received. */
  async edit(site: Site): Promise<number> {
    const add = !this.inserted.get(site.name);
    this.inserted.set(site.name, add);
    this.version++;
    const t0 = performance.now();
    const published = await this.server.change(this.uri, this.version, [change(site, add)]);
    const took = performance.now() - t0;
    // one diagnostic per site with ` stride 2` in (a misfit, an option dropout does not take)
    const expected = [...this.inserted.values()].filter(Boolean).length;
    if (published.diagnostics.length !== expected) throw new Error(`version ${this.version} (${site.name}, ${add ? "added" : "removed"}): ${published.diagnostics.length} diagnostics, expected ${expected}`);
    return took;
  }

  async series(site: Site, gapMs: number, count: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      if (gapMs) await sleep(gapMs);
      out.push(await this.edit(site));
    }
    return out;
  }
}

/** The Lua scenario: open, the first edit at once, then `runs` edits per pace at the last layer line. */
function neovimScenario(site: Site, debounce: number | "default"): string {
  return `
local opened = H.now_ms()
local doc = H.open(H.dir .. "/big.cnn", { debounce = ${debounce === "default" ? '"default"' : debounce} })
H.diagnostics(doc, 60000)
H.record("open_ms", H.now_ms() - opened)
local row, col = ${site.line}, ${site.character}
local added = false
local function edit()
  local version_before = vim.lsp.util.buf_versions[doc.bufnr]
  local t = H.now_ms()
  if added then H.edit(doc, row, col, row, col + ${insert.length}, "") else H.edit(doc, row, col, row, col, ${JSON.stringify(insert)}) end
  added = not added
  local version = vim.lsp.util.buf_versions[doc.bufnr]
  if version == version_before then H.fail("the edit did not change the buffer's version") end
  H.diagnostics(doc, 30000)
  for _, p in ipairs(H.published(doc)) do
    if p.version == version then
      if (p.count > 0) ~= added then H.fail("version " .. version .. ": " .. p.count .. " diagnostics") end
      return p.at_ms - t
    end
  end
  H.fail("no publish of version " .. tostring(version))
end
H.record("first", edit())
local typing, back = {}, {}
for i = 1, ${runs} do
  vim.wait(${typingGapMs})
  table.insert(typing, edit())
end
for i = 1, ${runs} do
  table.insert(back, edit())
end
H.record("typing", typing)
H.record("back", back)
`;
}

async function main() {
  const text = generatedNetwork(layers);
  const lineCount = text.split("\n").length;
  const [last, c100, lastTypo, c100Typo] = sites(text);
  const before = analysisAlone(text);
  floor = before.p50;
  console.log(
    `Edit latency, ${layers.toLocaleString("en-US")}-layer document (${lineCount.toLocaleString("en-US")} lines); ` +
      `didChange sent → publishDiagnostics of that version received; typing = next edit ${typingGapMs} ms after the last one's diagnostics`,
  );
  console.log(`(×: times analyze() alone, warm, in the bench's process: p50 ${ms(before.p50)}, p95 ${ms(before.p95)}; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
  for (const site of [last, c100, lastTypo, c100Typo]) {
    const s = incrementalAlone(text, site);
    console.log(`(analyze() from the version before, the edit at the ${site.name}: p50 ${ms(s.p50)} (${times(s.p50)}), p95 ${ms(s.p95)})`);
  }

  // 1. a stdio client, the server started as `npm run lsp` starts it
  const session = await Session.start(text);
  const first = await session.edit(last);
  const series: [string, number[]][] = [];
  series.push(["last layer line, typing", await session.series(last, typingGapMs, runs)]);
  series.push(["last layer line, back to back", await session.series(last, 0, runs)]);
  series.push(["101st layer, typing", await session.series(c100, typingGapMs, runs)]);
  series.push(["101st layer, back to back", await session.series(c100, 0, runs)]);
  series.push(["next-to-last layer line, a syntax error, typing", await session.series(lastTypo, typingGapMs, runs)]);
  series.push(["101st layer, a syntax error, typing", await session.series(c100Typo, typingGapMs, runs)]);
  const hints = await wholeDocumentHints(session, lineCount);
  await session.server.stop();
  // the hints for a client that cannot resolve their tooltips: every tooltip in the answer
  const eager = await Session.start(text, capabilities);
  const eagerHints = await wholeDocumentHints(eager, lineCount);
  await eager.server.stop();

  // the first edit after a second of reading, in a fresh server
  const reader = await Session.start(text);
  await sleep(readingMs);
  const firstAfterReading = await reader.edit(last);
  await reader.server.stop();

  // the same without the server's idle work (server/idle.ts), side by side
  process.env.CNN_LSP_IDLE = "0";
  const bare = await Session.start(text);
  delete process.env.CNN_LSP_IDLE;
  const bareFirst = await bare.edit(last);
  const bareTyping = await bare.series(last, typingGapMs, runs);
  const bareBack = await bare.series(last, 0, runs);
  await bare.server.stop();

  // the same with every version analyzed whole
  process.env.CNN_LSP_INCREMENTAL = "0";
  const whole = await Session.start(text);
  delete process.env.CNN_LSP_INCREMENTAL;
  const wholeFirst = await whole.edit(last);
  const wholeTyping = await whole.series(last, typingGapMs, runs);
  const wholeC100 = await whole.series(c100, typingGapMs, runs);
  await whole.server.stop();

  console.log("stdio client, server as `npm run --silent lsp`:");
  console.log(single("open → diagnostics (server already started)", session.open.ms, "none"));
  console.log(single("first edit after open, at once", first, "≤ 100 ms"));
  console.log(single(`first edit after open, after ${readingMs / 1000} s of reading`, firstAfterReading, "≤ 100 ms"));
  for (const [label, samples] of series) console.log(line(label, stats(samples)));
  console.log(line(`inlay hints, whole document [${hints.count.toLocaleString("en-US")}]`, stats(hints.samples), "p50 ≤ 30 ms").replace(" edits)", " requests)"));
  console.log(line("  the same, tooltips in the answer (no resolve)", stats(eagerHints.samples), "p50 ≤ 30 ms").replace(" edits)", " requests)"));
  console.log("the same client, the server's idle work off (CNN_LSP_IDLE=0: no collection between edits, no warm-up):");
  console.log(single("first edit after open, at once", bareFirst, "≤ 100 ms"));
  console.log(line("last layer line, typing", stats(bareTyping)));
  console.log(line("last layer line, back to back", stats(bareBack)));
  console.log("the same client, incremental analysis off (CNN_LSP_INCREMENTAL=0: every version analyzed whole):");
  console.log(single("first edit after open, at once", wholeFirst, "≤ 100 ms"));
  console.log(line("last layer line, typing", stats(wholeTyping)));
  console.log(line("101st layer, typing", stats(wholeC100)));

  // 2. Neovim
  if (process.env.LSP_BENCH_NEOVIM === "0") console.log("Neovim: skipped (LSP_BENCH_NEOVIM=0)");
  else if (!neovimPath()) console.log("Neovim: not installed (bash test/e2e/install.sh installs Debian's neovim)");
  else {
    for (const debounce of [0, "default"] as const) {
      const run = await runNeovim(neovimScenario(last, debounce), {
        root,
        files: { "big.cnn": text },
        serverCommand: ["npm", "--prefix", root, "run", "--silent", "lsp"],
        timeoutMs: 600_000,
      });
      if (run.errors.length) throw new Error(`Neovim: ${run.errors.join("; ")}\n${run.stderr.slice(-2000)}`);
      const s = run.steps as { open_ms: number; first: number; typing: number[]; back: number[] };
      const how = debounce === 0 ? "debounce_text_changes = 0" : "Neovim's default debounce";
      console.log(`Neovim ${run.version}, ${how}, server as \`npm --prefix … run --silent lsp\`, last layer line:`);
      console.log(single("start + open → diagnostics", s.open_ms, "none"));
      console.log(single("first edit after open, at once", s.first, "≤ 100 ms"));
      console.log(line("typing", stats(s.typing)));
      console.log(line("back to back", stats(s.back)));
    }
  }

  const after = analysisAlone(text);
  console.log(`(analyze() alone again, at the end: p50 ${ms(after.p50)}, p95 ${ms(after.p95)}; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
