// onnxruntime-web with its WebAssembly execution provider (numThreads: its own worker
// threads over shared memory), on the model `cnn export` writes (graph optimisations on:
// it folds batch norm and fuses activations).

import type { NetworkResult } from "../../analysis";
import { initWeights } from "../../engine/init";
import { exportOnnx, INPUT_NAME, OUTPUT_NAME, onnxDims } from "../../engine/onnx/export";
import type { BenchEngine } from "./adapter";

export async function ortWeb(net: NetworkResult, seed: number, threads: number): Promise<BenchEngine> {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = threads;
  let model: Uint8Array | null = exportOnnx(net, initWeights(net.graph, seed));
  const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"], graphOptimizationLevel: "all", executionMode: "sequential" });
  model = null;
  const dims = onnxDims(net.graph[0].output);
  const version = ort.env.versions.web;
  return {
    info: `onnxruntime-web ${version} wasm numThreads=${ort.env.wasm.numThreads}`,
    async run(input) {
      const result = await session.run({ [INPUT_NAME]: new ort.Tensor("float32", input, dims) });
      return result[OUTPUT_NAME].data as Float32Array;
    },
  };
}
