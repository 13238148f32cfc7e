// The peer: TensorFlow.js training the same network (same layers, batch, optimizer and
// starting weights, NHWC as tfjs wants), one thread. tfjs-backend-cpu has the gradient
// kernels a CNN needs; tfjs-backend-wasm does not register Conv2DBackpropFilter (nor the
// depthwise backprop kernels), so training a convolution there fails — the bench probes it
// and prints the error instead of a figure.

import { createRequire } from "node:module";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { GraphNode, NetworkResult } from "../../analysis";
import { initWeights } from "../../engine/init";
import { windowOf as windowGeometry } from "../../engine/train/attrs";
import { planesOf, sizeOf } from "../../engine/tensor";
import { scoresNode } from "../../engine/train/backprop";

type Tf = typeof import("@tensorflow/tfjs-core");
type Tensor = import("@tensorflow/tfjs-core").Tensor;
type Variable = import("@tensorflow/tfjs-core").Variable;

export interface PeerTrainer {
  info: string;
  /** one optimizer step on a batch (NCHW inputs, classes) */
  step(inputs: Float32Array, labels: Int32Array, batch: number): Promise<number>;
}

/**
 * tfjs-core's Node build registers no gradients (the union package @tensorflow/tfjs imports
 * register_all_gradients, an ES module with extensionless imports Node cannot load), so
 * the peer is bundled here from the packages' ES modules: one tfjs-core instance with every
 * gradient, the CPU backend and the WebAssembly backend (its .wasm files read from the package).
 */
async function loadTfjs(): Promise<{ tf: Tf; wasm: { setThreadsCount(n: number): void; getThreadsCount(): number; setWasmPaths(p: string): void } }> {
  const require = createRequire(__filename);
  const esbuild = require("esbuild") as typeof import("esbuild");
  const outfile = join(mkdtempSync(join(tmpdir(), "cnn-tfjs-")), "tfjs-train.js");
  await esbuild.build({
    stdin: {
      contents: `export * as tf from "@tensorflow/tfjs-core";\nimport "@tensorflow/tfjs-core/dist/register_all_gradients";\nimport "@tensorflow/tfjs-backend-cpu";\nexport * as wasm from "@tensorflow/tfjs-backend-wasm";\n`,
      resolveDir: process.cwd(),
    },
    bundle: true,
    platform: "node",
    format: "cjs",
    mainFields: ["module", "main"],
    outfile,
    logLevel: "error",
  });
  const loaded = require(outfile);
  loaded.wasm.setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
  return loaded;
}

export async function tfjsTrainer(net: NetworkResult, seed: number, backend: "wasm" | "cpu", lr: number): Promise<PeerTrainer> {
  const require = createRequire(__filename);
  const { tf, wasm } = await loadTfjs();
  if (backend === "wasm") wasm.setThreadsCount(1);
  await tf.setBackend(backend);
  await tf.ready();
  const version = require("@tensorflow/tfjs-core/package.json").version;
  const weights = initWeights(net.graph, seed);
  const vars = new Map<number, Variable[]>();
  for (const node of net.graph) {
    const p = weights.get(node.id);
    if (!p) continue;
    if (node.op === "conv") {
      const g = windowGeometry(node);
      if (g.groups !== 1) throw new Error("tfjs peer: grouped convolutions are not benchmarked");
      // PyTorch [K][C][kh][kw] → tfjs HWIO [kh][kw][C][K]
      const w = p.weight!;
      const hwio = new Float32Array(w.length);
      for (let k = 0; k < g.outChannels; k++)
        for (let c = 0; c < g.inChannels; c++)
          for (let y = 0; y < g.kernelHeight; y++)
            for (let x = 0; x < g.kernelWidth; x++) hwio[((y * g.kernelWidth + x) * g.inChannels + c) * g.outChannels + k] = w[((k * g.inChannels + c) * g.kernelHeight + y) * g.kernelWidth + x];
      const list: Variable[] = [tf.variable(tf.tensor4d(hwio, [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels]))];
      if (p.bias) list.push(tf.variable(tf.tensor1d(p.bias)));
      vars.set(node.id, list);
    } else if (node.op === "fc") {
      const units = sizeOf(node.output);
      const size = sizeOf(node.input!);
      const t = new Float32Array(p.weight!.length);
      for (let u = 0; u < units; u++) for (let i = 0; i < size; i++) t[i * units + u] = p.weight![u * size + i];
      const list: Variable[] = [tf.variable(tf.tensor2d(t, [size, units]))];
      if (p.bias) list.push(tf.variable(tf.tensor1d(p.bias)));
      vars.set(node.id, list);
    } else if (node.op === "bn") {
      vars.set(node.id, [tf.variable(tf.tensor1d(p.weight!)), tf.variable(tf.tensor1d(p.bias!))]);
    } else throw new Error(`tfjs peer: ${node.op} has weights this bench does not convert`);
  }
  const until = scoresNode(net.graph);
  const pad = (node: GraphNode): "valid" | [[number, number], [number, number], [number, number], [number, number]] => {
    const q = (node.attrs as { padding?: { top: number; bottom: number; left: number; right: number } }).padding;
    return !q || q.top + q.bottom + q.left + q.right === 0 ? "valid" : [[0, 0], [q.top, q.bottom], [q.left, q.right], [0, 0]];
  };
  const forward = (x: Tensor): Tensor => {
    const values = new Map<number, Tensor>([[0, x]]);
    for (const node of net.graph) {
      if (node.id === 0) continue;
      if (node.id > until.id) break;
      const [a, b] = node.inputs.map((i) => values.get(i)!);
      const v = vars.get(node.id);
      let y: Tensor;
      switch (node.op) {
        case "conv": {
          const g = windowGeometry(node);
          y = tf.conv2d(a as import("@tensorflow/tfjs-core").Tensor4D, v![0] as import("@tensorflow/tfjs-core").Tensor4D, [g.strideHeight, g.strideWidth], pad(node) as "valid", "NHWC", [g.dilationHeight, g.dilationWidth]);
          if (v![1]) y = tf.add(y, v![1]);
          break;
        }
        case "fc":
          y = tf.matMul(tf.reshape(a, [a.shape[0], -1]), v![0]);
          if (v![1]) y = tf.add(y, v![1]);
          break;
        case "maxpool":
        case "avgpool": {
          const g = windowGeometry(node);
          const f = node.op === "maxpool" ? tf.maxPool : tf.avgPool;
          y = f(a as import("@tensorflow/tfjs-core").Tensor4D, [g.kernelHeight, g.kernelWidth], [g.strideHeight, g.strideWidth], 0);
          break;
        }
        case "bn": {
          const m = tf.moments(a, a.rank === 4 ? [0, 1, 2] : [0]);
          y = tf.batchNorm(a, m.mean, m.variance, v![1], v![0], node.attrs.eps);
          break;
        }
        case "relu":
          y = tf.relu(a);
          break;
        case "sigmoid":
          y = tf.sigmoid(a);
          break;
        case "tanh":
          y = tf.tanh(a);
          break;
        case "add":
          y = tf.add(a, b);
          break;
        case "gap":
          y = tf.mean(a, [1, 2], true);
          break;
        case "flatten":
          y = tf.reshape(a, [a.shape[0], -1]);
          break;
        default:
          throw new Error(`tfjs peer: ${node.op} is not converted`);
      }
      values.set(node.id, y);
    }
    return tf.reshape(values.get(until.id)!, [x.shape[0], -1]);
  };
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const input = planesOf(net.graph[0].output);
  const classes = sizeOf(until.output);
  return {
    info: `tfjs-backend-${backend} ${version}${backend === "wasm" ? ` threads=${wasm.getThreadsCount()}` : ""}`,
    async step(inputs, labels, batch) {
      // NCHW → NHWC
      const nhwc = new Float32Array(inputs.length);
      const plane = input.height * input.width;
      for (let n = 0; n < batch; n++) for (let c = 0; c < input.channels; c++) for (let i = 0; i < plane; i++) nhwc[(n * plane + i) * input.channels + c] = inputs[(n * input.channels + c) * plane + i];
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(nhwc, [batch, input.height, input.width, input.channels]);
        const y = tf.oneHot(tf.tensor1d(labels, "int32"), classes);
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as import("@tensorflow/tfjs-core").Scalar, true)!;
      });
      const value = (await loss.data())[0];
      loss.dispose();
      return value;
    },
  };
}
