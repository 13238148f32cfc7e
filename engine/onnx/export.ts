// A network and its weights as an ONNX model (opset 17), so a design opens in Netron and
// runs in onnxruntime with the same numbers as the reference executor. Each layer maps to
// the ONNX operator with PyTorch's semantics; the few PyTorch has and ONNX lacks are
// spelled out in standard operators (locally connected, adaptive pooling to an uneven
// size, LRN with an even size, exact GELU).

import type { GraphNode, NetworkResult, Shape } from "../../analysis/types";
import type { LayerParams, NetworkWeights } from "../api";
import { paramShapes } from "../init";
import { planesOf } from "../tensor";
import { adaptiveBins } from "../kernels/adaptive-avgpool";
import { LRN_ALPHA, LRN_BETA, LRN_K } from "../kernels/lrn";
import { encodeModel, OnnxGraph, valueInfo } from "./builder";

export const OPSET = 17;
export const INPUT_NAME = "input";
export const OUTPUT_NAME = "output";

export interface ExportOptions {
  /** a line for Netron's node properties: `line 4: conv 1 3x3 …` */
  describe?: (node: GraphNode) => string;
  producerVersion?: string;
}

/** ONNX dims of an activation: [1, C, H, W] for a volume, [1, N] for a vector. */
export function onnxDims(shape: Shape): number[] {
  return shape.kind === "volume" ? [1, shape.d, shape.h, shape.w] : [1, shape.n];
}

export function exportOnnx(network: NetworkResult, weights: NetworkWeights, options: ExportOptions = {}): Uint8Array {
  if (!network.complete) throw new Error(`${network.name} has errors or unknown shapes: it cannot be exported`);
  const g = new OnnxGraph();
  g.reserve(INPUT_NAME);
  g.reserve(OUTPUT_NAME);
  const labelCount = new Map<string, number>();
  for (const n of network.graph) if (n.label) labelCount.set(n.label, (labelCount.get(n.label) ?? 0) + 1);
  const tensorOf = new Map<number, string>();
  const last = network.graph[network.graph.length - 1];
  for (const node of network.graph) {
    if (node.op === "input") {
      tensorOf.set(node.id, INPUT_NAME);
      continue;
    }
    const base = node.label && labelCount.get(node.label) === 1 ? node.label : `${node.op}_${node.id}`;
    const inputs = node.inputs.map((i) => tensorOf.get(i)!);
    const out = node === last ? OUTPUT_NAME : undefined;
    let result = layer(g, node, inputs, weights.get(node.id), base, options.describe?.(node), out);
    if (node === last && result !== OUTPUT_NAME) result = g.node("Identity", [result], base, {}, undefined, OUTPUT_NAME);
    tensorOf.set(node.id, result);
  }
  if (last.op === "input") g.node("Identity", [INPUT_NAME], "identity", {}, undefined, OUTPUT_NAME);
  const input = network.graph[0].output;
  return encodeModel({
    irVersion: 8,
    producerName: "cnn-designer",
    producerVersion: options.producerVersion ?? "",
    opsetImport: [{ domain: "", version: OPSET }],
    graph: {
      name: network.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(INPUT_NAME, onnxDims(input))],
      output: [valueInfo(OUTPUT_NAME, onnxDims(network.output!))],
    },
  });
}

function need(node: GraphNode, params: LayerParams | undefined, field: keyof LayerParams): Float32Array {
  const v = params?.[field];
  if (!v) throw new Error(`${node.label ?? node.op} (node ${node.id}) has no ${field}`);
  return v;
}

function window(node: GraphNode) {
  const a = node.attrs;
  const [kw, kh] = a.kernel ?? [1, 1];
  const [sw, sh] = a.stride ?? [1, 1];
  const [dw, dh] = a.dilation ?? [1, 1];
  const p = a.padding ?? { left: 0, right: 0, top: 0, bottom: 0 };
  return { kernel_shape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads: [p.top, p.left, p.bottom, p.right] };
}

/** Emits the ONNX nodes of one layer; returns the name of its output. */
function layer(g: OnnxGraph, node: GraphNode, inputs: string[], params: LayerParams | undefined, base: string, doc: string | undefined, out: string | undefined): string {
  const x = inputs[0];
  const a = node.attrs;
  const emit = (op: string, ins: string[], attrs = {}) => g.node(op, ins, base, attrs, doc, out);
  const weightsOf = () => {
    const shapes = paramShapes(node);
    const names: string[] = [];
    for (const s of shapes) names.push(g.floats(`${base}.${s.name}`, s.dims, need(node, params, s.name)));
    return names;
  };
  switch (node.op) {
    case "conv":
    case "dwconv":
      return emit("Conv", [x, ...weightsOf()], { ...window(node), group: a.groups ?? 1 });
    case "deconv": {
      const w = window(node);
      const [ow, oh] = a.outputPadding ?? [0, 0];
      return emit("ConvTranspose", [x, ...weightsOf()], { ...w, group: a.groups ?? 1, output_padding: [oh, ow] });
    }
    case "local":
      return local(g, node, x, params, base, doc, out);
    case "maxpool": {
      const w = window(node);
      return emit("MaxPool", [x], { ...w, ceil_mode: a.ceil ? 1 : 0 });
    }
    case "avgpool": {
      const { kernel_shape, strides, pads } = window(node);
      return emit("AveragePool", [x], { kernel_shape, strides, pads, ceil_mode: a.ceil ? 1 : 0, count_include_pad: 1 });
    }
    case "gap":
      return emit("GlobalAveragePool", [x]);
    case "gmp":
      return emit("GlobalMaxPool", [x]);
    case "adaptiveavgpool":
      return adaptive(g, node, x, base, doc, out);
    case "fc": {
      const flat = node.input!.kind === "volume" ? g.node("Flatten", [x], `${base}.flatten`, { axis: 1 }, doc) : x;
      return emit("Gemm", [flat, ...weightsOf()], { transB: 1 });
    }
    case "flatten":
      return emit("Flatten", [x], { axis: 1 });
    case "bn": {
      const [scale, shift, mean, variance] = weightsOf();
      return emit("BatchNormalization", [x, scale, shift, mean, variance], { epsilon: { float: a.eps ?? 1e-5 } });
    }
    case "lrn":
      return lrn(g, node, x, base, doc, out);
    case "dropout":
      return emit("Identity", [x]);
    case "relu":
      return emit("Relu", [x]);
    case "relu6":
      return emit("Clip", [x, g.scalar(`${base}.min`, 0), g.scalar(`${base}.max`, 6)]);
    case "leakyrelu":
      return emit("LeakyRelu", [x], { alpha: { float: a.alpha ?? 0.01 } });
    case "elu":
      return emit("Elu", [x], { alpha: { float: a.alpha ?? 1 } });
    case "gelu": {
      // x·Φ(x) = x · ½(1 + erf(x/√2)): ONNX has Gelu only from opset 20
      const scaled = g.node("Div", [x, g.scalar(`${base}.sqrt2`, Math.SQRT2)], `${base}.scaled`, {}, doc);
      const erf = g.node("Erf", [scaled], `${base}.erf`, {}, doc);
      const plus = g.node("Add", [erf, g.scalar(`${base}.one`, 1)], `${base}.plus1`, {}, doc);
      const half = g.node("Mul", [x, g.scalar(`${base}.half`, 0.5)], `${base}.half_x`, {}, doc);
      return emit("Mul", [half, plus]);
    }
    case "silu":
      return emit("Mul", [x, g.node("Sigmoid", [x], `${base}.sigmoid`, {}, doc)]);
    case "sigmoid":
      return emit("Sigmoid", [x]);
    case "tanh":
      return emit("Tanh", [x]);
    case "hardswish":
      return emit("HardSwish", [x]);
    case "hardsigmoid":
      return emit("HardSigmoid", [x], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
    case "softmax":
      return emit("Softmax", [x], { axis: 1 });
    case "upsample": {
      const s = a.units ?? 2;
      return emit("Resize", [x, "", g.floats(`${base}.scales`, [4], Float32Array.of(1, 1, s, s))], {
        mode: "nearest",
        coordinate_transformation_mode: "asymmetric",
        nearest_mode: "floor",
      });
    }
    case "pad": {
      const p = a.padding!;
      return emit("Pad", [x, g.ints(`${base}.pads`, [0, 0, p.top, p.left, 0, 0, p.bottom, p.right])], { mode: "constant" });
    }
    case "add":
      return emit(inputs.length === 2 ? "Add" : "Sum", inputs);
    case "concat":
      return emit("Concat", inputs, { axis: 1 });
    default:
      throw new Error(`no ONNX form for the layer \`${node.op}\``);
  }
}

/**
 * Locally connected: the patches come from a Conv with a one-hot filter bank (im2col),
 * then each position multiplies its own K×(C·F_h·F_w) weights (a batched MatMul).
 */
function local(g: OnnxGraph, node: GraphNode, x: string, params: LayerParams | undefined, base: string, doc: string | undefined, out: string | undefined): string {
  const input = planesOf(node.input!);
  const output = planesOf(node.output);
  const [kw, kh] = node.attrs.kernel!;
  const taps = input.channels * kh * kw;
  const positions = output.height * output.width;
  const k = output.channels;
  const picker = new Float32Array(taps * taps);
  for (let t = 0; t < taps; t++) picker[t * taps + t] = 1;
  const w = window(node);
  const patches = g.node("Conv", [x, g.floats(`${base}.im2col`, [taps, input.channels, kh, kw], picker)], `${base}.patches`, w, doc);
  const rows = g.node("Reshape", [patches, g.ints(`${base}.rows_shape`, [taps, positions])], `${base}.rows`, {}, doc);
  const byPosition = g.node("Transpose", [rows], `${base}.by_position`, { perm: [1, 0] }, doc);
  const batched = g.node("Reshape", [byPosition, g.ints(`${base}.batched_shape`, [positions, 1, taps])], `${base}.batched`, {}, doc);
  // our layout is [P][K][taps]; MatMul wants [P][taps][K]
  const weight = need(node, params, "weight");
  const transposed = new Float32Array(weight.length);
  for (let p = 0; p < positions; p++) for (let o = 0; o < k; o++) for (let t = 0; t < taps; t++) transposed[(p * taps + t) * k + o] = weight[(p * k + o) * taps + t];
  let y = g.node("MatMul", [batched, g.floats(`${base}.weight`, [positions, taps, k], transposed)], `${base}.product`, {}, doc);
  y = g.node("Reshape", [y, g.ints(`${base}.pk_shape`, [positions, k])], `${base}.pk`, {}, doc);
  if (node.attrs.bias !== false) y = g.node("Add", [y, g.floats(`${base}.bias`, [positions, k], need(node, params, "bias"))], `${base}.biased`, {}, doc);
  const kp = g.node("Transpose", [y], `${base}.kp`, { perm: [1, 0] }, doc);
  return g.node("Reshape", [kp, g.ints(`${base}.shape`, [1, k, output.height, output.width])], base, {}, doc, out);
}

/** Adaptive average pooling: an AveragePool when the bins tile evenly, else Y = R·X·Cᵀ. */
function adaptive(g: OnnxGraph, node: GraphNode, x: string, base: string, doc: string | undefined, out: string | undefined): string {
  const from = planesOf(node.input!);
  const to = planesOf(node.output);
  if (from.height % to.height === 0 && from.width % to.width === 0) {
    const kh = from.height / to.height;
    const kw = from.width / to.width;
    return g.node("AveragePool", [x], base, { kernel_shape: [kh, kw], strides: [kh, kw] }, doc, out);
  }
  const averaging = (inSize: number, outSize: number, transpose: boolean) => {
    const m = new Float32Array(inSize * outSize);
    adaptiveBins(inSize, outSize).forEach(([lo, hi], o) => {
      for (let i = lo; i < hi; i++) m[transpose ? i * outSize + o : o * inSize + i] = 1 / (hi - lo);
    });
    return m;
  };
  const rows = g.floats(`${base}.rows`, [to.height, from.height], averaging(from.height, to.height, false));
  const cols = g.floats(`${base}.cols`, [from.width, to.width], averaging(from.width, to.width, true));
  const down = g.node("MatMul", [rows, x], `${base}.down`, {}, doc);
  return g.node("MatMul", [down, cols], base, {}, doc, out);
}

/** LRN: ONNX's own operator for an odd size; PyTorch's window for an even one, spelled out. */
function lrn(g: OnnxGraph, node: GraphNode, x: string, base: string, doc: string | undefined, out: string | undefined): string {
  const size = node.attrs.units ?? 5;
  if (size % 2 === 1) return g.node("LRN", [x], base, { size, alpha: { float: LRN_ALPHA }, beta: { float: LRN_BETA }, bias: { float: LRN_K } }, doc, out);
  const p = planesOf(node.input!);
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  const squares = g.node("Mul", [x, x], `${base}.squares`, {}, doc);
  const volume = g.node("Reshape", [squares, g.ints(`${base}.5d`, [1, 1, p.channels, p.height, p.width])], `${base}.volume`, {}, doc);
  const padded = g.node("Pad", [volume, g.ints(`${base}.pads`, [0, 0, before, 0, 0, 0, 0, after, 0, 0])], `${base}.padded`, {}, doc);
  const mean = g.node("AveragePool", [padded], `${base}.mean`, { kernel_shape: [size, 1, 1], strides: [1, 1, 1] }, doc);
  const flat = g.node("Reshape", [mean, g.ints(`${base}.4d`, [1, p.channels, p.height, p.width])], `${base}.mean4d`, {}, doc);
  const scaled = g.node("Mul", [flat, g.scalar(`${base}.alpha`, LRN_ALPHA)], `${base}.scaled`, {}, doc);
  const shifted = g.node("Add", [scaled, g.scalar(`${base}.k`, LRN_K)], `${base}.shifted`, {}, doc);
  const divisor = g.node("Pow", [shifted, g.scalar(`${base}.beta`, LRN_BETA)], `${base}.divisor`, {}, doc);
  return g.node("Div", [x, divisor], base, {}, doc, out);
}
