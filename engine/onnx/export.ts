// A network and its weights as an ONNX model (opset 17), so a design opens in Netron and
// runs in onnxruntime with the same numbers as the reference executor. Each layer's op
// (engine/ops) emits the ONNX operator with PyTorch's semantics; the few PyTorch has and
// ONNX lacks are spelled out in standard operators (locally connected, adaptive pooling
// to an uneven size, LRN with an even size, exact GELU).

import { modulePathOf } from "../../analysis/paths";
import type { GraphNode, NetworkResult, NodeOf, Shape } from "../../analysis/types";
import type { LayerParams, NetworkWeights } from "../api";
import { paramShapes } from "../init";
import { opOf } from "../ops";
import { need } from "../ops/shared";
import { SUFFIX } from "../weights-match";
import type { OnnxExportContext } from "../ops/types";
import { encodeModel, OnnxGraph, valueInfo } from "./builder";

export const OPSET = 17;
export const INPUT_NAME = "input";
export const OUTPUT_NAME = "output";

export interface ExportOptions {
  /** a line for Netron's node properties: `line 4: conv 1 3x3 …` */
  describe?: (node: GraphNode) => string;
  producerVersion?: string;
}

/** ONNX dims of an activation: [1, C, H, W] for a volume, [1, N] for a vector. */
export function onnxDims(shape: Shape): number[] {
  return shape.kind === "volume" ? [1, shape.d, shape.h, shape.w] : [1, shape.n];
}

export function exportOnnx(network: NetworkResult, weights: NetworkWeights, options: ExportOptions = {}): Uint8Array {
  if (!network.complete) throw new Error(`${network.name} has errors or unknown shapes: it cannot be exported`);
  const g = new OnnxGraph();
  g.reserve(INPUT_NAME);
  g.reserve(OUTPUT_NAME);
  // a layer is named by its module path (`layer1.0.conv1`, as torch and the weights files
  // name it) where that is unique, so an import gives the labels back; else by kind and id
  const pathOf = (n: GraphNode) => modulePathOf(n.scope, n.label);
  const pathCount = new Map<string, number>();
  for (const n of network.graph) {
    const path = pathOf(n);
    if (path) pathCount.set(path, (pathCount.get(path) ?? 0) + 1);
  }
  const tensorOf = new Map<number, string>();
  const last = network.graph[network.graph.length - 1];
  for (const node of network.graph) {
    if (node.op === "input") {
      tensorOf.set(node.id, INPUT_NAME);
      continue;
    }
    const path = pathOf(node);
    const base = path && pathCount.get(path) === 1 ? path : `${node.op}_${node.id}`;
    const inputs = node.inputs.map((i) => tensorOf.get(i)!);
    const out = node === last ? OUTPUT_NAME : undefined;
    let result = layer(g, node, inputs, weights.get(node.id), base, options.describe?.(node), out);
    if (node === last && result !== OUTPUT_NAME) result = g.node("Identity", [result], base, {}, undefined, OUTPUT_NAME);
    tensorOf.set(node.id, result);
  }
  if (last.op === "input") g.node("Identity", [INPUT_NAME], "identity", {}, undefined, OUTPUT_NAME);
  const input = network.graph[0].output;
  return encodeModel({
    irVersion: 8,
    producerName: "cnn-designer",
    producerVersion: options.producerVersion ?? "",
    opsetImport: [{ domain: "", version: OPSET }],
    graph: {
      name: network.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(INPUT_NAME, onnxDims(input))],
      output: [valueInfo(OUTPUT_NAME, onnxDims(network.output!))],
    },
  });
}

/** Emits the ONNX nodes of one layer, by its op (engine/ops); returns the name of its output. */
function layer(g: OnnxGraph, node: Exclude<GraphNode, NodeOf<"input">>, inputs: string[], params: LayerParams | undefined, base: string, doc: string | undefined, out: string | undefined): string {
  const p = params ?? {};
  const ctx: OnnxExportContext<typeof node.op> = {
    g,
    node,
    inputs,
    params: p,
    base,
    doc,
    emit: (opType, ins, attrs = {}) => g.node(opType, ins, base, attrs, doc, out),
    step: (opType, ins, suffix, attrs = {}) => g.node(opType, ins, `${base}.${suffix}`, attrs, doc),
    weights: () => paramShapes(node).map((s) => g.floats(`${base}.${SUFFIX[s.name]}`, s.dims, need(node, p, s.name))),
  };
  return opOf(node).onnx.export(ctx);
}
