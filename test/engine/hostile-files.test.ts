// Files from outside that must be refused with a clear message, before they cost time or
// memory (issue 9; the cases the file fuzzer, test/fuzz/files.ts, found): weights headers
// that nest, grow or lie; ONNX tensors whose data is not what their dims say; class
// lists that are not UTF-8 text.

import * as assert from "node:assert/strict";
import { onnx } from "onnx-proto";
import { analyze } from "../../analysis";
import { classNamesFromBytes, MAX_CLASSES_BYTES } from "../../engine/classes";
import { initWeights } from "../../engine/init";
import { exportOnnx } from "../../engine/onnx/export";
import { ImportError, importOnnx, MAX_WIRE_VALUES } from "../../engine/onnx/import";
import { countWire } from "../../engine/onnx/wire";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_HEADER, readSafetensors, SafetensorsError, writeSafetensors } from "../../engine/safetensors";

/** a .safetensors file of this header text (declared length as given, else its own) and data */
function file(header: string, data = new Uint8Array(0), declared?: bigint): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function refusal(read: () => unknown, kind: new (...args: never[]) => Error): string {
  try {
    read();
  } catch (e) {
    assert.ok(e instanceof kind, `${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
    return e.message;
  }
  assert.fail("read without an error");
}

describe("hostile files: refused before they cost, with a message of one short line", () => {
  describe("a .safetensors header", () => {
    it("that nests deeper than a header does is refused before it is parsed", () => {
      const message = refusal(() => readSafetensors(file("[".repeat(1_000_000) + "]".repeat(1_000_000))), SafetensorsError);
      assert.match(message, /^not a safetensors file: its header nests 1000000 levels deep \(a header is a table of tensors, 3 levels\)$/);
      // a string holding brackets is not nesting
      const ok = readSafetensors(file(JSON.stringify({ __metadata__: { note: "[[[[{{{{" }, "a[": { dtype: "F32", shape: [1], data_offsets: [0, 4] } }), new Uint8Array(4)));
      assert.deepEqual(ok.metadata, { note: "[[[[{{{{" });
    });

    it(`larger than ${MAX_HEADER} bytes is refused by its size; a declared length past the file is named exactly`, () => {
      const big = JSON.stringify({ __metadata__: { pad: "x".repeat(MAX_HEADER) } });
      assert.match(refusal(() => readSafetensors(file(big)), SafetensorsError), new RegExp(`^its header is ${big.length} bytes; a header is read up to ${MAX_HEADER} bytes`));
      assert.match(refusal(() => readSafetensors(file("{}", new Uint8Array(0), 2n ** 63n)), SafetensorsError), /its header length 9223372036854775808 runs past the end of the file \(10 bytes\)/);
    });

    it("metadata holds strings only (others are left out); a shape of more than 64 dimensions, an inherited dtype name are refused", () => {
      const tensor = { dtype: "F32", shape: [1], data_offsets: [0, 4] };
      const meta = readSafetensors(file(JSON.stringify({ __metadata__: { network: "N", trained: true, n: 4, none: null }, a: tensor }), new Uint8Array(4))).metadata;
      assert.deepEqual(meta, { network: "N" });
      assert.deepEqual(readSafetensors(file(JSON.stringify({ __metadata__: [1, 2], a: tensor }), new Uint8Array(4))).metadata, {});
      assert.match(refusal(() => readSafetensors(file(JSON.stringify({ a: { ...tensor, shape: Array(100).fill(1) } }), new Uint8Array(4))), SafetensorsError), /^tensor a: a shape of 100 dimensions \(at most 64\)$/);
      assert.match(refusal(() => readSafetensors(file(JSON.stringify({ a: { ...tensor, dtype: "constructor" } }), new Uint8Array(4))), SafetensorsError), /^tensor a: unknown dtype "constructor"$/);
    });

    it("a tensor's name from the file is shown escaped and cut", () => {
      const name = "\u001b[2J" + "x".repeat(1_000_000) + "\n";
      const message = refusal(() => readSafetensors(file(JSON.stringify({ [name]: { dtype: "F99", shape: [1], data_offsets: [0, 4] } }), new Uint8Array(4))), SafetensorsError);
      assert.ok(message.length < 200, `${message.length} characters`);
      assert.match(message, /^tensor U\+001B\[2Jx{70,90}… unknown dtype "F99"$/);
    });
  });

  describe("an ONNX model's tensors", () => {
    const network = analyze("input 8x8x3\nc1: conv 4 3x3\nrelu\nflatten\nfc 2\n", "t.cnn").networks[0];
    const model = exportOnnx(network, initWeights(network.graph, 1));
    const edited = (edit: (m: onnx.ModelProto) => void): Uint8Array => {
      const m = onnx.ModelProto.decode(model);
      edit(m);
      return onnx.ModelProto.encode(m).finish();
    };
    const conv = (m: onnx.ModelProto) => m.graph!.initializer!.find((t) => t.dims!.length === 4)!;

    it("whose data is shorter or longer than their dims are refused, never read as zeros or cut", () => {
      assert.match(refusal(() => importOnnx(edited((m) => (conv(m).rawData = conv(m).rawData!.subarray(0, 10))), "t"), ImportError), /^tensor [\w.]+: its dims \[4, 3, 3, 3\] need 108 values \(432 bytes\), its raw data has 10$/);
      assert.match(refusal(() => importOnnx(edited((m) => (conv(m).rawData = new Uint8Array(437))), "t"), ImportError), /its raw data has 437$/);
      assert.match(
        refusal(
          () =>
            importOnnx(
              edited((m) => {
                conv(m).rawData = new Uint8Array(0);
                conv(m).floatData = [1, 2];
              }),
              "t",
            ),
          ImportError,
        ),
        /its dims \[4, 3, 3, 3\] need 108 values, its float data has 2$/,
      );
    });

    it("whose dims are not sizes or too many values are refused (not a RangeError)", () => {
      assert.match(refusal(() => importOnnx(edited((m) => (conv(m).dims = [-4, 3])), "t"), ImportError), /its dims \[-4, 3\] are not sizes$/);
      assert.match(refusal(() => importOnnx(edited((m) => (conv(m).dims = [1e12, 1e12])), "t"), ImportError), /its dims \[1000000000000, 1000000000000\] make 1e\+24 values, more than a tensor can hold/);
      assert.match(refusal(() => importOnnx(edited((m) => (conv(m).dims = Array(20).fill(1))), "t"), ImportError), /its dims \[1, 1, 1, 1, 1, 1, 1, 1, … \(20 dims\)\] need 1 values/);
    });

    it(`holding more than ${MAX_WIRE_VALUES} values besides raw data is refused before it is decoded; a real model is far below`, () => {
      // 2,000,000 int64s in one attribute (protobufjs would make a Long of each)
      const bomb = edited((m) => (m.graph!.node![0].attribute = [{ name: "pads", type: 7, ints: Array(2_000_000).fill(3) }]));
      assert.ok(countWire(bomb).values > 2_000_000);
      assert.match(refusal(() => importOnnx(bomb, "t"), ImportError), /^the model holds more than 1,000,000 values besides its raw tensor data/);
      // ResNet-50 as exported here: 25.6 M weights as raw data, a few thousand values
      const resnet = analyze(readFileSync(join(__dirname, "..", "..", "..", "examples", "resnet50.cnn"), "utf8"), "resnet50.cnn").networks[0];
      const exported = exportOnnx(resnet, initWeights(resnet.graph, 1));
      const counted = countWire(exported);
      assert.ok(counted.values < 20_000, `${counted.values} values`);
      assert.equal(countWire(model).depth, 7);
    });

    it("an operator's name from the file is shown on one line", () => {
      const message = refusal(() => importOnnx(edited((m) => (m.graph!.node![0].opType = "Conv\n\u001b[31m")), "t"), ImportError);
      assert.doesNotMatch(message, /[\u0000-\u001f]/);
      assert.match(message, /\(ConvU\+000AU\+001B\[31m\): the language has no layer for this operator/);
    });
  });

  describe("a classes file", () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    it("is UTF-8 text (a BOM allowed); UTF-16, other bytes, a NUL and a file past the bound are refused with why", () => {
      assert.deepEqual(classNamesFromBytes(bytes("\uFEFFcat\r\ndog\n")), ["cat", "dog"]);
      assert.throws(() => classNamesFromBytes(new Uint8Array([0xff, 0xfe, 0x63, 0x00])), /^Error: it is UTF-16 text; save it as UTF-8$/);
      assert.throws(() => classNamesFromBytes(new Uint8Array([0x63, 0xc3, 0x28, 0x0a])), /^Error: it is not UTF-8 text$/);
      assert.throws(() => classNamesFromBytes(bytes("cat\u0000\ndog")), /^Error: it is not a text file \(a NUL character at 3\)$/);
      assert.throws(() => classNamesFromBytes(new Uint8Array(MAX_CLASSES_BYTES + 1).fill(0x61)), /^Error: it is 2\.0 MB; a classes file is read up to 2 MB$/);
    });
  });

  it("a file written by this product reads back (the bounds leave real files alone)", () => {
    const names = Array.from({ length: 2000 }, (_, i) => ({ name: `layer${i}.weight`, shape: [3, 3], data: new Float32Array(9) }));
    assert.equal(readSafetensors(writeSafetensors(names, { classes: JSON.stringify(Array.from({ length: 21_841 }, (_, i) => `class ${i}`)) })).tensors.length, 2000);
  });
});
