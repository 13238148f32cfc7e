// The engine's op interface: everything the engine knows about one kind of graph node,
// in one place (one module per kind, or per family of kinds that share all their code,
// under engine/ops/). The registry (engine/ops/index.ts) maps each of the catalog's kind
// names (analysis/layers.ts), plus `input`, `add` and `concat`, to its op; the executors,
// the initialisation, the weight files and the ONNX export only look ops up.
//
// Slots that no kind fills yet are typed optional, so a consumer must say what it does
// without one (the reference runs where there is no fast step; a kind without a backward
// cannot be trained). test/engine/ops.test.ts walks the catalog and fails when a kind
// has no op, or an op lacks a capability its kind needs.
//
// Tensors are PyTorch's layouts, flattened: a volume is C×H×W, a vector N; a batch puts
// N such samples one after the other (N×C×H×W).

import type { FastKernel, TrainLibrary } from "../train/fast/layers";
import type { GraphNode, NodeOf, NodeOp, Volume } from "../../analysis/types";
import type { Floats, LayerParams } from "../api";
import type { AttributeValue, OnnxGraph } from "../onnx/builder";
import type { BuildContext, CompiledStep, StepOf } from "../fast/steps/context";
import type { StepScratch } from "../fast/steps/scratch";

export type { Floats, LayerParams };

/** The name of a tensor in LayerParams (and, in snake case, in a PyTorch state_dict). */
export type ParamName = keyof LayerParams;

/** How a tensor gets its first values (engine/init.ts applies it). */
export type ParamInit =
  /** U(−bound, bound) from the seeded counter-based stream `stream` (engine/random.ts) */
  | { kind: "uniform"; bound: number; stream: number }
  /** every element the same value (bn: γ = 1, β = 0, running statistics 0 and 1) */
  | { kind: "fill"; value: number }
  /** values written in the .cnn file (literal `weights`, `bias`) */
  | { kind: "values"; values: ArrayLike<number> };

/** One tensor a layer holds: PyTorch's name and shape, and its seeded initialisation. */
export interface ParamSpec {
  name: ParamName;
  /** PyTorch's shape: conv [K][C/G][F_h][F_w], deconv [C][K/G][F_h][F_w], fc [N][n_in], … */
  dims: number[];
  /**
   * true: learned by gradient descent (an optimizer updates it from its gradient);
   * false: a buffer (bn's running statistics, updated by the train-mode forward)
   */
  trainable: boolean;
  init: ParamInit;
}

/** The inference forward's arguments: one sample (batch 1) of every input, in graph order. */
export interface ForwardArgs<K extends NodeOp, T extends Floats> {
  node: NodeOf<K>;
  inputs: T[];
  /** the node's tensors (empty for a kind without any) */
  params: LayerParams<T>;
}

/**
 * Train-mode forward arguments: `batch` samples of every input, one after the other.
 * `seed` and `step` make masks (dropout, drop path) reproducible: the same seed, step
 * and node give the same mask in every executor.
 */
export interface TrainForwardArgs<K extends NodeOp, T extends Floats> extends ForwardArgs<K, T> {
  batch: number;
  seed: number;
  /** the optimizer step (batch number) this forward belongs to */
  step: number;
  /** bn's momentum for the running statistics (PyTorch's default 0.1), per spec §9 */
  momentum: number;
  /**
   * The index of inputs' first sample in the whole batch (0 unless a thread trains a slice
   * of it): per-sample randomness is drawn by that index, so every slicing draws the same.
   */
  sampleOffset?: number;
}

export interface TrainForwardResult<T extends Floats> {
  output: T;
  /** what backward needs beyond the inputs and the output (batch statistics, a mask) */
  saved?: unknown;
  /** new values of the buffers (trainable: false) this step updated, e.g. running statistics */
  buffers?: Partial<LayerParams<T>>;
}

/** What the reference backward is given: dL/dY for `batch` samples, and the forward's values. */
export interface BackwardArgs<K extends NodeOp, T extends Floats> extends ForwardArgs<K, T> {
  batch: number;
  output: T;
  /** dL/dY, the output's shape (batch included) */
  outputGrad: T;
  /** the train-mode forward's `saved` (undefined when it saved nothing) */
  saved: unknown;
}

export interface BackwardResult<T extends Floats> {
  /** dL/dX per input, in the order of `inputs` (null: that input needs no gradient) */
  inputGrads: (T | null)[];
  /** dL/dθ of every trainable tensor, summed over the batch */
  paramGrads: Partial<LayerParams<T>>;
}

/** The reference math of a kind: plain TypeScript, the correctness oracle of every faster path. */
export interface ReferenceOp<K extends NodeOp> {
  /**
   * Inference forward of one sample; returns a new array of the inputs' type (float64
   * in, float64 out — gradient checks run the same code). Never changes its inputs.
   */
  forward<T extends Floats>(args: ForwardArgs<K, T>): T;
  /**
   * Train-mode forward where it differs from inference: bn with the batch's own
   * statistics, dropout with a seeded mask. Absent: training runs `forward` on each sample.
   */
  trainForward?<T extends Floats>(args: TrainForwardArgs<K, T>): TrainForwardResult<T>;
  /** Backward pass (the training track fills it): gradients of the inputs and of the trainable tensors. */
  backward?<T extends Floats>(args: BackwardArgs<K, T>): BackwardResult<T>;
}

/** What the fast (WebAssembly) executor's planner may fold into a step headed by this kind. */
export interface Absorbs<K extends NodeOp> {
  /** a following per-channel affine map (a bn: `Op.affine`), folded into the weights */
  norm?: boolean;
  /** a following ReLU or ReLU6 (an op with `epilogue`), applied before the store */
  activation?: boolean;
  /** a following two-input `add`, added in the epilogue (the other operand read in place) */
  residual?(node: NodeOf<K>): boolean;
  /** a following average pool, folded into the filters (engine/fast/steps/context.ts foldPool) */
  pool?(node: NodeOf<K>, pool: GraphNode): boolean;
}

/** The fast executor's way of running a kind (engine/fast). */
export type FastOp<K extends NodeOp> =
  | {
      /**
       * Compiles the step this node heads: packs its weights into the heap once and
       * returns the kernel's name (for profiles) and the step. The step may cover nodes
       * folded into it (`step.norm`, `step.act`, `step.residual`).
       */
      compile(step: StepOf<K>, ctx: BuildContext): [string, CompiledStep];
      absorbs?: Absorbs<K>;
      /**
       * The scratch its step will reserve on `threads` threads (shared, and each thread's
       * own), from the node alone: the memory budget asks before anything is prepared
       * (engine/fast/scratch.ts); absent: none.
       */
      scratch?(node: NodeOf<K>, threads: number): StepScratch;
      /**
       * The kind's kernel in the fast training engine (engine/train/fast: WebAssembly SIMD
       * on the engine's memory, every region planned for the largest batch); absent: the
       * engine trains the kind on its reference kernel.
       */
      backward?: (lib: TrainLibrary, maxBatch: number) => FastKernel;
    }
  | {
      /** the output is the input's buffer, unchanged (flatten, dropout when running): no kernel */
      alias: true;
    };

/** Everything the ONNX writer gives one layer. */
export interface OnnxExportContext<K extends NodeOp> {
  g: OnnxGraph;
  node: NodeOf<K>;
  /** the tensor names of the node's inputs */
  inputs: string[];
  params: LayerParams;
  /** the base of this layer's tensor and node names: its unique label, else `op_id` */
  base: string;
  /** Netron's node property: `line 4: conv 1 3x3 …` */
  doc: string | undefined;
  /** emits the layer's (last) node, named as the graph needs (its output when last); returns its output */
  emit(opType: string, inputs: string[], attrs?: Record<string, AttributeValue>): string;
  /** emits an intermediate node, named `base.suffix`; returns its output */
  step(opType: string, inputs: string[], suffix: string, attrs?: Record<string, AttributeValue>): string;
  /** the node's tensors as initializers (`base.weight`, …) in the order of `params()` */
  weights(): string[];
}

/**
 * ONNX import (the models track fills it): which ONNX nodes this kind is read from. An
 * importer offers each op, in registry order, the node at `at` (and those after it, for
 * patterns such as Flatten→Gemm); the first that matches takes them.
 */
export interface OnnxImportOp<K extends NodeOp> {
  /** the ONNX operator types the pattern starts with (Conv, Gemm, …), for dispatch */
  opTypes: string[];
  match(ctx: OnnxImportContext): OnnxImported<K> | null;
}

/** What an importer offers an op: the graph's nodes and a way to read them. */
export interface OnnxImportContext {
  /** the ONNX graph's nodes in topological order, and the one to read */
  nodes: readonly OnnxNodeView[];
  at: number;
  /** a constant (initializer or Constant node) by tensor name */
  constant(name: string): { dims: number[]; data: Float32Array | BigInt64Array } | undefined;
  /** a tensor's shape, where the graph says it */
  shape(name: string): number[] | undefined;
}

export interface OnnxNodeView {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attribute(name: string): AttributeValue | undefined;
}

export interface OnnxImported<K extends NodeOp> {
  /** how many ONNX nodes, from `at`, this layer stands for */
  consumed: number;
  attrs: NodeOf<K>["attrs"];
  /** the layer's tensors in PyTorch's layouts (as `params()` names them) */
  params: LayerParams;
}

export interface OnnxOp<K extends NodeOp> {
  /** emits the ONNX node(s) of one layer; returns the name of its output */
  export(ctx: OnnxExportContext<K>): string;
  import?: OnnxImportOp<K>;
}

/** One kind of graph node, as the engine knows it. */
export interface Op<K extends NodeOp> {
  /** the catalog's canonical name (analysis/layers.ts), or input / add / concat */
  kind: K;
  /** the tensors the layer holds, PyTorch's names and shapes, with their seeded init; absent: none */
  params?(node: NodeOf<K>): ParamSpec[];
  reference: ReferenceOp<K>;
  /** absent: the fast executor runs the reference forward on copies (engine/fast/steps/fallback.ts) */
  fast?: FastOp<K>;
  onnx: OnnxOp<K>;
  /**
   * An activation a preceding kernel can apply in its epilogue (the code of
   * engine/wasm/kernels/gemm.ts: 1 ReLU, 2 ReLU6); absent: it runs on its own.
   */
  epilogue?: number;
  /** an activation's number (leakyrelu's slope, elu's alpha): f(x, a) and its derivative read it */
  parameter?(node: NodeOf<K>): number;
  /**
   * At inference the layer is y = x·gain[c] + offset[c] per channel (bn): a weighted
   * layer before it folds it into its weights and bias, in float64.
   */
  affine?(node: NodeOf<K>, params: LayerParams): { gain: Float64Array; offset: Float64Array };
  /**
   * Training keeps, per sample, this many values for the layer's backward beyond its output
   * (bn's normalized values, a max pool's indices, a dropout mask, a convolution's unrolled
   * columns, which the fast engine keeps from forward to backward): the memory estimate
   * (engine/train/memory.ts) counts them. Absent: none.
   */
  trainKept?(node: NodeOf<K>): number;
  /**
   * In training the layer normalizes each channel with the batch's own mean and variance
   * (over N·H·W): a constant added per channel before it has no effect on the loss, and a
   * single value per channel has no variance (PyTorch refuses a batch of one).
   */
  batchStatistics?: true;
  /**
   * The output is probabilities of the input's scores (softmax): training's loss reads the
   * scores before it, and a run ranks its output as it is rather than a softmax of it.
   */
  probabilities?: true;
  /**
   * The layer's weight seen as pictures (the run view's first-layer filters): how many
   * filters and each one's shape, in the weight's PyTorch order. `weightLength` is the
   * weight's length; `picture` is the input picture when the layer reads it as it is
   * (straight, or through layers that only pass it on), else null. Null: not drawable
   * here; absent: the kind's weight is not a set of filters.
   */
  filters?(node: NodeOf<K>, weightLength: number, picture: Volume | null): { count: number; channels: number; height: number; width: number } | null;
}

/** The registry's type: every node kind but the input has its op (the compiler checks none is missing). */
export type OpRegistry = { [K in Exclude<NodeOp, "input">]: Op<K> };
