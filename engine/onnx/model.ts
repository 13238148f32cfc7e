// A design as an ONNX model file, the one way `cnn export --onnx` and the editor's
// "CNN: Export ONNX…" make it: refused with a reason when it cannot be made, else the
// seeded weights of the run view (or weights given) written by exportOnnx.

import type { GraphNode, NetworkResult } from "../../analysis/types";
import { bytesText } from "../../analysis/format";
import type { NetworkWeights } from "../api";
import { exportBudgetRefusal, RefusedError } from "../budget";
import { initWeights } from "../init";
import { exportOnnx, OPSET } from "./export";

export interface OnnxModelRequest {
  /** the seed of the He-initialised weights, as the run view and `cnn run` use it */
  seed: number;
  /** replaces the seeded weights (e.g. loaded from a .safetensors file) */
  weights?: NetworkWeights;
  /** refuse a network whose export would need more memory than this (engine/budget.ts) */
  budgetMB?: number;
  describe?: (node: GraphNode) => string;
}

/** null when the network can be exported, else why not (errors, memory) */
export function onnxRefusal(network: NetworkResult, budgetMB?: number): string | null {
  if (!network.complete) return `${network.name} has errors or unknown shapes: fix them before exporting it`;
  return budgetMB === undefined ? null : exportBudgetRefusal(network, budgetMB);
}

/** The model's bytes; throws a RefusedError with onnxRefusal's reason. */
export function onnxModel(network: NetworkResult, request: OnnxModelRequest): Uint8Array {
  const refusal = onnxRefusal(network, request.budgetMB);
  if (refusal) throw new RefusedError(refusal);
  const weights = request.weights ?? initWeights(network.graph, request.seed);
  return exportOnnx(network, weights, request.describe ? { describe: request.describe } : {});
}

/** `LeNet5 → lenet5.onnx (ONNX opset 17, 248 kB, seed 0)`: what was written, said once for every caller */
export function exportedText(network: string, where: string, bytes: number, weights: string): string {
  return `${network} → ${where} (ONNX opset ${OPSET}, ${bytesText(BigInt(bytes))}, ${weights})`;
}
