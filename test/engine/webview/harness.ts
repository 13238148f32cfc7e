// The run view outside VS Code: serves the real page (same HTML, same CSP) from
// 127.0.0.1 with a stand-in for the VS Code API that answers `ready` with a run of the
// given .cnn network. Headless Chromium loads it (test/engine/webview.test.ts).

import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze } from "../../../analysis";
import { serializeNetwork } from "../../../analysis/serialize";
import { LineIndex } from "../../../grammar";
import { runViewHtml } from "../../../client/run/html";
import type { RunMessage } from "../../../webview/protocol";

export interface Harness {
  url: string;
  close(): Promise<void>;
}

export function runMessageFor(text: string, fileName: string, extra: Partial<RunMessage> = {}): RunMessage {
  const analysis = analyze(text, fileName);
  const network = analysis.networks[0];
  const lines = new LineIndex(text);
  return {
    type: "run",
    runId: 1,
    target: { uri: `file:///work/${fileName}` },
    fileName,
    network: serializeNetwork(network),
    lines: network.graph.map((n) => lines.lineOf(n.span.start) + 1),
    frameLines: [...new Map(network.graph.flatMap((n) => (n.scope ?? []).filter((f) => f.kind === "block").map((f) => [f.id, lines.lineOf(f.span.start) + 1] as [number, number])))],
    seed: 0,
    budgetMB: 1536,
    executor: "auto",
    ...extra,
  };
}

/** the page, with a VS Code API stand-in that records what the view posts in window.posted */
function page(origin: string, message: RunMessage, state: unknown, css: string): string {
  const nonce = "harnessnonce0123456789";
  const html = runViewHtml({ cspSource: origin, scriptUri: `${origin}/dist/webview/main.js`, workerUri: `${origin}/dist/webview/worker.js` }, nonce);
  const shim = `<script nonce="${nonce}">
window.posted = [];
let saved = ${JSON.stringify(state ?? null)};
const run = ${JSON.stringify(message)};
window.acquireVsCodeApi = () => ({
  postMessage(m) { window.posted.push(m); if (m.type === "ready" || m.type === "rerun") setTimeout(() => window.postMessage(run, "*"), 0); },
  getState() { return saved; },
  setState(s) { saved = s; },
});
</script>`;
  // a theme: VS Code sets its --vscode-* variables on the page's root
  const theme = css ? `<style nonce="${nonce}">${css}</style>\n` : "";
  return html.replace("<body", `${theme}${shim}\n<body`);
}

/**
 * `css`: more styles for the page, e.g. a theme's `:root { --vscode-…: … }`; `isolated`: the
 * page is served cross-origin isolated (COOP same-origin, COEP require-corp), as VS Code
 * serves its webviews when started with --enable-coi (docs/ENGINE-SPEED.md)
 */
export function startHarness(root: string, message: RunMessage, state?: unknown, options: string | { css?: string; isolated?: boolean } = ""): Promise<Harness> {
  const { css = "", isolated = false } = typeof options === "string" ? { css: options } : options;
  const isolation: Record<string, string> = isolated
    ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp", "cross-origin-resource-policy": "same-origin" }
    : {};
  return new Promise((resolve) => {
    let origin = "";
    const server: Server = createServer((req, res) => {
      const url = req.url ?? "/";
      if (url === "/" || url.startsWith("/?")) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...isolation });
        res.end(page(origin, message, state, css));
        return;
      }
      if (/^\/dist\/webview\/[a-z]+\.js$/.test(url)) {
        res.writeHead(200, { "content-type": "text/javascript", "access-control-allow-origin": "*", ...isolation });
        res.end(readFileSync(join(root, url)));
        return;
      }
      res.writeHead(url === "/favicon.ico" ? 204 : 404);
      res.end();
    });
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      origin = `http://127.0.0.1:${port}`;
      resolve({
        url: `${origin}/`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
