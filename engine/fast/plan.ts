// From the analysis graph to the steps the fast executor runs. A step is one kernel
// call that may cover several nodes: a head whose op absorbs (engine/ops, `fast.absorbs`)
// the per-channel affine node after it (a batch norm, folded into its weights), a
// residual `add` (added in its epilogue), a ReLU or ReLU6 (an op with an `epilogue`,
// applied before the store) and, after a convolution, an average pool (folded into its
// filters: one convolution of the pooled size), so those intermediate volumes never exist. When the
// caller traces every layer (the run view), nothing is fused: each node is a step.
//
// A step runs where its last node stood in the graph's order, which is when every
// input of an absorbed `add` is ready. Ops with `fast.alias` (flatten, dropout) are
// aliases: their output is their input's buffer.

import type { GraphNode, NodeOf } from "../../analysis/types";
import { opOf, type Op, type OpKind } from "../ops";
import type { Absorbs } from "../ops/types";
import type { Step } from "./steps/context";

export type { Step } from "./steps/context";

function opOfNode(node: GraphNode): Op<OpKind> | null {
  return node.op === "input" ? null : (opOf(node) as Op<OpKind>);
}

function absorbsOf(node: GraphNode): Absorbs<OpKind> {
  const fast = opOfNode(node)?.fast;
  return (fast && "compile" in fast && fast.absorbs) || {};
}

export function isAlias(node: GraphNode): boolean {
  const fast = opOfNode(node)?.fast;
  return !!fast && "alias" in fast;
}

export function planSteps(graph: GraphNode[], fuse: boolean): Step[] {
  const consumers = new Map<number, GraphNode[]>();
  for (const node of graph) for (const i of node.inputs) consumers.set(i, [...(consumers.get(i) ?? []), node]);
  const only = (node: GraphNode): GraphNode | null => {
    const c = consumers.get(node.id) ?? [];
    return c.length === 1 && c[0].inputs.filter((i) => i === node.id).length === 1 ? c[0] : null;
  };
  const absorbed = new Set<number>();
  const steps: { at: number; step: Step }[] = [];
  graph.forEach((head, at) => {
    if (absorbed.has(head.id)) return;
    const step: Step = { head, covers: [head], inputs: [...head.inputs], output: head.id, norm: null, pool: null, act: 0, residual: null };
    if (fuse) {
      const absorbs = absorbsOf(head);
      let tail = head;
      for (;;) {
        const next = only(tail);
        if (!next || absorbed.has(next.id)) break;
        const nextOp = opOfNode(next);
        const canFoldNorm = !!absorbs.norm && !step.norm && step.act === 0 && step.residual === null && step.covers.length === (step.pool ? 2 : 1);
        const canFoldPool = !!absorbs.pool && !step.pool && step.act === 0 && step.residual === null && absorbs.pool(head as NodeOf<OpKind>, next);
        const canAddResidual =
          next.op === "add" && !!absorbs.residual?.(head as NodeOf<OpKind>) && next.inputs.length === 2 && step.residual === null && step.act === 0 && next.inputs[0] !== next.inputs[1];
        if (nextOp?.affine && canFoldNorm) {
          const affine = nextOp.affine;
          step.norm = { node: next, affine: (params) => affine(next as NodeOf<OpKind>, params) };
        } else if (canFoldPool) step.pool = next;
        else if (nextOp?.epilogue && step.act === 0 && absorbs.activation) step.act = nextOp.epilogue;
        else if (canAddResidual) {
          step.residual = next.inputs[0] === tail.id ? next.inputs[1] : next.inputs[0];
          step.inputs.push(step.residual);
        } else break;
        step.covers.push(next);
        absorbed.add(next.id);
        tail = next;
      }
      step.output = tail.id;
      at = graph.indexOf(tail);
    }
    steps.push({ at, step });
  });
  return steps.sort((a, b) => a.at - b.at).map((s) => s.step);
}
