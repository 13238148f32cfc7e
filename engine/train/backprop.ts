// Forward and backward passes of a whole network over a batch, on the reference
// training kernels: the forward keeps every node's output (the backward needs them),
// the backward walks the graph in reverse, summing the gradients of a node's output
// over its consumers (a residual's input feeds two paths), and collects each layer's
// parameter gradients.
//
// The loss is computed on the network's scores: the last node's output, or the input of
// a final softmax (spec §9: a network that ends in softmax is trained on the values
// before it).

import type { GraphNode } from "../../analysis/types";
import { paramShapes } from "../init";
import { givesProbabilities, isOpNode, opOf } from "../ops";
import { planesOf } from "../tensor";
import { like, type Float, type TrainParams } from "./float";
import type { ForwardResult, TrainContext, TrainKernel } from "./kernel";
import { trainKernel } from "./kernels";

/** which kernel trains an op: the reference ones, or an engine's faster ones where it has them */
export type KernelOf = (op: string) => TrainKernel | undefined;

/** the node whose output is the scores the loss reads */
export function scoresNode(graph: GraphNode[]): GraphNode {
  const last = graph[graph.length - 1];
  if (givesProbabilities(last) && last.inputs.length === 1 && graph.length > 1) return graph[last.inputs[0]];
  return last;
}

/** ops without a training kernel, for a message before any work */
export function untrainableOps(graph: GraphNode[]): string[] {
  const missing = new Set<string>();
  for (const node of graph) if (node.op !== "input" && !trainKernel(node.op)) missing.add(node.op);
  return [...missing];
}

export interface ForwardPass {
  ctx: TrainContext;
  /** by node id, up to the scores node */
  results: (ForwardResult | undefined)[];
  scores: Float;
}

export type ParamsOf = (node: GraphNode) => TrainParams | undefined;

export function forwardPass(graph: GraphNode[], paramsOf: ParamsOf, input: Float, ctx: TrainContext, until = scoresNode(graph), kernelOf: KernelOf = trainKernel): ForwardPass {
  const results: (ForwardResult | undefined)[] = new Array(graph.length);
  results[0] = { output: input };
  for (const node of graph) {
    if (node.id > until.id) break;
    if (node.op === "input") continue;
    const kernel = kernelOf(node.op);
    if (!kernel) throw new Error(`\`${node.op}\` (node ${node.id}) cannot be trained yet: it has no backward pass`);
    const inputs = node.inputs.map((i) => results[i]!.output);
    results[node.id] = kernel.forward(node, inputs, paramsOf(node), ctx);
  }
  return { ctx, results, scores: results[until.id]!.output };
}

/** what a function of the graph alone computed, by graph (a step asks for it every time) */
function memo<T>(compute: (graph: GraphNode[]) => T): (graph: GraphNode[]) => T {
  const known = new WeakMap<GraphNode[], T>();
  return (graph) => {
    let v = known.get(graph);
    if (v === undefined) known.set(graph, (v = compute(graph)));
    return v;
  };
}

/** which nodes' outputs need a gradient: those with a learning layer at or before them */
export function needsGradient(graph: GraphNode[]): boolean[] {
  const need = new Array<boolean>(graph.length).fill(false);
  for (const node of graph) need[node.id] = paramShapes(node).length > 0 || node.inputs.some((i) => need[i]);
  return need;
}

/** a bias of one value per output channel (conv, dwconv, deconv, fc; not local's per position) */
function channelBias(node: GraphNode): boolean {
  const channels = planesOf(node.output).channels;
  return paramShapes(node).some((s) => s.name === "bias" && s.dims.length === 1 && s.dims[0] === channels);
}

/** a layer that, training, normalizes each channel with the batch's statistics (bn) */
export function batchNormalizes(node: GraphNode): boolean {
  return isOpNode(node) && opOf(node).batchStatistics === true;
}

/**
 * Layers whose bias has a gradient of exactly zero: a per-channel bias whose only consumer
 * is a bn in training mode, which subtracts the channel's batch mean and so removes any
 * constant added to the channel. Computed, that gradient is the sum of bn's input
 * gradient over N·H·W: zero but for rounding (PyTorch gets ~1e-8), which Adam would turn
 * into steps of ±lr (m/√v of noise is ±1). Training sets it to exactly zero.
 */
export function biasesBeforeNorm(graph: GraphNode[]): Set<number> {
  const consumers = new Map<number, GraphNode[]>();
  for (const node of graph) for (const i of node.inputs) consumers.set(i, [...(consumers.get(i) ?? []), node]);
  const out = new Set<number>();
  for (const node of graph) {
    const c = consumers.get(node.id) ?? [];
    if (c.length === 1 && batchNormalizes(c[0]) && channelBias(node)) out.add(node.id);
  }
  return out;
}

/** dScores → each learning node's parameter gradients (summed over the batch) */
const needsGradientOf = memo(needsGradient);
const biasesBeforeNormOf = memo(biasesBeforeNorm);

export function backwardPass(graph: GraphNode[], paramsOf: ParamsOf, pass: ForwardPass, dScores: Float, until = scoresNode(graph), kernelOf: KernelOf = trainKernel): Map<number, TrainParams> {
  // (a network's graph is not changed once analyzed: both are computed once per graph)
  const need = needsGradientOf(graph);
  const zeroBias = biasesBeforeNormOf(graph);
  const grads = new Map<number, TrainParams>();
  // gradients of outputs; `owned` marks arrays this pass may add into
  const dOut: (Float | undefined)[] = new Array(graph.length);
  const owned: boolean[] = new Array(graph.length).fill(false);
  dOut[until.id] = dScores;
  for (let id = until.id; id > 0; id--) {
    const dy = dOut[id];
    if (!dy) continue;
    const node = graph[id];
    const kernel = kernelOf(node.op)!;
    const inputs = node.inputs.map((i) => pass.results[i]!.output);
    const needInputs = node.inputs.map((i) => i !== 0 && need[i]);
    const g = kernel.backward(node, dy, inputs, pass.results[id]!, paramsOf(node), pass.ctx, needInputs);
    if (g.params) {
      if (zeroBias.has(id) && g.params.bias) g.params.bias.fill(0);
      grads.set(id, g.params);
    }
    node.inputs.forEach((i, k) => {
      const dx = g.inputs[k];
      if (!dx || !needInputs[k]) return;
      const have = dOut[i];
      if (!have) {
        dOut[i] = dx;
        return;
      }
      let into = have;
      if (!owned[i]) {
        into = like(have, have.length);
        into.set(have);
        dOut[i] = into;
        owned[i] = true;
      }
      for (let j = 0; j < into.length; j++) into[j] += dx[j];
    });
    dOut[id] = undefined;
  }
  return grads;
}
