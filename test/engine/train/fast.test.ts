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
import { averageWindows } from "../../../engine/train/kernels/pool";
import { windowOf } from "../../../engine/train/attrs";
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
  // whole 2×2 windows, an odd row and column no window covers (avgpool2's case), 6 outputs a row: 4 at once and 2 more
  "input 13x9x2\navgpool 2",
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

describe("training: the fast engine's 2×2 average pooling gives the table walk's bits", () => {
  it("avgpool2 and avgpool2Back against avgpool and avgpoolBack, signed zeros too", async () => {
    const lib = await trainLibrary();
    const { heap, k } = lib;
    for (const [H, W] of [[28, 28], [10, 10], [5, 11], [2, 2]]) {
      const node = trainNet(`input ${W}x${H}x3\navgpool 2`).graph[1];
      const g = windowOf(node);
      assert.equal(g.inHeight, H);
      assert.equal(g.inWidth, W);
      const planes = 2 * 3;
      const ins = planes * H * W;
      const outs = planes * g.outHeight * g.outWidth;
      const mark = heap.size;
      const x = heap.store(Float32Array.from(seeded(ins, 4), (v, i) => (i % 5 === 0 ? -0 : v)));
      const dy = heap.store(Float32Array.from(seeded(outs, 5), (v, i) => (i % 3 === 0 ? -0 : v)));
      const table = heap.reserve(4 * 5 * g.outHeight * g.outWidth);
      new Int32Array(heap.memory.buffer, table, 5 * g.outHeight * g.outWidth).set(averageWindows(g));
      const [a, b, da, db] = [outs, outs, ins, ins].map((n) => heap.reserve(4 * n));
      k.avgpool(planes, H * W, g.outHeight * g.outWidth, W, table, x, a);
      k.avgpool2(planes, H, W, g.outHeight, g.outWidth, x, b);
      heap.f32(db, ins).fill(7);
      k.avgpoolBack(planes, H * W, g.outHeight * g.outWidth, W, table, dy, da);
      k.avgpool2Back(planes, H, W, g.outHeight, g.outWidth, dy, db);
      const bits = (at: number, n: number) => [...new Uint32Array(heap.memory.buffer, at, n)];
      assert.deepEqual(bits(b, outs), bits(a, outs), `${W}×${H} forward`);
      assert.deepEqual(bits(db, ins), bits(da, ins), `${W}×${H} backward`);
      heap.release(mark);
    }
  });
});

describe("training: a window as large as its input unrolls by transposing, with im2col's and col2im's bits", () => {
  it("LeNet-5's 5×5×16 → 120: transpose against im2col, transposeAdd against col2im, signed zeros too", async () => {
    const { heap, k } = await trainLibrary();
    const [B, C, H, W] = [7, 16, 5, 5];
    const R = C * H * W;
    const mark = heap.size;
    const x = heap.store(Float32Array.from(seeded(B * R, 6), (v, i) => (i % 4 === 0 ? -0 : v)));
    const dcol = heap.store(Float32Array.from(seeded(R * B, 7), (v, i) => (i % 3 === 0 ? -0 : v)));
    const [a, b, da, db] = [R * B, R * B, B * R, B * R].map((n) => heap.reserve(4 * n));
    for (let n = 0; n < B; n++) k.im2col(x + 4 * n * R, C, H, W, 1, 1, H, W, 1, 1, 1, 1, 0, 0, a + 4 * n, B);
    k.transpose(B, R, x, b);
    heap.f32(da, B * R).fill(0);
    heap.f32(db, B * R).fill(0);
    for (let n = 0; n < B; n++) k.col2im(dcol + 4 * n, B, C, H, W, 1, 1, H, W, 1, 1, 1, 1, 0, 0, da + 4 * n * R);
    k.transposeAdd(R, B, dcol, db);
    const bits = (at: number, n: number) => [...new Uint32Array(heap.memory.buffer, at, n)];
    assert.deepEqual(bits(b, R * B), bits(a, R * B), "im2col");
    assert.deepEqual(bits(db, B * R), bits(da, B * R), "col2im");
    heap.release(mark);
  });
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
