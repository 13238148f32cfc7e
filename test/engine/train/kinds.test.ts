// What training knows of a layer kind comes from the kind's op (engine/ops, issue 10: one
// module per kind): the memory estimate's extra values kept for the backward pass and its
// buffers, the first-layer filters the run view draws, bn's single-value refusal and the
// biases zeroed before a bn, which output is already probabilities. The numbers below are worked out by hand from the rules
// written in engine/train/memory.ts' header and the spec (§9), not from the code; and the
// training modules that consume them name no layer kind.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze, catalog } from "../../../analysis";
import type { NetworkWeights } from "../../../engine/api";
import { initWeights } from "../../../engine/init";
import { biasesBeforeNorm } from "../../../engine/train/backprop";
import { trainingMemory } from "../../../engine/train/memory";
import { optimizerSettings } from "../../../engine/train/optim";
import { firstFilters } from "../../../engine/train/session";

const ROOT = join(__dirname, "..", "..", "..", "..");

function net(text: string) {
  const n = analyze(text, "k.cnn").networks[0];
  assert.ok(n.complete, text);
  return n;
}

describe("training: kind knowledge from the op registry", () => {
  it("the memory estimate: outputs, what bn / maxpool / dropout keep besides, a conv's columns, bn's buffers", () => {
    const n = net("input 8x8x3\nconv 4 3x3 pad 1\nbn\nrelu\nmaxpool 2x2\ndropout 0.5\nfc 10\n");
    // params: conv 4·3·9 + 4 = 112, bn 2·4 = 8, fc 64·10 + 10 = 650 → 770; bn's running statistics 8 more
    assert.equal(n.params, 770n);
    // outputs: input 192, conv 256, bn 256, relu 256, maxpool 64, dropout 64, fc 10 = 1,098
    // besides: the conv's columns 3·3·3 per position × 64 = 1,728; bn 256, maxpool 64, dropout 64
    const m = trainingMemory(n, 2, optimizerSettings({ kind: "sgd", momentum: 0.9 }), 1000);
    assert.equal(m.weights, (770n + 8n) * 4n);
    assert.equal(m.gradients, 770n * 4n);
    assert.equal(m.optimizer, 770n * 4n);
    assert.equal(m.kept, (1098n + 1728n + 256n + 64n + 64n) * 2n * 4n);
    assert.equal(m.backward, 3n * 1098n * 2n * 4n);
    assert.equal(m.data, 4000n);
    assert.equal(m.total, m.weights + m.gradients + m.optimizer + m.kept + m.backward + m.data);
  });

  it("the memory estimate: a dwconv's columns, gmp's and lrn's kept values; avgpool and relu keep nothing besides", () => {
    const n = net("input 6x6x2\ndwconv 3x3\nlrn 3\navgpool 2x2\nrelu\ngmp\n");
    // dwconv 3x3 on 6×6×2: 4×4×2 (32), columns 2·9 per position × 16 = 288; lrn 32 (+32); avgpool 2×2×2 (8); relu 8; gmp 2 (+2)
    const m = trainingMemory(n, 1, optimizerSettings({ kind: "sgd", momentum: 0 }), 0);
    assert.equal(m.optimizer, 0n);
    assert.equal(m.kept, (72n + 32n + 32n + 8n + 8n + 2n + 288n + 32n + 2n) * 4n);
  });

  it("the first layer's filters: a conv's K × C × F_h × F_w", () => {
    const n = net("input 10x10x3\nconv 5 3x2\nrelu\nfc 4\n");
    const f = firstFilters(n, initWeights(n.graph, 1) as NetworkWeights);
    assert.ok(f);
    // `3x2`: 3 wide, 2 high
    assert.deepEqual([f.count, f.channels, f.height, f.width, f.values.length, f.nodeId], [5, 3, 2, 3, 5 * 3 * 2 * 3, 1]);
  });

  it("the first layer's filters: an fc's rows shaped as the picture it reads, through flatten and dropout", () => {
    for (const between of ["", "flatten\n", "flatten\ndropout 0.5\n"]) {
      const n = net(`input 7x5x2\n${between}fc 3\n`);
      const f = firstFilters(n, initWeights(n.graph, 1) as NetworkWeights);
      assert.ok(f, between);
      assert.deepEqual([f.count, f.channels, f.height, f.width, f.values.length], [3, 2, 5, 7, 3 * 70], between);
    }
  });

  it("no filters where the first weighted layer's weight is not pictures of the input", () => {
    for (const text of ["input 8x8x2\nmaxpool 2x2\nfc 3\n", "input 8x8x2\ndeconv 3 2x2\n", "input 8x8x2\nbn\nconv 3 3x3\n"]) {
      const n = net(text);
      assert.equal(firstFilters(n, initWeights(n.graph, 1) as NetworkWeights), null, text);
    }
  });

  it("biases zeroed before a training bn: a per-channel bias (conv, dwconv, deconv, fc), not local's per-position one", () => {
    const graphOf = (text: string) => net(text).graph;
    const zeroed = (text: string) => [...biasesBeforeNorm(graphOf(text))];
    assert.deepEqual(zeroed("input 6x6x2\nconv 4 3x3\nbn\n"), [1]);
    assert.deepEqual(zeroed("input 6x6x2\ndwconv 3x3\nbn\n"), [1]);
    assert.deepEqual(zeroed("input 6x6x2\ndeconv 4 2x2\nbn\n"), [1]);
    assert.deepEqual(zeroed("input 6x6x2\nfc 5\nbn\n"), [1]);
    assert.deepEqual(zeroed("input 6x6x2\nconv 4 3x3 nobias\nbn\n"), []);
    assert.deepEqual(zeroed("input 6x6x2\nconv 4 3x3\nrelu\nbn\n"), []);
    assert.deepEqual(zeroed("input 6x6x2\nlocal 4 3x3\nbn\n"), []);
  });

  it("the modules that use this knowledge name no layer kind", () => {
    const kinds = new Set<string>(catalog.map((k) => k.name));
    for (const file of ["engine/train/memory.ts", "engine/train/session.ts", "engine/train/trainer.ts", "engine/train/backprop.ts", "cli/run.ts", "webview/output.ts", "server/run.ts", "engine/train/attrs.ts", "engine/train/threaded.ts"]) {
      const source = readFileSync(join(ROOT, file), "utf8");
      // `op === "conv"`, `op !== "bn"`, `new Set(["conv", …])`, `case "fc":`
      const compared = [...source.matchAll(/\bop\s*[!=]==?\s*"([a-z0-9]+)"|new Set\(\[\s*"([a-z0-9]+)"|case "([a-z0-9]+)":/g)].map((m) => m[1] ?? m[2] ?? m[3]);
      assert.deepEqual(compared.filter((k) => kinds.has(k)), [], file);
    }
  });
});
