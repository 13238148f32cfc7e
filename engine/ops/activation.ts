// The element-wise activations, each as PyTorch defines it (torch.nn.functional): one
// family, since they share all their code but the function itself. Each has a
// WebAssembly form (engine/wasm/kernels/elementwise.ts `activate`, by code); ReLU and
// ReLU6 are also applied in the epilogue of the kernel before them when the planner fuses.

import type { NodeOf } from "../../analysis/types";
import type { Floats } from "../api";
import { erf } from "../kernels/erf";
import { ActivationCode } from "../wasm/kernels/elementwise";
import { sizeOf } from "../tensor";
import { like } from "./shared";
import type { Op, OnnxExportContext } from "./types";
import { byRanges } from "../fast/threads/split";
import { activationGradient } from "../train/kernels/activation";
import { fastRelu, fastSigmoid, type FastKernel, type TrainLibrary } from "../train/fast/layers";

export type ActivationKind = "relu" | "relu6" | "leakyrelu" | "elu" | "gelu" | "silu" | "sigmoid" | "tanh" | "hardswish" | "hardsigmoid";

interface ActivationSpec<K extends ActivationKind> {
  /** y = f(x, a), a = the kind's parameter (0 where it has none) */
  fn: (x: number, a: number) => number;
  parameter: (node: NodeOf<K>) => number;
  /** the `activate` kernel's code */
  code: number;
  /** the gemm epilogue's code where a preceding kernel can apply it */
  epilogue?: number;
  onnx: (e: OnnxExportContext<K>) => string;
  /** its kernel in the fast training engine, where it has one */
  backward?: (lib: TrainLibrary, maxBatch: number) => FastKernel;
}

const none = () => 0;

/** Applies f to every element; a new array of the input's type. */
export function activate<T extends Floats>(input: T, fn: (x: number, a: number) => number, a: number): T {
  const out = like(input, input.length);
  for (let i = 0; i < input.length; i++) out[i] = fn(input[i], a);
  return out;
}

function activation<K extends ActivationKind>(kind: K, spec: ActivationSpec<K>): Op<K> {
  return {
    kind,
    reference: {
      forward: ({ node, inputs: [x] }) => activate(x, spec.fn, spec.parameter(node)),
      backward: ({ node, inputs: [x], output, outputGrad }) => ({ inputGrads: [activationGradient(node, x, output, outputGrad, spec.parameter(node)) as typeof x], paramGrads: {} }),
    },
    fast: {
      compile(step, ctx) {
        const n = sizeOf(step.head.output);
        const a = spec.parameter(step.head);
        const floats = (at: { inputs: number[]; output: number }, s: number, e: number) => ctx.lib.k.activate({ dst: at.output + 4 * s, src: at.inputs[0] + 4 * s, count: e - s, code: spec.code, alpha: a });
        // threads: ranges of 16 floats (a range's vector stores stay inside it)
        return ["activation", byRanges({ scratchBytes: 0, run: (at) => floats(at, 0, n) }, ctx, n, n, floats, 16)];
      },
      ...(spec.backward ? { backward: spec.backward } : {}),
    },
    onnx: { export: spec.onnx },
    parameter: spec.parameter,
    ...(spec.epilogue ? { epilogue: spec.epilogue } : {}),
  };
}

export const relu = activation("relu", {
  fn: (x) => (x > 0 ? x : x === x ? 0 : x),
  parameter: none,
  code: ActivationCode.relu,
  epilogue: ActivationCode.relu,
  onnx: (e) => e.emit("Relu", [e.inputs[0]]),
  backward: fastRelu,
});

export const relu6 = activation("relu6", {
  fn: (x) => (x !== x ? x : x < 0 ? 0 : x > 6 ? 6 : x),
  parameter: none,
  code: ActivationCode.relu6,
  epilogue: ActivationCode.relu6,
  onnx: (e) => e.emit("Clip", [e.inputs[0], e.g.scalar(`${e.base}.min`, 0), e.g.scalar(`${e.base}.max`, 6)]),
});

export const leakyrelu = activation("leakyrelu", {
  fn: (x, a) => (x >= 0 ? x : a * x),
  parameter: (node) => node.attrs.slope,
  code: ActivationCode.leakyrelu,
  onnx: (e) => e.emit("LeakyRelu", [e.inputs[0]], { alpha: { float: e.node.attrs.slope } }),
});

export const elu = activation("elu", {
  fn: (x, a) => (x > 0 ? x : a * Math.expm1(x)),
  parameter: (node) => node.attrs.alpha,
  code: ActivationCode.elu,
  onnx: (e) => e.emit("Elu", [e.inputs[0]], { alpha: { float: e.node.attrs.alpha } }),
});

export const gelu = activation("gelu", {
  // the exact form (approximate='none'): x·Φ(x)
  fn: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
  parameter: none,
  code: ActivationCode.gelu,
  onnx(e) {
    // x·Φ(x) = x · ½(1 + erf(x/√2)): ONNX has Gelu only from opset 20
    const x = e.inputs[0];
    const scaled = e.step("Div", [x, e.g.scalar(`${e.base}.sqrt2`, Math.SQRT2)], "scaled");
    const erfx = e.step("Erf", [scaled], "erf");
    const plus = e.step("Add", [erfx, e.g.scalar(`${e.base}.one`, 1)], "plus1");
    const half = e.step("Mul", [x, e.g.scalar(`${e.base}.half`, 0.5)], "half_x");
    return e.emit("Mul", [half, plus]);
  },
});

export const silu = activation("silu", {
  fn: (x) => x / (1 + Math.exp(-x)),
  parameter: none,
  code: ActivationCode.silu,
  onnx: (e) => e.emit("Mul", [e.inputs[0], e.step("Sigmoid", [e.inputs[0]], "sigmoid")]),
});

export const sigmoid = activation("sigmoid", {
  fn: (x) => 1 / (1 + Math.exp(-x)),
  parameter: none,
  code: ActivationCode.sigmoid,
  onnx: (e) => e.emit("Sigmoid", [e.inputs[0]]),
  backward: fastSigmoid,
});

export const tanh = activation("tanh", {
  fn: (x) => Math.tanh(x),
  parameter: none,
  code: ActivationCode.tanh,
  onnx: (e) => e.emit("Tanh", [e.inputs[0]]),
});

export const hardswish = activation("hardswish", {
  fn: (x) => (x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6),
  parameter: none,
  code: ActivationCode.hardswish,
  onnx: (e) => e.emit("HardSwish", [e.inputs[0]]),
});

export const hardsigmoid = activation("hardsigmoid", {
  fn: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5),
  parameter: none,
  code: ActivationCode.hardsigmoid,
  onnx: (e) => e.emit("HardSigmoid", [e.inputs[0]], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }),
});
