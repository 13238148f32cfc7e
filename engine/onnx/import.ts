// An ONNX model as a .cnn design and its weights (`cnn import`, spec §7). The graph is
// walked from its input: a chain of nodes becomes one statement per layer; a value read
// by several nodes that meet again in an Add becomes `residual { … } shortcut { … }`
// (or `add { branch … }`), in a Concat `concat { branch … }` — nested as the graph nests.
// Labels come from the node names (torch's `/layer1/layer1.0/conv1/Conv` → `layer1.0.conv1`),
// and the weights are written under those labels, as engine/weights-match.ts reads them.
// An operator or attribute the language cannot express is an ImportError naming the
// node and the operator; then nothing is written.
//
// Not done yet: finding repeated subgraphs and writing them as blocks (every layer is a
// statement of the network), the dynamo exporter's Reshape/ReduceMean patterns beyond
// flatten, Mul (squeeze-and-excitation), Resize, Pad nodes.

import { onnx } from "onnx-proto";
import { analyze } from "../../analysis";
import { keywordWords, LineIndex } from "../../grammar";
import type { NamedTensor } from "../safetensors";

export class ImportError extends Error {
  override name = "ImportError";
}

interface Constant {
  dims: number[];
  data: Float32Array | BigInt64Array;
}

interface Node {
  index: number;
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, onnx.IAttributeProto>;
}

export interface ImportedModel {
  text: string;
  tensors: NamedTensor[];
  network: string;
  /** layer statements written */
  layers: number;
}

function tensorOf(t: onnx.ITensorProto): Constant {
  const dims = (t.dims ?? []).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const T = onnx.TensorProto.DataType;
  const raw = t.rawData && t.rawData.length ? t.rawData : null;
  if (t.dataType === T.FLOAT) {
    if (raw) {
      const copy = new Uint8Array(raw);
      return { dims, data: new Float32Array(copy.buffer, 0, count) };
    }
    return { dims, data: Float32Array.from(t.floatData ?? []) };
  }
  if (t.dataType === T.INT64) {
    if (raw) return { dims, data: new BigInt64Array(new Uint8Array(raw).buffer, 0, count) };
    return { dims, data: BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(v.toString()))) };
  }
  if (t.dataType === T.INT32 && !raw) return { dims, data: BigInt64Array.from((t.int32Data ?? []).map((v) => BigInt(v))) };
  throw new ImportError(`tensor ${t.name}: data type ${t.dataType} is not read (float32 and int64 are)`);
}

const ints = (a: onnx.IAttributeProto | undefined): number[] | undefined => (a ? (a.ints ?? []).map(Number) : undefined);
const int = (a: onnx.IAttributeProto | undefined): number | undefined => (a && a.i !== undefined && a.i !== null ? Number(a.i) : undefined);
const float = (a: onnx.IAttributeProto | undefined): number | undefined => (a && a.f !== undefined && a.f !== null ? a.f : undefined);
const str = (a: onnx.IAttributeProto | undefined): string | undefined => (a && a.s ? new TextDecoder().decode(a.s) : undefined);

/** torch's `/layer1/layer1.0/conv1/Conv` → `layer1.0.conv1`; a plain name as a label, else null */
export function labelFromNodeName(name: string, opType: string): string | null {
  // this product's exporter names a node `base_OpType` (`conv1_Conv`)
  name = name.endsWith(`_${opType}`) ? name.slice(0, -opType.length - 1) : name;
  const segs = name.split("/").filter((s) => s !== "");
  if (segs.length > 1 && segs[segs.length - 1].replace(/_\d+$/, "") === opType) segs.pop();
  else if (segs.length === 1 && /^[A-Za-z]+_\d+$/.test(segs[0])) return segs[0];
  const parts: string[] = [];
  for (const s of segs) {
    if (parts.length && s.startsWith(parts[parts.length - 1] + ".")) parts[parts.length - 1] = s;
    else parts.push(s);
  }
  const path = parts.join(".").replace(/[^A-Za-z0-9_.]/g, "_").replace(/\.{2,}/g, ".").replace(/^\.|\.$/g, "");
  return path && /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(path) ? path : null;
}

/** where a rounding word goes if the stride does not fit (settled by analyzing the text: importOnnx) */
const ROUND_FLOOR = "\u0001floor";
const ROUND_CEIL = "\u0001ceil";

const dimText = (w: number, h: number) => (w === h ? `${w}` : `${w}x${h}`);
const numberText = (v: number) => String(Number(Math.fround(v).toPrecision(7)));

class Importer {
  private constants = new Map<string, Constant>();
  private nodes: Node[] = [];
  private producer = new Map<string, Node>();
  private consumers = new Map<string, Node[]>();
  private shapes = new Map<string, number[]>();
  private lines: string[] = [];
  private tensors: NamedTensor[] = [];
  private labels = new Set<string>();
  private layerCount = 0;
  private inputName = "";
  private outputName = "";

  constructor(private readonly model: onnx.ModelProto) {}

  run(networkName: string): ImportedModel {
    const graph = this.model.graph;
    if (!graph) throw new ImportError("the model has no graph");
    for (const t of graph.initializer ?? []) this.constants.set(t.name ?? "", tensorOf(t));
    for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
      const dims = v.type?.tensorType?.shape?.dim?.map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : 1));
      if (v.name && dims) this.shapes.set(v.name, dims);
    }
    (graph.node ?? []).forEach((n, index) => {
      const node: Node = { index, opType: n.opType ?? "", name: n.name || `${n.opType}_${index}`, inputs: n.input ?? [], outputs: n.output ?? [], attrs: new Map((n.attribute ?? []).map((a) => [a.name ?? "", a])) };
      if (node.opType === "Constant") {
        const value = node.attrs.get("value");
        if (!value?.t) throw new ImportError(`node ${node.name} (Constant): only a tensor value is read`);
        this.constants.set(node.outputs[0], tensorOf(value.t));
        return;
      }
      // torch's exporter shares equal initializers and names each use by an Identity of one
      if (node.opType === "Identity" && this.constants.has(node.inputs[0])) {
        this.constants.set(node.outputs[0], this.constants.get(node.inputs[0])!);
        return;
      }
      this.nodes.push(node);
      for (const o of node.outputs) this.producer.set(o, node);
      for (const i of node.inputs) {
        if (this.constants.has(i) || i === "") continue;
        let list = this.consumers.get(i);
        if (!list) this.consumers.set(i, (list = []));
        list.push(node);
      }
    });
    const inputs = (graph.input ?? []).filter((v) => v.name && !this.constants.has(v.name));
    if (inputs.length !== 1) throw new ImportError(`the model has ${inputs.length} inputs; a design has one`);
    this.inputName = inputs[0].name!;
    const outs = graph.output ?? [];
    if (outs.length !== 1) throw new ImportError(`the model has ${outs.length} outputs; a design has one`);
    this.outputName = outs[0].name!;
    const inShape = this.shapes.get(this.inputName) ?? [];
    let inputLine: string;
    if (inShape.length === 4 && inShape[0] === 1) inputLine = `input ${inShape[3]}x${inShape[2]}x${inShape[1]}`;
    else if (inShape.length === 2 && inShape[0] === 1) throw new ImportError(`the input ${this.inputName} is a vector [${inShape.join(", ")}]; a design's input is a W×H×D volume`);
    else throw new ImportError(`the input ${this.inputName} has the shape [${inShape.join(", ")}]; a design reads [1, C, H, W]`);
    const end = this.chain(this.inputName, null, "  ");
    if (end !== this.outputName) throw new ImportError(`the graph's output ${this.outputName} is not reached from its input in one line of layers (stopped at ${end})`);
    let name = networkName.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(?=\d)/, "N") || "Imported";
    // a keyword, an option word or the dimension cross cannot name a network
    if (name === "x" || keywordWords.structural.includes(name) || keywordWords.options.includes(name)) name += "_net";
    const text = [`# imported from ONNX (${this.model.producerName || "unknown producer"}${this.model.producerVersion ? ` ${this.model.producerVersion}` : ""}); weights beside it as .safetensors`, `network ${name} {`, `  ${inputLine}`, ...this.lines, "}", ""].join("\n");
    return { text, tensors: this.tensors, network: name, layers: this.layerCount };
  }

  private readers(value: string): Node[] {
    return this.consumers.get(value) ?? [];
  }

  /**
   * Writes the layers from `value` on, until a value some merge outside reads (`stop`
   * says whether a node is that merge) or the graph's output; returns the value it
   * stopped at.
   */
  private chain(value: string, stop: ((n: Node) => boolean) | null, indent: string): string {
    for (;;) {
      if (value === this.outputName) return value;
      const readers = this.readers(value);
      if (readers.length === 0) return value;
      if (stop && readers.every(stop)) return value;
      if (readers.length === 1) {
        const n = readers[0];
        if (n.opType === "Add" || n.opType === "Concat" || n.opType === "Sum") {
          // a merge whose inputs come from before the fork: not this chain's
          return value;
        }
        value = this.layer(n, indent);
        continue;
      }
      value = this.fork(value, readers, indent);
    }
  }

  /** A value read by several nodes: the paths until they meet in one merge node. */
  private fork(value: string, readers: Node[], indent: string): string {
    const join = this.meeting(readers);
    if (!join) throw new ImportError(`the paths from ${value} (read by ${readers.map((r) => `${r.name} (${r.opType})`).join(", ")}) do not meet again in one Add or Concat`);
    const isJoin = (n: Node) => n === join;
    const branches: { ends: string; lines: string[] }[] = [];
    for (const input of join.inputs) {
      if (input === value) {
        branches.push({ ends: value, lines: [] });
        continue;
      }
      const start = readers.find((r) => this.reaches(r, input));
      if (!start) throw new ImportError(`node ${join.name} (${join.opType}): its input ${input} does not come from ${value}`);
      const saved = this.lines;
      this.lines = [];
      const inner = join.opType === "Concat" || join.inputs.length > 2 ? indent + "    " : indent + "  ";
      // the branch starts at its first node; its own forks nest inside
      let v = this.layer(start, inner);
      v = this.chain(v, isJoin, inner);
      if (v !== input) throw new ImportError(`node ${join.name} (${join.opType}): its input ${input} is not reached by one line of layers from ${value} (stopped at ${v})`);
      branches.push({ ends: v, lines: this.lines });
      this.lines = saved;
    }
    // (a merge is not labelled: its label would prefix the module paths of the layers inside)
    const prefix = "";
    if (join.opType === "Concat") {
      const axis = int(join.attrs.get("axis"));
      if (axis !== 1 && axis !== -3) throw new ImportError(`node ${join.name} (Concat): axis ${axis}; a concat stacks along depth (axis 1)`);
      this.lines.push(`${indent}${prefix}concat {`);
      for (const b of branches) this.lines.push(b.lines.length ? `${indent}  branch {\n${b.lines.join("\n")}\n${indent}  }` : `${indent}  branch { }`);
      this.lines.push(`${indent}}`);
    } else if (branches.length === 2) {
      const [body, shortcut] = branches[0].lines.length ? [branches[0], branches[1]] : [branches[1], branches[0]];
      this.lines.push(`${indent}${prefix}residual {`, ...body.lines, shortcut.lines.length ? `${indent}} shortcut {` : "", ...shortcut.lines, `${indent}}`);
      this.lines = this.lines.filter((l) => l !== "");
    } else {
      this.lines.push(`${indent}${prefix}add {`);
      for (const b of branches) this.lines.push(b.lines.length ? `${indent}  branch {\n${b.lines.join("\n")}\n${indent}  }` : `${indent}  branch { }`);
      this.lines.push(`${indent}}`);
    }
    return join.outputs[0];
  }

  /** whether node n's output flows into value v */
  private reaches(n: Node, v: string): boolean {
    const seen = new Set<Node>();
    const stack = [n];
    while (stack.length) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      if (x.outputs.includes(v)) return true;
      for (const o of x.outputs) for (const r of this.readers(o)) stack.push(r);
    }
    return false;
  }

  /** the first merge (in graph order) every path from value's readers reaches, which reads them all */
  private meeting(readers: Node[]): Node | null {
    const reach = (start: Node) => {
      const seen = new Set<Node>();
      const stack = [start];
      while (stack.length) {
        const x = stack.pop()!;
        if (seen.has(x)) continue;
        seen.add(x);
        for (const o of x.outputs) for (const r of this.readers(o)) stack.push(r);
      }
      return seen;
    };
    const sets = readers.map(reach);
    const candidates = this.nodes.filter((n) => (n.opType === "Add" || n.opType === "Concat" || n.opType === "Sum") && sets.every((s) => s.has(n)));
    candidates.sort((a, b) => a.index - b.index);
    return candidates[0] ?? null;
  }

  private constant(node: Node, i: number, what: string): Constant {
    const c = this.constants.get(node.inputs[i]);
    if (!c) throw new ImportError(`node ${node.name} (${node.opType}): its ${what} (${node.inputs[i]}) is not a constant`);
    return c;
  }

  private floats(c: Constant): Float32Array {
    return c.data instanceof Float32Array ? c.data : Float32Array.from(c.data, Number);
  }

  /** a label for a layer with weights (unique in the design) */
  private label(node: Node): string {
    let base = labelFromNodeName(node.name, node.opType) ?? `${node.opType.toLowerCase()}_${node.index}`;
    if (/^\d/.test(base) && !/^\d+(\.[A-Za-z0-9_]+)*$/.test(base)) base = `n${base}`;
    let label = base;
    for (let k = 2; this.labels.has(label); k++) label = `${base}_${k}`;
    this.labels.add(label);
    return label;
  }

  private weights(label: string, entries: [string, number[], Float32Array][]): void {
    for (const [suffix, dims, data] of entries) this.tensors.push({ name: `${label}.${suffix}`, shape: dims, data });
  }

  private unsupported(node: Node, why: string): never {
    throw new ImportError(`node ${node.name} (${node.opType}): ${why}`);
  }

  private windowOptions(node: Node, kernel: number[]): string {
    const strides = ints(node.attrs.get("strides")) ?? [1, 1];
    const dilations = ints(node.attrs.get("dilations")) ?? [1, 1];
    const autoPad = str(node.attrs.get("auto_pad")) ?? "NOTSET";
    const pads = ints(node.attrs.get("pads")) ?? [0, 0, 0, 0];
    let out = "";
    if (strides[0] !== 1 || strides[1] !== 1) out += ` stride ${dimText(strides[1], strides[0])}`;
    if (autoPad === "SAME_UPPER") out += " pad same";
    else if (autoPad === "VALID") out += "";
    else if (autoPad === "SAME_LOWER") this.unsupported(node, "auto_pad SAME_LOWER (padding the larger half first) cannot be written");
    else {
      const [top, left, bottom, right] = pads;
      if (top !== bottom || left !== right) {
        // TensorFlow's `same`: the smaller half first
        const inShape = this.shapes.get(node.inputs[0]);
        const same = inShape && [0, 1].every((ax) => {
          const size = inShape[2 + ax];
          const s = strides[ax];
          const f = (kernel[ax] - 1) * dilations[ax] + 1;
          const total = Math.max((Math.ceil(size / s) - 1) * s + f - size, 0);
          return pads[ax] === Math.floor(total / 2) && pads[ax + 2] === total - Math.floor(total / 2);
        });
        if (!same) this.unsupported(node, `padding [${pads.join(", ")}] is not the same on both sides`);
        out += " pad same";
      } else if (top || left) out += ` pad ${dimText(left, top)}`;
    }
    if (dilations[0] !== 1 || dilations[1] !== 1) {
      if (dilations[0] !== dilations[1]) this.unsupported(node, `dilations [${dilations.join(", ")}] differ by axis`);
      out += ` dilation ${dilations[0]}`;
    }
    return out;
  }

  /** Writes one node as a statement (or nothing, for Identity/Dropout); returns its output. */
  private layer(node: Node, indent: string): string {
    const push = (text: string) => {
      this.lines.push(`${indent}${text}`);
      this.layerCount++;
    };
    const out = node.outputs[0];
    switch (node.opType) {
      case "Conv": {
        const w = this.constant(node, 1, "weight");
        if (w.dims.length !== 4) this.unsupported(node, `a ${w.dims.length - 2}-D convolution; a design's are 2-D`);
        const [k, cPerGroup, fh, fw] = w.dims;
        const group = int(node.attrs.get("group")) ?? 1;
        const inC = this.shapes.get(node.inputs[0])?.[1];
        const label = this.label(node);
        const bias = node.inputs[2] ? this.floats(this.constant(node, 2, "bias")) : null;
        // one input channel per group: each group reads one channel, so the input has `group` channels
        const depthwise = group > 1 && cPerGroup === 1 && (inC === undefined || inC === group);
        const kind = depthwise ? `dwconv ${dimText(fw, fh)}${k / group !== 1 ? ` multiplier ${k / group}` : ""}` : `conv ${k} ${dimText(fw, fh)}${group > 1 ? ` groups ${group}` : ""}`;
        push(`${label}: ${kind}${this.windowOptions(node, [fh, fw])}${bias ? "" : " nobias"}${ROUND_FLOOR}`);
        this.weights(label, [["weight", w.dims, this.floats(w)], ...(bias ? [["bias", [k], bias] as [string, number[], Float32Array]] : [])]);
        return out;
      }
      case "BatchNormalization": {
        const label = this.label(node);
        const eps = float(node.attrs.get("epsilon")) ?? 1e-5;
        const [g, b, m, v] = [1, 2, 3, 4].map((i) => this.floats(this.constant(node, i, ["scale", "bias", "mean", "variance"][i - 1])));
        push(`${label}: bn${Math.abs(eps - 1e-5) > 1e-12 ? ` eps ${numberText(eps)}` : ""}`);
        this.weights(label, [["weight", [g.length], g], ["bias", [b.length], b], ["running_mean", [m.length], m], ["running_var", [v.length], v]]);
        return out;
      }
      case "Gemm": {
        const w = this.constant(node, 1, "weight");
        const transB = int(node.attrs.get("transB")) ?? 0;
        const alpha = float(node.attrs.get("alpha")) ?? 1;
        const beta = float(node.attrs.get("beta")) ?? 1;
        if ((int(node.attrs.get("transA")) ?? 0) !== 0 || alpha !== 1 || beta !== 1) this.unsupported(node, "transA, alpha or beta other than PyTorch's Linear");
        const data = this.floats(w);
        const [n, nIn] = transB ? w.dims : [w.dims[1], w.dims[0]];
        const weight = transB ? data : transpose(data, w.dims[0], w.dims[1]);
        const label = this.label(node);
        const bias = node.inputs[2] ? this.floats(this.constant(node, 2, "bias")) : null;
        if (bias && bias.length !== n) this.unsupported(node, `a bias of ${bias.length} values for ${n} outputs`);
        push(`${label}: fc ${n}${bias ? "" : " nobias"}`);
        this.weights(label, [["weight", [n, nIn], weight], ...(bias ? [["bias", [n], bias] as [string, number[], Float32Array]] : [])]);
        return out;
      }
      case "MatMul": {
        const w = this.constant(node, 1, "weight");
        if (w.dims.length !== 2) this.unsupported(node, "a MatMul by anything but a constant matrix");
        const [nIn, n] = w.dims;
        const label = this.label(node);
        const readers = this.readers(out);
        const add = readers.length === 1 && readers[0].opType === "Add" && readers[0].inputs.some((i) => this.constants.has(i)) ? readers[0] : null;
        const bias = add ? this.floats(this.constants.get(add.inputs.find((i) => this.constants.has(i))!)!) : null;
        push(`${label}: fc ${n}${bias ? "" : " nobias"}`);
        this.weights(label, [["weight", [n, nIn], transpose(this.floats(w), nIn, n)], ...(bias ? [["bias", [n], bias] as [string, number[], Float32Array]] : [])]);
        return add ? add.outputs[0] : out;
      }
      case "Relu":
        push("relu");
        return out;
      case "Sigmoid":
        push("sigmoid");
        return out;
      case "Tanh":
        push("tanh");
        return out;
      case "HardSwish":
        push("hardswish");
        return out;
      case "HardSigmoid": {
        const alpha = float(node.attrs.get("alpha")) ?? 0.2;
        const beta = float(node.attrs.get("beta")) ?? 0.5;
        if (Math.abs(alpha - 1 / 6) > 1e-6 || Math.abs(beta - 0.5) > 1e-6) this.unsupported(node, `alpha ${alpha}, beta ${beta}: \`hardsigmoid\` is PyTorch's (1/6, 0.5)`);
        push("hardsigmoid");
        return out;
      }
      case "LeakyRelu": {
        const alpha = float(node.attrs.get("alpha")) ?? 0.01;
        push(`leakyrelu ${numberText(alpha)}`);
        return out;
      }
      case "Elu": {
        const alpha = float(node.attrs.get("alpha")) ?? 1;
        push(alpha === 1 ? "elu" : `elu ${numberText(alpha)}`);
        return out;
      }
      case "Clip": {
        const lo = node.inputs[1] ? this.floats(this.constant(node, 1, "min"))[0] : float(node.attrs.get("min"));
        const hi = node.inputs[2] ? this.floats(this.constant(node, 2, "max"))[0] : float(node.attrs.get("max"));
        if (lo === 0 && hi === 6) push("relu6");
        else if (lo === 0 && hi === undefined) push("relu");
        else this.unsupported(node, `clipping to [${lo}, ${hi}]; the language has relu (0, ∞) and relu6 (0, 6)`);
        return out;
      }
      case "Softmax": {
        const axis = int(node.attrs.get("axis")) ?? -1;
        const rank = this.shapes.get(node.inputs[0])?.length ?? 2;
        if (!(axis === 1 || (axis === -1 && rank === 2))) this.unsupported(node, `softmax over axis ${axis}; the language's is over the channels`);
        push("softmax");
        return out;
      }
      case "MaxPool":
      case "AveragePool": {
        const kernel = ints(node.attrs.get("kernel_shape")) ?? [];
        if (kernel.length !== 2) this.unsupported(node, `a ${kernel.length}-D window`);
        const ceil = (int(node.attrs.get("ceil_mode")) ?? 0) === 1;
        if (node.opType === "AveragePool") {
          const pads = ints(node.attrs.get("pads")) ?? [0, 0, 0, 0];
          if (pads.some((p) => p) && (int(node.attrs.get("count_include_pad")) ?? 0) !== 1) this.unsupported(node, "count_include_pad 0 with padding: the language's avgpool counts the padding, as PyTorch's default");
        }
        const strides = ints(node.attrs.get("strides")) ?? [1, 1];
        let options = this.windowOptions(node, kernel);
        // a pool's stride defaults to its size in the language, to 1 in ONNX
        if (strides[0] === 1 && strides[1] === 1) options = ` stride 1${options}`;
        push(`${node.opType === "MaxPool" ? "maxpool" : "avgpool"} ${dimText(kernel[1], kernel[0])}${options}${ceil ? ROUND_CEIL : ROUND_FLOOR}`);
        return out;
      }
      case "GlobalAveragePool":
        push("gap");
        return this.skipFlatten(out);
      case "GlobalMaxPool":
        push("gmp");
        return this.skipFlatten(out);
      case "Flatten": {
        const axis = int(node.attrs.get("axis")) ?? 1;
        if (axis !== 1) this.unsupported(node, `flatten from axis ${axis}; the language flattens all but the batch`);
        push("flatten");
        return out;
      }
      case "Reshape": {
        const shape = this.constant(node, 1, "shape");
        const dims = Array.from(shape.data, Number);
        if (!(dims.length === 2 && (dims[0] === 1 || dims[0] === -1 || dims[0] === 0) && (dims[1] === -1 || dims[1] > 0))) this.unsupported(node, `reshape to [${dims.join(", ")}]: only flattening (to [N, -1]) can be written`);
        push("flatten");
        return out;
      }
      case "LRN": {
        const size = int(node.attrs.get("size"))!;
        const alpha = float(node.attrs.get("alpha")) ?? 1e-4;
        const beta = float(node.attrs.get("beta")) ?? 0.75;
        const bias = float(node.attrs.get("bias")) ?? 1;
        if (Math.abs(alpha - 1e-4) > 1e-9 || Math.abs(beta - 0.75) > 1e-9 || bias !== 1) this.unsupported(node, `alpha ${alpha}, beta ${beta}, bias ${bias}: the language's lrn is PyTorch's defaults (1e-4, 0.75, 1)`);
        push(`lrn ${size}`);
        return out;
      }
      case "Dropout":
      case "Identity":
        // the identity when running: nothing to write
        return out;
      default:
        this.unsupported(node, "the language has no layer for this operator");
    }
  }

  /** gap → Flatten/Reshape to a vector: the language's gap gives 1×1×D, which fc flattens itself */
  private skipFlatten(value: string): string {
    return value;
  }
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** The design and its weights for an ONNX model's bytes; throws ImportError. */
export function importOnnx(bytes: Uint8Array, networkName: string): ImportedModel {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ImportError(`not an ONNX model: ${(e as Error).message}`);
  }
  const imported = new Importer(model).run(networkName);
  // `floor`/`ceil` only where the stride does not fit: the design is analyzed once without them
  // (again after each change: a `ceil` moves the sizes below it)
  const misfit = new Set<number>();
  const written = () =>
    imported.text
      .split("\n")
      .map((line, i) => line.replace(/\u0001(floor|ceil)/g, (_, word) => (misfit.has(i) ? ` ${word}` : "")))
      .join("\n");
  let text = written();
  for (let round = 0; round < 1000; round++) {
    const lines = new LineIndex(text);
    const found = analyze(text, `${imported.network}.cnn`).diagnostics.filter((d) => d.code === "stride-misfit").map((d) => lines.lineOf(d.start)).filter((l) => !misfit.has(l));
    if (!found.length) break;
    // the first one only: what it rounds decides the sizes of the lines below
    misfit.add(Math.min(...found));
    text = written();
  }
  const errors = analyze(text, `${imported.network}.cnn`).diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new ImportError(`the design made of this model does not check: ${errors[0].message}`);
  return { ...imported, text };
}
