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
import { modulePathOf } from "../../analysis/paths";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { exportOnnx, onnxDims } from "../../engine/onnx/export";
import { importOnnx, labelFromNodeName, labelFromTensorName, nearestIsRepeat } from "../../engine/onnx/import";
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

  it("cnn import's count of layer statements is the written file's, merges and block uses included", () => {
    // counted as a reader counts the file's lines: every statement line but the input,
    // a definition's header, a branch or shortcut marker and a closing brace
    const statementLines = (text: string) =>
      text.split("\n").map((l) => l.replace(/#.*/, "").trim()).filter((l) => l && !/^(input\b|network\b|block\b|branch\s*\{|\}\s*shortcut\s*\{|\})/.test(l)).length;
    for (const example of ["inception", "resnet18", "densenet_block"]) {
      const net = only(readFileSync(join(root, `examples/${example}.cnn`), "utf8"), `${example}.cnn`);
      const dir = tempDir({ "m.onnx": exportOnnx(net, initWeights(net.graph, 3)) });
      const r = cnn("import", join(dir, "m.onnx"));
      assert.equal(r.status, 0, r.stderr);
      const said = /\((\d+) layer statements\)/.exec(r.stderr);
      assert.ok(said, r.stderr);
      const written = readFileSync(join(dir, "m.cnn"), "utf8");
      assert.match(written, /^\s*(residual|concat|add) \{/m, `${example}: the import has merges`);
      assert.equal(Number(said[1]), statementLines(written), `${example}:\n${written}`);
    }
  });

  // ONNX models written as the exporters write them, from a list of nodes and initializers
  const f32 = (name: string, dims: number[], seed: number, offset = 0) => ({ name, dims, dataType: 1, floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => offset + Math.sin(seed * 13 + i * 0.7) * 0.3) });
  const i64 = (name: string, values: number[]) => ({ name, dims: [values.length], dataType: 7, int64Data: values });
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const node = (opType: string, name: string, input: string[], output: string[], attribute: object[] = []) => ({ opType, name, input, output, attribute });
  const ints = (name: string, v: number[]) => ({ name, ints: v, type: 7 });
  const int = (name: string, v: number) => ({ name, i: v, type: 2 });
  const text = (name: string, v: string) => ({ name, s: new TextEncoder().encode(v), type: 3 });
  const bnInits = (p: string, c: number, seed: number) => [f32(`${p}.weight`, [c], seed, 1), f32(`${p}.bias`, [c], seed + 1), f32(`${p}.running_mean`, [c], seed + 2), f32(`${p}.running_var`, [c], seed + 3, 1)];
  const bn = (p: string, x: string, y: string, names = p) => node("BatchNormalization", `/${names.replace(/\./g, "/")}/BatchNormalization`, [x, `${p}.weight`, `${p}.bias`, `${p}.running_mean`, `${p}.running_var`], [y]);
  function modelOf(nodes: object[], initializer: object[], input: number[], output: number[], extra: object = {}): Uint8Array {
    const model = { irVersion: 8, producerName: "pytorch", producerVersion: "1.13.0", opsetImport: [{ domain: "", version: 17 }], graph: { name: "torch_jit", node: nodes, initializer, input: [vi("input", input)], output: [vi("output", output)] }, ...extra };
    return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
  }

  it("DenseNet as torch exports it: each layer's torch.cat of all before it becomes a chain of concat { branch { } branch { … } }", async () => {
    // features: conv0 → a dense block of 3 layers (growth 4) → transition (bn relu conv, Pad of zeros, AveragePool)
    const layer = (i: number, x: string, cIn: number) => {
      const p = `features.denseblock1.denselayer${i}`;
      return {
        nodes: [bn(`${p}.norm1`, x, `${p}.b1`), node("Relu", `/${p}/relu1/Relu`, [`${p}.b1`], [`${p}.r1`]), node("Conv", `/${p}/conv1/Conv`, [`${p}.r1`, `${p}.conv1.weight`], [`${p}.out`], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])])],
        inits: [...bnInits(`${p}.norm1`, cIn, i * 10), f32(`${p}.conv1.weight`, [4, cIn, 3, 3], i * 10 + 5)],
      };
    };
    const l1 = layer(1, "cat1", 6), l2 = layer(2, "cat2", 10), l3 = layer(3, "cat3", 14);
    const nodes = [
      node("Conv", "/features/conv0/Conv", ["input", "features.conv0.weight"], ["x0"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])]),
      node("Concat", "/features/denseblock1/denselayer1/Concat", ["x0"], ["cat1"], [int("axis", 1)]),
      ...l1.nodes,
      node("Concat", "/features/denseblock1/denselayer2/Concat", ["x0", "features.denseblock1.denselayer1.out"], ["cat2"], [int("axis", 1)]),
      ...l2.nodes,
      node("Concat", "/features/denseblock1/denselayer3/Concat", ["x0", "features.denseblock1.denselayer1.out", "features.denseblock1.denselayer2.out"], ["cat3"], [int("axis", 1)]),
      ...l3.nodes,
      node("Concat", "/features/denseblock1/Concat", ["x0", "features.denseblock1.denselayer1.out", "features.denseblock1.denselayer2.out", "features.denseblock1.denselayer3.out"], ["block"], [int("axis", 1)]),
      bn("features.transition1.norm", "block", "t1"),
      node("Relu", "/features/transition1/relu/Relu", ["t1"], ["t2"]),
      node("Conv", "/features/transition1/conv/Conv", ["t2", "features.transition1.conv.weight"], ["t3"], [ints("kernel_shape", [1, 1])]),
      node("Pad", "/features/transition1/pool/Pad", ["t3", "pads0"], ["t4"], [text("mode", "constant")]),
      node("AveragePool", "/features/transition1/pool/AveragePool", ["t4"], ["output"], [ints("kernel_shape", [2, 2]), ints("strides", [2, 2])]),
    ];
    const inits = [f32("features.conv0.weight", [6, 3, 3, 3], 1), ...l1.inits, ...l2.inits, ...l3.inits, ...bnInits("features.transition1.norm", 18, 50), f32("features.transition1.conv.weight", [9, 18, 1, 1], 60), i64("pads0", [0, 0, 0, 0, 0, 0, 0, 0])];
    const model = modelOf(nodes, inits, [1, 3, 8, 8], [1, 9, 4, 4]);
    const imported = importOnnx(model, "dense");
    // three concats, each of the one before and one new layer's output; the Pad of zeros writes nothing
    // the three dense layers are one block (its body the concat of the input and the new features), used three times
    assert.equal(imported.text.match(/concat \{/g)?.length, 1, imported.text);
    assert.match(imported.text, /block BlockA\(k\) \{\n  concat \{\n    branch \{ \}\n    branch \{\n      norm1: bn\n      relu\n      conv1: conv k 3 pad 1 nobias\n    \}\n  \}\n\}/);
    for (const l of [1, 2, 3]) assert.match(imported.text, new RegExp(`\\n  features\\.denseblock1\\.denselayer${l}: BlockA\\(4\\)\\n`));
    assert.doesNotMatch(imported.text, /\n\s*pad \d/);
    const net = only(imported.text, "dense.cnn");
    assert.deepEqual(net.output, { kind: "volume", w: 4, h: 4, d: 9 });
    // torch's count: conv0 162, the layers' bns 2·(6+10+14) and convs 4·9·(6+10+14), the transition's 2·18 + 9·18
    assert.equal(net.params, BigInt(162 + 60 + 1080 + 36 + 162));
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
  });

  it("a torch.cat of a torch.cat, which torch's exporter flattens into one Concat (Inception-v3's InceptionE), is written as the nested concat", async () => {
    // x → b1x1 (conv 2); x → b3_1 (conv 3, relu) → [b3_2a (conv 1x3 → 2), b3_2b (conv 3x1 → 2)]; x → pool branch (conv 1)
    // cat([b1x1, cat([b3_2a, b3_2b]), pool]) exported as Concat(b1x1, b3_2a, b3_2b, pool)
    const nodes = [
      node("Conv", "/Mixed/branch1x1/conv/Conv", ["input", "Mixed.branch1x1.conv.weight"], ["a"], [ints("kernel_shape", [1, 1])]),
      node("Conv", "/Mixed/branch3x3_1/conv/Conv", ["input", "Mixed.branch3x3_1.conv.weight"], ["b0"], [ints("kernel_shape", [1, 1])]),
      node("Relu", "/Mixed/branch3x3_1/Relu", ["b0"], ["b"]),
      node("Conv", "/Mixed/branch3x3_2a/conv/Conv", ["b", "Mixed.branch3x3_2a.conv.weight"], ["c"], [ints("kernel_shape", [1, 3]), ints("pads", [0, 1, 0, 1])]),
      node("Conv", "/Mixed/branch3x3_2b/conv/Conv", ["b", "Mixed.branch3x3_2b.conv.weight"], ["d"], [ints("kernel_shape", [3, 1]), ints("pads", [1, 0, 1, 0])]),
      node("Conv", "/Mixed/branch_pool/conv/Conv", ["input", "Mixed.branch_pool.conv.weight"], ["e"], [ints("kernel_shape", [1, 1])]),
      node("Concat", "/Mixed/Concat", ["a", "c", "d", "e"], ["output"], [{ name: "axis", i: 1, type: 2 }]),
    ];
    const inits = [
      f32("Mixed.branch1x1.conv.weight", [2, 4, 1, 1], 1), f32("Mixed.branch3x3_1.conv.weight", [3, 4, 1, 1], 2), f32("Mixed.branch3x3_2a.conv.weight", [2, 3, 1, 3], 3),
      f32("Mixed.branch3x3_2b.conv.weight", [2, 3, 3, 1], 4), f32("Mixed.branch_pool.conv.weight", [1, 4, 1, 1], 5),
    ];
    const model = modelOf(nodes, inits, [1, 4, 5, 5], [1, 7, 5, 5]);
    const imported = importOnnx(model, "nested");
    assert.match(imported.text, /branch \{\n\s+Mixed\.branch3x3_1\.conv: conv 3 1 nobias\n\s+relu\n\s+concat \{\n\s+branch \{\n\s+Mixed\.branch3x3_2a\.conv: conv 2 3x1 pad 1x0 nobias\n\s+\}\n\s+branch \{\n\s+Mixed\.branch3x3_2b\.conv: conv 2 1x3 pad 0x1 nobias\n\s+\}\n\s+\}\n\s+\}/);
    const net = only(imported.text, "nested.cnn");
    assert.deepEqual(net.output, { kind: "volume", w: 5, h: 5, d: 7 });
    assert.equal(net.params, BigInt(8 + 12 + 18 + 18 + 4));
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
    // a channel order a nest cannot give (the two halves apart) is refused, naming the node
    const apart = modelOf(nodes.map((n) => (n.opType === "Concat" ? { ...n, input: ["c", "a", "d", "e"] } : n)), inits, [1, 4, 5, 5], [1, 7, 5, 5]);
    assert.throws(() => importOnnx(apart, "apart"), /node \/Mixed\/Concat \(Concat\): its inputs from \/Mixed\/branch3x3_1\/conv\/Conv are not side by side/);
  });

  it("a layer norm as torch exports it before opset 17 (ReduceMean → Sub → Pow → ReduceMean → Add → Sqrt → Div → Mul → Add) → layernorm eps E: over the channels, inside a Transpose pair, and on a vector", async () => {
    const scalarF = (name: string, v: number) => ({ name, dims: [], dataType: 1, floatData: [v] });
    const decomposed = (p: string, x: string, axis: number, w: string, b: string, out: string, weightFirst: boolean) => [
      node("ReduceMean", `/${p}/ReduceMean`, [x], [`${p}m`], [ints("axes", [axis]), int("keepdims", 1)]),
      node("Sub", `/${p}/Sub`, [x, `${p}m`], [`${p}d`]),
      node("Pow", `/${p}/Pow`, [`${p}d`, "two"], [`${p}p`]),
      node("ReduceMean", `/${p}/ReduceMean_1`, [`${p}p`], [`${p}v`], [ints("axes", [axis]), int("keepdims", 1)]),
      node("Add", `/${p}/Add`, [`${p}v`, "eps"], [`${p}ve`]),
      node("Sqrt", `/${p}/Sqrt`, [`${p}ve`], [`${p}s`]),
      node("Div", `/${p}/Div`, [`${p}d`, `${p}s`], [`${p}n`]),
      node("Mul", `/${p}/Mul`, weightFirst ? [w, `${p}n`] : [`${p}n`, w], [`${p}y`]),
      node("Add", `/${p}/Add_1`, [`${p}y`, b], [out]),
    ];
    const nodes = [
      node("Conv", "/conv/Conv", ["input", "conv.weight", "conv.bias"], ["c"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])]),
      // torchvision's LayerNorm2d: to NHWC, over the last axis, back
      node("Transpose", "/ln/Transpose", ["c"], ["t"], [ints("perm", [0, 2, 3, 1])]),
      ...decomposed("ln", "t", -1, "ln.weight", "ln.bias", "tn", false),
      node("Transpose", "/ln/Transpose_1", ["tn"], ["c2"], [ints("perm", [0, 3, 1, 2])]),
      // ConvNeXt's own channels-first LayerNorm: over axis 1, weight[:, None, None] · x + bias[:, None, None]
      ...decomposed("cf", "c2", 1, "onnx::Mul_65", "onnx::Add_67", "c3", true),
      node("GlobalAveragePool", "/gap/GlobalAveragePool", ["c3"], ["g"]),
      node("Flatten", "/Flatten", ["g"], ["f"], [int("axis", 1)]),
      node("Gemm", "/fc/Gemm", ["f", "fc.weight", "fc.bias"], ["h"], [int("transB", 1)]),
      ...decomposed("lnv", "h", -1, "lnv.weight", "lnv.bias", "output", false),
    ];
    const inits = [
      f32("conv.weight", [4, 3, 3, 3], 1), f32("conv.bias", [4], 2), f32("ln.weight", [4], 3, 1), f32("ln.bias", [4], 4),
      f32("onnx::Mul_65", [4, 1, 1], 5, 1), f32("onnx::Add_67", [4, 1, 1], 6), f32("fc.weight", [5, 4], 7), f32("fc.bias", [5], 8),
      f32("lnv.weight", [5], 9, 1), f32("lnv.bias", [5], 10), { name: "two", dims: [], dataType: 1, floatData: [2] }, scalarF("eps", 1e-6),
    ];
    const model = modelOf(nodes, inits, [1, 3, 6, 6], [1, 5], { opsetImport: [{ domain: "", version: 13 }] });
    const imported = importOnnx(model, "norms");
    assert.match(imported.text, /\n  ln: layernorm eps 1e-6\n  cf: layernorm eps 1e-6\n  gap\n(  flatten\n)?  fc: fc 5\n  lnv: layernorm eps 1e-6\n/);
    assert.equal(only(imported.text, "norms.cnn").params, BigInt(112 + 8 + 8 + 25 + 10));
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
    // the same nodes over another axis (the width) are not a layer norm the language has: refused, naming a node
    const width = modelOf(nodes.map((n) => (n.name.startsWith("/cf/ReduceMean") ? { ...n, attribute: [ints("axes", [3]), int("keepdims", 1)] } : n)), inits, [1, 3, 6, 6], [1, 5], { opsetImport: [{ domain: "", version: 13 }] });
    assert.throws(() => importOnnx(width, "width"), /node \/cf\//);
  });

  it("repeated subgraphs become blocks with parameters: a torchvision-style ResNet's BasicBlocks as one block used three times, labels relative to the use's module path", async () => {
    const nodes: object[] = [];
    const inits: object[] = [];
    let seed = 1;
    const conv = (path: string, x: string, k: number, c: number, f: number, stride = 1) => {
      const scope = `/${path.split(".").map((_, i, a) => a.slice(0, i + 1).join(".")).join("/")}`;
      nodes.push(node("Conv", `${scope}/Conv`, [x, `${path}.weight`, `${path}.bias`], [`${path}:out`], [ints("kernel_shape", [f, f]), ints("pads", Array(4).fill((f - 1) / 2)), ints("strides", [stride, stride])]));
      inits.push(f32(`${path}.weight`, [k, c, f, f], seed++), f32(`${path}.bias`, [k], seed++));
      return `${path}:out`;
    };
    const relu = (name: string, x: string) => {
      nodes.push(node("Relu", `/${name}/Relu`, [x], [`${name}:relu`]));
      return `${name}:relu`;
    };
    const block = (p: string, x: string, k: number, c: number, down: boolean) => {
      const body = conv(`${p}.conv2`, relu(`${p}.a`, conv(`${p}.conv1`, x, k, c, 3, down ? 2 : 1)), k, k, 3);
      const short = down ? conv(`${p}.downsample.0`, x, k, c, 1, 2) : x;
      nodes.push(node("Add", `/${p}/Add`, [body, short], [`${p}:sum`]));
      return relu(`${p}.b`, `${p}:sum`);
    };
    let x = relu("stem", conv("conv1", "input", 4, 3, 3));
    x = block("layer1.0", x, 4, 4, false);
    x = block("layer1.1", x, 4, 4, false);
    x = block("layer2.0", x, 8, 4, true);
    x = block("layer2.1", x, 8, 8, false);
    nodes.push(node("GlobalAveragePool", "/avgpool/GlobalAveragePool", [x], ["g"]), node("Flatten", "/Flatten", ["g"], ["f"], [int("axis", 1)]), node("Gemm", "/fc/Gemm", ["f", "fc.weight", "fc.bias"], ["output"], [int("transB", 1)]));
    inits.push(f32("fc.weight", [5, 8], seed++), f32("fc.bias", [5], seed++));
    const model = modelOf(nodes, inits, [1, 3, 8, 8], [1, 5]);
    const imported = importOnnx(model, "blocks");
    assert.match(imported.text, /# used 3 times: layer1\.0, layer1\.1, layer2\.1\nblock BlockA\(k\) \{\n  residual \{\n    conv1: conv k 3 pad 1\n    relu\n    conv2: conv k 3 pad 1\n  \}\n  relu\n\}\n/);
    assert.match(imported.text, /\n  layer1\.0: BlockA\(4\)\n  layer1\.1: BlockA\(4\)\n  residual \{\n    layer2\.0\.conv1: conv 8 3 stride 2 pad 1 floor\n/);
    assert.match(imported.text, /\n  layer2\.1: BlockA\(8\)\n  gap\n/);
    // torch's count: stem 112, two blocks of 4·(36+1)·2, the down block 8·37 + 8·73 + 8·5, one of 8·73·2, the fc 45
    assert.equal(only(imported.text, "blocks.cnn").params, BigInt(112 + 2 * 296 + 296 + 584 + 40 + 1168 + 45));
    // each layer keeps its module path: every tensor loads by name, and the outputs are onnxruntime's
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
  });

  it("a BN-folded export (eval-mode torch.onnx.export): a conv with the exporter's onnx:: tensors is written back as conv nobias + bn, torch's params, said in a note and in the text", async () => {
    const nodes = [
      node("Conv", "/conv1/Conv", ["input", "onnx::Conv_12", "onnx::Conv_13"], ["a"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])]),
      node("Relu", "/relu/Relu", ["a"], ["b"]),
      node("Conv", "/conv2/Conv", ["b", "conv2.weight", "conv2.bias"], ["output"], [ints("kernel_shape", [1, 1])]),
    ];
    const model = modelOf(nodes, [f32("onnx::Conv_12", [4, 3, 3, 3], 1), f32("onnx::Conv_13", [4], 2), f32("conv2.weight", [2, 4, 1, 1], 3), f32("conv2.bias", [2], 4)], [1, 3, 6, 6], [1, 2, 6, 6]);
    const imported = importOnnx(model, "folded");
    // torchvision's conv1 → bn1 (a conv before a bn has no bias of its own)
    assert.match(imported.text, /conv1: conv 4 3 pad 1 nobias\n  bn1: bn\n  relu\n/);
    assert.match(imported.text, /# its BatchNorms were folded into the convs before them/);
    // torch's count for conv(3→4, 3×3, no bias) + bn(4) + conv(4→2, 1×1, bias): 108 + 8 + 10
    assert.equal(only(imported.text, "folded.cnn").params, 126n);
    assert.equal(imported.notes.length, 1);
    // conv2 has the model's own tensors (conv2.weight): not counted as folded
    assert.match(imported.notes[0], /^a conv \(conv1\) carry|^a conv \(conv1\)/);
    assert.match(imported.notes[0], /training=torch\.onnx\.TrainingMode\.PRESERVE/);
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
    // the model's own convs with a bias (SqueezeNet's) are not called folded
    const own = importOnnx(modelOf([nodes[2]].map((n) => ({ ...n, input: ["input", "conv2.weight", "conv2.bias"] })), [f32("conv2.weight", [2, 3, 1, 1], 3), f32("conv2.bias", [2], 4)], [1, 3, 6, 6], [1, 2, 6, 6]), "own");
    assert.deepEqual(own.notes, []);
  });

  it("folded bns in a model whose bns are `norm` (torchvision's DenseNet): features.conv0 → features.norm0, a layer's conv1 → norm2, as its state_dict names them", async () => {
    // and inside a layer, pre-activation: norm1 relu conv1 [norm2 folded into conv1] relu conv2
    const nodes = [
      node("Conv", "/features/conv0/Conv", ["input", "onnx::Conv_7", "onnx::Conv_8"], ["a"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])]),
      node("Relu", "/features/relu0/Relu", ["a"], ["b"]),
      bn("features.layer.norm1", "b", "c"),
      node("Relu", "/features/layer/relu1/Relu", ["c"], ["d"]),
      node("Conv", "/features/layer/conv1/Conv", ["d", "onnx::Conv_9", "onnx::Conv_10"], ["e"], [ints("kernel_shape", [1, 1])]),
      node("Relu", "/features/layer/relu2/Relu", ["e"], ["f"]),
      node("Conv", "/features/layer/conv2/Conv", ["f", "features.layer.conv2.weight"], ["g"], [ints("kernel_shape", [1, 1])]),
      bn("features.norm5", "g", "h"),
      node("Relu", "/features/relu5/Relu", ["h"], ["output"]),
    ];
    const inits = [
      f32("onnx::Conv_7", [4, 3, 3, 3], 1),
      f32("onnx::Conv_8", [4], 2),
      ...bnInits("features.layer.norm1", 4, 20),
      f32("onnx::Conv_9", [6, 4, 1, 1], 3),
      f32("onnx::Conv_10", [6], 4),
      f32("features.layer.conv2.weight", [4, 6, 1, 1], 5),
      ...bnInits("features.norm5", 4, 10),
    ];
    const model = modelOf(nodes, inits, [1, 3, 6, 6], [1, 4, 6, 6]);
    const imported = importOnnx(model, "densenet_stem");
    assert.match(imported.text, /features\.conv0: conv 4 3 pad 1 nobias\n  features\.norm0: bn\n/);
    assert.match(imported.text, /features\.layer\.conv1: conv 6 1 nobias\n  features\.layer\.norm2: bn\n/);
    for (const name of ["features.norm0.running_var", "features.layer.norm2.weight"]) assert.ok(imported.tensors.some((t) => t.name === name), name);
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
  });

  it("Pad (zeros, the same on every side) → pad P; Resize/Upsample nearest by a whole factor → upsample S; ConvTranspose → deconv; ReduceMean over H, W → gap", async () => {
    const nodes = [
      node("Pad", "/pad/Pad", ["input", "pads1", "zero"], ["p"], [text("mode", "constant")]),
      node("Conv", "/conv/Conv", ["p", "conv.weight", "conv.bias"], ["c"], [ints("kernel_shape", [3, 3])]),
      node("Resize", "/up/Resize", ["c", "", "scales2"], ["u"], [text("mode", "nearest"), text("coordinate_transformation_mode", "asymmetric"), text("nearest_mode", "floor")]),
      node("ConvTranspose", "/deconv/ConvTranspose", ["u", "deconv.weight", "deconv.bias"], ["d"], [ints("kernel_shape", [3, 3]), ints("strides", [2, 2]), ints("pads", [1, 1, 1, 1]), ints("output_padding", [1, 1]), int("group", 2)]),
      node("Resize", "/up2/Resize", ["d", "", "", "sizes"], ["u2"], [text("mode", "nearest"), text("coordinate_transformation_mode", "half_pixel"), text("nearest_mode", "round_prefer_floor")]),
      node("ReduceMean", "/mean/ReduceMean", ["u2"], ["output"], [ints("axes", [-1, -2]), int("keepdims", 1)]),
    ];
    const inits = [
      i64("pads1", [0, 0, 1, 1, 0, 0, 1, 1]), { name: "zero", dims: [], dataType: 1, floatData: [0] }, f32("conv.weight", [4, 3, 3, 3], 1), f32("conv.bias", [4], 2),
      { name: "scales2", dims: [4], dataType: 1, floatData: [1, 1, 2, 2] }, f32("deconv.weight", [4, 3, 3, 3], 3), f32("deconv.bias", [6], 4), i64("sizes", [1, 6, 48, 48]),
    ];
    const model = modelOf(nodes, inits, [1, 3, 6, 6], [1, 6, 1, 1], { opsetImport: [{ domain: "", version: 13 }] });
    const imported = importOnnx(model, "ops");
    assert.match(imported.text, /\n  pad 1\n/);
    assert.match(imported.text, /\n  upsample 2\n/);
    assert.match(imported.text, /deconv: deconv 6 3 stride 2 pad 1 outpad 1 groups 2\n/);
    assert.match(imported.text, /\n  upsample 2\n  gap\n/);
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
  });

  it("what the language cannot write is refused with the node: reflect and uneven padding, linear resizing, a fractional scale, a mean over the channels", () => {
    const one = (n: object, inits: object[], out: number[]) => () => importOnnx(modelOf([n], inits, [1, 3, 6, 6], out), "m");
    assert.throws(one(node("Pad", "/p/Pad", ["input", "pads"], ["output"], [text("mode", "reflect")]), [i64("pads", [0, 0, 1, 1, 0, 0, 1, 1])], [1, 3, 8, 8]), /node \/p\/Pad \(Pad\): reflect padding/);
    assert.throws(one(node("Pad", "/p/Pad", ["input", "pads"], ["output"]), [i64("pads", [0, 0, 1, 0, 0, 0, 1, 0])], [1, 3, 8, 6]), /node \/p\/Pad \(Pad\): pads \[0, 0, 1, 0, 0, 0, 1, 0\]: `pad P` pads P on every side/);
    assert.throws(one(node("Resize", "/r/Resize", ["input", "", "s"], ["output"], [text("mode", "linear")]), [{ name: "s", dims: [4], dataType: 1, floatData: [1, 1, 2, 2] }], [1, 3, 12, 12]), /node \/r\/Resize \(Resize\): linear resizing/);
    assert.throws(one(node("Resize", "/r/Resize", ["input", "", "s"], ["output"], [text("mode", "nearest")]), [{ name: "s", dims: [4], dataType: 1, floatData: [1, 1, 1.5, 1.5] }], [1, 3, 9, 9]), /scales \[1, 1, 1\.5, 1\.5\]/);
    assert.throws(one(node("ReduceMean", "/m/ReduceMean", ["input"], ["output"], [ints("axes", [1])]), [], [1, 1, 6, 6]), /node \/m\/ReduceMean \(ReduceMean\): a mean over axes \[1\]/);
  });

  it("nearest Resize modes that repeat each pixel S times are read as upsample S; those that do not are refused", () => {
    for (const s of [2, 3, 4]) {
      assert.ok(nearestIsRepeat("asymmetric", "floor", 7, s));
      assert.ok(nearestIsRepeat("half_pixel", "round_prefer_floor", 7, s));
      assert.ok(nearestIsRepeat("pytorch_half_pixel", "round_prefer_ceil", 7, s));
      assert.ok(nearestIsRepeat("tf_half_pixel_for_nn", "floor", 7, s));
    }
    assert.ok(!nearestIsRepeat("asymmetric", "ceil", 7, 2));
    assert.ok(!nearestIsRepeat("align_corners", "floor", 7, 2));
    assert.ok(!nearestIsRepeat("half_pixel", "floor", 7, 2));
  });

  it("labels from the weights' names where the exporter kept them (the state_dict's), else from the node's", () => {
    assert.equal(labelFromTensorName("layer1.0.conv1.weight"), "layer1.0.conv1");
    assert.equal(labelFromTensorName("features.0.scale"), "features.0");
    assert.equal(labelFromTensorName("onnx::Conv_193"), null);
    assert.equal(labelFromTensorName("layer1.0.conv1.bias"), null);
    // the dynamo exporter names nodes by op (node_Conv_0), its initializers as the state_dict
    const model = modelOf([node("Conv", "node_Conv_0", ["input", "stem.conv.weight"], ["output"], [ints("kernel_shape", [1, 1])])], [f32("stem.conv.weight", [2, 3, 1, 1], 1)], [1, 3, 4, 4], [1, 2, 4, 4]);
    assert.match(importOnnx(model, "d").text, /stem\.conv: conv 2 1 nobias/);
  });

  it("a model whose modules are local functions (the dynamo exporter's) is read with the functions inlined", async () => {
    const fn = {
      name: "torch_nn_modules_conv_Conv2d_conv1_1", domain: "pkg.torch.2.1.0", input: ["x", "w"], output: ["y"], opsetImport: [{ domain: "", version: 17 }],
      node: [node("Conv", "conv2d", ["x", "w"], ["y"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])])],
    };
    const relu = { name: "torch_nn_modules_activation_ReLU_relu_1", domain: "pkg.torch.2.1.0", input: ["x"], output: ["y"], opsetImport: [{ domain: "", version: 17 }], node: [node("Relu", "relu", ["x"], ["y"])] };
    const nodes = [{ ...node(fn.name, "conv1_1", ["input", "conv1.weight"], ["a"]), domain: fn.domain }, { ...node(relu.name, "relu_1", ["a"], ["output"]), domain: relu.domain }];
    const model = modelOf(nodes, [f32("conv1.weight", [4, 3, 3, 3], 1)], [1, 3, 5, 5], [1, 4, 5, 5], { functions: [fn, relu], opsetImport: [{ domain: "", version: 17 }, { domain: "pkg.torch.2.1.0", version: 1 }] });
    const imported = importOnnx(model, "fn");
    assert.match(imported.text, /conv1: conv 4 3 pad 1 nobias\n  relu\n/);
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
  });

  it("cnn import's weights are found beside the design: cnn run uses them without --weights and says where they came from", () => {
    const dir = tempDir({ "m.onnx": torchStyle() });
    assert.equal(cnn("import", join(dir, "m.onnx")).status, 0);
    const run = cnn("run", join(dir, "m.cnn"));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /weights from m\.safetensors \(imported from m\.onnx\)/);
    assert.doesNotMatch(run.stdout, /untrained/);
    const seeded = cnn("run", join(dir, "m.cnn"), "--untrained");
    assert.match(seeded.stdout, /untrained: random weights, seed 0/);
  });

  it("round trip keeps the module paths: a layer labelled inside blocks and repeats is named `layer1.1.conv2` in the model and in the import", async () => {
    const text = `block Basic(k) {
  residual {
    conv1: conv k 3x3 pad 1 nobias
    bn1: bn
    relu
    conv2: conv k 3x3 pad 1 nobias
    bn2: bn
  }
  relu
}

network Paths {
  input 12x12x3
  conv1: conv 8 3x3 pad 1 nobias
  bn1: bn
  relu
  layer1: repeat 2 { Basic(8) }
  gap
  flatten
  fc: fc 4
}
`;
    const net = only(text, "paths.cnn");
    const model = exportOnnx(net, initWeights(net.graph, 5));
    const names = (onnx.ModelProto.decode(model).graph!.initializer ?? []).map((t) => t.name!);
    for (const name of ["conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer1.1.conv2.weight", "layer1.1.bn2.bias", "fc.weight", "fc.bias"]) {
      assert.ok(names.includes(name), `the model holds ${name}: ${names.join(", ")}`);
    }
    const imported = importOnnx(model, "Paths");
    const back = only(imported.text, "paths.cnn");
    assert.equal(back.params, net.params);
    assert.equal(back.macs, net.macs);
    // the import's weights are named as the design's own layers: a file saved for one loads into the other
    const own = net.graph.flatMap((n) => (n.params > 0n || n.op === "bn" ? [modulePathOf(n.scope, n.label)] : [])).sort();
    const theirs = back.graph.flatMap((n) => (n.params > 0n || n.op === "bn" ? [modulePathOf(n.scope, n.label)] : [])).sort();
    assert.deepEqual(theirs, own);
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
  });

  it("round trip of the new kinds: layernorm (volume and vector), layerscale, gelu, silu, hardswish, mul (SE), slice, shuffle", async () => {
    const text = `network Modern {
  input 8x8x4
  stem: conv 8 3 pad 1
  stem_norm: layernorm eps 1e-6
  gelu
  ls: layerscale
  silu
  mul {
    branch { }
    branch { gap; se.fc1: conv 2 1; relu; se.fc2: conv 8 1; hardsigmoid }
  }
  hardswish
  concat {
    branch { slice 0 4 }
    branch { slice 4 8; right: conv 4 1 nobias; bn; relu }
  }
  shuffle 2
  gap
  head_norm: layernorm
  head: fc 5
}
`;
    const net = only(text, "modern.cnn");
    const model = exportOnnx(net, initWeights(net.graph, 4));
    const imported = importOnnx(model, "Modern");
    for (const line of ["stem_norm: layernorm eps 1e-6", "\n  gelu\n", "ls: layerscale", "\n  silu\n", "mul {", "hardsigmoid", "\n  hardswish\n", "slice 0 4", "slice 4 8", "shuffle 2", "head_norm: layernorm\n"]) {
      assert.ok(imported.text.includes(line), `${JSON.stringify(line)} in\n${imported.text}`);
    }
    const back = only(imported.text, "modern.cnn");
    assert.equal(back.params, net.params);
    assert.equal(back.macs, net.macs);
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
  });

  it("torch's own patterns of them: chunk as Split → slice branches, GELU as (x·(1 + erf(x/√2)))·½, a layer scale by [1, C, 1, 1]", async () => {
    const scalar = (name: string, v: number) => ({ name, dims: [], dataType: 1, floatData: [v] });
    const nodes = [
      node("Conv", "/conv/Conv", ["input", "conv.weight"], ["x"], [ints("kernel_shape", [1, 1])]),
      node("Split", "/Split", ["x", "halves"], ["a", "b"], [int("axis", 1)]),
      node("Conv", "/branch2/Conv", ["b", "branch2.weight"], ["b2"], [ints("kernel_shape", [1, 1])]),
      node("Concat", "/Concat", ["a", "b2"], ["c"], [int("axis", 1)]),
      node("Div", "/act/Div", ["c", "sqrt2"], ["d"]),
      node("Erf", "/act/Erf", ["d"], ["e"]),
      node("Add", "/act/Add", ["e", "one"], ["f"]),
      node("Mul", "/act/Mul", ["c", "f"], ["g"]),
      node("Mul", "/act/Mul_1", ["g", "half"], ["h"]),
      node("Mul", "/block/Mul", ["h", "block.layer_scale"], ["output"]),
    ];
    const inits = [f32("conv.weight", [6, 3, 1, 1], 1), i64("halves", [3, 3]), f32("branch2.weight", [3, 3, 1, 1], 2), scalar("sqrt2", Math.SQRT2), scalar("one", 1), scalar("half", 0.5), f32("block.layer_scale", [1, 6, 1, 1], 3)];
    const model = modelOf(nodes, inits, [1, 3, 5, 5], [1, 6, 5, 5]);
    const imported = importOnnx(model, "torchy");
    assert.match(imported.text, /concat \{\n    branch \{\n      slice 0 3\n    \}\n    branch \{\n      slice 3 6\n      branch2: conv 3 1 nobias\n/);
    assert.match(imported.text, /\n  gelu\n  block\.layer_scale: layerscale\n/);
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
  });

  it("ConvNeXt's block as torch exports it: channels last → LayerNorm → Linear → GELU → Linear → back, a layer scale of [C, 1, 1], the residual", async () => {
    const scalar = (name: string, v: number) => ({ name, dims: [], dataType: 1, floatData: [v] });
    const float = (name: string, v: number) => ({ name, f: v, type: 1 });
    const at = (part: string) => `/features/features.1/features.1.0/block/${part}`;
    const nodes = [
      node("Conv", at("block.0/Conv"), ["input", "features.1.0.block.0.weight", "features.1.0.block.0.bias"], ["a"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1]), int("group", 4)]),
      node("Transpose", at("block.1/Transpose"), ["a"], ["t"], [ints("perm", [0, 2, 3, 1])]),
      node("LayerNormalization", at("block.2/LayerNormalization"), ["t", "features.1.0.block.2.weight", "features.1.0.block.2.bias"], ["ln"], [int("axis", -1), float("epsilon", 1e-6)]),
      node("MatMul", at("block.3/MatMul"), ["ln", "onnx::MatMul_21"], ["m1"]),
      node("Add", at("block.3/Add"), ["features.1.0.block.3.bias", "m1"], ["a1"]),
      node("Div", at("block.4/Div"), ["a1", "sqrt2"], ["d"]),
      node("Erf", at("block.4/Erf"), ["d"], ["e"]),
      node("Add", at("block.4/Add"), ["e", "one"], ["f"]),
      node("Mul", at("block.4/Mul"), ["a1", "f"], ["g"]),
      node("Mul", at("block.4/Mul_1"), ["g", "half"], ["h"]),
      node("MatMul", at("block.5/MatMul"), ["h", "onnx::MatMul_22"], ["m2"]),
      node("Add", at("block.5/Add"), ["features.1.0.block.5.bias", "m2"], ["a2"]),
      node("Transpose", at("block.6/Transpose"), ["a2"], ["back"], [ints("perm", [0, 3, 1, 2])]),
      node("Mul", "/features/features.1/features.1.0/Mul", ["features.1.0.layer_scale", "back"], ["s"]),
      node("Add", "/features/features.1/features.1.0/Add", ["s", "input"], ["output"]),
    ];
    const inits = [
      f32("features.1.0.block.0.weight", [4, 1, 3, 3], 1),
      f32("features.1.0.block.0.bias", [4], 2),
      f32("features.1.0.block.2.weight", [4], 3, 1),
      f32("features.1.0.block.2.bias", [4], 4),
      f32("onnx::MatMul_21", [4, 16], 5),
      f32("features.1.0.block.3.bias", [16], 6),
      f32("onnx::MatMul_22", [16, 4], 7),
      f32("features.1.0.block.5.bias", [4], 8),
      f32("features.1.0.layer_scale", [4, 1, 1], 9, 0.5),
      scalar("sqrt2", Math.SQRT2),
      scalar("one", 1),
      scalar("half", 0.5),
    ];
    const model = modelOf(nodes, inits, [1, 4, 5, 5], [1, 4, 5, 5]);
    const imported = importOnnx(model, "cnblock");
    assert.match(imported.text, /block\.2: layernorm eps 1e-6\n\s+features\.1\.0\.block\.3: conv 16 1\n\s+gelu\n\s+features\.1\.0\.block\.5: conv 4 1\n/);
    assert.match(imported.text, /features\.1\.0\.layer_scale: layerscale/);
    // torch's count: dwconv 4·9 + 4, layer norm 8, Linear 4·16 + 16 and 16·4 + 4, layer scale 4
    assert.equal(only(imported.text, "cnblock.cnn").params, 40n + 8n + 80n + 68n + 4n);
    await sameAsOnnxruntime(model, imported.text, imported.tensors);
    // anything else between the transposes is named, and nothing is written
    const softmax = modelOf(
      [node("Transpose", "/t/Transpose", ["input"], ["t"], [ints("perm", [0, 2, 3, 1])]), node("Softmax", "/sm/Softmax", ["t"], ["u"], [int("axis", -1)]), node("Transpose", "/t/Transpose_1", ["u"], ["output"], [ints("perm", [0, 3, 1, 2])])],
      [],
      [1, 4, 5, 5],
      [1, 4, 5, 5],
    );
    assert.throws(() => importOnnx(softmax, "sm"), /node \/sm\/Softmax \(Softmax\): inside channels last/);
  });

  for (const example of ["mobilenetv3_small", "shufflenetv2"]) {
    it(`round trip ${example} (squeeze-and-excitation as mul, hardswish; channel split and shuffle)`, async () => {
      const net = only(readFileSync(join(root, `examples/${example}.cnn`), "utf8"), `${example}.cnn`);
      const model = exportOnnx(net, initWeights(net.graph, 3));
      const imported = importOnnx(model, example);
      const back = only(imported.text, `${example}.cnn`);
      assert.equal(back.params, net.params);
      assert.equal(back.macs, net.macs);
      await sameAsOnnxruntime(model, imported.text, imported.tensors);
    });
  }

  // issue 9: a node may read one value more than once (Add(x, x) is 2·x). The design must
  // compute what onnxruntime computes, or the import is refused naming the node — never
  // a design that silently computes something else; and the path search stays linear.
  describe("a node that reads one value twice or more", () => {
    const axis1 = int("axis", 1);
    const gemm = (x: string) => node("Gemm", "/fc/Gemm", [x, "fc.weight", "fc.bias"], ["output"], [int("transB", 1)]);
    /** input 8×8×3 → conv 4 3×3 → `middle` (from c, ending at `last` of `depth` channels) → gap → flatten → fc 5 */
    function around(middle: object[], last: string, depth = 4): Uint8Array {
      const nodes = [
        node("Conv", "/conv/Conv", ["input", "conv.weight", "conv.bias"], ["c"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])]),
        ...middle,
        node("GlobalAveragePool", "/gap/GlobalAveragePool", [last], ["g"]),
        node("Flatten", "/Flatten", ["g"], ["f"], [int("axis", 1)]),
        gemm("f"),
      ];
      return modelOf(nodes, [f32("conv.weight", [4, 3, 3, 3], 1), f32("conv.bias", [4], 2), f32("fc.weight", [5, depth], 3), f32("fc.bias", [5], 4, 0.1)], [1, 3, 8, 8], [1, 5]);
    }
    const same: [string, object[], string, number][] = [
      ["Add(x, x) = 2·x", [node("Add", "/twice/Add", ["c", "c"], ["y"])], "y", 4],
      ["Sum(x, x, x) = 3·x", [node("Sum", "/thrice/Sum", ["c", "c", "c"], ["y"])], "y", 4],
      ["Concat(x, x)", [node("Concat", "/cat/Concat", ["c", "c"], ["y"], [axis1])], "y", 8],
      ["Concat(x, relu x, x)", [node("Relu", "/r/Relu", ["c"], ["r"]), node("Concat", "/cat/Concat", ["c", "r", "c"], ["y"], [axis1])], "y", 12],
      ["Mul(x, x) = x²", [node("Mul", "/square/Mul", ["c", "c"], ["y"])], "y", 4],
      ["Add(x, x) + relu x", [node("Relu", "/r/Relu", ["c"], ["r"]), node("Add", "/twice/Add", ["c", "c"], ["y"]), node("Add", "/sum/Add", ["y", "r"], ["z"])], "z", 4],
      ["x + Add(relu x, relu x)", [node("Relu", "/r/Relu", ["c"], ["r"]), node("Add", "/twice/Add", ["r", "r"], ["y"]), node("Add", "/sum/Add", ["c", "y"], ["z"])], "z", 4],
    ];
    for (const [what, middle, last, depth] of same) {
      it(`${what}: the imported design gives onnxruntime's output`, async () => {
        const model = around(middle, last, depth);
        const imported = importOnnx(model, "twice");
        await sameAsOnnxruntime(model, imported.text, imported.tensors);
      });
    }

    for (const op of ["Sub", "Div", "Max", "Pow"]) {
      it(`${op}(x, x): refused, naming the node; cnn import exits 1 and writes nothing`, () => {
        const model = around([node(op, `/self/${op}`, ["c", "c"], ["y"])], "y");
        assert.throws(() => importOnnx(model, "self"), new RegExp(`node /self/${op} \\(${op}\\)`));
        const dir = tempDir({ "self.onnx": model });
        const r = cnn("import", join(dir, "self.onnx"));
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`node /self/${op} \\(${op}\\).*nothing was written`));
        assert.ok(!existsSync(join(dir, "self.cnn")));
      });
    }

    /** n nodes Add(previous, previous) after the conv */
    const doublings = (n: number) => Array.from({ length: n }, (_, k) => node("Add", `/double${k}/Add`, [k ? `d${k - 1}` : "c"], [`d${k}`])).map((x, k) => ({ ...x, input: [k ? `d${k - 1}` : "c", k ? `d${k - 1}` : "c"] }));

    it("a chain of 20 Add(x, x) multiplies by 2^20, as onnxruntime does", async () => {
      const model = around(doublings(20), "d19");
      const imported = importOnnx(model, "chain");
      await sameAsOnnxruntime(model, imported.text, imported.tensors);
    });

    it("a chain of 20,000 Add(x, x) is imported whole: one add for each (the path search does not grow with the graph behind it)", function () {
      // a search from each fork over the rest of the graph took minutes here (quadratic); linear, it takes about a second
      this.timeout(60_000);
      const imported = importOnnx(around(doublings(20_000), "d19999"), "chain");
      const net = only(imported.text, "chain.cnn");
      assert.equal(net.graph.filter((n) => n.op === "add").length, 20_000);
    });

    it("a graph with a cycle, or a value two nodes write, is refused naming a node", () => {
      const cycle = around([node("Relu", "/a/Relu", ["c", "b"], ["a"]), node("Relu", "/b/Relu", ["a"], ["b"])], "b");
      assert.throws(() => importOnnx(cycle, "cycle"), /node \/a\/Relu \(Relu\) is on a cycle/);
      const twice = around([node("Relu", "/a/Relu", ["c"], ["y"]), node("Sigmoid", "/b/Sigmoid", ["c"], ["y"])], "y");
      assert.throws(() => importOnnx(twice, "twice"), /node \/b\/Sigmoid \(Sigmoid\) writes y, which node \/a\/Relu \(Relu\) writes too/);
    });

    it("nodes listed out of order (onnxruntime sorts them) are read in their order of computation", async () => {
      const middle = [node("Relu", "/r/Relu", ["c"], ["r"]), node("Add", "/twice/Add", ["c", "c"], ["y"]), node("Add", "/sum/Add", ["y", "r"], ["z"])];
      const sorted = around(middle, "z");
      const model = onnx.ModelProto.decode(sorted);
      model.graph!.node = [...model.graph!.node!].reverse();
      const shuffled = onnx.ModelProto.encode(model).finish();
      const a = importOnnx(sorted, "n");
      const b = importOnnx(shuffled, "n");
      assert.equal(b.text, a.text);
      await sameAsOnnxruntime(sorted, b.text, b.tensors);
    });
  });
});
