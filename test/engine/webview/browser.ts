// Headless Chromium driven over the DevTools protocol (a `ws` WebSocket): open a page,
// evaluate expressions in it, collect console errors and CSP reports, take screenshots.
// Used to test the run view's page outside VS Code.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";

export function chromiumPath(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) if (p && existsSync(p)) return p;
  return null;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class Browser {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** console errors, uncaught exceptions and CSP violations seen so far */
  readonly problems: string[] = [];
  readonly logs: string[] = [];

  private constructor(
    private readonly process: ChildProcess,
    private readonly socket: WebSocket,
    private readonly profile: string,
    private sessionId = "",
  ) {
    socket.on("message", (data) => this.onMessage(String(data)));
  }

  static async launch(width = 1100, height = 1400): Promise<Browser> {
    const path = chromiumPath();
    if (!path) throw new Error("no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)");
    const profile = mkdtempSync(join(tmpdir(), "cnn-chromium-"));
    const child = spawn(path, ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage", `--user-data-dir=${profile}`, "--remote-debugging-port=0", `--window-size=${width},${height}`, "about:blank"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let text = "";
      const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${text.slice(-500)}`)), 30_000);
      child.stderr!.on("data", (chunk) => {
        text += chunk;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", (code) => reject(new Error(`Chromium exited (${code}): ${text.slice(-500)}`)));
    });
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", () => reject(new Error("cannot connect to Chromium")));
    });
    const browser = new Browser(child, socket, profile);
    const { targetId } = (await browser.send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
    const { sessionId } = (await browser.send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
    browser.sessionId = sessionId;
    await browser.send("Runtime.enable");
    await browser.send("Log.enable");
    await browser.send("Page.enable");
    return browser;
  }

  private onMessage(text: string): void {
    const m = JSON.parse(text);
    if (m.id && this.pending.has(m.id)) {
      const p = this.pending.get(m.id)!;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`${m.error.message}`));
      else p.resolve(m.result);
      return;
    }
    if (m.method === "Runtime.consoleAPICalled") {
      const line = `${m.params.type}: ${m.params.args.map((a: { value?: unknown; description?: string }) => a.value ?? a.description).join(" ")}`;
      this.logs.push(line);
      if (m.params.type === "error") this.problems.push(line);
    } else if (m.method === "Runtime.exceptionThrown") {
      this.problems.push(`exception: ${m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text}`);
    } else if (m.method === "Log.entryAdded" && (m.params.entry.level === "error" || /Content.Security.Policy/i.test(m.params.entry.text))) {
      this.problems.push(`log: ${m.params.entry.text}`);
    }
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    const message: Record<string, unknown> = { id, method, params };
    if (this.sessionId && !method.startsWith("Target.")) message.sessionId = this.sessionId;
    this.socket.send(JSON.stringify(message));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  async open(url: string): Promise<void> {
    await this.send("Page.navigate", { url });
  }

  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true })) as { result: { value: T }; exceptionDetails?: { text: string } };
    if (r.exceptionDetails) throw new Error(`evaluate ${expression}: ${r.exceptionDetails.text}`);
    return r.result.value;
  }

  /** waits until `expression` is truthy in the page */
  async until(expression: string, what: string, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      let ok = false;
      try {
        ok = Boolean(await this.evaluate(expression));
      } catch {
        ok = false;
      }
      if (ok) return;
      if (Date.now() > end) {
        const body = await this.evaluate<string>("document.body ? document.body.innerText.slice(0, 600) : ''").catch(() => "");
        throw new Error(`timed out waiting for ${what}; the page says: ${body}; problems: ${this.problems.join(" | ") || "none"}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async screenshot(): Promise<Buffer> {
    const r = (await this.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true })) as { data: string };
    return Buffer.from(r.data, "base64");
  }

  async close(): Promise<void> {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
    this.process.kill();
    await new Promise((r) => (this.process.exitCode !== null ? r(null) : this.process.once("exit", r)));
    // Chromium's helper processes may still be writing the profile as the main one exits:
    // a temporary profile left behind must not fail the test that used it
    try {
      rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // left for the system's /tmp cleaning
    }
  }
}
