// A NetworkResult as plain JSON for the language server's `cnn/network` response and
// the run view's messages: every bigint becomes its decimal digits, Maps are left out.
// deserializeNetwork checks every field on the way back (the data crossed a process or
// a webview boundary) and restores the bigints.

import type { GraphNode, LayerAttrs, NetworkResult, NodeOp, Occurrence, Padding, ReceptiveField, ScopeFrame, Shape } from "./types";
import { catalog } from "./layers";
import type { Span } from "../grammar";
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

export type SerializedNetwork = Serialized<NetworkResult>;

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

export function serializeNetwork(network: NetworkResult): SerializedNetwork {
  return plain(network) as SerializedNetwork;
}

const span: Reader<Span> = (v, p) => {
  const r = record(v, p);
  const start = count(r.start, `${p}.start`);
  const end = count(r.end, `${p}.end`);
  if (end < start) throw new InvalidDataError(`${p}: ends before it starts`);
  return { start, end };
};

const MAX_SIZE = 1 << 24;
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

const field: Reader<ReceptiveField> = (v, p) => {
  const r = record(v, p);
  return { w: number(r.w, `${p}.w`), h: number(r.h, `${p}.h`), jumpW: number(r.jumpW, `${p}.jumpW`), jumpH: number(r.jumpH, `${p}.jumpH`) };
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

/**
 * A node's or occurrence's scope. Frames of one id are one structure: the first read is
 * kept and shared, as the analysis shares them (the run view groups nodes by frame).
 */
function scopeReader(frames: Map<number, ScopeFrame>): Reader<readonly ScopeFrame[]> {
  const frame: Reader<ScopeFrame> = (v, p) => {
    const r = record(v, p);
    const id = count(r.id, `${p}.id`);
    const known = frames.get(id);
    if (known) {
      if (known.kind !== r.kind) throw new InvalidDataError(`${p}: frame ${id} is a ${known.kind} elsewhere`);
      return known;
    }
    const base = { id, span: span(r.span, `${p}.span`), label: nullable(string)(r.label, `${p}.label`) };
    const kind = oneOf("block", "repeat", "residual", "branch")(r.kind, `${p}.kind`);
    let read: ScopeFrame;
    if (kind === "block") read = { kind, ...base, block: string(r.block, `${p}.block`), use: positive(r.use, `${p}.use`), uses: positive(r.uses, `${p}.uses`) };
    else if (kind === "repeat") read = { kind, ...base, iteration: positive(r.iteration, `${p}.iteration`), count: nullable(positive)(r.count, `${p}.count`) };
    else if (kind === "residual") read = { kind, ...base, path: oneOf("body", "shortcut")(r.path, `${p}.path`) };
    else read = { kind, ...base, merge: oneOf("concat", "add", "mul")(r.merge, `${p}.merge`), branch: positive(r.branch, `${p}.branch`), branches: positive(r.branches, `${p}.branches`) };
    frames.set(id, read);
    return read;
  };
  return list(frame, 10_000);
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
  const node = r.node === null || r.node === undefined ? null : graph[count(record(r.node, `${p}.node`).id, `${p}.node.id`)] ?? null;
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
  const scope = scopeReader(new Map());
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
