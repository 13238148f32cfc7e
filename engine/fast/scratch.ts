// The fast executor's scratch for a network, from its graph alone (the memory budget
// asks before anything is prepared): the largest shared scratch of any step (padded
// copies, Winograd's V and M when the threads share a block, B packed once for all
// threads where the GEMM's plan says so; with threads, plus the largest of a step that can
// share its first phase with the step before it: engine/fast/network.ts) and the largest scratch one thread needs of
// its own (B panels, a Winograd block per thread), by the same formulas the steps
// reserve with (each op's `fast.scratch`, engine/fast/steps/scratch.ts). An upper bound:
// the GEMM's register tile is taken at its largest, and a layer fused into an fc-like
// product still counts a GEMM's panel.

import type { GraphNode, NodeOf } from "../../analysis/types";
import { opOf, type OpKind } from "../ops";
import type { StepScratch } from "./steps/scratch";

export interface ScratchNeed {
  /** scratch all threads share (the largest step's) */
  shared: number;
  /** scratch each thread needs of its own (the largest step's) */
  local: number;
  /** shared + threads × local, the threads' control block and recorded calls */
  total: number;
}

/** a node's step's scratch: its op's `fast.scratch` (engine/ops), none where it has none */
function ofNode(node: GraphNode, threads: number): StepScratch {
  if (node.op === "input") return { shared: 0, local: 0 };
  const op = opOf(node as NodeOf<OpKind>);
  return op.fast && "compile" in op.fast && op.fast.scratch ? op.fast.scratch(node as NodeOf<OpKind>, threads) : { shared: 0, local: 0 };
}

export function scratchNeed(graph: GraphNode[], threads = 1): ScratchNeed {
  let shared = 0;
  let second = 0;
  let local = 0;
  let programs = 0;
  for (const node of graph) {
    const s = ofNode(node, threads);
    shared = Math.max(shared, s.shared);
    // a step that can share its first phase with the step before it (none before the input's first)
    if (s.head && node.inputs[0] !== graph[0].id) second = Math.max(second, s.shared);
    local = Math.max(local, s.local);
    // a step's recorded calls: a few parts per thread, a few calls of some 20 numbers each
    if (threads > 1) programs += 8 * threads * 4 * 3 * 64;
  }
  // threads: where a step's last phase runs with the next one's first, the second's shared
  // scratch lies after a region the size of the largest first's (engine/fast/network.ts)
  if (threads > 1) shared = Math.ceil(shared / 64) * 64 + second;
  const total = threads > 1 ? shared + threads * Math.max(64, local) + 64 + programs : shared + local;
  return { shared, local, total };
}
