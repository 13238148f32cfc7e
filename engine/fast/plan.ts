// From the analysis graph to the steps the fast executor runs. A step is one kernel
// call that may cover several nodes: a convolution or fc absorbs the batch norm after
// it (folded into its weights), a residual `add` (added in its epilogue) and a ReLU or
// ReLU6 (applied before the store), so those intermediate volumes never exist. When
// the caller traces every layer (the run view), nothing is fused: each node is a step.
//
// A step runs where its last node stood in the graph's order, which is when every
// input of an absorbed `add` is ready. flatten and dropout are aliases: their output
// is their input's buffer.

import type { GraphNode } from "../../analysis/types";

export interface Step {
  /** the node whose kernel runs (conv, fc, pool, …) */
  head: GraphNode;
  /** every node this step computes, in graph order (the head first) */
  covers: GraphNode[];
  /** ids of the values read: the head's inputs, then the residual if any */
  inputs: number[];
  /** the id of the value written: the last covered node's id */
  output: number;
  /** batch norm folded into the head's weights */
  bn: GraphNode | null;
  /** 0 none, 1 relu, 2 relu6 (applied last) */
  act: number;
  /** the other operand of an absorbed add */
  residual: number | null;
}

const weighted = new Set(["conv", "dwconv", "fc"]);
const fusedActivation: Record<string, number> = { relu: 1, relu6: 2 };

export function isAlias(node: GraphNode): boolean {
  return node.op === "flatten" || node.op === "dropout";
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
    const step: Step = { head, covers: [head], inputs: [...head.inputs], output: head.id, bn: null, act: 0, residual: null };
    if (fuse) {
      let tail = head;
      for (;;) {
        const next = only(tail);
        if (!next || absorbed.has(next.id)) break;
        const canFoldBn = weighted.has(head.op) && !step.bn && step.act === 0 && step.residual === null && step.covers.length === 1;
        const canAddResidual =
          head.op === "conv" && !isDepthwise(head) && next.op === "add" && next.inputs.length === 2 && step.residual === null && step.act === 0 && next.inputs[0] !== next.inputs[1];
        if (next.op === "bn" && canFoldBn) step.bn = next;
        else if (next.op in fusedActivation && step.act === 0 && fusesActivation(head)) step.act = fusedActivation[next.op];
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

/** one filter per input channel (groups = D₁): the depthwise kernel runs it */
export function isDepthwise(node: GraphNode): boolean {
  const groups = node.attrs.groups ?? 1;
  return (node.op === "conv" || node.op === "dwconv") && groups > 1 && node.input?.kind === "volume" && groups === node.input.d;
}

/** heads whose kernels apply ReLU/ReLU6 in their epilogue */
function fusesActivation(head: GraphNode): boolean {
  return weighted.has(head.op) || head.op === "bn" || head.op === "add";
}
