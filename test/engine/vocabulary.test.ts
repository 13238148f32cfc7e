// The modern vocabulary in the engine: values worked out by hand for layerscale, slice,
// shuffle, droppath and `mul` (layernorm: test/engine/layernorm.test.ts), then small
// networks mixing them — planes of odd sizes, so the WebAssembly kernels' last lanes are
// exercised — on both executors against onnxruntime-node running the exported model.
// Bound: max |diff| ≤ 1e-4 · max(1, max |ref|), as the whole-network differential tests.

import * as assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import type { NetworkResult } from "../../analysis";
import type { Executor } from "../../engine/api";
import { FastExecutor } from "../../engine/fast/executor";
import { FastNetwork } from "../../engine/fast/network";
import { fromMap } from "../../engine/fast/sources";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { exportOnnx, INPUT_NAME, onnxDims, OUTPUT_NAME } from "../../engine/onnx/export";
import { ReferenceExecutor } from "../../engine/reference";
import { shuffleOrder } from "../../engine/ops/shuffle";
import { opOf } from "../../engine/ops";
import type { NodeOf } from "../../analysis";
import { train } from "../../engine/train/trainer";
import { trainEngines } from "../../engine/train/engines";
import { assertClose, f32, network, run } from "./nets";
import { ADAM, assertMatches, referenceSteps, SGD, seededDataset, startingWeights } from "./train/reference";

/** `input WxHxD data …` with channel c, position i holding `value(c, i)` */
function volume(w: number, h: number, d: number, value: (c: number, i: number) => number): string {
  const planes = Array.from({ length: d }, (_, c) => `[${Array.from({ length: h }, (_, y) => `[${Array.from({ length: w }, (_, x) => value(c, y * w + x)).join(",")}]`).join(",")}]`);
  return `input ${w}x${h}x${d} data [${planes.join(",")}]`;
}

describe("engine kernels: the modern vocabulary by hand", () => {
  it("slice 1 3 of 4 channels 2×1: the planes of channels 1 and 2", async () => {
    const out = await run(`${volume(2, 1, 4, (c, i) => 10 * c + i)}\nslice 1 3`);
    assert.deepEqual(out, [10, 11, 20, 21]);
  });

  it("shuffle 2 of 6 channels (torchvision channel_shuffle): 0, 3, 1, 4, 2, 5", async () => {
    const out = await run(`${volume(1, 1, 6, (c) => c)}\nshuffle 2`);
    assert.deepEqual(out, [0, 3, 1, 4, 2, 5]);
    assert.deepEqual(Array.from(shuffleOrder(6, 3)), [0, 2, 4, 1, 3, 5]);
  });

  it("layerscale: each channel times its γ (fresh: γ = init)", async () => {
    assertClose(await run(`${volume(2, 1, 2, (c, i) => c + i + 1)}\nlayerscale`), [1e-6, 2e-6, 2e-6, 3e-6]);
    assertClose(await run(`${volume(2, 1, 2, (c, i) => c + i + 1)}\nlayerscale init 3`), [3, 6, 6, 9]);
    assertClose(await run(`${volume(2, 1, 2, (c, i) => c + i + 1)}\nlayerscale`, [{ weight: f32([2, -1]) }]), [2, 4, -2, -3]);
  });

  it("droppath is the identity when running", async () => {
    assert.deepEqual(await run(`${volume(2, 1, 2, (c, i) => c - i)}\ndroppath 0.5`), [0, -1, 1, 0]);
  });

  it("mul: a 1×1×D gate multiplies every position of its channel; full-size branches multiply element-wise", async () => {
    // x = channel c, position i: c + 1 + i; the gate is the channels' mean (gap)
    const x = volume(2, 1, 2, (c, i) => c + 1 + i);
    // gap: channel 0 → 1.5, channel 1 → 2.5
    assertClose(await run(`${x}\nmul { branch { } branch { gap } }`), [1 * 1.5, 2 * 1.5, 2 * 2.5, 3 * 2.5]);
    assertClose(await run(`${x}\nmul { branch { gap } branch { } }`), [1.5, 3, 5, 7.5]);
    assertClose(await run(`${x}\nmul { branch { } branch { } branch { gap } }`), [1.5, 6, 10, 22.5]);
    assertClose(await run(`${x}\nmul { branch { } }`), [1, 2, 2, 3]);
  });
});

async function onnxOutput(net: NetworkResult, weights: ReturnType<typeof initWeights>, input: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(exportOnnx(net, weights), { graphOptimizationLevel: "disabled", intraOpNumThreads: 1 });
  try {
    const result = await session.run({ [INPUT_NAME]: new ort.Tensor("float32", input, onnxDims(net.graph[0].output)) });
    assert.deepEqual(result[OUTPUT_NAME].dims, onnxDims(net.output!));
    return result[OUTPUT_NAME].data as Float32Array;
  } finally {
    await session.release();
  }
}

const nets: [string, string][] = [
  ["squeeze-and-excitation on 7×5 (odd planes)", "input 7x5x6\nconv 8 3x3 pad 1\nmul { branch { } branch { gap; conv 2 1x1; relu; conv 8 1x1; hardsigmoid } }\nconv 4 1x1"],
  ["a ConvNeXt block on 9×9", "input 9x9x8\nresidual {\n  dwconv 7x7 pad 3\n  layernorm eps 1e-6\n  conv 32 1x1\n  gelu\n  conv 8 1x1\n  layerscale init 0.5\n  droppath 0.1\n}\nlayernorm"],
  ["a ShuffleNet unit on 5×3", "input 5x3x8\nconcat {\n  branch { slice 0 4 }\n  branch { slice 4 8; conv 4 1x1; relu; dwconv 3x3 pad 1; bn; conv 4 1x1; relu }\n}\nshuffle 2\nshuffle 4"],
  ["mul of three full-size branches and vectors", "input 3x3x4\nmul { branch { relu } branch { sigmoid } branch { tanh } }\nflatten\nfc 6\nmul { branch { } branch { sigmoid } }\nlayernorm\nslice 1 5\nshuffle 2\nlayerscale init 2"],
];

describe("engine vs onnxruntime-node: the modern vocabulary", function () {
  this.timeout(60_000);
  const executors: Executor[] = [new ReferenceExecutor(), new FastExecutor()];
  for (const [label, text] of nets)
    for (const executor of executors)
      it(`${label}, ${executor.name}`, async () => {
        const net = network(text);
        const weights = initWeights(net.graph, 5);
        // γ and β away from 1 and 0, so the layer norms' affine parts are tested too
        for (const node of net.graph)
          if (node.op === "layernorm") {
            const p = weights.get(node.id)!;
            p.weight = p.weight!.map((_, i) => 0.5 + 0.1 * i);
            p.bias = p.bias!.map((_, i) => 0.05 * i - 0.2);
          }
        const input = networkInput(net.graph[0], {}, 7).data;
        const ours = await executor.run(net.graph, weights, input);
        const ref = await onnxOutput(net, weights, input);
        assert.equal(ours.length, ref.length);
        let maxRef = 0;
        for (const r of ref) maxRef = Math.max(maxRef, Math.abs(r));
        const bound = 1e-4 * Math.max(1, maxRef);
        assert.ok(maxRef > 0, "the output is not all zeros");
        ref.forEach((r, i) => assert.ok(Math.abs(ours[i] - r) <= bound, `value ${i}: ${ours[i]}, onnxruntime ${r} (bound ${bound})`));
      });
});

describe("fast executor: the vocabulary runs on WebAssembly kernels", () => {
  it("mul, layernorm and layerscale are kernels of the library, slice and shuffle copies: none falls back to the reference", async () => {
    const net = network(nets[1][1].replace("input 9x9x8", "input 9x9x8\nmul { branch { } branch { gap } }\nslice 0 8\nshuffle 2"));
    const fast = await FastNetwork.prepare(net.graph, fromMap(initWeights(net.graph, 1)), { fuse: false });
    assert.ok(!fast.kernels.includes("reference"), fast.kernels.join(", "));
    for (const k of ["mul", "layernorm", "affine", "slice", "shuffle"]) assert.ok(fast.kernels.includes(k), `${k} in ${fast.kernels.join(", ")}`);
  });
});

describe("training: droppath drops whole samples (torchvision StochasticDepth, mode \"row\")", () => {
  it("each sample is dropped or scaled by 1/(1 − p), seeded by the step; the gradient uses the same factors", () => {
    const net = network("input 2x2x3\ndroppath 0.5");
    const node = net.graph[1] as NodeOf<"droppath">;
    const op = opOf(node);
    const batch = 64;
    const x = Float64Array.from({ length: 12 * batch }, (_, i) => 1 + (i % 7));
    const result = op.reference.trainForward!({ node, inputs: [x], params: {}, batch, seed: 3, step: 5, momentum: 0.1 });
    let dropped = 0;
    for (let b = 0; b < batch; b++) {
      const f = result.output[b * 12] / x[b * 12];
      assert.ok(f === 0 || f === 2, `sample ${b}: factor ${f}`);
      for (let i = 0; i < 12; i++) assert.equal(result.output[b * 12 + i], x[b * 12 + i] * f);
      if (f === 0) dropped++;
    }
    assert.ok(dropped > 16 && dropped < 48, `${dropped} of 64 samples dropped at p = 0.5`);
    const again = op.reference.trainForward!({ node, inputs: [x], params: {}, batch, seed: 3, step: 5, momentum: 0.1 });
    assert.deepEqual(again.output, result.output, "seed, step and node decide the factors");
    const other = op.reference.trainForward!({ node, inputs: [x], params: {}, batch, seed: 3, step: 6, momentum: 0.1 });
    assert.notDeepEqual(other.output, result.output, "another step, other factors");
    const dy = new Float64Array(x.length).fill(1);
    const back = op.reference.backward!({ node, inputs: [x], params: {}, batch, output: result.output, outputGrad: dy, saved: result.saved });
    for (let i = 0; i < x.length; i++) assert.equal(back.inputGrads[0]![i], result.output[i] / x[i]);
  });
});

describe("training: a network of the new kinds takes optimizer steps as the float64 reference does", () => {
  // every new kind on the path from input to loss; droppath drops whole samples (seed 0, per step)
  const text = `input 5x5x2
conv 4 3x3 pad 1
layernorm
mul { branch { } branch { gap; conv 4 1x1; sigmoid } }
residual { dwconv 3x3 pad 1; layerscale init 0.5; droppath 0.3 }
concat { branch { slice 0 2 } branch { slice 2 4; conv 2 1x1; relu } }
shuffle 2
gap
fc 3`;
  for (const engine of Object.keys(trainEngines))
    for (const [label, o, steps] of [["one SGD step (momentum 0.9, weight decay 0.01)", SGD, 1], ["three Adam steps (weight decay 0.001)", ADAM, 3]] as const)
      it(`${label}, ${engine} engine (bound 1e-4 · max(1, max |reference|) per tensor)`, async () => {
        const net = network(text);
        const data = seededDataset(net, 7, 3);
        const start = startingWeights(net, 11);
        const expected = referenceSteps(net, start, data, 3, steps, o);
        const result = await train({ network: net, weights: start, train: data, epochs: 0, steps, batch: 3, seed: 0, shuffle: false, optimizer: o, engine: trainEngines[engine] });
        assert.equal(result.steps, steps);
        assertMatches(net, result.weights, expected, label);
      });
});
