// What the training kernels read of a node's attributes (analysis/types.ts AttrsByOp),
// for any node: the window with the layer's groups, whether it has a bias, and the
// few numbers some kinds carry.

import type { GraphNode } from "../../analysis/types";
import { windowGeometry as geometry, type WindowGeometry, type WindowNode } from "../geometry";

export function windowOf(node: GraphNode): WindowGeometry {
  const a = node.attrs as { groups?: number };
  return geometry(node as unknown as WindowNode, a.groups ?? 1);
}

export function biasOf(node: GraphNode): boolean {
  return (node.attrs as { bias?: boolean }).bias !== false;
}

/** leakyrelu's slope, elu's alpha; 0 for the others */
export function activationParameter(node: GraphNode): number {
  if (node.op === "leakyrelu") return node.attrs.slope;
  if (node.op === "elu") return node.attrs.alpha;
  return 0;
}
