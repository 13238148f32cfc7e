// `npm run fuzz`: the real language server (dist/server/server.js --stdio, started as
// `npm run lsp` starts it) driven over stdio with generated and mutated documents,
// incremental edits and every request it advertises (and its own cnn/network and
// cnn/summary) at random positions. Checked: it never exits; no request takes longer
// than 1 s; no error answers a request that expects a result; every position and range
// returned is inside the document and never splits a surrogate pair; semantic tokens are
// well formed; publishDiagnostics carries the versions sent, the last one last;
// diagnostics are one line and never span the whole file; formatting only moves white
// space; the server's memory stays flat.
//
//   npm run fuzz                         the short run (seeded, deterministic: 250 documents, at most 30 s)
//   npm run fuzz -- --long               100,000 documents
//   npm run fuzz -- --docs N | --seconds S | --seed N | --report FILE | --verbose

import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProtocolConnection, ResponseError, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from "vscode-languageserver-protocol/node";
import { capabilities, root, serverPath } from "../lsp/support/client";
import { serverNodeFlags } from "../../server/protocol";
import { Doc, diagnosticProblems, formattingProblems, resultProblems, semanticTokenProblems, type Position, type Range } from "./checks";
import { generated, mutated, Random, randomPosition, typed } from "./generate";
import { readNetworkResponse } from "../../client/run/source";
import { deserializeNetwork } from "../../analysis/serialize";
import { readDiagram } from "../../diagram/read";

interface Options {
  /** the first document's number (each document is drawn from (seed, number) alone: --start N --docs 1 replays one) */
  start: number;
  docs: number;
  seconds: number;
  seed: number;
  report: string | null;
  verbose: boolean;
}

function options(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const long = argv.includes("--long");
  return {
    start: Number(value("--start") ?? 0),
    // the short run: 250 documents, or as many as 30 s allow on a loaded machine
    docs: Number(value("--docs") ?? (long ? 100_000 : 250)),
    seconds: Number(value("--seconds") ?? (long || value("--docs") ? Infinity : 30)),
    seed: Number(value("--seed") ?? 20_260_901),
    report: value("--report") ?? null,
    verbose: argv.includes("--verbose"),
  };
}

/** a request slower than this is a failure */
const SLOW_MS = 1000;
/** a request or a publish not answered in this long: the server hangs */
const HANG_MS = 5_000;

interface Failure {
  kind: string;
  method: string;
  detail: string;
  text: string;
  params?: unknown;
  doc: number;
}

class Server {
  readonly published = new Map<string, { version: number | undefined; diagnostics: unknown[] }[]>();
  private waiters: { uri: string; version: number; resolve: () => void }[] = [];
  exited: string | null = null;
  capabilities: Record<string, unknown> = {};
  private constructor(
    readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
  ) {}

  static async start(): Promise<Server> {
    const child = spawn(process.execPath, [...serverNodeFlags, serverPath, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const server = new Server(child, connection);
    child.on("exit", (code, signal) => (server.exited = `exit ${code ?? signal}`));
    child.stderr!.on("data", () => undefined);
    child.stdin!.on("error", () => undefined);
    connection.onError(() => undefined);
    connection.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: unknown[] }) => {
      const list = server.published.get(p.uri);
      if (!list) return; // a document already done with
      list.push({ version: p.version, diagnostics: p.diagnostics });
      server.waiters = server.waiters.filter((w) => {
        if (w.uri === p.uri && p.version !== undefined && p.version >= w.version) {
          w.resolve();
          return false;
        }
        return true;
      });
    });
    connection.onNotification("window/logMessage", () => undefined);
    connection.onNotification("window/showMessage", () => undefined);
    connection.onRequest("window/showDocument", () => ({ success: false }));
    connection.onRequest("window/showMessageRequest", () => null);
    connection.onRequest("window/workDoneProgress/create", () => null);
    connection.onNotification("$/progress", () => undefined);
    connection.onRequest("workspace/configuration", () => [null]);
    connection.onRequest("client/registerCapability", () => null);
    connection.listen();
    const init = (await connection.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities })) as { capabilities: Record<string, unknown> };
    server.capabilities = init.capabilities;
    await connection.sendNotification("initialized", {});
    return server;
  }

  /** resolves when a publish of `version` (or later) arrives; false after HANG_MS */
  published_(uri: string, version: number): Promise<boolean> {
    const list = this.published.get(uri) ?? [];
    if (list.some((p) => p.version !== undefined && p.version >= version)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        resolve(false);
      }, HANG_MS);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push({ uri, version, resolve: done });
    });
  }

  rssMB(): number {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      return m ? Number(m[1]) / 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  async stop(force = false): Promise<void> {
    if (force && this.exited === null) {
      this.child.kill("SIGKILL");
      await Promise.race([new Promise((r) => this.child.once("exit", r)), delay(2000)]);
    }
    if (this.exited === null) {
      await Promise.race([this.connection.sendRequest("shutdown").catch(() => undefined), delay(2000)]);
      await this.connection.sendNotification("exit").catch(() => undefined);
      await Promise.race([new Promise((r) => this.child.once("exit", r)), delay(2000)]);
      if (this.exited === null) this.child.kill("SIGKILL");
    }
    this.connection.dispose();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function seedTexts(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".cnn")) out.push(readFileSync(p, "utf8"));
    }
  };
  walk(join(root, "examples"));
  walk(join(root, "test", "fixtures"));
  return out;
}

class Fuzzer {
  readonly failures: Failure[] = [];
  readonly stats = { documents: 0, requests: 0, edits: 0, publishes: 0, slowest: { ms: 0, method: "" }, restarts: 0, byMethod: {} as Record<string, number> };
  readonly rss: { doc: number; mb: number }[] = [];
  private legend = { types: 0, modifiers: 0 };
  private methods: string[] = [];
  private commands: string[] = [];

  constructor(
    private server: Server,
    private readonly opts: Options,
  ) {
    this.learn();
  }

  private learn(): void {
    const c = this.server.capabilities as Record<string, any>;
    const m: string[] = [];
    if (c.hoverProvider) m.push("textDocument/hover");
    if (c.completionProvider) m.push("textDocument/completion");
    if (c.signatureHelpProvider) m.push("textDocument/signatureHelp");
    if (c.definitionProvider) m.push("textDocument/definition");
    if (c.referencesProvider) m.push("textDocument/references");
    if (c.documentHighlightProvider) m.push("textDocument/documentHighlight");
    if (c.renameProvider) m.push("textDocument/rename");
    if (c.renameProvider?.prepareProvider) m.push("textDocument/prepareRename");
    if (c.documentSymbolProvider) m.push("textDocument/documentSymbol");
    if (c.foldingRangeProvider) m.push("textDocument/foldingRange");
    if (c.codeActionProvider) m.push("textDocument/codeAction");
    if (c.codeLensProvider) m.push("textDocument/codeLens");
    if (c.inlayHintProvider) m.push("textDocument/inlayHint");
    if (c.documentFormattingProvider) m.push("textDocument/formatting");
    if (c.documentRangeFormattingProvider) m.push("textDocument/rangeFormatting");
    if (c.documentOnTypeFormattingProvider) m.push("textDocument/onTypeFormatting");
    if (c.selectionRangeProvider) m.push("textDocument/selectionRange");
    if (c.documentLinkProvider) m.push("textDocument/documentLink");
    if (c.semanticTokensProvider?.full) m.push("textDocument/semanticTokens/full");
    if (c.semanticTokensProvider?.range) m.push("textDocument/semanticTokens/range");
    this.commands = Array.isArray(c.executeCommandProvider?.commands) ? c.executeCommandProvider.commands : [];
    if (this.commands.length) m.push("workspace/executeCommand");
    m.push("cnn/network", "cnn/summary", "cnn/diagram");
    this.methods = m;
    this.legend = { types: c.semanticTokensProvider?.legend?.tokenTypes?.length ?? 0, modifiers: c.semanticTokensProvider?.legend?.tokenModifiers?.length ?? 0 };
  }

  private fail(f: Failure): void {
    this.failures.push(f);
    if (this.opts.verbose || this.failures.length <= 20) process.stderr.write(`✗ doc ${f.doc} ${f.method}: ${f.kind}: ${f.detail}\n`);
  }

  private params(method: string, uri: string, doc: Doc, r: Random, diagnostics: unknown[]): unknown {
    const textDocument = { uri };
    const position = randomPosition(doc.lines, r);
    const range = (): Range => {
      const a = randomPosition(doc.lines, r);
      const b = randomPosition(doc.lines, r);
      return a.line < b.line || (a.line === b.line && a.character <= b.character) ? { start: a, end: b } : { start: b, end: a };
    };
    const formatting = { tabSize: r.pick([2, 4, 8]), insertSpaces: r.chance(0.8) };
    switch (method) {
      case "textDocument/completion":
        return { textDocument, position, context: r.chance(0.5) ? { triggerKind: 2, triggerCharacter: r.pick([" ", "(", ","]) } : { triggerKind: 1 } };
      case "textDocument/signatureHelp":
        return { textDocument, position, context: { triggerKind: 1, isRetrigger: false } };
      case "textDocument/references":
        return { textDocument, position, context: { includeDeclaration: r.chance(0.5) } };
      case "textDocument/rename":
        return { textDocument, position, newName: r.pick(["b", "Block2", "x_1", "renamed", "1bad", "", "δ", "network"]) };
      case "textDocument/documentSymbol":
      case "textDocument/foldingRange":
      case "textDocument/codeLens":
      case "textDocument/documentLink":
      case "textDocument/semanticTokens/full":
        return { textDocument };
      case "textDocument/semanticTokens/range":
      case "textDocument/inlayHint":
        return { textDocument, range: range() };
      case "textDocument/codeAction": {
        const picked = diagnostics.filter(() => r.chance(0.5));
        const at = picked.length && r.chance(0.7) ? (picked[0] as { range: Range }).range : range();
        return { textDocument, range: at, context: { diagnostics: picked, triggerKind: 1 } };
      }
      case "textDocument/formatting":
        return { textDocument, options: formatting };
      case "textDocument/rangeFormatting":
        return { textDocument, range: range(), options: formatting };
      case "textDocument/onTypeFormatting":
        return { textDocument, position, ch: "\n", options: formatting };
      case "textDocument/selectionRange":
        return { textDocument, positions: [position] };
      case "cnn/network":
        return r.chance(0.7) ? { uri } : { uri, network: r.pick(["N", "Net", "ResNet18", "x"]) };
      case "cnn/summary":
      case "cnn/diagram":
        return { uri };
      case "workspace/executeCommand": {
        // running a network (cnn.run) is a long job by design: now and then only
        const others = this.commands.filter((c) => c !== "cnn.run");
        const command = others.length && !r.chance(0.05) ? r.pick(others) : r.pick(this.commands);
        const args = r.pick([[uri], [uri, r.pick(["N", "Net", "x"])], [{ uri, depth: r.int(4) }], [], [42], [uri, null, "deep"]]);
        return { command, arguments: args };
      }
      default:
        return { textDocument, position };
    }
  }

  /** one request, timed and checked */
  private async request(n: number, method: string, params: unknown, doc: Doc, uri: string): Promise<unknown> {
    this.stats.requests++;
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    const started = performance.now();
    let result: unknown;
    let error: unknown = null;
    const answer = this.server.connection.sendRequest(method, params).then(
      (v) => ({ v }),
      (e) => ({ e }),
    );
    // cnn.run runs the network in a child process (the server keeps answering): no 1 s bound, a longer hang bound
    const long = method === "workspace/executeCommand" && (params as { command?: string }).command === "cnn.run";
    const settled = await Promise.race([answer, delay(long ? 60_000 : HANG_MS).then(() => null)]);
    const ms = performance.now() - started;
    if (ms > this.stats.slowest.ms && !long) this.stats.slowest = { ms, method };
    if (settled === null) {
      this.fail({ kind: "hang", method, detail: `no answer in ${HANG_MS / 1000} s`, text: doc.text, params, doc: n });
      throw new Hang();
    }
    if ("e" in settled) error = settled.e;
    else result = settled.v;
    if (ms > SLOW_MS && !long) this.fail({ kind: "slow", method, detail: `${Math.round(ms)} ms`, text: doc.text, params, doc: n });
    if (error !== null) {
      const e = error as ResponseError<unknown>;
      // a rename to a name that is not one is refused by an error, as LSP says
      const refusedRename = method === "textDocument/rename" && e.code === -32602 && typeof e.message === "string" && !/[\r\n]/.test(e.message);
      if (!refusedRename && this.server.exited === null) this.fail({ kind: "error response", method, detail: `${e.code}: ${String(e.message).slice(0, 200)}`, text: doc.text, params, doc: n });
      return null;
    }
    const problems = resultProblems(doc, uri, result, method);
    if (method.startsWith("textDocument/semanticTokens")) problems.push(...semanticTokenProblems(doc, result, this.legend.types, this.legend.modifiers));
    if (method === "textDocument/formatting" || method === "textDocument/rangeFormatting") problems.push(...formattingProblems(doc, result));
    if (method === "cnn/network" || method === "cnn/diagram") problems.push(...viewAnswerProblems(method, result));
    for (const p of problems.slice(0, 3)) this.fail({ kind: "bad result", method, detail: p, text: doc.text, params, doc: n });
    return result;
  }

  private checkPublishes(n: number, uri: string, sent: Map<number, string>, last: number): void {
    const list = this.server.published.get(uri) ?? [];
    this.stats.publishes += list.length;
    let previous = 0;
    for (const p of list) {
      if (p.version === undefined) {
        this.fail({ kind: "bad version", method: "publishDiagnostics", detail: "a publish without a version for an open document", text: sent.get(last)!, doc: n });
        continue;
      }
      const text = sent.get(p.version);
      if (text === undefined) {
        this.fail({ kind: "bad version", method: "publishDiagnostics", detail: `version ${p.version} was never sent (sent: ${[...sent.keys()].join(", ")})`, text: sent.get(last)!, doc: n });
        continue;
      }
      if (p.version < previous) this.fail({ kind: "bad version", method: "publishDiagnostics", detail: `version ${p.version} published after ${previous}`, text, doc: n });
      previous = p.version;
      for (const problem of diagnosticProblems(new Doc(text), p.diagnostics).slice(0, 3)) this.fail({ kind: "bad diagnostic", method: "publishDiagnostics", detail: problem, text, doc: n });
    }
    if (list.length && list[list.length - 1].version !== last) {
      this.fail({ kind: "bad version", method: "publishDiagnostics", detail: `the last publish is for version ${list[list.length - 1].version}, the document is at ${last}`, text: sent.get(last)!, doc: n });
    }
  }

  /** Opens one document, asks about it, edits it, asks again, closes it. */
  async document(n: number, text: string, r: Random): Promise<void> {
    const uri = `file:///fuzz/doc${n}.cnn`;
    const { connection } = this.server;
    this.server.published.set(uri, []);
    const sent = new Map<number, string>([[1, text]]);
    let doc = new Doc(text);
    let version = 1;
    const started = performance.now();
    await connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "cnn", version, text } });
    const wait = async () => {
      const t = performance.now();
      if (!(await this.server.published_(uri, version))) {
        this.fail({ kind: "hang", method: "publishDiagnostics", detail: `no diagnostics for version ${version} in ${HANG_MS / 1000} s`, text: doc.text, doc: n });
        throw new Hang();
      }
      const ms = performance.now() - t;
      if (ms > SLOW_MS) this.fail({ kind: "slow", method: "publishDiagnostics", detail: `${Math.round(ms)} ms after the change`, text: doc.text, doc: n });
      if (ms > this.stats.slowest.ms) this.stats.slowest = { ms, method: "publishDiagnostics" };
    };
    await wait();
    const lastDiagnostics = () => this.server.published.get(uri)?.at(-1)?.diagnostics ?? [];
    const ask = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const method = r.pick(this.methods);
        await this.request(n, method, this.params(method, uri, doc, r, lastDiagnostics()), doc, uri);
        if (this.server.exited !== null) return;
      }
    };
    await ask(2 + r.int(5));
    // incremental edits: a burst of changes, then the diagnostics of the last
    const bursts = r.int(3);
    for (let b = 0; b < bursts && this.server.exited === null; b++) {
      const changes = 1 + r.int(3);
      for (let c = 0; c < changes; c++) {
        // each change applies to the text the one before left (LSP's order), and is made for it
        const edits: ({ range: Range; text: string } | { text: string })[] = [];
        for (let k = r.chance(0.1) ? 0 : 1 + r.int(2); k > 0; k--) {
          const e = this.edit(doc, r);
          edits.push(e);
          doc = new Doc(doc.text.slice(0, doc.offsetAt(e.range.start)) + e.text + doc.text.slice(doc.offsetAt(e.range.end)));
        }
        if (edits.length === 0) {
          const whole = { text: r.chance(0.5) ? mutated([doc.text || " "], r) : "" };
          edits.push(whole);
          doc = new Doc(whole.text);
        }
        version++;
        sent.set(version, doc.text);
        this.stats.edits++;
        if (this.opts.verbose) process.stderr.write(`  doc ${n} v${version}: ${JSON.stringify(edits)}\n`);
        await connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: edits });
      }
      await wait();
      await ask(1 + r.int(4));
    }
    this.checkPublishes(n, uri, sent, version);
    await connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
    this.server.published.delete(uri);
    this.stats.documents++;
    if (this.opts.verbose && performance.now() - started > 500) process.stderr.write(`  doc ${n}: ${Math.round(performance.now() - started)} ms\n`);
  }

  private edit(doc: Doc, r: Random): { range: Range; text: string } {
    const a = randomPosition(doc.lines, r);
    let b: Position = a;
    if (r.chance(0.5)) {
      const end = Math.min(doc.text.length, doc.offsetAt(a) + r.int(r.chance(0.9) ? 8 : 400));
      b = doc.positionAt(end);
    }
    return { range: { start: a, end: b }, text: typed(r) };
  }

  replace(server: Server): void {
    this.server = server;
    this.stats.restarts++;
    this.learn();
  }
}

class Hang extends Error {}

/**
 * The answers the run view and the architecture view read: the client's own readers take
 * them, and a network's answer grows with its graph (each node, frame and statement a few
 * hundred bytes), not with the graph times its nesting.
 */
function viewAnswerProblems(method: string, result: unknown): string[] {
  const r = result as { error?: unknown; network?: { graph?: unknown[]; frames?: unknown[]; statements?: unknown[] } };
  if (r && typeof r === "object" && typeof r.error === "string") return [];
  try {
    if (method === "cnn/diagram") {
      readDiagram((result as { diagram?: unknown }).diagram);
      return [];
    }
    const response = readNetworkResponse(result);
    if ("error" in response) return [];
    deserializeNetwork(response.network);
    const items = (r.network?.graph?.length ?? 0) + (r.network?.frames?.length ?? 0) + (r.network?.statements?.length ?? 0);
    const bytes = JSON.stringify(result).length;
    return bytes > 4096 + 2000 * items ? [`${bytes} bytes for ${items} nodes, frames and statements`] : [];
  } catch (e) {
    return [`the client cannot read it: ${(e as Error).message.slice(0, 200)}`];
  }
}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const seeds = seedTexts();
  const started = Date.now();
  let server = await Server.start();
  // stopped from outside: take the server down too (it may be deep in a slow analysis)
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      server.child.kill("SIGKILL");
      process.exit(130);
    });
  }
  const fuzzer = new Fuzzer(server, opts);
  const progressEvery = Math.max(100, Math.floor(opts.docs / 20));
  for (let n = opts.start; n < opts.start + opts.docs; n++) {
    if ((Date.now() - started) / 1000 > opts.seconds) break;
    const r = new Random((Math.imul(opts.seed, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca77)) >>> 0);
    // half generated by fast-check, half mutated seeds (and, now and then, a seed as it is)
    const text = r.chance(0.45) ? generated((opts.seed ^ (n * 2654435761)) >>> 0) : r.chance(0.05) ? r.pick(seeds) : mutated(seeds, r);
    let hung = false;
    try {
      await fuzzer.document(n, text, r);
    } catch (e) {
      if (!(e instanceof Hang)) throw e;
      hung = true;
    }
    if (server.exited !== null || hung) {
      if (server.exited !== null) fuzzer.failures.push({ kind: "exit", method: "-", detail: `the server stopped (${server.exited})`, text, doc: n });
      process.stderr.write(`✗ doc ${n}: the server ${server.exited ?? "hangs"}; starting another\n`);
      await server.stop(true);
      server = await Server.start();
      fuzzer.replace(server);
    }
    if (opts.verbose) process.stderr.write(`doc ${n}: ${JSON.stringify(text)}\n`);
    if (n % 10 === 0) fuzzer.rss.push({ doc: n, mb: server.rssMB() });
    if (n > 0 && n % progressEvery === 0) process.stderr.write(`  ${n} documents, ${fuzzer.stats.requests} requests, ${fuzzer.failures.length} failures, server ${Math.round(server.rssMB())} MB, ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  fuzzer.rss.push({ doc: fuzzer.stats.documents, mb: server.rssMB() });
  await server.stop();

  // memory: after the first tenth (caches filling), the last tenth may not stand far above
  const rss = fuzzer.rss.filter((s) => Number.isFinite(s.mb));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const tenth = Math.max(1, Math.floor(rss.length / 10));
  const early = median(rss.slice(tenth, 2 * tenth).map((s) => s.mb));
  const late = median(rss.slice(-tenth).map((s) => s.mb));
  const peak = Math.max(...rss.map((s) => s.mb));
  if (rss.length >= 20 && late > Math.max(early * 1.5, early + 100)) fuzzer.failures.push({ kind: "memory", method: "-", detail: `the server's RSS grew from ${early.toFixed(0)} MB to ${late.toFixed(0)} MB`, text: "", doc: -1 });

  const s = fuzzer.stats;
  const kinds = new Map<string, number>();
  for (const f of fuzzer.failures) kinds.set(`${f.kind} (${f.method})`, (kinds.get(`${f.kind} (${f.method})`) ?? 0) + 1);
  const seconds = (Date.now() - started) / 1000;
  const lines = [
    `fuzz: seed ${opts.seed}: ${s.documents} documents, ${s.edits} edits, ${s.requests} requests, ${s.publishes} publishes in ${seconds.toFixed(0)} s`,
    `  slowest answer ${s.slowest.ms.toFixed(0)} ms (${s.slowest.method}); server RSS ${early.toFixed(0)} MB early → ${late.toFixed(0)} MB late, peak ${peak.toFixed(0)} MB; ${s.restarts} restarts`,
    `  ${fuzzer.failures.length} failures${kinds.size ? ": " + [...kinds].map(([k, v]) => `${v} × ${k}`).join(", ") : ""}`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
  if (opts.report) {
    // the shortest document of each kind of failure: the reproducer to hand on
    const shortest = new Map<string, Failure>();
    for (const f of fuzzer.failures) {
      const key = `${f.kind} ${f.method} ${f.detail.replace(/\d+/g, "N")}`;
      const had = shortest.get(key);
      if (!had || f.text.length < had.text.length) shortest.set(key, f);
    }
    writeFileSync(opts.report, JSON.stringify({ options: opts, stats: s, rss: fuzzer.rss, failures: [...shortest.values()] }, null, 1));
    process.stdout.write(`  report: ${opts.report}\n`);
  }
  return fuzzer.failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`fuzz: ${(e as Error).stack}\n`);
    process.exit(3);
  },
);
