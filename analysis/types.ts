// The analysis of a .cnn file: plain data, offset-based (UTF-16 code units), never
// mutated once returned. Every view — CLI, language server, run view — reads this.

import type { Span, ParseResult } from "../grammar";
import type { FieldValue } from "./exact";

/** A volume W×H×D (the course's notation) or a vector of N numbers. */
export type Shape = Volume | Vector;
export interface Volume {
  kind: "volume";
  w: number;
  h: number;
  d: number;
}
export interface Vector {
  kind: "vector";
  n: number;
}

export type DiagnosticCode =
  | "syntax"
  | "stride-misfit"
  | "depth-mismatch"
  | "spatial-mismatch"
  | "groups-indivisible"
  | "empty-output"
  | "needs-volume"
  | "no-input"
  | "bad-value"
  | "unknown-name"
  | "duplicate-name"
  | "recursive-block"
  | "even-filter";

export type Severity = "error" | "warning" | "info" | "hint";

/** Data a quick fix can act on, per code. */
export type FixData =
  | { kind: "stride-misfit"; axis: "both" | "width" | "height"; paddings: number[]; strides: number[]; rounding: ("floor" | "ceil")[]; insertAt: number; stride?: Span; pad?: Span }
  | { kind: "depth"; expected: number; replace: Span; text: string }
  /** `layers`: the shortcut's statements, as the message spells them (analysis/projection.ts) */
  | { kind: "projection"; depth: number; stride: number; layers: string[]; residual: Span; shortcut: Span | null; indent?: string }
  | { kind: "rename"; replace: Span; candidates: string[] }
  | { kind: "preserve-size"; insertAt: number; pad: number; padSpan?: Span };

export interface Related extends Span {
  message: string;
}

export interface Diagnostic extends Span {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  data?: FixData;
  related?: Related[];
}

/**
 * Receptive field size and jump (effective stride), per axis, exact (analysis/exact.ts):
 * a number while a safe integer, a bigint past 2^53, a fraction after an upsampling.
 */
export interface ReceptiveField {
  w: FieldValue;
  h: FieldValue;
  jumpW: FieldValue;
  jumpH: FieldValue;
}

/** Padding in pixels on each side. */
export interface Padding {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

// ---- what the engine needs to run a node: every option resolved to numbers ----
//
// One attribute record per kind, keyed by the kind's name in `AttrsByOp`; a graph node's
// `op` says which one its `attrs` is (GraphNode is a union discriminated by `op`). The
// catalog (analysis/layers.ts) fills every field, defaults included: an engine reads
// them as they are and never supplies a default of its own.

/** A sliding window (conv, dwconv, local, deconv, the pools): [width, height] pairs. */
export interface WindowAttrs {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  /** zeros (or −∞ around a max pool) added on each side; deconv: cropped from each side */
  padding: Padding;
}

export interface ConvAttrs extends WindowAttrs {
  /** K: the number of filters, the output depth */
  filters: number;
  groups: number;
  bias: boolean;
  /** literal filter values written in the file, [K][D/G][F_h][F_w] flattened (K = 1) */
  weights?: number[];
  /** literal biases written in the file, one per filter */
  biasValues?: number[];
  /** a literal bias written once (`bias 0`), the same for every filter */
  biasValue?: number;
}

/** groups = D₁ and filters = D₁·multiplier */
export interface DwconvAttrs extends ConvAttrs {
  multiplier: number;
}

/** its own filters at every output position (dilation is always 1) */
export interface LocalAttrs extends WindowAttrs {
  filters: number;
  bias: boolean;
}

export interface DeconvAttrs extends WindowAttrs {
  filters: number;
  /** A: extra rows/columns on the bottom/right of the output, [w, h] */
  outputPadding: [number, number];
  groups: number;
  bias: boolean;
}

/** maxpool, avgpool (an average counts the padding, as PyTorch's count_include_pad=True) */
export interface PoolAttrs extends WindowAttrs {
  /** round the output size up (ceil_mode) */
  ceil: boolean;
}

export interface AdaptivePoolAttrs {
  /** the output's [width, height] */
  outputSize: [number, number];
}

export interface FcAttrs {
  /** N: the number of outputs */
  features: number;
  bias: boolean;
}

export interface BnAttrs {
  eps: number;
}

export interface LayerNormAttrs {
  eps: number;
}

export interface LrnAttrs {
  /** N: how many neighbouring channels each output sums over */
  size: number;
}

export interface DropoutAttrs {
  /** the probability of zeroing an activation while training */
  p: number;
}

export interface LeakyReluAttrs {
  /** the negative slope */
  slope: number;
}

export interface EluAttrs {
  alpha: number;
}

export interface UpsampleAttrs {
  /** S: each pixel becomes S×S */
  factor: number;
}

export interface PadAttrs {
  padding: Padding;
}

export interface LayerscaleAttrs {
  /** the value every factor starts at (ConvNeXt: 1e-6) */
  init: number;
}

/** channels start ≤ c < end of the input (a vector: elements start … end − 1) */
export interface SliceAttrs {
  start: number;
  end: number;
}

export interface ShuffleAttrs {
  /** G: the channels as G groups of D/G, transposed */
  groups: number;
}

export interface DroppathAttrs {
  /** the probability of dropping a sample's whole branch while training */
  p: number;
}

export interface InputAttrs {
  /** literal data written in the file, [D][H][W] flattened */
  data?: number[];
  /** the sample the file names, or a picture file's path relative to it */
  sample?: { name: string } | { path: string };
  /** input: normalization of a picture, one value per channel (docs/ENGINE.md) */
  mean?: number[];
  std?: number[];
  /** input: a picture read as 1 − x */
  invert?: boolean;
  /** input: the names of the output's classes */
  classes?: { name: string } | { path: string };
}

/** a kind without options */
export type NoAttrs = { [K in never]: never };

/** Every node kind of the runnable graph and its attributes. */
export interface AttrsByOp {
  input: InputAttrs;
  /** element-wise sum of the inputs */
  add: NoAttrs;
  /** the inputs stacked along depth (vectors: joined) */
  concat: NoAttrs;
  /** element-wise product of the inputs; an input of 1×1×D multiplies every position */
  mul: NoAttrs;
  conv: ConvAttrs;
  dwconv: DwconvAttrs;
  local: LocalAttrs;
  deconv: DeconvAttrs;
  maxpool: PoolAttrs;
  avgpool: PoolAttrs;
  gap: NoAttrs;
  gmp: NoAttrs;
  adaptiveavgpool: AdaptivePoolAttrs;
  fc: FcAttrs;
  flatten: NoAttrs;
  bn: BnAttrs;
  layernorm: LayerNormAttrs;
  lrn: LrnAttrs;
  dropout: DropoutAttrs;
  relu: NoAttrs;
  relu6: NoAttrs;
  leakyrelu: LeakyReluAttrs;
  elu: EluAttrs;
  gelu: NoAttrs;
  silu: NoAttrs;
  sigmoid: NoAttrs;
  tanh: NoAttrs;
  hardswish: NoAttrs;
  hardsigmoid: NoAttrs;
  softmax: NoAttrs;
  upsample: UpsampleAttrs;
  pad: PadAttrs;
  layerscale: LayerscaleAttrs;
  slice: SliceAttrs;
  shuffle: ShuffleAttrs;
  droppath: DroppathAttrs;
}

/** a node's kind: a layer kind of the catalog, `input`, or a merge (`add`, `concat`, `mul`) */
export type NodeOp = keyof AttrsByOp;
/** the node kinds that join parallel paths */
export type MergeOp = "add" | "concat" | "mul";
/** the kinds of the layer catalog (analysis/layers.ts), by their canonical names */
export type LayerOp = Exclude<NodeOp, "input" | MergeOp>;
/** the attributes of any node (of kind K) */
export type LayerAttrs<K extends NodeOp = NodeOp> = AttrsByOp[K];

/** One line of explanation, with the numbers put in. */
export interface Explanation {
  title: string;
  text: string;
}

/**
 * One structure enclosing a graph node or an occurrence. `scope` lists them from the
 * network down: `[Stage 2 of 4 (label layer2), repeat 1 of 3, Bottleneck 3 of 12,
 * residual body]`. Every node and occurrence elaborated inside one structure's single
 * pass (one block use, one repeat iteration, one branch) shares the same frame object
 * and the same array: compare frames by `id` (unique within the network, also after
 * JSON) to group nodes into one box.
 */
export type ScopeFrame = BlockFrame | RepeatFrame | ResidualFrame | BranchFrame;

interface FrameBase {
  /** unique within its network, increasing in elaboration order */
  id: number;
  /** the statement of the structure (the block use, `repeat`, `residual`, `concat`/`add`) */
  span: Span;
  /** that statement's label, if any */
  label: string | null;
}

/** One use of a block: `Bottleneck 3 of 12` is the 3rd of the network's 12 uses of `Bottleneck`. */
export interface BlockFrame extends FrameBase {
  kind: "block";
  block: string;
  /** 1-based, in elaboration (and run) order over the whole network */
  use: number;
  /** how many times the network uses this block, in all */
  uses: number;
}

/** One pass of `repeat N`: iteration 1 … N (N null when the count is wrong: the body checked once). */
export interface RepeatFrame extends FrameBase {
  kind: "repeat";
  iteration: number;
  count: number | null;
}

/** The body or the shortcut of a `residual`; its add node is outside both. */
export interface ResidualFrame extends FrameBase {
  kind: "residual";
  path: "body" | "shortcut";
}

/** Branch i of n of a `concat`, `add` or `mul`; the merge node is outside the branches. */
export interface BranchFrame extends FrameBase {
  kind: "branch";
  merge: MergeOp;
  branch: number;
  branches: number;
}

interface NodeBase {
  id: number;
  inputs: number[];
  input: Shape | null;
  output: Shape;
  params: bigint;
  macs: bigint;
  label: string | null;
  /** the statement this node comes from */
  span: Span;
  /** the structures it is inside, outermost first ([] at the network's top level) */
  scope: readonly ScopeFrame[];
}

interface KindNode<K extends NodeOp> extends NodeBase {
  /** canonical layer kind ("conv", "maxpool", …), "input", "add" or "concat" */
  op: K;
  attrs: AttrsByOp[K];
}

/** A node of kind K (of one of the kinds K, when K is a union): its `attrs` are that kind's. */
export type NodeOf<K extends NodeOp> = K extends NodeOp ? KindNode<K> : never;

/** A node of the runnable graph: a layer, the input, or a merge (add/concat); `op` tells its attrs. */
export type GraphNode = NodeOf<NodeOp>;

export type StatementKind = "input" | "layer" | "call" | "repeat" | "residual" | MergeOp;

/** The result of one statement, once per time it is elaborated (a block body runs once per use). */
export interface Occurrence {
  span: Span;
  kind: StatementKind;
  /** canonical layer kind for a layer, block name for a call */
  name: string;
  label: string | null;
  input: Shape | null;
  output: Shape | null;
  params: bigint;
  weights: bigint;
  biases: bigint;
  macs: bigint;
  receptiveField: ReceptiveField | null;
  /** the graph node of a single layer, for hover and the run view */
  node: GraphNode | null;
  /** the formulas with the numbers put in (computed on demand) */
  explain: () => Explanation[];
  /** the call sites that led here, outermost first */
  callSites: Span[];
  /** the structures this elaboration is inside, outermost first (as GraphNode.scope) */
  scope: readonly ScopeFrame[];
  network: string;
}

export interface NetworkResult {
  name: string;
  /** the whole definition (for an implicit network: its first to last statement) */
  span: Span;
  nameSpan: Span;
  implicit: boolean;
  input: Shape | null;
  output: Shape | null;
  params: bigint;
  macs: bigint;
  receptiveField: ReceptiveField | null;
  /** Σ of every layer's output, float32 */
  activationBytes: bigint;
  /** the largest sum of activations alive at once when running */
  peakActivationBytes: bigint;
  /** top-level statements in order, except `input` */
  statements: Occurrence[];
  /** runnable graph in topological order; graph[0] is the input */
  graph: GraphNode[];
  /** true when the network has no error and every shape is known */
  complete: boolean;
}

export interface BlockResult {
  name: string;
  span: Span;
  nameSpan: Span;
  params: { name: string; span: Span; defaultText: string | null }[];
}

export interface Analysis {
  fileName: string;
  text: string;
  parse: ParseResult;
  networks: NetworkResult[];
  blocks: BlockResult[];
  diagnostics: Diagnostic[];
  /** statement start offset → its occurrences, in elaboration order */
  occurrences: ReadonlyMap<number, Occurrence[]>;
  /**
   * statement start offset → its uses that have no occurrence: past the first
   * OCCURRENCES_PER_STATEMENT (100) of a statement, and past the layer cap of a network
   * too large to expand (a reused block use is counted, not copied). A statement's uses
   * in all are its occurrences plus these.
   */
  unrecordedUses: Map<number, UnrecordedUses>;
  /** every use of a block name or parameter: for references and rename */
  references: NameReference[];
  /**
   * the work the elaboration did, in its budget's units (about 0.5 µs each: 4 per
   * statement elaborated, 1 per node or occurrence copied from a reused one); bounded
   * per analysis, so no text takes long
   */
  work: number;
}

/** Uses of a statement that have no Occurrence (see Analysis.unrecordedUses). */
export interface UnrecordedUses {
  count: bigint;
  /** every one is known to give what the statement's first occurrence gives (shape, params, MACs) */
  likeFirst: boolean;
}

export interface NameReference extends Span {
  kind: "block" | "parameter";
  /** the definition's name span (start offset identifies it) */
  definition: Span;
  name: string;
  isDefinition: boolean;
}

export interface AnalysisSettings {
  /** severity per code; "off" silences it */
  severity?: Partial<Record<DiagnosticCode, Severity | "off">>;
  /** layers expanded into a network's runnable graph at most (default 50,000): past them it is counted exactly, but cannot run */
  maxLayers?: number;
}
