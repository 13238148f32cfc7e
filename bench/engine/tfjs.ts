// TensorFlow.js on its WebAssembly backend (XNNPACK inside) or its plain-JS CPU backend,
// given its best chance: weights converted once to its layouts (NHWC activations, HWIO
// filters, fc rows permuted to NHWC order, batch norm folded), convolutions as its fused
// ops with bias and activation, the same steps our planner makes (engine/fast/plan.ts).
// Each kind it can run is one entry of `layers`; a net with any other kind is not
// benchmarked here.

import { createRequire } from "node:module";
import type { NetworkResult, NodeOf } from "../../analysis";
import type { NetworkWeights } from "../../engine/api";
import { planSteps, type Step } from "../../engine/fast/plan";
import type { Affine } from "../../engine/fast/steps/context";
import { windowGeometry } from "../../engine/geometry";
import { initWeights } from "../../engine/init";
import { opOf, type OpKind } from "../../engine/ops";
import { isDepthwise } from "../../engine/ops/conv";
import { planesOf, sizeOf } from "../../engine/tensor";
import { Unavailable, type BenchEngine } from "./adapter";

type Tf = typeof import("@tensorflow/tfjs-core");
type Tensor = import("@tensorflow/tfjs-core").Tensor;
type Tensor4D = import("@tensorflow/tfjs-core").Tensor4D;

interface TfContext<K extends OpKind> {
  tf: Tf;
  node: NodeOf<K>;
  step: Step;
  /** the head's inputs' values */
  xs: Tensor[];
  /** what `prepare` made */
  kept: Tensor[];
  /** the value of another node (an absorbed residual) */
  value(id: number): Tensor;
}

interface TfLayer<K extends OpKind> {
  /** the layer's tensors in tfjs' layouts, made once (not timed) */
  prepare?(tf: Tf, node: NodeOf<K>, step: Step, weights: NetworkWeights): Tensor[];
  run(c: TfContext<K>): Tensor;
}

const activation = (act: number): "relu" | "relu6" | "linear" => (act === 1 ? "relu" : act === 2 ? "relu6" : "linear");
const activate = (tf: Tf, y: Tensor, act: number): Tensor => (act === 0 ? y : act === 1 ? tf.relu(y) : tf.relu6(y));

/** the folded batch norm of a step, identity when there is none */
function norm(step: Step, weights: NetworkWeights, channels: number): Affine {
  if (step.norm) return step.norm.affine(weights.get(step.norm.node.id) ?? {});
  return { gain: new Float64Array(channels).fill(1), offset: new Float64Array(channels) };
}

const conv: TfLayer<"conv" | "dwconv"> = {
  prepare(tf, node, step, weights) {
    // PyTorch [K][C/G][kh][kw] → HWIO (or [kh][kw][C][M] depthwise), batch norm folded
    const p = weights.get(node.id)!;
    const g = windowGeometry(node, node.attrs.groups);
    const depthwise = isDepthwise(node);
    if (!depthwise && g.groups !== 1) throw new Error("tfjs: grouped convolution is not benchmarked");
    const K = g.outChannels;
    const Cg = g.inChannels / g.groups;
    const taps = g.kernelHeight * g.kernelWidth;
    const { gain, offset } = norm(step, weights, K);
    const filter = new Float32Array(p.weight!.length);
    for (let k = 0; k < K; k++)
      for (let c = 0; c < Cg; c++)
        for (let t = 0; t < taps; t++) {
          // depthwise: out channel k = c·M + m reads input c; HWIO index t·C·M + k
          filter[depthwise ? t * K + k : (t * Cg + c) * K + k] = p.weight![(k * Cg + c) * taps + t] * gain[k];
        }
    const bias = new Float32Array(K);
    for (let k = 0; k < K; k++) bias[k] = (p.bias ? p.bias[k] : 0) * gain[k] + offset[k];
    const shape: [number, number, number, number] = depthwise ? [g.kernelHeight, g.kernelWidth, g.inChannels, K / g.inChannels] : [g.kernelHeight, g.kernelWidth, g.inChannels, K];
    return [tf.tensor4d(filter, shape), tf.tensor1d(bias)];
  },
  run({ tf, node, step, xs, kept, value }) {
    const g = windowGeometry(node, node.attrs.groups);
    // an average pool our planner folded into the convolution (engine/fast/plan.ts) runs after it here
    const late = step.residual !== null || step.pool !== null;
    const symmetric = g.padTop === g.padBottom && g.padLeft === g.padRight && g.padTop === g.padLeft;
    const explicit = [[0, 0], [g.padTop, g.padBottom], [g.padLeft, g.padRight], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
    const args = {
      x: xs[0] as Tensor4D,
      filter: kept[0] as Tensor4D,
      bias: kept[1],
      strides: [g.strideHeight, g.strideWidth] as [number, number],
      dilations: [g.dilationHeight, g.dilationWidth] as [number, number],
      activation: late ? ("linear" as const) : activation(step.act),
    };
    let y: Tensor;
    if (isDepthwise(node)) {
      if (!symmetric) throw new Error("tfjs: depthwise convolution with uneven padding is not benchmarked");
      y = tf.fused.depthwiseConv2d({ ...args, pad: g.padTop });
    } else y = tf.fused.conv2d({ ...args, pad: symmetric ? g.padTop : explicit });
    if (step.pool) y = avgPoolOf(tf, step.pool as NodeOf<"avgpool">, y);
    if (step.residual !== null) y = tf.add(y, value(step.residual));
    return late ? activate(tf, y, step.act) : y;
  },
};

const fc: TfLayer<"fc"> = {
  prepare(tf, node, step, weights) {
    // [N][n_in] in C×H×W order → [n_in][N] in H×W×C order (what a reshape of NHWC gives)
    const p = weights.get(node.id)!;
    const N = sizeOf(node.output);
    const nIn = p.weight!.length / N;
    const s = planesOf(node.input!);
    const { gain, offset } = norm(step, weights, N);
    const matrix = new Float32Array(nIn * N);
    const plane = s.height * s.width;
    for (let n = 0; n < N; n++)
      for (let c = 0; c < s.channels; c++)
        for (let i = 0; i < plane; i++) matrix[(i * s.channels + c) * N + n] = p.weight![n * nIn + c * plane + i] * gain[n];
    const bias = new Float32Array(N);
    for (let n = 0; n < N; n++) bias[n] = (p.bias ? p.bias[n] : 0) * gain[n] + offset[n];
    return [tf.tensor2d(matrix, [nIn, N]), tf.tensor1d(bias)];
  },
  run: ({ tf, xs, kept, step }) => tf.fused.matMul({ a: tf.reshape(xs[0], [1, -1]), b: kept[0], bias: kept[1], activation: activation(step.act) }),
};

const bn: TfLayer<"bn"> = {
  prepare(tf, node, _step, weights) {
    const { gain, offset } = opOf(node).affine!(node, weights.get(node.id) ?? {});
    return [tf.tensor1d(Float32Array.from(gain)), tf.tensor1d(Float32Array.from(offset))];
  },
  run: ({ tf, xs, kept, step }) => activate(tf, tf.add(tf.mul(xs[0], kept[0]), kept[1]), step.act),
};

function poolOf(f: (tf: Tf) => Tf["maxPool"], tf: Tf, node: NodeOf<"maxpool" | "avgpool">, x: Tensor): Tensor {
  const g = windowGeometry(node);
  if (node.attrs.ceil || g.padTop !== g.padBottom || g.padLeft !== g.padRight || g.padTop !== g.padLeft) throw new Error("tfjs: this pool is not benchmarked");
  return f(tf)(x as Tensor4D, [g.kernelHeight, g.kernelWidth], [g.strideHeight, g.strideWidth], g.padTop);
}

const avgPoolOf = (tf: Tf, node: NodeOf<"avgpool">, x: Tensor) => poolOf((tf) => tf.avgPool, tf, node, x);

function windowPool<K extends "maxpool" | "avgpool">(f: (tf: Tf) => Tf["maxPool"]): TfLayer<K> {
  return { run: ({ tf, node, xs }) => poolOf(f, tf, node, xs[0]) };
}

const same = <K extends OpKind>(): TfLayer<K> => ({ run: ({ xs }) => xs[0] });

const layers: Partial<{ [K in OpKind]: TfLayer<K> }> = {
  conv,
  dwconv: conv,
  fc,
  bn,
  maxpool: windowPool((tf) => tf.maxPool),
  avgpool: windowPool((tf) => tf.avgPool),
  gap: { run: ({ tf, xs }) => tf.mean(xs[0], [1, 2], true) },
  add: { run: ({ tf, xs, step }) => activate(tf, xs.slice(1).reduce((a, b) => tf.add(a, b), xs[0]), step.act) },
  concat: { run: ({ tf, xs }) => tf.concat(xs, xs[0].rank === 4 ? 3 : 1) },
  flatten: same(),
  dropout: same(),
  relu: { run: ({ tf, xs }) => tf.relu(xs[0]) },
  relu6: { run: ({ tf, xs }) => tf.relu6(xs[0]) },
  sigmoid: { run: ({ tf, xs }) => tf.sigmoid(xs[0]) },
  tanh: { run: ({ tf, xs }) => tf.tanh(xs[0]) },
  softmax: { run: ({ tf, xs }) => tf.softmax(xs[0]) },
};

function layerOf(node: NodeOf<OpKind>): TfLayer<OpKind> {
  const layer = layers[node.op] as TfLayer<OpKind> | undefined;
  if (!layer) throw new Error(`tfjs: ${node.op} is not benchmarked`);
  return layer;
}

export async function tfjs(net: NetworkResult, seed: number, backend: "wasm" | "cpu", threads = 1): Promise<BenchEngine> {
  const require = createRequire(__filename);
  const tf: Tf = require("@tensorflow/tfjs-core");
  const version = require("@tensorflow/tfjs-core/package.json").version;
  if (backend === "cpu" && threads !== 1) throw new Unavailable(`tfjs-backend-cpu ${version} is plain JavaScript: one thread`);
  if (backend === "wasm") require("@tensorflow/tfjs-backend-wasm").setThreadsCount(threads);
  else require("@tensorflow/tfjs-backend-cpu");
  await tf.setBackend(backend);
  await tf.ready();
  const got = backend === "wasm" ? require("@tensorflow/tfjs-backend-wasm").getThreadsCount() : 1;
  if (got !== threads) {
    // tfjs-backend-wasm 4.x turns its threaded build off under Node (WASM_HAS_MULTITHREAD_SUPPORT
    // is false there); forced on, its pthreads start from blob: URLs Node's Worker refuses
    const mt = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    throw new Unavailable(`tfjs-backend-wasm ${version} runs ${got} thread here when asked for ${threads} (its threaded build is off in Node: WASM_HAS_MULTITHREAD_SUPPORT = ${mt})`);
  }
  const info =
    backend === "wasm"
      ? `tfjs-backend-wasm ${version} threads=${got} simd=${await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")}`
      : `tfjs-backend-cpu ${version}`;

  const weights = initWeights(net.graph, seed);
  const steps = planSteps(net.graph, true).filter((s) => s.head.op !== "input");
  const kept = new Map<number, Tensor[]>();
  for (const step of steps) {
    const node = step.head as NodeOf<OpKind>;
    kept.set(node.id, layerOf(node).prepare?.(tf, node, step, weights) ?? []);
  }
  weights.clear();

  const forward = (input: Float32Array): Tensor =>
    tf.tidy(() => {
      const values = new Map<number, Tensor>();
      const p0 = planesOf(net.graph[0].output);
      values.set(net.graph[0].id, tf.transpose(tf.tensor4d(input, [1, p0.channels, p0.height, p0.width]), [0, 2, 3, 1]));
      for (const step of steps) {
        const node = step.head as NodeOf<OpKind>;
        const xs = node.inputs.map((i) => values.get(i)!);
        const y = layerOf(node).run({ tf, node, step, xs, kept: kept.get(node.id)!, value: (id) => values.get(id)! });
        values.set(step.output, y);
      }
      const out = values.get(net.graph[net.graph.length - 1].id)!;
      return out.rank === 4 ? tf.transpose(out, [0, 3, 1, 2]) : out;
    });
  return {
    info,
    async run(input) {
      const t = forward(input);
      const data = (await t.data()) as Float32Array;
      t.dispose();
      return data;
    },
  };
}
