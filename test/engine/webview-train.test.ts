// The run view's Train section in headless Chromium (the real page, CSP and bundles, a
// stand-in for VS Code): the form refuses what it cannot train with a message and sends
// only checked settings; with a real training thread behind it (client/train/thread.ts,
// its reports relayed as the host relays them), it draws the loss and accuracy curves,
// the epoch table, the confusion matrix, the mistakes and the first layer's filters, and
// Pause/Stop clicked on the page reach the thread and come back as its state.

import * as assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { analyze } from "../../analysis";
import { serializeNetwork } from "../../analysis/serialize";
import { hostMessage } from "../../client/train/relay";
import { TrainingThread } from "../../client/train/thread";
import type { SessionMessage } from "../../engine/train/session-protocol";
import { InvalidDataError } from "../../analysis/check";
import { readHostMessage, readViewMessage, type ViewMessage } from "../../webview/protocol";
import { Browser } from "./webview/browser";
import { runMessageFor, startHarness } from "./webview/harness";
import { root, tempDir } from "./cli";

const artifacts = process.env.CNN_E2E_ARTIFACTS ?? join(root, "test-artifacts");
const workerFile = join(root, "dist", "client", "train-worker.js");
const NET = "network Tiny {\n  input 8x8x1\n  c1: conv 4 3x3 pad 1\n  relu\n  maxpool 2\n  fc 2\n}\n";

function folder(n: number): string {
  const dir = tempDir();
  let seed = 7;
  for (const [k, cls] of ["dark", "light"].entries()) {
    mkdirSync(join(dir, cls));
    for (let i = 0; i < n; i++) {
      const p = new PNG({ width: 8, height: 8 });
      for (let j = 0; j < 64; j++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        p.data[4 * j] = p.data[4 * j + 1] = p.data[4 * j + 2] = (seed >>> 24) % 128 + (k ? 127 : 0);
        p.data[4 * j + 3] = 255;
      }
      writeFileSync(join(dir, cls, `${i}.png`), PNG.sync.write(p));
    }
  }
  return dir;
}

async function withPage(budgetMB: number, body: (b: Browser) => Promise<void>): Promise<void> {
  const harness = await startHarness(root, runMessageFor(NET, "tiny.cnn", { budgetMB }), { target: null, seed: null, input: "", drawing: null, train: { settings: { epochs: 2, batch: 4, optimizer: "adam", lr: 0.01, momentum: 0.9, weightDecay: 0 }, data: "mnist", open: true } });
  try {
    const b = await Browser.launch();
    try {
      await b.open(harness.url);
      await b.until(`document.querySelector('[data-testid="run-total-ms"]') !== null`, "the run to finish");
      await body(b);
      assert.deepEqual(b.problems, []);
    } finally {
      await b.close();
    }
  } finally {
    await harness.close();
  }
}

const q = (id: string) => `document.querySelector('[data-testid="${id}"]')`;
/** sets an input as a person types, firing `input` */
const type = (b: Browser, id: string, value: string) => b.evaluate(`(() => { const e = ${q(id)}; e.value = ${JSON.stringify(value)}; e.dispatchEvent(new Event("input")); })()`);
const text = (b: Browser, id: string) => b.evaluate<string>(`${q(id)}.textContent`);
const posted = async (b: Browser) => (await b.evaluate<unknown[]>("window.posted")).map((m) => readViewMessage(m));
const deliver = (b: Browser, message: unknown) => b.evaluate(`window.postMessage(${JSON.stringify(message)}, "*")`);

describe("run view: the Train section (headless Chromium)", function () {
  this.timeout(180_000);

  it("the form: each bad value disables Start with a message; Start sends the settings, checked again by the host", async () => {
    await withPage(1536, async (b) => {
      assert.equal(await b.evaluate<boolean>(`${q("train-start")}.disabled`), false);
      assert.match(await text(b, "train-memory"), /^needs .* of the .* memory budget$/);
      for (const [id, value, message] of [
        ["train-epochs", "0", /Epochs takes a whole number from 1/],
        ["train-epochs", "1.5", /Epochs takes a whole number/],
        ["train-batch", "", /Batch takes a whole number/],
        ["train-batch", "100000", /Batch takes a whole number from 1 to 65,536/],
        ["train-lr", "0", /learning rate takes a number above 0/],
        ["train-lr", "1e400", /learning rate takes/],
        ["train-weight-decay", "-1", /Weight decay takes a number from 0/],
      ] as const) {
        const before = await b.evaluate<string>(`${q(id)}.value`);
        await type(b, id, value);
        assert.equal(await b.evaluate<boolean>(`${q("train-start")}.disabled`), true, `${id} = ${value}`);
        assert.match(await text(b, "train-error"), message);
        await type(b, id, before);
        assert.equal(await b.evaluate<boolean>(`${q("train-start")}.disabled`), false, `${id} back to ${before}`);
      }
      // SGD shows its momentum; a momentum of 1 is refused
      await b.evaluate(`(() => { const s = ${q("train-optimizer")}; s.value = "sgd"; s.dispatchEvent(new Event("change")); })()`);
      await type(b, "train-momentum", "1");
      assert.match(await text(b, "train-error"), /Momentum takes a number from 0 to below 1/);
      await type(b, "train-momentum", "0.5");
      await type(b, "train-epochs", "3");
      await b.evaluate(`${q("train-start")}.click()`);
      const start = (await posted(b)).find((m) => m.type === "trainStart") as Extract<ViewMessage, { type: "trainStart" }>;
      assert.deepEqual(start, { type: "trainStart", data: "mnist", settings: { epochs: 3, batch: 4, optimizer: "sgd", lr: 0.01, momentum: 0.5, weightDecay: 0 }, start: "seeded", seed: 0 });
      // busy: the form is locked until the host answers; Stop cancels the reading of the data
      assert.equal(await b.evaluate<boolean>(`${q("train-start")}.disabled`), true);
      assert.equal(await b.evaluate<boolean>(`${q("train-epochs")}.disabled`), true);
      assert.equal(await b.evaluate<boolean>(`${q("train-stop")}.disabled`), false);
      await b.evaluate(`${q("train-stop")}.click()`);
      assert.ok((await posted(b)).some((m) => m.type === "trainControl" && m.command === "stop"));
      assert.match(await text(b, "train-status"), /^cancelling: nothing has been trained yet/);
      // the host refuses: the message shows, the form is free again
      await deliver(b, { type: "trainFailed", message: "needs 2.1 GB: more than the 1.54 GB budget", refused: true });
      assert.match(await text(b, "train-error"), /needs 2\.1 GB/);
      assert.equal(await b.evaluate<boolean>(`${q("train-start")}.disabled`), false);
    });
    // what the host checks: a page that sends anything else is not obeyed
    for (const bad of [
      { type: "trainStart", data: "mnist", settings: { epochs: 0, batch: 4, optimizer: "adam", lr: 0.01, momentum: 0, weightDecay: 0 }, start: "seeded", seed: 0 },
      { type: "trainStart", data: "mnist", settings: { epochs: 1, batch: 4, optimizer: "adam", lr: Number.NaN, momentum: 0, weightDecay: 0 }, start: "seeded", seed: 0 },
      { type: "trainStart", data: "mnist", settings: { epochs: 1, batch: 4, optimizer: "rmsprop", lr: 0.01, momentum: 0, weightDecay: 0 }, start: "seeded", seed: 0 },
      { type: "trainStart", data: "/etc", settings: { epochs: 1, batch: 4, optimizer: "adam", lr: 0.01, momentum: 0, weightDecay: 0 }, start: "seeded", seed: 0 },
      { type: "trainStart", data: "mnist", settings: { epochs: 1, batch: 4, optimizer: "adam", lr: 0.01, momentum: 0, weightDecay: 0 }, start: "seeded", seed: -1 },
      { type: "trainControl", command: "kill" },
      { type: "pickTrainFolder", role: "/home" },
    ]) {
      assert.throws(() => readViewMessage(bad), JSON.stringify(bad));
    }
  });

  it("past the memory budget: Start is disabled and the numbers are shown", async () => {
    await withPage(1, async (b) => {
      assert.match(await text(b, "train-memory"), /^needs .*: more than the 1 MB budget/);
      assert.equal(await b.evaluate<boolean>(`${q("train-start")}.disabled`), true);
    });
  });

  it("a real training behind the page: curves, epochs, Pause and Stop from the page, the confusion matrix, mistakes, filters", async () => {
    const data = folder(300);
    await withPage(1536, async (b) => {
      // the page's form asks for a picture folder: the host's dialog answers with what it holds
      await b.evaluate(`(() => { const s = ${q("train-data")}; s.value = "folder"; s.dispatchEvent(new Event("change")); })()`);
      assert.ok((await posted(b)).some((m) => m.type === "pickTrainFolder" && m.role === "train"));
      await deliver(b, { type: "trainFolder", role: "train", folder: { name: "shades", classes: ["dark", "light"], pictures: 600 } });
      await b.until(`${q("train-folder")}.textContent.includes("2 classes")`, "the folder shown");
      await type(b, "train-epochs", "1000");
      await type(b, "train-batch", "2");
      await b.evaluate(`${q("train-start")}.click()`);
      const start = (await posted(b)).find((m) => m.type === "trainStart") as Extract<ViewMessage, { type: "trainStart" }>;
      assert.equal(start.data, "folder");
      let thread: TrainingThread | null = null;
      let done = false;
      let weights: Uint8Array | null = null;
      const relay = (m: SessionMessage) => {
        if (m.type === "done" || m.type === "failed") done = true;
        if (m.type === "done") weights = m.result.weights;
        const out = hostMessage(m, (id) => (id === undefined ? undefined : id + 2));
        if (out) void deliver(b, out);
      };
      thread = new TrainingThread(workerFile, { network: serializeNetwork(analyze(NET, "tiny.cnn").networks[0]), data: { kind: "folder", path: data }, settings: start.settings, seed: start.seed, budgetMB: 1536 }, relay);
      // the page's commands go to the thread, as the host passes them on
      let seen = (await posted(b)).length;
      const pump = setInterval(() => {
        void posted(b).then((all) => {
          for (const m of all.slice(seen)) if (m.type === "trainControl") thread!.command(m.command);
          seen = all.length;
        }, () => {});
      }, 20);
      try {
        await b.until(`Number(${q("train-loss-plot")}.dataset.points) >= 5`, "loss points on the curve");
        await b.until(`!${q("train-pause")}.disabled`, "Pause enabled");
        await b.evaluate(`${q("train-pause")}.click()`);
        // answered on the page at once, before the thread has said anything
        assert.match(await text(b, "train-status"), /^pausing after the current batch/);
        await b.until(`${q("train-status")}.textContent.startsWith("paused at step")`, "paused");
        const latency = Number(await b.evaluate<string>(`${q("train-status")}.dataset.latencyMs`));
        assert.ok(Number.isFinite(latency) && latency >= 0);
        assert.equal(await text(b, "train-pause"), "Resume");
        await b.evaluate(`${q("train-pause")}.click()`);
        await b.until(`${q("train-status")}.textContent.startsWith("running again")`, "running again");
        await b.until(`document.querySelectorAll('[data-testid="train-epoch-row"]').length >= 2`, "two epochs in the table");
        await b.evaluate(`${q("train-stop")}.click()`);
        await b.until(`!${q("train-results")}.hidden`, "the results after Stop");
        console.log(`      the thread's pause shown on the page ${latency.toFixed(0)} ms after the click (through this test's polling of the page; the thread alone: session.test.ts)`);
      } finally {
        clearInterval(pump);
        if (!done) await thread.terminate();
      }
      assert.match(await b.evaluate<string>(`${q("train-progress")}.textContent`), /^stopped: [\d,]+ steps in \d+ epochs at [\d,]+ samples\/s · accuracy [\d.]+ % on the training pictures$/);
      // the confusion matrix: 2×2 counts adding up to the 600 pictures
      const cells = await b.evaluate<number[]>(`[...document.querySelectorAll('[data-testid="confusion-cell"]')].map((c) => Number(c.textContent.replace(/,/g, "")))`);
      assert.equal(cells.length, 4);
      assert.equal(cells.reduce((a, c) => a + c, 0), 600);
      const wrong = cells[1] + cells[2];
      assert.equal(await b.evaluate<number>(`document.querySelectorAll('[data-testid="mistake"]').length`), wrong);
      // c1's 4 filters drawn; the accuracy curve has a point per finished epoch
      assert.ok(await b.evaluate<boolean>(`${q("filters")} !== null && ${q("filters")}.width > 0`));
      assert.ok(Number(await b.evaluate<string>(`${q("train-accuracy-plot")}.dataset.points`)) >= 2);
      // the host then says the run uses the trained weights, and runs with them
      assert.equal(await b.evaluate<boolean>(`${q("train-save")}.hidden`), true);
      await deliver(b, { type: "trainWeights", weights: { state: "trained", summary: "trained here: 123 steps on shades", saved: null } });
      assert.equal(await b.evaluate<boolean>(`${q("train-save")}.hidden`), false);
      assert.match(await text(b, "train-weights"), /trained here: 123 steps on shades · not saved/);
      assert.ok(weights);
      await b.evaluate(`window.posted.length = 0`);
      await deliver(b, { ...runMessageFor(NET, "tiny.cnn", { runId: 2 }), weights: { name: "trained in this view", origin: "trained", base64: Buffer.from(weights).toString("base64") } });
      await b.until(`window.posted.some((m) => m.type === "status" && m.state === "done")`, "the run with the trained weights");
      assert.match(await b.evaluate<string>(`document.querySelector('.total').textContent`), /weights: trained in this view/);
      await b.evaluate(`${q("train-save")}.click()`);
      assert.ok((await posted(b)).some((m) => m.type === "saveWeights"));
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, "run-view-train.png"), await b.screenshot());
    });
  });
});

describe("run view: the page checks what the host says about training", () => {
  const result = {
    stopped: false, steps: 3, samplesPerSecond: 100, epochs: [{ epoch: 1, loss: 0.5, trainAccuracy: 0.5, testAccuracy: 0.5, ms: 10 }],
    classes: ["a", "b"], evaluatedOn: "x", evaluatedSize: 2, accuracy: 0.5, confusion: [[1, 0], [1, 0]], wrong: 1,
    misclassified: [{ name: "b/1.png", label: 1, predicted: 0, confidence: 0.7, picture: { width: 2, height: 1, channels: 1, base64: Buffer.from([0, 255]).toString("base64") } }],
    filters: { layer: "c1 (conv)", count: 1, channels: 1, height: 1, width: 2, values: [0.5, -0.5] },
  };
  const done = (r: unknown) => ({ type: "trainDone", result: r });
  it("reads a well-formed result", () => {
    assert.equal(readHostMessage(done(result)).type, "trainDone");
  });
  for (const [what, bad] of [
    ["a confusion matrix of another size than the classes", { ...result, confusion: [[1, 0, 0], [1, 0, 0], [0, 0, 0]] }],
    ["a negative count", { ...result, confusion: [[1, -1], [1, 0]] }],
    ["a mistake of a class that does not exist", { ...result, misclassified: [{ ...result.misclassified[0], label: 2 }] }],
    ["a thumbnail whose bytes are not its size", { ...result, misclassified: [{ ...result.misclassified[0], picture: { ...result.misclassified[0].picture, width: 3 } }] }],
    ["a thumbnail that is not base64", { ...result, misclassified: [{ ...result.misclassified[0], picture: { ...result.misclassified[0].picture, base64: "<script>" } }] }],
    ["a thumbnail too large to draw", { ...result, misclassified: [{ ...result.misclassified[0], picture: { width: 100000, height: 100000, channels: 1, base64: "" } }] }],
    ["filters whose values are not their shape", { ...result, filters: { ...result.filters, count: 2 } }],
    ["a confidence above 1", { ...result, misclassified: [{ ...result.misclassified[0], confidence: 1.5 }] }],
    ["an accuracy above 1", { ...result, accuracy: 2 }],
  ] as const) {
    it(`refuses ${what}`, () => assert.throws(() => readHostMessage(done(bad)), InvalidDataError));
  }
  it("refuses a progress with a step that is not a count, and a trainState it does not know", () => {
    assert.throws(() => readHostMessage({ type: "trainProgress", points: [{ step: -1, loss: 1 }], progress: {} }), InvalidDataError);
    assert.throws(() => readHostMessage({ type: "trainState", state: "exploded", step: 1 }), InvalidDataError);
    assert.throws(() => readHostMessage({ type: "trainWeights", weights: { state: "file" } }), InvalidDataError);
  });
});
