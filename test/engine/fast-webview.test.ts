// The fast executor where users meet it: the run view's Worker in headless Chromium, with
// the view's real CSP ('wasm-unsafe-eval', no remote code). It runs there, and shows the
// same top-5 as the reference executor.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Browser } from "./webview/browser";
import { runMessageFor, startHarness } from "./webview/harness";

const root = join(__dirname, "..", "..", "..");

async function topFive(text: string, fileName: string, executor: string, isolated = false): Promise<{ rows: string[]; summary: string; problems: string[]; cores: number }> {
  const harness = await startHarness(root, runMessageFor(text, fileName, { executor }), undefined, { isolated });
  const browser = await Browser.launch();
  try {
    await browser.open(harness.url);
    await browser.until(`document.querySelector('[data-testid="run-total-ms"]') !== null`, "the run to finish", 60_000);
    const rows = await browser.evaluate<string[]>(`[...document.querySelectorAll('[data-testid="top5-row"]')].map((e) => e.textContent)`);
    const summary = await browser.evaluate<string>(`document.querySelector('[data-testid="run-total-ms"]').parentElement.textContent`);
    const cores = await browser.evaluate<number>(`navigator.hardwareConcurrency`);
    return { rows, summary, problems: browser.problems, cores };
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
    // the harness' page is not cross-origin isolated (as VS Code's webviews by default): one thread, and why
    assert.match(fast.summary, /1 thread \(the page is not cross-origin isolated \(no SharedArrayBuffer\): more need VS Code started with --enable-coi\)/);
  });

  it("on a cross-origin isolated page (VS Code with --enable-coi) the run takes every core, with the same top-5", async () => {
    const text = readFileSync(join(root, "examples/mobilenetv2.cnn"), "utf8");
    const threaded = await topFive(text, "mobilenetv2.cnn", "auto", true);
    assert.deepEqual(threaded.problems, []);
    const single = await topFive(text, "mobilenetv2.cnn", "auto");
    assert.deepEqual(threaded.rows, single.rows);
    console.log(`      isolated page: ${threaded.summary}`);
    if (threaded.cores > 1) assert.match(threaded.summary, new RegExp(`wasm-simd executor · ${threaded.cores} threads`));
    else assert.match(threaded.summary, /1 thread/);
  });
});
