// The `cnn` settings, from wherever the client puts them (server/settings.ts cnnSection
// reads VS Code's `{cnn: {…}}`, the bare section and dotted keys):
// - `initializationOptions.settings` (or `initializationOptions.cnn`) at start;
// - `workspace/didChangeConfiguration`'s `settings`, when it holds any;
// - pulled with `workspace/configuration` (section `cnn`) after `initialized` and after
//   each change notification, when the client offers it — and once after `initialized`
//   when it does not (Neovim 0.7 answers without announcing it). A client that has
//   nothing for the section answers null: that keeps what the other ways gave.
// New settings refresh what the client shows (diagnostics, hints, tokens, lenses).

import { DidChangeConfigurationNotification } from "vscode-languageserver";
import type { Feature, ServerContext } from "./context";
import { readSettings } from "./settings";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const configuration: Feature = {
  name: "configuration",
  initialize(ctx, params) {
    const options = params.initializationOptions as Record<string, unknown> | null | undefined;
    if (!isObject(options)) return;
    const given = options.settings !== undefined ? options.settings : isObject(options.cnn) ? { cnn: options.cnn } : undefined;
    if (isObject(given)) ctx.setSettings(readSettings(given));
  },
  initialized(ctx) {
    const workspace = ctx.client.workspace;
    if (!workspace?.configuration) {
      // Neovim 0.7 answers workspace/configuration from its `settings` but does not
      // announce it (nor send them otherwise, without nvim-lspconfig): ask once anyway.
      // A client that cannot answer says so (an error, ignored) or never answers (no harm:
      // nothing waits for it).
      void pull(ctx, true);
      return;
    }
    if (workspace.didChangeConfiguration?.dynamicRegistration) {
      void ctx.connection.client.register(DidChangeConfigurationNotification.type, { section: "cnn" }).catch(() => undefined);
    }
    void pull(ctx);
  },
  register(ctx: ServerContext) {
    ctx.connection.onDidChangeConfiguration((change) => {
      const given = (change as { settings?: unknown } | null)?.settings;
      if (isObject(given) && Object.keys(given).length > 0) apply(ctx, given);
      if (ctx.client.workspace?.configuration) void pull(ctx);
    });
  },
};

function apply(ctx: ServerContext, raw: unknown): void {
  const { connection } = ctx;
  if (!ctx.setSettings(readSettings(raw))) return;
  const workspace = ctx.client.workspace;
  if (workspace?.inlayHint?.refreshSupport) void connection.languages.inlayHint.refresh().catch(() => undefined);
  if (workspace?.semanticTokens?.refreshSupport) void connection.languages.semanticTokens.refresh().catch(() => undefined);
  if (workspace?.codeLens?.refreshSupport) void connection.sendRequest("workspace/codeLens/refresh").catch(() => undefined);
}

async function pull(ctx: ServerContext, unannounced = false): Promise<void> {
  try {
    const section: unknown = await ctx.connection.workspace.getConfiguration({ section: "cnn" });
    if (isObject(section)) apply(ctx, section);
  } catch (error) {
    if (!unannounced) ctx.log(`reading the settings failed: ${String(error)}`);
  }
}
