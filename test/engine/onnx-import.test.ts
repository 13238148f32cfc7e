// `cnn import` (spec §7): an ONNX model becomes a design and weights that compute what
// onnxruntime computes on the model. Round trip: each example is exported (cnn export's
// writer), imported, and the imported design must count the same params and MACs and
// give onnxruntime's output on the exported model to 1e-4·max(1, max |ref|). Models built
// here with onnx-proto as torch's TorchScript exporter writes them check the patterns it
// emits (node names `/layer1/layer1.0/conv1/Conv`, Gemm with transB, Flatten, Clip as
// relu6 with min/max inputs); an operator the language cannot express names the node.

import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { onnx } from "onnx-proto";
import { analyze, type NetworkResult } from "../../analysis";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { exportOnnx, onnxDims } from "../../engine/onnx/export";
import { importOnnx, labelFromNodeName } from "../../engine/onnx/import";
import { writeSafetensors } from "../../engine/safetensors";
import { readWeightsFile } from "../../engine/weights-file";
import { cnn, root, tempDir } from "./cli";

function only(text: string, file: string): NetworkResult {
  const a = analyze(text, file);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), []);
  return a.networks[0];
}

async function sameAsOnnxruntime(model: Uint8Array, design: string, tensors: Parameters<typeof writeSafetensors>[0]): Promise<void> {
  const net = only(design, "imported.cnn");
  const weights = readWeightsFile(writeSafetensors(tensors), net, initWeights(net.graph, 0));
  assert.equal(weights.byOrder, 0, "every imported layer is found by its label");
  const input = networkInput(net.graph[0], { sample: "noise" }, 7).data;
  const ours = await new ReferenceExecutor().run(net.graph, weights.weights, input);
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: "disabled", intraOpNumThreads: 1 });
  const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", input, onnxDims(net.graph[0].output)) };
  const ref = (await session.run(feeds))[session.outputNames[0]].data as Float32Array;
  assert.equal(ours.length, ref.length);
  let biggest = 1;
  for (const v of ref) biggest = Math.max(biggest, Math.abs(v));
  const bound = 1e-4 * biggest;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ours[i] - ref[i]));
  assert.ok(worst <= bound, `max |diff| ${worst} > ${bound}`);
}

describe("cnn import: ONNX to a design", function () {
  this.timeout(120_000);

  for (const example of ["lenet5", "inception", "densenet_block"]) {
    it(`round trip ${example}: export → import gives the same params, MACs and onnxruntime's output`, async () => {
      const net = only(readFileSync(join(root, `examples/${example}.cnn`), "utf8"), `${example}.cnn`);
      const model = exportOnnx(net, initWeights(net.graph, 3));
      const imported = importOnnx(model, example);
      const back = only(imported.text, `${example}.cnn`);
      assert.equal(back.params, net.params);
      assert.equal(back.macs, net.macs);
      assert.deepEqual(back.output, net.output);
      await sameAsOnnxruntime(model, imported.text, imported.tensors);
    });
  }

  it("labels come from torch's node names: /layer1/layer1.0/conv1/Conv → layer1.0.conv1", () => {
    assert.equal(labelFromNodeName("/layer1/layer1.0/conv1/Conv", "Conv"), "layer1.0.conv1");
    assert.equal(labelFromNodeName("/features/features.0/conv/conv.0/conv.0.0/Conv", "Conv"), "features.0.conv.0.0");
    assert.equal(labelFromNodeName("/fc/Gemm", "Gemm"), "fc");
    assert.equal(labelFromNodeName("Conv_12", "Conv"), "Conv_12");
    assert.equal(labelFromNodeName("conv1_Conv", "Conv"), "conv1");
  });

  /** a model as torch.onnx.export (TorchScript) writes one: names, Clip with min/max inputs, Flatten, Gemm transB */
  function torchStyle(withUnsupported = false): Uint8Array {
    const f32 = (name: string, dims: number[], seed: number) => ({ name, dims, dataType: 1, floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 13 + i) * 0.3) });
    const scalar = (name: string, v: number) => ({ name, dims: [], dataType: 1, floatData: [v] });
    const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
    const node = (opType: string, name: string, input: string[], output: string[], attribute: object[] = []) => ({ opType, name, input, output, attribute });
    const ints = (name: string, v: number[]) => ({ name, ints: v, type: 7 });
    const int = (name: string, v: number) => ({ name, i: v, type: 2 });
    const nodes = [
      node("Conv", "/features/features.0/features.0.0/Conv", ["input", "features.0.0.weight", "features.0.0.bias"], ["c0"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1]), ints("strides", [2, 2])]),
      node("Clip", "/features/features.0/features.0.2/Clip", ["c0", "min6", "max6"], ["r0"]),
      node("Conv", "/features/features.1/Conv", ["r0", "features.1.weight"], ["c1"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1]), int("group", 4)]),
      node("BatchNormalization", "/features/features.2/BatchNormalization", ["c1", "bn.w", "bn.b", "bn.m", "bn.v"], ["b1"]),
      node(withUnsupported ? "Erf" : "Relu", "/features/features.3/Relu", ["b1"], ["r1"]),
      node("GlobalAveragePool", "/avgpool/GlobalAveragePool", ["r1"], ["g"]),
      node("Flatten", "/Flatten", ["g"], ["f"], [int("axis", 1)]),
      node("Gemm", "/classifier/classifier.1/Gemm", ["f", "classifier.1.weight", "classifier.1.bias"], ["output"], [{ name: "alpha", f: 1, type: 1 }, { name: "beta", f: 1, type: 1 }, int("transB", 1)]),
    ];
    const initializer = [
      f32("features.0.0.weight", [4, 3, 3, 3], 1), f32("features.0.0.bias", [4], 2), scalar("min6", 0), scalar("max6", 6),
      f32("features.1.weight", [4, 1, 3, 3], 3), f32("bn.w", [4], 4), f32("bn.b", [4], 5), f32("bn.m", [4], 6), { ...f32("bn.v", [4], 7), floatData: [1, 1.5, 0.7, 2] },
      f32("classifier.1.weight", [5, 4], 8), f32("classifier.1.bias", [5], 9),
    ];
    const model = { irVersion: 8, producerName: "pytorch", producerVersion: "1.13", opsetImport: [{ domain: "", version: 17 }], graph: { name: "torch_jit", node: nodes, initializer, input: [vi("input", [1, 3, 16, 16])], output: [vi("output", [1, 5])] } };
    return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
  }

  it("a model as torch exports it: labels from node names, relu6 from Clip, depthwise from group, flatten and fc; onnxruntime's output", async () => {
    const model = torchStyle();
    const imported = importOnnx(model, "mobile");
    assert.match(imported.text, /features\.0\.0: conv 4 3 stride 2 pad 1/);
    assert.match(imported.text, /\n  relu6\n/);
    assert.match(imported.text, /features\.1: dwconv 3 pad 1 nobias/);
    assert.equal(importOnnx(model, "x").network, "x_net");
    assert.match(imported.text, /features\.2: bn/);
    assert.match(imported.text, /classifier\.1: fc 5/);
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
  });

  it("cnn import writes the design and its weights; an operator the language lacks names the node and writes nothing", () => {
    const dir = tempDir({ "m.onnx": torchStyle(), "bad.onnx": torchStyle(true) });
    const ok = cnn("import", join(dir, "m.onnx"));
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(existsSync(join(dir, "m.cnn")) && existsSync(join(dir, "m.safetensors")));
    const run = cnn("run", join(dir, "m.cnn"), "--weights", join(dir, "m.safetensors"));
    assert.equal(run.status, 0, run.stderr);
    const bad = cnn("import", join(dir, "bad.onnx"), "--out", join(dir, "bad.cnn"));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /node \/features\/features\.3\/Relu \(Erf\): the language has no layer for this operator; nothing was written/);
    assert.ok(!existsSync(join(dir, "bad.cnn")) && !existsSync(join(dir, "bad.safetensors")));
  });
});
