// Every layer kind's backward pass against finite differences (engine/train/gradcheck.ts:
// float64 central differences, the whole Jacobian, PyTorch gradcheck's bound
// |analytic − numeric| ≤ 1e-5 + 1e-3·|numeric|). The layers come from .cnn text through
// the analysis, so each case is a node exactly as the catalog builds it; each is checked
// with respect to its input(s) and its weight and bias, on a batch of 2.

import * as assert from "node:assert/strict";
import type { GraphNode } from "../../../analysis/types";
import { paramShapes } from "../../../engine/init";
import { sizeOf } from "../../../engine/tensor";
import type { TrainParams } from "../../../engine/train/float";
import { gradcheck } from "../../../engine/train/gradcheck";
import type { TrainContext } from "../../../engine/train/kernel";
import { trainKernel } from "../../../engine/train/kernels";
import { softmaxCrossEntropy } from "../../../engine/train/kernels/softmax";
import { backwardPass, forwardPass } from "../../../engine/train/backprop";
import { network as trainNet } from "../nets";
import { seeded } from "./support";

const BATCH = 2;

interface Case {
  name: string;
  text: string;
  /** input values are drawn from [−scale, scale) */
  scale?: number;
  /** eval mode (bn's running statistics, dropout off) instead of training */
  eval?: boolean;
}

const cases: Case[] = [
  { name: "conv: rectangular 3×2, stride 2×1, pad 1, dilation 2, groups 2", text: "input 7x6x4\nconv 6 3x2 stride 2x1 pad 1 dilation 2 groups 2" },
  { name: "conv: even 4×4 filter, pad same (asymmetric), stride 2", text: "input 5x6x3\nconv 3 4x4 pad same stride 2" },
  { name: "conv: nobias, 1×1", text: "input 4x3x5\nconv 2 1x1 nobias" },
  { name: "conv: 5×3 filter, stride 3 misfit, floor", text: "input 9x8x2\nconv 2 5x3 stride 3 floor" },
  { name: "dwconv: 3×3, stride 2, pad 1, multiplier 2", text: "input 6x5x3\ndwconv 3x3 stride 2 pad 1 multiplier 2" },
  { name: "dwconv: dilation 2, nobias", text: "input 7x7x2\ndwconv 3x3 dilation 2 pad 1 nobias" },
  { name: "local: 3×3, stride 2, pad 1", text: "input 6x5x2\nlocal 3 3x3 stride 2 pad 1" },
  { name: "local: 2×3 nobias", text: "input 4x5x2\nlocal 2 2x3 nobias" },
  { name: "deconv: 3×3, stride 2, pad 1, outpad 1, groups 2", text: "input 3x4x4\ndeconv 4 3x3 stride 2 pad 1 outpad 1 groups 2" },
  { name: "deconv: 4×2 rectangular, stride 2×1, dilation 2", text: "input 3x3x2\ndeconv 3 4x2 stride 2x1 dilation 2" },
  { name: "fc: on a volume (flattens C×H×W)", text: "input 3x2x2\nfc 5" },
  { name: "fc: on a vector, nobias", text: "input 3x2x2\nflatten\nfc 4 nobias" },
  { name: "maxpool: 3×3, stride 2, pad 1, ceil", text: "input 6x7x2\nmaxpool 3x3 stride 2 pad 1 ceil" },
  { name: "maxpool: 2×2 stride 1, dilation 2", text: "input 5x5x2\nmaxpool 2x2 stride 1 dilation 2" },
  { name: "maxpool: 2 (default stride), odd size floor", text: "input 5x5x2\nmaxpool 2 floor" },
  { name: "avgpool: 3, stride 2, pad 1, ceil (divisor clipped at the padding)", text: "input 6x6x2\navgpool 3 stride 2 pad 1 ceil" },
  { name: "avgpool: 2×3 rectangular", text: "input 6x6x2\navgpool 2x3" },
  { name: "gap", text: "input 4x3x3\ngap" },
  { name: "gmp", text: "input 4x3x3\ngmp" },
  { name: "adaptiveavgpool 3×2 on 7×5 (overlapping bins)", text: "input 7x5x2\nadaptiveavgpool 3x2" },
  { name: "bn in training: batch statistics over N·H·W", text: "input 3x3x3\nbn" },
  { name: "bn in training on a vector, eps 1e-3", text: "input 3x2x1\nflatten\nbn eps 1e-3" },
  { name: "bn in eval mode: running statistics", text: "input 3x2x3\nbn", eval: true },
  { name: "layernorm over the channels at each position", text: "input 3x2x4\nlayernorm", scale: 2 },
  { name: "layernorm on a vector, eps 1e-3", text: "input 3x2x1\nfc 5\nlayernorm eps 1e-3", scale: 2 },
  { name: "lrn 3", text: "input 2x2x5\nlrn 3", scale: 3 },
  { name: "lrn 4 (even window)", text: "input 2x2x6\nlrn 4", scale: 3 },
  { name: "dropout 0.3 in training (seeded mask)", text: "input 4x4x2\ndropout 0.3" },
  { name: "dropout in eval mode (identity)", text: "input 3x3x2\ndropout 0.5", eval: true },
  { name: "relu", text: "input 4x4x2\nrelu" },
  { name: "relu6 (both kinks in range)", text: "input 4x4x2\nrelu6", scale: 8 },
  { name: "leakyrelu 0.2", text: "input 4x4x2\nleakyrelu 0.2" },
  { name: "elu 0.7", text: "input 4x4x2\nelu 0.7", scale: 2 },
  { name: "gelu", text: "input 4x4x2\ngelu", scale: 3 },
  { name: "silu", text: "input 4x4x2\nsilu", scale: 3 },
  { name: "sigmoid", text: "input 4x4x2\nsigmoid", scale: 3 },
  { name: "tanh", text: "input 4x4x2\ntanh", scale: 2 },
  { name: "hardswish", text: "input 4x4x2\nhardswish", scale: 5 },
  { name: "hardsigmoid", text: "input 4x4x2\nhardsigmoid", scale: 5 },
  { name: "softmax over the channels of a volume", text: "input 3x2x4\nsoftmax", scale: 2 },
  { name: "softmax on a vector", text: "input 3x2x1\nfc 6\nsoftmax", scale: 2 },
  { name: "upsample 2", text: "input 3x2x2\nupsample 2" },
  { name: "pad 1", text: "input 3x2x2\npad 1" },
  { name: "flatten", text: "input 3x2x2\nflatten" },
  { name: "residual (add of two paths)", text: "input 3x3x2\nresidual { conv 2 3x3 pad 1 }" },
  { name: "add of three branches", text: "input 3x3x2\nadd { branch { relu } branch { } branch { tanh } }" },
  { name: "concat of branches (channels stacked per sample)", text: "input 3x3x2\nconcat { branch { conv 3 1x1 } branch { } branch { maxpool 3 stride 1 pad 1 } }" },
  // the modern vocabulary (issue 13): backward in the op modules, trained through their slots
  { name: "layerscale", text: "input 3x2x4\nlayerscale init 0.5" },
  { name: "slice 1 3 of 5 channels", text: "input 3x2x5\nslice 1 3" },
  { name: "shuffle 3 of 6 channels", text: "input 3x2x6\nshuffle 3" },
  { name: "droppath 0.5 in training (whole samples dropped, seeded)", text: "input 3x2x2\ndroppath 0.5" },
  { name: "droppath in eval mode (identity)", text: "input 3x2x2\ndroppath 0.5", eval: true },
  { name: "mul: a 1×1×D gate times every position (squeeze-and-excitation)", text: "input 3x2x4\nmul { branch { relu } branch { gap } }" },
  { name: "mul of three full-size branches", text: "input 3x2x3\nmul { branch { relu } branch { sigmoid } branch { tanh } }" },
  { name: "mul of one input by itself (two empty branches)", text: "input 3x2x3\nmul { branch { } branch { } }" },
];

function context(training: boolean): TrainContext {
  return { batch: BATCH, training, seed: 5, step: 3 };
}

/** the node's trainable tensors, seeded; bn also gets running statistics */
function paramsFor(node: GraphNode, seed: number): { trainable: [keyof TrainParams, Float64Array][]; fixed: TrainParams } {
  const trainable: [keyof TrainParams, Float64Array][] = [];
  const fixed: TrainParams = {};
  paramShapes(node).forEach((s, k) => {
    const n = s.dims.reduce((a, b) => a * b, 1);
    if (s.name === "runningMean") fixed.runningMean = seeded(n, seed + 10 + k, -0.5, 0.5);
    else if (s.name === "runningVar") fixed.runningVar = seeded(n, seed + 10 + k, 0.5, 2);
    else trainable.push([s.name, seeded(n, seed + 10 + k, node.op === "bn" && s.name === "weight" ? 0.5 : -1, node.op === "bn" && s.name === "weight" ? 1.5 : 1)]);
  });
  return { trainable, fixed };
}

function checkNode(node: GraphNode, all: GraphNode[], c: Case, seed: number): number {
  const kernel = trainKernel(node.op);
  assert.ok(kernel, `${node.op} has a training kernel`);
  const ctx = context(!c.eval);
  const scale = c.scale ?? 1;
  const inputs = node.inputs.map((i, k) => seeded(BATCH * sizeOf(all[i].output), seed + k, -scale, scale));
  const { trainable, fixed } = paramsFor(node, seed);
  const values = [...inputs, ...trainable.map(([, v]) => v)];
  const split = (vs: Float64Array[]) => {
    const params: TrainParams = { ...fixed };
    trainable.forEach(([name], k) => (params[name] = vs[inputs.length + k]));
    return { xs: vs.slice(0, inputs.length), params };
  };
  const f = (vs: Float64Array[]) => {
    const { xs, params } = split(vs);
    return Float64Array.from(kernel!.forward(node, xs, params, ctx).output);
  };
  const vjp = (vs: Float64Array[], dy: Float64Array) => {
    const { xs, params } = split(vs);
    const fwd = kernel!.forward(node, xs, params, ctx);
    const g = kernel!.backward(node, dy, xs, fwd, params, ctx, xs.map(() => true));
    return [...g.inputs, ...trainable.map(([name]) => g.params?.[name] ?? null)] as (Float64Array | null)[];
  };
  const r = gradcheck(f, vjp, values);
  assert.equal(r.failure, null, `${node.op} (node ${node.id}): ${JSON.stringify(r.failure)}`);
  assert.ok(r.entries > 0);
  return r.entries;
}

describe("training: every layer kind's backward pass against float64 finite differences", () => {
  for (const c of cases) {
    it(c.name, () => {
      const net = trainNet(c.text);
      let entries = 0;
      for (const node of net.graph) if (node.op !== "input") entries += checkNode(node, net.graph, c, node.id * 7 + 1);
      assert.ok(entries > 0);
    });
  }

  it("gradcheck itself fails a wrong backward pass (a relu whose gradient is doubled)", () => {
    const node = trainNet("input 3x3x1\nrelu").graph[1];
    const kernel = trainKernel("relu")!;
    const ctx = context(true);
    const x = seeded(2 * 9, 3);
    const r = gradcheck(
      ([v]) => Float64Array.from(kernel.forward(node, [v], undefined, ctx).output),
      ([v], dy) => [Float64Array.from(kernel.backward(node, dy, [v], kernel.forward(node, [v], undefined, ctx), undefined, ctx, [true]).inputs[0]!, (g) => 2 * g)],
      [x],
    );
    assert.notEqual(r.failure, null);
  });
});

describe("training: a whole network's loss gradient against finite differences", () => {
  const text = `network Mixed {
  input 5x5x2
  conv 4 3x3 pad 1
  bn
  relu
  residual { conv 4 3x3 pad 1 nobias; bn; tanh } shortcut { conv 4 1x1 nobias; bn }
  concat { branch { avgpool 2 stride 1 } branch { maxpool 2 stride 1; conv 2 1x1 } }
  lrn 3
  gap
  fc 6
  elu
  dropout 0.2
  fc 3
  softmax
}`;
  it("conv, bn, residual with a projection shortcut, concat, lrn, gap, fc, dropout, cross-entropy after the final softmax", () => {
    const net = trainNet(text);
    const graph = net.graph;
    const ctx: TrainContext = { batch: 3, training: true, seed: 1, step: 0 };
    const targets = [2, 0, 1];
    const learners = graph.filter((n) => paramShapes(n).length > 0);
    const tensors: { id: number; name: keyof TrainParams }[] = [];
    const values: Float64Array[] = [];
    const fixed = new Map<number, TrainParams>();
    for (const node of learners) {
      const { trainable, fixed: f } = paramsFor(node, node.id * 13);
      fixed.set(node.id, f);
      for (const [name, v] of trainable) {
        tensors.push({ id: node.id, name });
        values.push(v);
      }
    }
    const input = seeded(3 * sizeOf(graph[0].output), 99);
    const paramsOf = (vs: Float64Array[]) => {
      const map = new Map<number, TrainParams>();
      for (const [id, f] of fixed) map.set(id, { ...f });
      tensors.forEach((t, k) => (map.get(t.id)![t.name] = vs[k]));
      return (node: GraphNode) => map.get(node.id);
    };
    const loss = (vs: Float64Array[]) => {
      const pass = forwardPass(graph, paramsOf(vs), input, ctx);
      return Float64Array.of(softmaxCrossEntropy(pass.scores, targets, 3, 3).loss);
    };
    const vjp = (vs: Float64Array[], dy: Float64Array) => {
      const p = paramsOf(vs);
      const pass = forwardPass(graph, p, input, ctx);
      const l = softmaxCrossEntropy(pass.scores, targets, 3, 3);
      const scaled = Float64Array.from(l.gradient, (g) => g * dy[0]);
      const grads = backwardPass(graph, p, pass, scaled);
      return tensors.map((t) => (grads.get(t.id)?.[t.name] as Float64Array | undefined) ?? null);
    };
    const r = gradcheck(loss, vjp, values);
    assert.equal(r.failure, null, JSON.stringify(r.failure));
    assert.equal(r.entries, values.reduce((n, v) => n + v.length, 0));
  });
});
