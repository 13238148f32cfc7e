// The fast training engine's WebAssembly kernels against the reference training kernels,
// forward and backward (input, weight and bias gradients), on a batch of 3, for
// convolutions of every geometry, fc, relu, sigmoid (its exponential over the whole range), max pooling (padding, ceil mode,
// dilation, ties and NaN) and average pooling (padding counted, ceil mode). Bound: 1e-5·max(1, max |reference|).

import * as assert from "node:assert/strict";
import type { GraphNode } from "../../../analysis/types";
import { paramShapes } from "../../../engine/init";
import { sizeOf } from "../../../engine/tensor";
import { FastEngine, fastAvgpool, fastConv, fastFc, fastMaxpool, fastRelu, fastSigmoid, trainLibrary, type FastKernel } from "../../../engine/train/fast/engine";
import { initWeights } from "../../../engine/init";
import { ops } from "../../../engine/ops";
import { optimizerSettings } from "../../../engine/train/optim";
import type { TrainParams } from "../../../engine/train/float";
import { trainKernel } from "../../../engine/train/kernels";
import { network as trainNet } from "../nets";
import { seeded } from "./support";

const cases = [
  "input 7x6x4\nconv 6 3x2 stride 2x1 pad 1 dilation 2 groups 2",
  "input 9x9x3\nconv 5 3x3 pad 1",
  "input 10x8x2\nconv 3 5x5 stride 2 pad 2",
  "input 5x6x3\nconv 3 4x4 pad same stride 2",
  "input 12x11x1\nconv 9 5x5",
  // LeNet's first layer: at batch 3, 2,352 columns, so dW's dot products run in two chunks
  "input 28x28x1\nconv 6 5x5 pad 2",
  "input 6x5x3\ndwconv 3x3 stride 2 pad 1 multiplier 2",
  "input 7x7x2\ndwconv 3x3 dilation 2 pad 1 nobias",
  // LeNet-5's 400→120 layer: 3 columns a batch, so dW is col transposed, then a product of rows
  "input 5x5x16\nconv 120 5x5",
  // 588 columns at batch 3: past SHORT_DOTS, dot products again
  "input 14x14x2\nconv 4 3x3 pad 1",
  "input 4x3x5\nconv 7 1x1 nobias",
  "input 3x2x2\nfc 5",
  "input 3x2x2\nflatten\nfc 13 nobias",
  "input 5x3x7\nrelu",
  "input 8x8x3\nmaxpool 2",
  "input 12x10x3\nmaxpool 2",
  "input 9x9x2\nmaxpool 2 stride 1",
  "input 7x7x2\nmaxpool 3 stride 2 pad 1",
  "input 8x7x2\nmaxpool 3 stride 2 ceil",
  "input 9x9x2\nmaxpool 2 stride 2 dilation 2 floor",
  "input 6x5x3\nsigmoid",
  "input 8x8x3\navgpool 2",
  "input 7x7x2\navgpool 3 stride 2 pad 1",
  "input 8x7x2\navgpool 3 stride 2 ceil",
];

const kernels: Record<string, (lib: Awaited<ReturnType<typeof trainLibrary>>, batch: number) => FastKernel> = { fc: fastFc, conv: fastConv, dwconv: fastConv, relu: fastRelu, maxpool: fastMaxpool, avgpool: fastAvgpool, sigmoid: fastSigmoid };

/** within the bound, and NaN exactly where the reference has NaN */
function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let max = 0;
  for (let i = 0; i < want.length; i++) if (!Number.isNaN(want[i])) max = Math.max(max, Math.abs(want[i]));
  const bound = 1e-5 * Math.max(1, max);
  for (let i = 0; i < want.length; i++) {
    const same = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= bound;
    assert.ok(same, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

describe("training: the fast engine's WebAssembly kernels against the reference ones", () => {
  for (const text of cases) {
    it(text.split("\n").slice(1).join("; "), async () => {
      const lib = await trainLibrary();
      const net = trainNet(text);
      const node = net.graph[net.graph.length - 1] as GraphNode;
      const batch = 3;
      const fast = kernels[node.op](lib, batch);
      const ref = trainKernel(node.op)!;
      const ctx = { batch, training: true, seed: 0, step: 0 };
      const x = Float32Array.from(seeded(batch * sizeOf(net.graph[node.inputs[0]].output), 1));
      if (node.op === "maxpool" || node.op === "relu") {
        // ties (the first in scan order wins), exact zeros and a NaN, which every window holding it passes on
        for (let i = 0; i < x.length; i += 7) x[i] = x[i + 1] ?? 0;
        for (let i = 3; i < x.length; i += 11) x[i] = 0;
        x[5] = NaN;
      }
      if (node.op === "sigmoid") {
        // the exponential's ends: saturation both ways, the clamp's edges, and a NaN
        [100, -100, 30, -30, 88.5, -87.5, NaN, 1e-8, -0].forEach((v, i) => (x[i] = v));
        for (let i = 9; i < x.length; i++) x[i] *= 12; // −12 … 12: every part of the curve
      }
      const params: TrainParams = {};
      paramShapes(node).forEach((s, k) => (params[s.name] = Float32Array.from(seeded(s.dims.reduce((a, b) => a * b, 1), 2 + k))));
      const f1 = fast.forward(node, [x], params, ctx);
      const f0 = ref.forward(node, [x], params, ctx);
      close(f1.output, f0.output, "output");
      const dy = Float32Array.from(seeded(f0.output.length, 9));
      const g1 = fast.backward(node, dy, [x], f1, params, ctx, [true]);
      const g0 = ref.backward(node, dy, [x], f0, params, ctx, [true]);
      close(g1.inputs[0]!, g0.inputs[0]!, "dx");
      if (!g0.params) return assert.equal(g1.params, undefined);
      close(g1.params!.weight!, g0.params.weight!, "dW");
      if (g0.params.bias) close(g1.params!.bias!, g0.params.bias, "db");
      else assert.equal(g1.params!.bias, undefined);
    });
  }
});

describe("training: the fast engine takes each kind's kernel from its op module (engine/ops fast.backward)", () => {
  it("conv, dwconv, fc, relu, sigmoid, maxpool and avgpool train on WebAssembly kernels; bn on the reference one", async () => {
    const net = trainNet("input 12x12x2\nconv 4 3x3 pad 1\nrelu\ndwconv 3x3 pad 1\nsigmoid\nmaxpool 2\navgpool 2\nbn\nfc 3");
    const engine = await FastEngine.create({ network: net, weights: initWeights(net.graph, 1), optimizer: optimizerSettings({}), seed: 0, batch: 2 });
    const kernelOf = (engine as unknown as { kernelOf: (op: string) => FastKernel | undefined }).kernelOf;
    for (const op of ["conv", "dwconv", "fc", "relu", "sigmoid", "maxpool", "avgpool"]) {
      assert.equal(typeof kernelOf(op)?.plan, "function", `${op}: the engine's own kernel`);
      const fast = ops[op as keyof typeof ops].fast;
      assert.ok(fast && "compile" in fast && fast.backward, `${op}: its op module has fast.backward`);
    }
    assert.equal(kernelOf("bn"), trainKernel("bn"));
  });
});
