// An ONNX model as a .cnn design and its weights (`cnn import`, spec §7). The graph is
// walked from its input: a chain of nodes becomes one statement per layer; a value read
// by several nodes that meet again in an Add becomes `residual { … } shortcut { … }`
// (or `add { branch … }`), in a Concat `concat { branch … }` — nested as the graph nests.
// Labels come from the node names (torch's `/layer1/layer1.0/conv1/Conv` → `layer1.0.conv1`),
// and the weights are written under those labels, as engine/weights-match.ts reads them.
// An operator or attribute the language cannot express is an ImportError naming the
// node and the operator; then nothing is written.
//
// Repeated subgraphs are then written as blocks where that keeps the design exact
// (import-blocks.ts). Linear layers between a Transpose pair (ConvNeXt's block) are 1×1 convs.

import { onnx } from "onnx-proto";
import { analyze } from "../../analysis";
import { keywordWords, LineIndex, parse } from "../../grammar";
import type { Statement } from "../../grammar/ast";
import { boundedMessage, oneLine, printable } from "../../grammar/printable";
import { countWire } from "./wire";
import { writeSafetensors, type NamedTensor } from "../safetensors";
import { TRAINED_NETWORK_KEY } from "../train/weights-location";
import { IMPORTED_FROM_KEY, readWeightsFile } from "../weights-file";
import { initWeights } from "../init";
import type { NetworkResult } from "../../analysis";
import { withBlocks } from "./import-blocks";

export class ImportError extends Error {
  override name = "ImportError";
  constructor(message: string) {
    // names and shapes come from the model: one line each, none huge, nothing invisible
    super(boundedMessage(oneLine(message)));
  }
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
  /** the layer statements of `text` (layerStatements) */
  layers: number;
  /** what people should know about the design (an exporter's folding), one sentence each */
  notes: string[];
}

/** at most this many values in one tensor of a model (2^31: a typed array's reach, and 8 GB of float32) */
const MAX_TENSOR_VALUES = 2 ** 31 - 1;

function tensorOf(t: onnx.ITensorProto): Constant {
  const name = printable(t.name ?? "", 60);
  const dims = (t.dims ?? []).map(Number);
  const dimsText = () => `[${dims.slice(0, 8).join(", ")}${dims.length > 8 ? `, … (${dims.length} dims)` : ""}]`;
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ImportError(`tensor ${name}: its dims ${dimsText()} are not sizes`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_TENSOR_VALUES) throw new ImportError(`tensor ${name}: its dims ${dimsText()} make ${count} values, more than a tensor can hold (${MAX_TENSOR_VALUES})`);
  const T = onnx.TensorProto.DataType;
  const raw = t.rawData && t.rawData.length ? t.rawData : null;
  // the data must be exactly what the dims say: fewer values would be read as zeros, more would be dropped
  const exactly = (have: number, size: number, what: string) => {
    if (have !== count * size) throw new ImportError(`tensor ${name}: its dims ${dimsText()} need ${count} values${size === 1 ? "" : ` (${count * size} bytes)`}, its ${what} has ${have}`);
  };
  if (t.dataType === T.FLOAT) {
    if (raw) {
      exactly(raw.length, 4, "raw data");
      const copy = new Uint8Array(raw);
      return { dims, data: new Float32Array(copy.buffer, 0, count) };
    }
    exactly(t.floatData?.length ?? 0, 1, "float data");
    return { dims, data: Float32Array.from(t.floatData ?? []) };
  }
  if (t.dataType === T.INT64) {
    if (raw) {
      exactly(raw.length, 8, "raw data");
      return { dims, data: new BigInt64Array(new Uint8Array(raw).buffer, 0, count) };
    }
    exactly(t.int64Data?.length ?? 0, 1, "int64 data");
    return { dims, data: BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(v.toString()))) };
  }
  if (t.dataType === T.INT32 && !raw) {
    exactly(t.int32Data?.length ?? 0, 1, "int32 data");
    return { dims, data: BigInt64Array.from((t.int32Data ?? []).map((v) => BigInt(v))) };
  }
  throw new ImportError(`tensor ${name}: data type ${t.dataType} is not read (float32 and int64 are)`);
}

/** an int64 as protobufjs gives it (a number, or a Long past 2^53) */
const toNumber = (v: number | { toNumber(): number }): number => (typeof v === "number" ? v : v.toNumber());
const ints = (a: onnx.IAttributeProto | undefined): number[] | undefined => (a ? (a.ints ?? []).map(toNumber) : undefined);
const int = (a: onnx.IAttributeProto | undefined): number | undefined => (a && a.i !== undefined && a.i !== null ? toNumber(a.i) : undefined);
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

/**
 * The graph's nodes with calls of the model's local functions replaced by the functions'
 * nodes (the dynamo exporter writes a module as a function): their values renamed under
 * the call's name, inputs and outputs bound to the call's.
 */
function inlineFunctions(model: onnx.IModelProto): onnx.INodeProto[] {
  const functions = new Map((model.functions ?? []).map((f) => [`${f.domain ?? ""}\u0000${f.name ?? ""}`, f]));
  const out: onnx.INodeProto[] = [];
  const expand = (n: onnx.INodeProto, depth: number) => {
    const f = functions.get(`${n.domain ?? ""}\u0000${n.opType ?? ""}`);
    if (!f) return void out.push(n);
    if (depth > 64) throw new ImportError(`node ${n.name} (${n.opType}): functions nested more than 64 deep`);
    if ((f.attribute?.length ?? 0) > 0) throw new ImportError(`node ${n.name} (${n.opType}): a function with attributes is not read`);
    const prefix = n.name || `${n.opType}_${out.length}`;
    const bound = new Map<string, string>();
    (f.input ?? []).forEach((v, i) => bound.set(v, n.input?.[i] ?? ""));
    (f.output ?? []).forEach((v, i) => bound.set(v, n.output?.[i] ?? `${prefix}/${v}`));
    const rename = (v: string) => (v === "" ? "" : (bound.get(v) ?? `${prefix}/${v}`));
    for (const inner of f.node ?? []) {
      expand({ ...inner, name: `${prefix}/${inner.name ?? inner.opType}`, input: (inner.input ?? []).map(rename), output: (inner.output ?? []).map(rename) }, depth + 1);
    }
  };
  for (const n of model.graph?.node ?? []) expand(n, 0);
  return out;
}

/** `layer1.0.conv1.weight` → `layer1.0.conv1`; an exporter's own name (`onnx::Conv_193`) → null */
export function labelFromTensorName(name: string): string | null {
  const m = /^([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\.(weight|scale)$/.exec(name);
  return m ? m[1] : null;
}

/** where a rounding word goes if the stride does not fit (settled by analyzing the text: importOnnx) */
const ROUND_FLOOR = "\u0001floor";
const ROUND_CEIL = "\u0001ceil";

const dimText = (w: number, h: number) => (w === h ? `${w}` : `${w}x${h}`);
const numberText = (v: number) => {
  const n = Number(Math.fround(v).toPrecision(7));
  return n !== 0 && Math.abs(n) < 1e-3 ? n.toExponential() : String(n);
};

/** a binary min-heap of integers (the path searches' nodes by rank) */
class MinHeap {
  private items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    let i = a.push(v) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (a[up] <= v) break;
      a[i] = a[up];
      i = up;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= a.length) break;
        if (c + 1 < a.length && a[c + 1] < a[c]) c++;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

class Importer {
  private constants = new Map<string, Constant>();
  private nodes: Node[] = [];
  private producer = new Map<string, Node>();
  /** each node's place in a topological order (sortTopologically) */
  private rank = new Map<Node, number>();
  private consumers = new Map<string, Node[]>();
  private shapes = new Map<string, number[]>();
  private lines: string[] = [];
  private tensors: NamedTensor[] = [];
  private labels = new Set<string>();
  /** convs whose weights and bias the exporter computed (a BatchNorm folded in) */
  private folded: string[] = [];
  private bnWordSeen: string | undefined;
  private inputName = "";
  private outputName = "";
  /** the value the graph's output stands for, when its last node is an alias (an Identity) */
  private outputAlias: string | undefined;

  constructor(private readonly model: onnx.ModelProto) {}

  run(networkName: string): ImportedModel {
    const graph = this.model.graph;
    if (!graph) throw new ImportError("the model has no graph");
    for (const t of graph.initializer ?? []) this.constants.set(t.name ?? "", tensorOf(t));
    for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
      const dims = v.type?.tensorType?.shape?.dim?.map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : 1));
      if (v.name && dims) this.shapes.set(v.name, dims);
    }
    // a value that stands for another (a one-input Concat, an Identity of a computed value)
    const alias = new Map<string, string>();
    const named = (v: string) => alias.get(v) ?? v;
    // the Concats seen so far by their inputs, to write DenseNet's growing concatenations as a chain
    const concats = new Map<string, string>();
    inlineFunctions(this.model).forEach((n, index) => {
      const node: Node = { index, opType: n.opType ?? "", name: n.name || `${n.opType}_${index}`, inputs: (n.input ?? []).map(named), outputs: n.output ?? [], attrs: new Map((n.attribute ?? []).map((a) => [a.name ?? "", a])) };
      if ((node.opType === "Concat" && node.inputs.length === 1) || (node.opType === "Identity" && !this.constants.has(node.inputs[0]))) {
        alias.set(node.outputs[0], node.inputs[0]);
        if (node.outputs[0] === graph.output?.[0]?.name) this.outputAlias = node.inputs[0];
        return;
      }
      if (node.opType === "Split") {
        // torch's chunk/split along the channels: one Slice per output (ShuffleNet's halves)
        const axis = int(node.attrs.get("axis")) ?? 0;
        const sizes = node.inputs[1] ? this.constants.get(node.inputs[1]) : undefined;
        const split = sizes ? Array.from(sizes.data, Number) : ints(node.attrs.get("split"));
        if (axis !== 1 && axis !== -3) throw new ImportError(`node ${node.name} (Split): a split along axis ${axis}; \`slice\` takes channels (axis 1)`);
        if (!split || split.length !== node.outputs.length) throw new ImportError(`node ${node.name} (Split): a split without its sizes`);
        let start = 0;
        node.outputs.forEach((o, k) => {
          const names = ["starts", "ends", "axes"].map((w) => `${node.name}/${w}_${k}`);
          [start, start + split[k], 1].forEach((v, j) => this.constants.set(names[j], { dims: [1], data: BigInt64Array.of(BigInt(v)) }));
          const slice: Node = { index, opType: "Slice", name: `${node.name}_${k}`, inputs: [node.inputs[0], ...names], outputs: [o], attrs: new Map() };
          this.nodes.push(slice);
          this.producer.set(o, slice);
          let list = this.consumers.get(node.inputs[0]);
          if (!list) this.consumers.set(node.inputs[0], (list = []));
          list.push(slice);
          start += split[k];
        });
        return;
      }
      if (node.opType === "Concat") {
        // torch.cat([x0, f1, …, fk]) after torch.cat([x0, f1, …, fk-1]) (DenseNet's layers each
        // concatenate all before them): the same as concatenating the earlier result and fk
        const axis = String(int(node.attrs.get("axis")));
        for (let j = node.inputs.length - 1; j >= 2; j--) {
          const earlier = concats.get(axis + "\u0000" + node.inputs.slice(0, j).join("\u0000"));
          if (earlier) {
            node.inputs = [earlier, ...node.inputs.slice(j)];
            break;
          }
        }
        concats.set(axis + "\u0000" + (n.input ?? []).map(named).join("\u0000"), node.outputs[0]);
      }
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
      for (const o of node.outputs) {
        if (o === "") continue; // an optional output not asked for
        const other = this.producer.get(o);
        if (other) throw new ImportError(`node ${node.name} (${node.opType}) writes ${o}, which node ${other.name} (${other.opType}) writes too: an ONNX graph writes each value once`);
        this.producer.set(o, node);
      }
      for (const i of node.inputs) {
        if (this.constants.has(i) || i === "") continue;
        let list = this.consumers.get(i);
        if (!list) this.consumers.set(i, (list = []));
        list.push(node);
      }
    });
    this.sortTopologically();
    const inputs = (graph.input ?? []).filter((v) => v.name && !this.constants.has(v.name));
    if (inputs.length !== 1) throw new ImportError(`the model has ${inputs.length} inputs; a design has one`);
    this.inputName = inputs[0].name!;
    const outs = graph.output ?? [];
    if (outs.length !== 1) throw new ImportError(`the model has ${outs.length} outputs; a design has one`);
    this.outputName = this.outputAlias ?? outs[0].name!;
    this.inferShapes();
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
    const notes: string[] = [];
    if (this.folded.length) {
      const some = this.folded.slice(0, 3).join(", ") + (this.folded.length > 3 ? `, … (${this.folded.length} in all)` : "");
      notes.push(
        `${this.folded.length === 1 ? "a conv" : `${this.folded.length} convs`} (${some}) carry weights and a bias the exporter computed (onnx::… tensors) and no bn after them: ` +
          `the exporter folded each BatchNorm into the conv before it (torch.onnx.export does in eval mode). Each is written back as the conv without a bias and a bn after it ` +
          `(scale 1, mean 0, variance 1 − 1e-5, the folded bias): the outputs are the model's and the params torch's, if the conv had no bias of its own (as torchvision's convs before a bn); ` +
          `the bn's own statistics are in the conv's weights, and its eps is not in the file (1e-5 is written; torchvision's Inception and GoogLeNet use bn eps 0.001: say so before loading their state_dict). To import the bns as they were, export with training=torch.onnx.TrainingMode.PRESERVE and do_constant_folding=False.`,
      );
    }
    const header = [`# imported from ONNX (${this.model.producerName || "unknown producer"}${this.model.producerVersion ? ` ${this.model.producerVersion}` : ""}); weights beside it as .safetensors`];
    if (this.folded.length) header.push(`# its BatchNorms were folded into the convs before them by the exporter: written back as bns of identity statistics that add the folded bias`);
    const text = [...header, `network ${name} {`, `  ${inputLine}`, ...this.lines, "}", ""].join("\n");
    return { text, tensors: this.tensors, network: name, layers: layerStatements(text), notes };
  }

  /**
   * The shapes of the values the graph does not state (torch's exporter states none but
   * the input's and output's), from the input's, for the operators read here.
   */
  private inferShapes(): void {
    const sh = (v: string) => this.shapes.get(v) ?? (this.constants.has(v) ? this.constants.get(v)!.dims : undefined);
    const window = (n: Node, x: number[], kernel: number[], outC: number, transposed = false): number[] | undefined => {
      const strides = ints(n.attrs.get("strides")) ?? [1, 1];
      const dil = ints(n.attrs.get("dilations")) ?? [1, 1];
      const pads = ints(n.attrs.get("pads")) ?? [0, 0, 0, 0];
      const autoPad = str(n.attrs.get("auto_pad")) ?? "NOTSET";
      const ceil = (int(n.attrs.get("ceil_mode")) ?? 0) === 1;
      const out = [x[0], outC];
      for (let ax = 0; ax < 2; ax++) {
        const size = x[2 + ax];
        const f = (kernel[ax] - 1) * dil[ax] + 1;
        if (transposed) {
          const op = (ints(n.attrs.get("output_padding")) ?? [0, 0])[ax];
          out.push(strides[ax] * (size - 1) + op + f - pads[ax] - pads[ax + 2]);
        } else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") out.push(Math.ceil(size / strides[ax]));
        else if (autoPad === "VALID") out.push(Math.floor((size - f) / strides[ax]) + 1);
        else {
          const span = size + pads[ax] + pads[ax + 2] - f;
          let o = (ceil ? Math.ceil(span / strides[ax]) : Math.floor(span / strides[ax])) + 1;
          // ceil mode: a window that would start in the right padding is dropped
          if (ceil && (o - 1) * strides[ax] >= size + pads[ax]) o--;
          out.push(o);
        }
      }
      return out;
    };
    for (const n of this.nodes) {
      if (n.outputs.every((o) => this.shapes.has(o))) continue;
      const x = sh(n.inputs[0]);
      if (!x) continue;
      let y: number[] | undefined;
      switch (n.opType) {
        case "Conv":
        case "ConvTranspose": {
          const w = sh(n.inputs[1]);
          if (!w || w.length !== 4 || x.length !== 4) break;
          const group = int(n.attrs.get("group")) ?? 1;
          y = window(n, x, [w[2], w[3]], n.opType === "Conv" ? w[0] : w[1] * group, n.opType === "ConvTranspose");
          break;
        }
        case "MaxPool":
        case "AveragePool": {
          const k = ints(n.attrs.get("kernel_shape"));
          if (k && k.length === 2 && x.length === 4) y = window(n, x, k, x[1]);
          break;
        }
        case "GlobalAveragePool":
        case "GlobalMaxPool":
          y = [x[0], x[1], 1, 1];
          break;
        case "ReduceMean":
        case "ReduceMax": {
          const axes = (n.inputs[1] ? Array.from(this.constants.get(n.inputs[1])?.data ?? [], Number) : ints(n.attrs.get("axes")) ?? []).map((a) => (a < 0 ? a + x.length : a));
          const keep = (int(n.attrs.get("keepdims")) ?? 1) === 1;
          y = keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
          break;
        }
        case "Flatten": {
          const axis = int(n.attrs.get("axis")) ?? 1;
          y = [x.slice(0, axis).reduce((a, b) => a * b, 1), x.slice(axis).reduce((a, b) => a * b, 1)];
          break;
        }
        case "Reshape": {
          const target = this.constants.get(n.inputs[1]);
          if (!target) break;
          const dims = Array.from(target.data, Number).map((d, i) => (d === 0 ? x[i] : d));
          const total = x.reduce((a, b) => a * b, 1);
          const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
          y = dims.map((d) => (d === -1 ? total / known : d));
          break;
        }
        case "Gemm": {
          const w = sh(n.inputs[1]);
          if (w) y = [x[0], (int(n.attrs.get("transB")) ?? 0) ? w[0] : w[1]];
          break;
        }
        case "MatMul": {
          const w = sh(n.inputs[1]);
          if (w && w.length === 2) y = [...x.slice(0, -1), w[1]];
          break;
        }
        case "Concat": {
          const all = n.inputs.map(sh);
          if (all.some((d) => !d)) break;
          const axis = (int(n.attrs.get("axis")) ?? 1) + ((int(n.attrs.get("axis")) ?? 1) < 0 ? x.length : 0);
          y = x.map((d, i) => (i === axis ? all.reduce((a, b) => a + b![i], 0) : d));
          break;
        }
        case "Add":
        case "Sum":
        case "Mul":
        case "Sub":
        case "Pow":
        case "Div": {
          const all = n.inputs.map(sh);
          if (all.some((d) => !d)) break;
          const rank = Math.max(...all.map((d) => d!.length));
          y = Array.from({ length: rank }, (_, i) => Math.max(...all.map((d) => d![d!.length - rank + i] ?? 1)));
          break;
        }
        case "Pad": {
          const pads = n.inputs[1] ? Array.from(this.constants.get(n.inputs[1])?.data ?? [], Number) : ints(n.attrs.get("pads")) ?? [];
          if (pads.length === 2 * x.length) y = x.map((d, i) => d + pads[i] + pads[i + x.length]);
          break;
        }
        case "Upsample":
        case "Resize": {
          const sizes = n.opType === "Resize" && n.inputs[3] ? this.constants.get(n.inputs[3]) : undefined;
          const scalesName = n.opType === "Upsample" || n.inputs.length === 2 ? n.inputs[1] : n.inputs[2];
          const scales = scalesName ? this.constants.get(scalesName) : undefined;
          if (sizes?.data.length) y = Array.from(sizes.data, Number);
          else if (scales?.data.length) y = x.map((d, i) => Math.floor(d * Number(scales.data[i])));
          else {
            const attr = n.attrs.get("scales")?.floats;
            if (attr?.length) y = x.map((d, i) => Math.floor(d * attr[i]));
          }
          break;
        }
        case "Slice": {
          const read = (i: number, attr: string) => (n.inputs[i] ? (this.constants.has(n.inputs[i]) ? Array.from(this.constants.get(n.inputs[i])!.data, Number) : undefined) : ints(n.attrs.get(attr)));
          const starts = read(1, "starts");
          const ends = read(2, "ends");
          if (!starts || !ends) break;
          const axes = read(3, "axes") ?? starts.map((_, i) => i);
          y = [...x];
          axes.forEach((a, i) => {
            const ax = a < 0 ? a + x.length : a;
            const at = (v: number) => Math.min(Math.max(v < 0 ? v + x[ax] : v, 0), x[ax]);
            y![ax] = Math.max(at(ends[i]) - at(starts[i]), 0);
          });
          break;
        }
        case "Transpose": {
          const perm = ints(n.attrs.get("perm")) ?? x.map((_, i) => x.length - 1 - i);
          y = perm.map((p) => x[p]);
          break;
        }
        case "Sqrt":
        case "Relu": case "Clip": case "LeakyRelu": case "Elu": case "Sigmoid": case "Tanh": case "HardSigmoid": case "HardSwish":
        case "Softmax": case "BatchNormalization": case "LRN": case "Dropout": case "Identity": case "Gelu": case "Erf": case "LayerNormalization":
          y = x;
          break;
      }
      if (y && y.every((d) => Number.isFinite(d) && d >= 0)) this.shapes.set(n.outputs[0], y);
    }
  }

  /**
   * Each node's place in a topological order (`rank`): the file's order where it is one
   * (ONNX requires it; onnxruntime sorts a file that is not), else the first order that
   * is. The path searches below stop at a rank, so that each explores only the nodes
   * between a fork and its merge and a chain of n forks costs O(n), not O(n²). A graph
   * with a cycle has no such order and no network: it is refused, naming a node on it.
   */
  private sortTopologically(): void {
    const position = new Map(this.nodes.map((n, i) => [n, i]));
    const waiting = new Map<Node, number>();
    for (const n of this.nodes) waiting.set(n, n.inputs.filter((i) => this.producer.has(i) && !this.constants.has(i)).length);
    const ready = new MinHeap();
    for (const n of this.nodes) if (waiting.get(n) === 0) ready.push(position.get(n)!);
    while (ready.size) {
      const n = this.nodes[ready.pop()];
      this.rank.set(n, this.rank.size);
      for (const o of n.outputs) {
        for (const r of this.readers(o)) {
          const left = waiting.get(r)! - 1;
          waiting.set(r, left);
          if (left === 0) ready.push(position.get(r)!);
        }
      }
    }
    if (this.rank.size === this.nodes.length) return;
    const stuck = this.nodes.find((n) => !this.rank.has(n))!;
    throw new ImportError(`node ${stuck.name} (${stuck.opType}) is on a cycle or reads from one (its inputs ${stuck.inputs.join(", ")} depend on its own output): a network's graph has none`);
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
        if (this.isMerge(n)) {
          // a merge whose inputs come from before the fork: not this chain's
          return value;
        }
        value = this.layer(n, indent);
        continue;
      }
      value = this.fork(value, readers, indent);
    }
  }

  /** the scalar constant among a node's inputs (and the other input), or null */
  private scalarOperand(n: Node): { value: number; other: string } | null {
    if (n.inputs.length !== 2) return null;
    const k = n.inputs.findIndex((i) => this.constants.has(i));
    const c = k >= 0 ? this.constants.get(n.inputs[k])! : undefined;
    if (!c || c.data.length !== 1) return null;
    return { value: Number(c.data[0]), other: n.inputs[1 - k] };
  }

  /**
   * Activations an exporter writes as a small graph on one value: SiLU = x·sigmoid(x),
   * hardswish = x·hardsigmoid(x) (opset < 14), GELU = x·½(1 + erf(x/√2)) (torch's and
   * `cnn export`'s orders). Returns the statement and the value it ends at, or null.
   */
  private fusedActivation(value: string, readers: Node[]): { text: string; end: string } | null {
    const only = (n: Node | undefined) => (n ? this.readers(n.outputs[0]) : []);
    const single = (n: Node | undefined) => { const r = only(n); return r.length === 1 ? r[0] : undefined; };
    const isScalar = (n: Node | undefined, op: string, v: number, other: string) => {
      const s = n && n.opType === op ? this.scalarOperand(n) : null;
      return !!s && Math.abs(s.value - v) < 1e-6 * Math.max(1, Math.abs(v)) && s.other === other;
    };
    if (readers.length !== 2) return null;
    const byOp = (op: string) => readers.find((r) => r.opType === op);
    // x · sigmoid(x), x · hardsigmoid(x)
    for (const [op, text] of [["Sigmoid", "silu"], ["HardSigmoid", "hardswish"]] as const) {
      const gate = byOp(op);
      const mul = readers.find((r) => r !== gate && r.opType === "Mul");
      if (gate && mul && single(gate) === mul && mul.inputs.includes(value) && mul.inputs.includes(gate.outputs[0])) {
        if (op === "HardSigmoid" && Math.abs((float(gate.attrs.get("alpha")) ?? 0.2) - 1 / 6) > 1e-6) return null;
        return { text, end: mul.outputs[0] };
      }
    }
    // GELU: Div(x, √2) → Erf → Add 1, times x, times ½ (in either order)
    const div = byOp("Div");
    if (div && isScalar(div, "Div", Math.SQRT2, value)) {
      const erf = single(div);
      const plus = erf?.opType === "Erf" ? single(erf) : undefined;
      if (!plus || !isScalar(plus, "Add", 1, erf!.outputs[0])) return null;
      const other = readers.find((r) => r !== div)!;
      const last = single(plus);
      if (!last || last.opType !== "Mul") return null;
      // cnn export: half = x·½; out = half·(1 + erf)
      if (isScalar(other, "Mul", 0.5, value) && last.inputs.includes(other.outputs[0]) && last.inputs.includes(plus.outputs[0])) return { text: "gelu", end: last.outputs[0] };
      // torch: (x·(1 + erf))·½
      if (other === last && last.inputs.includes(value)) {
        const half = single(last);
        if (half && isScalar(half, "Mul", 0.5, last.outputs[0])) return { text: "gelu", end: half.outputs[0] };
      }
    }
    return null;
  }

  /**
   * torch's layer norm as exporters before opset 17 write it, over one axis of `value`:
   * ReduceMean → Sub → Pow 2 → ReduceMean → Add eps → Sqrt → Div, then (optionally) Mul by
   * the weight and Add of the bias (either operand order). Returns the statement's parts and
   * the value it ends at, or null when the nodes are anything else.
   */
  private decomposedLayerNorm(value: string, readers: Node[]): { axis: number; eps: number; weight: Float32Array | null; bias: Float32Array | null; label: string; end: string } | null {
    if (readers.length !== 2) return null;
    const rank = this.shapes.get(value)?.length;
    if (rank === undefined) return null;
    const axesOf = (n: Node): number[] | null => {
      const list = n.inputs[1] ? (this.constants.has(n.inputs[1]) ? Array.from(this.constants.get(n.inputs[1])!.data, Number) : null) : ints(n.attrs.get("axes")) ?? null;
      if (!list || (int(n.attrs.get("keepdims")) ?? 1) !== 1) return null;
      return list.map((a) => (a < 0 ? a + rank : a));
    };
    const single = (v: string) => { const r = this.readers(v); return r.length === 1 ? r[0] : undefined; };
    const other = (n: Node, v: string) => (n.inputs.length === 2 && n.inputs.includes(v) ? n.inputs[n.inputs[0] === v ? 1 : 0] : undefined);
    const scalar = (name: string | undefined) => { const c = name !== undefined ? this.constants.get(name) : undefined; return c && c.data.length === 1 ? Number(c.data[0]) : undefined; };
    const mean = readers.find((r) => r.opType === "ReduceMean");
    const sub = readers.find((r) => r.opType === "Sub");
    if (!mean || !sub || sub.inputs[0] !== value || sub.inputs[1] !== mean.outputs[0]) return null;
    const axes = axesOf(mean);
    if (!axes || axes.length !== 1) return null;
    const d = sub.outputs[0];
    const dReaders = this.readers(d);
    const pow = dReaders.find((r) => r.opType === "Pow");
    const div = dReaders.find((r) => r.opType === "Div");
    if (dReaders.length !== 2 || !pow || !div || pow.inputs[0] !== d || scalar(pow.inputs[1]) !== 2 || div.inputs[0] !== d) return null;
    const varMean = single(pow.outputs[0]);
    if (varMean?.opType !== "ReduceMean" || axesOf(varMean)?.join() !== axes.join()) return null;
    const add = single(varMean.outputs[0]);
    const eps = add?.opType === "Add" ? scalar(other(add, varMean.outputs[0])) : undefined;
    const sqrt = add && single(add.outputs[0]);
    if (eps === undefined || !(eps > 0) || sqrt?.opType !== "Sqrt" || single(sqrt.outputs[0]) !== div || div.inputs[1] !== sqrt.outputs[0]) return null;
    const channels = this.shapes.get(value)![axes[0]];
    // the affine part: a constant of the axis's size (C, or C×1×1 over the channels of a volume)
    const affine = (n: Node | undefined, op: string, v: string): { data: Float32Array; node: Node; name: string } | null => {
      const name = n && n.opType === op ? other(n, v) : undefined;
      const c = name !== undefined ? this.constants.get(name) : undefined;
      // (broadcasting aligns the trailing dimensions: its one non-1 dimension must fall on the axis)
      if (!c || c.data.length !== channels || c.dims.length < rank - axes[0] || (channels > 1 && c.dims.findIndex((x) => x !== 1) !== c.dims.length - (rank - axes[0]))) return null;
      return { data: this.floats(c), node: n!, name: name! };
    };
    let end = div.outputs[0];
    const mul = affine(single(end), "Mul", end);
    if (mul) end = mul.node.outputs[0];
    const plus = mul ? affine(single(end), "Add", end) : null;
    if (plus) end = plus.node.outputs[0];
    const named = mul ?? plus;
    const label = named ? this.labelOf(named.node, named.name) : this.label(mean);
    return { axis: axes[0], eps, weight: mul?.data ?? null, bias: plus?.data ?? null, label, end };
  }

  /** writes a decomposed layer norm's statement and its weights (weight 1, bias 0 where the graph has none) */
  private writeLayerNorm(ln: { eps: number; weight: Float32Array | null; bias: Float32Array | null; label: string }, channels: number, indent: string): void {
    this.lines.push(`${indent}${ln.label}: layernorm${Math.abs(ln.eps - 1e-5) > 1e-12 ? ` eps ${numberText(ln.eps)}` : ""}`);
    this.weights(ln.label, [["weight", [channels], ln.weight ?? new Float32Array(channels).fill(1)], ["bias", [channels], ln.bias ?? new Float32Array(channels)]]);
  }

  /** A value read by several nodes: the paths until they meet in one merge node. */
  private fork(value: string, readers: Node[], indent: string): string {
    const ln = this.decomposedLayerNorm(value, readers);
    const shape = this.shapes.get(value);
    if (ln && shape && ((shape.length === 4 && ln.axis === 1) || (shape.length === 2 && ln.axis === 1))) {
      this.writeLayerNorm(ln, shape[1], indent);
      return ln.end;
    }
    const fused = this.fusedActivation(value, readers);
    if (fused) {
      this.lines.push(`${indent}${fused.text}`);
      return fused.end;
    }
    const join = this.meeting(readers);
    const alone = readers.every((r) => r === readers[0]);
    if (!join && alone) this.unsupported(readers[0], `the language has no layer for this operator of a value with itself (it reads ${value} ${readers.length === 2 ? "twice" : `${readers.length} times`})`);
    if (!join) throw new ImportError(`the paths from ${value} (read by ${readers.map((r) => `${r.name} (${r.opType})`).join(", ")}) do not meet again in one Add or Concat`);
    const inner = join.opType === "Concat" || join.opType === "Mul" || join.inputs.length > 2 ? indent + "    " : indent + "  ";
    const branches = this.branches(value, readers, join, join.inputs, inner);
    // (a merge is not labelled: its label would prefix the module paths of the layers inside)
    const prefix = "";
    if (join.opType === "Concat") {
      const axis = int(join.attrs.get("axis"));
      if (axis !== 1 && axis !== -3) throw new ImportError(`node ${join.name} (Concat): axis ${axis}; a concat stacks along depth (axis 1)`);
      this.lines.push(`${indent}${prefix}concat {`);
      for (const b of branches) this.lines.push(b.lines.length ? `${indent}  branch {\n${b.lines.join("\n")}\n${indent}  }` : `${indent}  branch { }`);
      this.lines.push(`${indent}}`);
    } else if (join.opType === "Mul") {
      // squeeze-and-excitation: x · sigmoid(…(gap x)): the full-size operand first
      if (join.inputs.length !== 2) this.unsupported(join, `a Mul of ${join.inputs.length} inputs`);
      this.lines.push(`${indent}mul {`);
      for (const b of branches) this.lines.push(b.lines.length ? `${indent}  branch {\n${b.lines.join("\n")}\n${indent}  }` : `${indent}  branch { }`);
      this.lines.push(`${indent}}`);
    } else if (branches.length === 2) {
      const [body, shortcut] = branches[0].lines.length ? [branches[0], branches[1]] : [branches[1], branches[0]];
      this.lines.push(`${indent}${prefix}residual {`, ...body.lines);
      if (shortcut.lines.length) this.lines.push(`${indent}} shortcut {`, ...shortcut.lines);
      this.lines.push(`${indent}}`);
    } else {
      this.lines.push(`${indent}${prefix}add {`);
      for (const b of branches) this.lines.push(b.lines.length ? `${indent}  branch {\n${b.lines.join("\n")}\n${indent}  }` : `${indent}  branch { }`);
      this.lines.push(`${indent}}`);
    }
    return join.outputs[0];
  }

  /**
   * The branches from `value` (read by `readers`) to the join's `inputs`, each written at
   * `indent`. Consecutive inputs of a Concat that come from one reader are one branch: torch's
   * exporter flattens a torch.cat of a torch.cat (Inception-v3's InceptionE:
   * cat([b1x1, cat([b3x3_2a, b3x3_2b]), …])) into one Concat, so that branch's common layers
   * are written and then a nested concat of the inputs where its paths part.
   */
  private branches(value: string, readers: Node[], join: Node, inputs: string[], indent: string): { ends: string; lines: string[] }[] {
    const isJoin = (n: Node) => n === join;
    const out: { ends: string; lines: string[] }[] = [];
    const starts = inputs.map((input) => {
      if (input === value) return null;
      const start = readers.find((r) => this.reaches(r, input));
      if (!start) throw new ImportError(`node ${join.name} (${join.opType}): its input ${input} does not come from ${value}`);
      return start;
    });
    for (let i = 0; i < inputs.length; ) {
      const start = starts[i];
      if (!start) {
        out.push({ ends: value, lines: [] });
        i++;
        continue;
      }
      let j = i + 1;
      if (join.opType === "Concat") while (j < inputs.length && starts[j] === start) j++;
      const group = inputs.slice(i, j);
      if (join.opType === "Concat" && starts.slice(j).includes(start)) throw new ImportError(`node ${join.name} (Concat): its inputs from ${start.name} are not side by side; a concat's branch gives one run of its channels`);
      const saved = this.lines;
      this.lines = [];
      // the branch starts at its first node; its own forks nest inside. Where several of
      // the readers lead to this input (`Add(x, x)` that then meets a path from x too), the
      // branch starts with their own fork.
      const from = group.length === 1 ? readers.filter((r) => this.reaches(r, group[0])) : [start];
      let v = from.length > 1 ? this.fork(value, from, indent) : this.layer(start, indent);
      if (group.length === 1) {
        v = this.chain(v, isJoin, indent);
        if (v !== group[0]) throw new ImportError(`node ${join.name} (${join.opType}): its input ${group[0]} is not reached by one line of layers from ${value} (stopped at ${v})`);
      } else {
        // the common layers, until the paths to the group's inputs part
        for (;;) {
          if (group.includes(v)) throw new ImportError(`node ${join.name} (Concat): its input ${v} is also read on the way to its other inputs`);
          const next = this.readers(v);
          if (next.length === 1 && !this.isMerge(next[0])) {
            v = this.layer(next[0], indent);
            continue;
          }
          if (next.length > 1 && this.meeting(next) !== join) {
            v = this.fork(v, next, indent);
            continue;
          }
          if (next.length < 2) throw new ImportError(`node ${join.name} (Concat): its inputs ${group.join(", ")} are not reached by one line of layers from ${value} (stopped at ${v})`);
          const parts = this.branches(v, next, join, group, indent + "    ");
          this.lines.push(`${indent}concat {`);
          for (const b of parts) this.lines.push(b.lines.length ? `${indent}  branch {\n${b.lines.join("\n")}\n${indent}  }` : `${indent}  branch { }`);
          this.lines.push(`${indent}}`);
          break;
        }
      }
      out.push({ ends: group[group.length - 1], lines: this.lines });
      this.lines = saved;
      i = j;
    }
    return out;
  }

  /** a node that joins paths: Add, Sum, Concat, or a Mul of two computed values (not one by a constant: layerscale) */
  private isMerge(n: Node): boolean {
    if (n.opType === "Add" || n.opType === "Concat" || n.opType === "Sum") return true;
    return n.opType === "Mul" && n.inputs.every((i) => !this.constants.has(i));
  }

  /** whether node n's output flows into value v (only nodes up to v's producer in rank are looked at) */
  private reaches(n: Node, v: string): boolean {
    const target = this.producer.get(v);
    if (!target) return false;
    const last = this.rank.get(target)!;
    const seen = new Set<Node>();
    const stack = [n];
    while (stack.length) {
      const x = stack.pop()!;
      if (seen.has(x) || this.rank.get(x)! > last) continue;
      seen.add(x);
      if (x.outputs.includes(v)) return true;
      for (const o of x.outputs) for (const r of this.readers(o)) stack.push(r);
    }
    return false;
  }

  /**
   * The first merge (in graph order) every path from value's readers reaches, which reads
   * them all: the nodes from the readers on, in rank order, each marked with the readers
   * it is reached from, until a merge is reached from all (so only the nodes before it are
   * looked at). A reader listed twice (`Add(x, x)`) is two readers.
   */
  private meeting(readers: Node[]): Node | null {
    const all = (1n << BigInt(readers.length)) - 1n;
    const from = new Map<Node, bigint>();
    const byRank: Node[] = [];
    const queue = new MinHeap();
    const reach = (n: Node, mask: bigint) => {
      const had = from.get(n);
      if (had === undefined) {
        const r = this.rank.get(n)!;
        byRank[r] = n;
        queue.push(r);
      }
      from.set(n, (had ?? 0n) | mask);
    };
    readers.forEach((r, k) => reach(r, 1n << BigInt(k)));
    while (queue.size) {
      const x = byRank[queue.pop()];
      const mask = from.get(x)!;
      if (mask === all && this.isMerge(x)) return x;
      for (const o of x.outputs) for (const r of this.readers(o)) reach(r, mask);
    }
    return null;
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
    // the weight's name is the state_dict's (`layer1.0.conv1.weight`) where the exporter kept
    // it (torch's TorchScript exporter without folding, the dynamo exporter); else the node's
    let base = labelFromTensorName(node.inputs[1] ?? "") ?? labelFromNodeName(node.name, node.opType) ?? `${node.opType.toLowerCase()}_${node.index}`;
    if (/^\d/.test(base) && !/^\d+(\.[A-Za-z0-9_]+)*$/.test(base)) base = `n${base}`;
    let label = base;
    for (let k = 2; this.labels.has(label); k++) label = `${base}_${k}`;
    this.labels.add(label);
    return label;
  }

  /**
   * What lies between a Transpose to channels last ([0, 2, 3, 1]) and the Transpose back
   * ([0, 3, 1, 2]), each node over the last axis — the channels: a layer norm (one node or
   * decomposed) is `layernorm`, a MatMul by a constant [C, C'] (and an Add of [C']) is a
   * Linear on every position — `conv C' 1` — and activations are themselves. Returns the
   * value after the Transpose back; anything else in the region names its node.
   */
  private channelsLast(start: Node, indent: string, push: (text: string) => void): string {
    const back = (n: Node) => n.opType === "Transpose" && (ints(n.attrs.get("perm")) ?? []).join() === "0,3,1,2";
    const elementwise = new Set(["Relu", "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "Gelu", "LeakyRelu", "Elu", "Clip", "Dropout", "Identity"]);
    let value = start.outputs[0];
    for (;;) {
      const readers = this.readers(value);
      const channels = this.shapes.get(value)?.[3];
      const decomposed = this.decomposedLayerNorm(value, readers);
      if (decomposed) {
        if (decomposed.axis !== 3 || channels === undefined) this.unsupported(start, `a layer norm over axis ${decomposed.axis} of a channels-last value; \`layernorm\` normalizes over the channels`);
        this.writeLayerNorm(decomposed, channels, indent);
        value = decomposed.end;
        continue;
      }
      const fused = this.fusedActivation(value, readers);
      if (fused) {
        push(fused.text);
        value = fused.end;
        continue;
      }
      if (readers.length !== 1 || value === this.outputName) this.unsupported(start, "a channels-last value read by more than one node, or the graph's output: only a chain of layers over the channels and a Transpose [0, 3, 1, 2] back are read");
      const n = readers[0];
      if (back(n)) return n.outputs[0];
      if (n.opType === "LayerNormalization") {
        const axis = int(n.attrs.get("axis")) ?? -1;
        if (axis !== -1 && axis !== 3) this.unsupported(n, `normalizing from axis ${axis} of a channels-last value; \`layernorm\` normalizes over the channels`);
        this.layerNorm(n, push);
        value = n.outputs[0];
      } else if (n.opType === "MatMul" && n.inputs[0] === value && this.constants.has(n.inputs[1])) {
        const w = this.constant(n, 1, "weight");
        if (w.dims.length !== 2 || w.dims[0] !== channels) this.unsupported(n, `a product by a constant of shape [${w.dims.join(", ")}] over ${channels ?? "?"} channels`);
        const [nIn, nOut] = w.dims;
        const label = this.label(n);
        const after = this.readers(n.outputs[0]);
        const add = after.length === 1 && after[0].opType === "Add" ? after[0] : null;
        const biasName = add?.inputs.find((i) => this.constants.has(i));
        const bias = biasName !== undefined ? this.floats(this.constants.get(biasName)!) : null;
        const withBias = bias !== null && bias.length === nOut;
        push(`${label}: conv ${nOut} 1${withBias ? "" : " nobias"}`);
        this.weights(label, [["weight", [nOut, nIn, 1, 1], transpose(this.floats(w), nIn, nOut)], ...(withBias ? [["bias", [nOut], bias] as [string, number[], Float32Array]] : [])]);
        value = withBias ? add!.outputs[0] : n.outputs[0];
      } else if (elementwise.has(n.opType)) {
        value = this.layer(n, indent);
      } else {
        this.unsupported(n, "inside channels last (Transpose [0, 2, 3, 1] … Transpose [0, 3, 1, 2]) the language reads layer norms, Linear layers (MatMul by a constant, as a 1×1 conv) and activations");
      }
    }
  }

  private layerNorm(node: Node, push: (text: string) => void): void {
    const eps = float(node.attrs.get("epsilon")) ?? 1e-5;
    const scale = this.floats(this.constant(node, 1, "scale"));
    const bias = node.inputs[2] ? this.floats(this.constant(node, 2, "bias")) : new Float32Array(scale.length);
    const label = this.label(node);
    push(`${label}: layernorm${Math.abs(eps - 1e-5) > 1e-12 ? ` eps ${numberText(eps)}` : ""}`);
    this.weights(label, [["weight", [scale.length], scale], ["bias", [bias.length], bias]]);
  }

  /**
   * How the model's own bns are named: `norm` where most are `…norm1` (torchvision's DenseNet:
   * its stem's `features.conv0` is followed by `features.norm0`), else `bn` (ResNet's `bn1`).
   */
  private bnWord(): string {
    if (this.bnWordSeen === undefined) {
      let norm = 0;
      let bn = 0;
      for (const node of this.nodes) {
        if (node.opType !== "BatchNormalization") continue;
        const last = (labelFromTensorName(node.inputs[1] ?? "") ?? labelFromNodeName(node.name, node.opType) ?? "").split(".").pop()!;
        if (/^norm\d*$/.test(last)) norm++;
        else if (/^bn\d*$/.test(last)) bn++;
      }
      this.bnWordSeen = norm > bn ? "norm" : "bn";
    }
    return this.bnWordSeen;
  }

  /**
   * The label of the bn a folded conv had after it, named as torchvision names it where the
   * conv's name says (`layer1.0.conv1` → `layer1.0.bn1` — `norm1` where the model's bns are
   * `norm`, `norm2` where `norm1` came before the conv —, `….conv` → `….bn`, `features.0.0` →
   * `features.0.1`, `downsample.0` → `downsample.1`), else the conv's label and `_bn`.
   */
  private bnLabelAfter(conv: string): string {
    const m = /^(.*?)(conv(\d*)|(\d+))$/.exec(conv);
    const prefix = m?.[1] ?? "";
    let guess = m ? (m[4] !== undefined ? `${prefix}${Number(m[4]) + 1}` : `${prefix}${this.bnWord()}${m[3]}`) : "";
    // pre-activation (DenseNet: norm1 relu conv1 norm2 relu conv2): the bn after convN is the next one
    if (m && m[4] === undefined && m[3] !== "" && this.labels.has(guess)) guess = `${prefix}${this.bnWord()}${Number(m[3]) + 1}`;
    const label = guess && !this.labels.has(guess) && (m![4] !== undefined ? prefix.endsWith(".") : prefix === "" || /[._]$/.test(prefix)) ? guess : `${conv}_bn`;
    let unique = label;
    for (let k = 2; this.labels.has(unique); k++) unique = `${label}_${k}`;
    this.labels.add(unique);
    return unique;
  }

  private labelOf(node: Node, tensor: string): string {
    const m = /^([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\.(weight|layer_scale|gamma)$/.exec(tensor);
    if (m && !this.labels.has(m[2] === "weight" ? m[1] : `${m[1]}.${m[2]}`)) {
      const label = m[2] === "weight" ? m[1] : `${m[1]}.${m[2]}`;
      this.labels.add(label);
      return label;
    }
    return this.label(node);
  }

  private weights(label: string, entries: [string, number[], Float32Array][]): void {
    for (const [suffix, dims, data] of entries) this.tensors.push({ name: `${label}.${suffix}`, shape: dims, data });
  }

  private unsupported(node: Node, why: string): never {
    throw new ImportError(`node ${node.name} (${node.opType}): ${why}`);
  }

  private windowOptions(node: Node, kernel: number[], strideUnsaid = false): string {
    const strides = ints(node.attrs.get("strides")) ?? [1, 1];
    const dilations = ints(node.attrs.get("dilations")) ?? [1, 1];
    const autoPad = str(node.attrs.get("auto_pad")) ?? "NOTSET";
    const pads = ints(node.attrs.get("pads")) ?? [0, 0, 0, 0];
    let out = "";
    if ((strides[0] !== 1 || strides[1] !== 1) && !strideUnsaid) out += ` stride ${dimText(strides[1], strides[0])}`;
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
    const push = (text: string) => this.lines.push(`${indent}${text}`);
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
        if (bias && /^onnx::/.test(node.inputs[1])) {
          // the exporter folded a BatchNorm into this conv (its tensors are the exporter's own):
          // written back as the conv without a bias and a bn that adds it — the same outputs,
          // and torch's params (a conv before a bn has no bias of its own in torchvision)
          this.folded.push(label);
          push(`${label}: ${kind}${this.windowOptions(node, [fh, fw])} nobias${ROUND_FLOOR}`);
          this.weights(label, [["weight", w.dims, this.floats(w)]]);
          const bn = this.bnLabelAfter(label);
          push(`${bn}: bn`);
          // identity statistics: (x − 0)/√(var + eps) with var + eps = 1, scale 1, then + bias
          const variance = new Float32Array(k).fill(1 - 1e-5);
          this.weights(bn, [["weight", [k], new Float32Array(k).fill(1)], ["bias", [k], bias], ["running_mean", [k], new Float32Array(k)], ["running_var", [k], variance]]);
          return out;
        }
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
      case "Gelu": {
        const approximate = str(node.attrs.get("approximate")) ?? "none";
        if (approximate !== "none") this.unsupported(node, `GELU approximated by ${approximate}; \`gelu\` is the exact x·Φ(x)`);
        push("gelu");
        return out;
      }
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
        // a pool's stride defaults to its size in the language, to 1 in ONNX
        const byDefault = strides[0] === kernel[0] && strides[1] === kernel[1];
        let options = this.windowOptions(node, kernel, byDefault);
        if (strides[0] === 1 && strides[1] === 1 && !byDefault) options = ` stride 1${options}`;
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
        // channel shuffle: Reshape [N, G, C/G, H, W] → Transpose [0, 2, 1, 3, 4] → Reshape [N, C, H, W]
        const x = this.shapes.get(node.inputs[0]);
        if (dims.length === 5 && x?.length === 4) {
          const t = this.readers(out);
          const back = t.length === 1 && t[0].opType === "Transpose" && (ints(t[0].attrs.get("perm")) ?? []).join() === "0,2,1,3,4" ? this.readers(t[0].outputs[0]) : [];
          const g = dims[1];
          if (back.length === 1 && back[0].opType === "Reshape" && g > 0 && dims[2] * g === x[1] && dims[3] === x[2] && dims[4] === x[3]) {
            push(`shuffle ${g}`);
            return back[0].outputs[0];
          }
        }
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
      case "ConvTranspose": {
        const w = this.constant(node, 1, "weight");
        if (w.dims.length !== 4) this.unsupported(node, `a ${w.dims.length - 2}-D transposed convolution; a design's are 2-D`);
        const [, kPerGroup, fh, fw] = w.dims;
        const group = int(node.attrs.get("group")) ?? 1;
        const k = kPerGroup * group;
        if (node.attrs.has("output_shape")) this.unsupported(node, "output_shape: write the output padding (output_padding) instead");
        const [ah, aw] = ints(node.attrs.get("output_padding")) ?? [0, 0];
        const label = this.label(node);
        const bias = node.inputs[2] ? this.floats(this.constant(node, 2, "bias")) : null;
        const autoPad = str(node.attrs.get("auto_pad")) ?? "NOTSET";
        if (autoPad !== "NOTSET" && autoPad !== "VALID") this.unsupported(node, `auto_pad ${autoPad} on a transposed convolution: write its pads`);
        const pads = ints(node.attrs.get("pads")) ?? [0, 0, 0, 0];
        if (pads[0] !== pads[2] || pads[1] !== pads[3]) this.unsupported(node, `padding [${pads.join(", ")}] is not the same on both sides`);
        const strides = ints(node.attrs.get("strides")) ?? [1, 1];
        const dilations = ints(node.attrs.get("dilations")) ?? [1, 1];
        let options = "";
        if (strides[0] !== 1 || strides[1] !== 1) options += ` stride ${dimText(strides[1], strides[0])}`;
        if (pads[0] || pads[1]) options += ` pad ${dimText(pads[1], pads[0])}`;
        if (aw || ah) options += ` outpad ${dimText(aw, ah)}`;
        if (dilations[0] !== 1 || dilations[1] !== 1) options += ` dilation ${dimText(dilations[1], dilations[0])}`;
        if (group > 1) options += ` groups ${group}`;
        push(`${label}: deconv ${k} ${dimText(fw, fh)}${options}${bias ? "" : " nobias"}`);
        this.weights(label, [["weight", w.dims, this.floats(w)], ...(bias ? [["bias", [k], bias] as [string, number[], Float32Array]] : [])]);
        return out;
      }
      case "Pad": {
        const mode = str(node.attrs.get("mode")) ?? "constant";
        if (mode !== "constant") this.unsupported(node, `${mode} padding; the language pads with zeros (\`pad P\`)`);
        const pads = node.inputs[1] ? Array.from(this.constant(node, 1, "pads").data, Number) : ints(node.attrs.get("pads")) ?? [];
        const value = node.inputs[2] ? this.floats(this.constant(node, 2, "constant value"))[0] : float(node.attrs.get("value")) ?? 0;
        if (node.inputs[3]) this.unsupported(node, "padding chosen axes (the axes input)");
        if (pads.length !== 8) this.unsupported(node, `pads [${pads.join(", ")}]: a design pads the two spatial axes of [N, C, H, W]`);
        const [n0, c0, top, left, n1, c1, bottom, right] = pads;
        if (n0 || c0 || n1 || c1) this.unsupported(node, `pads [${pads.join(", ")}] pad the batch or the channels`);
        if (pads.every((p) => p === 0)) return out; // torch puts one before some pools: nothing to write
        if (value !== 0) this.unsupported(node, `padding with ${value}; the language pads with zeros`);
        if (!(top === left && top === bottom && top === right) || top < 0) this.unsupported(node, `pads [${pads.join(", ")}]: \`pad P\` pads P on every side`);
        push(`pad ${top}`);
        return out;
      }
      case "Upsample":
      case "Resize": {
        const mode = str(node.attrs.get("mode")) ?? "nearest";
        if (mode !== "nearest") this.unsupported(node, `${mode} resizing; the language's upsample is nearest-neighbour`);
        const inShape = this.shapes.get(node.inputs[0]);
        let scales: number[] | undefined;
        if (node.opType === "Upsample") scales = node.inputs[1] ? Array.from(this.floats(this.constant(node, 1, "scales"))) : (node.attrs.get("scales")?.floats ?? undefined)?.map(Number);
        else {
          // Resize: X, roi, scales, sizes (opset 11+); X, scales (opset 10)
          const scalesInput = node.inputs.length === 2 ? node.inputs[1] : node.inputs[2];
          const sizesInput = node.inputs[3];
          if (scalesInput && this.constants.get(scalesInput)?.data.length) scales = Array.from(this.floats(this.constants.get(scalesInput)!));
          else if (sizesInput) {
            const sizes = Array.from(this.constant(node, 3, "sizes").data, Number);
            if (!inShape) this.unsupported(node, "resizing to sizes without the input's shape in the graph");
            scales = sizes.map((v, i) => v / inShape[i]);
          }
        }
        if (!scales || scales.length !== 4) this.unsupported(node, "a resize without scales or sizes for [N, C, H, W]");
        const [sn, sc, sh, sw] = scales;
        if (sn !== 1 || sc !== 1 || sh !== sw || !Number.isInteger(sh) || sh < 1) this.unsupported(node, `scales [${scales.join(", ")}]: \`upsample S\` scales height and width by one whole factor`);
        if (node.opType === "Resize") {
          const ctm = str(node.attrs.get("coordinate_transformation_mode")) ?? "half_pixel";
          const nearest = str(node.attrs.get("nearest_mode")) ?? "round_prefer_floor";
          const size = inShape?.[2] ?? 8;
          if (!nearestIsRepeat(ctm, nearest, size, sh)) this.unsupported(node, `coordinate_transformation_mode ${ctm} with nearest_mode ${nearest} does not repeat each pixel ${sh} times as \`upsample\` does`);
        }
        push(`upsample ${sh}`);
        return out;
      }
      case "ReduceMean":
      case "ReduceMax": {
        // torch.mean(x, (2, 3), keepdim=…) / the dynamo exporter's adaptive_avg_pool2d(1)
        const axes = (node.inputs[1] ? Array.from(this.constant(node, 1, "axes").data, Number) : ints(node.attrs.get("axes")) ?? []).map((a) => (a < 0 ? a + 4 : a)).sort();
        if (axes.length !== 2 || axes[0] !== 2 || axes[1] !== 3) this.unsupported(node, `a ${node.opType === "ReduceMean" ? "mean" : "max"} over axes [${axes.join(", ")}]; over height and width (2, 3) it is \`${node.opType === "ReduceMean" ? "gap" : "gmp"}\``);
        push(node.opType === "ReduceMean" ? "gap" : "gmp");
        return out;
      }
      case "Mul": {
        // a feature map by a per-channel constant [C,1,1] / [1,C,1,1] / [C]: ConvNeXt's layer scale
        const k = node.inputs.findIndex((i) => this.constants.has(i));
        const c = this.constants.get(node.inputs[k])!;
        const x = this.shapes.get(node.inputs[1 - k]);
        const channels = x?.[1];
        const dims = c.dims.slice(c.dims.length === 4 ? 1 : 0);
        const perChannel = channels !== undefined && dims[0] === channels && dims.slice(1).every((d) => d === 1) && (x!.length === 2 ? dims.length === 1 : dims.length === 3 || dims.length === 1);
        if (!perChannel) this.unsupported(node, `a product by a constant of shape [${c.dims.join(", ")}]; \`layerscale\` multiplies each channel by its own factor ([C, 1, 1])`);
        const label = this.labelOf(node, node.inputs[k]);
        push(`${label}: layerscale`);
        this.weights(label, [["weight", [channels!], this.floats(c)]]);
        return out;
      }
      case "Slice": {
        const read = (i: number, attr: string) => (node.inputs[i] ? Array.from(this.constant(node, i, attr).data, Number) : ints(node.attrs.get(attr)));
        const starts = read(1, "starts") ?? [];
        const ends = read(2, "ends") ?? [];
        const axes = read(3, "axes") ?? starts.map((_, i) => i);
        const steps = node.inputs[4] ? Array.from(this.constant(node, 4, "steps").data, Number) : starts.map(() => 1);
        const x = this.shapes.get(node.inputs[0]);
        const rank = x?.length ?? 4;
        if (starts.length !== 1 || ((axes[0] + rank) % rank) !== 1 || steps[0] !== 1 || !x) this.unsupported(node, `a slice over axes [${axes.join(", ")}] (steps [${steps.join(", ")}]); \`slice A B\` takes channels A ≤ c < B`);
        const c = x[1];
        const at = (v: number) => Math.min(Math.max(v < 0 ? v + c : v, 0), c);
        const [a, b] = [at(starts[0]), at(ends[0])];
        if (!(a < b)) this.unsupported(node, `an empty slice of channels [${starts[0]}, ${ends[0]})`);
        push(`slice ${a} ${b}`);
        return out;
      }
      case "Transpose": {
        // channels last and back: a layer norm over channels (LayerNorm2d), and ConvNeXt's
        // block (LayerNorm → Linear → GELU → Linear, each over the channels)
        const perm = ints(node.attrs.get("perm")) ?? [];
        if (perm.join() === "0,2,3,1") return this.channelsLast(node, indent, push);
        this.unsupported(node, `a transpose [${perm.join(", ")}] the language has no layer for (channels last and back, Transpose [0, 2, 3, 1] … Transpose [0, 3, 1, 2], with layer norms, Linear layers and activations between, is read)`);
      }
      // falls through: never reached (unsupported throws)
      case "LayerNormalization": {
        const x = this.shapes.get(node.inputs[0]);
        const axis = int(node.attrs.get("axis")) ?? -1;
        if (!x || x.length !== 2 || (axis !== -1 && axis !== 1)) this.unsupported(node, "a layer norm over other axes than a vector's features (or, in a Transpose pair, a volume's channels)");
        this.layerNorm(node, push);
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

/**
 * Whether a nearest Resize by the whole factor s maps output pixel x to input pixel ⌊x/s⌋ for
 * every x of an axis of `size` pixels — what `upsample s` computes (ONNX's coordinate modes).
 */
export function nearestIsRepeat(ctm: string, nearest: string, size: number, s: number): boolean {
  const outSize = size * s;
  for (let x = 0; x < outSize; x++) {
    let orig: number;
    if (ctm === "asymmetric") orig = x / s;
    else if (ctm === "half_pixel") orig = (x + 0.5) / s - 0.5;
    else if (ctm === "pytorch_half_pixel") orig = outSize > 1 ? (x + 0.5) / s - 0.5 : 0;
    else if (ctm === "tf_half_pixel_for_nn") orig = (x + 0.5) / s;
    else if (ctm === "align_corners") orig = outSize > 1 ? (x * (size - 1)) / (outSize - 1) : 0;
    else return false;
    let i: number;
    if (nearest === "floor") i = Math.floor(orig);
    else if (nearest === "ceil") i = Math.ceil(orig);
    else if (nearest === "round_prefer_floor") i = orig - Math.floor(orig) === 0.5 ? Math.floor(orig) : Math.round(orig);
    else if (nearest === "round_prefer_ceil") i = Math.round(orig);
    else return false;
    i = Math.min(Math.max(i, 0), size - 1);
    if (i !== Math.floor(x / s)) return false;
  }
  return true;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** at most this many protobuf values (engine/onnx/wire.ts: messages and int64s; floats count an eighth) are decoded: about 300 MB */
export const MAX_WIRE_VALUES = 1_000_000;

/** The design and its weights for an ONNX model's bytes; throws ImportError. */
export function importOnnx(bytes: Uint8Array, networkName: string): ImportedModel {
  let model: onnx.ModelProto;
  // what decoding would build, counted first: its time and memory grow with the values, not the bytes
  const counted = countWire(bytes, MAX_WIRE_VALUES);
  if (counted.values > MAX_WIRE_VALUES) {
    throw new ImportError(`the model holds more than ${MAX_WIRE_VALUES.toLocaleString("en-US")} values besides its raw tensor data (nodes, attributes, shapes, int64s; a CNN's model holds tens of thousands, its weights as raw data); it is not read`);
  }
  try {
    // as a plain Uint8Array: protobufjs reads an empty bytes field of a Node Buffer with
    // `new Buffer(0)`, which prints Node's deprecation warning to the user
    model = onnx.ModelProto.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
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
  const analysis = analyze(text, `${imported.network}.cnn`);
  const errors = analysis.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new ImportError(`the design made of this model does not check: ${errors[0].message}`);
  const warnings = analysis.diagnostics.filter((d) => d.severity === "warning").length;
  const design = sameWithBlocks(text, analysis.networks[0], warnings, imported.tensors) ?? text;
  return { ...imported, text: design, layers: layerStatements(design) };
}

/**
 * The layer statements of a design's text as a reader counts them: every statement of its
 * networks and block definitions — layers, merges (`residual`, `concat`, `add`, `mul`),
 * block uses, repeats — wherever it is nested; not the `input` lines, nor the `branch` /
 * `shortcut` parts of a merge.
 */
export function layerStatements(text: string): number {
  const count = (statements: Statement[]): number => {
    let n = 0;
    for (const s of statements) {
      if (s.type === "layer") n += s.op.text === "input" ? 0 : 1 + (s.body ? count(s.body.statements) + s.body.branches.reduce((a, b) => a + count(b.body), 0) : 0);
      else if (s.type === "call") n += 1;
      else if (s.type === "repeat") n += 1 + count(s.body);
      else if (s.type === "residual") n += 1 + count(s.body) + count(s.shortcut ?? []);
      else n += 1 + s.branches.reduce((a, b) => a + count(b.body), 0);
    }
    return n;
  };
  return count(parse(text).file.items.flatMap((item) => (item.type === "network" || item.type === "block" ? item.body : [item])));
}

/**
 * The design with its repeated subgraphs as blocks (import-blocks.ts), when that design is
 * the same network: no diagnostics but the flat one's, the same params, MACs and output, and
 * every imported tensor found by its name (so each layer keeps its module path). Else null.
 */
function sameWithBlocks(text: string, flat: NetworkResult | undefined, warnings: number, tensors: NamedTensor[]): string | null {
  const blocked = flat ? withBlocks(text) : null;
  if (!blocked || !flat) return null;
  const again = analyze(blocked, `${flat.name}.cnn`);
  const net = again.networks[0];
  if (!net || again.diagnostics.some((d) => d.severity === "error") || again.diagnostics.filter((d) => d.severity === "warning").length > warnings || net.params !== flat.params || net.macs !== flat.macs || JSON.stringify(net.output) !== JSON.stringify(flat.output)) return null;
  try {
    const loaded = readWeightsFile(writeSafetensors(tensors), net, initWeights(net.graph, 0));
    const groups = new Set(tensors.map((t) => t.name.slice(0, t.name.lastIndexOf(".")))).size;
    return loaded.byOrder === 0 && loaded.byName === groups && loaded.notes.length === 0 ? blocked : null;
  } catch {
    return null;
  }
}

/** The files of an import: the design's text (its first line naming the weights file) and the weights' bytes. */
export function importedFiles(imported: ImportedModel, cnnName: string, weightsName: string, modelName: string): { text: string; weights: Uint8Array; layers: number; notes: string[] } {
  const text = imported.text.replace("weights beside it as .safetensors", `weights beside it in ${weightsName}: \`cnn run ${cnnName}\` uses them`);
  // `network` names the design's network: cnn run and the run view take the file beside it (engine/train/weights-location.ts)
  const weights = writeSafetensors(imported.tensors, { format: "pt", [TRAINED_NETWORK_KEY]: imported.network, [IMPORTED_FROM_KEY]: modelName });
  return { text, weights, layers: imported.layers, notes: imported.notes };
}
