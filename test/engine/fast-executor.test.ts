// The fast executor's own promises: what it fuses, that its arena follows liveness, that
// seeded weights packed layer by layer equal initWeights', that a run can be cancelled,
// and that engine/fast bundles for a browser Worker with no Node API.

import * as assert from "node:assert/strict";
import { join } from "node:path";
import { build } from "esbuild";
import { FastExecutor } from "../../engine/fast/executor";
import { FastNetwork } from "../../engine/fast/network";
import { planSteps } from "../../engine/fast/plan";
import { fromMap, seeded } from "../../engine/fast/sources";
import { planArena, paddedBytes } from "../../engine/fast/arena";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { network } from "./nets";

const root = join(__dirname, "..", "..", "..");

const basicBlock = "input 8x8x16\nconv 16 3x3 pad 1 nobias\nbn\nrelu\nresidual {\n  conv 16 3x3 pad 1 nobias\n  bn\n  relu\n  conv 16 3x3 pad 1 nobias\n  bn\n}\nrelu\ngap\nfc 10";

describe("fast executor: plan", () => {
  it("folds bn into the conv before it, adds the residual and applies relu in the epilogue", () => {
    const net = network(basicBlock);
    const steps = planSteps(net.graph, true).map((s) => s.covers.map((n) => n.op).join("+"));
    assert.deepEqual(steps, ["input", "conv+bn+relu", "conv+bn+relu", "conv+bn+add+relu", "gap", "fc"]);
  });

  it("fuses nothing when every layer is traced", () => {
    const net = network(basicBlock);
    const steps = planSteps(net.graph, false);
    assert.equal(steps.length, net.graph.length);
    assert.ok(steps.every((s) => s.covers.length === 1));
  });

  it("an add whose operands both come from convs is absorbed by one of them only", () => {
    const net = network("input 8x8x4\nresidual {\n  conv 6 3x3 stride 2 pad 1 floor\n  bn\n} shortcut {\n  conv 6 1x1 stride 2 floor\n  bn\n}\nrelu");
    const steps = planSteps(net.graph, true);
    const adds = steps.filter((s) => s.covers.some((n) => n.op === "add"));
    assert.equal(adds.length, 1);
    assert.notEqual(adds[0].residual, null);
    // it runs after the step that makes its residual
    const producer = steps.findIndex((s) => s.output === adds[0].residual);
    assert.ok(producer >= 0 && producer < steps.indexOf(adds[0]));
  });
});

describe("fast executor: memory", () => {
  it("the arena reuses bytes of buffers whose lives do not overlap", () => {
    const mb = 1 << 20;
    const { offsets, size } = planArena([
      { id: 0, bytes: mb, first: 0, last: 1 },
      { id: 1, bytes: mb, first: 1, last: 2 },
      { id: 2, bytes: mb, first: 2, last: 3 },
      { id: 3, bytes: mb, first: 3, last: 4 },
    ]);
    assert.equal(size, 2 * paddedBytes(mb), "a chain needs two buffers, not four");
    assert.equal(offsets.get(0), offsets.get(2));
    assert.notEqual(offsets.get(0), offsets.get(1));
  });

  it("a chain of ten equal convolutions keeps two activations, not ten", async () => {
    const text = `input 32x32x8\n${Array.from({ length: 10 }, () => "conv 8 3x3 pad 1\nrelu").join("\n")}`;
    const net = network(text);
    const prepared = await FastNetwork.prepare(net.graph, seeded(1));
    const activation = 4 * 32 * 32 * 8;
    assert.ok(prepared.memory.arena <= 2 * paddedBytes(activation), `arena ${prepared.memory.arena} B`);
  });

  it("seeded weights packed layer by layer equal initWeights', and the fc matrix is written once", async () => {
    const net = network("input 16x16x3\nconv 8 3x3 pad 1\nbn\nrelu\nmaxpool 2x2\nfc 300\nrelu\nfc 10");
    const input = networkInput(net.graph[0], { sample: "noise" }, 2).data;
    const fromSeed = await FastNetwork.prepare(net.graph, seeded(9));
    const weights = initWeights(net.graph, 9);
    const expected = await new ReferenceExecutor().run(net.graph, weights, input);
    const got = await fromSeed.run(input);
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(got[i] - expected[i]) <= 1e-5, `value ${i}`);
    const fcBytes = 4 * 8 * 8 * 8 * 300;
    assert.ok(fromSeed.memory.weights < 1.5 * fcBytes, `weights region ${fromSeed.memory.weights} B for a ${fcBytes} B fc matrix`);
  });

  it("prepares once per (graph, weights) and reuses it", async () => {
    const net = network("input 8x8x2\nconv 4 3x3\nrelu");
    const weights = initWeights(net.graph, 1);
    const fast = new FastExecutor();
    assert.equal(await fast.network(net.graph, weights), await fast.network(net.graph, weights));
    const prepared = await FastNetwork.prepare(net.graph, fromMap(weights));
    assert.notEqual(await fast.network(net.graph, weights), prepared);
  });
});

describe("fast executor: runs", () => {
  it("a cancelled run stops with an AbortError", async () => {
    const net = network(basicBlock);
    const weights = initWeights(net.graph, 1);
    const input = networkInput(net.graph[0], {}, 1).data;
    const controller = new AbortController();
    let layers = 0;
    await assert.rejects(
      new FastExecutor().run(net.graph, weights, input, {
        signal: controller.signal,
        onLayer: () => {
          if (++layers === 3) controller.abort();
        },
      }),
      (e: Error) => e.name === "AbortError",
    );
    assert.equal(layers, 3);
  });

  it("refuses an input of the wrong size", async () => {
    const net = network("input 4x4x1\nconv 2 3x3");
    await assert.rejects(new FastExecutor().run(net.graph, initWeights(net.graph, 0), new Float32Array(15)), /15 values, the network expects 16/);
  });
});

describe("fast executor: one code base for Node and the browser", function () {
  this.timeout(60_000);
  it("engine/fast bundles for a browser Worker with no Node built-in", async () => {
    const result = await build({
      entryPoints: [join(root, "engine", "fast", "executor.ts")],
      bundle: true,
      write: false,
      platform: "browser",
      format: "iife",
      logLevel: "silent",
    });
    const code = result.outputFiles[0].text;
    assert.ok(code.includes("WebAssembly.compile"));
    assert.doesNotMatch(code, /require\(|from "node:|process\.|Buffer\./);
  });
});
