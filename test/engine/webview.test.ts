// The run view's page in headless Chromium, outside VS Code: the real HTML and CSP, the
// real bundles (dist/webview), a stand-in for the VS Code API. The e2e suite tests the
// same page inside VS Code; this one checks what needs no editor, quickly.

import * as assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { Browser } from "./webview/browser";
import { runMessageFor, startHarness, type Harness } from "./webview/harness";
import { hostilePictures } from "../support/pictures";

const root = join(__dirname, "..", "..", "..");
// screenshots a person looks at, beside the e2e suite's (git-ignored)
const artifacts = process.env.CNN_E2E_ARTIFACTS ?? join(root, "test-artifacts");

async function withView(text: string, fileName: string, body: (b: Browser) => Promise<void>, extra = {}, state?: unknown): Promise<void> {
  const harness: Harness = await startHarness(root, runMessageFor(text, fileName, extra), state);
  try {
    const browser = await Browser.launch();
    try {
      await browser.open(harness.url);
      await body(browser);
    } finally {
      await browser.close();
    }
  } finally {
    await harness.close();
  }
}

const finished = `document.querySelector('[data-testid="run-total-ms"]') !== null`;
const count = (selector: string) => `document.querySelectorAll('${selector}').length`;

describe("run view page (headless Chromium)", function () {
  this.timeout(120_000);

  it("LeNet-5: a heatmap per layer, the top-5 rows, the total time, no CSP violation", async () => {
    await withView(readFileSync(join(root, "examples/lenet5.cnn"), "utf8"), "lenet5.cnn", async (b) => {
      await b.until(finished, "the run to finish");
      assert.equal(await b.evaluate<number>(count('[data-testid="layer-heatmap"]')), 11);
      assert.equal(await b.evaluate<number>(count('[data-testid="top5"] [data-testid="top5-row"]')), 5);
      assert.match(await b.evaluate<string>(`document.querySelector('[data-testid="run-total-ms"]').textContent`), /^total [\d.]+ ms$/);
      assert.equal(await b.evaluate<boolean>(`document.querySelector('[data-testid="run-error"]').hidden`), true);
      assert.match(await b.evaluate<string>(`document.querySelector('[data-testid="run-progress"]').textContent`), /done: 11 layers/);
      // the probabilities shown add up to at most 100 % and are sorted
      const pcts = await b.evaluate<number[]>(`[...document.querySelectorAll('[data-testid="top5-row"] .pct')].map((e) => parseFloat(e.textContent))`);
      assert.deepEqual([...pcts].sort((x, y) => y - x), pcts);
      const posted = await b.evaluate<{ type: string; state?: string }[]>("window.posted");
      assert.deepEqual(posted.map((m) => m.state ?? m.type), ["ready", "running", "done"]);
      assert.deepEqual(b.problems, []);
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, "run-view-lenet5.png"), await b.screenshot());
    });
  });

  it("hovering a heatmap shows the value under the mouse; clicking enlarges one depth slice", async () => {
    await withView("input 4x4 data [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]\nconv 1 1x1 weights [[2]] bias 0", "t.cnn", async (b) => {
      await b.until(finished, "the run to finish");
      const box = await b.evaluate<{ x: number; y: number; w: number; h: number }>(
        `(() => { const r = document.querySelector('[data-testid="layer-heatmap"]').getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; })()`,
      );
      // the cell at column 2, row 1 holds 2·7 = 14
      const x = box.x + (box.w * 2.5) / 4;
      const y = box.y + (box.h * 1.5) / 4;
      await b.send("Input.dispatchMouseEvent", { type: "mouseMoved", x, y });
      await b.until(`!document.querySelector('.tooltip').hidden`, "the tooltip");
      assert.equal(await b.evaluate<string>(`document.querySelector('.tooltip').textContent`), "depth 0 · x 2, y 1 · 14");
      await b.send("Input.dispatchMouseEvent", { type: "mousePressed", x, y, button: "left", clickCount: 1 });
      await b.send("Input.dispatchMouseEvent", { type: "mouseReleased", x, y, button: "left", clickCount: 1 });
      await b.until(`!document.querySelector('.zoom').hidden`, "the enlarged map");
      assert.match(await b.evaluate<string>(`document.querySelector('.zoom .caption').textContent`), /depth slice 0 of 1 · 4×4/);
    });
  });

  it("a net past the memory budget is refused: run-error says why, nothing runs", async () => {
    await withView(readFileSync(join(root, "examples/vgg16.cnn"), "utf8"), "vgg16.cnn", async (b) => {
      await b.until(`!document.querySelector('[data-testid="run-error"]').hidden`, "the refusal");
      assert.match(await b.evaluate<string>(`document.querySelector('[data-testid="run-error"]').textContent`), /^Not run: VGG16 needs [\d.]+ MB to run \(weights [\d.]+ MB \+ activations alive at once [\d.]+ MB\), more than the memory budget of 100 MB/);
      assert.equal(await b.evaluate<number>(count('[data-testid="layer-heatmap"]')), 0);
    }, { budgetMB: 100 });
  });

  it("Cancel stops a long run between layers and says so", async () => {
    await withView(readFileSync(join(root, "examples/vgg16.cnn"), "utf8"), "vgg16.cnn", async (b) => {
      await b.until(count('[data-testid="layer-heatmap"]') + " >= 1", "the first layer", 60_000);
      await b.evaluate(`document.querySelector('[data-testid="run-cancel"]').click()`);
      await b.until(`/cancelled after \\d+ of \\d+ layers/.test(document.querySelector('[data-testid="run-progress"]').textContent)`, "the cancel");
      const shown = await b.evaluate<number>(count('[data-testid="layer-heatmap"]'));
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await b.evaluate<number>(count('[data-testid="layer-heatmap"]')), shown, "no layer arrives after Cancel");
      assert.equal(await b.evaluate<number>(count('[data-testid="run-total-ms"]')), 0);
      const posted = await b.evaluate<{ state?: string }[]>("window.posted");
      assert.equal(posted[posted.length - 1].state, "cancelled");
    });
  });

  it("a drawing is an input: the view remembers it and runs on it", async () => {
    const drawing = Array.from({ length: 784 }, (_, i): number => (i % 28 === 14 && i > 100 && i < 700 ? 255 : 0));
    await withView("input 28x28\ngap", "draw.cnn", async (b) => {
      await b.until(finished, "the run on the drawing");
      assert.match(await b.evaluate<string>("document.body.innerText"), /28×28×1 from my drawing/);
      const expected = drawing.reduce((a, v) => a + v / 255, 0) / 784;
      const tile = await b.evaluate<string>(`document.querySelector('.legend span').textContent`);
      assert.ok(Math.abs(Number(tile) - expected) < 1e-6, `${tile} vs ${expected}`);
    }, {}, { target: null, seed: null, input: "drawing", drawing });
  });

  it("the file's sample picture, decoded by the browser, is fitted to the input", async () => {
    // 8×8, left half white: on a 4×4 gray input, gap gives 0.5
    const png = new PNG({ width: 8, height: 8 });
    for (let i = 0; i < 64; i++) png.data.set(i % 8 < 4 ? [255, 255, 255, 255] : [0, 0, 0, 255], i * 4);
    const picture = { name: "half.png", base64: PNG.sync.write(png).toString("base64") };
    await withView('input 4x4 sample "half.png"\ngap', "pic.cnn", async (b) => {
      await b.until(finished, "the run on the picture");
      assert.match(await b.evaluate<string>("document.body.innerText"), /4×4×1 from half\.png/);
      assert.equal(await b.evaluate<string>(`document.querySelector('.legend span').textContent`), "0.5");
    }, { picture });
  });

  it("a hostile picture from the host is refused by name before the browser decodes it", async () => {
    const huge = hostilePictures().find((h) => h.name === "huge-header.png")!;
    const picture = { name: "huge.png", base64: huge.bytes.toString("base64") };
    await withView('input 28x28x3 sample "huge.png"\nconv 4 3x3', "pic.cnn", async (b) => {
      await b.until(`!document.querySelector('[data-testid="run-error"]').hidden`, "the refusal");
      assert.match(await b.evaluate<string>(`document.querySelector('[data-testid="run-error"]').textContent`), /^cannot read the picture huge\.png: too large: 30000×30000 pixels/);
      const posted = await b.evaluate<{ type: string; state?: string; message?: string }[]>("window.posted");
      assert.ok(posted.some((m) => m.state === "failed" && /huge\.png: too large/.test(m.message ?? "")));
      // and the page goes on: a picked picture that is truncated is refused the same way
      const cut = hostilePictures().find((h) => h.name === "truncated.jpg")!;
      await b.evaluate(`window.postMessage({ type: "picture", picture: { name: "cut.jpg", base64: "${cut.bytes.toString("base64")}" } }, "*")`);
      await b.until(`/cannot read the picture cut\\.jpg: truncated/.test(document.querySelector('[data-testid="run-error"]').textContent)`, "the second refusal");
    }, { picture });
  });

  it("budget first: a run past the budget is refused before its picture is decoded", async () => {
    const huge = hostilePictures().find((h) => h.name === "huge-header.png")!;
    const picture = { name: "huge.png", base64: huge.bytes.toString("base64") };
    await withView('input 2000x2000x3 sample "huge.png"\nconv 64 3x3', "big.cnn", async (b) => {
      await b.until(`!document.querySelector('[data-testid="run-error"]').hidden`, "the refusal");
      assert.match(await b.evaluate<string>(`document.querySelector('[data-testid="run-error"]').textContent`), /^Not run: big needs 1\.07 GB to run \(weights 7\.17 kB \+ activations alive at once 1\.07 GB\), more than the memory budget of 1 MB \(1 MB, the setting cnn\.run\.memoryBudgetMB\)$/);
    }, { budgetMB: 1, picture });
  });

  it("a malformed message from the host is refused with a message, not obeyed", async () => {
    await withView("input 4x4\nrelu", "t.cnn", async (b) => {
      await b.until(finished, "the first run");
      await b.evaluate(`window.postMessage({ type: "run", runId: 2, target: { uri: "x" }, fileName: "x", network: { graph: "nope" }, lines: [], seed: 0, budgetMB: 1, executor: "auto" }, "*")`);
      await b.until(`!document.querySelector('[data-testid="run-error"]').hidden`, "the error");
      assert.match(await b.evaluate<string>(`document.querySelector('[data-testid="run-error"]').textContent`), /the network could not be read: network\.graph: expected a list/);
      await b.evaluate(`window.postMessage({ type: "launch-missiles" }, "*")`);
      await b.until(`/ignored a malformed message: message\\.type: expected/.test(document.querySelector('[data-testid="run-error"]').textContent)`, "the refusal");
    });
  });
});
