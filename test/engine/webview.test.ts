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

async function withView(text: string, fileName: string, body: (b: Browser) => Promise<void>, extra = {}, state?: unknown, css = ""): Promise<void> {
  const harness: Harness = await startHarness(root, runMessageFor(text, fileName, extra), state, css);
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
      // LeNet-5's 11 layers: 6 volumes drawn as heatmaps, 5 vectors (c5's 1×1×120 included) as labelled bars
      assert.equal(await b.evaluate<number>(count('[data-testid="layer-heatmap"]')), 6);
      assert.equal(await b.evaluate<number>(count('[data-testid="layer-vector"]')), 5);
      // the softmax's 10 values: 10 bars, every index written under them, the values over them
      const softmax = `[...document.querySelectorAll('[data-testid="layer-vector"]')].at(-1)`;
      assert.equal(await b.evaluate<number>(`${softmax}.querySelectorAll('rect').length`), 10);
      assert.deepEqual(await b.evaluate<string[]>(`[...${softmax}.querySelectorAll('.tick')].map((t) => t.textContent)`), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
      assert.equal(await b.evaluate<number>(`${softmax}.querySelectorAll('.value').length`), 10);
      // f6's 84 values: every index is too many to write; round steps and the last
      const ticks = await b.evaluate<string[]>(`[...[...document.querySelectorAll('[data-testid="layer-vector"]')][1].querySelectorAll('.tick')].map((t) => t.textContent)`);
      assert.equal(ticks[0], "0");
      assert.equal(ticks.at(-1), "83");
      assert.ok(ticks.length >= 4 && ticks.length < 84, ticks.join(" "));
      // rows carry their path (here: the layer's label and kind)
      assert.deepEqual((await b.evaluate<string[]>(`[...document.querySelectorAll('[data-testid="layer-path"]')].map((e) => e.textContent)`)).slice(0, 3), ["c1 (conv)", "s2 (avgpool)", "sigmoid"]);
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
      assert.equal(await b.evaluate<string>(`document.querySelector('[data-testid="zoom-caption"]').textContent`), "conv · depth slice 0 (of 0–0) · 4×4");
    });
  });

  it("the enlarged map of depth slice 1 says depth 1 on hover (not 0), with the value of slice 1", async () => {
    await withView("input 2x2x3 data [[[1,2],[3,4]],[[5,6],[7,8]],[[9,10],[11,12]]]\nrelu", "t.cnn", async (b) => {
      await b.until(finished, "the run to finish");
      const box = await b.evaluate<{ x: number; y: number; w: number; h: number; cw: number }>(
        `(() => { const c = document.querySelector('[data-testid="layer-heatmap"]'); const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height, cw: c.width }; })()`,
      );
      // three 2×2 tiles side by side: click the middle one (slice 1)
      const at = { x: box.x + box.w / 2, y: box.y + box.h / 4 };
      await b.send("Input.dispatchMouseEvent", { type: "mousePressed", ...at, button: "left", clickCount: 1 });
      await b.send("Input.dispatchMouseEvent", { type: "mouseReleased", ...at, button: "left", clickCount: 1 });
      await b.until(`!document.querySelector('.zoom').hidden`, "the enlarged map");
      assert.equal(await b.evaluate<string>(`document.querySelector('[data-testid="zoom-caption"]').textContent`), "relu · depth slice 1 (of 0–2) · 2×2");
      const zoom = await b.evaluate<{ x: number; y: number; w: number; h: number }>(
        `(() => { const r = document.querySelector('.zoom-canvas').getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; })()`,
      );
      // the cell at x 1, y 0 of slice 1 holds 6
      await b.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: zoom.x + zoom.w * 0.75, y: zoom.y + zoom.h * 0.25 });
      await b.until(`!document.querySelector('.tooltip').hidden`, "the tooltip");
      assert.equal(await b.evaluate<string>(`document.querySelector('.tooltip').textContent`), "depth 1 · x 1, y 0 · 6");
    });
  });

  it("ResNet-50's 174 layers: each row says where it is (layer2 › Bottleneck 1 of 3 › bn), in a collapsible section per block use", async () => {
    await withView(readFileSync(join(root, "examples/resnet50.cnn"), "utf8"), "resnet50.cnn", async (b) => {
      await b.until(finished, "the run to finish", 110_000);
      const paths = await b.evaluate<string[]>(`[...document.querySelectorAll('[data-testid="layer-path"]')].map((e) => e.textContent)`);
      assert.equal(paths.length, 174);
      assert.ok(paths.includes("layer2 › Bottleneck 1 of 3 › bn"));
      assert.ok(paths.includes("layer4 › Project › shortcut › conv"));
      // one section per stage, and inside each one per block use (Project + the Bottlenecks)
      const top = await b.evaluate<string[]>(`[...document.querySelectorAll('.layers > details.block-use > summary .group-name')].map((e) => e.textContent)`);
      assert.deepEqual(top, ["layer1", "layer2", "layer3", "layer4"]);
      assert.equal(await b.evaluate<number>(count("details.block-use details.block-use")), 16);
      assert.match(await b.evaluate<string>(`document.querySelector('.layers > details.block-use > summary').textContent`), /^layer1Stageline 46\d+ layers · [\d.]+ ms$/);
      // collapsing hides the rows of a use; the summary still names it
      await b.evaluate(`document.querySelector('[data-testid="collapse-blocks"]').click()`);
      const visible = await b.evaluate<number>(`[...document.querySelectorAll('[data-testid="layer-row"]')].filter((r) => r.checkVisibility()).length`);
      assert.equal(visible, 6, "only conv1, bn, relu, maxpool, gap and fc (outside the stages) stay visible");
      await b.evaluate(`document.querySelector('[data-testid="expand-blocks"]').click()`);
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, "run-view-resnet50.png"), await b.screenshot());
    });
  });

  it("light theme: the top-5 bar tracks show against the page (they were white on white)", async () => {
    // VS Code's Light Modern values of the variables the view reads (input and editor background alike: white)
    const light = `:root { --vscode-editor-background: #ffffff; --vscode-input-background: #ffffff; --vscode-foreground: #3b3b3b;
      --vscode-descriptionForeground: #717171; --vscode-scrollbarSlider-background: rgba(100, 100, 100, 0.4); --vscode-charts-blue: #1a85ff;
      --vscode-panel-border: #e5e5e5; --vscode-widget-border: #e5e5e5; --vscode-progressBar-background: #005fb8; --vscode-button-background: #005fb8;
      --vscode-button-foreground: #ffffff; --vscode-font-family: sans-serif; --vscode-font-size: 13px; }`;
    await withView(readFileSync(join(root, "examples/lenet5.cnn"), "utf8"), "lenet5.cnn", async (b) => {
      await b.until(finished, "the run to finish");
      const png = PNG.sync.read(await b.screenshot());
      const luminance = (x: number, y: number) => {
        const i = (Math.round(y) * png.width + Math.round(x)) * 4;
        return 0.2126 * png.data[i] + 0.7152 * png.data[i + 1] + 0.0722 * png.data[i + 2];
      };
      // the empty end of each track against the card just below it
      const boxes = await b.evaluate<{ x: number; y: number; w: number; h: number }[]>(
        `[...document.querySelectorAll('[data-testid="top5-row"] .track')].map((t) => { const r = t.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; })`,
      );
      assert.equal(boxes.length, 5);
      for (const r of boxes) {
        const track = luminance(r.x + r.w - 3, r.y + r.h / 2);
        const page = luminance(r.x + r.w - 3, r.y + r.h + 3);
        assert.ok(page - track >= 40, `a track ${track.toFixed(0)} on a page of ${page.toFixed(0)}: not visible`);
      }
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, "run-view-light.png"), PNG.sync.write(png));
    }, {}, undefined, light);
  });

  it("a net past the memory budget is refused: run-error says why, nothing runs", async () => {
    await withView(readFileSync(join(root, "examples/vgg16.cnn"), "utf8"), "vgg16.cnn", async (b) => {
      await b.until(`!document.querySelector('[data-testid="run-error"]').hidden`, "the refusal");
      assert.match(await b.evaluate<string>(`document.querySelector('[data-testid="run-error"]').textContent`), /^Not run: VGG16 needs [\d.]+ MB to run \(weights [\d.]+ MB \+ activations alive at once [\d.]+ MB \+ scratch [\d.]+ MB\), more than the memory budget of 100 MB/);
      assert.equal(await b.evaluate<number>(count('[data-testid="layer-row"]')), 0);
    }, { budgetMB: 100 });
  });

  it("Cancel stops a long run between layers and says so", async () => {
    await withView(readFileSync(join(root, "examples/vgg16.cnn"), "utf8"), "vgg16.cnn", async (b) => {
      await b.until(count('[data-testid="layer-row"]') + " >= 1", "the first layer", 60_000);
      await b.evaluate(`document.querySelector('[data-testid="run-cancel"]').click()`);
      await b.until(`/cancelled after \\d+ of \\d+ layers/.test(document.querySelector('[data-testid="run-progress"]').textContent)`, "the cancel");
      const shown = await b.evaluate<number>(count('[data-testid="layer-row"]'));
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await b.evaluate<number>(count('[data-testid="layer-row"]')), shown, "no layer arrives after Cancel");
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
      // gap's one value: a bar, its exact float32 in data-value, 4 digits in the legend
      const exact = await b.evaluate<string>(`document.querySelector('[data-testid="layer-vector"] rect').getAttribute('data-value')`);
      assert.ok(Math.abs(Number(exact) - expected) < 1e-6, `${exact} vs ${expected}`);
      assert.equal(await b.evaluate<string>(`document.querySelector('.legend span').textContent`), String(Number(expected.toPrecision(4))));
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

  it("a picture whose name holds U+202E and a control character: the refusal names them, never raw", async () => {
    const cut = hostilePictures().find((h) => h.name === "truncated.jpg")!;
    const picture = { name: "p\u202e\u0007.jpg", base64: cut.bytes.toString("base64") };
    await withView('input 28x28x3 sample "p.jpg"\nconv 4 3x3', "pic.cnn", async (b) => {
      await b.until(`!document.querySelector('[data-testid="run-error"]').hidden`, "the refusal");
      const shown = await b.evaluate<string>(`document.querySelector('[data-testid="run-error"]').textContent`);
      assert.match(shown, /^cannot read the picture pU\+202EU\+0007\.jpg: truncated/);
      const posted = await b.evaluate<{ type: string; state?: string; message?: string }[]>("window.posted");
      const failed = posted.filter((m) => m.state === "failed").map((m) => m.message ?? "");
      assert.ok(failed.length > 0 && failed.every((m) => m.includes("pU+202EU+0007.jpg") && !/[\u0000-\u001f\u202e]/.test(m)), JSON.stringify(failed));
    }, { picture });
  });

  it("budget first: a run past the budget is refused before its picture is decoded", async () => {
    const huge = hostilePictures().find((h) => h.name === "huge-header.png")!;
    const picture = { name: "huge.png", base64: huge.bytes.toString("base64") };
    await withView('input 2000x2000x3 sample "huge.png"\nconv 64 3x3', "big.cnn", async (b) => {
      await b.until(`!document.querySelector('[data-testid="run-error"]').hidden`, "the refusal");
      assert.match(await b.evaluate<string>(`document.querySelector('[data-testid="run-error"]').textContent`), /^Not run: big needs 1\.07 GB to run \(weights 7\.17 kB \+ activations alive at once 1\.07 GB \+ scratch [\d.]+ kB\), more than the memory budget of 1 MB \(1 MB, the setting cnn\.run\.memoryBudgetMB\)$/);
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
