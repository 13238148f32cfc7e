// Walking a graph in order, shared by every executor: each node gets its inputs' outputs,
// outputs are dropped after their last use (so memory follows the analysis'
// peakActivationBytes), the caller sees every layer, and a cancelled run stops between
// nodes.

import type { GraphNode } from "../analysis/types";
import type { LayerTrace, RunOptions } from "./api";
import { sizeOf } from "./tensor";

export type NodeRunner = (node: GraphNode, inputs: Float32Array[]) => Float32Array | Promise<Float32Array>;

export function abortError(): Error {
  const e = new Error("the run was cancelled");
  e.name = "AbortError";
  return e;
}

export async function forEachNode(graph: GraphNode[], input: Float32Array, options: RunOptions, runOne: NodeRunner): Promise<Float32Array> {
  if (graph.length === 0 || graph[0].op !== "input") throw new Error("the graph does not start with its input");
  if (input.length !== sizeOf(graph[0].output)) {
    throw new Error(`the input has ${input.length} values, the network expects ${sizeOf(graph[0].output)}`);
  }
  const lastUse = new Array<number>(graph.length).fill(-1);
  for (const node of graph) for (const i of node.inputs) lastUse[i] = Math.max(lastUse[i], node.id);
  const outputs = new Map<number, Float32Array>();
  let last = input;
  for (const node of graph) {
    if (options.signal?.aborted) throw abortError();
    const started = now();
    let output: Float32Array;
    if (node.op === "input") output = input;
    else {
      const inputs = node.inputs.map((i) => {
        const x = outputs.get(i);
        if (!x) throw new Error(`node ${node.id} (${node.op}) reads node ${i}, which has not run`);
        return x;
      });
      output = await runOne(node, inputs);
    }
    const expected = sizeOf(node.output);
    if (output.length !== expected) {
      throw new Error(`${node.label ?? node.op} (node ${node.id}) produced ${output.length} values, its shape holds ${expected}`);
    }
    const trace: LayerTrace = { node, output, ms: now() - started };
    outputs.set(node.id, output);
    for (const i of node.inputs) if (lastUse[i] === node.id) outputs.delete(i);
    options.onLayer?.(trace);
    last = output;
    // let a Worker see a cancel message between layers
    if (options.signal) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return last;
}

function now(): number {
  return globalThis.performance ? performance.now() : Date.now();
}
