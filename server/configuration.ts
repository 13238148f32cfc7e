// The `cnn` settings: from `initializationOptions` at start, then pulled with
// `workspace/configuration` when the client offers it, or taken from
// `workspace/didChangeConfiguration`. New settings refresh what the client shows.

import { DidChangeConfigurationNotification } from "vscode-languageserver";
import type { Feature, ServerContext } from "./context";
import { readSettings } from "./settings";

export const configuration: Feature = {
  name: "configuration",
  initialize(ctx, params) {
    const options = params.initializationOptions as { settings?: unknown } | undefined;
    if (options?.settings !== undefined) ctx.setSettings(readSettings(options.settings));
  },
  initialized(ctx) {
    const workspace = ctx.client.workspace;
    if (!workspace?.configuration) return;
    if (workspace.didChangeConfiguration?.dynamicRegistration) {
      void ctx.connection.client.register(DidChangeConfigurationNotification.type, { section: "cnn" }).catch(() => undefined);
    }
    void pull(ctx);
  },
  register(ctx: ServerContext) {
    ctx.connection.onDidChangeConfiguration((change) => {
      if (ctx.client.workspace?.configuration) void pull(ctx);
      else apply(ctx, (change?.settings as { cnn?: unknown } | undefined)?.cnn);
    });
  },
};

function apply(ctx: ServerContext, raw: unknown): void {
  const { connection } = ctx;
  ctx.setSettings(readSettings(raw));
  const workspace = ctx.client.workspace;
  if (workspace?.inlayHint?.refreshSupport) void connection.languages.inlayHint.refresh().catch(() => undefined);
  if (workspace?.semanticTokens?.refreshSupport) void connection.languages.semanticTokens.refresh().catch(() => undefined);
  if (workspace?.codeLens?.refreshSupport) void connection.sendRequest("workspace/codeLens/refresh").catch(() => undefined);
}

async function pull(ctx: ServerContext): Promise<void> {
  try {
    apply(ctx, await ctx.connection.workspace.getConfiguration({ section: "cnn" }));
  } catch (error) {
    ctx.log(`reading the settings failed: ${String(error)}`);
  }
}
