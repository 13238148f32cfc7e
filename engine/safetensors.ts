// The .safetensors format (what PyTorch users save with safetensors.torch.save_file):
// an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape
// and byte range, then the raw little-endian data. Floats of any width are read as float32.
// The file is untrusted: its header is bounded (size, nesting, tensors, dimensions)
// before it is parsed, and every declared shape and range is checked against the bytes.

import { boundedMessage, oneLine } from "../grammar/printable";

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const SIZES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/**
 * At most this many bytes of header. A CNN's weights have a header of a few kilobytes to
 * a few hundred (ResNet-152: ~1,000 tensors, ~80 kB); at the limit JSON.parse takes about
 * a second and 300 MB. (The safetensors library itself allows 100 MB.)
 */
export const MAX_HEADER = 8 << 20;
/** at most this many tensors, and this many dimensions each */
export const MAX_TENSORS = 100_000;
export const MAX_DIMS = 64;

export class SafetensorsError extends Error {
  override name = "SafetensorsError";
  constructor(message: string) {
    // names come from the file: one line each, none huge, nothing invisible
    super(boundedMessage(oneLine(message)));
  }
}

/**
 * How deep the JSON text nests (outside its strings). A header is an object of tensor
 * entries whose shape and offsets are lists: three levels; a deeper text is refused before
 * JSON.parse builds it (`[[[[…]]]]` of 10 MB took 95 s and 4.9 GB).
 */
function nesting(bytes: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

export function readSafetensors(bytes: Uint8Array): { tensors: NamedTensor[]; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new SafetensorsError("not a safetensors file: shorter than its 8-byte header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (8n + declared > BigInt(bytes.length)) throw new SafetensorsError(`not a safetensors file: its header length ${declared} runs past the end of the file (${bytes.length} bytes)`);
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER) throw new SafetensorsError(`its header is ${headerLength} bytes; a header is read up to ${MAX_HEADER} bytes (a CNN's is a few kilobytes)`);
  const headerBytes = bytes.subarray(8, 8 + headerLength);
  const depth = nesting(headerBytes);
  if (depth > 3) throw new SafetensorsError(`not a safetensors file: its header nests ${depth} levels deep (a header is a table of tensors, 3 levels)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (e) {
    throw new SafetensorsError(`not a safetensors file: the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new SafetensorsError("not a safetensors file: the header is not a JSON object");
  const entries = Object.keys(header).length;
  if (entries > MAX_TENSORS + 1) throw new SafetensorsError(`its header names ${entries} tensors; at most ${MAX_TENSORS} are read`);
  const dataStart = 8 + headerLength;
  const tensors: NamedTensor[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      // strings to strings (the format's rule); anything else in it is left out
      if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) metadata = Object.fromEntries(Object.entries(entry).filter(([, v]) => typeof v === "string")) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e?.dtype !== "string" || !Object.hasOwn(SIZES, e.dtype)) throw new SafetensorsError(`tensor ${name}: unknown dtype ${JSON.stringify(e?.dtype)}`);
    if (Array.isArray(e.shape) && e.shape.length > MAX_DIMS) throw new SafetensorsError(`tensor ${name}: a shape of ${e.shape.length} dimensions (at most ${MAX_DIMS})`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new SafetensorsError(`tensor ${name}: bad shape ${JSON.stringify(e.shape)}`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) throw new SafetensorsError(`tensor ${name}: bad data_offsets`);
    const shape = e.shape as number[];
    const [begin, end] = offsets as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * SIZES[e.dtype]) throw new SafetensorsError(`tensor ${name}: ${end - begin} bytes for a ${e.dtype} tensor of shape [${shape.join(", ")}]`);
    if (dataStart + end > bytes.length) throw new SafetensorsError(`tensor ${name}: its bytes run past the end of the file`);
    tensors.push({ name, shape, data: toFloat32(e.dtype, bytes.subarray(dataStart + begin, dataStart + end), count) });
  }
  return { tensors, metadata };
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function toFloat32(dtype: string, raw: Uint8Array, count: number): Float32Array {
  // float32 on a little-endian machine: one copy of the bytes (a copy: `raw` may be a
  // Node Buffer, whose slice() is a view of a shared pool)
  if (dtype === "F32" && littleEndian) return new Float32Array(new Uint8Array(raw).buffer, 0, count);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case "F32": out[i] = view.getFloat32(i * 4, true); break;
      case "F64": out[i] = view.getFloat64(i * 8, true); break;
      case "F16": out[i] = half(view.getUint16(i * 2, true)); break;
      case "BF16": out[i] = bfloat16(view.getUint16(i * 2, true)); break;
      case "I64": out[i] = Number(view.getBigInt64(i * 8, true)); break;
      case "I32": out[i] = view.getInt32(i * 4, true); break;
      case "I16": out[i] = view.getInt16(i * 2, true); break;
      case "I8": out[i] = view.getInt8(i); break;
      default: out[i] = view.getUint8(i);
    }
  }
  return out;
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const bfloatView = new DataView(new ArrayBuffer(4));
function bfloat16(bits: number): number {
  bfloatView.setUint32(0, bits << 16);
  return bfloatView.getFloat32(0);
}

/** Writes float32 tensors, in the given order, with optional string metadata. */
export function writeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  // the data starts 8-byte aligned; the format pads the header with spaces
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + i * 4, t.data[i], true);
    at += t.data.length * 4;
  }
  return out;
}
