// Class names only where they are sure (docs/ENGINE.md, "Class names"), and the plain
// words when the weights are the seeded initialization.

import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { classNamesFor, classNamesFromMetadata, classNamesText, IMAGENET_CLASSES, parseClassNames } from "../../engine/classes";
import { initWeights } from "../../engine/init";
import { weightsToSafetensors } from "../../engine/weights-file";
import { network } from "./nets";
import { cnn, tempDir } from "./cli";

describe("class names", () => {
  it("ImageNet's 1,000 names ship as data, in index order", () => {
    assert.equal(IMAGENET_CLASSES.length, 1000);
    assert.equal(new Set(IMAGENET_CLASSES).size, 1000);
    assert.deepEqual([IMAGENET_CLASSES[0], IMAGENET_CLASSES[1], IMAGENET_CLASSES[207], IMAGENET_CLASSES[999]], ["tench", "goldfish", "golden retriever", "toilet tissue"]);
  });

  it("the input's classes decide; else the weights' names; else ImageNet's for 1,000 classes; else none", () => {
    assert.deepEqual(classNamesFor(network("input 28x28 classes digits\nflatten\nfc 10"))?.names, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    assert.equal(classNamesFor(network("input 28x28\nflatten\nfc 10")), null);
    // a 10-way output on a digit sample: the digits; on another sample, or 9-way, none
    assert.deepEqual(classNamesFor(network("input 28x28 sample digits\nflatten\nfc 10"))?.names, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    assert.equal(classNamesFor(network("input 28x28 sample digit3_2\nflatten\nfc 10"))?.names[3], "3");
    assert.equal(classNamesFor(network("input 28x28 sample shapes\nflatten\nfc 10")), null);
    assert.equal(classNamesFor(network("input 28x28 sample digits\nflatten\nfc 9")), null);
    // what the weights file names comes first
    assert.equal(classNamesFor(network("input 28x28 sample digits\nflatten\nfc 10"), { weights: { name: "w", names: Array.from({ length: 10 }, (_, i) => `d${i}`) } })?.names[0], "d0");
    assert.deepEqual(classNamesFromMetadata({ trained: JSON.stringify({ data: "mnist", classes: ["0", "1"], steps: 3 }) }), ["0", "1"]);
    assert.equal(classNamesFor(network("input 8x8x3\ngap\nfc 1000"))?.names[1], "goldfish");
    assert.equal(classNamesFor(network("input 8x8x3\ngap\nfc 1000"), { weights: { name: "w", names: Array.from({ length: 1000 }, (_, i) => `c${i}`) } })?.names[1], "c1");
    const pets = network(`input 8x8x3 classes "pets.txt"\ngap\nfc 3`);
    assert.equal(classNamesFor(pets), null, "a file not read yet names nothing");
    assert.deepEqual(classNamesFor(pets, { file: { name: "pets.txt", names: ["cat", "dog", "fish"] } })?.names, ["cat", "dog", "fish"]);
    const notes: string[] = [];
    assert.equal(classNamesFor(pets, { file: { name: "pets.txt", names: ["cat", "dog"] } }, notes), null);
    assert.deepEqual(notes, ["pets.txt has 2 class names, the output 3: the classes are shown by number"]);
    // a volume output has no classes
    assert.equal(classNamesFor(network("input 8x8x3 classes digits\nconv 2 3x3")), null);
  });

  it("a classes file the input line names that cannot be read stops cnn run at that line (file:line:col), exit 2", () => {
    const dir = tempDir({ "gone.cnn": `network G {\n  input 8x8x3 sample noise classes "gone.txt"\n  gap\n  fc 2\n}\n` });
    const r = cnn("run", join(dir, "gone.cnn"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /gone\.cnn:2:3: cannot read the classes file gone\.txt: no such file/);
  });

  it("a classes file of the wrong length: cnn run warns at the input line (file:line:col) and shows the classes by number", () => {
    const dir = tempDir({ "two.cnn": `network T {\n  input 4x4x1 sample noise classes "three.txt"\n  flatten\n  fc 2\n  softmax\n}\n`, "three.txt": "cat\ndog\nbird\n" });
    const r = cnn("run", join(dir, "two.cnn"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /two\.cnn:2:3: warning: three\.txt has 3 class names, the output 2: the classes are shown by number/);
    assert.match(r.stdout, /class 0 /);
    assert.doesNotMatch(r.stdout, /\b(cat|dog|bird)\b/);
  });

  it("a classes file is one name a line; what train writes reads back, in a file and in a weights file's metadata", () => {
    assert.deepEqual(parseClassNames("\uFEFFcat\r\n dog \nfish\n\n"), ["cat", "dog", "fish"]);
    assert.equal(classNamesText(["a", "b"]), "a\nb\n");
    assert.throws(() => classNamesText(["a\nb"]), /line break/);
    assert.deepEqual(classNamesFromMetadata({ classes: JSON.stringify(["x", "y"]) }), ["x", "y"]);
    assert.equal(classNamesFromMetadata({ classes: "not json" }), null);
    assert.equal(classNamesFromMetadata({}), null);
  });

  it("cnn run names the top 5 by the classes file, by the weights' names, and says untrained otherwise", () => {
    const dir = tempDir({ "pets.cnn": `input 8x8x3 classes "pets.txt"\ngap\nfc 3`, "pets.txt": "cat\ndog\nfish\n", "plain.cnn": "input 28x28\nflatten\nfc 10\nsoftmax" });
    const named = cnn("run", join(dir, "pets.cnn"));
    assert.equal(named.status, 0, named.stderr);
    assert.match(named.stdout, /output: 3 scores \(a softmax of them\), top 3, named by pets\.txt:\n  (cat|dog|fish) +[\d.]+ %  \(class \d\)/);
    assert.match(named.stdout, /untrained: random weights, seed 0 — the output does not mean anything yet\. Real weights:/);
    assert.match(named.stdout, /cnn train .*pets\.cnn --data mnist/);
    const json = JSON.parse(cnn("run", join(dir, "pets.cnn"), "--json").stdout);
    assert.equal(json.untrained, true);
    assert.deepEqual(json.top5.map((c: { name: string }) => c.name).sort(), ["cat", "dog", "fish"]);
    const plain = cnn("run", join(dir, "plain.cnn"), "--seed", "3");
    assert.match(plain.stdout, /top 5:\n  class \d  /);
    assert.match(plain.stdout, /untrained: random weights, seed 3/);
    // names carried by a weights file (as cnn train writes them); no untrained notice then
    const net = network("input 28x28\nflatten\nfc 10\nsoftmax");
    const digits = Array.from({ length: 10 }, (_, i) => `digit ${i}`);
    writeFileSync(join(dir, "w.safetensors"), weightsToSafetensors(net, initWeights(net.graph, 1), { classes: JSON.stringify(digits) }));
    const trained = cnn("run", join(dir, "plain.cnn"), "--weights", join(dir, "w.safetensors"));
    assert.equal(trained.status, 0, trained.stderr);
    assert.match(trained.stdout, /named by the weights file .*w\.safetensors:\n  digit \d/);
    assert.doesNotMatch(trained.stdout, /untrained/);
  });
});
