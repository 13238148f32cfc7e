// What the training kernels read of a node's attributes (analysis/types.ts AttrsByOp),
// for any node: the window with the layer's groups and whether it has a bias (an
// activation's number is its op's: engine/ops Op.parameter).

import type { GraphNode } from "../../analysis/types";
import { windowGeometry as geometry, type WindowGeometry, type WindowNode } from "../geometry";

export function windowOf(node: GraphNode): WindowGeometry {
  const a = node.attrs as { groups?: number };
  return geometry(node as unknown as WindowNode, a.groups ?? 1);
}

export function biasOf(node: GraphNode): boolean {
  return (node.attrs as { bias?: boolean }).bias !== false;
}
