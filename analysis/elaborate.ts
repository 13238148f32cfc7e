// Elaboration: the AST of each network is walked with blocks and repeats expanded,
// each layer's input shape threaded into the next (spec §3, §4), and the result
// recorded as occurrences (for the editor) and a graph (for the engine).

import type * as A from "../grammar";
import type { Span } from "../grammar";
import { optionArity } from "../grammar";
import { layerKind, layerNames, inputDoc, type ArgSpec, type ArgValue, type FieldStep, type Kernel, type LayerKind } from "./layers";
import { resolveOptions, type OptionName } from "./options";
import { elementCount, shapeText } from "./format";
import { suggest } from "./suggest";
import { evaluate, evaluateDims, evaluateInt, singleExpr, emptyScope, MAX_VALUE, type Report, type Scope } from "./values";
import type {
  BlockResult,
  Diagnostic,
  DiagnosticCode,
  Explanation,
  FixData,
  GraphNode,
  LayerAttrs,
  NameReference,
  NetworkResult,
  Occurrence,
  ReceptiveField,
  ScopeFrame,
  BlockFrame,
  Shape,
  StatementKind,
} from "./types";

/** What flows from one statement to the next. */
interface Flow {
  shape: Shape | null;
  node: number | null;
  field: ReceptiveField | null;
  /**
   * After a line that could not be analyzed, the lines below are still checked, against a
   * stand-in shape: what it cannot know (W×H, D) is marked here, and the reports that
   * depend on it are left out. The statements below show no shape and count no params.
   */
  doubt?: Doubt;
}

interface Doubt {
  spatial: boolean;
  depth: boolean;
}

const allDoubt: Doubt = { spatial: true, depth: true };
/** the size of the stand-in volume of a network without a valid input: large, so no window empties it */
const STAND_IN = 4096;
/** the reports that compare a shape in doubt with something else */
const spatialCodes = new Set<DiagnosticCode>(["stride-misfit", "empty-output", "spatial-mismatch"]);
const depthCodes = new Set<DiagnosticCode>(["depth-mismatch", "groups-indivisible"]);
/** options that move W×H, or D, when their value is wrong */
const spatialOptions = new Set<OptionName>(["stride", "pad", "dilation", "outpad"]);
const depthOptions = new Set<OptionName>(["multiplier"]);

function moreDoubt(a: Doubt | undefined, b: Partial<Doubt>): Doubt | undefined {
  const spatial = !!(a?.spatial || b.spatial);
  const depth = !!(a?.depth || b.depth);
  return spatial || depth ? { spatial, depth } : undefined;
}

/** What a layer argument sets in the output: D (K, N), W×H (F, a factor, a padding), or neither (p, a). */
function argumentMoves(spec: ArgSpec): "spatial" | "depth" | null {
  if (spec.type === "probability" || spec.type === "number") return null;
  return spec.name === "K" || spec.name === "N" ? "depth" : "spatial";
}

/** A stand-in argument for one that is wrong: only its shape effects are used, in doubt. */
function fallbackArgument(spec: ArgSpec, span: Span): ArgValue {
  if (spec.type === "kernel") return { w: 1, h: 1, d: null, span };
  if (spec.defaultValue !== undefined) return spec.defaultValue;
  return spec.type === "count" ? 1 : 0;
}

const silent: Report = () => {};

const noExplanation = (): Explanation[] => [];
const noCallSites: Span[] = [];
const noScope: readonly ScopeFrame[] = [];
const unknownFlow: Flow = { shape: null, node: null, field: null };

export const MAX_REPEAT = 10_000;
const DEFAULT_MAX_LAYERS = 100_000;

export interface ElaborationResult {
  networks: NetworkResult[];
  blocks: BlockResult[];
  diagnostics: Diagnostic[];
  occurrences: Map<number, Occurrence[]>;
  references: NameReference[];
}

interface CallFrame {
  block: string;
  site: Span;
}

export class Elaborator {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private readonly occurrences = new Map<number, Occurrence[]>();
  private readonly references: NameReference[] = [];
  private readonly referenceKeys = new Set<string>();
  private readonly blocks = new Map<string, A.BlockDefinition>();
  private readonly recursiveCalls = new Set<number>();

  // per network
  private graph: GraphNode[] = [];
  private callStack: CallFrame[] = [];
  private networkName = "";
  private labels = new Map<string, number>();
  private work = 0;
  private aborted = false;
  private errorsInNetwork = 0;
  private recording = true;
  private currentTop: Span | null = null;
  /** the structures around the statement being elaborated (shared by all it records) */
  private scope: readonly ScopeFrame[] = noScope;
  private frames = 0;
  /** per block name, the frames of its uses in this network (their `uses` is set at the end) */
  private blockUses = new Map<string, BlockFrame[]>();

  constructor(
    private readonly file: A.CnnFile,
    private readonly implicitName: string,
    private readonly maxLayers = DEFAULT_MAX_LAYERS,
    private readonly isError: (code: DiagnosticCode) => boolean = () => true,
  ) {}

  run(): ElaborationResult {
    const networks: NetworkResult[] = [];
    const blocks: BlockResult[] = [];
    const defined = new Map<string, Span>();
    const topLevel: A.Statement[] = [];

    for (const item of this.file.items) {
      if (item.type === "network" || item.type === "block") {
        if (!item.name) continue;
        const name = item.name.text;
        const earlier = defined.get(name);
        if (earlier) {
          this.report("duplicate-name", item.name, `\`${name}\` is already defined (networks and blocks share one namespace)`, undefined, [
            { ...earlier, message: `first definition of \`${name}\`` },
          ]);
          continue;
        }
        if (item.type === "block" && (layerKind(name) || name === "input")) {
          this.report("duplicate-name", item.name, `\`${name}\` is a layer kind; give the block another name`);
          continue;
        }
        defined.set(name, item.name);
        if (item.type === "block") {
          const seenParams = new Set<string>();
          for (const p of item.params) {
            if (seenParams.has(p.name.text)) this.report("duplicate-name", p.name, `block \`${name}\` has two parameters named \`${p.name.text}\``);
            seenParams.add(p.name.text);
          }
          this.blocks.set(name, item);
          this.addReference("block", item.name, item.name, name, true);
          blocks.push({
            name,
            span: item,
            nameSpan: item.name,
            params: item.params.map((p) => ({ name: p.name.text, span: p.name, defaultText: p.defaultValue ? "…" : null })),
          });
        }
      } else {
        topLevel.push(item);
      }
    }

    this.findRecursion();

    for (const item of this.file.items) {
      if (item.type === "network" && item.name && defined.get(item.name.text) === item.name) {
        networks.push(this.network(item.name.text, item.body, item, item.name, false));
      } else if (item.type === "network" && !item.name) {
        // `network {` without a name: still check its body
        networks.push(this.network("(unnamed)", item.body, item, item.keyword, false));
      }
    }
    if (topLevel.length > 0) {
      const span = { start: topLevel[0].start, end: topLevel[topLevel.length - 1].end };
      networks.unshift(this.network(this.implicitName, topLevel, span, { start: topLevel[0].start, end: topLevel[0].start }, true));
    }

    // blocks are checked on their own too, with unknown parameters: a mistake in an
    // unused block is still shown, and each is reported once
    this.recording = false;
    for (const block of this.blocks.values()) {
      this.resetNetwork(`block ${block.name?.text}`);
      const scope = this.blockScope(block, new Map(block.params.map((p) => [p.name.text, null])));
      this.callStack = [{ block: block.name!.text, site: block.name! }];
      this.statements(block.body, unknownFlow, scope);
    }
    this.recording = true;

    return {
      networks,
      blocks,
      diagnostics: this.diagnostics,
      occurrences: this.occurrences,
      references: this.references,
    };
  }

  // ---- reporting ----

  private report(code: DiagnosticCode, span: Span, message: string, data?: FixData, related?: Diagnostic["related"]): void {
    const key = `${code}|${span.start}|${span.end}|${message}`;
    if (this.isError(code)) this.errorsInNetwork++;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const sites = this.callStack.length > 0 && this.recording
      ? this.callStack.map((f) => ({ start: f.site.start, end: f.site.end, message: `in this use of \`${f.block}\`` }))
      : [];
    const all = [...(related ?? []), ...sites];
    this.diagnostics.push({
      code,
      severity: "error",
      message,
      start: span.start,
      end: Math.max(span.end, span.start),
      ...(data ? { data } : {}),
      ...(all.length ? { related: all } : {}),
    });
  }

  private readonly reporter: Report = (code, span, message, data) => this.report(code, span, message, data);

  private addReference(kind: NameReference["kind"], use: Span, definition: Span, name: string, isDefinition: boolean) {
    const key = `${use.start}|${definition.start}`;
    if (this.referenceKeys.has(key)) return;
    this.referenceKeys.add(key);
    this.references.push({ kind, start: use.start, end: use.end, definition: { start: definition.start, end: definition.end }, name, isDefinition });
  }

  // ---- recursion (spec §4): found on the call graph, before any expansion ----

  private callsIn(body: A.Statement[], out: { callee: string; site: A.Name }[]) {
    for (const s of body) {
      if (s.type === "call") out.push({ callee: s.callee.text, site: s.callee });
      else if (s.type === "layer" && !layerKind(s.op.text) && this.blocks.has(s.op.text)) out.push({ callee: s.op.text, site: s.op });
      else if (s.type === "repeat") this.callsIn(s.body, out);
      else if (s.type === "residual") {
        this.callsIn(s.body, out);
        if (s.shortcut) this.callsIn(s.shortcut, out);
      } else if (s.type === "concat" || s.type === "add") for (const b of s.branches) this.callsIn(b.body, out);
    }
  }

  private findRecursion() {
    const edges = new Map<string, { callee: string; site: A.Name }[]>();
    for (const [name, block] of this.blocks) {
      const calls: { callee: string; site: A.Name }[] = [];
      this.callsIn(block.body, calls);
      edges.set(name, calls.filter((c) => this.blocks.has(c.callee)));
    }
    // a call A → B is recursive when A is reachable from B
    const reach = (from: string, to: string): string[] | null => {
      const prev = new Map<string, string>();
      const queue = [from];
      const visited = new Set([from]);
      while (queue.length) {
        const cur = queue.shift()!;
        if (cur === to) {
          const path = [to];
          let p = to;
          while (prev.has(p)) {
            p = prev.get(p)!;
            path.unshift(p);
          }
          return path;
        }
        for (const e of edges.get(cur) ?? []) {
          if (!visited.has(e.callee)) {
            visited.add(e.callee);
            prev.set(e.callee, cur);
            queue.push(e.callee);
          }
        }
      }
      return null;
    };
    for (const [caller, calls] of edges) {
      for (const call of calls) {
        const path = reach(call.callee, caller);
        if (path) {
          this.recursiveCalls.add(call.site.start);
          const cycle = [caller, ...path].join(" → ");
          this.report(
            "recursive-block",
            call.site,
            call.callee === caller ? `block \`${caller}\` uses itself: a block cannot contain itself` : `block \`${caller}\` uses itself through ${cycle}: a block cannot contain itself`,
          );
        }
      }
    }
  }

  // ---- networks ----

  private resetNetwork(name: string) {
    this.graph = [];
    this.callStack = [];
    this.networkName = name;
    this.labels = new Map();
    this.work = 0;
    this.aborted = false;
    this.errorsInNetwork = 0;
    this.currentTop = null;
    this.scope = noScope;
    this.frames = 0;
    this.blockUses = new Map();
  }

  /** Elaborate inside one more structure; returns the scope to restore after. */
  private enter(frame: ScopeFrame): readonly ScopeFrame[] {
    const outer = this.scope;
    const inner = new Array<ScopeFrame>(outer.length + 1);
    for (let i = 0; i < outer.length; i++) inner[i] = outer[i];
    inner[outer.length] = frame;
    this.scope = inner;
    return outer;
  }

  /** Every use of a block now knows how many uses there are. */
  private countUses() {
    for (const list of this.blockUses.values()) for (const frame of list) frame.uses = list.length;
  }

  private network(name: string, body: A.Statement[], span: Span, nameSpan: Span, implicit: boolean): NetworkResult {
    this.resetNetwork(name);
    const first = body[0];
    let flow: Flow = unknownFlow;
    let rest = body;
    if (first && first.type === "layer" && first.op.text === "input") {
      flow = this.input(first);
      rest = body.slice(1);
    } else if (!body.some((s) => s.type === "layer" && s.op.text === "input")) {
      // (a misplaced `input` is reported where it stands)
      const where = implicit ? (first ? { start: first.start, end: first.end } : nameSpan) : nameSpan;
      const what = implicit ? "these statements have" : `network \`${name}\` has`;
      this.report("no-input", where, `${what} no \`input\` first: start with the input volume, e.g. \`input 32x32x3\``);
    }
    // without a (valid) input the statements are still checked, in doubt of every size
    if (!flow.shape) flow = { shape: { kind: "volume", w: STAND_IN, h: STAND_IN, d: 1 }, node: null, field: null, doubt: allDoubt };
    const statements: Occurrence[] = [];
    for (const stmt of rest) {
      if (this.aborted) break;
      this.currentTop = stmt;
      const before = this.graph.length;
      flow = this.statement(stmt, flow, emptyScope);
      const occ = this.lastOccurrence(stmt);
      if (occ) statements.push(occ);
      else statements.push(this.compositeOccurrence(stmt, "layer", "?", null, flow, before));
    }
    this.countUses();
    const known = this.graph.length > 0 && flow.shape !== null && !flow.doubt;
    const { params, macs } = totals(this.graph, 0);
    const activationBytes = activationTotal(this.graph);
    const input = this.graph[0]?.op === "input" ? this.graph[0].output : null;
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
      activationBytes,
      peakActivationBytes: peakLive(this.graph),
      statements,
      graph: this.graph,
      complete: known && this.errorsInNetwork === 0 && !this.aborted,
    };
  }

  private lastOccurrence(stmt: A.Statement): Occurrence | null {
    const list = this.occurrences.get(stmt.start);
    const last = list?.[list.length - 1];
    return last && last.network === this.networkName && last.callSites.length === 0 ? last : null;
  }

  private input(stmt: A.LayerStatement): Flow {
    const dims = evaluateDims(stmt.args[0] ?? null, emptyScope, this.reporter, {
      what: "the input volume",
      min: 1,
      max: MAX_VALUE,
      minParts: 2,
      maxParts: 3,
      example: "`input 32x32x3` (W×H×D) or `input 28x28` (D = 1)",
    });
    if (stmt.args.length === 0) this.report("bad-value", stmt, "`input` needs its size: `input W x H x D`, e.g. `input 32x32x3`");
    for (const extra of stmt.args.slice(1)) this.report("bad-value", extra, "`input` takes one size, W x H x D");
    const allowed = stmt.options.filter((o) => {
      if (inputDoc.options.includes(o.name.text as OptionName)) return true;
      this.report("unknown-name", o.name, `\`input\` has no option \`${o.name.text}\`; it takes \`sample\` and \`data\``);
      return false;
    });
    const options = resolveOptions(allowed, emptyScope, this.reporter);
    if (!dims || dims.some((d) => d === null)) {
      this.record(stmt, "input", "input", null, null, null, null);
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
        this.report("bad-value", options.spans.data!, `\`data\` is ${got} (W×H${dd.length === 3 ? "×D" : ""}), the input ${w}×${h}×${d}: rows are [H][W] (or [D][H][W]), top row first`);
      } else data = options.data.values;
    }
    const attrs = { ...(data ? { data } : {}), ...(options.sample ? { sample: options.sample } : {}) };
    const node = this.addNode("input", [], null, shape, attrs, 0n, 0n, stmt);
    const flow: Flow = { shape, node, field: { w: 1, h: 1, jumpW: 1, jumpH: 1 } };
    this.record(stmt, "input", "input", null, shape, this.graph[node], flow.field);
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
    if (++this.work > this.maxLayers * 4) {
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
        return this.merge(stmt, flow, scope);
    }
  }

  private checkLabel(label: A.Name) {
    if (!this.recording) return;
    const earlier = this.labels.get(label.text);
    if (earlier !== undefined && earlier !== label.start) {
      this.report("duplicate-name", label, `label \`${label.text}\` is used twice in network \`${this.networkName}\``);
    } else this.labels.set(label.text, label.start);
  }

  private abort(at: Span) {
    if (this.aborted) return;
    this.aborted = true;
    const top = this.currentTop ?? at;
    this.report(
      "bad-value",
      top,
      `network \`${this.networkName}\` expands to more than ${this.maxLayers.toLocaleString("en-US")} layers; the analysis stops here`,
    );
  }

  private layer(stmt: A.LayerStatement, flow: Flow, scope: Scope): Flow {
    const name = stmt.op.text;
    if (name === "input") {
      this.report("no-input", stmt, `\`input\` must be the first statement of ${this.callStack.length ? "a network, not inside a block" : `network \`${this.networkName}\``} (and appear only once)`);
      return flow;
    }
    let kind = layerKind(name);
    if (!kind) {
      if (this.blocks.has(name)) {
        // a block used without parentheses: `Basic 64`
        const args: A.CallArgument[] = stmt.args.map((v) => ({ name: null, value: singleExpr(v), start: v.start, end: v.end }));
        return this.call(stmt, stmt.op, args, flow, scope);
      }
      const candidates = [...layerNames, ...this.blocks.keys(), "input"];
      const close = suggest(name, candidates);
      const hint = close ? `; did you mean \`${close}\`?` : "";
      this.report("unknown-name", stmt.op, `unknown layer \`${name}\`${hint}`, close ? { kind: "rename", replace: stmt.op, candidates: [close] } : undefined);
      // go on as the likely intended kind, so the lines after a typo are still checked
      kind = close ? layerKind(close) : undefined;
      if (!kind) {
        this.record(stmt, "layer", name, flow.shape, null, null, null);
        // what it would have done is unknown: the lines below are checked in doubt
        return this.inDoubt(flow, flow.shape, allDoubt);
      }
    }

    const written = this.acceptedOptions(stmt, kind);
    // `strid 2` is reported (in arguments) and checked as the option it most likely is
    const misspelt = this.misspeltOption(stmt, kind, scope);
    const options = resolveOptions(misspelt ? [...written, misspelt] : written, scope, this.reporter);
    const args = this.arguments(stmt, kind, scope);
    if (misspelt) args.extra = false;

    if (!flow.shape) {
      this.record(stmt, "layer", kind.name, flow.shape, null, null, null);
      return unknownFlow;
    }
    if (kind.spatial && flow.shape.kind === "vector") {
      this.report(
        "needs-volume",
        stmt,
        `\`${kind.name}\` needs a W×H×D volume, but the data is already a vector of ${flow.shape.n.toLocaleString("en-US")} numbers; put spatial layers before \`fc\`/\`flatten\``,
      );
      this.record(stmt, "layer", kind.name, flow.shape, null, null, null);
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
      // on the line of a guessed option, only what does not depend on the guess is reported
      report: failed ? silent : this.doubtful(misspelt ? moreDoubt(flow.doubt, { spatial: true }) : flow.doubt),
    });
    if (!outcome) {
      this.record(stmt, "layer", kind.name, flow.shape, null, null, null);
      return this.inDoubt(flow, flow.shape, allDoubt);
    }
    const out = outcome.output;
    const tooLarge = out.kind === "volume" ? out.w > MAX_VALUE || out.h > MAX_VALUE || out.d > MAX_VALUE : out.n > MAX_VALUE;
    if (tooLarge) {
      if (!doubt) this.report("bad-value", stmt, `the output ${shapeText(out)} is too large`);
      this.record(stmt, "layer", kind.name, flow.shape, null, null, null);
      return this.inDoubt(flow, flow.shape, allDoubt);
    }
    if (failed || doubt) {
      this.record(stmt, "layer", kind.name, flow.shape, null, null, null);
      return this.inDoubt(flow, out, doubt ?? {});
    }
    const inputs = flow.node === null ? [] : [flow.node];
    const node = this.addNode(kind.name, inputs, flow.shape, out, outcome.attrs, outcome.weights + outcome.biases, outcome.macs, stmt);
    const field = stepField(flow.field, outcome.field);
    this.record(stmt, "layer", kind.name, flow.shape, out, this.graph[node], field, outcome.weights, outcome.biases, outcome.explain);
    return { shape: out, node, field };
  }

  /** The options of a layer its kind takes; the others are reported. */
  private acceptedOptions(stmt: A.LayerStatement, kind: LayerKind): A.OptionNode[] {
    let allAccepted = true;
    for (const o of stmt.options) if (!kind.options.includes(o.name.text as OptionName)) allAccepted = false;
    if (allAccepted) return stmt.options;
    return stmt.options.filter((o) => {
      if (kind.options.includes(o.name.text as OptionName)) return true;
      const list = kind.options.length ? `its options: ${kind.options.join(", ")}` : "it takes no options";
      this.report("unknown-name", o.name, `\`${kind.name}\` has no option \`${o.name.text}\` (${list})`);
      return false;
    });
  }

  /** The option a misspelt word and its value after the arguments most likely are: `strid 2` → `stride 2`. */
  private misspeltOption(stmt: A.LayerStatement, kind: LayerKind, scope: Scope): A.OptionNode | null {
    const extra = stmt.args.slice(kind.args.length);
    if (extra.length === 0) return null;
    const word = singleExpr(extra[0]);
    if (!word || word.type !== "ref" || scope.values.has(word.name)) return null;
    const close = suggest(word.name, kind.options);
    if (!close || stmt.options.some((o) => o.name.text === close) || extra.length !== 1 + optionArity[close]) return null;
    const value = extra[1] ?? null;
    return { start: extra[0].start, end: (value ?? extra[0]).end, name: { text: close, start: extra[0].start, end: extra[0].end }, value };
  }

  /** The flow below a statement that could not be analyzed: a stand-in shape, in doubt. */
  private inDoubt(flow: Flow, shape: Shape | null, more: Partial<Doubt>): Flow {
    if (!shape) return unknownFlow;
    return { shape, node: null, field: null, doubt: moreDoubt(flow.doubt, more) };
  }

  /** The reporter for a layer whose input is in doubt: what depends on the doubt is left out. */
  private doubtful(doubt: Doubt | undefined): Report {
    if (!doubt) return this.reporter;
    return (code, span, message, data) => {
      if ((doubt.spatial && spatialCodes.has(code)) || (doubt.depth && depthCodes.has(code))) return;
      this.report(code, span, message, data);
    };
  }

  /** Positional arguments of a layer, evaluated per the catalog; a wrong one is stood in for and listed in `failed`. */
  private arguments(stmt: A.LayerStatement, kind: LayerKind, scope: Scope): { values: Record<string, ArgValue>; spans: Record<string, Span>; failed: ArgSpec[]; extra: boolean } {
    const values: Record<string, ArgValue> = {};
    const spans: Record<string, Span> = {};
    const failed: ArgSpec[] = [];
    let extra = false;
    if (stmt.args.length < kind.args.length && stmt.args.length < kind.args.filter((a) => !a.optional).length) {
      const names = kind.args.filter((a) => !a.optional).map((a) => a.name).join(" and ");
      this.report("bad-value", stmt, `\`${kind.name}\` needs ${names}: ${kind.usage}`);
    }
    // one report for the extra arguments: after `strid 2`, the `2` is the misspelt option's value
    if (stmt.args.length > kind.args.length) {
      const extraArg = stmt.args[kind.args.length];
      const expr = singleExpr(extraArg);
      if (expr && expr.type === "ref" && !scope.values.has(expr.name)) {
        const close = suggest(expr.name, kind.options);
        const hint = close ? `; did you mean \`${close}\`?` : kind.options.length ? ` (its options: ${kind.options.join(", ")})` : "";
        this.report("unknown-name", extraArg, `\`${kind.name}\` has no option \`${expr.name}\`${hint}`, close ? { kind: "rename", replace: extraArg, candidates: [close] } : undefined);
      } else {
        const takes = kind.args.length === 0 ? "takes no arguments" : `takes ${kind.args.map((a) => a.name).join(" and ")}`;
        this.report("bad-value", extraArg, `\`${kind.name}\` ${takes}; this one is too many (one statement per line, or separate them with \`;\`)`);
      }
      extra = true;
    }
    for (let i = 0; i < kind.args.length; i++) {
      const spec = kind.args[i];
      const value = stmt.args[i];
      if (!value) {
        if (spec.defaultValue !== undefined) values[spec.name] = spec.defaultValue;
        else if (!spec.optional) {
          failed.push(spec);
          values[spec.name] = fallbackArgument(spec, stmt);
        }
        continue;
      }
      spans[spec.name] = value;
      const v = this.argument(spec, value, scope);
      if (v === null) {
        failed.push(spec);
        values[spec.name] = fallbackArgument(spec, value);
      } else values[spec.name] = v;
    }
    return { values, spans, failed, extra };
  }

  private argument(spec: ArgSpec, value: A.Value, scope: Scope): ArgValue | null {
    if (spec.type === "kernel") {
      const dims = evaluateDims(value, scope, this.reporter, { what: spec.what, min: 1, max: MAX_VALUE, minParts: 1, maxParts: 3, example: "`5`, `5x5`, `5x3` or `5x5x3`" });
      if (!dims || dims.includes(null)) return null;
      const [w, h = w, d = null] = dims as number[];
      const kernel: Kernel = { w, h, d, span: value };
      return kernel;
    }
    const expr = singleExpr(value);
    if (!expr) {
      this.report("bad-value", value, `${spec.what} must be one number`);
      return null;
    }
    switch (spec.type) {
      case "count":
        return evaluateInt(expr, scope, this.reporter, { what: spec.what, min: 1, max: MAX_VALUE });
      case "size":
        return evaluateInt(expr, scope, this.reporter, { what: spec.what, min: 0, max: MAX_VALUE });
      case "probability": {
        const p = evaluate(expr, scope, this.reporter);
        if (p !== null && !(p >= 0 && p < 1)) {
          this.report("bad-value", expr, `${spec.what} must be in 0 ≤ p < 1, not ${p}`);
          return null;
        }
        return p;
      }
      case "number":
        return evaluate(expr, scope, this.reporter);
    }
  }

  private call(stmt: A.Statement, callee: A.Name, args: A.CallArgument[], flow: Flow, scope: Scope): Flow {
    const block = this.blocks.get(callee.text);
    const before = this.graph.length;
    if (!block) {
      const candidates = [...this.blocks.keys()];
      const close = suggest(callee.text, [...candidates, ...layerNames]);
      const hint = close ? `; did you mean \`${close}\`?` : candidates.length ? ` (blocks here: ${candidates.join(", ")})` : "";
      this.report("unknown-name", callee, `unknown block \`${callee.text}\`${hint}`, close ? { kind: "rename", replace: callee, candidates: [close] } : undefined);
      this.record(stmt, "call", callee.text, flow.shape, null, null, null);
      return this.inDoubt(flow, flow.shape, allDoubt);
    }
    this.addReference("block", callee, block.name!, callee.text, false);
    if (this.recursiveCalls.has(callee.start) || this.callStack.some((f) => f.block === callee.text)) {
      this.record(stmt, "call", callee.text, flow.shape, null, null, null);
      return this.inDoubt(flow, flow.shape, allDoubt);
    }

    // bind arguments: by position, then by name
    const bound = new Map<string, number | null>();
    let ok = true;
    const params = block.params;
    let position = 0;
    for (const arg of args) {
      let param: A.BlockParameter | undefined;
      if (arg.name) {
        param = params.find((p) => p.name.text === arg.name!.text);
        if (!param) {
          const close = suggest(arg.name.text, params.map((p) => p.name.text));
          this.report("unknown-name", arg.name, `block \`${callee.text}\` has no parameter \`${arg.name.text}\`${close ? `; did you mean \`${close}\`?` : ""}`);
          ok = false;
          continue;
        }
        this.addReference("parameter", arg.name, param.name, param.name.text, false);
      } else {
        param = params[position++];
        if (!param) {
          this.report("bad-value", arg, `block \`${callee.text}\` takes ${params.length} argument${params.length === 1 ? "" : "s"} (${params.map((p) => p.name.text).join(", ") || "none"}); this one is too many`);
          ok = false;
          continue;
        }
      }
      if (bound.has(param.name.text)) {
        this.report("bad-value", arg, `\`${param.name.text}\` is given twice`);
        ok = false;
        continue;
      }
      const v = evaluate(arg.value, scope, this.reporter);
      if (v !== null && !Number.isInteger(v)) {
        this.report("bad-value", arg, `block parameters are whole numbers; \`${param.name.text}\` = ${v}`);
        ok = false;
      }
      bound.set(param.name.text, v);
    }
    const missing = params.filter((p) => !bound.has(p.name.text) && !p.defaultValue);
    if (missing.length && ok) {
      this.report("bad-value", stmt, `block \`${callee.text}\` needs ${missing.map((p) => `\`${p.name.text}\``).join(" and ")}: ${callee.text}(${params.map((p) => p.name.text).join(", ")})`);
      ok = false;
    }
    if (!ok) {
      this.record(stmt, "call", callee.text, flow.shape, null, null, null);
      return this.inDoubt(flow, flow.shape, allDoubt);
    }
    const inner = this.blockScope(block, bound);
    this.callStack.push({ block: callee.text, site: callee });
    let uses = this.blockUses.get(callee.text);
    if (!uses) this.blockUses.set(callee.text, (uses = []));
    const frame: BlockFrame = { kind: "block", id: this.frames++, span: stmt, label: stmt.label?.text ?? null, block: callee.text, use: uses.length + 1, uses: 0 };
    uses.push(frame);
    const outer = this.enter(frame);
    const out = this.statements(block.body, flow, inner);
    this.scope = outer;
    this.callStack.pop();
    this.compositeOccurrence(stmt, "call", callee.text, flow, out, before);
    return out;
  }

  /** The scope inside a block: bound arguments, then defaults evaluated in order. */
  private blockScope(block: A.BlockDefinition, bound: Map<string, number | null>): Scope {
    const values = new Map<string, number | null>();
    const definitions = new Map<string, Span>();
    const scope: Scope = {
      values,
      definitions,
      onReference: (name, use) => {
        const def = definitions.get(name);
        if (def) this.addReference("parameter", use, def, name, false);
      },
    };
    for (const p of block.params) {
      definitions.set(p.name.text, p.name);
      this.addReference("parameter", p.name, p.name, p.name.text, true);
      if (bound.has(p.name.text)) values.set(p.name.text, bound.get(p.name.text)!);
      else if (p.defaultValue) values.set(p.name.text, evaluate(p.defaultValue, scope, this.reporter));
      else values.set(p.name.text, null);
    }
    return scope;
  }

  private repeat(stmt: A.RepeatStatement, flow: Flow, scope: Scope): Flow {
    const before = this.graph.length;
    if (!stmt.count) this.report("bad-value", stmt.keyword, "`repeat` needs a count: `repeat N { … }`");
    const n = stmt.count ? evaluateInt(stmt.count, scope, this.reporter, { what: "the repeat count N", min: 1, max: MAX_REPEAT }) : null;
    const label = stmt.label?.text ?? null;
    if (n === null) {
      // still check the body once: any count runs it at least once
      const outer = this.enter({ kind: "repeat", id: this.frames++, span: stmt, label, iteration: 1, count: null });
      const once = this.statements(stmt.body, flow, scope);
      this.scope = outer;
      this.record(stmt, "repeat", "repeat", flow.shape, null, null, null);
      return this.inDoubt(flow, once.shape, allDoubt);
    }
    let out = flow;
    for (let i = 0; i < n && !this.aborted; i++) {
      if (++this.work > this.maxLayers * 4) {
        this.abort(stmt);
        return unknownFlow;
      }
      const outer = this.enter({ kind: "repeat", id: this.frames++, span: stmt, label, iteration: i + 1, count: n });
      out = this.statements(stmt.body, out, scope);
      this.scope = outer;
    }
    this.compositeOccurrence(stmt, "repeat", `repeat ${n}`, flow, out, before);
    return out;
  }

  private residual(stmt: A.ResidualStatement, flow: Flow, scope: Scope): Flow {
    const before = this.graph.length;
    const label = stmt.label?.text ?? null;
    const outer = this.enter({ kind: "residual", id: this.frames++, span: stmt, label, path: "body" });
    const body = this.statements(stmt.body, flow, scope);
    this.scope = outer;
    let shortcut = flow;
    if (stmt.shortcut) {
      this.enter({ kind: "residual", id: this.frames++, span: stmt, label, path: "shortcut" });
      shortcut = this.statements(stmt.shortcut, flow, scope);
      this.scope = outer;
    }
    const merged = this.join("residual", stmt, [body, shortcut], flow);
    this.compositeOccurrence(stmt, "residual", "residual", flow, merged, before);
    return merged;
  }

  private merge(stmt: A.MergeStatement, flow: Flow, scope: Scope): Flow {
    const before = this.graph.length;
    if (stmt.branches.length === 0) this.report("bad-value", stmt.keyword, `\`${stmt.type}\` needs at least one \`branch { … }\``);
    const label = stmt.label?.text ?? null;
    const branches = stmt.branches.length;
    const outs = new Array<Flow>(branches);
    for (let i = 0; i < branches; i++) {
      const outer = this.enter({ kind: "branch", id: this.frames++, span: stmt, label, merge: stmt.type, branch: i + 1, branches });
      outs[i] = this.statements(stmt.branches[i].body, flow, scope);
      this.scope = outer;
    }
    const merged = stmt.branches.length ? this.join(stmt.type, stmt, outs, flow) : this.inDoubt(flow, flow.shape, allDoubt);
    this.compositeOccurrence(stmt, stmt.type, stmt.type, flow, merged, before);
    return merged;
  }

  /** Add (residual, add) or stack (concat) the results of parallel paths. */
  private join(how: "residual" | "add" | "concat", stmt: A.ResidualStatement | A.MergeStatement, outs: Flow[], input: Flow): Flow {
    if (outs.some((o) => !o.shape)) return unknownFlow;
    const doubt = outs.reduce<Doubt | undefined>((acc, o) => moreDoubt(acc, o.doubt ?? {}), input.doubt);
    const report = this.doubtful(doubt);
    const shapes = outs.map((o) => o.shape!);
    const first = shapes[0];
    const span: Span = { start: stmt.start, end: stmt.keyword.end };
    const names = how === "residual" ? ["the body", "the shortcut"] : shapes.map((_, i) => `branch ${i + 1}`);
    let output: Shape;
    if (how === "concat") {
      if (shapes.every((s) => s.kind === "vector")) {
        output = { kind: "vector", n: shapes.reduce((a, s) => a + (s.kind === "vector" ? s.n : 0), 0) };
      } else {
        const bad = shapes.findIndex((s) => s.kind !== "volume" || first.kind !== "volume" || s.w !== first.w || s.h !== first.h);
        if (bad >= 0) {
          report(
            "spatial-mismatch",
            span,
            `concat stacks along depth, so every branch must have the same W×H: ${names[0]} gives ${shapeText(first)}, ${names[bad]} ${shapeText(shapes[bad])}`,
          );
          return this.afterMismatch(doubt, first.kind === "volume" ? { ...first, d: shapes.reduce((a, s) => a + (s.kind === "volume" ? s.d : 0), 0) } : first);
        }
        output = { kind: "volume", w: (first as { w: number }).w, h: (first as { h: number }).h, d: shapes.reduce((a, s) => a + (s.kind === "volume" ? s.d : 0), 0) };
      }
    } else {
      for (let i = 1; i < shapes.length; i++) {
        const s = shapes[i];
        if (s.kind !== first.kind) {
          report("spatial-mismatch", span, `${how === "residual" ? "the residual adds" : "add sums"} ${shapeText(first)} (${names[0]}) and ${shapeText(s)} (${names[i]}): a volume and a vector cannot be added`);
          return this.afterMismatch(doubt, first);
        }
        if (s.kind === "vector" && first.kind === "vector") {
          if (s.n !== first.n) {
            report("depth-mismatch", span, `${how === "residual" ? "the residual adds" : "add sums"} ${s.n} numbers (${names[i]}) to ${first.n} (${names[0]})`);
            return this.afterMismatch(doubt, first);
          }
          continue;
        }
        const a = first as Extract<Shape, { kind: "volume" }>;
        const b = s as Extract<Shape, { kind: "volume" }>;
        const verb = how === "residual" ? "the residual adds" : "add sums";
        const both = `${shapeText(a)} (${names[0]}) and ${shapeText(b)} (${names[i]})`;
        if (a.d !== b.d) {
          // a 1×1 projection on the shortcut brings it to the body's shape
          const inputShape = input.shape;
          const stride = inputShape && inputShape.kind === "volume" && a.w > 0 && inputShape.w % a.w === 0 ? inputShape.w / a.w : 1;
          const strideText = stride > 1 ? ` stride ${stride}` : "";
          const fix = how === "residual" ? `; add a 1×1 projection shortcut: \`shortcut { conv ${a.d} 1x1${strideText} }\`` : "";
          report("depth-mismatch", span, `${verb} ${both}: depths ${a.d} and ${b.d} differ${fix}`, how === "residual"
            ? {
                kind: "projection",
                depth: a.d,
                stride,
                residual: { start: stmt.start, end: stmt.end },
                shortcut: (stmt as A.ResidualStatement).shortcut ? { start: (stmt as A.ResidualStatement).shortcutKeyword!.start, end: stmt.end } : null,
              }
            : undefined);
          return this.afterMismatch(doubt, first);
        }
        if (a.w !== b.w || a.h !== b.h) {
          report("spatial-mismatch", span, `${verb} ${both}: W×H must agree`);
          return this.afterMismatch(doubt, first);
        }
      }
      output = first.kind === "volume" ? { ...first } : { ...first };
    }
    if (doubt || outs.some((o) => o.node === null)) return { shape: output, node: null, field: null, doubt };
    const node = this.addNode(how === "concat" ? "concat" : "add", outs.map((o) => o.node!), input.shape, output, {}, 0n, 0n, stmt);
    const field = outs.reduce<ReceptiveField | null>((acc, o) => {
      if (!o.field) return acc;
      if (!acc) return { ...o.field };
      return { w: Math.max(acc.w, o.field.w), h: Math.max(acc.h, o.field.h), jumpW: Math.max(acc.jumpW, o.field.jumpW), jumpH: Math.max(acc.jumpH, o.field.jumpH) };
    }, null);
    return { shape: output, node, field };
  }

  /**
   * After a merge that cannot run, later lines are still checked against the shape the
   * user most likely meant (the body's, or the stacked depth); the network stays
   * incomplete, so it is never run.
   */
  private afterMismatch(doubt: Doubt | undefined, shape: Shape): Flow {
    return { shape, node: null, field: null, doubt };
  }

  // ---- records ----

  /**
   * Nodes (and occurrences below) are built whole, in one literal: objects that gain a
   * property later get a map of their own that dies with each analysis, and the
   * optimized code that read it is thrown away and compiled again every time.
   */
  private addNode(op: string, inputs: number[], input: Shape | null, output: Shape, attrs: LayerAttrs, params: bigint, macs: bigint, stmt: A.Statement): number {
    const id = this.graph.length;
    if (op !== "input" && op !== "add" && op !== "concat" && id > this.maxLayers) this.abort(stmt);
    this.graph.push({ op, inputs, input, output, attrs, params, macs, label: stmt.label?.text ?? null, span: stmt, scope: this.scope, id });
    return id;
  }

  private record(
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
    if (!this.recording) return null;
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
      callSites: this.callStack.length ? this.callStack.map((f) => f.site) : noCallSites,
      scope: this.scope,
      network: this.networkName,
    };
    const list = this.occurrences.get(stmt.start);
    if (list) list.push(occ);
    else this.occurrences.set(stmt.start, [occ]); // (an array grown from empty reserves 17 slots)
    return occ;
  }

  /** A statement made of many layers: its totals are those of the nodes it added. */
  private compositeOccurrence(stmt: A.Statement, kind: StatementKind, name: string, input: Flow | null, out: Flow, from: number): Occurrence {
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
}

/**
 * One elaborator that lives as long as the module. An instance's hidden class is
 * reached from the class's initial map by a weak transition per field: once every
 * instance is collected, the class dies with it, and V8 throws away the optimized
 * code of every method with it (they check it on `this`). Analyses are short-lived,
 * so without this one every full GC cost the next analyses a recompilation of the
 * whole elaborator (measured: ~10 ms of a 5,000-layer analysis).
 */
export const keepsElaboratorShape = new Elaborator({ items: [] }, "");

/** Σ params and MACs of graph[from…]: summed as doubles while that is exact, else as bigints. */
function totals(graph: GraphNode[], from: number): { params: bigint; macs: bigint } {
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
function activationTotal(graph: GraphNode[]): bigint {
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
function stepField(field: ReceptiveField | null, step: FieldStep | undefined): ReceptiveField | null {
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

/** The most float32 activation bytes alive at once when the graph runs in order. */
function peakLive(graph: GraphNode[]): bigint {
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
