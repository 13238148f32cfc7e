// A small writer of ONNX graphs over onnx-proto (protobufjs): named tensors, nodes with
// typed attributes, float32 and int64 initializers.

import { onnx } from "onnx-proto";

const A = onnx.AttributeProto.AttributeType;
const T = onnx.TensorProto.DataType;

export type AttributeValue = number | number[] | string | { float: number };

export class OnnxGraph {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private names = new Set<string>();

  /** a tensor name not used yet, built from `base` */
  fresh(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_.]/g, "_") || "t";
    let name = clean;
    for (let i = 2; this.names.has(name); i++) name = `${clean}_${i}`;
    this.names.add(name);
    return name;
  }

  reserve(name: string): string {
    this.names.add(name);
    return name;
  }

  floats(base: string, dims: number[], data: Float32Array): string {
    const name = this.fresh(base);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push({ name, dims, dataType: T.FLOAT, rawData: littleEndian(bytes, 4) });
    return name;
  }

  ints(base: string, values: number[]): string {
    const name = this.fresh(base);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: T.INT64, rawData: littleEndian(new Uint8Array(data.buffer), 8) });
    return name;
  }

  scalar(base: string, value: number): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [], dataType: T.FLOAT, rawData: littleEndian(new Uint8Array(Float32Array.of(value).buffer), 4) });
    return name;
  }

  /** adds a node; returns its (first) output name */
  node(opType: string, inputs: string[], base: string, attributes: Record<string, AttributeValue> = {}, docString?: string, output?: string): string {
    const out = output ?? this.fresh(base);
    this.nodes.push({
      opType,
      input: inputs,
      output: [out],
      name: this.fresh(`${base}/${opType}`),
      attribute: Object.entries(attributes).map(([name, v]) => attribute(name, v)),
      ...(docString ? { docString } : {}),
    });
    return out;
  }
}

function attribute(name: string, v: AttributeValue): onnx.IAttributeProto {
  if (typeof v === "string") return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if (typeof v === "object") return { name, type: A.FLOAT, f: v.float };
  return { name, type: A.INT, i: v };
}

/** ONNX raw data is little-endian; typed arrays use the machine's order */
const machineIsLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function littleEndian(bytes: Uint8Array, width: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  if (!machineIsLittle) for (let i = 0; i < copy.length; i += width) copy.subarray(i, i + width).reverse();
  return copy;
}

export function valueInfo(name: string, dims: number[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: T.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}
