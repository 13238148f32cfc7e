// One registration per feature: the capability it announces next to the handler that
// serves it. Handlers are thin: find the snapshot, call the feature (a pure function of
// the analysis, server/features/*), convert nothing themselves.

import {
  CodeActionKind,
  ErrorCodes,
  ResponseError,
  type CancellationToken,
  type RenameParams,
  type WorkspaceEdit,
} from "vscode-languageserver";
import type { Feature, ServerContext } from "./context";
import { depthValue } from "./settings";
import { guard } from "./guard";
import { networkMethod, summaryMethod, type NetworkParams, type NetworkResponse, type SummaryResponse } from "./protocol";
import { hintDocument, inlayHints, resolveInlayHint } from "./features/inlayHints";
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
import { serverCommands, vscodeCommands } from "./commands";

/** The client resolves a hint's tooltip when it shows it (VS Code does): hints then go without, and `inlayHint/resolve` adds it. */
const resolvesTooltips = (ctx: ServerContext) => ctx.client.textDocument?.inlayHint?.resolveSupport?.properties?.includes("tooltip") === true;

export const inlayHintFeature: Feature = {
  name: "inlay hints",
  capabilities: (ctx) => ({ inlayHintProvider: { resolveProvider: resolvesTooltips(ctx) } }),
  register: (ctx) => {
    ctx.connection.languages.inlayHint.on(
      ctx.onDocument("inlay hints", [], (s, p, token) => (token.isCancellationRequested ? [] : inlayHints(s, p.range ?? null, ctx.settings, resolvesTooltips(ctx)))),
    );
    ctx.connection.languages.inlayHint.resolve((hint) => {
      // (the hint as it came when anything fails: a resolve never loses the hint)
      try {
        ctx.idle.touch();
        const snapshot = ctx.snapshotOf(hintDocument(hint));
        return snapshot ? resolveInlayHint(snapshot, hint, ctx.settings) : hint;
      } catch (error) {
        ctx.log(`inlay hint resolve failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return hint;
      }
    });
  },
};

export const hoverFeature: Feature = {
  name: "hover",
  capabilities: { hoverProvider: true },
  register: (ctx) => ctx.connection.onHover(ctx.onDocument("hover", null, (s, p) => hover(s, p.position, ctx.settings))),
};

export const codeActionFeature: Feature = {
  name: "code actions",
  capabilities: { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] } },
  register: (ctx) =>
    ctx.connection.onCodeAction(
      ctx.onDocument("code actions", [], (s, p) => {
        const only = Array.isArray(p.context?.only) ? p.context.only.filter((k): k is string => typeof k === "string") : undefined;
        return codeActions(s, p.range, only);
      }),
    ),
};

export const completionFeature: Feature = {
  name: "completion",
  capabilities: { completionProvider: { triggerCharacters: [" ", "(", ","], resolveProvider: false } },
  register: (ctx) =>
    ctx.connection.onCompletion(
      ctx.onDocument("completion", null, (s, p) => {
        const snippets = ctx.client.textDocument?.completion?.completionItem?.snippetSupport === true;
        return completion(s, { position: p.position, snippets, trigger: p.context?.triggerCharacter });
      }),
    ),
};

export const signatureHelpFeature: Feature = {
  name: "signature help",
  capabilities: { signatureHelpProvider: { triggerCharacters: ["(", ",", " "], retriggerCharacters: ["="] } },
  register: (ctx) => ctx.connection.onSignatureHelp(ctx.onDocument("signature help", null, (s, p) => signatureHelp(s, p.position))),
};

export const symbolFeature: Feature = {
  name: "document symbols",
  capabilities: { documentSymbolProvider: { label: "CNN" } },
  register: (ctx) => ctx.connection.onDocumentSymbol(ctx.onDocument("document symbols", [], (s) => documentSymbols(s, ctx.settings))),
};

/** Definition, references, highlights and rename: the names of blocks and parameters. */
export const namesFeature: Feature = {
  name: "names",
  capabilities: { definitionProvider: true, referencesProvider: true, documentHighlightProvider: true, renameProvider: { prepareProvider: true } },
  register(ctx) {
    const { connection } = ctx;
    connection.onDefinition(ctx.onDocument("definition", null, (s, p) => definition(s, p.position)));
    connection.onReferences(ctx.onDocument("references", [], (s, p) => references(s, p.position, p.context?.includeDeclaration !== false)));
    connection.onDocumentHighlight(ctx.onDocument("highlights", [], (s, p) => highlights(s, p.position)));
    connection.onPrepareRename(ctx.onDocument("prepare rename", null, (s, p) => prepareRename(s, p.position)));
    connection.onRenameRequest(
      ctx.onDocument<RenameParams, WorkspaceEdit | null | ResponseError<void>>("rename", null, (s, p) => {
        const result = rename(s, p.position, String(p.newName));
        if (result && "problem" in result) return new ResponseError(ErrorCodes.InvalidParams, result.problem);
        return result;
      }),
    );
  },
};

export const foldingFeature: Feature = {
  name: "folding",
  capabilities: { foldingRangeProvider: true },
  register: (ctx) => ctx.connection.onFoldingRanges(ctx.onDocument("folding", [], (s) => foldingRanges(s))),
};

export const semanticTokenFeature: Feature = {
  name: "semantic tokens",
  capabilities: { semanticTokensProvider: { legend: semanticTokensLegend, full: true, range: true } },
  register(ctx) {
    const { connection } = ctx;
    connection.languages.semanticTokens.on(ctx.onDocument("semantic tokens", { data: [] }, (s) => semanticTokens(s, null)));
    connection.languages.semanticTokens.onRange(ctx.onDocument("semantic tokens", { data: [] }, (s, p) => semanticTokens(s, s.positions.span(p.range))));
  },
};

export const formattingFeature: Feature = {
  name: "formatting",
  capabilities: { documentFormattingProvider: true, documentRangeFormattingProvider: true },
  register(ctx) {
    const { connection } = ctx;
    connection.onDocumentFormatting(ctx.onDocument("formatting", [], (s, p) => formatEdits(s, p.options ?? {}, null)));
    connection.onDocumentRangeFormatting(ctx.onDocument("formatting", [], (s, p) => formatEdits(s, p.options ?? {}, s.positions.span(p.range))));
  },
};

export const codeLensFeature: Feature = {
  name: "code lens",
  capabilities: { codeLensProvider: { resolveProvider: false } },
  register: (ctx) =>
    ctx.connection.onCodeLens(
      ctx.onDocument("code lens", [], (s) => {
        if (!ctx.settings.codeLens) return [];
        const own = (key: "run" | "summary") => (ctx.clientCommands.has(vscodeCommands[key]) ? vscodeCommands[key] : serverCommands[key]);
        const architecture = ctx.clientCommands.has(vscodeCommands.architecture) ? vscodeCommands.architecture : undefined;
        return codeLenses(s, { run: own("run"), summary: own("summary"), ...(architecture ? { architecture } : {}) });
      }),
    ),
};

/** The server's own requests: `cnn/network` (the run view) and `cnn/summary`. */
export const networkFeature: Feature = {
  name: "cnn/network and cnn/summary",
  register(ctx) {
    const { connection, log } = ctx;
    const network = guard<NetworkParams | null, NetworkResponse>(log, networkMethod, { error: "the server failed to read the network (see its log)" }, (p) => {
      const s = ctx.snapshotOf(p?.uri);
      return s ? networkFor(s, p?.network) : { error: `${String(p?.uri)} is not open` };
    });
    connection.onRequest(networkMethod, network as (params: unknown, token: CancellationToken) => unknown);
    const summary = guard<NetworkParams | null, SummaryResponse>(log, summaryMethod, { error: "the server failed to write the summary (see its log)" }, (p) => {
      const s = ctx.snapshotOf(p?.uri);
      return s ? summaryFor(s, p?.network, ctx.settings.shapeFormat, depthValue(p?.depth) ?? ctx.settings.summaryDepth) : { error: `${String(p?.uri)} is not open` };
    });
    connection.onRequest(summaryMethod, summary as (params: unknown, token: CancellationToken) => unknown);
  },
};
