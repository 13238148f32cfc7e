// THE op registry: every node kind of the graph (the catalog's kinds, add, concat) and
// its op. The input node is not an op: executors put the data there. One line per kind;
// the type makes the compiler refuse a kind without an op.

import type { GraphNode, NodeOf, NodeOp } from "../../analysis/types";
import type { Op, OpRegistry } from "./types";
import { conv, dwconv } from "./conv";
import { local } from "./local";
import { deconv } from "./deconv";
import { avgpoolOp, maxpoolOp } from "./pool";
import { gap, gmp } from "./global-pool";
import { adaptiveavgpool } from "./adaptive-pool";
import { fc } from "./fc";
import { bn } from "./bn";
import { lrn } from "./lrn";
import { layernorm } from "./layernorm";
import { dropout, droppath, flatten } from "./reshape";
import { layerscale } from "./layerscale";
import { slice } from "./slice";
import { shuffle } from "./shuffle";
import { mul } from "./mul";
import { elu, gelu, hardsigmoid, hardswish, leakyrelu, relu, relu6, sigmoid, silu, tanh } from "./activation";
import { softmaxOp } from "./softmax";
import { pad, upsample } from "./resize";
import { add, concat } from "./merge";

export type { Op } from "./types";

/** the kinds that have an op: every node kind but `input` */
export type OpKind = Exclude<NodeOp, "input">;

export const ops: OpRegistry = {
  conv,
  dwconv,
  local,
  deconv,
  maxpool: maxpoolOp,
  avgpool: avgpoolOp,
  gap,
  gmp,
  adaptiveavgpool,
  fc,
  flatten,
  bn,
  layernorm,
  lrn,
  dropout,
  relu,
  relu6,
  leakyrelu,
  elu,
  gelu,
  silu,
  sigmoid,
  tanh,
  hardswish,
  hardsigmoid,
  softmax: softmaxOp,
  upsample,
  pad,
  layerscale,
  slice,
  shuffle,
  droppath,
  add,
  concat,
  mul,
};

/** The op of a node (every node but the input has one). */
export function opOf<K extends OpKind>(node: NodeOf<K>): Op<K> {
  const op = (ops as Record<string, Op<OpKind> | undefined>)[node.op];
  if (!op) throw new Error(`the engine has no op \`${node.op}\``);
  return op as unknown as Op<K>;
}

/** the node's output is probabilities of its input's scores (a softmax: Op.probabilities) */
export function givesProbabilities(node: GraphNode | undefined): boolean {
  return !!node && isOpNode(node) && opOf(node).probabilities === true;
}

/** a node that is not the graph's input, narrowed */
export function isOpNode(node: GraphNode): node is Exclude<GraphNode, NodeOf<"input">> {
  return node.op !== "input";
}
