// The training forward pass against the run's: in eval mode (bn on its running
// statistics, dropout off) each training kernel computes, sample by sample, what the
// reference executor computes; bn in training mode updates its running statistics as
// PyTorch does; every layer kind of the catalog has a training kernel.

import * as assert from "node:assert/strict";
import { catalog } from "../../../analysis/layers";
import { initWeights } from "../../../engine/init";
import { runNode } from "../../../engine/reference";
import { sizeOf } from "../../../engine/tensor";
import { trainKernel } from "../../../engine/train/kernels";
import { bnKernel } from "../../../engine/train/kernels/norm";
import { network as trainNet } from "../nets";
import { seeded } from "./support";

const texts = [
  "input 7x6x4\nconv 6 3x2 stride 2x1 pad 1 dilation 2 groups 2",
  "input 5x6x3\nconv 3 4x4 pad same stride 2",
  "input 6x5x3\ndwconv 3x3 stride 2 pad 1 multiplier 2",
  "input 6x5x2\nlocal 3 3x3 stride 2 pad 1",
  "input 3x4x4\ndeconv 4 3x3 stride 2 pad 1 outpad 1 groups 2",
  "input 3x2x2\nfc 5",
  "input 6x7x2\nmaxpool 3x3 stride 2 pad 1 ceil",
  "input 6x6x2\navgpool 3 stride 2 pad 1 ceil",
  "input 7x5x2\nadaptiveavgpool 3x2\ngap",
  "input 4x3x3\ngmp",
  "input 3x3x3\nbn",
  "input 2x2x6\nlrn 4",
  "input 4x4x2\ndropout 0.3\nrelu\nrelu6\nleakyrelu 0.2\nelu 0.7\ngelu\nsilu\nsigmoid\ntanh\nhardswish\nhardsigmoid\nsoftmax",
  "input 3x2x2\nupsample 2\npad 1\nflatten",
  "input 3x3x2\nresidual { conv 2 3x3 pad 1 }\nconcat { branch { conv 3 1x1 } branch { } }",
];

describe("training: the forward pass in eval mode is the run's", () => {
  for (const text of texts) {
    it(text.split("\n").slice(1).join("; "), () => {
      const net = trainNet(text);
      const weights = initWeights(net.graph, 3);
      // random running statistics, so bn's eval mode is not the identity
      for (const node of net.graph) {
        const p = weights.get(node.id);
        if (node.op === "bn" && p) {
          p.runningMean = Float32Array.from(seeded(p.runningMean!.length, 4, -1, 1));
          p.runningVar = Float32Array.from(seeded(p.runningVar!.length, 5, 0.5, 2));
        }
      }
      const batch = 2;
      const outputs = new Map<number, Float32Array>();
      outputs.set(0, Float32Array.from(seeded(batch * sizeOf(net.graph[0].output), 9, -2, 2)));
      for (const node of net.graph.slice(1)) {
        const inputs = node.inputs.map((i) => outputs.get(i)!);
        const out = trainKernel(node.op)!.forward(node, inputs, weights.get(node.id), { batch, training: false, seed: 0, step: 0 }).output as Float32Array;
        for (let n = 0; n < batch; n++) {
          const sample = inputs.map((x) => x.subarray((n * x.length) / batch, ((n + 1) * x.length) / batch));
          const expected = runNode(node, sample, weights.get(node.id));
          const got = out.subarray(n * expected.length, (n + 1) * expected.length);
          for (let i = 0; i < expected.length; i++) {
            assert.ok(Math.abs(got[i] - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `${node.op} (node ${node.id}) sample ${n} value ${i}: ${got[i]} vs ${expected[i]}`);
          }
        }
        outputs.set(node.id, out);
      }
    });
  }

  it("every layer kind of the catalog has a training kernel, and so do add and concat", () => {
    const missing = [...catalog.map((k) => k.name), "add", "concat"].filter((op) => !trainKernel(op));
    assert.deepEqual(missing, []);
  });
});

describe("training: bn's running statistics (PyTorch BatchNorm, momentum 0.1)", () => {
  it("mean ← 0.9·mean + 0.1·μ, var ← 0.9·var + 0.1·(unbiased variance), over N·H·W", () => {
    const node = trainNet("input 2x3x2\nbn").graph[1];
    const batch = 3;
    const x = Float32Array.from(seeded(batch * 12, 21, -3, 5));
    const runningMean = Float32Array.of(0.5, -1);
    const runningVar = Float32Array.of(2, 0.25);
    const params = { weight: Float32Array.of(1, 1), bias: Float32Array.of(0, 0), runningMean: runningMean.slice(), runningVar: runningVar.slice() };
    bnKernel.forward(node, [x], params, { batch, training: true, seed: 0, step: 0 });
    for (let c = 0; c < 2; c++) {
      // the straightforward float64 definition: channel c of every sample, 6 values each
      const values: number[] = [];
      for (let n = 0; n < batch; n++) for (let i = 0; i < 6; i++) values.push(x[n * 12 + c * 6 + i]);
      const m = values.length;
      const mean = values.reduce((a, b) => a + b, 0) / m;
      const unbiased = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (m - 1);
      assert.ok(Math.abs(params.runningMean[c] - (0.9 * runningMean[c] + 0.1 * mean)) < 1e-6);
      assert.ok(Math.abs(params.runningVar[c] - (0.9 * runningVar[c] + 0.1 * unbiased)) < 1e-6);
    }
  });

  it("refuses one value per channel in training, as PyTorch does", () => {
    const node = trainNet("input 1x1x3\nflatten\nbn").graph[2];
    const p = { weight: new Float32Array(3).fill(1), bias: new Float32Array(3), runningMean: new Float32Array(3), runningVar: new Float32Array(3).fill(1) };
    assert.throws(() => bnKernel.forward(node, [new Float32Array(3)], p, { batch: 1, training: true, seed: 0, step: 0 }), /more than 1 value per channel/);
  });
});
