// TensorFlow.js on its WebAssembly backend (XNNPACK inside) or its plain-JS CPU backend,
// given its best chance: weights converted once to its layouts (NHWC activations, HWIO
// filters, fc rows permuted to NHWC order, batch norm folded), convolutions as its fused
// ops with bias and activation, the same steps our planner makes (engine/fast/plan.ts).

import { createRequire } from "node:module";
import type { GraphNode, NetworkResult } from "../../analysis";
import type { LayerParams } from "../../engine/api";
import { planSteps, isDepthwise } from "../../engine/fast/plan";
import { windowGeometry } from "../../engine/geometry";
import { initWeights } from "../../engine/init";
import { planesOf, sizeOf } from "../../engine/tensor";
import type { BenchEngine } from "./adapter";

type Tf = typeof import("@tensorflow/tfjs-core");
type Tensor = import("@tensorflow/tfjs-core").Tensor;

export async function tfjs(net: NetworkResult, seed: number, backend: "wasm" | "cpu"): Promise<BenchEngine> {
  const require = createRequire(__filename);
  const tf: Tf = require("@tensorflow/tfjs-core");
  if (backend === "wasm") require("@tensorflow/tfjs-backend-wasm").setThreadsCount(1);
  else require("@tensorflow/tfjs-backend-cpu");
  await tf.setBackend(backend);
  await tf.ready();
  const version = require("@tensorflow/tfjs-core/package.json").version;
  const info =
    backend === "wasm"
      ? `tfjs-backend-wasm ${version} threads=${require("@tensorflow/tfjs-backend-wasm").getThreadsCount()} simd=${await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")}`
      : `tfjs-backend-cpu ${version}`;

  const weights = initWeights(net.graph, seed);
  const steps = planSteps(net.graph, true);
  const kept = new Map<number, Tensor[]>();
  const keep = (id: number, ...ts: Tensor[]) => kept.set(id, ts);
  for (const step of steps) {
    const node = step.head;
    const p = weights.get(node.id);
    if (node.op === "conv" || node.op === "dwconv") {
      const { filter, bias } = convWeights(node, p!, step.bn ? weights.get(step.bn.id)! : null, step.bn);
      const g = windowGeometry(node);
      const shape: [number, number, number, number] = isDepthwise(node)
        ? [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels / g.inChannels]
        : [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels];
      if (!isDepthwise(node) && g.groups !== 1) throw new Error("tfjs: grouped convolution is not benchmarked");
      keep(node.id, tf.tensor4d(filter, shape), tf.tensor1d(bias));
    } else if (node.op === "fc") {
      const { matrix, bias } = fcWeights(node, p!);
      keep(node.id, tf.tensor2d(matrix, [matrix.length / bias.length, bias.length]), tf.tensor1d(bias));
    } else if (node.op === "bn") {
      const { gain, offset } = fold(p!, node.attrs.eps ?? 1e-5);
      keep(node.id, tf.tensor1d(gain), tf.tensor1d(offset));
    }
  }
  weights.clear();

  const activation = (act: number): "relu" | "relu6" | "linear" => (act === 1 ? "relu" : act === 2 ? "relu6" : "linear");
  const forward = (input: Float32Array): Tensor =>
    tf.tidy(() => {
      const values = new Map<number, Tensor>();
      const first = net.graph[0].output;
      const p0 = planesOf(first);
      values.set(net.graph[0].id, tf.transpose(tf.tensor4d(input, [1, p0.channels, p0.height, p0.width]), [0, 2, 3, 1]));
      for (const step of steps) {
        const node = step.head;
        if (node.op === "input") continue;
        const xs = node.inputs.map((i) => values.get(i)!);
        const x = xs[0];
        let y: Tensor;
        const [t0, t1] = kept.get(node.id) ?? [];
        const late = step.residual !== null;
        switch (node.op) {
          case "conv":
          case "dwconv": {
            const g = windowGeometry(node);
            const symmetric = g.padTop === g.padBottom && g.padLeft === g.padRight && g.padTop === g.padLeft;
            const explicit = [[0, 0], [g.padTop, g.padBottom], [g.padLeft, g.padRight], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
            const args = {
              x: x as import("@tensorflow/tfjs-core").Tensor4D,
              filter: t0 as import("@tensorflow/tfjs-core").Tensor4D,
              bias: t1,
              strides: [g.strideHeight, g.strideWidth] as [number, number],
              dilations: [g.dilationHeight, g.dilationWidth] as [number, number],
              activation: late ? ("linear" as const) : activation(step.act),
            };
            if (isDepthwise(node)) {
              if (!symmetric) throw new Error("tfjs: depthwise convolution with uneven padding is not benchmarked");
              y = tf.fused.depthwiseConv2d({ ...args, pad: g.padTop });
            } else y = tf.fused.conv2d({ ...args, pad: symmetric ? g.padTop : explicit });
            if (late) {
              y = tf.add(y, values.get(step.residual!)!);
              if (step.act) y = step.act === 1 ? tf.relu(y) : tf.relu6(y);
            }
            break;
          }
          case "fc":
            y = tf.fused.matMul({ a: tf.reshape(x, [1, -1]), b: t0, bias: t1, activation: activation(step.act) });
            break;
          case "bn":
            y = tf.add(tf.mul(x, t0), t1);
            if (step.act) y = step.act === 1 ? tf.relu(y) : tf.relu6(y);
            break;
          case "maxpool":
          case "avgpool": {
            const g = windowGeometry(node);
            if (node.attrs.ceil || g.padTop !== g.padBottom || g.padLeft !== g.padRight || g.padTop !== g.padLeft) throw new Error("tfjs: this pool is not benchmarked");
            const f = node.op === "maxpool" ? tf.maxPool : tf.avgPool;
            y = f(x as import("@tensorflow/tfjs-core").Tensor4D, [g.kernelHeight, g.kernelWidth], [g.strideHeight, g.strideWidth], g.padTop);
            break;
          }
          case "gap":
            y = tf.mean(x, [1, 2], true);
            break;
          case "add":
            y = xs.slice(1).reduce((a, b) => tf.add(a, b), x);
            if (step.act) y = step.act === 1 ? tf.relu(y) : tf.relu6(y);
            break;
          case "concat":
            y = tf.concat(xs, x.rank === 4 ? 3 : 1);
            break;
          case "flatten":
          case "dropout":
            y = x;
            break;
          case "relu":
            y = tf.relu(x);
            break;
          case "relu6":
            y = tf.relu6(x);
            break;
          case "sigmoid":
            y = tf.sigmoid(x);
            break;
          case "tanh":
            y = tf.tanh(x);
            break;
          case "softmax":
            y = tf.softmax(x);
            break;
          default:
            throw new Error(`tfjs: ${node.op} is not benchmarked`);
        }
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

function fold(p: LayerParams, eps: number): { gain: Float32Array; offset: Float32Array } {
  const n = p.weight!.length;
  const gain = new Float32Array(n);
  const offset = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    const g = p.weight![c] / Math.sqrt(p.runningVar![c] + eps);
    gain[c] = g;
    offset[c] = p.bias![c] - p.runningMean![c] * g;
  }
  return { gain, offset };
}

/** PyTorch [K][C/G][kh][kw] → HWIO (or [kh][kw][C][M] depthwise), batch norm folded */
function convWeights(node: GraphNode, p: LayerParams, bnParams: LayerParams | null, bn: GraphNode | null) {
  const g = windowGeometry(node);
  const K = g.outChannels;
  const Cg = g.inChannels / g.groups;
  const taps = g.kernelHeight * g.kernelWidth;
  const norm = bnParams ? fold(bnParams, bn!.attrs.eps ?? 1e-5) : null;
  const filter = new Float32Array(p.weight!.length);
  for (let k = 0; k < K; k++)
    for (let c = 0; c < Cg; c++)
      for (let t = 0; t < taps; t++) {
        const value = p.weight![(k * Cg + c) * taps + t] * (norm ? norm.gain[k] : 1);
        // depthwise: out channel k = c·M + m reads input c; HWIO index t·C·M + k
        filter[isDepthwise(node) ? t * K + k : (t * Cg + c) * K + k] = value;
      }
  const bias = new Float32Array(K);
  for (let k = 0; k < K; k++) bias[k] = (p.bias ? p.bias[k] : 0) * (norm ? norm.gain[k] : 1) + (norm ? norm.offset[k] : 0);
  return { filter, bias };
}

/** [N][n_in] in C×H×W order → [n_in][N] in H×W×C order (what a reshape of NHWC gives) */
function fcWeights(node: GraphNode, p: LayerParams) {
  const N = sizeOf(node.output);
  const nIn = p.weight!.length / N;
  const s = planesOf(node.input!);
  const matrix = new Float32Array(nIn * N);
  const plane = s.height * s.width;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < s.channels; c++)
      for (let i = 0; i < plane; i++) matrix[(i * s.channels + c) * N + n] = p.weight![n * nIn + c * plane + i];
  return { matrix, bias: p.bias ?? new Float32Array(N) };
}
