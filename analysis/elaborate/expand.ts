// Expansion: each network's statements walked in order with blocks and repeats
// expanded, each layer's input shape threaded into the next (spec §3, §4). What it finds
// goes to the Sink; what it builds (nodes, occurrences) to the Recorder.

import type * as A from "../../grammar";
import type { Span } from "../../grammar";
import { layerKind, layerNames, inputDoc } from "../layers";
import { resolveOptions, type OptionName } from "../options";
import { grouped, shapeText } from "../format";
import { suggest } from "../suggest";
import { evaluateDims, evaluateInt, singleExpr, emptyScope, MAX_VALUE, type Report, type Scope } from "../values";
import type { AttrsByOp, BlockResult, Diagnostic, DiagnosticCode, LayerOp, NameReference, NetworkResult, Occurrence, ScopeFrame, Shape, UnrecordedUses } from "../types";
import { modulePathOf } from "../paths";
import { acceptedOptions, bindArguments, blockOptionsMessage, blockScope, guessing, layerArguments, misspeltOption } from "./binding";
import { collectDefinitions } from "./definitions";
import { allDoubt, argumentMoves, depthOptions, doubtful, inDoubt, moreDoubt, spatialOptions, STAND_IN, unknownFlow, type Flow } from "./doubt";
import { layersIn, peakLive, Recorder, stepField, type RecordedNetwork, type RecorderMark, type Template } from "./graph";
import { join } from "./merge";
import { findRecursion } from "./recursion";
import { Sink, type SinkMark } from "./sink";

const silent: Report = () => {};

/** `2` or `k` or `2x1` as written, for messages (a value of one part that is a number or a name) */
function singleValueText(value: A.DimsValue): string | null {
  const parts = value.parts.map((p) => (p.type === "number" ? p.text : p.type === "ref" ? p.name : null));
  return parts.includes(null) ? null : parts.join("x");
}

export const MAX_REPEAT = 10_000;
const DEFAULT_MAX_LAYERS = 50_000;
/**
 * The work one analysis may do, in units of about half a microsecond: a statement
 * elaborated costs 8 (a block use 32), a node, occurrence or frame copied from a reused
 * elaboration 1, a count carried past the layer cap 1 (measured: a layer elaborated, with
 * its node, occurrence and garbage, costs about eight copies). Past it the analysis stops
 * with one error naming the repeat or block use that grew. A file's own statements get 16
 * units each on top, so a long file is never cut short; a short one is bounded whatever it
 * nests. A network at the 50,000-layer cap, made of copies, takes about 110,000.
 */
const WORK_BUDGET = 200_000;
const STATEMENT_WORK = 8;
/** a block use elaborated (not reused) costs this much more: binding, scope, its template */
const CALL_WORK = 24;
/** nodes and occurrences copied into the graphs of one analysis at most (each network has its layer cap too) */
const EXPANSION_BUDGET = 120_000;


/** one key per distinct elaboration of a statement: the shape and doubt that come in */
function flowKey(flow: Flow): string {
  const s = flow.shape;
  const shape = s === null ? "-" : s.kind === "volume" ? `${s.w}x${s.h}x${s.d}` : `n${s.n}`;
  const d = flow.doubt;
  // (a field is moved affinely to the one coming in, but none coming in stays none)
  return `${shape}|${d ? (d.spatial ? 1 : 0) + (d.depth ? 2 : 0) : 0}|${flow.node === null ? 0 : flow.node < 0 ? 2 : 1}|${flow.field === null ? 0 : 1}`;
}

function sameFlow(a: Flow, b: Flow): boolean {
  const x = a.shape;
  const y = b.shape;
  if (x === null || y === null) {
    if (x !== y) return false;
  } else if (x.kind === "volume") {
    if (y.kind !== "volume" || x.w !== y.w || x.h !== y.h || x.d !== y.d) return false;
  } else if (y.kind !== "vector" || x.n !== y.n) return false;
  const dx = a.doubt;
  const dy = b.doubt;
  if (!!dx?.spatial !== !!dy?.spatial || !!dx?.depth !== !!dy?.depth) return false;
  if ((a.field === null) !== (b.field === null)) return false;
  return (a.node === null) === (b.node === null) && (a.node !== null && a.node < 0) === (b.node !== null && b.node < 0);
}

/** the input a statement is shown with: none when it is a stand-in (in doubt) */
function shown(flow: Flow): Shape | null {
  return flow.doubt ? null : flow.shape;
}

/**
 * where a repeat or block use is named in a message: its head, not its body (an unknown
 * container's word: `foo {` that never closes runs to the end of the file)
 */
function headOf(stmt: A.Statement): Span {
  if (stmt.type === "repeat") return { start: stmt.start, end: (stmt.count ?? stmt.keyword).end };
  if (stmt.type === "call") return { start: stmt.start, end: stmt.end };
  if (stmt.type === "layer") return { start: stmt.start, end: stmt.body ? stmt.op.end : stmt.end };
  return { start: stmt.start, end: stmt.keyword.end };
}

function whatOf(stmt: A.Statement): string {
  if (stmt.type === "repeat") return "this `repeat`";
  if (stmt.type === "call") return `this use of \`${stmt.callee.text}\``;
  if (stmt.type === "layer") return `this use of \`${stmt.op.text}\``;
  return `this \`${stmt.type}\``;
}

export interface ElaborationResult {
  networks: NetworkResult[];
  blocks: BlockResult[];
  diagnostics: Diagnostic[];
  occurrences: ReadonlyMap<number, Occurrence[]>;
  unrecordedUses: Map<number, UnrecordedUses>;
  references: NameReference[];
  work: number;
  /** what an elaboration of the next version may resume from (Elaborator.resume); null for a short file */
  resumable: Resumable | null;
}

/** A network to elaborate, in order: the named ones as they come, the file's own statements last. */
interface NetworkJob {
  item: A.TopLevelItem | null;
  name: string;
  body: A.Statement[];
  span: Span;
  nameSpan: Span;
  implicit: boolean;
}

function networkJobs(file: A.CnnFile, defined: Map<string, Span>, topLevel: A.Statement[], implicitName: string): NetworkJob[] {
  const jobs: NetworkJob[] = [];
  for (const item of file.items) {
    if (item.type === "network" && item.name && defined.get(item.name.text) === item.name) {
      jobs.push({ item, name: item.name.text, body: item.body, span: item, nameSpan: item.name, implicit: false });
    } else if (item.type === "network" && !item.name) {
      // `network {` without a name: still check its body
      jobs.push({ item, name: "(unnamed)", body: item.body, span: item, nameSpan: item.keyword, implicit: false });
    }
  }
  if (topLevel.length > 0) {
    const span = { start: topLevel[0].start, end: topLevel[topLevel.length - 1].end };
    jobs.push({ item: null, name: implicitName, body: topLevel, span, nameSpan: { start: topLevel[0].start, end: topLevel[0].start }, implicit: true });
  }
  return jobs;
}

const hasInput = (body: A.Statement[]) => body.some((s) => s.type === "layer" && s.op.text === "input");

/** The first `n` entries of a map, in a new one. */
function firstEntries<K, V>(map: Map<K, V>, n: number): Map<K, V> {
  const out = new Map<K, V>();
  if (n === 0) return out;
  for (const [k, v] of map) {
    out.set(k, v);
    if (out.size === n) break;
  }
  return out;
}

/** The elaborator's state before a top-level statement of a network (all it needs to go on from there). */
interface Checkpoint {
  flow: Flow;
  statements: number;
  work: number;
  need: number;
  labels: number;
  memo: number;
  cut: { at: A.Statement; why: "layers" | "file" } | null;
  sink: SinkMark;
  records: RecorderMark;
}

/** One network's elaboration: what it was given, its checkpoints, what it recorded. */
interface NetState {
  name: string;
  body: A.Statement[];
  span: Span;
  nameSpan: Span;
  implicit: boolean;
  /** the body after its `input` */
  rest: A.Statement[];
  statements: Occurrence[];
  cutBefore: boolean;
  /** before rest[r] (and after the last), where the state was markable */
  checkpoints: (Checkpoint | undefined)[];
  labels: Map<string, number>;
  memo: Map<string, Template>;
  recorded: RecordedNetwork | null;
}

/** What Elaborator.resume needs of an elaboration. */
export interface Resumable {
  elaborator: Elaborator;
  jobs: NetworkJob[];
  /** the networks' results in job order */
  networks: NetworkResult[];
}

export class Elaborator {
  /**
   * A checkpoint every this many top-level statements of a network (and after the last):
   * an edit resumes at the one before it, elaborating up to this many unchanged statements
   * again. (One per statement kept 2.4 MB more per 5,000-layer analysis.)
   */
  static checkpointEvery = 32;
  /**
   * Only an elaboration of at least this many top-level statements keeps what a resume
   * needs (the sink, the networks' logs, the checkpoints): below, elaborating again costs
   * less than the memory. The tests lower both to exercise resumes on small texts.
   */
  static resumableFrom = 100;

  private readonly sink: Sink;
  private readonly records: Recorder;
  private blocks = new Map<string, A.BlockDefinition>();
  private recursiveCalls = new Set<number>();

  /** the work done so far in this analysis, and what it may do */
  private work = 0;
  private budget = WORK_BUDGET;
  /** the analysis ran out of work: everything after is left unchecked */
  private aborted = false;
  /** unknown names already looked up: name → the likely meant one */
  private suggestions = new Map<string, string | null>();
  /** the least budget under which everything so far went as it did (incremental analysis: a resume under another budget) */
  private need = 0;
  /** the networks elaborated, in order, with their checkpoints */
  private finished: NetState[] = [];
  /** the sink after the definitions and the recursion check, before the first network */
  private definitionsMark: SinkMark | null = null;

  // per network
  private labels = new Map<string, number>();
  private currentTop: A.Statement | null = null;
  /** the outermost repeat or block use being elaborated (what grows when the work runs out) */
  private growing: A.Statement | null = null;
  /** the elaborations of block uses, for reuse: call statement, arguments, input → template */
  private memo = new Map<string, Template>();
  /** where the network stopped being expanded into its graph, and why */
  private cut: { at: A.Statement; why: "layers" | "file" } | null = null;

  constructor(
    private readonly file: A.CnnFile,
    private readonly implicitName: string,
    private readonly maxLayers = DEFAULT_MAX_LAYERS,
    isError: (code: DiagnosticCode) => boolean = () => true,
    /** reuse elaborations (off only to test that reuse changes nothing) */
    private readonly reuses = true,
  ) {
    this.sink = new Sink(isError);
    this.records = new Recorder(this.sink);
  }

  run(): ElaborationResult {
    const { defined, blocks, blockResults, topLevel, statementCount } = collectDefinitions(this.file, this.sink);
    this.blocks = blocks;
    this.budget = WORK_BUDGET + 2 * STATEMENT_WORK * statementCount;
    this.recursiveCalls = findRecursion(blocks, this.sink);
    this.definitionsMark = this.sink.mark();
    const jobs = networkJobs(this.file, defined, topLevel, this.implicitName);
    return this.finish(jobs, 0, [], null, blockResults);
  }

  /** Networks from `jobs[from]` on (the first resumed at a checkpoint, if given), then the blocks alone. */
  private finish(jobs: NetworkJob[], from: number, earlier: NetworkResult[], resumed: { net: NetState; at: number; flow: Flow } | null, blockResults: BlockResult[]): ElaborationResult {
    const networks = earlier.slice();
    for (let j = from; j < jobs.length; j++) {
      const job = jobs[j];
      networks.push(j === from && resumed ? this.networkFrom(resumed.net, resumed.at, resumed.flow) : this.network(job.name, job.body, job.span, job.nameSpan, job.implicit));
    }
    // (the implicit network, elaborated last, is listed first)
    if (jobs.length > 0 && jobs[jobs.length - 1].implicit) networks.unshift(networks.pop()!);

    // blocks are checked on their own too, with unknown parameters: a mistake in an
    // unused block is still shown, and each is reported once
    // (nothing is expanded or recorded: one memo serves them all)
    this.sink.recording = false;
    const memo = new Map<string, Template>();
    for (const block of this.blocks.values()) {
      if (this.aborted) break;
      this.resetNetwork(`block ${block.name?.text}`);
      this.memo = memo;
      const scope = blockScope(block, new Map(block.params.map((p) => [p.name.text, null])), this.sink);
      this.sink.callStack = [{ block: block.name!.text, site: block.name! }];
      this.statements(block.body, unknownFlow, scope);
    }
    this.sink.recording = true;

    return {
      networks,
      blocks: blockResults,
      diagnostics: this.sink.diagnostics,
      occurrences: this.records.occurrences,
      unrecordedUses: this.records.unrecorded,
      references: this.sink.references,
      work: this.work,
      resumable:
        jobs.reduce((n, j) => n + j.body.length, 0) >= Elaborator.resumableFrom
          ? { elaborator: this, jobs, networks: jobs[jobs.length - 1]?.implicit ? [...networks.slice(1), networks[0]] : networks }
          : null,
    };
  }

  /**
   * The elaboration of `file`, an edit of the file `previous` elaborated: resumed at the
   * checkpoint before the first top-level statement the edit changed (`change`: the file
   * item whose body it is, -1 for the file's own statements, and the statement's index
   * there), everything after elaborated again. The result is run()'s exactly; null when
   * that cannot be known to hold (then run()).
   */
  static resume(
    previous: Resumable,
    file: A.CnnFile,
    implicitName: string,
    maxLayers: number | undefined,
    isError: (code: DiagnosticCode) => boolean,
    change: { item: number; index: number },
  ): ElaborationResult | null {
    const old = previous.elaborator;
    if (old.aborted || old.implicitName !== implicitName || old.maxLayers !== (maxLayers ?? DEFAULT_MAX_LAYERS) || !old.reuses || !old.definitionsMark) return null;
    const e = new Elaborator(file, implicitName, maxLayers, isError, true);
    const { defined, blocks, blockResults, topLevel, statementCount } = collectDefinitions(file, e.sink);
    // the same blocks, the very objects (none moved by the edit), and the same findings about the definitions
    if (blocks.size !== old.blocks.size) return null;
    for (const [name, block] of blocks) if (old.blocks.get(name) !== block) return null;
    e.blocks = blocks;
    e.budget = WORK_BUDGET + 2 * STATEMENT_WORK * statementCount;
    e.recursiveCalls = findRecursion(blocks, e.sink);
    const mark = old.definitionsMark;
    const found = e.sink.mark();
    if (found.diagnostics !== mark.diagnostics || found.references !== mark.references) return null;
    if (JSON.stringify(e.sink.diagnostics) !== JSON.stringify(old.sink.diagnostics.slice(0, mark.diagnostics))) return null;
    if (JSON.stringify(e.sink.references) !== JSON.stringify(old.sink.references.slice(0, mark.references))) return null;
    e.definitionsMark = found;

    // the network the edit is in, and every one elaborated before it, unchanged
    const jobs = networkJobs(file, defined, topLevel, implicitName);
    const target = change.item >= 0 ? file.items[change.item] : null;
    const n = target ? jobs.findIndex((j) => j.item === target) : jobs.length - 1;
    if (n < 0 || n >= previous.jobs.length || !jobs[n] || jobs[n].implicit !== (target === null)) return null;
    for (let j = 0; j < n; j++) if (jobs[j].item !== previous.jobs[j].item || jobs[j].name !== previous.jobs[j].name) return null;
    const was = previous.jobs[n];
    if (was.name !== jobs[n].name || was.implicit !== jobs[n].implicit) return null;
    const net = old.finished[n];
    if (!net || net.body !== was.body) return null;
    // the statement's index in the network's body
    let k = change.index;
    if (!target) {
      k = 0;
      for (let i = 0; i < change.index; i++) if (file.items[i].type !== "network" && file.items[i].type !== "block") k++;
    }
    const body = jobs[n].body;
    const inputFirst = net.rest.length === net.body.length - 1;
    if (inputFirst && (k < 1 || body[0] !== net.body[0])) return null;
    if (!inputFirst) {
      if (body[0] && net.body[0] && body[0] !== net.body[0] && k > 0) return null;
      if (k === 0 || hasInput(body) !== hasInput(net.body)) return null;
    }
    // the last checkpoint at or before it (the statements between are elaborated again, as they were)
    let at = inputFirst ? k - 1 : k;
    while (at > 0 && !net.checkpoints[at]) at--;
    const cp = net.checkpoints[at];
    if (!cp) return null;
    // the budget decided nothing before the checkpoint, under either
    const least = Math.min(old.budget, e.budget);
    if (cp.need > least || cp.work > least) return null;

    // the state at the checkpoint, none of the previous analysis' changed
    e.work = cp.work;
    e.need = cp.need;
    e.suggestions = old.suggestions;
    e.sink.restore(old.sink, cp.sink);
    e.records.restore(old.records, net.recorded!, cp.records);
    e.labels = firstEntries(net.labels, cp.labels);
    e.memo = firstEntries(net.memo, cp.memo);
    e.cut = cp.cut ? { at: cp.cut.at, why: cp.cut.why } : null;
    e.currentTop = null;
    e.growing = null;
    e.finished = old.finished.slice(0, n);
    const job = jobs[n];
    const resumed: NetState = {
      name: job.name,
      body,
      span: job.span,
      nameSpan: job.nameSpan,
      implicit: job.implicit,
      rest: inputFirst ? body.slice(1) : body,
      statements: net.statements.slice(0, cp.statements),
      cutBefore: net.cutBefore,
      checkpoints: net.checkpoints.slice(0, at + 1),
      labels: e.labels,
      memo: e.memo,
      recorded: null,
    };
    return e.finish(jobs, n, previous.networks.slice(0, n), { net: resumed, at, flow: cp.flow }, blockResults);
  }

  // ---- networks ----

  private resetNetwork(name: string) {
    this.records.reset(name, this.sink.recording && this.records.items < EXPANSION_BUDGET);
    this.sink.callStack = [];
    this.sink.errors = 0;
    this.labels = new Map();
    this.currentTop = null;
    this.growing = null;
    this.memo = new Map();
    this.cut = this.records.expanding ? null : { at: null!, why: "file" };
  }

  private network(name: string, body: A.Statement[], span: Span, nameSpan: Span, implicit: boolean): NetworkResult {
    this.resetNetwork(name);
    const first = body[0];
    let flow: Flow = unknownFlow;
    let rest = body;
    if (first && first.type === "layer" && first.op.text === "input") {
      flow = this.input(first);
      rest = body.slice(1);
    } else if (!hasInput(body)) {
      // (a misplaced `input` is reported where it stands)
      // (a compound first statement — repeat, residual, concat — is pointed at by its keyword, never the whole file)
      const where = implicit ? (first ? statementHead(first) : nameSpan) : nameSpan;
      const what = implicit ? "these statements have" : `network \`${name}\` has`;
      this.sink.report("no-input", where, `${what} no \`input\` first: start with the input volume, e.g. \`input 32x32x3\``);
    }
    // without a (valid) input the statements are still checked, in doubt of every size
    if (!flow.shape) flow = { shape: { kind: "volume", w: STAND_IN, h: STAND_IN, d: 1 }, node: null, field: null, doubt: allDoubt };
    const net: NetState = { name, body, span, nameSpan, implicit, rest, statements: [], cutBefore: this.cut !== null, checkpoints: [], labels: this.labels, memo: this.memo, recorded: null };
    return this.networkFrom(net, 0, flow);
  }

  /** A network's top-level statements from `rest[from]` on, `flow` coming in, and its result; a checkpoint before each. */
  private networkFrom(net: NetState, from: number, flow: Flow): NetworkResult {
    const records = this.records;
    const { name, span, nameSpan, implicit, rest, statements } = net;
    for (let r = from; r <= rest.length; r++) {
      if (this.aborted) break;
      if ((r % Elaborator.checkpointEvery === 0 || r === rest.length) && this.sink.recording && records.markable()) {
        net.checkpoints[r] = {
          flow,
          statements: statements.length,
          work: this.work,
          need: this.need,
          labels: this.labels.size,
          memo: this.memo.size,
          cut: this.cut ? { at: this.cut.at, why: this.cut.why } : null,
          sink: this.sink.mark(),
          records: records.mark(),
        };
      }
      if (r === rest.length) break;
      const stmt = rest[r];
      this.currentTop = stmt;
      if (this.cut && !this.cut.at) this.cut.at = stmt;
      // (a layer records its own occurrence: only a statement that recorded none is summed here)
      const before = stmt.type === "layer" ? null : records.tally.mark();
      flow = this.statement(stmt, flow, emptyScope);
      const occ = records.lastOccurrence(stmt);
      if (occ) statements.push(occ);
      else statements.push(records.composite(stmt, "layer", "?", null, flow, before));
    }
    records.countUses();
    records.finishNetwork();
    net.recorded = records.network();
    this.finished.push(net);
    const graph = records.graph;
    const sums = records.tally.totals();
    // (more layers than can run is the reason to give, whichever budget stopped the copies first)
    if (this.cut?.at) this.reportCut(name, this.cut.at, sums.layers > BigInt(this.maxLayers) ? "layers" : this.cut.why, sums.layers, net.cutBefore);
    const known = graph.length > 0 && flow.shape !== null && !flow.doubt;
    const { params, macs } = sums;
    const input = graph[0]?.op === "input" ? graph[0].output : null;
    return {
      name,
      span: { start: span.start, end: span.end },
      nameSpan: { start: nameSpan.start, end: nameSpan.end },
      implicit,
      input,
      output: flow.doubt ? null : flow.shape,
      params,
      macs,
      receptiveField: flow.field,
      activationBytes: sums.bytes,
      // a network too large to expand never runs: every activation at once bounds its peak
      peakActivationBytes: this.cut ? sums.bytes : peakLive(graph),
      statements,
      graph,
      complete: known && this.sink.errors === 0 && !this.aborted && !this.cut,
    };
  }

  /** The network is too large to expand into a runnable graph: say so where it grew past the cap. */
  private reportCut(name: string, at: A.Statement, why: "layers" | "file", layers: bigint, fromStart: boolean) {
    const count = grouped(layers);
    const cap = grouped(this.maxLayers);
    const message = why === "layers"
      ? `network \`${name}\` expands to ${count} layers, more than the ${cap} that can run: its shapes and counts are exact, but it cannot be run or exported, and its hints stop here`
      : `network \`${name}\` is too large to expand into a runnable graph here (its copies would pass the ${grouped(EXPANSION_BUDGET)} nodes, uses and scopes one file may expand): its shapes and counts are exact, but it cannot be run or exported${fromStart ? "" : ", and its hints stop here"}`;
    this.sink.report("bad-value", headOf(at), message);
  }

  private input(stmt: A.LayerStatement): Flow {
    const sink = this.sink;
    const dims = evaluateDims(stmt.args[0] ?? null, emptyScope, sink.reporter, {
      what: "the input volume",
      min: 1,
      max: MAX_VALUE,
      minParts: 2,
      maxParts: 3,
      example: "`input 32x32x3` (W×H×D) or `input 28x28` (D = 1)",
    });
    // (at the word: an `input {` or `input (` whose bracket never closes runs to the end of the file)
    if (stmt.args.length === 0) sink.report("bad-value", { start: stmt.start, end: stmt.op.end }, "`input` needs its size: `input W x H x D`, e.g. `input 32x32x3`");
    for (const extra of stmt.args.slice(1)) sink.report("bad-value", extra, "`input` takes one size, W x H x D");
    const allowed = stmt.options.filter((o) => {
      if (inputDoc.options.includes(o.name.text as OptionName)) return true;
      sink.report("unknown-name", o.name, `\`input\` has no option \`${o.name.text}\`; it takes ${inputDoc.options.map((x) => `\`${x}\``).join(", ")}`);
      return false;
    });
    const options = resolveOptions(allowed, emptyScope, sink.reporter);
    if (!dims || dims.some((d) => d === null)) {
      this.records.record(stmt, "input", "input", null, null, null, null);
      return unknownFlow;
    }
    const [w, h, d = 1] = dims as number[];
    const shape: Shape = { kind: "volume", w, h, d };
    let data: number[] | undefined;
    if (options.data) {
      const dd = options.data.dims;
      const want = d === 1 && dd.length === 2 ? [h, w] : [d, h, w];
      if (dd.length !== want.length || dd.some((x, i) => x !== want[i])) {
        const got = dd.length === 3 ? `${dd[2]}×${dd[1]}×${dd[0]}` : dd.length === 2 ? `${dd[1]}×${dd[0]}` : `${dd.length}-level`;
        sink.report("bad-value", options.spans.data!, `\`data\` is ${got} (W×H${dd.length === 3 ? "×D" : ""}), the input ${w}×${h}×${d}: rows are [H][W] (or [D][H][W]), top row first`);
      } else data = options.data.values;
    }
    // mean and std: one value per channel, or one for all
    const perChannel = (name: "mean" | "std"): number[] | undefined => {
      const v = options[name];
      if (!v) return undefined;
      if (v.length === d) return v;
      if (v.length === 1) return Array(d).fill(v[0]);
      sink.report("bad-value", options.spans[name]!, `\`${name}\` has ${v.length} values and the input ${d} channel${d === 1 ? "" : "s"}: one value per channel, or one for all`);
      return undefined;
    };
    const mean = perChannel("mean");
    const std = perChannel("std");
    const attrs = {
      ...(data ? { data } : {}),
      ...(options.sample ? { sample: options.sample } : {}),
      ...(mean ? { mean } : {}),
      ...(std ? { std } : {}),
      ...(options.invert ? { invert: true } : {}),
      ...(options.classes ? { classes: options.classes } : {}),
    };
    const node = this.records.addNode("input", [], null, shape, attrs, 0n, 0n, stmt);
    const flow: Flow = { shape, node, field: { w: 1, h: 1, jumpW: 1, jumpH: 1 } };
    this.records.record(stmt, "input", "input", null, shape, this.records.nodeAt(node), flow.field);
    return flow;
  }

  // ---- statements ----

  private statements(body: A.Statement[], flow: Flow, scope: Scope): Flow {
    for (const stmt of body) {
      if (this.aborted) return unknownFlow;
      flow = this.statement(stmt, flow, scope);
    }
    return flow;
  }

  private statement(stmt: A.Statement, flow: Flow, scope: Scope): Flow {
    this.work += STATEMENT_WORK;
    if (this.work > this.budget) {
      this.abort(stmt);
      return unknownFlow;
    }
    if (stmt.label) this.checkLabel(stmt.label);
    switch (stmt.type) {
      case "layer":
        return this.layer(stmt, flow, scope);
      case "call":
        return this.call(stmt, stmt.callee, stmt.args, flow, scope);
      case "repeat":
        return this.repeat(stmt, flow, scope);
      case "residual":
        return this.residual(stmt, flow, scope);
      case "concat":
      case "add":
      case "mul":
        return this.merge(stmt, flow, scope);
    }
  }

  /**
   * Two statements of the network's own text may not give one module path (the labels
   * around and the label: `conv1` twice, `layer1.0.conv1` twice), nor two of one block's
   * body; a block's labels may repeat those of the network or of another block.
   */
  private checkLabel(label: A.Name) {
    if (!this.sink.recording) return;
    const frames = this.records.scope;
    let inner = frames.length - 1;
    while (inner >= 0 && frames[inner].kind !== "block") inner--;
    const block = inner >= 0 ? (frames[inner] as Extract<ScopeFrame, { kind: "block" }>).block : null;
    const path = modulePathOf(frames.slice(inner + 1), label.text)!;
    const key = block === null ? path : `${block}\u0000${path}`;
    const earlier = this.labels.get(key);
    if (earlier !== undefined && earlier !== label.start) {
      const what = path === label.text ? `label \`${label.text}\`` : `label \`${label.text}\` (here \`${path}\`)`;
      this.sink.report("duplicate-name", label, `${what} is used twice in ${block === null ? `network \`${this.records.networkName}\`` : `block \`${block}\``}`);
    } else this.labels.set(key, label.start);
  }

  /** Out of work: one error at what grew (the outermost repeat or block use), and nothing more is checked. */
  private abort(at: A.Statement) {
    if (this.aborted) return;
    this.aborted = true;
    const grew = this.growing ?? this.currentTop ?? at;
    const where = this.sink.recording ? `network \`${this.records.networkName}\`` : `block \`${this.records.networkName.replace(/^block /, "")}\``;
    this.sink.report(
      "bad-value",
      headOf(grew),
      `${whatOf(grew)} in ${where} expands to more than one analysis can check (${grouped(Math.round(this.budget / STATEMENT_WORK))} statements): the analysis stops here, and nothing below is checked`,
    );
  }

  /** Stop expanding into the graph (the cap is reached): from here on nodes and uses are only counted. */
  private stopExpanding(why: "layers" | "file") {
    if (!this.records.expanding) return;
    this.records.expanding = false;
    this.cut = { at: this.currentTop!, why };
  }

  /** Room in the graph for `layers` more layers and `items` more nodes and occurrences? Else expanding stops. */
  private room(layers: number, items: number): boolean {
    const records = this.records;
    if (!records.expanding) return false;
    if (records.tally.layers() + layers > this.maxLayers) this.stopExpanding("layers");
    else if (records.items + items > EXPANSION_BUDGET) this.stopExpanding("file");
    return records.expanding;
  }

  /** A layer's node; past the layer cap it is only counted. */
  private addLayerNode<K extends LayerOp>(op: K, inputs: number[], input: Shape, output: Shape, attrs: AttrsByOp[K], params: bigint, macs: bigint, stmt: A.Statement): number {
    if (this.records.expanding) this.room(1, 2);
    return this.records.addNode(op, inputs, input, output, attrs, params, macs, stmt, true);
  }

  /**
   * `times` more elaborations like the template's: replayed while there is room, else
   * counted. `kept` says how many nodes and occurrences the copies added (none: every
   * statement inside has its fill of occurrences and there is no node — copying more is
   * pointless).
   */
  private reuse(t: Template, flow: Flow, times: number, copy = true): Flow {
    const r = this.reuseKept(t, flow, times, copy);
    return r.out;
  }

  private reuseKept(t: Template, flow: Flow, times: number, copy = true): { out: Flow; kept: number } {
    const records = this.records;
    let out = flow;
    let left = times;
    let kept = 0;
    if (copy && records.expanding && t.expanded && !Recorder.empty(t)) {
      const layers = layersIn(t);
      const items = records.cost(t);
      // as many as fit
      const fit = Math.min(left, layers > 0 ? Math.floor((this.maxLayers - records.tally.layers()) / layers) : left, items > 0 ? Math.floor((EXPANSION_BUDGET - records.items) / items) : left);
      const now = Math.max(0, Math.min(fit, Math.floor((this.budget - this.work) / Math.max(1, items))));
      // (the budget decided nothing here if it was at least this)
      if (fit > 0) this.need = Math.max(this.need, this.work + fit * Math.max(1, items));
      if (now > 0) {
        const r = records.reuse(t, out, now);
        out = r.out;
        this.work += r.work;
        kept += r.kept;
        left -= now;
      }
      if (left > 0 && this.work <= this.budget) this.room(layers, items);
    }
    if (left > 0) {
      if (this.work > this.budget) {
        this.abort(this.currentTop!);
        return { out: unknownFlow, kept };
      }
      const r = records.reuse(t, out, left, false);
      out = r.out;
      this.work += r.work;
    }
    return { out, kept };
  }

  private suggestion(name: string): string | null {
    let close = this.suggestions.get(name);
    if (close === undefined) {
      close = suggest(name, [...layerNames, ...this.blocks.keys(), "input"]);
      this.suggestions.set(name, close);
    }
    return close;
  }

  private layer(stmt: A.LayerStatement, flow: Flow, scope: Scope): Flow {
    const sink = this.sink;
    const records = this.records;
    const name = stmt.op.text;
    if (stmt.body) return this.container(stmt, stmt.body, flow, scope);
    if (name === "input") {
      sink.report("no-input", stmt, `\`input\` must be the first statement of ${sink.callStack.length ? "a network, not inside a block" : `network \`${records.networkName}\``} (and appear only once)`);
      return flow;
    }
    let kind = layerKind(name);
    if (!kind) {
      if (this.blocks.has(name)) {
        // a block used without parentheses: `Basic 64`
        const args: A.CallArgument[] = stmt.args.map((v) => ({ name: null, value: singleExpr(v), start: v.start, end: v.end }));
        return this.call(stmt, stmt.op, args, flow, scope);
      }
      const close = this.suggestion(name);
      const hint = close ? `; did you mean \`${close}\`?` : "";
      sink.report("unknown-name", stmt.op, `unknown layer \`${name}\`${hint}`, close ? { kind: "rename", replace: stmt.op, candidates: [close] } : undefined);
      // go on as the likely intended kind, so the lines after a typo are still checked
      kind = close ? layerKind(close) : undefined;
      if (!kind) {
        records.record(stmt, "layer", name, shown(flow), null, null, null);
        // what it would have done is unknown: the lines below are checked in doubt
        return inDoubt(flow, flow.shape, allDoubt);
      }
    }

    const written = acceptedOptions(stmt, kind, sink);
    // `strid 2` is reported (in arguments) and checked as the option it most likely is
    const misspelt = misspeltOption(stmt, kind, scope);
    const options = resolveOptions(misspelt ? [...written, misspelt] : written, scope, sink.reporter);
    const args = layerArguments(stmt, kind, scope, sink);
    if (misspelt) args.extra = false;

    if (!flow.shape) {
      records.record(stmt, "layer", kind.name, shown(flow), null, null, null);
      return unknownFlow;
    }
    if (kind.spatial && flow.shape.kind === "vector") {
      sink.report(
        "needs-volume",
        stmt,
        `\`${kind.name}\` needs a W×H×D volume, but the data is already a vector of ${flow.shape.n.toLocaleString("en-US")} numbers; put spatial layers before \`fc\`/\`flatten\``,
      );
      records.record(stmt, "layer", kind.name, shown(flow), null, null, null);
      // the data stays a vector: every later spatial layer is reported too
      return flow;
    }

    // a wrong argument or option value: the layer is still checked with a stand-in for it,
    // and what that value would have moved (W×H, D) is in doubt below
    const failedOptions = options.failed;
    // (an extra argument may be a misspelt option's value: `strid 2`)
    const extra = (names: Set<OptionName>) => args.extra && kind.options.some((o) => names.has(o));
    const doubt = moreDoubt(flow.doubt, {
      spatial: extra(spatialOptions) || args.failed.some((a) => argumentMoves(a) === "spatial") || failedOptions.some((o) => spatialOptions.has(o)),
      depth: extra(depthOptions) || args.failed.some((a) => argumentMoves(a) === "depth") || failedOptions.some((o) => depthOptions.has(o)),
    });
    const failed = args.extra || args.failed.length > 0 || failedOptions.length > 0;

    const outcome = kind.infer({
      input: flow.shape,
      args: args.values,
      argSpans: args.spans,
      options,
      span: stmt,
      // the line of a guessed option is checked as the hint and the hover read it, and says so
      report: failed ? silent : misspelt ? guessing(stmt, kind, misspelt, doubtful(sink, flow.doubt)) : doubtful(sink, flow.doubt),
    });
    if (!outcome) {
      records.record(stmt, "layer", kind.name, shown(flow), null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    const out = outcome.output;
    const tooLarge = out.kind === "volume" ? out.w > MAX_VALUE || out.h > MAX_VALUE || out.d > MAX_VALUE : out.n > MAX_VALUE;
    if (tooLarge) {
      if (!doubt) sink.report("bad-value", stmt, `the output ${shapeText(out)} is too large`);
      records.record(stmt, "layer", kind.name, shown(flow), null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    if (failed || doubt) {
      records.record(stmt, "layer", kind.name, shown(flow), null, null, null);
      return inDoubt(flow, out, doubt ?? {});
    }
    const inputs = flow.node === null ? [] : [flow.node];
    const node = this.addLayerNode(kind.name, inputs, flow.shape, out, outcome.attrs, outcome.weights + outcome.biases, outcome.macs, stmt);
    const field = stepField(flow.field, outcome.field);
    // (params and MACs given, not read from the node: past the layer cap there is none)
    records.record(stmt, "layer", kind.name, flow.shape, out, records.nodeAt(node), field, outcome.weights, outcome.biases, outcome.explain, outcome.weights + outcome.biases, outcome.macs);
    return { shape: out, node, field };
  }

  private call(stmt: A.Statement, callee: A.Name, args: A.CallArgument[], flow: Flow, scope: Scope): Flow {
    const sink = this.sink;
    const records = this.records;
    const block = this.blocks.get(callee.text);
    if (!block) {
      const candidates = [...this.blocks.keys()];
      const close = suggest(callee.text, [...candidates, ...layerNames]);
      const hint = close ? `; did you mean \`${close}\`?` : candidates.length ? ` (blocks here: ${candidates.join(", ")})` : "";
      sink.report("unknown-name", callee, `unknown block \`${callee.text}\`${hint}`, close ? { kind: "rename", replace: callee, candidates: [close] } : undefined);
      records.record(stmt, "call", callee.text, shown(flow), null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    sink.addReference("block", callee, block.name!, callee.text, false);
    this.afterCall(stmt, block);
    if (this.recursiveCalls.has(callee.start) || sink.callStack.some((f) => f.block === callee.text)) {
      records.record(stmt, "call", callee.text, shown(flow), null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    const bound = bindArguments(block, callee, stmt, args, scope, sink);
    if (!bound) {
      records.record(stmt, "call", callee.text, shown(flow), null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    // one elaboration per call statement, arguments and input: the others are reuses
    const before = records.tally.mark();
    // (an elaboration not recorded — a block alone, a body that never runs — is never replayed where it would be)
    let key = `${stmt.start}|${flowKey(flow)}|${sink.recording ? 1 : 0}`;
    for (const p of block.params) key += `|${bound.has(p.name.text) ? bound.get(p.name.text) : "-"}`;
    const outerGrowing = this.growing;
    if (!outerGrowing) this.growing = stmt;
    let out: Flow;
    const known = this.reuses ? this.memo.get(key) : undefined;
    if (known) {
      // the block's frame and call site are part of what is replayed
      const sites = records.enterCall(callee);
      const scopeOuter = records.enter(records.blockFrame(stmt, callee.text));
      // (the frame made here is the use's own; the template's starts inside the body)
      out = this.reuse(known, flow, 1);
      records.scope = scopeOuter;
      records.callSites = sites;
    } else {
      this.work += CALL_WORK;
      const inner = blockScope(block, bound, sink);
      sink.callStack.push({ block: callee.text, site: callee });
      const sites = records.enterCall(callee);
      const scopeOuter = records.enter(records.blockFrame(stmt, callee.text));
      const started = records.begin(flow);
      out = this.statements(block.body, flow, inner);
      const template = records.end(started, out);
      if (!this.aborted) this.memo.set(key, template);
      records.scope = scopeOuter;
      records.callSites = sites;
      sink.callStack.pop();
    }
    this.growing = outerGrowing;
    records.composite(stmt, "call", callee.text, flow, out, before);
    return out;
  }

  /**
   * What was written after a block use — options (`B(8) nobias`, `Basic 64 stride 2`) or a
   * stray word (`Fire(16, 64, 64) bogus`) — reported once; the use is elaborated as if
   * it were not there, so its shape and the lines below are kept (the network does not run).
   */
  private afterCall(stmt: A.Statement, block: A.BlockDefinition): void {
    if (stmt.type === "layer" && stmt.options.length > 0) {
      const options = stmt.options.map((o) => ({ name: o.name, value: o.value && o.value.type === "dims" ? singleValueText(o.value) : null }));
      const span = { start: stmt.options[0].start, end: stmt.options[stmt.options.length - 1].end };
      this.sink.report("syntax", span, blockOptionsMessage(block, options));
    }
    if (stmt.type !== "call" || !stmt.trailing) return;
    const t = stmt.trailing;
    if (t.options.length > 0) this.sink.report("syntax", t, blockOptionsMessage(block, t.options));
    else this.sink.report("syntax", t, `unexpected \`${t.first.text}\` after the block use \`${block.name!.text}(…)\`: a statement ends at the end of its line or at \`;\``);
  }

  private repeat(stmt: A.RepeatStatement, flow: Flow, scope: Scope): Flow {
    const sink = this.sink;
    const records = this.records;
    const before = records.tally.mark();
    if (!stmt.count) sink.report("bad-value", stmt.keyword, "`repeat` needs a count: `repeat N { … }`");
    const n = stmt.count ? evaluateInt(stmt.count, scope, sink.reporter, { what: "the repeat count N", min: 0, max: MAX_REPEAT }) : null;
    const label = stmt.label?.text ?? null;
    if (n === null) {
      // still check the body once: any count runs it at least once
      const outer = records.enter({ kind: "repeat", id: records.frameId(), span: stmt, label, iteration: 1, count: null });
      const once = this.statements(stmt.body, flow, scope);
      records.scope = outer;
      records.record(stmt, "repeat", "repeat", shown(flow), null, null, null);
      return inDoubt(flow, once.shape, allDoubt);
    }
    if (n === 0) {
      // `repeat 0` passes its input through (a stage `first; repeat n - 1 { … }` with n = 1);
      // the body is still read for what it says regardless of the input (names, values)
      this.unreached(stmt.body, scope);
      records.composite(stmt, "repeat", "repeat 0", flow, flow, before);
      return flow;
    }
    const outerGrowing = this.growing;
    if (!outerGrowing) this.growing = stmt;
    let out = flow;
    // a pass that comes in as the one before came in does what it did: the rest are reuses of it
    let last: { input: Flow; template: Template } | null = null;
    for (let i = 0; i < n && !this.aborted; i++) {
      this.work += 1;
      if (this.work > this.budget) {
        this.abort(stmt);
        this.growing = outerGrowing;
        return unknownFlow;
      }
      if (last && this.reuses && sameFlow(last.input, out)) {
        // each pass replayed in a frame of its own while the graph has room; the rest counted
        for (; i < n && records.expanding && !Recorder.empty(last.template) && !this.aborted; i++) {
          const outer = records.enter({ kind: "repeat", id: records.frameId(), span: stmt, label, iteration: i + 1, count: n });
          const r = this.reuseKept(last.template, out, 1);
          out = r.out;
          records.scope = outer;
          if (r.kept === 0) {
            i++;
            break;
          }
        }
        // (the rest are only counted: the graph is full, or copies would add nothing)
        if (i < n && !this.aborted) out = this.reuse(last.template, out, n - i, false);
        break;
      }
      const outer = records.enter({ kind: "repeat", id: records.frameId(), span: stmt, label, iteration: i + 1, count: n });
      const input = out;
      const started = records.begin(out);
      out = this.statements(stmt.body, out, scope);
      last = { input, template: records.end(started, out) };
      records.scope = outer;
    }
    this.growing = outerGrowing;
    records.composite(stmt, "repeat", `repeat ${n}`, flow, out, before);
    return out;
  }

  private residual(stmt: A.ResidualStatement, flow: Flow, scope: Scope): Flow {
    const records = this.records;
    const before = records.tally.mark();
    const label = stmt.label?.text ?? null;
    const outer = records.enter({ kind: "residual", id: records.frameId(), span: stmt, label, path: "body" });
    const body = this.statements(stmt.body, flow, scope);
    records.scope = outer;
    let shortcut = flow;
    if (stmt.shortcut) {
      records.enter({ kind: "residual", id: records.frameId(), span: stmt, label, path: "shortcut" });
      shortcut = this.statements(stmt.shortcut, flow, scope);
      records.scope = outer;
    }
    const merged = join("residual", stmt, [body, shortcut], flow, this.sink, records);
    records.composite(stmt, "residual", "residual", flow, merged, before);
    return merged;
  }

  /**
   * Statements that never run on this network's data (the body of `repeat 0`): checked
   * as a block is checked on its own, with no input, so what they say regardless of the
   * input (an unknown layer or option, a wrong value) is reported; nothing is recorded.
   */
  private unreached(body: A.Statement[], scope: Scope): void {
    const recording = this.sink.recording;
    this.sink.recording = false;
    try {
      this.statements(body, unknownFlow, scope);
    } finally {
      this.sink.recording = recording;
    }
  }

  /**
   * `foo { … }`: a word the language has no container for, followed by a body. One
   * report at the word; a near miss of a container (`mull`, `concatt`) is elaborated as
   * that container, anything else has its branches and statements checked on the
   * input, and the lines below go on in doubt.
   */
  private container(stmt: A.LayerStatement, body: A.ContainerBody, flow: Flow, scope: Scope): Flow {
    const sink = this.sink;
    const name = stmt.op.text;
    const merges = ["concat", "add", "mul"] as const;
    const containers = "`residual { … }`, `concat`, `add` and `mul { branch { … } … }`";
    const close = layerKind(name) || this.blocks.has(name) ? null : suggest(name, [...merges, "residual"]);
    if (layerKind(name)) sink.report("syntax", stmt.op, `\`${name}\` is a layer: it takes no \`{ … }\` (the containers: ${containers})`);
    else if (this.blocks.has(name)) sink.report("syntax", stmt.op, `\`${name}\` is a block: use it as \`${name}(…)\`, without \`{ … }\``);
    else {
      const hint = close ? `; did you mean \`${close}\`?` : "";
      sink.report("unknown-name", stmt.op, `unknown container \`${name}\`${hint} (the containers: ${containers})`, close ? { kind: "rename", replace: stmt.op, candidates: [close] } : undefined);
    }
    const base = { label: stmt.label, keyword: { start: stmt.op.start, end: stmt.op.end }, start: stmt.start, end: stmt.end };
    const merge = merges.find((m) => m === close);
    if (merge && body.statements.length === 0) return this.merge({ ...base, type: merge, branches: body.branches }, flow, scope);
    if (close === "residual" && body.branches.length === 0) {
      return this.residual({ ...base, type: "residual", body: body.statements, shortcut: null, shortcutKeyword: null }, flow, scope);
    }
    // what it would do is unknown: each part is checked on the input, the lines below in doubt
    const records = this.records;
    const before = records.tally.mark();
    for (const branch of body.branches) this.statements(branch.body, flow, scope);
    if (body.statements.length) this.statements(body.statements, flow, scope);
    records.composite(stmt, "layer", name, flow, inDoubt(flow, flow.shape, allDoubt), before);
    return inDoubt(flow, flow.shape, allDoubt);
  }

  private merge(stmt: A.MergeStatement, flow: Flow, scope: Scope): Flow {
    const records = this.records;
    const before = records.tally.mark();
    if (stmt.branches.length === 0) this.sink.report("bad-value", stmt.keyword, `\`${stmt.type}\` needs at least one \`branch { … }\``);
    const label = stmt.label?.text ?? null;
    const branches = stmt.branches.length;
    const outs = new Array<Flow>(branches);
    for (let i = 0; i < branches; i++) {
      const outer = records.enter({ kind: "branch", id: records.frameId(), span: stmt, label, merge: stmt.type, branch: i + 1, branches });
      outs[i] = this.statements(stmt.branches[i].body, flow, scope);
      records.scope = outer;
    }
    const merged = branches ? join(stmt.type, stmt, outs, flow, this.sink, records) : inDoubt(flow, flow.shape, allDoubt);
    records.composite(stmt, stmt.type, stmt.type, flow, merged, before);
    return merged;
  }
}

/** Where a statement is pointed at as a whole: its keyword, or a layer up to its word when a `{ … }` follows it (an unknown container), never the lines it holds. */
function statementHead(stmt: A.Statement): Span {
  if ("keyword" in stmt) return stmt.keyword;
  if (stmt.type === "layer" && stmt.body) return { start: stmt.start, end: stmt.op.end };
  return { start: stmt.start, end: stmt.end };
}
