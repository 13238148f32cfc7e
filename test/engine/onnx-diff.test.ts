// Differential tests: whole networks on the reference executor against onnxruntime-node
// running the exported ONNX with the same weights and input.
// Bound: max |diff| ≤ 1e-4 · max(1, max |ref|), ref being onnxruntime's output.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { analyze, type NetworkResult } from "../../analysis";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { FastExecutor } from "../../engine/fast/executor";
import { nodeThreads } from "../../engine/fast/threads/node";
import { enableRelaxedSimd } from "../../engine/wasm/relaxed-node";
import type { Executor } from "../../engine/api";
import { exportOnnx, onnxDims, INPUT_NAME, OUTPUT_NAME } from "../../engine/onnx/export";
import { network } from "./nets";

const root = join(__dirname, "..", "..", "..");

function example(file: string, name?: string): NetworkResult {
  const analysis = analyze(readFileSync(join(root, "examples", file), "utf8"), file);
  const net = name ? analysis.networks.find((n) => n.name === name)! : analysis.networks[0];
  assert.ok(net?.complete, `${file} must analyze completely`);
  return net;
}

export interface Difference {
  maxDiff: number;
  maxRef: number;
}

export async function compareWithOnnxRuntime(net: NetworkResult, seed: number, sample?: string, executor: Executor = new ReferenceExecutor()): Promise<Difference> {
  const weights = initWeights(net.graph, seed);
  const input = networkInput(net.graph[0], sample ? { sample } : {}, seed).data;
  const ours = await executor.run(net.graph, weights, input);
  const session = await ort.InferenceSession.create(exportOnnx(net, weights), { graphOptimizationLevel: "disabled", intraOpNumThreads: 1 });
  try {
    const result = await session.run({ [INPUT_NAME]: new ort.Tensor("float32", input, onnxDims(net.graph[0].output)) });
    const ref = result[OUTPUT_NAME].data as Float32Array;
    assert.deepEqual(result[OUTPUT_NAME].dims, onnxDims(net.output!));
    assert.equal(ours.length, ref.length);
    let maxDiff = 0;
    let maxRef = 0;
    for (let i = 0; i < ref.length; i++) {
      assert.ok(Number.isFinite(ref[i]) && Number.isFinite(ours[i]), `value ${i} is not finite: ${ours[i]} vs ${ref[i]}`);
      maxDiff = Math.max(maxDiff, Math.abs(ours[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    return { maxDiff, maxRef };
  } finally {
    await session.release();
  }
}

function within(d: Difference, label: string): void {
  const bound = 1e-4 * Math.max(1, d.maxRef);
  console.log(`      ${label}: max |diff| ${d.maxDiff.toExponential(2)}, max |ref| ${d.maxRef.toPrecision(4)}, bound ${bound.toExponential(2)}`);
  assert.ok(d.maxDiff <= bound, `${label}: max |diff| ${d.maxDiff} > ${bound}`);
  // a diff of exactly zero everywhere on a big net would mean we compared a thing with itself
  assert.ok(d.maxRef > 0, "the output is not all zeros");
}

// every executor meets the same bound: the reference kernels and the WebAssembly ones, on (cut fine, so that even the small layer cases split)
// one thread and on two (cut fine, so that even the small layer cases split), with relaxed
// SIMD (what `cnn` runs: engine/wasm/relaxed-node.ts) and without
enableRelaxedSimd();
const executorsUnderTest: Executor[] = [
  new ReferenceExecutor(),
  new FastExecutor({ relaxed: false }),
  new FastExecutor(),
  new FastExecutor({ threads: 2, host: nodeThreads, grain: 1 << 12 }),
];
const nameOf = (e: Executor) => {
  if (!(e instanceof FastExecutor)) return e.name;
  return `${e.name}${e.relaxed ? " (relaxed)" : " (plain)"}${e.threads > 1 ? ` on ${e.threads} threads` : ""}`;
};

describe("engine vs onnxruntime-node: whole networks", function () {
  this.timeout(180_000);
  const nets: [string, string, string | undefined][] = [
    ["LeNet-5", "lenet5.cnn", undefined],
    ["AlexNet", "alexnet.cnn", undefined],
    ["ResNet-18", "resnet18.cnn", undefined],
    ["MobileNetV2", "mobilenetv2.cnn", undefined],
    ["U-Net (deconv)", "unet_small.cnn", undefined],
    ["Inception module (3a)", "inception.cnn", undefined],
    // the modern vocabulary (issue 13): mul broadcast, slice and shuffle, layernorm, layer scale
    ["EfficientNet-B0", "efficientnet_b0.cnn", undefined],
    ["MobileNetV3-Large", "mobilenetv3_large.cnn", undefined],
    ["MobileNetV3-Small", "mobilenetv3_small.cnn", undefined],
    ["ShuffleNetV2 x1.0", "shufflenetv2.cnn", undefined],
    ["ConvNeXt-Tiny", "convnext_tiny.cnn", undefined],
    ["RegNetY-400MF", "regnety_400mf.cnn", undefined],
  ];
  for (const executor of executorsUnderTest)
    for (const [label, file, name] of nets) {
      it(`${label} (${file}), ${nameOf(executor)}`, async () => within(await compareWithOnnxRuntime(example(file, name), 1, undefined, executor), label));
    }
});

describe("engine vs onnxruntime-node: every layer kind", function () {
  this.timeout(60_000);
  const cases: [string, string][] = [
    ["conv stride 2×1, pad 2×1, dilation 2, non-square 5×3 filter", "input 17x13x3\nconv 4 5x3 stride 2x1 pad 2x1 dilation 2 floor"],
    ["conv groups 2, pad same with an even filter", "input 12x10x4\nconv 6 4x4 groups 2 pad same"],
    ["dwconv multiplier 2 stride 2 nobias", "input 11x11x3\ndwconv 3x3 multiplier 2 stride 2 pad 1 nobias"],
    ["locally connected 3×2 stride 2", "input 9x8x2\nlocal 3 3x2 stride 2 floor"],
    ["deconv stride 2 pad 1 outpad 1 groups 2 dilation 2", "input 5x4x4\ndeconv 6 3x3 stride 2 pad 1 outpad 1 groups 2 dilation 2"],
    ["deconv non-square 4×2 stride 3×2", "input 4x5x2\ndeconv 3 4x2 stride 3x2"],
    ["deconv pad same: 4×4 stride 2, 3×3 stride 2 (uneven crop), 1×1 stride 2 (F < S)", "input 5x4x3\ndeconv 4 4x4 stride 2 pad same\ndeconv 3 3x3 stride 2 pad same\ndeconv 2 1x1 stride 2 pad same"],
    ["maxpool ceil with padding and dilation", "input 10x9x2\nmaxpool 3x3 stride 2 pad 1 dilation 2 ceil"],
    ["avgpool counting padding, floor", "input 10x9x2\navgpool 3x3 stride 2 pad 1 floor"],
    ["avgpool ceil with padding", "input 10x10x2\navgpool 3x3 stride 2 pad 1 ceil"],
    ["avgpool ceil without padding", "input 7x7x2\navgpool 2x2 ceil"],
    ["ceil pools drop a window that would start in the right padding (x=3 f=2 s=2 p=1)", "input 3x3x2\nconcat {\n  branch { maxpool 2x2 pad 1 ceil }\n  branch { avgpool 2x2 pad 1 ceil }\n}"],
    ["gap, gmp", "input 6x5x3\nconcat {\n  branch { gap }\n  branch { gmp }\n}"],
    ["adaptiveavgpool uneven 7×5 → 3×2", "input 7x5x3\nadaptiveavgpool 3x2"],
    ["adaptiveavgpool even 8×8 → 4×2", "input 8x8x3\nadaptiveavgpool 4x2"],
    ["fc on a volume, nobias, then bn on a vector", "input 4x3x2\nfc 7 nobias\nbn\nfc 3"],
    ["bn eps 1e-3, lrn 5 (odd), lrn 4 (even)", "input 6x6x7\nconv 7 1x1\nbn eps 0.001\nlrn 5\nlrn 4"],
    ["every activation", "input 8x8x2\nconv 4 3x3 pad 1\nrelu6\nconv 4 1x1\nleakyrelu 0.1\nconv 4 1x1\nelu 0.7\nconv 4 1x1\ngelu\nconv 4 1x1\nsilu\nconv 4 1x1\nhardswish\nconv 4 1x1\nhardsigmoid\nconv 4 1x1\ntanh\nconv 4 1x1\nsigmoid\ndropout 0.3\nsoftmax"],
    ["upsample 3, pad 2", "input 4x3x2\nupsample 3\npad 2"],
    ["residual with projection, add of three, concat of vectors", "input 8x8x3\nresidual {\n  conv 6 3x3 stride 2 pad 1 floor\n  relu\n} shortcut {\n  conv 6 1x1 stride 2 floor\n}\nadd {\n  branch { relu }\n  branch { }\n  branch { conv 6 1x1 }\n}\nflatten\nconcat {\n  branch { fc 5 }\n  branch { fc 3\n    softmax }\n}"],
    // the modern vocabulary (issue 13), one kind at a time
    ["layernorm over the channels (eps 1e-6), and over a vector", "input 5x3x6\nconv 6 1x1\nlayernorm eps 0.000001\nflatten\nfc 7\nlayernorm"],
    ["layerscale on a volume and on a vector", "input 5x3x4\nlayerscale init 0.5\nflatten\nlayerscale init 2"],
    ["slice 1 4 of 6 channels, and of a vector", "input 5x3x6\nslice 1 4\nflatten\nslice 2 40"],
    ["shuffle 3 of 6 channels, then shuffle 2", "input 5x3x6\nshuffle 3\nshuffle 2"],
    ["droppath (the identity when running)", "input 5x3x4\nconv 4 3x3 pad 1\ndroppath 0.2"],
    ["mul: a 1×1×D gate over 7×5, full-size branches, vectors", "input 7x5x4\nmul { branch { } branch { gap; conv 4 1x1; sigmoid } }\nmul { branch { relu } branch { conv 4 1x1 } branch { } }\nflatten\nfc 6\nmul { branch { } branch { sigmoid } }"],
  ];
  for (const executor of executorsUnderTest)
    for (const [label, text] of cases) {
      it(`${label}, ${nameOf(executor)}`, async () => within(await compareWithOnnxRuntime(network(text), 3, "noise", executor), label));
    }
});
