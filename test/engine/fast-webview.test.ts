// The fast executor where users meet it: the run view's Worker in headless Chromium, with
// the view's real CSP ('wasm-unsafe-eval', no remote code). It runs there, and shows the
// same top-5 as the reference executor.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Browser } from "./webview/browser";
import { runMessageFor, startHarness } from "./webview/harness";

const root = join(__dirname, "..", "..", "..");

async function topFive(text: string, fileName: string, executor: string): Promise<{ rows: string[]; summary: string; problems: string[] }> {
  const harness = await startHarness(root, runMessageFor(text, fileName, { executor }));
  const browser = await Browser.launch();
  try {
    await browser.open(harness.url);
    await browser.until(`document.querySelector('[data-testid="run-total-ms"]') !== null`, "the run to finish", 60_000);
    const rows = await browser.evaluate<string[]>(`[...document.querySelectorAll('[data-testid="top5-row"]')].map((e) => e.textContent)`);
    const summary = await browser.evaluate<string>(`document.querySelector('[data-testid="run-total-ms"]').parentElement.textContent`);
    return { rows, summary, problems: browser.problems };
  } finally {
    await browser.close();
    await harness.close();
  }
}

describe("fast executor in the run view's Worker (headless Chromium)", function () {
  this.timeout(180_000);
  it("MobileNetV2 runs on the WebAssembly kernels under the view's CSP, with the reference's top-5", async () => {
    const text = readFileSync(join(root, "examples/mobilenetv2.cnn"), "utf8");
    const fast = await topFive(text, "mobilenetv2.cnn", "auto");
    assert.deepEqual(fast.problems, []);
    assert.match(fast.summary, /wasm-simd executor/);
    const reference = await topFive(text, "mobilenetv2.cnn", "reference");
    assert.match(reference.summary, /reference executor/);
    assert.equal(fast.rows.length, 5);
    assert.deepEqual(fast.rows, reference.rows);
  });
});
