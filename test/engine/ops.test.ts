// The op registry against the layer catalog: every kind the language has is a kind the
// engine can initialise, run (reference, and fast where it has a WebAssembly form),
// and export to ONNX — walked from the catalog, so a new kind is checked here without
// a line of this file changing. For each kind, one layer built from its arguments'
// types is analyzed and then:
//   - the op's tensors hold exactly the params the catalog counts (trainable ones),
//   - the reference forward gives the output's size, finite, in float32 and float64
//     (the two agree to 1e-5·max(1, |y|)), and never changes its input,
//   - the fast executor, where the op has a fast form, and onnxruntime on the exported
//     ONNX agree with the reference to 1e-4·max(1, max |ref|).

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { analyze, catalog, type ArgSpec, type GraphNode, type LayerKind, type NetworkResult } from "../../analysis";
import type { LayerParams, NetworkWeights } from "../../engine/api";
import { elements, initWeights, paramShapes } from "../../engine/init";
import { ops, opOf } from "../../engine/ops";
import { runNode, ReferenceExecutor } from "../../engine/reference";
import { FastExecutor } from "../../engine/fast/executor";
import { FastNetwork } from "../../engine/fast/network";
import { fromMap } from "../../engine/fast/sources";
import { exportOnnx, onnxDims, INPUT_NAME, OUTPUT_NAME } from "../../engine/onnx/export";
import { uniform } from "../../engine/random";
import { sizeOf } from "../../engine/tensor";

const root = join(__dirname, "..", "..", "..");

/** an argument of each type that fits an 8×8×4 input */
function argumentText(a: ArgSpec): string {
  if (a.example !== undefined) return a.example;
  switch (a.type) {
    case "count":
      return "3";
    case "kernel":
      return "3x3";
    case "size":
      return "1";
    case "probability":
      return "0.25";
    case "number":
      return "0.2";
  }
}

function layerNetwork(kind: LayerKind): NetworkResult {
  const statement = [kind.name, ...kind.args.filter((a) => !a.optional).map(argumentText)].join(" ");
  const analysis = analyze(`input 8x8x4\n${statement}\n`, `${kind.name}.cnn`);
  const errors = analysis.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
  assert.deepEqual(errors, [], `\`${statement}\` must analyze`);
  const net = analysis.networks[0];
  assert.ok(net.complete);
  assert.equal(net.graph[1].op, kind.name);
  return net;
}

function randomInput(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 2 * uniform(seed, i) - 1;
  return x;
}

function maxAbs(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]));
  return m;
}

function assertAgree(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  const bound = tolerance * Math.max(1, maxAbs(expected));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= bound, `${what}: value ${i} is ${actual[i]}, expected ${expected[i]} (bound ${bound})`);
  }
}

async function onnxOutput(net: NetworkResult, weights: NetworkWeights, input: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(exportOnnx(net, weights), { graphOptimizationLevel: "disabled", intraOpNumThreads: 1 });
  try {
    const result = await session.run({ [INPUT_NAME]: new ort.Tensor("float32", input, onnxDims(net.graph[0].output)) });
    return result[OUTPUT_NAME].data as Float32Array;
  } finally {
    await session.release();
  }
}

function float64(params: LayerParams | undefined): LayerParams<Float64Array> {
  const out: LayerParams<Float64Array> = {};
  for (const [name, value] of Object.entries(params ?? {})) out[name as keyof LayerParams] = Float64Array.from(value as Float32Array);
  return out;
}

describe("engine ops: the registry covers the catalog", () => {
  it("every kind of the catalog has its op, and the registry has no kind the graph cannot hold", () => {
    const kinds = catalog.map((k) => k.name);
    for (const name of kinds) {
      const op = (ops as Record<string, { kind: string } | undefined>)[name];
      assert.ok(op, `the layer kind \`${name}\` has no op in engine/ops/index.ts`);
      assert.equal(op.kind, name, `ops.${name} is the op of \`${op.kind}\``);
    }
    assert.deepEqual(Object.keys(ops).filter((k) => !(kinds as string[]).includes(k)).sort(), ["add", "concat", "mul"]);
  });

  it("every op can run, be trained and be exported: a reference forward and backward and an ONNX form", () => {
    for (const op of Object.values(ops)) {
      assert.equal(typeof op.reference.forward, "function", `${op.kind}: no reference forward`);
      // training differentiates every layer (spec §9): a kind without a backward cannot be trained
      assert.equal(typeof op.reference.backward, "function", `${op.kind}: no reference backward (engine/train/kernels)`);
      assert.equal(typeof op.onnx.export, "function", `${op.kind}: no ONNX export`);
      if (op.fast) assert.ok("alias" in op.fast || typeof op.fast.compile === "function", `${op.kind}: a fast slot without a kernel`);
    }
  });

  it("the benchmarked nets run on WebAssembly kernels only: each of their kinds has a fast form", () => {
    for (const file of ["lenet5.cnn", "alexnet.cnn", "vgg16.cnn", "resnet18.cnn", "mobilenetv2.cnn", "inception.cnn"]) {
      const net = analyze(readFileSync(join(root, "examples", file), "utf8"), file).networks[0];
      const slow = new Set(net.graph.filter((n): n is Exclude<GraphNode, { op: "input" }> => n.op !== "input" && !opOf(n).fast).map((n) => n.op));
      assert.deepEqual([...slow], [], `${file}: kinds without a fast form`);
    }
  });
});

describe("engine ops: one layer of each kind", () => {
  for (const kind of catalog) {
    it(`${kind.name}: params, seeded init, reference (float32 and float64), fast, ONNX`, async function () {
      this.timeout(20000);
      const net = layerNetwork(kind);
      const node = net.graph[1];
      const op = opOf(node as Exclude<GraphNode, { op: "input" }>);

      // the tensors PyTorch would hold, as many as the catalog counts
      const specs = paramShapes(node);
      const trainable = specs.filter((s) => s.trainable).reduce((n, s) => n + elements(s.dims), 0);
      assert.equal(BigInt(trainable), node.params, `${kind.name}: the op's trainable tensors hold ${trainable} numbers, the catalog counts ${node.params}`);
      if (node.params > 0n) assert.ok(op.params, `${kind.name} has weights but its op lists no tensors`);
      assert.equal(new Set(specs.map((s) => s.name)).size, specs.length, "tensor names are unique");
      const weights = initWeights(net.graph, 3);
      const again = initWeights(net.graph, 3);
      for (const s of specs) {
        const values = weights.get(node.id)![s.name]!;
        assert.equal(values.length, elements(s.dims), `${kind.name}.${s.name}: ${values.length} values for [${s.dims}]`);
        assert.deepEqual(values, again.get(node.id)![s.name], `${kind.name}.${s.name}: the seed alone decides the values`);
      }

      // reference, float32 and float64; the input is left as it was
      const x = randomInput(sizeOf(net.graph[0].output), 11);
      const copy = x.slice();
      const y = runNode(node, [x], weights.get(node.id));
      assert.ok(y instanceof Float32Array);
      assert.equal(y.length, sizeOf(node.output));
      assert.ok(y.every(Number.isFinite), `${kind.name}: a value is not finite`);
      assert.deepEqual(x, copy, `${kind.name}: the forward changed its input`);
      const y64 = runNode(node, [Float64Array.from(x)], float64(weights.get(node.id)));
      assert.ok(y64 instanceof Float64Array, `${kind.name}: float64 in, ${y64.constructor.name} out`);
      assertAgree(y, y64, 1e-5, `${kind.name} float32 vs float64`);

      // the fast executor, where there is a fast form (else it runs the reference)
      const fast = await new FastExecutor().run(net.graph, weights, x);
      assertAgree(fast, y, 1e-4, `${kind.name} fast vs reference`);
      if (op.fast && "compile" in op.fast) {
        const prepared = await FastNetwork.prepare(net.graph, fromMap(weights), { fuse: false });
        assert.notEqual(prepared.kernels[0], "reference", `${kind.name} has a fast form but ran the reference`);
      }

      // onnxruntime on the exported model
      const reference = await new ReferenceExecutor().run(net.graph, weights, x);
      assertAgree(await onnxOutput(net, weights, x), reference, 1e-4, `${kind.name} onnxruntime vs reference`);
    });
  }
});
