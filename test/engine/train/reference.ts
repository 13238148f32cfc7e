// The float64 reference for optimizer steps (steps.test.ts, cli-train.test.ts): the loss
// gradient by central differences of the float64 forward pass (not by the backward pass),
// the update equations of torch.optim.SGD and torch.optim.Adam written out again, bn's
// running statistics from one training forward per step.

import * as assert from "node:assert/strict";
import type { GraphNode, NetworkResult } from "../../../analysis/types";
import type { NetworkWeights } from "../../../engine/api";
import { initWeights, paramShapes } from "../../../engine/init";
import { sizeOf } from "../../../engine/tensor";
import { forwardPass } from "../../../engine/train/backprop";
import type { Dataset } from "../../../engine/train/data";
import type { TrainParams } from "../../../engine/train/float";
import { softmaxCrossEntropy } from "../../../engine/train/kernels/softmax";
import { optimizerSettings, type OptimizerSettings } from "../../../engine/train/optim";
import { seeded } from "./support";

export const STEP_NETS: Record<string, string> = {
  "conv/relu/pool/fc": "input 6x6x1\nconv 3 3x3 pad 1\nrelu\nmaxpool 2\nfc 3",
  "bn with a projection residual": `input 4x4x2
conv 4 3x3 pad 1 nobias
bn
relu
residual { conv 4 3x3 pad 1 nobias; bn; relu; conv 4 3x3 pad 1 nobias; bn } shortcut { conv 4 1x1 nobias; bn }
relu
gap
fc 3`,
  "concat branches ending in softmax": `input 5x5x2
concat { branch { conv 2 1x1 } branch { conv 2 3x3 pad 1; relu } branch { avgpool 3 stride 1 pad 1 } }
flatten
fc 3
softmax`,
};

/** a small labelled set: `count` seeded pictures of the input's size, classes 0,1,2,0,… */
export function seededDataset(net: NetworkResult, count: number, seed: number): Dataset {
  const size = sizeOf(net.graph[0].output);
  return {
    description: "seeded",
    classes: ["a", "b", "c"],
    size: count,
    inputs: Float32Array.from(seeded(count * size, seed, 0, 1)),
    labels: Int32Array.from({ length: count }, (_, i) => i % 3),
    names: Array.from({ length: count }, (_, i) => `#${i}`),
  };
}

/** seeded weights with bn's γ, β and running statistics moved off their defaults */
export function startingWeights(net: NetworkResult, seed: number): NetworkWeights {
  const w = initWeights(net.graph, seed);
  for (const node of net.graph) {
    const p = w.get(node.id);
    if (node.op !== "bn" || !p) continue;
    const c = p.weight!.length;
    p.weight = Float32Array.from(seeded(c, seed + node.id, 0.5, 1.5));
    p.bias = Float32Array.from(seeded(c, seed + node.id + 1, -0.5, 0.5));
    p.runningMean = Float32Array.from(seeded(c, seed + node.id + 2, -0.2, 0.2));
    p.runningVar = Float32Array.from(seeded(c, seed + node.id + 3, 0.5, 2));
  }
  return w;
}

type Tensors = Map<number, Record<string, Float64Array>>;

function toFloat64(net: NetworkResult, w: NetworkWeights): Tensors {
  const out: Tensors = new Map();
  for (const node of net.graph) {
    const p = w.get(node.id);
    if (!p || paramShapes(node).length === 0) continue;
    const t: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(p)) if (v) t[k] = Float64Array.from(v as Float32Array);
    out.set(node.id, t);
  }
  return out;
}

/** the float64 reference: `steps` steps, batches in order, gradients by central differences */
export function referenceSteps(net: NetworkResult, start: NetworkWeights, data: Dataset, batch: number, steps: number, o: OptimizerSettings): Tensors {
  const graph = net.graph;
  const params = toFloat64(net, start);
  const size = sizeOf(graph[0].output);
  const state = new Map<string, { m: Float64Array; v: Float64Array; buf: Float64Array | null; t: number }>();
  const trainable: { id: number; name: string }[] = [];
  for (const [id, t] of params) for (const name of ["weight", "bias"]) if (t[name]) trainable.push({ id, name });
  const perEpoch = Math.ceil(data.size / batch);
  for (let s = 0; s < steps; s++) {
    const first = (s % perEpoch) * batch;
    const n = Math.min(batch, data.size - first);
    const x = Float64Array.from(data.inputs.subarray(first * size, (first + n) * size));
    const labels = data.labels.subarray(first, first + n);
    // a forward on copies, so finite differences never touch the running statistics
    const lossAt = (): number => {
      const copy = new Map<number, TrainParams>();
      for (const [id, t] of params) copy.set(id, Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Float64Array.from(v)])));
      const pass = forwardPass(graph, (node: GraphNode) => copy.get(node.id), x, { batch: n, training: true, seed: 0, step: s });
      return softmaxCrossEntropy(pass.scores, labels, n, data.classes.length).loss;
    };
    const grads = trainable.map(({ id, name }) => {
      const p = params.get(id)![name];
      const g = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) {
        const keep = p[i];
        const h = 1e-6;
        p[i] = keep + h;
        const plus = lossAt();
        p[i] = keep - h;
        const minus = lossAt();
        p[i] = keep;
        g[i] = (plus - minus) / (2 * h);
      }
      return g;
    });
    // bn's running statistics: one training forward at the step's parameters
    forwardPass(graph, (node: GraphNode) => params.get(node.id) as TrainParams | undefined, x, { batch: n, training: true, seed: 0, step: s });
    trainable.forEach(({ id, name }, k) => {
      const p = params.get(id)![name];
      const g = grads[k];
      const key = `${id}.${name}`;
      let st = state.get(key);
      if (!st) state.set(key, (st = { m: new Float64Array(p.length), v: new Float64Array(p.length), buf: null, t: 0 }));
      st.t++;
      for (let i = 0; i < p.length; i++) {
        const d = g[i] + o.weightDecay * p[i];
        if (o.kind === "sgd") {
          let step = d;
          if (o.momentum !== 0) {
            st.buf ??= new Float64Array(p.length);
            st.buf[i] = st.t === 1 ? d : o.momentum * st.buf[i] + d;
            step = st.buf[i];
          }
          p[i] -= o.lr * step;
        } else {
          st.m[i] = o.beta1 * st.m[i] + (1 - o.beta1) * d;
          st.v[i] = o.beta2 * st.v[i] + (1 - o.beta2) * d * d;
          const mHat = st.m[i] / (1 - o.beta1 ** st.t);
          const vHat = st.v[i] / (1 - o.beta2 ** st.t);
          p[i] -= (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
        }
      }
    });
  }
  return params;
}

export function assertMatches(net: NetworkResult, got: NetworkWeights, expected: Tensors, what: string): void {
  for (const [id, tensors] of expected) {
    for (const [name, ref] of Object.entries(tensors)) {
      const ours = got.get(id)?.[name as keyof TrainParams];
      assert.ok(ours, `${what}: node ${id} ${name} missing`);
      let max = 0;
      for (const v of ref) max = Math.max(max, Math.abs(v));
      const bound = 1e-4 * Math.max(1, max);
      for (let i = 0; i < ref.length; i++) {
        assert.ok(Math.abs(ours[i] - ref[i]) <= bound, `${what}: ${net.graph[id].op} (node ${id}) ${name}[${i}] = ${ours[i]}, the reference ${ref[i]} (bound ${bound})`);
      }
    }
  }
}

export const SGD = optimizerSettings({ kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
export const ADAM = optimizerSettings({ kind: "adam", lr: 0.01, weightDecay: 0.001 });

