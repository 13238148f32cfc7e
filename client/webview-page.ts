// The shell every webview page of the extension shares (the run view, the architecture
// view): a strict Content-Security-Policy with a fresh nonce — nothing loads but what the
// policy names, scripts and styles only with the nonce — the page's own styles inline, and
// its bundle from dist/webview.

import { randomBytes } from "node:crypto";

/** a fresh nonce for one page: 18 random bytes, base64 without its non-alphanumerics */
export function nonce(): string {
  return randomBytes(18).toString("base64").replace(/[^A-Za-z0-9]/g, "");
}

/** text made safe inside a double-quoted HTML attribute */
export function attribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

export interface PageShell {
  title: string;
  /** the page's bundle */
  scriptUri: string;
  /** its styles, inline under the nonce */
  style: string;
  /** what script-src allows besides the nonce (`'wasm-unsafe-eval'`) */
  scriptSources?: string[];
  /** the policy's other directives (`img-src data:`); everything else stays `default-src 'none'` */
  directives?: string[];
  /** attributes of <body> (values escaped here) */
  body?: Record<string, string>;
}

export function webviewPage(page: PageShell, n = nonce()): string {
  const csp = ["default-src 'none'", ...(page.directives ?? []), `style-src 'nonce-${n}'`, [`script-src 'nonce-${n}'`, ...(page.scriptSources ?? [])].join(" ")].join("; ");
  const body = Object.entries(page.body ?? {})
    .map(([name, value]) => ` ${name}="${attribute(value)}"`)
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${attribute(page.title)}</title>
<style nonce="${n}">${page.style}</style>
</head>
<body${body}>
<script nonce="${n}" src="${attribute(page.scriptUri)}"></script>
</body>
</html>`;
}
