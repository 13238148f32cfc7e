// The reference executor: each node's op's plain-TypeScript forward (engine/ops), run
// node by node in the graph's order. It is the correctness oracle for faster executors
// and the fallback where they cannot run.

import type { GraphNode } from "../analysis/types";
import type { Executor, Floats, LayerParams, NetworkWeights, RunOptions } from "./api";
import { forEachNode } from "./schedule";
import { opOf } from "./ops";

export class ReferenceExecutor implements Executor {
  readonly name = "reference";

  run(graph: GraphNode[], weights: NetworkWeights, input: Float32Array, options: RunOptions = {}): Promise<Float32Array> {
    return forEachNode(graph, input, options, (node, inputs) => runNode(node, inputs, weights.get(node.id)));
  }
}

const noParams: LayerParams = Object.freeze({});

/** One node's output from its inputs' outputs (float64 in, float64 out). */
export function runNode<T extends Floats>(node: GraphNode, inputs: T[], params: LayerParams<T> | undefined): T {
  if (node.op === "input") throw new Error("the input node is not run: its data is the run's input");
  return opOf(node).reference.forward({ node, inputs, params: params ?? (noParams as LayerParams<T>) });
}
