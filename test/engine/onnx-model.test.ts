// The ONNX model file as the editor's "CNN: Export ONNX…" makes it (engine/onnx/model.ts):
// from the network as the language server sends it (serialized, then read back), with the
// run view's seeded weights. onnxruntime loads it and computes what the engine computes;
// `cnn export --onnx` writes the very same bytes; a network with errors or past the memory
// budget is refused with the reason.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { onnx } from "onnx-proto";
import { analyze, type NetworkResult } from "../../analysis";
import { RefusedError, memoryNeed } from "../../engine/budget";
import { nodeDescriber } from "../../engine/describe";
import { networkInput } from "../../engine/input";
import { INPUT_NAME, OUTPUT_NAME, onnxDims } from "../../engine/onnx/export";
import { exportedText, onnxModel, onnxRefusal } from "../../engine/onnx/model";
import { ReferenceExecutor } from "../../engine/reference";
import { runNetwork } from "../../engine/run";
import { deserializeNetwork, serializeNetwork } from "../../analysis/serialize";
import { cnn, root, tempDir } from "./cli";

const lenetFile = "examples/lenet5.cnn";
const lenetText = readFileSync(join(root, lenetFile), "utf8");

/** the network as the client gets it: through `cnn/network`'s JSON and back */
function asReceived(file: string, text: string, name?: string): NetworkResult {
  const analysis = analyze(text, file);
  const net = name ? analysis.networks.find((n) => n.name === name) : analysis.networks[0];
  assert.ok(net, `${file} defines the network`);
  return deserializeNetwork(JSON.parse(JSON.stringify(serializeNetwork(net))));
}

async function onnxRuntimeOutput(bytes: Uint8Array, net: NetworkResult, input: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "disabled", intraOpNumThreads: 1 });
  try {
    const result = await session.run({ [INPUT_NAME]: new ort.Tensor("float32", input, onnxDims(net.graph[0].output)) });
    assert.deepEqual(result[OUTPUT_NAME].dims, onnxDims(net.output!));
    return result[OUTPUT_NAME].data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe("ONNX model for the editor (engine/onnx/model.ts)", () => {
  it("LeNet-5 as received from the server, seed 7: onnxruntime gives the run view's output for that seed", async () => {
    const net = asReceived(lenetFile, lenetText);
    const seed = 7;
    const bytes = onnxModel(net, { seed, budgetMB: 1536 });
    const input = networkInput(net.graph[0], { sample: "digits" }, seed).data;
    const ours = (await runNetwork({ network: net, input, seed, executor: new ReferenceExecutor() })).output;
    const theirs = await onnxRuntimeOutput(bytes, net, input);
    const bound = 1e-5;
    assert.ok(maxDiff(ours, theirs) <= bound, `max |diff| ${maxDiff(ours, theirs)} > ${bound}`);
    // and the seed is what made those weights: another seed, another output
    const other = await onnxRuntimeOutput(onnxModel(net, { seed: seed + 1 }), net, input);
    assert.ok(maxDiff(other, theirs) > 1e-3, "seed 8's model computes something else than seed 7's");
  });

  it("names the graph after the network, its tensors input/output, and each layer's line in its node", () => {
    const net = asReceived(lenetFile, lenetText);
    const model = onnx.ModelProto.decode(onnxModel(net, { seed: 0, describe: nodeDescriber("lenet5.cnn", lenetText) }));
    assert.equal(model.graph!.name, "LeNet5");
    assert.deepEqual(model.graph!.input!.map((i) => i.name), [INPUT_NAME]);
    assert.deepEqual(model.graph!.output!.map((o) => o.name), [OUTPUT_NAME]);
    const c1 = model.graph!.node!.find((n) => n.opType === "Conv");
    assert.equal(c1?.docString, "lenet5.cnn:5: c1: conv 6 5x5");
    // every learnt number is in the file, and nothing else: 61,706 params
    const floats = model.graph!.initializer!.reduce((sum, t) => sum + t.dims!.reduce((p, d) => p * Number(d), 1), 0);
    assert.equal(BigInt(floats), net.params);
  });

  it("cnn export --onnx writes the same bytes as the editor's export (one code path)", () => {
    const out = join(tempDir(), "lenet.onnx");
    const r = cnn("export", lenetFile, "--onnx", out, "--seed", "4");
    assert.equal(r.status, 0, r.stderr);
    const written = readFileSync(out);
    const editor = onnxModel(asReceived(lenetFile, lenetText), { seed: 4, describe: nodeDescriber(lenetFile, lenetText) });
    assert.ok(Buffer.from(editor).equals(written), `the CLI wrote ${written.length} bytes, the editor's export makes ${editor.length}`);
    assert.equal(r.stderr.trim(), exportedText("LeNet5", out, written.length, "seed 4"));
    assert.match(r.stderr, /^LeNet5 → .*lenet\.onnx \(ONNX opset 17, 24\d(\.\d+)? kB, seed 4\)$/m);
  });

  it("refuses a network with errors, saying so, and makes no bytes", () => {
    const net = asReceived("broken.cnn", "network Broken {\n  input 8x8x1\n  conv 4 9x9\n}\n");
    assert.equal(net.complete, false);
    assert.equal(onnxRefusal(net, 1536), "Broken has errors or unknown shapes: fix them before exporting it");
    assert.throws(() => onnxModel(net, { seed: 0 }), (e: unknown) => e instanceof RefusedError && /Broken has errors/.test(e.message));
  });

  it("refuses a network past the memory budget with the numbers (its weights, twice), and exports it within budget", () => {
    const vgg = asReceived("examples/vgg16.cnn", readFileSync(join(root, "examples", "vgg16.cnn"), "utf8"));
    const weights = memoryNeed(vgg).weightBytes;
    assert.equal(weights, vgg.params * 4n, "VGG-16 has no batch norm: its weights are its params");
    const refusal = onnxRefusal(vgg, 1000);
    assert.equal(
      refusal,
      "VGG16 needs 1.11 GB to export (weights 553.43 MB, and as much again for the model file), more than the memory budget of 1 GB (1000 MB, the setting cnn.run.memoryBudgetMB)",
    );
    assert.throws(() => onnxModel(vgg, { seed: 0, budgetMB: 1000 }), RefusedError);
    // the budget that takes exactly its weights twice lets it through
    assert.equal(onnxRefusal(vgg, Number(weights * 2n) / 1e6), null);
    // no budget (the command line): nothing but errors refuses
    assert.equal(onnxRefusal(vgg), null);
  });
});
