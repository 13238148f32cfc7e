// The WebAssembly kernels against the reference kernels (the naive loops, themselves
// checked against onnxruntime in onnx-diff.test.ts), one small network per case, named
// by its parameters. Each runs fused (the bench's path) and traced (every layer, the run
// view's path); sizes are chosen to hit the kernels' edges: partial register tiles,
// Kd past one KC block, N past one NC block, partial Winograd tiles, odd row lengths.

import * as assert from "node:assert/strict";
import type { NetworkWeights } from "../../engine/api";
import { FastExecutor } from "../../engine/fast/executor";
import { FastNetwork } from "../../engine/fast/network";
import { fromMap } from "../../engine/fast/sources";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { network } from "./nets";
import { kernelCases as cases } from "./kernel-cases";
import { enableRelaxedSimd } from "../../engine/wasm/relaxed-node";

/** |fast − ref| ≤ 2e-5 · max(1, max |ref|) over every value */
function assertNear(fast: Float32Array, ref: Float32Array, what: string): void {
  assert.equal(fast.length, ref.length, `${what}: length`);
  let top = 0;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < ref.length; i++) {
    top = Math.max(top, Math.abs(ref[i]));
    const d = Math.abs(fast[i] - ref[i]);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  assert.ok(worst <= 2e-5 * Math.max(1, top), `${what}: value ${at} is ${fast[at]}, the reference ${ref[at]} (max |ref| ${top})`);
}

async function compare(text: string, kernel: string | null, relaxed: boolean): Promise<void> {
  const net = network(text);
  const weights: NetworkWeights = initWeights(net.graph, 5);
  const input = networkInput(net.graph[0], { sample: "noise" }, 5).data;
  const refLayers = new Map<number, Float32Array>();
  const ref = await new ReferenceExecutor().run(net.graph, weights, input, { onLayer: (t) => refLayers.set(t.node.id, t.output) });
  const fast = new FastExecutor({ relaxed });
  assertNear(await fast.run(net.graph, weights, input), ref, "fused");
  const seen: number[] = [];
  const traced = await fast.run(net.graph, weights, input, {
    onLayer: (t) => {
      seen.push(t.node.id);
      assertNear(t.output, refLayers.get(t.node.id)!, `layer ${t.node.id} (${t.node.op})`);
    },
  });
  assertNear(traced, ref, "traced");
  assert.deepEqual(seen, net.graph.map((n) => n.id), "every layer is traced once, in order");
  if (kernel) {
    const prepared = await FastNetwork.prepare(net.graph, fromMap(weights), { relaxed });
    assert.ok(prepared.kernels.includes(kernel), `runs on the ${kernel} kernel (got ${prepared.kernels.join(", ")})`);
  }
}


// both instruction sets: plain SIMD (mul + add, the 4×8 tile) and relaxed SIMD (fused
// multiply-add, the 6×8 tile), which `cnn` turns on in Node 20 (engine/wasm/relaxed-node.ts)
const relaxedHere = enableRelaxedSimd();

describe("WebAssembly kernels vs the reference kernels", function () {
  this.timeout(60_000);
  it("relaxed SIMD is there once cnn's flag is on (Node 20: --experimental-wasm-relaxed-simd)", () => assert.ok(relaxedHere));
  for (const relaxed of [false, true])
    for (const [label, text, kernel] of cases) it(`${label}, ${relaxed ? "relaxed" : "plain"} SIMD`, () => compare(text, kernel, relaxed));
});

describe("WebAssembly max pooling: a NaN in a window gives NaN, as PyTorch's max_pool2d", () => {
  for (const [label, text] of [
    ["3×3 stride 2 (three loads a row)", "input 19x9x2\nmaxpool 3x3 stride 2 pad 1"],
    ["2×2 stride 2 (two loads of two rows, no padded copy)", "input 19x9x2\nmaxpool 2x2"],
    ["2×2 stride 1 (the generic loops, no padded copy)", "input 19x9x2\nmaxpool 2x2 stride 1"],
    ["2×2 stride 3 (the generic loops over a padded copy)", "input 19x9x2\nmaxpool 2x2 stride 3"],
  ])
    it(label, async () => {
      const net = network(text);
      const input = networkInput(net.graph[0], { sample: "noise" }, 3).data;
      for (const at of [0, 20, 77, 200, 341]) input[at] = NaN;
      const ref = await new ReferenceExecutor().run(net.graph, new Map(), input);
      const fast = await new FastExecutor().run(net.graph, new Map(), input);
      assert.equal(fast.length, ref.length);
      assert.ok(ref.some(Number.isNaN) && ref.some((x) => !Number.isNaN(x)), "the case has windows with and without a NaN");
      ref.forEach((x, i) => assert.ok(Number.isNaN(x) ? Number.isNaN(fast[i]) : x === fast[i], `output ${i}: ${fast[i]}, the reference ${x}`));
    });
  // planes without a NaN take pmax (kernels/window.ts), a plane with one max: both in one call
  for (const text of ["input 19x9x3\nmaxpool 3x3 stride 2 pad 1", "input 19x9x3\nmaxpool 2x2"])
    it(`a NaN in the middle plane only, the outer two without: ${text.split("\n")[1]}`, async () => {
      const net = network(text);
      const input = networkInput(net.graph[0], { sample: "noise" }, 4).data;
      input[171 + 40] = NaN;
      input[171 + 170] = NaN;
      const ref = await new ReferenceExecutor().run(net.graph, new Map(), input);
      const fast = await new FastExecutor().run(net.graph, new Map(), input);
      const plane = fast.length / 3;
      assert.ok(ref.slice(plane, 2 * plane).some(Number.isNaN), "the middle plane has NaN outputs");
      assert.ok(!ref.slice(0, plane).some(Number.isNaN) && !ref.slice(2 * plane).some(Number.isNaN), "the outer planes have none");
      ref.forEach((x, i) => assert.ok(Number.isNaN(x) ? Number.isNaN(fast[i]) : x === fast[i], `output ${i}: ${fast[i]}, the reference ${x}`));
    });
});
