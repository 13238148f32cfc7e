// An average pool right after a convolution is folded into it (engine/fast/steps/context.ts
// foldPool, planned in engine/fast/plan.ts): one convolution of the pooled size whose filter
// is the pool window's mean of shifted copies of the convolution's. Checked here: which
// pools fold (and which must not), that the folded filter computes conv-then-pool (on the
// reference kernels, so the fold itself is tested apart from the WebAssembly), and that
// the fast executor's folded steps give the reference's outputs.

import * as assert from "node:assert/strict";
import { planSteps } from "../../engine/fast/plan";
import { foldPool, poolFolds } from "../../engine/fast/steps/context";
import { FastExecutor } from "../../engine/fast/executor";
import { FastNetwork } from "../../engine/fast/network";
import { fromMap } from "../../engine/fast/sources";
import { windowGeometry, type WindowGeometry, type WindowNode } from "../../engine/geometry";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { conv2d } from "../../engine/ops/conv";
import { avgpool } from "../../engine/ops/pool";
import { fillUniform } from "../../engine/random";
import { network } from "./nets";

const steps = (text: string) => planSteps(network(text).graph, true).map((s) => s.covers.map((n) => n.op).join("+"));

describe("fast executor: an average pool folded into the convolution before it", () => {
  it("folds where the folded filter is smaller than filter × window, and only there", () => {
    assert.deepEqual(steps("input 32x32x1\nconv 6 5x5\navgpool 2x2\nsigmoid"), ["input", "conv+avgpool", "sigmoid"]);
    // bn before or after the pool folds too; the activation after it stays the step's epilogue
    assert.deepEqual(steps("input 19x17x3\nconv 5 3x3 stride 2 pad 1 floor\nbn\navgpool 3x3 stride 2 floor\nrelu"), ["input", "conv+bn+avgpool+relu"]);
    assert.deepEqual(steps("input 12x12x3\nconv 5 3x3\navgpool 2x2\nbn\nrelu6"), ["input", "conv+avgpool+bn+relu6"]);
    // not: a 1×1 (4 taps either way), a pool after the activation, a padded pool, a ceil
    // window past the conv's edge, a dilated conv, a depthwise one, Winograd's 3×3, max pooling,
    // a conv output read by another layer too
    assert.deepEqual(steps("input 8x8x4\nconv 6 1x1\navgpool 2x2"), ["input", "conv", "avgpool"]);
    assert.deepEqual(steps("input 8x8x4\nconv 6 3x3\nrelu\navgpool 2x2"), ["input", "conv+relu", "avgpool"]);
    assert.deepEqual(steps("input 8x8x4\nconv 6 3x3\navgpool 2x2 pad 1"), ["input", "conv", "avgpool"]);
    assert.deepEqual(steps("input 8x8x4\nconv 6 2x2\navgpool 2x2 ceil"), ["input", "conv", "avgpool"]);
    assert.deepEqual(steps("input 12x12x4\nconv 6 3x3 dilation 2\navgpool 2x2"), ["input", "conv", "avgpool"]);
    assert.deepEqual(steps("input 8x8x4\ndwconv 3x3 pad 1\navgpool 2x2"), ["input", "dwconv", "avgpool"]);
    assert.deepEqual(steps("input 8x8x16\nconv 16 3x3 pad 1\navgpool 2x2"), ["input", "conv", "avgpool"]);
    assert.deepEqual(steps("input 8x8x4\nconv 6 3x3\nmaxpool 2x2"), ["input", "conv", "maxpool"]);
    assert.deepEqual(steps("input 8x8x4\nconv 4 3x3 pad 1\nresidual {\n  avgpool 2x2\n  upsample 2\n}"), ["input", "conv", "avgpool", "upsample", "add"]);
  });

  it("an even conv output under ceil mode has no partial window and folds; an odd one does not", () => {
    // conv 2×2 on 9×9: 8×8, pooled 2×2 ceil → 4×4 whole windows; on 8×8: 7×7 → a partial 4th
    assert.deepEqual(steps("input 9x9x2\nconv 3 2x2\navgpool 2x2 ceil"), ["input", "conv+avgpool"]);
    assert.deepEqual(steps("input 8x8x2\nconv 3 2x2\navgpool 2x2 ceil"), ["input", "conv", "avgpool"]);
  });

  for (const [label, text] of [
    ["5×5 then 2×2 (LeNet)", "input 14x14x6\nconv 16 5x5\navgpool 2x2"],
    ["3×2 stride 2×1 padded, then 3×3 stride 2", "input 15x13x3\nconv 4 3x2 stride 1x2 pad 1 floor\navgpool 3x3 stride 2 floor"],
    ["grouped, pool 2×3 stride 1×2 (overlapping rows)", "input 11x9x4\nconv 6 3x3 groups 2 nobias\navgpool 2x3 stride 1x2 floor"],
  ])
    it(`the folded filter on the reference kernel computes conv then pool: ${label}`, () => {
      const net = network(text);
      const [conv, pool] = [net.graph[1], net.graph[2]] as unknown as [WindowNode & { attrs: { groups: number } }, WindowNode];
      const g = windowGeometry(conv, conv.attrs.groups);
      const pg = windowGeometry(pool);
      assert.ok(poolFolds(g, pg));
      const w = new Float32Array((g.outChannels * g.inChannels * g.kernelHeight * g.kernelWidth) / g.groups);
      fillUniform(w, 7, 1, 1);
      const bias = new Float32Array(g.outChannels);
      fillUniform(bias, 8, 1, 1);
      const x = new Float32Array(g.inChannels * g.inHeight * g.inWidth);
      fillUniform(x, 9, 1, 1);
      const expected = avgpool(conv2d(x, w, bias, g), pg);
      const folded: { g: WindowGeometry; w: Float64Array } = foldPool(g, pg, w);
      assert.equal(folded.g.outHeight, pg.outHeight);
      assert.equal(folded.g.outWidth, pg.outWidth);
      const got = conv2d(Float64Array.from(x), folded.w, Float64Array.from(bias), folded.g);
      assert.equal(got.length, expected.length);
      expected.forEach((e, i) => assert.ok(Math.abs(got[i] - e) <= 1e-5 * Math.max(1, Math.abs(e)), `output ${i}: ${got[i]} folded, ${e} conv then pool`));
    });

  it("LeNet-5 runs two folded steps and gives the reference's outputs, on one thread and traced", async () => {
    const net = network(
      "input 32x32x1\nconv 6 5x5\navgpool 2x2\nsigmoid\nconv 16 5x5\navgpool 2x2\nsigmoid\nconv 120 5x5\nfc 84\nsigmoid\nfc 10\nsoftmax",
    );
    const weights = initWeights(net.graph, 3);
    const prepared = await FastNetwork.prepare(net.graph, fromMap(weights));
    assert.deepEqual(prepared.kernels, ["gemm", "activation", "gemm", "activation", "fc", "fc", "activation", "fc", "softmax"]);
    for (const seed of [1, 2, 3]) {
      const input = networkInput(net.graph[0], { sample: "noise" }, seed).data;
      const ref = await new ReferenceExecutor().run(net.graph, weights, input);
      const fast = await prepared.run(input);
      ref.forEach((r, i) => assert.ok(Math.abs(fast[i] - r) <= 1e-6, `seed ${seed}, output ${i}: ${fast[i]}, the reference ${r}`));
      // traced: nothing fused, the pool's own output shown
      const ops: string[] = [];
      await new FastExecutor().run(net.graph, weights, input, { onLayer: (t) => ops.push(t.node.op) });
      assert.deepEqual(ops, net.graph.map((n) => n.op));
    }
  });
});
