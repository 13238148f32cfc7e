// A NetworkResult as plain JSON for the language server's `cnn/network` response and
// the run view's messages: every bigint becomes its decimal digits, Maps are left out.
// The structures nodes are inside (their scope frames) are sent once each, in a table
// (`frames`, each naming its parent's index): a node or statement names its innermost
// frame by index, and a statement its node by id — so the answer grows with the graph,
// not with the graph times its nesting (14 nested `repeat 2` made 25.6 MB of repeated
// frames). deserializeNetwork checks every field on the way back (the data crossed a
// process or a webview boundary), restores the bigints and rebuilds each scope.

import type { GraphNode, LayerAttrs, NetworkResult, NodeOp, Occurrence, Padding, ReceptiveField, ScopeFrame, Shape } from "./types";
import { catalog } from "./layers";
import { MAX_VALUE } from "./values";
import type { Span } from "../grammar";
import { fieldFromWire, type FieldValue } from "./exact";
import { boolean, count, decimalBigint, InvalidDataError, list, nullable, number, oneOf, pair, positive, record, string, isRecord, type Reader } from "./check";

/** T with every bigint as a decimal string, every Map left out, lazy values computed */
export type Serialized<T> = T extends bigint
  ? string
  : T extends () => infer R
    ? Serialized<R>
    : T extends Map<unknown, unknown>
    ? never
    : T extends (infer U)[]
      ? Serialized<U>[]
      : T extends object
        ? { [K in keyof T as T[K] extends Map<unknown, unknown> ? never : K]: Serialized<T[K]> }
        : T;

/** One structure of the frame table: the frame, and the index of the frame it is inside (null at the top). */
export type SerializedFrame = Serialized<ScopeFrame> & { parent: number | null };
/** A node on the wire: its scope is the index of its innermost frame (null at the network's top level). */
export type SerializedNode = Omit<Serialized<GraphNode>, "scope"> & { scope: number | null };
/** A statement on the wire: its scope as a node's, its node by id. */
export type SerializedOccurrence = Omit<Serialized<Occurrence>, "scope" | "node"> & { scope: number | null; node: number | null };
export type SerializedNetwork = Omit<Serialized<NetworkResult>, "graph" | "statements"> & {
  /** every frame any node or statement is inside, once, each after its parent */
  frames: SerializedFrame[];
  graph: SerializedNode[];
  statements: SerializedOccurrence[];
};

/** a span as its offsets alone (a graph node's span is the whole parsed statement) */
function offsets(value: unknown): unknown {
  return isRecord(value) ? { start: value.start, end: value.end } : value;
}

function plain(value: unknown, key = ""): unknown {
  if (key === "span" || key === "nameSpan") return offsets(value);
  if (key === "callSites" && Array.isArray(value)) return value.map(offsets);
  if (typeof value === "bigint") return value.toString();
  // computed on demand (an occurrence's explanations): sent as their result
  if (typeof value === "function") return plain((value as () => unknown)());
  if (value instanceof Map) return undefined;
  if (Array.isArray(value)) return value.map((v) => plain(v));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v instanceof Map) continue;
      out[k] = plain(v, k);
    }
    return out;
  }
  return value;
}

/** a frame as written: its fields (a span as its offsets) and its parent's index */
function frameOut(f: ScopeFrame, parent: number | null): SerializedFrame {
  const base = { id: f.id, span: { start: f.span.start, end: f.span.end }, label: f.label, parent };
  switch (f.kind) {
    case "block":
      return { kind: f.kind, ...base, block: f.block, use: f.use, uses: f.uses };
    case "repeat":
      return { kind: f.kind, ...base, iteration: f.iteration, count: f.count };
    case "residual":
      return { kind: f.kind, ...base, path: f.path };
    case "branch":
      return { kind: f.kind, ...base, merge: f.merge, branch: f.branch, branches: f.branches };
  }
}

/** The frame table being written: a scope becomes the index of its innermost frame. */
class FrameTable {
  readonly frames: SerializedFrame[] = [];
  /** each entry's frame and parent, to recognise a scope already written */
  private readonly entries: { frame: ScopeFrame; parent: number | null }[] = [];
  /** a frame's entries (one per place it is nested in; nearly always one) */
  private readonly byFrame = new Map<ScopeFrame, number[]>();

  index(scope: readonly ScopeFrame[]): number | null {
    // the longest start of the scope already written (usually all but its innermost frames) …
    let known = 0;
    let parent: number | null = null;
    for (let k = scope.length; k > 0 && known === 0; k--) {
      for (const at of this.byFrame.get(scope[k - 1]) ?? []) {
        if (this.matches(at, scope, k)) {
          known = k;
          parent = at;
          break;
        }
      }
    }
    // … and the rest written after it
    for (let k = known; k < scope.length; k++) {
      const frame = scope[k];
      const at = this.frames.length;
      this.frames.push(frameOut(frame, parent));
      this.entries.push({ frame, parent });
      const places = this.byFrame.get(frame);
      if (places) places.push(at);
      else this.byFrame.set(frame, [at]);
      parent = at;
    }
    return parent;
  }

  /** whether entry `at` stands for the first `length` frames of the scope */
  private matches(at: number, scope: readonly ScopeFrame[], length: number): boolean {
    let e: number | null = at;
    for (let k = length - 1; k >= 0; k--) {
      if (e === null || this.entries[e].frame !== scope[k]) return false;
      e = this.entries[e].parent;
    }
    return e === null;
  }
}
/** plain(), once per object: the nodes of a repeat share their attributes and shapes */
function shared<T extends object | null>(cache: WeakMap<object, unknown>, value: T): Serialized<T> {
  if (value === null) return null as Serialized<T>;
  let out = cache.get(value);
  if (out === undefined) cache.set(value, (out = plain(value)));
  return out as Serialized<T>;
}

export function serializeNetwork(network: NetworkResult): SerializedNetwork {
  const table = new FrameTable();
  const cache = new WeakMap<object, unknown>();
  const { graph, statements, ...rest } = network;
  const nodes = graph.map(
    (n): SerializedNode => ({
        id: n.id,
        op: n.op,
        inputs: n.inputs,
        input: shared(cache, n.input),
        output: shared(cache, n.output),
        attrs: shared(cache, n.attrs),
        params: n.params.toString(),
        macs: n.macs.toString(),
        label: n.label,
        span: { start: n.span.start, end: n.span.end },
        scope: table.index(n.scope),
      }),
  );
  const occurrences = statements.map(({ scope, node, ...o }) => ({ ...(plain(o) as Omit<Serialized<Occurrence>, "scope" | "node">), scope: table.index(scope), node: node ? node.id : null }));
  return { ...(plain(rest) as Omit<Serialized<NetworkResult>, "graph" | "statements">), frames: table.frames, graph: nodes, statements: occurrences } as SerializedNetwork;
}

const span: Reader<Span> = (v, p) => {
  const r = record(v, p);
  const start = count(r.start, `${p}.start`);
  const end = count(r.end, `${p}.end`);
  if (end < start) throw new InvalidDataError(`${p}: ends before it starts`);
  return { start, end };
};

/**
 * A side or a length as large as the analysis allows (analysis/values.ts MAX_VALUE): a
 * network the server calls complete must read back, so that the run view refuses it by
 * its memory budget with the numbers (the fuzzer found `input 224x1e9x3` unreadable here).
 */
const MAX_SIZE = MAX_VALUE;
const size: Reader<number> = (v, p) => {
  const n = positive(v, p);
  if (n > MAX_SIZE) throw new InvalidDataError(`${p}: ${n} is too large`);
  return n;
};

export const shapeReader: Reader<Shape> = (v, p) => {
  const r = record(v, p);
  const kind = oneOf("volume", "vector")(r.kind, `${p}.kind`);
  return kind === "volume" ? { kind, w: size(r.w, `${p}.w`), h: size(r.h, `${p}.h`), d: size(r.d, `${p}.d`) } : { kind, n: size(r.n, `${p}.n`) };
};

const padding: Reader<Padding> = (v, p) => {
  const r = record(v, p);
  return { left: count(r.left, `${p}.left`), right: count(r.right, `${p}.right`), top: count(r.top, `${p}.top`), bottom: count(r.bottom, `${p}.bottom`) };
};

/** a receptive field's value: a number, a bigint's digits, a fraction {n, d} in digits, null for Infinity (analysis/exact.ts) */
const fieldValue: Reader<FieldValue> = (v, p) => {
  const value = fieldFromWire(v);
  if (value === undefined) throw new InvalidDataError(`${p}: not a receptive field's size or jump`);
  return value;
};

const field: Reader<ReceptiveField> = (v, p) => {
  const r = record(v, p);
  return { w: fieldValue(r.w, `${p}.w`), h: fieldValue(r.h, `${p}.h`), jumpW: fieldValue(r.jumpW, `${p}.jumpW`), jumpH: fieldValue(r.jumpH, `${p}.jumpH`) };
};

const sample: Reader<{ name: string } | { path: string }> = (s, sp) => {
  const sr = record(s, sp);
  return sr.path !== undefined ? { path: string(sr.path, `${sp}.path`) } : { name: string(sr.name, `${sp}.name`) };
};

/**
 * The attributes of the kinds (analysis/types.ts `AttrsByOp`), by name: a name means the
 * same, with the same type, in every kind that has it.
 */
const attrFields: Record<string, Reader<unknown>> = {
  filters: positive,
  features: positive,
  factor: positive,
  size: positive,
  multiplier: positive,
  groups: positive,
  kernel: pair(positive),
  stride: pair(positive),
  dilation: pair(positive),
  padding,
  outputPadding: pair(count),
  outputSize: pair(positive),
  bias: boolean,
  ceil: boolean,
  p: number,
  slope: number,
  alpha: number,
  eps: number,
  weights: list(number),
  biasValues: list(number),
  biasValue: number,
  data: list(number),
  sample,
  mean: list(number, 1 << 16),
  std: list(number, 1 << 16),
  invert: boolean,
  // `classes digits` or `classes "names.txt"`: the same shape as a sample
  classes: sample,
};

/**
 * An attribute this reader has no entry for (a kind added since): any of the forms
 * attributes take — a finite number, true or false, a list of finite numbers, a padding.
 */
const anyAttribute: Reader<unknown> = (v, p) => {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return number(v, p);
  if (Array.isArray(v)) return list(number)(v, p);
  return padding(v, p);
};

const attrs: Reader<LayerAttrs> = (v, p) => {
  const r = record(v, p);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(r)) {
    if (value !== undefined) out[key] = (attrFields[key] ?? anyAttribute)(value, `${p}.${key}`);
  }
  return out as LayerAttrs;
};

const nodeOps = new Set<string>(["input", "add", "concat", "mul", ...catalog.map((k) => k.name)]);

const nodeOp: Reader<NodeOp> = (v, p) => {
  const op = string(v, p);
  if (!nodeOps.has(op)) throw new InvalidDataError(`${p}: no layer kind \`${op.slice(0, 40)}\``);
  return op as NodeOp;
};

/** At most this many frames deep (block uses inside block uses included). */
const MAX_SCOPE_DEPTH = 10_000;
/** At most this many frame references in all the rebuilt scopes (a small table must not make a huge graph). */
const MAX_SCOPE_REFERENCES = 20_000_000;

/**
 * The frame table read back: each scope index becomes the scope array it stands for.
 * Frames of one id are one structure: the first read is kept and shared, as the analysis
 * shares them (the run view groups nodes by frame). A frame's parent comes before it.
 */
function scopeReader(value: unknown, path: string): Reader<readonly ScopeFrame[]> {
  const byId = new Map<number, ScopeFrame>();
  const rows = value === undefined ? [] : list((v) => v, 10_000_000)(value, path);
  const frames: ScopeFrame[] = [];
  const parents: (number | null)[] = [];
  const depths: number[] = [];
  rows.forEach((v, i) => {
    const p = `${path}[${i}]`;
    const r = record(v, p);
    const parent = nullable(count)(r.parent, `${p}.parent`);
    if (parent !== null && parent >= i) throw new InvalidDataError(`${p}.parent: a frame's parent comes before it`);
    const depth = parent === null ? 1 : depths[parent] + 1;
    if (depth > MAX_SCOPE_DEPTH) throw new InvalidDataError(`${p}: nested more than ${MAX_SCOPE_DEPTH} frames deep`);
    const id = count(r.id, `${p}.id`);
    const known = byId.get(id);
    let frame: ScopeFrame;
    if (known) {
      if (known.kind !== r.kind) throw new InvalidDataError(`${p}: frame ${id} is a ${known.kind} elsewhere`);
      frame = known;
    } else {
      const base = { id, span: span(r.span, `${p}.span`), label: nullable(string)(r.label, `${p}.label`) };
      const kind = oneOf("block", "repeat", "residual", "branch")(r.kind, `${p}.kind`);
      if (kind === "block") frame = { kind, ...base, block: string(r.block, `${p}.block`), use: positive(r.use, `${p}.use`), uses: positive(r.uses, `${p}.uses`) };
      else if (kind === "repeat") frame = { kind, ...base, iteration: positive(r.iteration, `${p}.iteration`), count: nullable(positive)(r.count, `${p}.count`) };
      else if (kind === "residual") frame = { kind, ...base, path: oneOf("body", "shortcut")(r.path, `${p}.path`) };
      else frame = { kind, ...base, merge: oneOf("concat", "add", "mul")(r.merge, `${p}.merge`), branch: positive(r.branch, `${p}.branch`), branches: positive(r.branches, `${p}.branches`) };
      byId.set(id, frame);
    }
    frames.push(frame);
    parents.push(parent);
    depths.push(depth);
  });
  // each scope built once, when first named (nodes of one elaboration share it)
  const scopes = new Map<number, readonly ScopeFrame[]>();
  const top: readonly ScopeFrame[] = [];
  let references = 0;
  return (v, p) => {
    if (v === null) return top;
    const index = count(v, p);
    if (index >= frames.length) throw new InvalidDataError(`${p}: no frame ${index} (the table has ${frames.length})`);
    const known = scopes.get(index);
    if (known) return known;
    references += depths[index];
    if (references > MAX_SCOPE_REFERENCES) throw new InvalidDataError(`${p}: the scopes name more than ${MAX_SCOPE_REFERENCES} frames in all`);
    const scope: ScopeFrame[] = new Array<ScopeFrame>(depths[index]);
    for (let at: number | null = index, k = depths[index] - 1; at !== null; at = parents[at], k--) scope[k] = frames[at];
    scopes.set(index, scope);
    return scope;
  };
}

function graphNode(v: unknown, p: string, id: number, scope: Reader<readonly ScopeFrame[]>): GraphNode {
  const r = record(v, p);
  if (r.id !== id) throw new InvalidDataError(`${p}.id: expected ${id} (nodes are in order)`);
  const inputs = list(count, 1000)(r.inputs, `${p}.inputs`);
  if (inputs.some((i) => i >= id)) throw new InvalidDataError(`${p}.inputs: a node may only read earlier nodes`);
  return {
    id,
    op: nodeOp(r.op, `${p}.op`),
    inputs,
    input: nullable(shapeReader)(r.input, `${p}.input`),
    output: shapeReader(r.output, `${p}.output`),
    attrs: attrs(r.attrs, `${p}.attrs`),
    params: decimalBigint(r.params, `${p}.params`),
    macs: decimalBigint(r.macs, `${p}.macs`),
    label: nullable(string)(r.label, `${p}.label`),
    span: span(r.span, `${p}.span`),
    scope: scope(r.scope, `${p}.scope`),
  } as GraphNode;
}

function constant<T>(value: T): () => T {
  return () => value;
}

function occurrence(v: unknown, p: string, graph: GraphNode[], scope: Reader<readonly ScopeFrame[]>): Occurrence {
  const r = record(v, p);
  const nodeId = nullable(count)(r.node ?? null, `${p}.node`);
  const node = nodeId === null ? null : graph[nodeId];
  if (node === undefined) throw new InvalidDataError(`${p}.node: no node ${nodeId} (the graph has ${graph.length})`);
  return {
    span: span(r.span, `${p}.span`),
    kind: oneOf("input", "layer", "call", "repeat", "residual", "concat", "add", "mul")(r.kind, `${p}.kind`),
    name: string(r.name, `${p}.name`),
    label: nullable(string)(r.label, `${p}.label`),
    input: nullable(shapeReader)(r.input, `${p}.input`),
    output: nullable(shapeReader)(r.output, `${p}.output`),
    params: decimalBigint(r.params, `${p}.params`),
    weights: decimalBigint(r.weights, `${p}.weights`),
    biases: decimalBigint(r.biases, `${p}.biases`),
    macs: decimalBigint(r.macs, `${p}.macs`),
    receptiveField: nullable(field)(r.receptiveField, `${p}.receptiveField`),
    node,
    // explanations are for people; a sender may leave them out
    explain: constant(
      r.explain === undefined
        ? []
        : list((e, ep) => {
            const er = record(e, ep);
            return { title: string(er.title, `${ep}.title`), text: string(er.text, `${ep}.text`) };
          })(r.explain, `${p}.explain`),
    ),
    callSites: list(span)(r.callSites, `${p}.callSites`),
    scope: scope(r.scope, `${p}.scope`),
    network: string(r.network, `${p}.network`),
  };
}

export function deserializeNetwork(value: unknown, path = "network"): NetworkResult {
  const r = record(value, path);
  const rawGraph = r.graph;
  if (!Array.isArray(rawGraph)) throw new InvalidDataError(`${path}.graph: expected a list`);
  if (rawGraph.length > 1_000_000) throw new InvalidDataError(`${path}.graph: too many nodes`);
  const scope = scopeReader(r.frames, `${path}.frames`);
  const graph = rawGraph.map((n, i) => graphNode(n, `${path}.graph[${i}]`, i, scope));
  return {
    name: string(r.name, `${path}.name`),
    span: span(r.span, `${path}.span`),
    nameSpan: span(r.nameSpan, `${path}.nameSpan`),
    implicit: boolean(r.implicit, `${path}.implicit`),
    input: nullable(shapeReader)(r.input, `${path}.input`),
    output: nullable(shapeReader)(r.output, `${path}.output`),
    params: decimalBigint(r.params, `${path}.params`),
    macs: decimalBigint(r.macs, `${path}.macs`),
    receptiveField: nullable(field)(r.receptiveField, `${path}.receptiveField`),
    activationBytes: decimalBigint(r.activationBytes, `${path}.activationBytes`),
    peakActivationBytes: decimalBigint(r.peakActivationBytes, `${path}.peakActivationBytes`),
    statements: list((s, sp) => occurrence(s, sp, graph, scope))(r.statements, `${path}.statements`),
    graph,
    complete: boolean(r.complete, `${path}.complete`),
  };
}
