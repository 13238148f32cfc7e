// Expansion: each network's statements walked in order with blocks and repeats
// expanded, each layer's input shape threaded into the next (spec §3, §4). What it finds
// goes to the Sink; what it builds (nodes, occurrences) to the Recorder.

import type * as A from "../../grammar";
import type { Span } from "../../grammar";
import { layerKind, layerNames, inputDoc } from "../layers";
import { resolveOptions, type OptionName } from "../options";
import { shapeText } from "../format";
import { suggest } from "../suggest";
import { evaluateDims, evaluateInt, singleExpr, emptyScope, MAX_VALUE, type Report, type Scope } from "../values";
import type { AttrsByOp, BlockResult, Diagnostic, DiagnosticCode, LayerOp, NameReference, NetworkResult, Occurrence, ScopeFrame, Shape } from "../types";
import { modulePathOf } from "../paths";
import { acceptedOptions, bindArguments, blockOptionsMessage, blockScope, guessing, layerArguments, misspeltOption } from "./binding";
import { collectDefinitions } from "./definitions";
import { allDoubt, argumentMoves, depthOptions, doubtful, inDoubt, moreDoubt, spatialOptions, STAND_IN, unknownFlow, type Flow } from "./doubt";
import { activationTotal, peakLive, Recorder, stepField, totals } from "./graph";
import { join } from "./merge";
import { findRecursion } from "./recursion";
import { Sink } from "./sink";

const silent: Report = () => {};

/** `2` or `k` or `2x1` as written, for messages (a value of one part that is a number or a name) */
function singleValueText(value: A.DimsValue): string | null {
  const parts = value.parts.map((p) => (p.type === "number" ? p.text : p.type === "ref" ? p.name : null));
  return parts.includes(null) ? null : parts.join("x");
}

export const MAX_REPEAT = 10_000;
const DEFAULT_MAX_LAYERS = 100_000;

export interface ElaborationResult {
  networks: NetworkResult[];
  blocks: BlockResult[];
  diagnostics: Diagnostic[];
  occurrences: Map<number, Occurrence[]>;
  references: NameReference[];
}

export class Elaborator {
  private readonly sink: Sink;
  private readonly records: Recorder;
  private blocks = new Map<string, A.BlockDefinition>();
  private recursiveCalls = new Set<number>();

  // per network
  private labels = new Map<string, number>();
  private work = 0;
  private aborted = false;
  private currentTop: Span | null = null;

  constructor(
    private readonly file: A.CnnFile,
    private readonly implicitName: string,
    private readonly maxLayers = DEFAULT_MAX_LAYERS,
    isError: (code: DiagnosticCode) => boolean = () => true,
  ) {
    this.sink = new Sink(isError);
    this.records = new Recorder(this.sink);
  }

  run(): ElaborationResult {
    const networks: NetworkResult[] = [];
    const { defined, blocks, blockResults, topLevel } = collectDefinitions(this.file, this.sink);
    this.blocks = blocks;
    this.recursiveCalls = findRecursion(blocks, this.sink);

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
    this.sink.recording = false;
    for (const block of this.blocks.values()) {
      this.resetNetwork(`block ${block.name?.text}`);
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
      references: this.sink.references,
    };
  }

  // ---- networks ----

  private resetNetwork(name: string) {
    this.records.reset(name);
    this.sink.callStack = [];
    this.sink.errors = 0;
    this.labels = new Map();
    this.work = 0;
    this.aborted = false;
    this.currentTop = null;
  }

  private network(name: string, body: A.Statement[], span: Span, nameSpan: Span, implicit: boolean): NetworkResult {
    this.resetNetwork(name);
    const records = this.records;
    const first = body[0];
    let flow: Flow = unknownFlow;
    let rest = body;
    if (first && first.type === "layer" && first.op.text === "input") {
      flow = this.input(first);
      rest = body.slice(1);
    } else if (!body.some((s) => s.type === "layer" && s.op.text === "input")) {
      // (a misplaced `input` is reported where it stands)
      // a compound first statement (residual, repeat, concat) is pointed at by its keyword, not over the whole file
      const where = implicit ? (first ? ("keyword" in first ? first.keyword : { start: first.start, end: first.end }) : nameSpan) : nameSpan;
      const what = implicit ? "these statements have" : `network \`${name}\` has`;
      this.sink.report("no-input", where, `${what} no \`input\` first: start with the input volume, e.g. \`input 32x32x3\``);
    }
    // without a (valid) input the statements are still checked, in doubt of every size
    if (!flow.shape) flow = { shape: { kind: "volume", w: STAND_IN, h: STAND_IN, d: 1 }, node: null, field: null, doubt: allDoubt };
    const statements: Occurrence[] = [];
    for (const stmt of rest) {
      if (this.aborted) break;
      this.currentTop = stmt;
      const before = records.graph.length;
      flow = this.statement(stmt, flow, emptyScope);
      const occ = records.lastOccurrence(stmt);
      if (occ) statements.push(occ);
      else statements.push(records.composite(stmt, "layer", "?", null, flow, before));
    }
    records.countUses();
    const graph = records.graph;
    const known = graph.length > 0 && flow.shape !== null && !flow.doubt;
    const { params, macs } = totals(graph, 0);
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
      activationBytes: activationTotal(graph),
      peakActivationBytes: peakLive(graph),
      statements,
      graph,
      complete: known && this.sink.errors === 0 && !this.aborted,
    };
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
    if (stmt.args.length === 0) sink.report("bad-value", stmt, "`input` needs its size: `input W x H x D`, e.g. `input 32x32x3`");
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
    this.records.record(stmt, "input", "input", null, shape, this.records.graph[node], flow.field);
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

  private abort(at: Span) {
    if (this.aborted) return;
    this.aborted = true;
    const top = this.currentTop ?? at;
    this.sink.report(
      "bad-value",
      top,
      `network \`${this.records.networkName}\` expands to more than ${this.maxLayers.toLocaleString("en-US")} layers; the analysis stops here`,
    );
  }

  /** A layer's node; past the layer cap the analysis stops. */
  private addLayerNode<K extends LayerOp>(op: K, inputs: number[], input: Shape, output: Shape, attrs: AttrsByOp[K], params: bigint, macs: bigint, stmt: A.Statement): number {
    if (this.records.graph.length > this.maxLayers) this.abort(stmt);
    return this.records.addNode(op, inputs, input, output, attrs, params, macs, stmt);
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
      const candidates = [...layerNames, ...this.blocks.keys(), "input"];
      const close = suggest(name, candidates);
      const hint = close ? `; did you mean \`${close}\`?` : "";
      sink.report("unknown-name", stmt.op, `unknown layer \`${name}\`${hint}`, close ? { kind: "rename", replace: stmt.op, candidates: [close] } : undefined);
      // go on as the likely intended kind, so the lines after a typo are still checked
      kind = close ? layerKind(close) : undefined;
      if (!kind) {
        records.record(stmt, "layer", name, flow.shape, null, null, null);
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
      records.record(stmt, "layer", kind.name, flow.shape, null, null, null);
      return unknownFlow;
    }
    if (kind.spatial && flow.shape.kind === "vector") {
      sink.report(
        "needs-volume",
        stmt,
        `\`${kind.name}\` needs a W×H×D volume, but the data is already a vector of ${flow.shape.n.toLocaleString("en-US")} numbers; put spatial layers before \`fc\`/\`flatten\``,
      );
      records.record(stmt, "layer", kind.name, flow.shape, null, null, null);
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
      records.record(stmt, "layer", kind.name, flow.shape, null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    const out = outcome.output;
    const tooLarge = out.kind === "volume" ? out.w > MAX_VALUE || out.h > MAX_VALUE || out.d > MAX_VALUE : out.n > MAX_VALUE;
    if (tooLarge) {
      if (!doubt) sink.report("bad-value", stmt, `the output ${shapeText(out)} is too large`);
      records.record(stmt, "layer", kind.name, flow.shape, null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    if (failed || doubt) {
      records.record(stmt, "layer", kind.name, flow.shape, null, null, null);
      return inDoubt(flow, out, doubt ?? {});
    }
    const inputs = flow.node === null ? [] : [flow.node];
    const node = this.addLayerNode(kind.name, inputs, flow.shape, out, outcome.attrs, outcome.weights + outcome.biases, outcome.macs, stmt);
    const field = stepField(flow.field, outcome.field);
    records.record(stmt, "layer", kind.name, flow.shape, out, records.graph[node], field, outcome.weights, outcome.biases, outcome.explain);
    return { shape: out, node, field };
  }

  private call(stmt: A.Statement, callee: A.Name, args: A.CallArgument[], flow: Flow, scope: Scope): Flow {
    const sink = this.sink;
    const records = this.records;
    const block = this.blocks.get(callee.text);
    const before = records.graph.length;
    if (!block) {
      const candidates = [...this.blocks.keys()];
      const close = suggest(callee.text, [...candidates, ...layerNames]);
      const hint = close ? `; did you mean \`${close}\`?` : candidates.length ? ` (blocks here: ${candidates.join(", ")})` : "";
      sink.report("unknown-name", callee, `unknown block \`${callee.text}\`${hint}`, close ? { kind: "rename", replace: callee, candidates: [close] } : undefined);
      records.record(stmt, "call", callee.text, flow.shape, null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    sink.addReference("block", callee, block.name!, callee.text, false);
    this.afterCall(stmt, block);
    if (this.recursiveCalls.has(callee.start) || sink.callStack.some((f) => f.block === callee.text)) {
      records.record(stmt, "call", callee.text, flow.shape, null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    const bound = bindArguments(block, callee, stmt, args, scope, sink);
    if (!bound) {
      records.record(stmt, "call", callee.text, flow.shape, null, null, null);
      return inDoubt(flow, flow.shape, allDoubt);
    }
    const inner = blockScope(block, bound, sink);
    sink.callStack.push({ block: callee.text, site: callee });
    const outer = records.enter(records.blockFrame(stmt, callee.text));
    const out = this.statements(block.body, flow, inner);
    records.scope = outer;
    sink.callStack.pop();
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
    const before = records.graph.length;
    if (!stmt.count) sink.report("bad-value", stmt.keyword, "`repeat` needs a count: `repeat N { … }`");
    const n = stmt.count ? evaluateInt(stmt.count, scope, sink.reporter, { what: "the repeat count N", min: 0, max: MAX_REPEAT }) : null;
    const label = stmt.label?.text ?? null;
    if (n === null) {
      // still check the body once: any count runs it at least once
      const outer = records.enter({ kind: "repeat", id: records.frameId(), span: stmt, label, iteration: 1, count: null });
      const once = this.statements(stmt.body, flow, scope);
      records.scope = outer;
      records.record(stmt, "repeat", "repeat", flow.shape, null, null, null);
      return inDoubt(flow, once.shape, allDoubt);
    }
    if (n === 0) {
      // `repeat 0` passes its input through (a stage `first; repeat n - 1 { … }` with n = 1);
      // the body is still read for what it says regardless of the input (names, values)
      this.unreached(stmt.body, scope);
      records.composite(stmt, "repeat", "repeat 0", flow, flow, before);
      return flow;
    }
    let out = flow;
    for (let i = 0; i < n && !this.aborted; i++) {
      if (++this.work > this.maxLayers * 4) {
        this.abort(stmt);
        return unknownFlow;
      }
      const outer = records.enter({ kind: "repeat", id: records.frameId(), span: stmt, label, iteration: i + 1, count: n });
      out = this.statements(stmt.body, out, scope);
      records.scope = outer;
    }
    records.composite(stmt, "repeat", `repeat ${n}`, flow, out, before);
    return out;
  }

  private residual(stmt: A.ResidualStatement, flow: Flow, scope: Scope): Flow {
    const records = this.records;
    const before = records.graph.length;
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
    const before = records.graph.length;
    for (const branch of body.branches) this.statements(branch.body, flow, scope);
    if (body.statements.length) this.statements(body.statements, flow, scope);
    records.composite(stmt, "layer", name, flow, inDoubt(flow, flow.shape, allDoubt), before);
    return inDoubt(flow, flow.shape, allDoubt);
  }

  private merge(stmt: A.MergeStatement, flow: Flow, scope: Scope): Flow {
    const records = this.records;
    const before = records.graph.length;
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
