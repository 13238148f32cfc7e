// A plain LSP client for tests and the benchmark: launches dist/server/server.js over
// stdio, as any editor would, and speaks the protocol through vscode-languageserver-protocol.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type InitializeResult,
  type ClientCapabilities,
  type TextDocumentContentChangeEvent,
} from "vscode-languageserver-protocol/node";
import { serverNodeFlags } from "../../../server/protocol";

/** The repository: the nearest folder above this bundle whose package.json is ours (tests and benchmarks are bundled to different depths). */
function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "cnn-designer") return dir;
  }
  throw new Error(`no cnn-designer package.json above ${from}`);
}

export const root = findRoot(__dirname);
export const serverPath = join(root, "dist", "server", "server.js");

export const capabilities: ClientCapabilities = {
  textDocument: {
    completion: { completionItem: { snippetSupport: true } },
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "refactor"] } } },
    hover: { contentFormat: ["markdown", "plaintext"] },
    inlayHint: {},
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    rename: { prepareSupport: true },
  },
  workspace: {},
};

export interface StartOptions {
  /** the `cnn` settings section, sent as initializationOptions (and answered to workspace/configuration) */
  settings?: unknown;
  /** initializationOptions as given (instead of `{settings}`) */
  initializationOptions?: unknown;
  /** the answer to workspace/configuration (default: [settings ?? null]) */
  configuration?: (params: unknown) => unknown;
  capabilities?: ClientCapabilities;
  /** start it as the spec says any editor may: `npm run --silent lsp` in the repository */
  viaNpm?: boolean;
  /** node flags for the direct launch (default: the ones every launch uses) */
  nodeFlags?: string[];
}

export class TestServer {
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: { uri: string; version: number | undefined; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  readonly logs: string[] = [];
  exited: number | null = null;
  initialize!: InitializeResult;

  private constructor(
    readonly process: ChildProcess,
    readonly connection: ProtocolConnection,
  ) {}

  static async start(options: StartOptions = {}): Promise<TestServer> {
    const child = options.viaNpm
      ? spawn("npm", ["run", "--silent", "lsp"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] })
      : spawn(process.execPath, [...(options.nodeFlags ?? serverNodeFlags), serverPath, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const server = new TestServer(child, connection);
    child.on("exit", (code) => (server.exited = code ?? -1));
    child.stderr!.on("data", (d) => server.logs.push(String(d)));
    connection.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => server.received(p));
    connection.onNotification("window/logMessage", (p: { message: string }) => {
      server.logs.push(p.message);
    });
    connection.onRequest("workspace/configuration", (params: unknown) => (options.configuration ? options.configuration(params) : [options.settings ?? null]));
    connection.onRequest("client/registerCapability", () => null);
    connection.listen();
    server.initialize = await connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri: null,
      capabilities: options.capabilities ?? capabilities,
      initializationOptions: options.initializationOptions !== undefined ? options.initializationOptions : options.settings !== undefined ? { settings: options.settings } : undefined,
    });
    await connection.sendNotification("initialized", {});
    return server;
  }

  private received(p: PublishDiagnosticsParams) {
    const list = this.diagnostics.get(p.uri) ?? [];
    list.push(p);
    this.diagnostics.set(p.uri, list);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) {
        this.waiters.splice(i, 1);
        w.resolve(p);
      }
    }
  }

  /** Every publish for this uri so far, oldest first. */
  published(uri: string): PublishDiagnosticsParams[] {
    return [...(this.diagnostics.get(uri) ?? [])];
  }

  /** The next diagnostics published for this uri (and this version, if given). */
  diagnosticsFor(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    const seen = this.diagnostics.get(uri)?.find((p) => version === undefined || p.version === version);
    if (seen && version !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  async open(uri: string, text: string, version = 1): Promise<PublishDiagnosticsParams> {
    const published = this.diagnosticsFor(uri, version);
    await this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "cnn", version, text } });
    return published;
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams> {
    const published = this.diagnosticsFor(uri, version);
    await this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: changes });
    return published;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    if (this.exited === null) {
      try {
        await Promise.race([this.connection.sendRequest("shutdown"), new Promise((r) => setTimeout(r, 2000))]);
        await this.connection.sendNotification("exit");
      } catch {
        // already gone
      }
    }
    await new Promise<void>((resolve) => {
      if (this.exited !== null) return resolve();
      const timer = setTimeout(() => {
        this.process.kill();
        resolve();
      }, 2000);
      this.process.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.connection.dispose();
  }
}

/** `conv 6 5x5<|>`: the text without markers, and each marker's offset. */
export function marked(text: string): { text: string; offsets: number[] } {
  const offsets: number[] = [];
  let out = "";
  const parts = text.split("<|>");
  parts.forEach((part, i) => {
    out += part;
    if (i < parts.length - 1) offsets.push(out.length);
  });
  return { text: out, offsets };
}

/** UTF-16 line/character of an offset (the test's own count, independent of the server). */
export function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}
