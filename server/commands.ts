// `workspace/executeCommand`: the code lens's commands for editors other than VS Code.
//
// - `cnn.summary` [uri, network?, depth?] (or one object {uri, network?, depth?}) answers
//   `{ text }`, the table of `cnn summary`; and shows it: as a document when the client
//   can show one (`window/showDocument`: a text file in the server's temp folder), else
//   as a message.
// - `cnn.run` [uri, network?] runs the network as `cnn run --json` does, in a child
//   process (server/run.ts): the server keeps answering, the run is refused past the
//   memory budget before anything is allocated, cancelled when the request is, and
//   replaced when another run starts. It answers `{ network, output, top5?, ms, json }`
//   (`json`: a file with every layer's time and the output values) and says the top-5.
//
// The VS Code extension has commands of its own (its run view, its summary editor): it
// says so in `initializationOptions.clientCommands`, and the server then neither
// announces those names (VS Code's client would register them a second time) nor
// points the lens at its own.

import { pathToFileURL } from "node:url";
import { MessageType, type CancellationToken, type ExecuteCommandParams } from "vscode-languageserver";
import type { Feature, ServerContext } from "./context";
import { depthValue } from "./settings";
import { summaryFor } from "./features/network";
import { runInServer, type RunResponse } from "./run";
import { tempFile } from "./temp";

export const serverCommands = { summary: "cnn.summary", run: "cnn.run" } as const;
/** what the lens runs when the client has its own commands (the VS Code extension) */
export const vscodeCommands = { summary: "cnn.showSummary", run: "cnn.run", architecture: "cnn.showArchitecture" } as const;

/**
 * [uri, network?, depth?] or [{uri, network?, depth?}] → the target, or null. Without a
 * uri (Helix's `:lsp-workspace-command cnn.summary` sends no arguments) the document the
 * user opened or edited last.
 */
function target(args: unknown[] | undefined, last: string | null): { uri: string; network?: string; depth?: number } | null {
  const [first, second, third] = args ?? [];
  const object = typeof first === "object" && first !== null ? (first as Record<string, unknown>) : null;
  const uri = (object ? object.uri : first) ?? last;
  if (typeof uri !== "string") return null;
  const network = object ? object.network : second;
  const depth = depthValue(object ? object.depth : third);
  return { uri, ...(typeof network === "string" ? { network } : {}), ...(depth !== null ? { depth } : {}) };
}

async function showSummary(ctx: ServerContext, uri: string, network: string | undefined, text: string): Promise<void> {
  if (ctx.client.window?.showDocument?.support) {
    const path = tempFile(uri, network, "summary", "txt", text);
    const shown = await ctx.connection.window.showDocument({ uri: pathToFileURL(path).toString(), takeFocus: true }).catch(() => ({ success: false }));
    if (shown.success) return;
  }
  await ctx.connection.sendNotification("window/showMessage", { type: MessageType.Info, message: text });
}

function runMessage(r: RunResponse): { type: MessageType; message: string } {
  if ("error" in r) return { type: MessageType.Error, message: r.error };
  const top = r.top5?.length
    ? ` · top ${r.top5.length}${r.softmax ? "" : " after a softmax"}: ${r.top5.map((c) => `class ${c.index} ${(c.probability * 100).toFixed(1)} %`).join(", ")}`
    : ` · output ${r.output.join("×")}`;
  return { type: MessageType.Info, message: `${r.network} ran in ${r.ms.toFixed(1)} ms${top} · every value: ${r.json}` };
}

export const commandsFeature: Feature = {
  name: "commands",
  initialize(ctx, params) {
    const given = (params.initializationOptions as { clientCommands?: unknown } | null | undefined)?.clientCommands;
    ctx.clientCommands = new Set(Array.isArray(given) ? given.filter((c): c is string => typeof c === "string") : []);
  },
  capabilities: (ctx) => ({ executeCommandProvider: { commands: Object.values(serverCommands).filter((c) => !ctx.clientCommands.has(c)) } }),
  register(ctx) {
    let last: string | null = null;
    ctx.documents.onDidOpen((e) => (last = e.document.uri));
    ctx.documents.onDidChangeContent((e) => (last = e.document.uri));
    ctx.documents.onDidClose((e) => {
      if (last === e.document.uri) last = ctx.documents.all().at(-1)?.uri ?? null;
    });
    const handler = async (p: ExecuteCommandParams, token: CancellationToken): Promise<unknown> => {
      const where = target(p?.arguments, last);
      if (p?.command !== serverCommands.summary && p?.command !== serverCommands.run) return { error: `unknown command ${String(p?.command)}` };
      if (!where) return { error: `${p.command} takes the document's uri (and optionally the network's name); no .cnn document is open` };
      const snapshot = ctx.snapshotOf(where.uri);
      if (!snapshot) return { error: `${where.uri} is not open` };
      if (p.command === serverCommands.summary) {
        const response = summaryFor(snapshot, where.network, ctx.settings.shapeFormat, where.depth ?? ctx.settings.summaryDepth);
        if ("text" in response) await showSummary(ctx, where.uri, where.network, response.text);
        else await ctx.connection.sendNotification("window/showMessage", { type: MessageType.Error, message: response.error });
        return response;
      }
      const response = await runInServer(snapshot, where.network, ctx.settings.run, token, ctx.log);
      await ctx.connection.sendNotification("window/showMessage", runMessage(response));
      return response;
    };
    ctx.connection.onExecuteCommand(async (p, token) => {
      try {
        return await handler(p, token);
      } catch (error) {
        ctx.log(`${String(p?.command)} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return { error: `${String(p?.command)} failed (see the server's log)` };
      }
    });
  },
};
