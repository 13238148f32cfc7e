// The language server's wiring: one connection, one context (documents, snapshot cache,
// settings), and the features, each registering its own handlers and announcing its
// own capabilities (server/registrations.ts, server/publish.ts, server/configuration.ts).

import { TextDocumentSyncKind, type Connection, type InitializeResult, type ServerCapabilities } from "vscode-languageserver";
import { ServerContext, type Feature } from "./context";
import { configuration } from "./configuration";
import { publishDiagnostics } from "./publish";
import { commandsFeature } from "./commands";
import {
  codeActionFeature,
  codeLensFeature,
  completionFeature,
  foldingFeature,
  formattingFeature,
  hoverFeature,
  inlayHintFeature,
  namesFeature,
  networkFeature,
  semanticTokenFeature,
  signatureHelpFeature,
  symbolFeature,
} from "./registrations";
import { diagramFeature } from "./features/diagram";

/** Every feature, in the order its capabilities are announced. */
export const features: readonly Feature[] = [
  configuration,
  publishDiagnostics,
  hoverFeature,
  inlayHintFeature,
  completionFeature,
  signatureHelpFeature,
  codeActionFeature,
  symbolFeature,
  namesFeature,
  foldingFeature,
  semanticTokenFeature,
  formattingFeature,
  codeLensFeature,
  networkFeature,
  diagramFeature,
  commandsFeature,
];

export function startServer(connection: Connection): ServerContext {
  const ctx = new ServerContext(connection);

  connection.onInitialize((params): InitializeResult => {
    ctx.client = params.capabilities ?? {};
    const capabilities: ServerCapabilities = { textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental } };
    for (const feature of features) feature.initialize?.(ctx, params);
    for (const feature of features) Object.assign(capabilities, typeof feature.capabilities === "function" ? feature.capabilities(ctx) : feature.capabilities);
    return { capabilities, serverInfo: { name: "cnn-language-server", version: "0.1.0" } };
  });

  connection.onInitialized(() => {
    for (const feature of features) feature.initialized?.(ctx);
  });
  for (const feature of features) feature.register(ctx);

  ctx.documents.listen(connection);
  connection.listen();
  return ctx;
}
