// Helpers the op modules share: arrays of the inputs' type, a node's tensors, PyTorch's
// default initialisations, ONNX's window attributes.

import type { GraphNode, WindowAttrs } from "../../analysis/types";
import type { Floats, LayerParams } from "../api";
import type { ParamInit, ParamName, ParamSpec } from "./types";

/** a new zeroed array of n numbers, of the same type as `x` (float64 stays float64) */
export function like<T extends Floats>(x: T, n: number): T {
  return (x instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as T;
}

/** the node's tensor, or a message naming the layer */
export function need<T extends Floats>(node: GraphNode, params: LayerParams<T> | undefined, name: ParamName): T {
  const value = params?.[name];
  if (!value) throw new Error(`${node.label ?? node.op} (node ${node.id}) has no ${name}`);
  return value;
}

/** He (Kaiming) uniform, U(−√(6/fan_in), √(6/fan_in)), from stream 4·id */
export function heUniform(node: GraphNode, fanIn: number): ParamInit {
  return { kind: "uniform", bound: Math.sqrt(6 / Math.max(1, fanIn)), stream: 4 * node.id };
}

/** PyTorch's default bias, U(−1/√fan_in, 1/√fan_in), from stream 4·id + 1 */
export function biasUniform(node: GraphNode, fanIn: number): ParamInit {
  return { kind: "uniform", bound: 1 / Math.sqrt(Math.max(1, fanIn)), stream: 4 * node.id + 1 };
}

export function filled(value: number): ParamInit {
  return { kind: "fill", value };
}

export function learned(name: ParamName, dims: number[], init: ParamInit): ParamSpec {
  return { name, dims, trainable: true, init };
}

/**
 * A weighted layer's weight and bias. Literal `weights`/`bias` from the file replace the
 * random ones; literal weights without a `bias` get a zero bias, so a hand-worked
 * exercise stays exact.
 */
export function weightAndBias(
  node: GraphNode,
  weightDims: number[],
  fanIn: number,
  bias: { dims: number[] } | null,
  literal: { weights?: number[]; biasValues?: number[]; biasValue?: number } = {},
): ParamSpec[] {
  const specs = [learned("weight", weightDims, literal.weights ? { kind: "values", values: literal.weights } : heUniform(node, fanIn))];
  if (bias) {
    const init: ParamInit = literal.biasValues
      ? { kind: "values", values: literal.biasValues }
      : literal.biasValue !== undefined
        ? filled(literal.biasValue)
        : literal.weights
          ? filled(0)
          : biasUniform(node, fanIn);
    specs.push(learned("bias", bias.dims, init));
  }
  return specs;
}

/** ONNX's kernel_shape, strides, dilations and pads ([top, left, bottom, right]): height first */
export function onnxWindow(a: WindowAttrs) {
  const p = a.padding;
  return {
    kernel_shape: [a.kernel[1], a.kernel[0]],
    strides: [a.stride[1], a.stride[0]],
    dilations: [a.dilation[1], a.dilation[0]],
    pads: [p.top, p.left, p.bottom, p.right],
  };
}
