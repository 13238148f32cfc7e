// The graph and the totals: graph nodes and occurrences recorded as the expansion goes,
// each with the structures around it (its scope), and the network's sums over the graph
// (params, MACs, activation bytes, the peak alive at once) and its receptive field.

import type * as A from "../../grammar";
import type { Span } from "../../grammar";
import type { FieldStep } from "../layers";
import { elementCount } from "../format";
import { fieldAdd, fieldDiv, fieldEquals, fieldMax, fieldMul, fieldSub } from "../exact";
import type { AttrsByOp, BlockFrame, Explanation, GraphNode, NodeOp, Occurrence, ReceptiveField, ScopeFrame, Shape, StatementKind, UnrecordedUses } from "../types";
import type { Flow } from "./doubt";
import { firstOf, type Sink } from "./sink";
import { OccurrenceMap } from "./occurrences";
import { since, Tally, type Mark } from "./tally";

/** The layers of one elaboration of a template (a double: exact below 2^53). */
export function layersIn(t: Template): number {
  return t.from.big === null && t.to.big === null ? t.to.l - t.from.l : Number(since(t.from, t.to).layers);
}



const noExplanation = (): Explanation[] => [];
/**
 * Occurrences kept per statement at most: hover and hints show the first few and the
 * count; the uses past these are counted (Analysis.unrecordedUses), not kept.
 */
export const OCCURRENCES_PER_STATEMENT = 100;
const noCallSites: readonly Span[] = [];
const noScope: readonly ScopeFrame[] = [];

/**
 * What one elaboration of a block body (or one pass of a repeat) left, so that the
 * next use with the same arguments, input shape and doubt can be *replayed* — its nodes
 * and occurrences copied with fresh ids, scopes and call sites — instead of elaborated
 * again (spec §4 makes a use depend on nothing else), or, past the layer cap, only
 * counted. The slices index the network's graph, occurrence log and frame log.
 */
export interface Template {
  graphFrom: number;
  graphTo: number;
  logFrom: number;
  logTo: number;
  framesFrom: number;
  framesTo: number;
  /** the id of the first frame of the slice (frame ids are consecutive) */
  frameIdFrom: number;
  /** every node and occurrence of the elaboration is in the slices */
  expanded: boolean;
  /** the node the body read (the use's input), the call sites and scope depth around it */
  inputNode: number | null;
  callDepth: number;
  scopeDepth: number;
  fieldIn: ReceptiveField | null;
  out: Flow;
  /** the tally before and after it: its totals are the difference */
  from: Mark;
  to: Mark;
  errors: number;
  /** what one copy costs, in nodes, occurrences, frames and the scope and call-site arrays made (-1: not counted yet) */
  cost: number;
  /** uses of each statement inside, the uses past the cap included (made when first needed) */
  counts: Map<number, bigint> | null;
  /** uses past the cap recorded while it was elaborated (not in the log) */
  extra: Map<number, bigint> | null;
  /** the network's uses of each block before it (a use inside is numbered from these), and the uses it made */
  useFrom: number;
  useTo: number;
  /** made when first needed, from its slice of the use log */
  uses: TemplateUses | null;
}

/** The block uses of a template: per block, the network's count before it, and the uses it made. */
interface TemplateUses {
  before: Map<string, number>;
  made: Map<string, number>;
}

/** The receptive field after a reused elaboration, for a different field coming in: r and j are affine in the input's (exact: analysis/exact.ts). */
export function movedField(field: ReceptiveField | null, from: ReceptiveField | null, to: ReceptiveField | null): ReceptiveField | null {
  if (!field || !from || !to) return null;
  if (fieldEquals(from.w, to.w) && fieldEquals(from.h, to.h) && fieldEquals(from.jumpW, to.jumpW) && fieldEquals(from.jumpH, to.jumpH)) return field;
  const sw = fieldDiv(to.jumpW, from.jumpW);
  const sh = fieldDiv(to.jumpH, from.jumpH);
  return {
    w: fieldAdd(to.w, fieldMul(fieldSub(field.w, from.w), sw)),
    h: fieldAdd(to.h, fieldMul(fieldSub(field.h, from.h), sh)),
    jumpW: fieldMul(field.jumpW, sw),
    jumpH: fieldMul(field.jumpH, sh),
  };
}

/** The field after `times` reuses in a row of a template (a repeat's remaining passes): the affine map applied `times` times. */
function fieldAfter(t: Template, field: ReceptiveField | null, times: number): ReceptiveField | null {
  const from = t.fieldIn;
  const to = t.out.field;
  if (!field || !from || !to) return null;
  const sw = fieldDiv(to.jumpW, from.jumpW);
  const sh = fieldDiv(to.jumpH, from.jumpH);
  const aw = fieldDiv(fieldSub(to.w, from.w), from.jumpW);
  const ah = fieldDiv(fieldSub(to.h, from.h), from.jumpH);
  let { w, h, jumpW, jumpH } = field;
  for (let i = 0; i < times; i++) {
    w = fieldAdd(w, fieldMul(aw, jumpW));
    h = fieldAdd(h, fieldMul(ah, jumpH));
    jumpW = fieldMul(jumpW, sw);
    jumpH = fieldMul(jumpH, sh);
  }
  return { w, h, jumpW, jumpH };
}

function sameShape(a: Shape | null, b: Shape | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.kind === "vector" || b.kind === "vector") return a.kind === b.kind && (a as { n: number }).n === (b as { n: number }).n;
  return a.w === b.w && a.h === b.h && a.d === b.d;
}

function alike(first: Occurrence, output: Shape | null, params: bigint, macs: bigint): boolean {
  return sameShape(first.output, output) && first.params === params && first.macs === macs;
}

function addCounts(into: Map<number, bigint>, from: Map<number, bigint>, times: bigint): void {
  for (const [start, n] of from) into.set(start, (into.get(start) ?? 0n) + n * times);
}

/** A recorder's state between two top-level statements of a network (incremental analysis: expand.ts `resume`). */
export interface RecorderMark {
  items: number;
  graph: number;
  log: number;
  frameLog: number;
  frames: number;
  tally: Mark;
  expanding: boolean;
  useLog: number;
  fileLog: number;
  varied: number;
}

/** What a network's elaboration keeps, to be restored at one of its marks. */
export interface RecordedNetwork {
  name: string;
  graph: GraphNode[];
  log: Occurrence[];
  frameLog: ScopeFrame[];
  blockUses: Map<string, BlockFrame[]>;
  useCount: Map<string, number>;
  useLogBlock: string[];
  useLogBefore: number[];
  useLogAfter: number[];
  unrecordedBefore: Map<number, UnrecordedUses>;
}

export class Recorder {
  /** statement start offset → its occurrences, in elaboration order (the whole file) */
  occurrences = new OccurrenceMap();
  /** statement start → uses that have no occurrence (past the layer cap), the whole file */
  unrecorded = new Map<number, UnrecordedUses>();
  /** statements whose uses without an occurrence may differ from their first (shape, params, MACs) */
  varied = new Set<number>();
  /** every occurrence kept, the whole file, in order (what a restore takes back out of `occurrences`) */
  private fileLog: Occurrence[] = [];
  /** `unrecorded` when this network began */
  private unrecordedBefore = new Map<number, UnrecordedUses>();
  /** nodes and occurrences recorded in the whole analysis (for its budget) */
  items = 0;
  // per network
  graph: GraphNode[] = [];
  /** every occurrence of the network, in record order */
  private log: Occurrence[] = [];
  /** every frame of the network, in creation order */
  private frameLog: ScopeFrame[] = [];
  networkName = "";
  /** the structures around the statement being elaborated (shared by all it records) */
  scope: readonly ScopeFrame[] = noScope;
  /** the call sites that led here, outermost first (shared as the scope) */
  callSites: readonly Span[] = noCallSites;
  readonly tally = new Tally();
  /** nodes and occurrences go into the graph and the log; false past the cap (and for blocks alone) */
  expanding = true;
  private frames = 0;
  /** per block name, the frames of its uses in this network (their `uses` is set at the end) */
  private blockUses = new Map<string, BlockFrame[]>();
  /** per block name, its uses so far in this network, counted ones too (the next use's number is one more) */
  private useCount = new Map<string, number>();
  /** every change of useCount, in order: the block and its count before and after (a template's slice says what it made) */
  private useLogBlock: string[] = [];
  private useLogBefore: number[] = [];
  private useLogAfter: number[] = [];
  /** uses past the cap, counted into the innermost template being elaborated (the network's own at the bottom) */
  private extras: (Map<number, bigint> | null)[] = [];
  /** call statement start → its block, for the uses past the cap */
  private callees = new Map<number, string>();

  constructor(private readonly sink: Sink) {}

  reset(networkName: string, expanding: boolean): void {
    this.graph = [];
    this.log = [];
    this.frameLog = [];
    this.networkName = networkName;
    this.scope = noScope;
    this.callSites = noCallSites;
    this.tally.reset();
    this.expanding = expanding;
    this.frames = 0;
    this.blockUses = new Map();
    this.useCount = new Map();
    this.useLogBlock = [];
    this.useLogBefore = [];
    this.useLogAfter = [];
    this.extras = [null];
    this.callees = new Map();
    this.unrecordedBefore = new Map(this.unrecorded);
  }

  /** Between two top-level statements, nothing counted past the cap and the tally exact as doubles: a mark restores all. */
  markable(): boolean {
    return this.extras.length === 1 && this.extras[0] === null && this.tally.big === null && this.scope.length === 0 && this.callSites.length === 0;
  }

  mark(): RecorderMark {
    return {
      items: this.items,
      graph: this.graph.length,
      log: this.log.length,
      frameLog: this.frameLog.length,
      frames: this.frames,
      tally: this.tally.mark(),
      expanding: this.expanding,
      useLog: this.useLogBlock.length,
      fileLog: this.fileLog.length,
      varied: this.varied.size,
    };
  }

  /** The current network's own structures (taken once it is done: a later network resets them). */
  network(): RecordedNetwork {
    return {
      name: this.networkName,
      graph: this.graph,
      log: this.log,
      frameLog: this.frameLog,
      blockUses: this.blockUses,
      useCount: this.useCount,
      useLogBlock: this.useLogBlock,
      useLogBefore: this.useLogBefore,
      useLogAfter: this.useLogAfter,
      unrecordedBefore: this.unrecordedBefore,
    };
  }

  /**
   * `from.occurrences` as they were when `from.fileLog` had `kept` entries, in a new map
   * (lists of their own where later occurrences go): built again from the log's first
   * `kept` entries when that costs less than taking the later ones back out of a copy,
   * newest first (an edit near the top of the 5,000-layer file: 100 entries, not a copy
   * of 5,000 and 4,900 taken out; one at its end, the other way round). Either gives the
   * lists, and the map's order, the elaboration gave them.
   */
  /** how occurrencesAt() goes: null, by the cost (the tests force either way) */
  static rebuildOccurrences: boolean | null = null;

  private static occurrencesAt(from: Recorder, kept: number): OccurrenceMap {
    const log = from.fileLog;
    // (an entry built again costs about three copied: a lookup, an array, an insertion)
    const rebuild = Recorder.rebuildOccurrences ?? 3 * kept <= from.occurrences.size + 3 * (log.length - kept);
    if (rebuild) {
      const occurrences = new OccurrenceMap();
      for (let i = 0; i < kept; i++) {
        const occ = log[i];
        const list = occurrences.get(occ.span.start);
        if (list) list.push(occ);
        else occurrences.set(occ.span.start, [occ]);
      }
      return occurrences;
    }
    // the occurrences kept after the mark taken back out, newest first (each is the last of its list then)
    const occurrences = from.occurrences.copy();
    const copied = new Set<Occurrence[]>();
    for (let i = log.length - 1; i >= kept; i--) {
      const occ = log[i];
      const key = occ.span.start;
      let list = occurrences.get(key)!;
      if (!copied.has(list)) {
        list = list.slice();
        copied.add(list);
        occurrences.set(key, list);
      }
      list.pop();
      if (list.length === 0) occurrences.delete(key);
    }
    // a block body's statements get more occurrences below: their lists are this analysis' own
    for (const [key, list] of occurrences) {
      if (!copied.has(list) && list.length > 0 && list[0].callSites.length > 0) {
        const own = list.slice();
        copied.add(own);
        occurrences.set(key, own);
      }
    }
    return occurrences;
  }

  /**
   * This recorder as `from` was at `mark`, inside `net` (markable() held there). Nothing
   * of `from` or of what its analysis returned is changed — save the \`uses\` of the block
   * frames before the mark, which countUses() sets again at the network's end.
   */
  restore(from: Recorder, net: RecordedNetwork, mark: RecorderMark): void {
    this.occurrences = Recorder.occurrencesAt(from, mark.fileLog);
    this.fileLog = from.fileLog.slice(0, mark.fileLog);
    this.unrecorded = new Map(net.unrecordedBefore);
    this.unrecordedBefore = new Map(net.unrecordedBefore);
    this.varied = firstOf(from.varied, mark.varied);
    this.items = mark.items;
    this.graph = net.graph.slice(0, mark.graph);
    this.log = net.log.slice(0, mark.log);
    this.frameLog = net.frameLog.slice(0, mark.frameLog);
    this.networkName = net.name;
    this.scope = noScope;
    this.callSites = noCallSites;
    const t = mark.tally;
    this.tally.reset();
    this.tally.p = t.p;
    this.tally.m = t.m;
    this.tally.b = t.b;
    this.tally.l = t.l;
    this.expanding = mark.expanding;
    this.frames = mark.frames;
    // the block uses after the mark taken back
    const blockUses = new Map<string, BlockFrame[]>();
    for (const [block, list] of net.blockUses) blockUses.set(block, list.slice());
    for (let i = net.frameLog.length - 1; i >= mark.frameLog; i--) {
      const f = net.frameLog[i];
      if (f.kind !== "block") continue;
      const list = blockUses.get(f.block);
      if (list && list[list.length - 1] === f) list.pop();
    }
    this.blockUses = blockUses;
    const useCount = new Map(net.useCount);
    for (let i = net.useLogBlock.length - 1; i >= mark.useLog; i--) {
      const before = net.useLogBefore[i];
      if (before === 0) useCount.delete(net.useLogBlock[i]);
      else useCount.set(net.useLogBlock[i], before);
    }
    this.useCount = useCount;
    this.useLogBlock = net.useLogBlock.slice(0, mark.useLog);
    this.useLogBefore = net.useLogBefore.slice(0, mark.useLog);
    this.useLogAfter = net.useLogAfter.slice(0, mark.useLog);
    this.extras = [null];
    this.callees = new Map();
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
    const use = this.moreUses(block, 1);
    const frame: BlockFrame = { kind: "block", id: this.frames++, span: stmt, label: stmt.label?.text ?? null, block, use, uses: 0 };
    if (this.expanding) uses.push(frame);
    this.callees.set(stmt.start, block);
    return frame;
  }

  /** Elaborate inside one more structure; returns the scope to restore after. */
  enter(frame: ScopeFrame): readonly ScopeFrame[] {
    const outer = this.scope;
    const inner = new Array<ScopeFrame>(outer.length + 1);
    for (let i = 0; i < outer.length; i++) inner[i] = outer[i];
    inner[outer.length] = frame;
    this.scope = inner;
    this.frameLog.push(frame);
    return outer;
  }

  /** Into a block use at `site`; returns the call sites to restore after. */
  enterCall(site: Span): readonly Span[] {
    const outer = this.callSites;
    const inner = new Array<Span>(outer.length + 1);
    for (let i = 0; i < outer.length; i++) inner[i] = outer[i];
    inner[outer.length] = site;
    this.callSites = inner;
    return outer;
  }

  /**
   * Every use of a block now knows how many uses there are. In a network too large to
   * expand, the uses of its call statements, past the cap too (a double past 2^53).
   */
  countUses(): void {
    for (const [block, list] of this.blockUses) {
      const uses = this.useCount.get(block) ?? list.length;
      for (const frame of list) frame.uses = uses;
    }
  }

  /** The uses of this network past the cap, now that it is done: into the file's. */
  finishNetwork(): void {
    for (const [start, n] of this.extras[0] ?? []) {
      const before = this.unrecorded.get(start);
      this.unrecorded.set(start, { count: (before?.count ?? 0n) + n, likeFirst: !this.varied.has(start) });
    }
  }

  /**
   * Nodes (and occurrences below) are built whole, in one literal: objects that gain a
   * property later get a map of their own that dies with each analysis, and the
   * optimized code that read it is thrown away and compiled again every time.
   * Past the cap a node is only tallied: its id is -1 (it exists, but not in the graph).
   */
  addNode<K extends NodeOp>(op: K, inputs: number[], input: Shape | null, output: Shape, attrs: AttrsByOp[K], params: bigint, macs: bigint, stmt: A.Statement, layer = false): number {
    this.tally.node(params, macs, output, layer);
    if (!this.expanding) return -1;
    const id = this.graph.length;
    this.graph.push({ op, inputs, input, output, attrs, params, macs, label: stmt.label?.text ?? null, span: stmt, scope: this.scope, id } as unknown as GraphNode);
    // (one literal whatever the kind: `op` says which attrs these are; GraphNode is a union by op)
    this.items++;
    return id;
  }

  /** graph[id], or null for a node past the cap */
  nodeAt(id: number | null): GraphNode | null {
    return id === null || id < 0 ? null : this.graph[id];
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
    params = node?.params ?? 0n,
    macs = node?.macs ?? 0n,
  ): Occurrence | null {
    if (!this.sink.recording) return null;
    const callSites = this.callSites;
    // a top-level statement is always recorded (the network's list of statements); past
    // the cap the others are counted
    if (!this.expanding && (callSites.length > 0 || this.scope.length > 0)) {
      this.count(stmt.start, this.occurrences.get(stmt.start), output, params, macs);
      return null;
    }
    // (undefined for a first occurrence, null when the statement has its fill: then counted)
    const list = this.listFor(stmt.start, output, params, macs);
    if (list === null) return null;
    const occ: Occurrence = {
      span: stmt,
      kind,
      name,
      label: stmt.label?.text ?? null,
      input,
      output,
      params,
      weights,
      biases,
      macs,
      receptiveField: field,
      node,
      explain,
      callSites: callSites as Span[],
      scope: this.scope,
      network: this.networkName,
    };
    this.keep(list, occ);
    this.items++;
    return occ;
  }

  /** The statement's list of occurrences, if it has room for one more; else the use is counted. */
  private listFor(start: number, output: Shape | null, params: bigint, macs: bigint): Occurrence[] | undefined | null {
    const list = this.occurrences.get(start);
    if (list && list.length >= OCCURRENCES_PER_STATEMENT) {
      this.count(start, list, output, params, macs);
      return null;
    }
    return list;
  }

  /** One use without an occurrence: counted, and compared with the first. */
  private count(start: number, list: Occurrence[] | undefined, output: Shape | null, params: bigint, macs: bigint): void {
    const extra = this.extra();
    extra.set(start, (extra.get(start) ?? 0n) + 1n);
    if (!this.varied.has(start) && !(list && alike(list[0], output, params, macs))) this.varied.add(start);
  }

  private keep(list: Occurrence[] | undefined, occ: Occurrence): void {
    this.log.push(occ);
    this.fileLog.push(occ);
    if (list) list.push(occ);
    else this.occurrences.set(occ.span.start, [occ]); // (an array grown from empty reserves 17 slots)
  }

  /** A statement made of many layers: its totals are those of the nodes it added since `from`. */
  composite(stmt: A.Statement, kind: StatementKind, name: string, input: Flow | null, out: Flow, from: Mark | null): Occurrence {
    const { params, macs } = from ? this.tally.countsSince(from) : { params: 0n, macs: 0n };
    const output = out.doubt ? null : out.shape;
    return this.record(stmt, kind, name, input && !input.doubt ? input.shape : null, output, null, out.field, 0n, 0n, noExplanation, params, macs) ?? {
      span: { start: stmt.start, end: stmt.end },
      kind,
      name,
      label: stmt.label?.text ?? null,
      input: input && !input.doubt ? input.shape : null,
      output,
      params,
      weights: 0n,
      biases: 0n,
      macs,
      receptiveField: out.field,
      node: null,
      explain: noExplanation,
      callSites: [],
      scope: this.scope,
      network: this.networkName,
    };
  }

  /** The occurrence of a top-level statement of the current network just elaborated. */
  lastOccurrence(stmt: A.Statement): Occurrence | null {
    const list = this.occurrences.get(stmt.start);
    const last = list?.[list.length - 1];
    return last && last.network === this.networkName && last.callSites.length === 0 ? last : null;
  }

  // ---- templates ----

  /** The counts of uses past the cap of the innermost template being elaborated (made when first needed). */
  private extra(): Map<number, bigint> {
    const i = this.extras.length - 1;
    return (this.extras[i] ??= new Map());
  }

  /** Start recording what the next elaboration leaves, for its reuse. */
  begin(flow: Flow): Template {
    this.extras.push(null);
    const mark = this.tally.mark();
    return {
      graphFrom: this.graph.length,
      graphTo: 0,
      logFrom: this.log.length,
      logTo: 0,
      framesFrom: this.frameLog.length,
      framesTo: 0,
      frameIdFrom: this.frames,
      expanded: this.expanding,
      inputNode: flow.node,
      callDepth: this.callSites.length,
      scopeDepth: this.scope.length,
      fieldIn: flow.field,
      out: flow,
      from: mark,
      to: mark,
      errors: this.sink.errors,
      cost: -1,
      counts: null,
      extra: null,
      useFrom: this.useLogBlock.length,
      useTo: 0,
      uses: null,
    };
  }

  /** The elaboration is done: the template is complete. */
  end(t: Template, out: Flow): Template {
    t.graphTo = this.graph.length;
    t.logTo = this.log.length;
    t.framesTo = this.frameLog.length;
    t.expanded = t.expanded && this.expanding;
    t.out = out;
    t.to = this.tally.mark();
    t.errors = this.sink.errors - t.errors;
    t.useTo = this.useLogBlock.length;
    const extra = this.extras.pop();
    if (extra) {
      t.extra = extra;
      addCounts(this.extra(), extra, 1n);
    }
    return t;
  }

  /** Uses of each statement inside one elaboration of the template. */
  private countsOf(t: Template): Map<number, bigint> {
    if (t.counts) return t.counts;
    const counts = new Map<number, bigint>();
    for (let i = t.logFrom; i < t.logTo; i++) {
      const start = this.log[i].span.start;
      counts.set(start, (counts.get(start) ?? 0n) + 1n);
    }
    if (t.extra) addCounts(counts, t.extra, 1n);
    t.counts = counts;
    return counts;
  }

  /** No node and no occurrence: nothing to copy (its frames would hold nothing). */
  static empty(t: Template): boolean {
    return t.graphTo === t.graphFrom && t.logTo === t.logFrom;
  }

  /** The size of one replay, in recorded items (nodes, occurrences, frames). */
  static size(t: Template): number {
    return t.graphTo - t.graphFrom + (t.logTo - t.logFrom) + (t.framesTo - t.framesFrom) + 1;
  }

  /**
   * What one copy of the template costs: its nodes, occurrences and frames, and the
   * scope and call-site arrays made for them (a deep nesting makes one per use, each as
   * long as the nesting). Counted once, on first reuse.
   */
  cost(t: Template): number {
    if (t.cost >= 0) return t.cost;
    let cost = Recorder.size(t);
    const seen = new Set<readonly unknown[]>();
    const add = (a: readonly unknown[], depth: number) => {
      if (a.length > depth && !seen.has(a)) {
        seen.add(a);
        // (an element copied costs about an eighth of a node made)
        cost += a.length >> 3;
      }
    };
    for (let i = t.graphFrom; i < t.graphTo; i++) add(this.graph[i].scope, t.scopeDepth);
    for (let i = t.logFrom; i < t.logTo; i++) {
      add(this.log[i].scope, t.scopeDepth);
      add(this.log[i].callSites, t.callDepth);
    }
    t.cost = cost;
    return cost;
  }

  /**
   * `times` more elaborations exactly like the template's, from `flow`: copied into the
   * graph and the log while expanding, else only tallied and counted. Returns the flow
   * after them and the work done (items copied or counts added).
   */
  reuse(t: Template, flow: Flow, times: number, copy = true): { out: Flow; work: number; kept: number } {
    if (copy && this.expanding && t.expanded && !Recorder.empty(t)) {
      let out = flow;
      let kept = 0;
      const cost = this.cost(t);
      for (let i = 0; i < times; i++) {
        const r = this.replay(t, out);
        out = r.out;
        kept += r.kept;
        this.items += cost;
      }
      return { out, work: times * cost, kept };
    }
    this.tally.addSpan(t.from, t.to, times);
    this.sink.errors += t.errors * times;
    let work = 1;
    if (this.sink.recording) {
      const counts = this.countsOf(t);
      addCounts(this.extra(), counts, BigInt(times));
      // the uses of blocks inside are counted too: a use after them has its number in the network
      for (const [block, n] of this.usesIn(t).made) this.moreUses(block, n * times);
      // (copies of uses already kept or counted, so compared with the first already)
      work += counts.size;
    }
    // the flow after: the template's, its node (if any) past the cap
    const node = t.out.node === null ? null : t.out.node === t.inputNode ? flow.node : -1;
    return { out: { shape: t.out.shape, node, field: fieldAfter(t, flow.field, times), doubt: t.out.doubt }, work, kept: 0 };
  }

  /** `n` more uses of `block` in the network; returns its count after. */
  private moreUses(block: string, n: number): number {
    const before = this.useCount.get(block) ?? 0;
    const after = before + n;
    this.useCount.set(block, after);
    this.useLogBlock.push(block);
    this.useLogBefore.push(before);
    this.useLogAfter.push(after);
    return after;
  }

  /** The block uses the template made, and the counts before it (from its slice of the use log). */
  private usesIn(t: Template): TemplateUses {
    if (t.uses) return t.uses;
    const before = new Map<string, number>();
    const last = new Map<string, number>();
    for (let i = t.useFrom; i < t.useTo; i++) {
      const block = this.useLogBlock[i];
      if (!before.has(block)) before.set(block, this.useLogBefore[i]);
      last.set(block, this.useLogAfter[i]);
    }
    const made = new Map<string, number>();
    for (const [block, after] of last) made.set(block, after - before.get(block)!);
    return (t.uses = { before, made });
  }

  /** One copy of the template's nodes and occurrences, from `flow`. */
  private replay(t: Template, flow: Flow): { out: Flow; kept: number } {
    const inside = this.usesIn(t);
    const offset = this.graph.length - t.graphFrom;
    const mapNode = (id: number | null): number | null => (id === null ? null : id >= t.graphFrom ? id + offset : id === t.inputNode ? flow.node : id);
    // fresh frames, numbered as if elaborated here
    const frames = new Array<ScopeFrame>(t.framesTo - t.framesFrom);
    for (let i = t.framesFrom; i < t.framesTo; i++) {
      const f = this.frameLog[i];
      const id = this.frames++;
      let copy: ScopeFrame;
      if (f.kind === "block") {
        let uses = this.blockUses.get(f.block);
        if (!uses) this.blockUses.set(f.block, (uses = []));
        // numbered as it was in the template, from this replay's start (uses only counted inside it have numbers too)
        const use = (this.useCount.get(f.block) ?? 0) + f.use - inside.before.get(f.block)!;
        copy = { kind: "block", id, span: f.span, label: f.label, block: f.block, use, uses: 0 };
        uses.push(copy);
      } else if (f.kind === "repeat") copy = { kind: "repeat", id, span: f.span, label: f.label, iteration: f.iteration, count: f.count };
      else if (f.kind === "residual") copy = { kind: "residual", id, span: f.span, label: f.label, path: f.path };
      else copy = { kind: "branch", id, span: f.span, label: f.label, merge: f.merge, branch: f.branch, branches: f.branches };
      frames[i - t.framesFrom] = copy;
      this.frameLog.push(copy);
    }
    for (const [block, n] of inside.made) this.moreUses(block, n);
    const scopes = new Map<readonly ScopeFrame[], readonly ScopeFrame[]>();
    const here = this.scope;
    const scopeOf = (old: readonly ScopeFrame[]): readonly ScopeFrame[] => {
      if (old.length === t.scopeDepth) return here;
      let s = scopes.get(old);
      if (!s) {
        const inner = new Array<ScopeFrame>(here.length + old.length - t.scopeDepth);
        for (let i = 0; i < here.length; i++) inner[i] = here[i];
        for (let i = t.scopeDepth; i < old.length; i++) inner[here.length + i - t.scopeDepth] = frames[old[i].id - t.frameIdFrom];
        scopes.set(old, (s = inner));
      }
      return s;
    };
    const sites = new Map<Span[], Span[]>();
    const hereSites = this.callSites;
    const sitesOf = (old: Span[]): Span[] => {
      if (old.length === t.callDepth) return hereSites as Span[];
      let s = sites.get(old);
      if (!s) {
        s = [...hereSites, ...old.slice(t.callDepth)];
        sites.set(old, s);
      }
      return s;
    };
    const graph = this.graph;
    const from = t.graphFrom;
    const outside = flow.node ?? -1;
    for (let i = from; i < t.graphTo; i++) {
      const n = graph[i];
      const old = n.inputs;
      // (the key of a reuse says whether its input has a node, so the template's did too)
      const inputs = new Array<number>(old.length);
      for (let j = 0; j < old.length; j++) inputs[j] = old[j] >= from ? old[j] + offset : outside;
      graph.push({ op: n.op, inputs, input: n.input, output: n.output, attrs: n.attrs, params: n.params, macs: n.macs, label: n.label, span: n.span, scope: scopeOf(n.scope), id: i + offset } as GraphNode);
    }
    let kept = t.graphTo - from;
    this.tally.addSpan(t.from, t.to, 1);
    const fieldIn = flow.field;
    const log = this.log;
    for (let i = t.logFrom; i < t.logTo; i++) {
      const o = log[i];
      const list = this.listFor(o.span.start, o.output, o.params, o.macs);
      if (list === null) continue;
      kept++;
      this.keep(list, {
        span: o.span,
        kind: o.kind,
        name: o.name,
        label: o.label,
        input: o.input,
        output: o.output,
        params: o.params,
        weights: o.weights,
        biases: o.biases,
        macs: o.macs,
        receptiveField: movedField(o.receptiveField, t.fieldIn, fieldIn),
        node: o.node ? this.graph[o.node.id + offset] : null,
        explain: o.explain,
        callSites: sitesOf(o.callSites),
        scope: scopeOf(o.scope),
        network: this.networkName,
      });
    }
    if (t.extra) addCounts(this.extra(), t.extra, 1n);
    this.sink.errors += t.errors;
    return { out: { shape: t.out.shape, node: mapNode(t.out.node), field: movedField(t.out.field, t.fieldIn, fieldIn), doubt: t.out.doubt }, kept };
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

/** r₂ = r₁ + (F'−1)·j₁, j₂ = j₁·S (spec §6); upsampling divides the jump. Exact (analysis/exact.ts). */
export function stepField(field: ReceptiveField | null, step: FieldStep | undefined): ReceptiveField | null {
  if (!field) return null;
  if (!step) return field;
  if (step.kind === "window") {
    return {
      w: fieldAdd(field.w, fieldMul(step.kernel[0] - 1, field.jumpW)),
      h: fieldAdd(field.h, fieldMul(step.kernel[1] - 1, field.jumpH)),
      jumpW: fieldMul(field.jumpW, step.stride[0]),
      jumpH: fieldMul(field.jumpH, step.stride[1]),
    };
  }
  const jumpW = fieldDiv(field.jumpW, step.factor[0]);
  const jumpH = fieldDiv(field.jumpH, step.factor[1]);
  return { w: fieldAdd(field.w, fieldMul(step.kernel[0] - 1, jumpW)), h: fieldAdd(field.h, fieldMul(step.kernel[1] - 1, jumpH)), jumpW, jumpH };
}

/** The receptive field after parallel paths: the largest of each (spec §6). */
export function joinFields(outs: Flow[]): ReceptiveField | null {
  return outs.reduce<ReceptiveField | null>((acc, o) => {
    if (!o.field) return acc;
    if (!acc) return { ...o.field };
    return { w: fieldMax(acc.w, o.field.w), h: fieldMax(acc.h, o.field.h), jumpW: fieldMax(acc.jumpW, o.field.jumpW), jumpH: fieldMax(acc.jumpH, o.field.jumpH) };
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
