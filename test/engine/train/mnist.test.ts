// The spec's §9 example (LeNet-5 with ReLU) trained with the defaults (Adam, lr 1e-3,
// batch 32, seed 0) through `cnn train` as a user runs it, on MNIST's 60,000 training
// digits, scored on its 10,000 test digits; then `cnn run` on the MNIST 7 (a test digit)
// says 7. The spec promises ≥ 97 % after 5 epochs; one epoch already gets there (97.86 %
// measured, docs/TRAINING.md), and one epoch is what npm test can afford: 60,000 samples,
// about 20 s on a quiet core. The bench (`--only train`) runs epochs until 98 %.

import * as assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { cnn, root, tempDir } from "../cli";

describe("cnn train --data mnist: the §9 example", function () {
  this.timeout(900_000);

  it("≥ 97 % of the 10,000 test digits after one epoch with the defaults, and the MNIST 7 is then a 7", () => {
    const dir = tempDir();
    const file = join(dir, "lenet5_relu.cnn");
    copyFileSync(join(root, "examples", "lenet5_relu.cnn"), file);
    const r = cnn("train", file, "--data", "mnist", "--epochs", "1", "--json");
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.epochs.length, 1);
    assert.equal(json.steps, Math.ceil(60_000 / 32));
    const last = json.epochs[0];
    console.log(`      test accuracy after 1 epoch: ${(last.testAccuracy * 100).toFixed(2)} %, ${Math.round(json.samplesPerSecond)} samples/s`);
    assert.ok(last.testAccuracy >= 0.97, `test accuracy ${last.testAccuracy}`);
    const run = cnn("run", file, "--sample", "digit7", "--json");
    assert.equal(run.status, 0, run.stderr);
    const scores: number[] = JSON.parse(run.stdout).output.data;
    assert.equal(scores.indexOf(Math.max(...scores)), 7);
  });
});
