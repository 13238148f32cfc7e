// The run view's output in headless Chromium: the untrained notice beside the output,
// class names where they are sure (`classes digits`, ImageNet's for 1,000 classes, a
// classes file the host read), "class i" otherwise, and how the picture became the input.
// Screenshots go to test-artifacts/ for a person to look at.

import * as assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Browser } from "./webview/browser";
import { runMessageFor, startHarness } from "./webview/harness";
import { IMAGENET_CLASSES } from "../../engine/classes";

const root = join(__dirname, "..", "..", "..");
const artifacts = process.env.CNN_E2E_ARTIFACTS ?? join(root, "test-artifacts");
const finished = `document.querySelector('[data-testid="run-total-ms"]') !== null`;

async function withView(text: string, extra: Record<string, unknown>, body: (b: Browser) => Promise<void>): Promise<void> {
  const harness = await startHarness(root, runMessageFor(text, "net.cnn", extra));
  try {
    const browser = await Browser.launch();
    try {
      await browser.open(harness.url);
      await b(browser);
    } finally {
      await browser.close();
    }
  } finally {
    await harness.close();
  }
  async function b(browser: Browser) {
    await body(browser);
  }
}

const classes = `[...document.querySelectorAll('[data-testid="top5-class"]')].map((e) => e.textContent)`;
const text = (id: string) => `document.querySelector('[data-testid="${id}"]').textContent`;

describe("run view output: names and honesty (headless Chromium)", function () {
  this.timeout(120_000);

  it("seeded weights: the notice says so next to the output, with the ways to real ones; digits named by `classes digits`", async () => {
    await withView("input 28x28 sample digit7 invert classes digits\nconv 6 5x5 pad 2\nrelu\nmaxpool 2\nflatten\nfc 10\nsoftmax", {}, async (b) => {
      await b.until(finished, "the run to finish");
      assert.equal(await b.evaluate<boolean>(`document.querySelector('[data-testid="untrained-notice"]').hidden`), false);
      const notice = await b.evaluate<string>(text("untrained-notice"));
      assert.match(notice, /^untrained: random weights, seed 0 — the output does not mean anything yet/);
      assert.match(notice, /cnn train net\.cnn --data mnist/);
      assert.match(notice, /--weights/);
      assert.match(notice, /Import ONNX/);
      const names = await b.evaluate<string[]>(classes);
      assert.equal(names.length, 5);
      for (const n of names) assert.match(n, /^[0-9]$/);
      assert.match(await b.evaluate<string>(text("input-steps")), /inverted: 1 − x/);
      assert.equal(await b.evaluate<boolean>(`document.querySelector('[data-testid="input-invert"]').checked`), true);
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, "run-view-untrained-digits.png"), await b.screenshot());
    });
  });

  it("a 1,000-way output is named with ImageNet's classes; a 10-way one without `classes` says class i", async () => {
    await withView("input 16x16x3 mean [0.485, 0.456, 0.406] std [0.229, 0.224, 0.225]\nconv 8 3x3\ngap\nfc 1000", {}, async (b) => {
      await b.until(finished, "the run to finish");
      const names = await b.evaluate<string[]>(classes);
      assert.equal(names.length, 5);
      for (const n of names) assert.ok(IMAGENET_CLASSES.includes(n), n);
      assert.match(await b.evaluate<string>(text("input-steps")), /\(x − mean\)\/std, mean \[0\.485, 0\.456, 0\.406\]/);
      writeFileSync(join(artifacts, "run-view-imagenet-classes.png"), await b.screenshot());
    });
    await withView("input 28x28\nflatten\nfc 10", {}, async (b) => {
      await b.until(finished, "the run to finish");
      for (const n of await b.evaluate<string[]>(classes)) assert.match(n, /^class \d$/);
    });
  });

  it("a classes file the host read names the classes; one of the wrong length is not used", async () => {
    const net = `input 8x8x3 classes "pets.txt"\ngap\nfc 3`;
    await withView(net, { classes: { name: "pets.txt", names: ["cat", "dog", "fish"] } }, async (b) => {
      await b.until(finished, "the run to finish");
      assert.deepEqual([...(await b.evaluate<string[]>(classes))].sort(), ["cat", "dog", "fish"]);
    });
    await withView(net, { classes: { name: "pets.txt", names: ["cat", "dog"] } }, async (b) => {
      await b.until(finished, "the run to finish");
      for (const n of await b.evaluate<string[]>(classes)) assert.match(n, /^class \d$/);
    });
  });

  it("literal weights everywhere: no untrained notice", async () => {
    await withView("input 3x3 data [[1,2,3],[4,5,6],[7,8,9]]\nconv 1 3x3 weights [[1,0,0],[0,1,0],[0,0,1]] bias 0\nflatten", {}, async (b) => {
      await b.until(`document.querySelector('[data-testid="run-total-ms"]') !== null`, "the run to finish");
      assert.equal(await b.evaluate<boolean>(`document.querySelector('[data-testid="untrained-notice"]').hidden`), true);
    });
  });
});
