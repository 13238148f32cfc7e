// `cnn train` as a user runs it (the built CLI): a picture folder as torchvision's
// ImageFolder with --no-shuffle and --weights, checked against the float64 reference of
// steps.test.ts; the JSON of spec §7; refusals with file:line:col; the trained weights
// found by `cnn run` beside the design.

import * as assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync, existsSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { analyze } from "../../../analysis";
import { readSafetensors } from "../../../engine/safetensors";
import { loadSafetensorsWeights, weightsToSafetensors } from "../../../engine/weights-file";
import { folderFiles, readFolder } from "../../../engine/train/folder-node";
import { optimizerSettings } from "../../../engine/train/optim";
import { cnn, tempDir } from "../cli";
import { seeded } from "./support";
import { assertMatches, referenceSteps, startingWeights, STEP_NETS } from "./reference";

function png(width: number, height: number, seed: number): Uint8Array {
  const p = new PNG({ width, height });
  const v = seeded(width * height, seed, 0, 255);
  for (let i = 0; i < width * height; i++) {
    p.data[4 * i] = p.data[4 * i + 1] = p.data[4 * i + 2] = Math.round(v[i]);
    p.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(p);
}

/** DIR/<class>/<name>.png for every class and name */
function pictureFolder(classes: Record<string, string[]>, side = 6): string {
  const dir = tempDir();
  let seed = 1;
  for (const [cls, names] of Object.entries(classes)) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (const name of names) {
      mkdirSync(join(dir, cls, name, ".."), { recursive: true });
      writeFileSync(join(dir, cls, name), png(side, side, seed++));
    }
  }
  return dir;
}

describe("cnn train", function () {
  this.timeout(300_000);

  it("reads a picture folder in ImageFolder's order: classes and files by code point, sub-folders walked, other files skipped", () => {
    const dir = pictureFolder({ b: ["2.png", "10.png", "sub/a.png", "Z.PNG"], a: ["x.jpg.png"], "é": ["1.png"], "𝔸": ["1.png"], "ﬀ": ["1.png"] });
    writeFileSync(join(dir, "b", "notes.txt"), "not a picture");
    const { classes, files } = folderFiles(dir);
    // code points: a < b < é (U+E9) < ﬀ (U+FB00) < 𝔸 (U+1D538); UTF-16 order would put 𝔸 before ﬀ
    assert.deepEqual(classes, ["a", "b", "é", "ﬀ", "𝔸"]);
    assert.deepEqual(
      files.map((f) => [f.path.slice(dir.length + 1), f.label]),
      [["a/x.jpg.png", 0], ["b/10.png", 1], ["b/2.png", 1], ["b/Z.PNG", 1], ["b/sub/a.png", 1], ["é/1.png", 2], ["ﬀ/1.png", 3], ["𝔸/1.png", 4]],
    );
  });

  it("refuses a picture ImageFolder would take but that cannot be decoded, and an empty class", () => {
    const dir = pictureFolder({ a: ["1.png"], b: ["1.png"] });
    writeFileSync(join(dir, "b", "2.bmp"), "BM");
    assert.throws(() => folderFiles(dir), /2\.bmp: \.bmp pictures cannot be read here/);
    const empty = pictureFolder({ a: ["1.png"] });
    mkdirSync(join(empty, "b"));
    assert.throws(() => folderFiles(empty), /class folder .*b has no \.png or \.jpg pictures/);
  });

  it("--no-shuffle --weights --steps 1 (SGD, momentum 0.9, weight decay): the float64 reference's parameters, and the §7 JSON", () => {
    const text = STEP_NETS["conv/relu/pool/fc"];
    const dir = tempDir({ "net.cnn": text });
    const data = pictureFolder({ cat: ["1.png", "2.png", "3.png"], dog: ["1.png", "2.png"], owl: ["1.png", "2.png"] });
    const net = analyze(text, "net.cnn").networks[0];
    const start = startingWeights(net, 5);
    writeFileSync(join(dir, "init.safetensors"), weightsToSafetensors(net, start));
    const r = cnn("train", join(dir, "net.cnn"), "--data", data, "--no-shuffle", "--optimizer", "sgd", "--lr", "0.1", "--momentum", "0.9", "--weight-decay", "0.01", "--steps", "1", "--batch", "4", "--weights", join(dir, "init.safetensors"), "--out", join(dir, "out.safetensors"), "--json");
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json), ["network", "epochs", "steps", "samplesPerSecond", "weights"]);
    assert.equal(json.steps, 1);
    assert.equal(json.epochs.length, 1);
    assert.deepEqual(Object.keys(json.epochs[0]), ["epoch", "loss", "trainAccuracy", "testAccuracy", "ms"]);
    assert.equal(json.epochs[0].testAccuracy, null);
    assert.equal(json.weights, join(dir, "out.safetensors"));
    const dataset = readFolder(data, net.graph[0]);
    const expected = referenceSteps(net, start, dataset, 4, 1, optimizerSettings({ kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0.01 }));
    const got = loadSafetensorsWeights(readFileSync(join(dir, "out.safetensors")), net, new Map());
    assertMatches(net, got, expected, "cnn train");
  });

  it("--threads: the batch shared by that many threads, said in the first line; a net with bn on threads too (its weights one thread's)", () => {
    const dir = tempDir({ "net.cnn": STEP_NETS["conv/relu/pool/fc"], "bn.cnn": STEP_NETS["bn with a projection residual"] });
    const data = pictureFolder({ cat: ["1.png", "2.png", "3.png"], dog: ["1.png", "2.png"], owl: ["1.png", "2.png"] });
    const two = cnn("train", join(dir, "net.cnn"), "--data", data, "--steps", "2", "--batch", "4", "--threads", "2", "--out", join(dir, "two.safetensors"));
    assert.equal(two.status, 0, two.stderr);
    assert.match(two.stderr.split("\n")[0], / engine, 2 threads$/);
    const one = cnn("train", join(dir, "net.cnn"), "--data", data, "--steps", "2", "--batch", "4", "--threads", "1", "--out", join(dir, "one.safetensors"));
    assert.match(one.stderr.split("\n")[0], / engine, 1 thread$/);
    // 3 steps at batch 3 over 7 pictures: the last batch has one sample (one slice, the worker idle)
    const bnNet = analyze(STEP_NETS["bn with a projection residual"], "bn.cnn").networks[0];
    const bnOf = (threads: string) => {
      const r = cnn("train", join(dir, "bn.cnn"), "--data", data, "--steps", "3", "--batch", "3", "--threads", threads, "--out", join(dir, `bn${threads}.safetensors`));
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr.split("\n")[0], new RegExp(` engine, ${threads} thread${threads === "1" ? "" : "s"}$`));
      return loadSafetensorsWeights(readFileSync(join(dir, `bn${threads}.safetensors`)), bnNet, new Map());
    };
    const bn1 = bnOf("1");
    const bn2 = bnOf("2");
    for (const [id, p] of bn1) {
      for (const key of Object.keys(p) as (keyof typeof p)[]) {
        const want = p[key]!;
        const got = bn2.get(id)![key]!;
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])), `node ${id} ${key}[${i}]: ${got[i]} on 2 threads vs ${want[i]} on 1`);
      }
    }
    assert.match(cnn("train", join(dir, "net.cnn"), "--data", data, "--threads", "0").stderr, /--threads takes a whole number from 1 to 256/);
  });

  it("three Adam steps with bn and a projection residual, over two epochs of a 5-picture folder at batch 3", () => {
    const text = STEP_NETS["bn with a projection residual"];
    const dir = tempDir({ "net.cnn": text });
    const data = pictureFolder({ a: ["1.png", "2.png"], b: ["1.png"], c: ["1.png", "2.png"] }, 4);
    const net = analyze(text, "net.cnn").networks[0];
    const start = startingWeights(net, 8);
    writeFileSync(join(dir, "init.safetensors"), weightsToSafetensors(net, start));
    const r = cnn("train", join(dir, "net.cnn"), "--data", data, "--no-shuffle", "--lr", "0.01", "--weight-decay", "0.001", "--steps", "3", "--batch", "3", "--weights", join(dir, "init.safetensors"), "--json");
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.steps, 3);
    assert.equal(json.epochs.length, 2, "2 batches per epoch: the third step starts epoch 2");
    const dataset = readFolder(data, net.graph[0]);
    const expected = referenceSteps(net, start, dataset, 3, 3, optimizerSettings({ kind: "adam", lr: 0.01, weightDecay: 0.001 }));
    assert.ok(existsSync(join(dir, "net.safetensors")), "the default output is FILE's name with .safetensors");
    assertMatches(net, loadSafetensorsWeights(readFileSync(join(dir, "net.safetensors")), net, new Map()), expected, "cnn train (adam)");
  });

  it("refuses scores that are not one per class, at the last layer's line and column", () => {
    const file = join(tempDir({ "net.cnn": "network N {\n  input 6x6x1\n  fc 4\n}\n" }), "net.cnn");
    const data = pictureFolder({ a: ["1.png"], b: ["1.png"], c: ["1.png"] });
    const r = cnn("train", file, "--data", data);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:3: error: N gives 4 scores but the data has 3 classes \\(a, b, c\\)`));
  });

  it("training past the memory budget is refused with the numbers before any work", () => {
    const file = join(tempDir({ "net.cnn": "input 28x28x1\nconv 64 3x3 pad 1\nrelu\nfc 10\n" }), "net.cnn");
    const r = cnn("train", file, "--data", "mnist", "--batch", "256", "--memory-budget", "100");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /net\.cnn:\d+:\d+: error: training net at batch 256 needs [\d.]+ MB \(weights .* \+ gradients .* \+ optimizer state .* \+ activations kept for the backward pass .* \+ gradients in flight .* \+ the pictures .*\), more than the memory budget of 100 MB/);
    assert.ok(!existsSync(join(file, "..", "net.safetensors")), "nothing written");
  });

  it("bad usage exits 2 with the reason", () => {
    const file = join(tempDir({ "net.cnn": "input 6x6x1\nfc 3\n" }), "net.cnn");
    assert.equal(cnn("train", file).status, 2);
    assert.match(cnn("train", file).stderr, /--data takes `mnist` or a folder/);
    assert.match(cnn("train", file, "--data", "mnist", "--optimizer", "rmsprop").stderr, /--optimizer takes sgd or adam/);
    assert.match(cnn("train", file, "--data", "mnist", "--lr", "-1").stderr, /--lr takes a learning rate above 0/);
    assert.match(cnn("train", file, "--data", join(file, "..", "nowhere")).stderr, /is not a folder/);
  });

  it("the trained weights are found beside the design: `cnn run` uses them (and says so), the same as --weights", () => {
    const text = STEP_NETS["conv/relu/pool/fc"] + "\nsoftmax";
    const dir = tempDir({ "net.cnn": text });
    const data = pictureFolder({ a: ["1.png", "2.png"], b: ["1.png"], c: ["1.png"] });
    assert.equal(cnn("train", join(dir, "net.cnn"), "--data", data, "--steps", "2", "--batch", "2").status, 0);
    const trained = readSafetensors(readFileSync(join(dir, "net.safetensors")));
    assert.equal(trained.metadata.network, "net");
    const found = cnn("run", join(dir, "net.cnn"), "--json");
    const given = cnn("run", join(dir, "net.cnn"), "--weights", join(dir, "net.safetensors"), "--json");
    const seeded0 = cnn("run", join(dir, "net.cnn"), "--untrained", "--json");
    assert.equal(found.status, 0, found.stderr);
    assert.deepEqual(JSON.parse(found.stdout).output, JSON.parse(given.stdout).output);
    assert.notDeepEqual(JSON.parse(found.stdout).output, JSON.parse(seeded0.stdout).output);
    assert.match(cnn("run", join(dir, "net.cnn")).stdout, /weights from net\.safetensors \(trained\)/);
  });

  it("a trained file that no longer fits the design is refused, not replaced by seeded weights", () => {
    const dir = tempDir({ "net.cnn": STEP_NETS["conv/relu/pool/fc"] });
    const data = pictureFolder({ a: ["1.png"], b: ["1.png"], c: ["1.png"] });
    assert.equal(cnn("train", join(dir, "net.cnn"), "--data", data, "--steps", "1").status, 0);
    writeFileSync(join(dir, "net.cnn"), STEP_NETS["conv/relu/pool/fc"].replace("conv 3 3x3", "conv 4 3x3"));
    const r = cnn("run", join(dir, "net.cnn"));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /net\.safetensors/);
    assert.match(r.stderr, /--untrained/);
  });

  it("follows a symbolic link to a class folder, as ImageFolder does", () => {
    const source = pictureFolder({ x: ["1.png"] });
    const dir = pictureFolder({ a: ["1.png"] });
    symlinkSync(join(source, "x"), join(dir, "b"));
    assert.deepEqual(folderFiles(dir).classes, ["a", "b"]);
  });
});
