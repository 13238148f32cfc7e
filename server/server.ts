// Entry point of the language server: `node dist/server/server.js --stdio` (what any
// editor launches; `npm run --silent lsp`), or `--node-ipc` from the VS Code client.

import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "./start";

const connection = createConnection(ProposedFeatures.all);

// a last line of defence: a bug outside any request handler is logged, not fatal
process.on("uncaughtException", (error) => connection.console.error(`uncaught: ${error.stack ?? error.message}`));
process.on("unhandledRejection", (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));

const ctx = startServer(connection);

// any input read puts the idle work off (server/idle.ts), before the connection has even
// parsed it: the work's timer may fire in the turn that reads a message
if (process.argv.includes("--stdio")) process.stdin.on("data", () => ctx.idle.touch());
process.on("message", () => ctx.idle.touch());
