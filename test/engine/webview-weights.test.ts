// "Load weights…" in the run view, in headless Chromium (the real page, CSP and bundles, a
// stand-in for VS Code): the button and the untrained notice's button ask the host for a
// file; the host sends it with the run as RunMessage.weights (origin "file", the path the
// view's training uses); the run then uses it — the output is the one those weights give,
// the notice is gone, the weights line names the file — and a file that does not fit the
// network is the run's error, naming the file and the layer.

import * as assert from "node:assert/strict";
import { analyze } from "../../analysis";
import { initWeights } from "../../engine/init";
import { ReferenceExecutor } from "../../engine/reference";
import { weightsToSafetensors } from "../../engine/weights-file";
import { readViewMessage } from "../../webview/protocol";
import { Browser } from "./webview/browser";
import { runMessageFor, startHarness } from "./webview/harness";
import { root } from "./cli";

// a literal input (every pixel 0.5), so that the page and the reference executor run on the same values
const DATA = `[${Array(8).fill(`[${Array(8).fill("0.5").join(", ")}]`).join(", ")}]`;
const NET = `network Tiny {\n  input 8x8x1 data ${DATA}\n  c1: conv 4 3x3 pad 1\n  relu\n  gap\n  fc 3\n}\n`;
const q = (id: string) => `document.querySelector('[data-testid="${id}"]')`;
const deliver = (b: Browser, message: unknown) => b.evaluate(`window.postMessage(${JSON.stringify(message)}, "*")`);

describe("run view: Load weights… (headless Chromium)", function () {
  this.timeout(120_000);

  it("asks the host for a file; runs with the file it sends (origin file); says which; a file for another network is the run's error", async () => {
    const harness = await startHarness(root, runMessageFor(NET, "tiny.cnn"), null);
    try {
      const b = await Browser.launch();
      try {
        await b.open(harness.url);
        await b.until(`document.querySelector('[data-testid="run-total-ms"]') !== null`, "the seeded run");
        // seeded: the notice offers the button too; both ask the host
        assert.equal(await b.evaluate<boolean>(`${q("untrained-notice")}.hidden`), false);
        await b.evaluate(`window.posted.length = 0`);
        await b.evaluate(`${q("load-weights")}.click()`);
        await b.evaluate(`${q("untrained-load-weights")}.click()`);
        const asked = (await b.evaluate<unknown[]>("window.posted")).map((m) => readViewMessage(m)).filter((m) => m.type === "loadWeights");
        assert.equal(asked.length, 2);

        // the host's answer: the run again, with the file's bytes
        const net = analyze(NET, "tiny.cnn").networks[0];
        const weights = initWeights(net.graph, 12345);
        const bytes = weightsToSafetensors(net, weights);
        await b.evaluate(`window.posted.length = 0`);
        await deliver(b, { ...runMessageFor(NET, "tiny.cnn", { runId: 2 }), weights: { name: "weights/tiny.safetensors", origin: "file", base64: Buffer.from(bytes).toString("base64") } });
        await b.until(`window.posted.some((m) => m.type === "status" && m.state === "done")`, "the run with the file's weights");
        assert.equal(await b.evaluate<string>(`${q("run-weights")}.textContent`), " · weights: from weights/tiny.safetensors");
        assert.equal(await b.evaluate<boolean>(`${q("untrained-notice")}.hidden`), true);
        // the output is what those weights give (the reference executor on the same input, 1e-4)
        const expected = await new ReferenceExecutor().run(net.graph, weights, Float32Array.from({ length: 64 }, () => 0.5));
        const shown = await b.evaluate<number[]>(`Array.from(document.querySelectorAll('[data-testid="layer-vector"]')).pop().querySelectorAll('[data-value]').length ? Array.from(Array.from(document.querySelectorAll('[data-testid="layer-vector"]')).pop().querySelectorAll('[data-value]')).map((e) => Number(e.getAttribute('data-value'))) : []`);
        assert.equal(shown.length, 3);
        shown.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-4 * Math.max(1, Math.abs(expected[i])), `${v} vs ${expected[i]}`));

        // a file made for another network: the run's error, naming the file
        const other = analyze(NET.replace("conv 4", "conv 5"), "other.cnn").networks[0];
        await b.evaluate(`window.posted.length = 0`);
        await deliver(b, { ...runMessageFor(NET, "tiny.cnn", { runId: 3 }), weights: { name: "other.safetensors", origin: "file", base64: Buffer.from(weightsToSafetensors(other, initWeights(other.graph, 1))).toString("base64") } });
        await b.until(`window.posted.some((m) => m.type === "status" && m.state === "failed")`, "the refused run");
        const error = await b.evaluate<string>(`${q("run-error")}.textContent`);
        assert.match(error, /other\.safetensors/);
        assert.match(error, /c1|\[5, 1, 3, 3\]|\[4, 1, 3, 3\]/);
        assert.deepEqual(b.problems, []);
      } finally {
        await b.close();
      }
    } finally {
      await harness.close();
    }
  });
});
