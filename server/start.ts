// The language server: one connection, one TextDocuments, one snapshot cache. Handlers
// are thin: find the snapshot, call the feature (a pure function), convert nothing
// themselves. Diagnostics are pushed after each change; the rest is pulled.

import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  ErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type ClientCapabilities,
  type FormattingOptions,
  type RenameParams,
  type WorkspaceEdit,
  type Connection,
  type InitializeResult,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { guard, type Log } from "./guard";
import { analysisSettings, defaultSettings, readSettings, type ServerSettings } from "./settings";
import { SnapshotCache, type Snapshot } from "./snapshots";
import { networkMethod, summaryMethod, type NetworkParams, type NetworkResponse, type SummaryResponse } from "./protocol";
import { diagnostics } from "./features/diagnostics";
import { inlayHints } from "./features/inlayHints";
import { hover } from "./features/hover";
import { codeActions } from "./features/codeActions";
import { completion } from "./features/completion";
import { signatureHelp } from "./features/signatureHelp";
import { documentSymbols } from "./features/symbols";
import { definition, highlights, prepareRename, references, rename } from "./features/names";
import { foldingRanges } from "./features/folding";
import { semanticTokens, semanticTokensLegend } from "./features/semanticTokens";
import { formatEdits } from "./features/formatting";
import { codeLenses } from "./features/codeLens";
import { networkFor, summaryFor } from "./features/network";
import { diagramFor, diagramMethod, type DiagramResponse } from "./features/diagram";

/** The editor's indentation, or two spaces when it sends none. */
function formattingOptions(options: Partial<FormattingOptions> | null | undefined): FormattingOptions {
  const tabSize = typeof options?.tabSize === "number" && options.tabSize >= 1 ? options.tabSize : 2;
  return { tabSize, insertSpaces: options?.insertSpaces !== false };
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = defaultSettings;
  let capabilities: ClientCapabilities = {};
  const log: Log = (message) => connection.console.error(message);
  const cache = new SnapshotCache(analysisSettings(settings), log);

  /** The snapshot of the document's current version, or null when it is not open. */
  const snapshotOf = (uri: unknown): Snapshot | null => {
    if (typeof uri !== "string") return null;
    const document = documents.get(uri);
    return document ? cache.get(document) : null;
  };
  const docUri = (params: unknown): unknown => (params as { textDocument?: { uri?: unknown } } | null)?.textDocument?.uri;

  // ---- diagnostics: right after an edit, at most one analysis per document in flight ----

  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const finishedAt = new Map<string, number>();

  const publish = (uri: string) => {
    timers.delete(uri);
    const document = documents.get(uri);
    if (!document) return;
    try {
      const snapshot = cache.get(document);
      void connection.sendDiagnostics({ uri, version: snapshot.version, diagnostics: diagnostics(snapshot) });
    } catch (error) {
      log(`diagnostics failed for ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    finishedAt.set(uri, performance.now());
  };

  /**
   * A single edit is analyzed at once; while the user types faster than the analysis
   * takes, edits are coalesced: the next analysis waits as long as the last one took.
   */
  const schedule = (uri: string) => {
    if (timers.has(uri)) return;
    const took = cache.lastMilliseconds.get(uri) ?? 0;
    const idle = performance.now() - (finishedAt.get(uri) ?? -Infinity);
    const delay = idle >= took ? 0 : Math.min(250, took - idle);
    timers.set(uri, setTimeout(() => publish(uri), delay));
  };

  documents.onDidOpen((e) => publish(e.document.uri));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    const timer = timers.get(e.document.uri);
    if (timer) clearTimeout(timer);
    timers.delete(e.document.uri);
    finishedAt.delete(e.document.uri);
    cache.forget(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  // ---- settings ----

  const applySettings = (raw: unknown) => {
    settings = readSettings(raw);
    cache.setSettings(analysisSettings(settings));
    for (const document of documents.all()) publish(document.uri);
    const workspace = capabilities.workspace;
    if (workspace?.inlayHint?.refreshSupport) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (workspace?.semanticTokens?.refreshSupport) void connection.languages.semanticTokens.refresh().catch(() => undefined);
    if (workspace?.codeLens?.refreshSupport) void connection.sendRequest("workspace/codeLens/refresh").catch(() => undefined);
  };
  const pullSettings = async () => {
    try {
      applySettings(await connection.workspace.getConfiguration({ section: "cnn" }));
    } catch (error) {
      log(`reading the settings failed: ${String(error)}`);
    }
  };

  connection.onInitialize((params): InitializeResult => {
    capabilities = params.capabilities ?? {};
    const options = params.initializationOptions as { settings?: unknown } | undefined;
    if (options?.settings !== undefined) {
      settings = readSettings(options.settings);
      cache.setSettings(analysisSettings(settings));
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        inlayHintProvider: { resolveProvider: false },
        completionProvider: { triggerCharacters: [" ", "(", ","], resolveProvider: false },
        signatureHelpProvider: { triggerCharacters: ["(", ","], retriggerCharacters: ["="] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        documentSymbolProvider: { label: "CNN" },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        renameProvider: { prepareProvider: true },
        foldingRangeProvider: true,
        semanticTokensProvider: { legend: semanticTokensLegend, full: true, range: true },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: "cnn-language-server", version: "0.1.0" },
    };
  });

  connection.onInitialized(() => {
    if (capabilities.workspace?.configuration) {
      if (capabilities.workspace.didChangeConfiguration?.dynamicRegistration) {
        void connection.client.register(DidChangeConfigurationNotification.type, { section: "cnn" }).catch(() => undefined);
      }
      void pullSettings();
    }
  });

  connection.onDidChangeConfiguration((change) => {
    if (capabilities.workspace?.configuration) void pullSettings();
    else applySettings((change?.settings as { cnn?: unknown } | undefined)?.cnn);
  });

  // ---- features ----

  connection.languages.inlayHint.on(guard(log, "inlay hints", [], (p, token) => {
    const s = snapshotOf(docUri(p));
    if (!s || token.isCancellationRequested) return [];
    return inlayHints(s, p.range ?? null, settings);
  }));
  connection.onHover(guard(log, "hover", null, (p) => {
    const s = snapshotOf(docUri(p));
    return s ? hover(s, p.position, settings) : null;
  }));
  connection.onCodeAction(guard(log, "code actions", [], (p) => {
    const s = snapshotOf(docUri(p));
    const only = Array.isArray(p.context?.only) ? p.context.only.filter((k): k is string => typeof k === "string") : undefined;
    return s ? codeActions(s, p.range, only, analysisSettings(settings)) : [];
  }));
  connection.onCompletion(guard(log, "completion", null, (p) => {
    const s = snapshotOf(docUri(p));
    if (!s) return null;
    const snippets = capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    return completion(s, { position: p.position, snippets, trigger: p.context?.triggerCharacter });
  }));
  connection.onSignatureHelp(guard(log, "signature help", null, (p) => {
    const s = snapshotOf(docUri(p));
    return s ? signatureHelp(s, p.position) : null;
  }));
  connection.onDocumentSymbol(guard(log, "document symbols", [], (p) => {
    const s = snapshotOf(docUri(p));
    return s ? documentSymbols(s, settings) : [];
  }));
  connection.onDefinition(guard(log, "definition", null, (p) => {
    const s = snapshotOf(docUri(p));
    return s ? definition(s, p.position) : null;
  }));
  connection.onReferences(guard(log, "references", [], (p) => {
    const s = snapshotOf(docUri(p));
    return s ? references(s, p.position, p.context?.includeDeclaration !== false) : [];
  }));
  connection.onDocumentHighlight(guard(log, "highlights", [], (p) => {
    const s = snapshotOf(docUri(p));
    return s ? highlights(s, p.position) : [];
  }));
  connection.onPrepareRename(guard(log, "prepare rename", null, (p) => {
    const s = snapshotOf(docUri(p));
    return s ? prepareRename(s, p.position) : null;
  }));
  connection.onRenameRequest(guard<RenameParams, WorkspaceEdit | null | ResponseError<void>>(log, "rename", null, (p) => {
    const s = snapshotOf(docUri(p));
    if (!s) return null;
    const result = rename(s, p.position, String(p.newName));
    if (result && "problem" in result) return new ResponseError(ErrorCodes.InvalidParams, result.problem);
    return result;
  }));
  connection.onFoldingRanges(guard(log, "folding", [], (p) => {
    const s = snapshotOf(docUri(p));
    return s ? foldingRanges(s) : [];
  }));
  connection.languages.semanticTokens.on(guard(log, "semantic tokens", { data: [] }, (p) => {
    const s = snapshotOf(docUri(p));
    return s ? semanticTokens(s, null) : { data: [] };
  }));
  connection.languages.semanticTokens.onRange(guard(log, "semantic tokens", { data: [] }, (p) => {
    const s = snapshotOf(docUri(p));
    return s ? semanticTokens(s, s.positions.span(p.range)) : { data: [] };
  }));
  connection.onDocumentFormatting(guard(log, "formatting", [], (p) => {
    const s = snapshotOf(docUri(p));
    return s ? formatEdits(s, formattingOptions(p.options), null) : [];
  }));
  connection.onDocumentRangeFormatting(guard(log, "formatting", [], (p) => {
    const s = snapshotOf(docUri(p));
    return s ? formatEdits(s, formattingOptions(p.options), s.positions.span(p.range)) : [];
  }));
  connection.onCodeLens(guard(log, "code lens", [], (p) => {
    const s = snapshotOf(docUri(p));
    return s && settings.codeLens ? codeLenses(s) : [];
  }));
  const networkHandler = guard<NetworkParams | null, NetworkResponse>(log, "cnn/network", { error: "the server failed to read the network (see its log)" }, (p) => {
    const s = snapshotOf(p?.uri);
    return s ? networkFor(s, p?.network) : { error: `${String(p?.uri)} is not open` };
  });
  connection.onRequest(networkMethod, networkHandler as (params: unknown, token: CancellationToken) => unknown);
  const summaryHandler = guard<NetworkParams | null, SummaryResponse>(log, "cnn/summary", { error: "the server failed to write the summary (see its log)" }, (p) => {
    const s = snapshotOf(p?.uri);
    return s ? summaryFor(s, p?.network, settings.shapeFormat) : { error: `${String(p?.uri)} is not open` };
  });
  connection.onRequest(summaryMethod, summaryHandler as (params: unknown, token: CancellationToken) => unknown);
  const diagramHandler = guard<NetworkParams | null, DiagramResponse>(log, "cnn/diagram", { error: "the server failed to draw the network (see its log)" }, (p) => {
    const s = snapshotOf(p?.uri);
    return s ? diagramFor(s, typeof p?.network === "string" ? p.network : undefined) : { error: `${String(p?.uri)} is not open` };
  });
  connection.onRequest(diagramMethod, diagramHandler as (params: unknown, token: CancellationToken) => unknown);

  documents.listen(connection);
  connection.listen();
}
