// What decoding an ONNX model would build, counted from its protobuf wire format before
// it is decoded. protobufjs makes an object per message and per int64 (a Long), so its
// time and memory grow with the number of values, not with the bytes: a 4 MB model of
// 200,000 junk attributes took 4 s and 260 MB, and 30 MB of packed int64s would take
// minutes and gigabytes. Raw tensor data (bytes fields) costs nothing here: a real model
// keeps its weights there, and is far below the bound however large it is.

/** the fields of each message that are messages themselves (field number → message), and its packed numeric fields (→ weight per value) */
interface Schema {
  messages: Record<number, string>;
  packed: Record<number, "varint64" | "varint" | "fixed32" | "fixed64">;
}

const SCHEMAS: Record<string, Schema> = {
  Model: { messages: { 7: "Graph", 8: "Leaf", 14: "Leaf", 20: "TrainingInfo", 25: "Function" }, packed: {} },
  Graph: { messages: { 1: "Node", 5: "Tensor", 15: "SparseTensor", 11: "ValueInfo", 12: "ValueInfo", 13: "ValueInfo", 14: "Leaf" }, packed: {} },
  Node: { messages: { 5: "Attribute" }, packed: {} },
  Attribute: { messages: { 5: "Tensor", 6: "Graph", 10: "Tensor", 11: "Graph", 22: "SparseTensor", 23: "SparseTensor", 14: "Type", 15: "Type" }, packed: { 7: "fixed32", 8: "varint64" } },
  Tensor: { messages: { 12: "Leaf", 13: "Leaf", 14: "Leaf" }, packed: { 1: "varint64", 4: "fixed32", 5: "varint", 7: "varint64", 10: "fixed64", 11: "varint64" } },
  SparseTensor: { messages: { 1: "Tensor", 2: "Tensor" }, packed: { 3: "varint64" } },
  ValueInfo: { messages: { 2: "Type" }, packed: {} },
  Type: { messages: { 1: "TensorType", 4: "Type1", 5: "MapType", 8: "TensorType", 9: "Type1" }, packed: {} },
  Type1: { messages: { 1: "Type" }, packed: {} },
  MapType: { messages: { 2: "Type" }, packed: {} },
  TensorType: { messages: { 2: "Shape" }, packed: {} },
  Shape: { messages: { 1: "Leaf" }, packed: {} },
  Function: { messages: { 7: "Node", 6: "Leaf", 11: "Attribute", 14: "ValueInfo" }, packed: {} },
  TrainingInfo: { messages: { 1: "Graph", 2: "Leaf", 3: "Leaf", 4: "Graph" }, packed: {} },
  Leaf: { messages: {}, packed: {} },
};

/** a float or an int32 becomes a plain number in an array: an eighth of a message or a Long */
const WEIGHT = { varint64: 1, varint: 1 / 8, fixed32: 1 / 8, fixed64: 1 / 8 };

export interface WireCount {
  /** messages and values decoding would make, weighted as above */
  values: number;
  /** the deepest nesting of messages */
  depth: number;
}

/**
 * Counts the values decoding these bytes as a ModelProto would make. Stops at the first
 * malformed field (the decoder says what is wrong with it) and once `limit` is passed.
 */
export function countWire(bytes: Uint8Array, limit = Infinity): WireCount {
  const count: WireCount = { values: 0, depth: 0 };
  let at = 0;
  const varint = (end: number): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= end) throw new RangeError("cut");
      const b = bytes[at++];
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return value;
    }
    throw new RangeError("varint");
  };
  const walk = (type: string, end: number, depth: number): void => {
    if (depth > count.depth) count.depth = depth;
    if (depth > 200) throw new RangeError("deep");
    const schema = SCHEMAS[type];
    while (at < end && count.values <= limit) {
      const key = varint(end);
      const field = Math.floor(key / 8);
      const wire = key & 7;
      count.values++;
      if (wire === 0) varint(end);
      else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else if (wire === 2) {
        const length = varint(end);
        const stop = at + length;
        if (stop > end) throw new RangeError("cut");
        const inner = schema.messages[field];
        const packed = schema.packed[field];
        if (inner) walk(inner, stop, depth + 1);
        else if (packed === "varint64" || packed === "varint") {
          let n = 0;
          for (let i = at; i < stop; i++) if (bytes[i] < 0x80) n++;
          count.values += n * WEIGHT[packed];
        } else if (packed) count.values += (length / (packed === "fixed32" ? 4 : 8)) * WEIGHT[packed];
        at = stop;
      } else throw new RangeError("wire type");
      if (at > end) throw new RangeError("cut");
    }
  };
  try {
    walk("Model", bytes.length, 1);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  return count;
}
