// Budget first (issue 9, item 4): a run or an export past the memory budget is refused
// with the numbers (exit 1) before the picture, the input, the weights or the arena is
// made; an allocation the machine cannot make is told the same way, never as an
// internal error.

import * as assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { analyze } from "../../analysis";
import { allocationRefusal, budgetRefusal, isAllocationFailure } from "../../engine/budget";
import { cnn, tempDir, tempCnn } from "./cli";

function noInternalError(r: { stderr: string }): void {
  assert.doesNotMatch(r.stderr, /internal error|RangeError|\n\s+at /);
}

describe("budget first: cnn run", () => {
  it("input 100000x100000x3 is refused with the budget's numbers, exit 1", () => {
    const r = cnn("run", tempCnn("input 100000x100000x3\nconv 4 3x3\n"));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /net\.cnn: net needs 279\.99 GB to run \(weights 448 B \+ activations alive at once 279\.99 GB \+ scratch [\d.]+ kB\), more than the memory budget of 1\.54 GB \(1536 MB, --memory-budget MB\)/);
    noInternalError(r);
  });

  it("fc 1000000000 after 8×8×3 is refused, with --memory-budget 1 too", () => {
    const file = tempCnn("input 8x8x3\nfc 1000000000\n");
    for (const extra of [[], ["--memory-budget", "1"]]) {
      const r = cnn("run", file, ...extra);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /needs 776 GB to run \(weights 772 GB \+ activations alive at once 4 GB\), more than the memory budget of/);
      noInternalError(r);
    }
  });

  it("a budget set past what the machine can allocate: refused with the numbers, not an internal error", () => {
    const r = cnn("run", tempCnn("input 8x8x3\nfc 1000000000\n"), "--memory-budget", "1000000");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /needs 776 GB to run .*within the memory budget of 1000 GB \(1000000 MB\), but more than this machine could allocate/);
    noInternalError(r);
  });

  it("the budget is checked before the picture is read: a missing picture on a net past it is not looked for", () => {
    const dir = tempDir({ "big.cnn": 'input 20000x20000x3 sample "nowhere.png"\nconv 4 3x3\n' });
    const r = cnn("run", join(dir, "big.cnn"));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /needs 11\.2 GB to run/);
    assert.doesNotMatch(r.stderr, /nowhere\.png/);
  });

  it("a net within the budget still runs", () => {
    const r = cnn("run", tempCnn("input 8x8x3\nfc 10\n"), "--memory-budget", "1", "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).output.data.length, 10);
  });
});

describe("budget first: cnn export", () => {
  it("a net whose weights pass the budget is refused before a weight is made; nothing is written", () => {
    const dir = tempDir({ "net.cnn": "input 8x8x3\nfc 1000000000\n" });
    const out = join(dir, "net.onnx");
    const r = cnn("export", join(dir, "net.cnn"), "--onnx", out, "--safetensors", join(dir, "net.safetensors"));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /needs 1544 GB to export \(weights 772 GB, and as much again for the model file\), more than the memory budget of 1\.54 GB \(1536 MB, --memory-budget MB\)/);
    noInternalError(r);
    assert.equal(existsSync(out), false);
    // 19.2 G weights: within a budget of 1000 GB, past any typed array the machine can make
    const huge = tempCnn("input 8x8x3\nfc 100000000\n");
    const small = cnn("export", huge, "--onnx", out, "--memory-budget", "1000000");
    assert.equal(small.status, 1, small.stderr);
    assert.match(small.stderr, /could not be exported: more memory than this machine could allocate/);
    noInternalError(small);
  });
});

describe("budget: the messages", () => {
  const network = analyze("network Big {\n  input 100000x100000x3\n  conv 4 3x3\n}\n", "big.cnn").networks[0];

  it("the refusal says where the budget is set: the editor's setting or the command line's option", () => {
    assert.match(budgetRefusal(network, 1536)!, /\(1536 MB, the setting cnn\.run\.memoryBudgetMB\)$/);
    assert.match(budgetRefusal(network, 1536, "--memory-budget MB")!, /\(1536 MB, --memory-budget MB\)$/);
    assert.equal(budgetRefusal(network, 1e9), null);
    assert.match(allocationRefusal(network, 1e9, new RangeError("Array buffer allocation failed")), /^Big needs 279\.99 GB to run .*could allocate \(Array buffer allocation failed\); not run$/);
  });

  it("allocation failures are told apart from other errors", () => {
    let typed: unknown;
    try {
      new Float32Array(2 ** 40);
    } catch (e) {
      typed = e;
    }
    assert.equal(isAllocationFailure(typed), true);
    assert.equal(isAllocationFailure(new RangeError("Array buffer allocation failed")), true);
    assert.equal(isAllocationFailure(new RangeError("Maximum call stack size exceeded")), false);
    assert.equal(isAllocationFailure(new Error("weights.safetensors: no tensor conv1.weight")), false);
    assert.equal(isAllocationFailure("a string"), false);
  });
});
