// A network as plain JSON for the run view (bigint counts as decimal strings, spans as
// 0-based lines). Stand-in until the engine's engine/serialize.ts lands on main; the
// `cnn/network` request then returns that one.

import type { GraphNode, NetworkResult, Shape } from "../analysis";
import type { Positions } from "./positions";

export interface SerializedNode extends Omit<GraphNode, "params" | "macs"> {
  params: string;
  macs: string;
  /** the statement's first line, 0-based */
  line: number;
}

export interface SerializedNetwork {
  name: string;
  input: Shape | null;
  output: Shape | null;
  params: string;
  macs: string;
  graph: SerializedNode[];
}

export function serializeNetwork(network: NetworkResult, positions: Positions): SerializedNetwork {
  return {
    name: network.name,
    input: network.input,
    output: network.output,
    params: network.params.toString(),
    macs: network.macs.toString(),
    graph: network.graph.map((node) => ({ ...node, params: node.params.toString(), macs: node.macs.toString(), line: positions.lineOf(node.span.start) })),
  };
}
