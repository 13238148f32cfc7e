// The op registry's training slots (engine/ops/*: reference.trainForward and .backward,
// filled from engine/train/kernels through engine/train/slots.ts): for one layer of every
// kind of the catalog, built as the catalog builds it, the registry's backward passes the
// float64 finite-difference check with respect to the input, the registry's train-mode
// forward leaves its arguments untouched, and bn reports its running statistics as buffers.

import * as assert from "node:assert/strict";
import { analyze, catalog } from "../../../analysis";
import type { GraphNode } from "../../../analysis/types";
import type { LayerParams } from "../../../engine/api";
import { initWeights } from "../../../engine/init";
import { opOf } from "../../../engine/ops";
import { sizeOf } from "../../../engine/tensor";
import { gradcheck } from "../../../engine/train/gradcheck";
import { seeded } from "./support";

function firstArgument(type: string): string {
  return type === "count" ? "3" : type === "kernel" ? "3x3" : type === "size" ? "1" : type === "probability" ? "0.25" : "0.2";
}

describe("training: the op registry's backward slots", () => {
  for (const kind of catalog) {
    it(`${kind.name}: the registry's backward against float64 finite differences`, () => {
      const statement = [kind.name, ...kind.args.filter((a) => !a.optional).map((a) => firstArgument(a.type))].join(" ");
      const net = analyze(`input 4x4x3\n${statement}\n`, "k.cnn").networks[0];
      assert.ok(net.complete, statement);
      const node = net.graph[1] as Exclude<GraphNode, { op: "input" }>;
      const op = opOf(node);
      assert.ok(op.reference.backward, `${kind.name} has no backward`);
      const batch = 2;
      const params: LayerParams<Float64Array> = {};
      for (const [name, v] of Object.entries(initWeights(net.graph, 4).get(node.id) ?? {})) params[name as keyof LayerParams] = Float64Array.from(v as Float32Array);
      const x = seeded(batch * sizeOf(net.graph[0].output), 6, -1.5, 1.5);
      const before = { x: x.slice(), mean: params.runningMean?.slice() };
      const forward = (inputs: Float64Array[]) => {
        const args = { node, inputs, params, batch, seed: 1, step: 2, momentum: 0.1 } as never;
        if (op.reference.trainForward) return op.reference.trainForward(args) as { output: Float64Array; saved?: unknown; buffers?: Partial<LayerParams<Float64Array>> };
        // a kind without a train-mode forward: its inference forward, sample by sample
        const size = inputs[0].length / batch;
        const out = new Float64Array(batch * sizeOf(node.output));
        for (let n = 0; n < batch; n++) out.set(op.reference.forward({ node, inputs: [inputs[0].subarray(n * size, (n + 1) * size)], params } as never) as Float64Array, (n * out.length) / batch);
        return { output: out };
      };
      const first = forward([x]);
      assert.deepEqual(x, before.x, "the train-mode forward changed its input");
      if (node.op === "bn") {
        assert.deepEqual(params.runningMean, before.mean, "bn's running statistics come back as buffers, the arguments stay");
        assert.ok(first.buffers?.runningMean && first.buffers.runningVar);
        assert.notDeepEqual(first.buffers.runningMean, before.mean);
      }
      const r = gradcheck(
        ([v]) => forward([v]).output,
        ([v], dy) => {
          const f = forward([v]);
          return op.reference.backward!({ node, inputs: [v], params, batch, output: f.output, outputGrad: dy, saved: f.saved } as never).inputGrads as Float64Array[];
        },
        [x],
      );
      assert.equal(r.failure, null, `${kind.name}: ${JSON.stringify(r.failure)}`);
    });
  }
});
