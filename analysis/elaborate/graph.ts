// The graph and the totals: graph nodes and occurrences recorded as the expansion goes,
// each with the structures around it (its scope), and the network's sums over the graph
// (params, MACs, activation bytes, the peak alive at once) and its receptive field.

import type * as A from "../../grammar";
import type { Span } from "../../grammar";
import type { FieldStep } from "../layers";
import { elementCount } from "../format";
import type { AttrsByOp, BlockFrame, Explanation, GraphNode, NodeOp, Occurrence, ReceptiveField, ScopeFrame, Shape, StatementKind } from "../types";
import type { Flow } from "./doubt";
import type { Sink } from "./sink";

const noExplanation = (): Explanation[] => [];
const noCallSites: Span[] = [];
const noScope: readonly ScopeFrame[] = [];

export class Recorder {
  /** statement start offset → its occurrences, in elaboration order (the whole file) */
  readonly occurrences = new Map<number, Occurrence[]>();
  // per network
  graph: GraphNode[] = [];
  networkName = "";
  /** the structures around the statement being elaborated (shared by all it records) */
  scope: readonly ScopeFrame[] = noScope;
  private frames = 0;
  /** per block name, the frames of its uses in this network (their `uses` is set at the end) */
  private blockUses = new Map<string, BlockFrame[]>();

  constructor(private readonly sink: Sink) {}

  reset(networkName: string): void {
    this.graph = [];
    this.networkName = networkName;
    this.scope = noScope;
    this.frames = 0;
    this.blockUses = new Map();
  }

  /** the id of the next frame */
  frameId(): number {
    return this.frames++;
  }

  /** A frame for the next use of `block`, numbered in the network. */
  blockFrame(stmt: A.Statement, block: string): BlockFrame {
    if (!this.sink.recording) return { kind: "block", id: this.frames++, span: stmt, label: stmt.label?.text ?? null, block, use: 1, uses: 1 };
    let uses = this.blockUses.get(block);
    if (!uses) this.blockUses.set(block, (uses = []));
    const frame: BlockFrame = { kind: "block", id: this.frames++, span: stmt, label: stmt.label?.text ?? null, block, use: uses.length + 1, uses: 0 };
    uses.push(frame);
    return frame;
  }

  /** Elaborate inside one more structure; returns the scope to restore after. */
  enter(frame: ScopeFrame): readonly ScopeFrame[] {
    const outer = this.scope;
    const inner = new Array<ScopeFrame>(outer.length + 1);
    for (let i = 0; i < outer.length; i++) inner[i] = outer[i];
    inner[outer.length] = frame;
    this.scope = inner;
    return outer;
  }

  /** Every use of a block now knows how many uses there are. */
  countUses(): void {
    for (const list of this.blockUses.values()) for (const frame of list) frame.uses = list.length;
  }

  /**
   * Nodes (and occurrences below) are built whole, in one literal: objects that gain a
   * property later get a map of their own that dies with each analysis, and the
   * optimized code that read it is thrown away and compiled again every time.
   */
  addNode<K extends NodeOp>(op: K, inputs: number[], input: Shape | null, output: Shape, attrs: AttrsByOp[K], params: bigint, macs: bigint, stmt: A.Statement): number {
    const id = this.graph.length;
    // one literal whatever the kind: `op` says which attrs these are (GraphNode is a union by op)
    this.graph.push({ op, inputs, input, output, attrs, params, macs, label: stmt.label?.text ?? null, span: stmt, scope: this.scope, id } as unknown as GraphNode);
    return id;
  }

  record(
    stmt: A.Statement,
    kind: StatementKind,
    name: string,
    input: Shape | null,
    output: Shape | null,
    node: GraphNode | null,
    field: ReceptiveField | null,
    weights = 0n,
    biases = 0n,
    explain = noExplanation,
  ): Occurrence | null {
    if (!this.sink.recording) return null;
    const callStack = this.sink.callStack;
    const occ: Occurrence = {
      span: stmt,
      kind,
      name,
      label: stmt.label?.text ?? null,
      input,
      output,
      params: node?.params ?? 0n,
      weights,
      biases,
      macs: node?.macs ?? 0n,
      receptiveField: field,
      node,
      explain,
      callSites: callStack.length ? callStack.map((f) => f.site) : noCallSites,
      scope: this.scope,
      network: this.networkName,
    };
    const list = this.occurrences.get(stmt.start);
    if (list) list.push(occ);
    else this.occurrences.set(stmt.start, [occ]); // (an array grown from empty reserves 17 slots)
    return occ;
  }

  /** A statement made of many layers: its totals are those of the nodes it added. */
  composite(stmt: A.Statement, kind: StatementKind, name: string, input: Flow | null, out: Flow, from: number): Occurrence {
    const { params, macs } = totals(this.graph, from);
    const output = out.doubt ? null : out.shape;
    const occ = this.record(stmt, kind, name, input?.shape ?? null, output, null, out.field) ?? {
      span: { start: stmt.start, end: stmt.end },
      kind,
      name,
      label: stmt.label?.text ?? null,
      input: input?.shape ?? null,
      output,
      params: 0n,
      weights: 0n,
      biases: 0n,
      macs: 0n,
      receptiveField: out.field,
      node: null,
      explain: noExplanation,
      callSites: [],
      scope: this.scope,
      network: this.networkName,
    };
    occ.params = params;
    occ.macs = macs;
    return occ;
  }

  /** The occurrence of a top-level statement of the current network just elaborated. */
  lastOccurrence(stmt: A.Statement): Occurrence | null {
    const list = this.occurrences.get(stmt.start);
    const last = list?.[list.length - 1];
    return last && last.network === this.networkName && last.callSites.length === 0 ? last : null;
  }
}

/** Σ params and MACs of graph[from…]: summed as doubles while that is exact, else as bigints. */
export function totals(graph: GraphNode[], from: number): { params: bigint; macs: bigint } {
  let params = 0;
  let macs = 0;
  for (let i = from; i < graph.length; i++) {
    const node = graph[i];
    // a count past 2^53 converts to a double past it too (rounding is monotonic), so
    // one conversion both tests and sums: no bigint comparison per node
    const p = Number(node.params);
    const m = Number(node.macs);
    if (p > Number.MAX_SAFE_INTEGER || m > Number.MAX_SAFE_INTEGER) return exactTotals(graph, from);
    params += p;
    macs += m;
  }
  if (!Number.isSafeInteger(params) || !Number.isSafeInteger(macs)) return exactTotals(graph, from);
  return { params: BigInt(params), macs: BigInt(macs) };
}

function exactTotals(graph: GraphNode[], from: number): { params: bigint; macs: bigint } {
  let params = 0n;
  let macs = 0n;
  for (let i = from; i < graph.length; i++) {
    params += graph[i].params;
    macs += graph[i].macs;
  }
  return { params, macs };
}

/** Σ of every node's output in float32 bytes. */
export function activationTotal(graph: GraphNode[]): bigint {
  let bytes = 0;
  for (const node of graph) {
    const out = node.output;
    bytes += (out.kind === "volume" ? out.w * out.h * out.d : out.n) * 4;
  }
  if (Number.isSafeInteger(bytes)) return BigInt(bytes);
  let exact = 0n;
  for (const node of graph) exact += elementCount(node.output) * 4n;
  return exact;
}

/** r₂ = r₁ + (F'−1)·j₁, j₂ = j₁·S (spec §6); upsampling divides the jump. */
export function stepField(field: ReceptiveField | null, step: FieldStep | undefined): ReceptiveField | null {
  if (!field) return null;
  if (!step) return field;
  if (step.kind === "window") {
    return {
      w: field.w + (step.kernel[0] - 1) * field.jumpW,
      h: field.h + (step.kernel[1] - 1) * field.jumpH,
      jumpW: field.jumpW * step.stride[0],
      jumpH: field.jumpH * step.stride[1],
    };
  }
  const jumpW = field.jumpW / step.factor[0];
  const jumpH = field.jumpH / step.factor[1];
  return { w: field.w + (step.kernel[0] - 1) * jumpW, h: field.h + (step.kernel[1] - 1) * jumpH, jumpW, jumpH };
}

/** The receptive field after parallel paths: the largest of each (spec §6). */
export function joinFields(outs: Flow[]): ReceptiveField | null {
  return outs.reduce<ReceptiveField | null>((acc, o) => {
    if (!o.field) return acc;
    if (!acc) return { ...o.field };
    return { w: Math.max(acc.w, o.field.w), h: Math.max(acc.h, o.field.h), jumpW: Math.max(acc.jumpW, o.field.jumpW), jumpH: Math.max(acc.jumpH, o.field.jumpH) };
  }, null);
}

/** The most float32 activation bytes alive at once when the graph runs in order. */
export function peakLive(graph: GraphNode[]): bigint {
  const lastUse = new Int32Array(graph.length).fill(-1);
  for (const node of graph) for (const i of node.inputs) if (node.id > lastUse[i]) lastUse[i] = node.id;
  // bytes to free after each node; plain numbers while exact, bigint past 2^53
  const freeAfter = new Float64Array(graph.length);
  let live = 0;
  let peak = 0;
  for (const node of graph) {
    const out = node.output;
    const bytes = (out.kind === "volume" ? out.w * out.h * out.d : out.n) * 4;
    live += bytes;
    if (live > peak) peak = live;
    if (!Number.isSafeInteger(live)) return peakLiveExact(graph, lastUse);
    freeAfter[lastUse[node.id] >= 0 ? lastUse[node.id] : node.id] += bytes;
    live -= freeAfter[node.id];
  }
  return BigInt(peak);
}

function peakLiveExact(graph: GraphNode[], lastUse: Int32Array): bigint {
  const freeAfter = new Array<bigint>(graph.length).fill(0n);
  let live = 0n;
  let peak = 0n;
  for (const node of graph) {
    const bytes = elementCount(node.output) * 4n;
    live += bytes;
    if (live > peak) peak = live;
    freeAfter[lastUse[node.id] >= 0 ? lastUse[node.id] : node.id] += bytes;
    live -= freeAfter[node.id];
  }
  return peak;
}
