// `npm run fuzz -- --files`: the files people hand the command line, mutated — weights
// (.safetensors) for `cnn run --weights`, ONNX models for `cnn import`, pictures
// (PNG, JPEG) for `cnn run --sample` and class-name files for `input … classes "…"` —
// each run through the built CLI (dist/cli/cnn.js) in a process of its own. Checked:
// it ends by itself within the CPU-time bound and under the memory bound (peak RSS); exit 0
// (the file still reads) or 1/2 with a message naming the file; never an internal error,
// a stack trace, a signal; what it prints is lines of printable text, none huge.
//
// Seeds are made here (a small design's weights, its ONNX export, pictures drawn with
// pngjs and jpeg-js, a class list); mutations are byte-level (bits, interesting values,
// cuts, splices) and structure-aware (header lengths, declared shapes and offsets, dtype
// lies, JSON bombs; protobuf fields: dims, data types, cycles, recursive functions,
// attribute lists; PNG chunks with their checksums, zlib bombs; JPEG frame headers).
//
//   npm run fuzz -- --files              the short run (seeded: 8 cases, two of each kind)
//   npm run fuzz -- --files --long       2,000 cases
//   npm run fuzz -- --files --cases N | --seconds S | --seed N | --report FILE | --verbose

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import * as jpeg from "jpeg-js";
import { onnx } from "onnx-proto";
import { analyze } from "../../analysis";
import { initWeights } from "../../engine/init";
import { exportOnnx } from "../../engine/onnx/export";
import { weightsToSafetensors } from "../../engine/weights-file";
import { crc32 } from "../../engine/samples/picture";
import { root } from "../lsp/support/client";
import { flagValue, Random } from "./generate";

const cliPath = join(root, "dist", "cli", "cnn.js");

/** a run that takes more CPU than this fails (user + system, all threads: wall time on a loaded machine says little) */
const MAX_CPU_MS = 10_000;
/** a run not ended in this long is killed: a hang */
const HANG_MS = 60_000;
/** peak resident memory past this fails */
const MAX_RSS_MB = 600;
/** a printed line longer than this fails (a message quoting a whole file) */
const MAX_LINE = 2_000;

type Kind = "weights" | "onnx" | "picture" | "labels";
const KINDS: Kind[] = ["weights", "onnx", "picture", "labels"];

interface Options {
  cases: number;
  seconds: number;
  seed: number;
  report: string | null;
  verbose: boolean;
  jobs: number;
}

function options(argv: string[]): Options {
  const value = (flag: string) => flagValue(argv, flag);
  const long = argv.includes("--long");
  return {
    cases: Number(value("--cases") ?? (long ? 2_000 : 8)),
    seconds: Number(value("--seconds") ?? Infinity),
    seed: Number(value("--seed") ?? 20_261_201),
    report: value("--report") ?? null,
    verbose: argv.includes("--verbose"),
    jobs: Number(value("--jobs") ?? 2),
  };
}

// ---- seeds ----

const DESIGN = `network Small {
  input 16x16x3
  c1: conv 4 3x3 pad 1
  relu
  maxpool 2x2
  residual {
    c2: conv 4 3x3 pad 1
    relu
  }
  flatten
  fc1: fc 10
  softmax
}
`;
const LABELLED = DESIGN.replace("input 16x16x3", 'input 16x16x3 classes "labels.txt"');

interface Seeds {
  weights: Uint8Array;
  onnx: Uint8Array;
  pictures: Uint8Array[];
  labels: Uint8Array;
}

function makeSeeds(): Seeds {
  const network = analyze(DESIGN, "small.cnn").networks[0];
  const weights = initWeights(network.graph, 7);
  const png = (colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16, w: number, h: number) => {
    const p = new PNG({ width: w, height: h, colorType, bitDepth, inputColorType: 6, inputHasAlpha: true });
    for (let i = 0; i < w * h * 4; i++) p.data[i] = (i * 37) & 255;
    return new Uint8Array(PNG.sync.write(p, { colorType, bitDepth, inputColorType: 6, inputHasAlpha: true }));
  };
  const jpg = (w: number, h: number) => {
    const data = Buffer.alloc(w * h * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 53) & 255;
    return new Uint8Array(jpeg.encode({ data, width: w, height: h }, 80).data);
  };
  return {
    weights: weightsToSafetensors(network, weights, { network: "Small" }),
    onnx: exportOnnx(network, weights),
    pictures: [png(2, 8, 16, 16), png(6, 8, 20, 12), png(0, 16, 9, 9), png(4, 8, 16, 16), jpg(16, 16), jpg(33, 17)],
    labels: new TextEncoder().encode(Array.from({ length: 10 }, (_, i) => `class ${i}`).join("\n") + "\n"),
  };
}

// ---- byte mutations ----

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x0a, 0x22, 0x5b, 0x7b];
const INTERESTING_INTS = [0, 1, 2, 7, 8, 255, 256, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** one byte-level change, described */
function mutateBytes(bytes: Uint8Array, r: Random, others: Uint8Array[]): { bytes: Uint8Array; what: string } {
  const b = new Uint8Array(bytes);
  const at = () => r.int(Math.max(1, b.length));
  switch (r.int(8)) {
    case 0: {
      const n = 1 + r.int(8);
      for (let i = 0; i < n && b.length; i++) b[at()] ^= 1 << r.int(8);
      return { bytes: b, what: `${n} bits flipped` };
    }
    case 1: {
      const n = 1 + r.int(4);
      for (let i = 0; i < n && b.length; i++) b[at()] = r.pick(INTERESTING_BYTES);
      return { bytes: b, what: `${n} bytes set` };
    }
    case 2: {
      const cut = r.int(b.length + 1);
      return { bytes: b.subarray(0, cut), what: `cut at ${cut} of ${b.length}` };
    }
    case 3: {
      const where = at();
      const length = r.chance(0.8) ? 1 + r.int(64) : r.int(1 << 16);
      const fill = r.chance(0.5) ? r.pick(INTERESTING_BYTES) : -1;
      const chunk = new Uint8Array(length).map(() => (fill >= 0 ? fill : r.int(256)));
      return { bytes: concat(b.subarray(0, where), chunk, b.subarray(where)), what: `${length} bytes inserted at ${where}` };
    }
    case 4: {
      const from = at();
      const to = Math.min(b.length, from + 1 + r.int(r.chance(0.8) ? 16 : 4096));
      return { bytes: concat(b.subarray(0, from), b.subarray(to)), what: `bytes ${from}–${to} deleted` };
    }
    case 5: {
      const from = at();
      const to = Math.min(b.length, from + 1 + r.int(256));
      const times = 1 + r.int(r.chance(0.9) ? 4 : 2000);
      const piece = b.subarray(from, to);
      return { bytes: concat(b.subarray(0, to), ...Array<Uint8Array>(times).fill(piece), b.subarray(to)), what: `bytes ${from}–${to} repeated ${times} times` };
    }
    case 6: {
      if (b.length < 4) return { bytes: b, what: "unchanged" };
      const where = r.int(b.length - 3);
      const v = r.chance(0.7) ? r.pick(INTERESTING_INTS) : r.int(0x100000000);
      new DataView(b.buffer).setUint32(where, v >>> 0, r.chance(0.5));
      return { bytes: b, what: `u32 ${v} at ${where}` };
    }
    default: {
      const other = r.pick(others);
      const from = r.int(other.length + 1);
      const where = at();
      return { bytes: concat(b.subarray(0, where), other.subarray(from, from + r.int(512))), what: `spliced at ${where} from another seed` };
    }
  }
}

// ---- safetensors ----

const DTYPES = ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "U64", "", "f32"];
const HUGE = [0, -1, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e308, 1e12, -(2 ** 31)];

function jsonBomb(r: Random): string {
  const depth = r.pick([100, 10_000, 1_000_000]);
  switch (r.int(4)) {
    case 0:
      return "[".repeat(depth) + "]".repeat(depth);
    case 1:
      return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    case 2:
      return JSON.stringify({ __metadata__: Object.fromEntries(Array.from({ length: Math.min(depth, 200_000) }, (_, i) => [`k${i}`, "v"])) });
    default:
      return JSON.stringify(Object.fromEntries(Array.from({ length: Math.min(depth, 200_000) }, (_, i) => [`t${i}`, { dtype: "F32", shape: [0], data_offsets: [0, 0] }])));
  }
}

function safetensorsFile(header: string | Uint8Array, data: Uint8Array, declared?: bigint): Uint8Array {
  const h = typeof header === "string" ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function mutateSafetensors(seed: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const length = Number(new DataView(seed.buffer, seed.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(seed.subarray(8, 8 + length))) as Record<string, any>;
  const data = seed.subarray(8 + length);
  const names = Object.keys(header).filter((k) => k !== "__metadata__");
  const name = r.pick(names);
  const t = header[name];
  let what: string;
  switch (r.int(9)) {
    case 0: {
      const declared = r.pick([0n, 1n, 7n, BigInt(length - 1), BigInt(length + 1), 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n, BigInt(seed.length)]);
      return { bytes: safetensorsFile(seed.subarray(8, 8 + length), data, declared), what: `header length ${declared}` };
    }
    case 1:
      t.shape = r.chance(0.5) ? t.shape.map((d: number) => (r.chance(0.5) ? r.pick(HUGE) : d)) : r.pick([[], [0], Array(100_000).fill(1), "4", null, [[4]]]);
      what = `${name}: shape ${JSON.stringify(t.shape).slice(0, 60)}`;
      break;
    case 2:
      t.data_offsets = r.pick([[t.data_offsets[1], t.data_offsets[0]], [0, 2 ** 53], [-4, 0], [0, data.length + 4], [2 ** 62, 2 ** 62 + 4], [0], "0,4", [0.5, 4]]);
      what = `${name}: data_offsets ${JSON.stringify(t.data_offsets)}`;
      break;
    case 3:
      t.dtype = r.pick([...DTYPES, 7, null]);
      what = `${name}: dtype ${JSON.stringify(t.dtype)}`;
      break;
    case 4: {
      // a dtype lie that keeps the byte count: F32 [n] read as U8 [4n] or F64 [n/2]
      const n = (t.data_offsets[1] - t.data_offsets[0]) as number;
      const [dtype, shape] = r.pick([["U8", [n]], ["F16", [n / 2]], ["F64", [n / 8]], ["I32", [n / 4]], ["BOOL", [n]]] as [string, number[]][]);
      t.dtype = dtype;
      t.shape = shape;
      what = `${name}: read as ${dtype} ${JSON.stringify(shape)}`;
      break;
    }
    case 5:
      header.__metadata__ = r.pick([null, [1, 2], "x", { network: { nested: true } }, { network: "Small", trained: "{not json" }, { network: "Small", trained: '{"classes":[1,2]}' }, { classes: JSON.stringify(Array(100_000).fill("\u001b[2J")) }]);
      what = `metadata ${JSON.stringify(header.__metadata__).slice(0, 60)}`;
      break;
    case 6: {
      const renamed = r.pick(["", "x".repeat(100_000), "c1.weight\u0000", "\u001b[31mc1.weight", "__proto__", "constructor", "c2.weight"]);
      header[renamed] = t;
      delete header[name];
      what = `${name} renamed ${JSON.stringify(renamed.slice(0, 20))}`;
      break;
    }
    case 7:
      header[name] = r.pick([null, 4, "F32", [], { dtype: "F32" }]);
      what = `${name}: entry ${JSON.stringify(header[name])}`;
      break;
    default: {
      const bomb = jsonBomb(r);
      return { bytes: safetensorsFile(bomb, data), what: `a ${bomb.length}-character JSON bomb` };
    }
  }
  return { bytes: safetensorsFile(JSON.stringify(header), data), what };
}

// ---- ONNX ----

const OPS = ["Conv", "Relu", "MaxPool", "Add", "Gemm", "Flatten", "Softmax", "Concat", "Reshape", "Transpose", "BatchNormalization", "Loop", "If", "Scan", "F", "Identity", "Mul", "GlobalAveragePool", "Pad", "Resize", "\u001b[31mConv"];

function mutateOnnx(seed: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const m = onnx.ModelProto.decode(seed);
  const g = m.graph!;
  const nodes = g.node!;
  const node = r.pick(nodes);
  const init = r.pick(g.initializer!);
  let what: string;
  switch (r.int(10)) {
    case 0:
      init.dims = r.chance(0.5) ? init.dims!.map((d) => (r.chance(0.5) ? r.pick([0, -4, 1e12, 2 ** 40, 3000]) : d)) : r.pick([[], [1e15, 1e15], Array(10_000).fill(1)]);
      what = `${init.name}: dims ${JSON.stringify(init.dims).slice(0, 60)}`;
      break;
    case 1:
      init.dataType = r.pick([0, 2, 3, 6, 7, 9, 10, 11, 16, 99]);
      what = `${init.name}: data type ${init.dataType}`;
      break;
    case 2: {
      const raw = init.rawData!;
      init.rawData = r.pick([raw.subarray(0, r.int(raw.length)), raw.subarray(1), new Uint8Array(0), concat(raw, new Uint8Array(8))]);
      if (init.rawData.length === 0 && r.chance(0.5)) init.floatData = [1, 2, 3];
      what = `${init.name}: ${init.rawData.length} raw bytes (of ${raw.length})`;
      break;
    }
    case 3: {
      // a cycle: a node reads a later node's output (or its own)
      const i = nodes.indexOf(node);
      const later = nodes[i + r.int(nodes.length - i)];
      node.input = [later.output![0], ...node.input!.slice(1)];
      what = `${node.name} reads ${later.name}'s output`;
      break;
    }
    case 4:
      node.opType = r.pick(OPS);
      what = `${node.name} made ${JSON.stringify(node.opType)}`;
      break;
    case 5: {
      const attr = node.attribute!.length ? r.pick(node.attribute!) : null;
      const value = r.pick([[0, 0], [-5, -5, -5, -5], [1e12, 1e12], Array(100_000).fill(3), [], [1, 2, 3, 4, 5, 6, 7]]);
      if (attr && r.chance(0.7)) {
        attr.ints = value;
        what = `${node.name}.${attr.name} = ${JSON.stringify(value).slice(0, 40)}`;
      } else {
        // many attributes, or one long list — not both (the fuzzer's own memory: 50,000 × 100,000 ints)
        const many = value.length > 10 ? 1 : r.pick([1, 1000, 50_000]);
        node.attribute = node.attribute!.concat(Array.from({ length: many }, (_, k) => ({ name: r.pick(["kernel_shape", "strides", "pads", "group", "axis", `a${k}`]), type: r.pick([1, 2, 7]), ints: value, i: 3, f: 0.5 })));
        what = `${node.name}: attributes added`;
      }
      break;
    }
    case 6: {
      const dims = g.input![0].type!.tensorType!.shape!.dim!;
      const k = r.int(dims.length);
      if (r.chance(0.2)) g.input![0].type!.tensorType!.shape!.dim = Array.from({ length: r.pick([0, 1, 5, 1000]) }, () => ({ dimValue: 2 }));
      else dims[k] = r.pick([{ dimValue: 0 }, { dimValue: -3 }, { dimValue: 1e15 }, { dimValue: 65536 }, { dimParam: "N" }, {}]);
      what = `input dims ${JSON.stringify(g.input![0].type!.tensorType!.shape!.dim).slice(0, 60)}`;
      break;
    }
    case 7: {
      // local functions calling themselves (or each other), used by a node of the graph
      const f = (name: string, calls: string) => ({ name, domain: "local", input: ["x"], output: ["y"], opsetImport: [{ domain: "", version: 17 }], node: [{ opType: calls, domain: "local", input: ["x"], output: ["y"] }] });
      m.functions = r.chance(0.5) ? [f("F", "F")] : [f("F", "G"), f("G", "F")];
      node.opType = "F";
      node.domain = "local";
      what = `${node.name} calls recursive local functions`;
      break;
    }
    case 8: {
      // a long chain or a wide fan of nodes
      const n = r.pick([1000, 20_000]);
      const first = nodes.find((x) => x.opType === "Relu") ?? node;
      let prev = first.input![0];
      const extra: onnx.INodeProto[] = [];
      const fan = r.chance(0.5);
      for (let k = 0; k < n; k++) {
        extra.push(fan ? { opType: "Add", input: [prev, prev], output: [`z${k}`], name: `z${k}` } : { opType: "Relu", input: [prev], output: [`z${k}`], name: `z${k}` });
        prev = `z${k}`;
      }
      first.input = [prev, ...first.input!.slice(1)];
      g.node = extra.concat(nodes);
      what = `${n} ${fan ? "Add(x, x)" : "Relu"} nodes chained`;
      break;
    }
    default:
      r.pick([() => (g.input = []), () => (g.output = []), () => (g.node = []), () => (m.graph = null), () => (g.initializer = []), () => (g.node = nodes.concat(nodes))])();
      what = "a part of the graph removed or doubled";
  }
  return { bytes: onnx.ModelProto.encode(m).finish(), what };
}

// ---- pictures ----

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function pngChunks(bytes: Uint8Array): { type: string; data: Uint8Array }[] {
  const chunks = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    chunks.push({ type: String.fromCharCode(...bytes.subarray(at + 4, at + 8)), data: bytes.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

function mutatePng(seed: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const chunks = pngChunks(seed).map((c) => ({ type: c.type, data: new Uint8Array(c.data) }));
  const ihdr = new DataView(chunks[0].data.buffer);
  let what: string;
  switch (r.int(5)) {
    case 0: {
      const w = r.pick([0, 1, 30_000, 16_385, 4097, 2 ** 31 - 1, 0xffffffff]);
      const h = r.pick([0, 1, 30_000, 3073, 2 ** 31 - 1]);
      ihdr.setUint32(0, w);
      ihdr.setUint32(4, h);
      what = `IHDR says ${w}×${h}`;
      break;
    }
    case 1: {
      const field = r.int(5);
      const v = r.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 255]);
      chunks[0].data[8 + field] = v;
      what = `IHDR byte ${8 + field} = ${v}`;
      break;
    }
    case 2: {
      // a zlib bomb: the pixels of a much larger picture, or far more than the picture holds
      const idat = chunks.findIndex((c) => c.type === "IDAT");
      const size = r.pick([1 << 20, 64 << 20]);
      chunks.splice(idat, 1, { type: "IDAT", data: new Uint8Array(deflateSync(Buffer.alloc(size), { level: 9 })) });
      if (r.chance(0.5)) {
        ihdr.setUint32(0, 4096);
        ihdr.setUint32(4, 3072);
      }
      what = `IDAT inflating to ${size} bytes`;
      break;
    }
    case 3: {
      const k = r.int(chunks.length);
      const times = r.pick([2, 100, 10_000]);
      chunks.splice(k, 0, ...Array(times).fill(chunks[k]));
      what = `${chunks[k].type} chunk ${times + 1} times`;
      break;
    }
    default: {
      const k = r.int(chunks.length);
      what = `${chunks[k].type} chunk removed`;
      chunks.splice(k, 1);
    }
  }
  return { bytes: concat(seed.subarray(0, 8), ...chunks.map((c) => pngChunk(c.type, c.data))), what };
}

function mutateJpeg(seed: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const b = new Uint8Array(seed);
  const sof = b.findIndex((x, i) => x === 0xff && (b[i + 1] === 0xc0 || b[i + 1] === 0xc2));
  if (sof > 0 && r.chance(0.6)) {
    const view = new DataView(b.buffer);
    const h = r.pick([0, 1, 3073, 30_000, 65_535]);
    const w = r.pick([0, 1, 4097, 30_000, 65_535]);
    view.setUint16(sof + 5, h);
    view.setUint16(sof + 7, w);
    if (r.chance(0.3)) b[sof + 9] = r.pick([0, 2, 4, 255]);
    return { bytes: b, what: `SOF says ${w}×${h}` };
  }
  // many scans: the scan marker and what follows it repeated
  const sos = b.findIndex((x, i) => x === 0xff && b[i + 1] === 0xda);
  const times = r.pick([10, 100, 3000]);
  const scan = b.subarray(sos, b.length - 2);
  return { bytes: concat(b.subarray(0, b.length - 2), ...Array<Uint8Array>(times).fill(scan), b.subarray(b.length - 2)), what: `its scan ${times + 1} times` };
}

// ---- class names ----

function labelsText(r: Random): { bytes: Uint8Array; what: string } {
  const line = () =>
    r.pick([
      () => `class ${r.int(100)}`,
      () => "\u001b[2J\u001b[31mred",
      () => "x".repeat(r.pick([100, 100_000, 5_000_000])),
      () => "a\u0000b\u0007c",
      () => "\u202Eevil",
      () => "",
      () => "   ",
      () => "猫",
      () => "\ud800",
    ])();
  const kind = r.int(5);
  if (kind === 0) {
    const n = r.pick([0, 1, 9, 10, 11, 1000, 2_000_000]);
    return { bytes: new TextEncoder().encode(Array.from({ length: n }, (_, i) => `c${i}`).join("\n")), what: `${n} names` };
  }
  if (kind === 1) return { bytes: new Uint8Array(Array.from({ length: r.pick([10, 10_000]) }, () => r.int(256))), what: "random bytes" };
  if (kind === 2) {
    const text = Array.from({ length: 10 }, (_, i) => `c${i}`).join("\r\n");
    const utf16 = new Uint8Array(2 + text.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) utf16[2 + 2 * i] = text.charCodeAt(i);
    return { bytes: utf16, what: "UTF-16 with a BOM" };
  }
  const lines = Array.from({ length: 10 }, (_, i) => (r.chance(0.3) ? line() : `class ${i}`));
  return { bytes: new TextEncoder().encode(lines.join(r.pick(["\n", "\r\n", "\r", "\u2028"]))), what: `names ${JSON.stringify(lines.map((l) => l.slice(0, 12)))}` };
}

// ---- one case ----

interface Case {
  n: number;
  kind: Kind;
  what: string;
  bytes: Uint8Array;
}

function makeCase(n: number, seeds: Seeds, seed: number): Case {
  const r = new Random((Math.imul(seed, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca77)) >>> 0);
  const kind = KINDS[n % KINDS.length];
  const all = [seeds.weights, seeds.onnx, ...seeds.pictures, seeds.labels];
  let m: { bytes: Uint8Array; what: string };
  const structured = r.chance(0.6);
  switch (kind) {
    case "weights":
      m = structured ? mutateSafetensors(seeds.weights, r) : mutateBytes(seeds.weights, r, all);
      break;
    case "onnx":
      m = structured ? mutateOnnx(seeds.onnx, r) : mutateBytes(seeds.onnx, r, all);
      break;
    case "picture": {
      const picture = r.pick(seeds.pictures);
      const isPng = picture[0] === 0x89;
      m = structured ? (isPng ? mutatePng(picture, r) : mutateJpeg(picture, r)) : mutateBytes(picture, r, all);
      m.what = `${isPng ? "PNG" : "JPEG"}: ${m.what}`;
      break;
    }
    default:
      m = structured ? labelsText(r) : mutateBytes(seeds.labels, r, all);
  }
  // now and then a second change on top of the first
  if (r.chance(0.2)) {
    const again = mutateBytes(m.bytes, r, all);
    m = { bytes: again.bytes, what: `${m.what}; ${again.what}` };
  }
  return { n, kind, what: m.what, bytes: m.bytes };
}

const FILE_NAMES: Record<Kind, string> = { weights: "weights.safetensors", onnx: "model.onnx", picture: "picture.png", labels: "labels.txt" };

interface Outcome {
  code: number | null;
  signal: string | null;
  ms: number;
  rssMB: number;
  cpuMs: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI on the case's file in a folder of its own; its peak RSS and CPU time from the process itself (a preload writes them to fd 3). */
function run(c: Case, dir: string): Promise<Outcome> {
  const file = FILE_NAMES[c.kind];
  writeFileSync(join(dir, file), c.bytes);
  writeFileSync(join(dir, "small.cnn"), c.kind === "labels" ? LABELLED : DESIGN);
  const args = c.kind === "onnx" ? ["import", file, "--out", "imported.cnn"] : c.kind === "weights" ? ["run", "small.cnn", "--weights", file] : c.kind === "picture" ? ["run", "small.cnn", "--sample", file] : ["run", "small.cnn"];
  const preload = join(dir, "..", "rss.js");
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--require", preload, cliPath, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let usage = "";
    let outBytes = 0;
    const keep = (list: Buffer[]) => (d: Buffer) => {
      // what it prints is kept up to 4 MB (a flood is itself a failure: its lines are checked)
      if ((outBytes += d.length) <= 4 << 20) list.push(d);
    };
    child.stdout!.on("data", keep(out));
    child.stderr!.on("data", keep(err));
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d: Buffer) => (usage += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), HANG_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const [rssKB, cpuUs] = usage.split(" ").map(Number);
      resolve({ code, signal, ms: performance.now() - started, rssMB: rssKB / 1024 || NaN, cpuMs: cpuUs / 1000 || NaN, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** What is wrong with an outcome (nothing: []) */
function problems(c: Case, o: Outcome): string[] {
  const found: string[] = [];
  const file = FILE_NAMES[c.kind];
  if (o.signal) found.push(o.ms >= HANG_MS ? `hang: killed after ${HANG_MS / 1000} s` : `ended by ${o.signal}`);
  else if (o.code !== 0 && o.code !== 1 && o.code !== 2) found.push(`exit ${o.code}`);
  if (o.cpuMs > MAX_CPU_MS) found.push(`slow: ${Math.round(o.cpuMs)} ms of CPU (${Math.round(o.ms)} ms)`);
  if (o.rssMB > MAX_RSS_MB) found.push(`memory: peak RSS ${Math.round(o.rssMB)} MB`);
  if (/internal error|^\s+at .+:\d+:\d+\)?$/m.test(o.stderr)) found.push(`a stack trace or internal error: ${o.stderr.split("\n").slice(0, 2).join(" | ").slice(0, 300)}`);
  if ((o.code === 1 || o.code === 2) && !o.stderr.split("\n").some((l) => l.includes(file))) found.push(`exit ${o.code} without naming ${file}: ${JSON.stringify(o.stderr.slice(0, 300))}`);
  for (const [name, text] of [["stdout", o.stdout], ["stderr", o.stderr]] as const) {
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/.exec(text);
    if (control) found.push(`${name} holds U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")}: ${JSON.stringify(text.slice(Math.max(0, control.index - 40), control.index + 20))}`);
    const long = text.split("\n").find((l) => l.length > MAX_LINE);
    if (long) found.push(`${name} has a ${long.length}-character line: ${JSON.stringify(long.slice(0, 80))}…`);
  }
  return found;
}

// ---- the run ----

interface Failure {
  n: number;
  kind: Kind;
  what: string;
  problems: string[];
  file: string;
}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const started = Date.now();
  const seeds = makeSeeds();
  const base = mkdtempSync(join(tmpdir(), "cnn-fuzz-files-"));
  writeFileSync(join(base, "rss.js"), 'process.on("exit", () => { try { const u = process.resourceUsage(); require("fs").writeSync(3, `${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}`); } catch {} });\n');
  const failures: Failure[] = [];
  const stats = { cases: 0, byKind: {} as Record<string, { cases: number; exits: Record<string, number>; slowestMs: number; mostCpuMs: number; peakMB: number }> };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const n = next++;
      if (n >= opts.cases || (Date.now() - started) / 1000 > opts.seconds) return;
      const c = makeCase(n, seeds, opts.seed);
      const dir = join(base, `case${n}`);
      mkdirSync(dir);
      const o = await run(c, dir);
      const found = problems(c, o);
      const k = (stats.byKind[c.kind] ??= { cases: 0, exits: {}, slowestMs: 0, mostCpuMs: 0, peakMB: 0 });
      k.cases++;
      k.exits[String(o.code ?? o.signal)] = (k.exits[String(o.code ?? o.signal)] ?? 0) + 1;
      k.slowestMs = Math.max(k.slowestMs, o.ms);
      if (Number.isFinite(o.cpuMs)) k.mostCpuMs = Math.max(k.mostCpuMs, o.cpuMs);
      if (Number.isFinite(o.rssMB)) k.peakMB = Math.max(k.peakMB, o.rssMB);
      stats.cases++;
      if (opts.verbose) process.stderr.write(`  case ${n} ${c.kind} (${c.what}): exit ${o.code ?? o.signal}, ${Math.round(o.ms)} ms (CPU ${Math.round(o.cpuMs)} ms), ${Math.round(o.rssMB)} MB: ${o.stderr.split("\n")[0].slice(0, 160)}\n`);
      if (found.length) {
        // the file kept for a look, beside the report
        const kept = join(base, `failure${n}-${FILE_NAMES[c.kind]}`);
        writeFileSync(kept, c.bytes);
        failures.push({ n, kind: c.kind, what: c.what, problems: found, file: kept });
        if (failures.length <= 20) process.stderr.write(`✗ case ${n} ${c.kind} (${c.what}): ${found.join("; ")}\n  kept: ${kept}\n`);
      }
      rmSync(dir, { recursive: true, force: true });
      if (stats.cases % 100 === 0) process.stderr.write(`  ${stats.cases} cases, ${failures.length} failures, ${Math.round((Date.now() - started) / 1000)} s\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, worker));
  const seconds = (Date.now() - started) / 1000;
  const lines = [
    `fuzz files: seed ${opts.seed}: ${stats.cases} cases in ${seconds.toFixed(0)} s (${opts.jobs} at a time)`,
    ...Object.entries(stats.byKind).map(([kind, k]) => `  ${kind}: ${k.cases} cases, exits ${Object.entries(k.exits).map(([e, v]) => `${e}×${v}`).join(" ")}; most CPU ${(k.mostCpuMs / 1000).toFixed(1)} s, slowest ${(k.slowestMs / 1000).toFixed(1)} s, peak RSS ${Math.round(k.peakMB)} MB`),
    `  ${failures.length} failures`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
  if (opts.report) {
    writeFileSync(opts.report, JSON.stringify({ options: opts, stats, failures }, null, 1));
    process.stdout.write(`  report: ${opts.report}\n`);
  }
  if (!failures.length) rmSync(base, { recursive: true, force: true });
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`fuzz files: ${(e as Error).stack}\n`);
    process.exit(3);
  },
);
