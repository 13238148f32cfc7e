// What a step's compiler is given and what it returns. Compilers pack their weights
// into the heap once; the returned `run` is called on every inference with the
// addresses the arena planned (inputs, output, scratch).

import type { GraphNode } from "../../../analysis/types";
import { windowGeometry, type WindowGeometry } from "../../geometry";
import type { LayerParams } from "../../api";
import type { KernelLibrary } from "../../wasm/library";
import type { Heap } from "../heap";
import type { Step } from "../plan";

/** a node's learned values; `allocate` may place a tensor straight in the heap */
export type WeightSource = (node: GraphNode, allocate?: (length: number) => Float32Array) => LayerParams | undefined;

export interface BuildContext {
  lib: KernelLibrary;
  heap: Heap;
  weights: WeightSource;
}

export interface Addresses {
  inputs: number[];
  output: number;
  scratch: number;
}

export interface CompiledStep {
  /** bytes of scratch the step needs while it runs */
  scratchBytes: number;
  run(at: Addresses): void;
}

export type StepCompiler = (step: Step, ctx: BuildContext) => CompiledStep;

export function need(node: GraphNode, params: LayerParams | undefined, field: keyof LayerParams): Float32Array {
  const value = params?.[field];
  if (!value) throw new Error(`${node.label ?? node.op} (node ${node.id}) has no ${field}`);
  return value;
}

/**
 * The per-channel gain and offset of a folded batch norm (y = x·gain + offset), in
 * float64 so that folding adds a single rounding; identity when there is none.
 */
export function foldedNorm(bn: GraphNode | null, channels: number, ctx: BuildContext): { gain: Float64Array; offset: Float64Array } {
  const gain = new Float64Array(channels).fill(1);
  const offset = new Float64Array(channels);
  if (!bn) return { gain, offset };
  const p = ctx.weights(bn);
  const [g, b, mean, variance] = [need(bn, p, "weight"), need(bn, p, "bias"), need(bn, p, "runningMean"), need(bn, p, "runningVar")];
  const eps = bn.attrs.eps ?? 1e-5;
  for (let c = 0; c < channels; c++) {
    gain[c] = g[c] / Math.sqrt(variance[c] + eps);
    offset[c] = b[c] - mean[c] * gain[c];
  }
  return { gain, offset };
}

/** A convolution's window, filters and bias (null for `nobias`), with its folded batch norm. */
export function convolution(step: Step, ctx: BuildContext) {
  const node = step.head;
  const g: WindowGeometry = windowGeometry(node);
  const params = ctx.weights(node);
  const w = need(node, params, "weight");
  const b = node.attrs.bias === false ? null : need(node, params, "bias");
  return { g, w, b, ...foldedNorm(step.bn, g.outChannels, ctx) };
}
