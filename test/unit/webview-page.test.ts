// The webview pages' shared shell (client/webview-page.ts): the run view's and the
// architecture view's pages, each a strict CSP with a fresh nonce and nothing else allowed.

import * as assert from "node:assert/strict";
import { architectureHtml } from "../../client/architecture-html";
import { runViewHtml } from "../../client/run/html";
import { nonce, webviewPage } from "../../client/webview-page";

const policy = (html: string) => /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1].split("; ");

describe("webview pages: one shell", () => {
  it("both pages: default-src 'none', scripts and styles by the nonce alone, one script, nothing remote or inline", () => {
    const pages = [
      architectureHtml("vscode-webview://abc", "vscode-webview://abc/a.js", "N1"),
      runViewHtml({ cspSource: "vscode-webview://abc", scriptUri: "vscode-webview://abc/main.js", workerUri: "vscode-webview://abc/worker.js" }, "N1"),
    ];
    for (const html of pages) {
      const csp = policy(html);
      assert.equal(csp[0], "default-src 'none'");
      assert.ok(csp.includes("style-src 'nonce-N1'"), csp.join("; "));
      assert.ok(csp.some((d) => d.startsWith("script-src 'nonce-N1'")), csp.join("; "));
      assert.ok(!csp.some((d) => /unsafe-inline|'unsafe-eval'|https?:|\*/.test(d)), csp.join("; "));
      assert.equal((html.match(/<script /g) ?? []).length, 1);
      assert.equal((html.match(/<style nonce="N1">/g) ?? []).length, 1);
      assert.ok(!/ on[a-z]+=/.test(html));
    }
    // what each page adds: the run view its WebAssembly kernels and its worker, the architecture view data: images
    assert.deepEqual(policy(pages[1]).filter((d) => /^(script|worker|img|connect)-src/.test(d)), ["img-src vscode-webview://abc data: blob:", "worker-src blob:", "connect-src vscode-webview://abc", "script-src 'nonce-N1' 'wasm-unsafe-eval'"]);
    assert.match(pages[1], /<body data-worker="vscode-webview:\/\/abc\/worker\.js">/);
    assert.ok(policy(pages[0]).includes("img-src data:"));
  });

  it("attributes are escaped; each page gets a fresh nonce", () => {
    const html = webviewPage({ title: "a<b", scriptUri: 'x" onload="alert(1)', style: "", body: { "data-x": "&<\"" } }, "N");
    assert.match(html, /<script nonce="N" src="x&quot; onload=&quot;alert\(1\)">/);
    assert.match(html, /<body data-x="&amp;&lt;&quot;">/);
    assert.match(html, /<title>a&lt;b<\/title>/);
    const a = nonce();
    assert.match(a, /^[A-Za-z0-9]{16,}$/);
    assert.notEqual(a, nonce());
  });
});
