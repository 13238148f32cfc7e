// What a step's compiler is given and what it returns. Compilers pack their weights
// into the heap once; the returned `run` is called on every inference with the
// addresses the arena planned (inputs, output, scratch).

import type { GraphNode, NodeOf, NodeOp, Shape } from "../../../analysis/types";
import { windowGeometry, type WindowGeometry, type WindowNode } from "../../geometry";
import { planesOf } from "../../tensor";
import { need } from "../../ops/shared";
import type { LayerParams } from "../../api";
import type { KernelLibrary } from "../../wasm/library";
import type { Heap } from "../heap";

/** a per-channel affine map y = x·gain[c] + offset[c] (a bn at inference), in float64 */
export interface Affine {
  gain: Float64Array;
  offset: Float64Array;
}

/**
 * One kernel call of the fast executor, covering one or more nodes (engine/fast/plan.ts):
 * a head, and what its kernel absorbs after it.
 */
export interface Step<H extends GraphNode = GraphNode> {
  /** the node whose kernel runs (conv, fc, pool, …) */
  head: H;
  /** every node this step computes, in graph order (the head first) */
  covers: GraphNode[];
  /** ids of the values read: the head's inputs, then the residual if any */
  inputs: number[];
  /** the id of the value written: the last covered node's id */
  output: number;
  /** a per-channel affine node (bn) folded into the head's weights, and its affine form */
  norm: { node: GraphNode; affine: (params: LayerParams) => Affine } | null;
  /**
   * an average pool right after a convolution (its only reader), folded into the filters:
   * the step is then one convolution with the pooled output's size (foldPool)
   */
  pool: GraphNode | null;
  /** 0 none, 1 relu, 2 relu6 (applied last) */
  act: number;
  /** the other operand of an absorbed add */
  residual: number | null;
}

/** a step whose head is a node of kind K */
export type StepOf<K extends NodeOp> = Step<NodeOf<K>>;

/** a node's learned values; `allocate` may place a tensor straight in the heap */
export type WeightSource = (node: GraphNode, allocate?: (length: number) => Float32Array) => LayerParams | undefined;

export interface BuildContext {
  lib: KernelLibrary;
  heap: Heap;
  weights: WeightSource;
  /** the output shape of the node with this id */
  shapeOf(id: number): Shape;
  /**
   * Threads that will run the network (1: the main thread alone). With more, a step
   * whose work can be split also returns `phases` (engine/fast/threads/split.ts).
   */
  threads: number;
  /** the least work (multiply-adds, or bytes moved) worth a part of its own */
  grain: number;
}

export interface Addresses {
  inputs: number[];
  output: number;
  scratch: number;
}

/**
 * One stage of a step's work as independent parts (ranges of output columns or channels,
 * Winograd blocks or positions) that threads run at once, in any order; the next phase
 * starts when every part is done. A part only calls kernels (lib.k) with numbers that
 * depend on nothing but `at`, `part` and `local`: its calls are written down once and
 * replayed by the worker threads (engine/fast/threads/record.ts).
 */
export interface Phase {
  count: number;
  /** `local`: the running thread's own scratch (the step's `localBytes` of it) */
  run(at: Addresses, part: number, local: number): void;
}

/**
 * A step's work by ranges of output positions, for threads running several steps in one
 * phase (engine/fast/threads/bands.ts): a part computes positions [n0, n1) of each step
 * in turn, so the volumes between them never wait for a join and stay in its core's cache.
 * A `pointwise` step's output position p reads position p of its inputs only (a 1×1
 * convolution), so it can follow another step of the phase; any other (a 3×3 depthwise)
 * reads the rows around its own, and can only start one (its input made before the phase).
 */
export interface Bands {
  /** the output's rows and positions per row */
  height: number;
  width: number;
  pointwise: boolean;
  /** what one output position costs (multiply-adds, COST-weighted as threads/split.ts counts) */
  work: number;
  /** what a part costs whatever its size (the weights it reads once), in the same units */
  fixed: number;
  /** bytes of the running thread's own scratch it needs */
  localBytes: number;
  /**
   * Computes output positions [n0, n1) of every channel (not pointwise: the whole rows
   * holding them, which may overlap a neighbour's and then write the same values) with
   * `local` its thread's scratch; no shared scratch. The same bits as `run`.
   */
  run(at: Addresses, n0: number, n1: number, local: number): void;
}

/**
 * A phase of a step by ranges of channels, for any cut of them (engine/fast/network.ts
 * runs one step's last phase and the next step's first in one phase when both are this:
 * the same ranges of the channels between them, so no join between them, and each range
 * stays in the cache of the core that made it). `run` does channels [c0, c1): c0 a
 * multiple of `align`. As a step's `head` (its first phase): it reads no channel of its
 * input 0 outside the range and no other value. As a `tail` (its last phase): every
 * position of the output's channels in the range is written, and nothing else is.
 */
export interface ByChannels {
  channels: number;
  align: number;
  run(at: Addresses, c0: number, c1: number, local: number): void;
}

export interface CompiledStep {
  /** bytes of scratch the step needs while it runs (shared by the threads, if any) */
  scratchBytes: number;
  run(at: Addresses): void;
  /**
   * The step's work split for threads (only when the context has more than one): run
   * instead of `run`, phase after phase. Absent: the step runs whole, on one thread.
   */
  phases?: Phase[];
  /** with phases: their first, for any ranges of input 0's channels (ByChannels) */
  head?: ByChannels;
  /** with phases: their last, for any ranges of the output's channels (ByChannels) */
  tail?: ByChannels;
  /** bytes of scratch each thread needs of its own while the phases run */
  localBytes?: number;
  /** the step by ranges of output positions (only when the context has more than one thread) */
  bands?: Bands;
}

export { need } from "../../ops/shared";

/**
 * The per-channel gain and offset of a folded batch norm (y = x·gain + offset), in
 * float64 so that folding adds a single rounding; identity when there is none.
 */
export function foldedNorm(norm: Step["norm"], channels: number, ctx: BuildContext): Affine {
  if (norm) return norm.affine(ctx.weights(norm.node) ?? {});
  return { gain: new Float64Array(channels).fill(1), offset: new Float64Array(channels) };
}

/**
 * A convolution's window, filters and bias (null for `nobias`), with its folded batch norm;
 * with an absorbed average pool (`step.pool`), the window and filters of the two as one
 * convolution (foldPool).
 */
export function convolution(step: StepOf<"conv" | "dwconv">, ctx: BuildContext) {
  const node = step.head;
  const params = ctx.weights(node);
  const w = need(node, params, "weight");
  const b = node.attrs.bias ? need(node, params, "bias") : null;
  const norm = foldedNorm(step.norm, planesOf(node.output).channels, ctx);
  const g: WindowGeometry = windowGeometry(node, node.attrs.groups);
  if (step.pool) return { ...foldPool(g, windowGeometry(step.pool as WindowNode), w), b, ...norm };
  return { g, w: w as Float32Array | Float64Array, b, ...norm };
}

/** the bias of K filters with a batch norm folded, (b·gain + offset)[k], zero up to `rows` (filters padded to whole panels) */
export function foldedBias(b: ArrayLike<number> | null, gain: Float64Array, offset: Float64Array, K: number, rows: number): Float32Array {
  const biases = new Float32Array(rows);
  for (let k = 0; k < K; k++) biases[k] = (b ? b[k] : 0) * gain[k] + offset[k];
  return biases;
}

/** the window a convolution step computes: its head's, or with an absorbed pool the folded one (foldPool) */
export function stepWindow(step: StepOf<"conv" | "dwconv">): WindowGeometry {
  const g = windowGeometry(step.head, step.head.attrs.groups);
  return step.pool ? foldedWindow(g, windowGeometry(step.pool as WindowNode)) : g;
}

/**
 * Whether an average pool `pool` right after convolution `conv` folds into it: the pool
 * unpadded, undilated, every window whole (no ceil-mode window past the edge), the
 * convolution undilated and not depthwise — and the folded filter smaller than the
 * filter times the pool window (5×5 then 2×2: 36 taps instead of 100; a 1×1 then 2×2
 * gains nothing and stays as it is).
 */
export function poolFolds(conv: WindowGeometry, pool: WindowGeometry): boolean {
  if (pool.padTop + pool.padLeft + pool.padBottom + pool.padRight > 0 || pool.dilationHeight !== 1 || pool.dilationWidth !== 1) return false;
  if (conv.dilationHeight !== 1 || conv.dilationWidth !== 1) return false;
  if ((pool.outHeight - 1) * pool.strideHeight + pool.kernelHeight > conv.outHeight) return false;
  if ((pool.outWidth - 1) * pool.strideWidth + pool.kernelWidth > conv.outWidth) return false;
  const f = foldedWindow(conv, pool);
  return f.kernelHeight * f.kernelWidth < conv.kernelHeight * conv.kernelWidth * pool.kernelHeight * pool.kernelWidth;
}

/** the window of a convolution followed by an average pool, as one convolution */
function foldedWindow(conv: WindowGeometry, pool: WindowGeometry): WindowGeometry {
  return {
    ...conv,
    outHeight: pool.outHeight,
    outWidth: pool.outWidth,
    kernelHeight: conv.kernelHeight + (pool.kernelHeight - 1) * conv.strideHeight,
    kernelWidth: conv.kernelWidth + (pool.kernelWidth - 1) * conv.strideWidth,
    strideHeight: conv.strideHeight * pool.strideHeight,
    strideWidth: conv.strideWidth * pool.strideWidth,
  };
}

/**
 * A convolution then an unpadded average pool are one convolution: the pool's output at
 * (y, x) averages the convolution's outputs (y·S + py, x·S + px), each a sum over the
 * filter, so it is a sum over a filter (P − 1)·s + F wide at stride s·S whose tap at
 * offset o is the mean over the pool window of the filter taps o − p·s (float64, one
 * rounding when the filters are packed). The same sum as PyTorch's conv then avg_pool2d
 * up to rounding, with fewer multiply-adds: LeNet's 5×5 conv then 2×2 pool, 100 products
 * per pooled output, are 36 taps of a 6×6 filter at stride 2.
 */
export function foldPool(conv: WindowGeometry, pool: WindowGeometry, w: ArrayLike<number>): { g: WindowGeometry; w: Float64Array } {
  const g = foldedWindow(conv, pool);
  const Cg = conv.inChannels / conv.groups;
  const [kh, kw, KH, KW] = [conv.kernelHeight, conv.kernelWidth, g.kernelHeight, g.kernelWidth];
  const scale = 1 / (pool.kernelHeight * pool.kernelWidth);
  const out = new Float64Array(conv.outChannels * Cg * KH * KW);
  for (let kc = 0; kc < conv.outChannels * Cg; kc++)
    for (let py = 0; py < pool.kernelHeight; py++)
      for (let px = 0; px < pool.kernelWidth; px++)
        for (let fy = 0; fy < kh; fy++)
          for (let fx = 0; fx < kw; fx++)
            out[(kc * KH + py * conv.strideHeight + fy) * KW + px * conv.strideWidth + fx] += w[(kc * kh + fy) * kw + fx] * scale;
  return { g, w: out };
}

/**
 * The padded input a sliding window (depthwise, pools) reads: the padding, or more when
 * the last window reaches past it (ceil mode); its scratch: C such planes.
 */
export function paddedWindow(g: WindowGeometry): { Hp: number; Wp: number; bytes: number } {
  const Hp = Math.max(g.inHeight + g.padTop + g.padBottom, (g.outHeight - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight + 1);
  const Wp = Math.max(g.inWidth + g.padLeft + g.padRight, (g.outWidth - 1) * g.strideWidth + (g.kernelWidth - 1) * g.dilationWidth + 1);
  return { Hp, Wp, bytes: 4 * g.inChannels * Hp * Wp + 256 };
}

/**
 * Whether a pool reads its input as it is, with no padded copy: no padding, every window
 * inside the input (no ceil-mode overhang), and at most two columns between outputs, so
 * that a row's last vector reads at most seven floats past it — within the line of slack
 * every arena buffer ends with (fast/arena.ts paddedBytes).
 */
export function poolsInPlace(g: WindowGeometry): boolean {
  const { Hp, Wp } = paddedWindow(g);
  return g.padTop + g.padBottom + g.padLeft + g.padRight === 0 && Hp === g.inHeight && Wp === g.inWidth && g.strideWidth <= 2;
}
