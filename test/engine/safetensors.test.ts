// Weights in and out: the .safetensors format, matching tensors to layers, clear mismatches.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSafetensors, writeSafetensors, type NamedTensor } from "../../engine/safetensors";
import { loadSafetensorsWeights, naturalCompare, weightsToSafetensors } from "../../engine/weights-file";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { network } from "./nets";

const root = join(__dirname, "..", "..", "..");
const t = (name: string, shape: number[], values?: number[]): NamedTensor => ({
  name,
  shape,
  data: Float32Array.from(values ?? Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i / 10)),
});

/** a file as PyTorch's safetensors writes it: F16/BF16/I64 included, header not 8-aligned by us */
function handWritten(entries: { name: string; dtype: string; shape: number[]; bytes: number[] }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(entries.flatMap((e) => e.bytes), 8 + json.length);
  return out;
}

describe("safetensors format", () => {
  it("writes and reads back names, shapes and float32 values; the data starts 8-byte aligned", () => {
    const bytes = writeSafetensors([t("a.weight", [2, 3]), t("b", [4], [1.5, -2, 1e-8, 3e38])], { note: "x" });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + headerLength) % 8, 0);
    const back = readSafetensors(bytes);
    assert.deepEqual(back.metadata, { note: "x" });
    assert.deepEqual(back.tensors.map((x) => [x.name, x.shape, Array.from(x.data)]), [
      ["a.weight", [2, 3], Array.from(Float32Array.from([0, 0.1, 0.2, 0.3, 0.4, 0.5]))],
      ["b", [4], Array.from(Float32Array.from([1.5, -2, 1e-8, 3e38]))],
    ]);
  });

  it("reads F16, BF16 and I64 tensors as float32", () => {
    const bytes = handWritten([
      // half: 1.0 = 0x3c00, -2.5 = 0xc100
      { name: "h", dtype: "F16", shape: [2], bytes: [0x00, 0x3c, 0x00, 0xc1] },
      // bfloat16: 1.0 = 0x3f80, 0.5 = 0x3f00
      { name: "b", dtype: "BF16", shape: [2], bytes: [0x80, 0x3f, 0x00, 0x3f] },
      { name: "n", dtype: "I64", shape: [1], bytes: [7, 0, 0, 0, 0, 0, 0, 0] },
    ]);
    const { tensors } = readSafetensors(bytes);
    assert.deepEqual(tensors.map((x) => Array.from(x.data)), [[1, -2.5], [1, 0.5], [7]]);
  });

  it("refuses broken files with a reason", () => {
    assert.throws(() => readSafetensors(new Uint8Array(4)), /shorter than its 8-byte header length/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1000n, true);
    assert.throws(() => readSafetensors(huge), /runs past the end/);
    assert.throws(() => readSafetensors(handWritten([{ name: "x", dtype: "F32", shape: [3], bytes: [0, 0, 0, 0] }])), /4 bytes for a F32 tensor of shape \[3\]/);
    assert.throws(() => readSafetensors(handWritten([{ name: "x", dtype: "Q4", shape: [1], bytes: [0] }])), /unknown dtype "Q4"/);
  });

  it("natural order: features.2 before features.10", () => {
    assert.deepEqual(["features.10", "features.2", "classifier.1", "features.0"].sort(naturalCompare), ["classifier.1", "features.0", "features.2", "features.10"]);
  });
});

describe("safetensors weights for a network", () => {
  const text = "input 8x8x3\nstem: conv 4 3x3 pad 1\nbn\nrelu\nresidual {\n  conv 4 3x3 pad 1 nobias\n}\ngap\nhead: fc 5";

  it("round trip: write the seeded weights, load them into fresh ones, the same outputs", async () => {
    const net = network(text);
    const seeded = initWeights(net.graph, 11);
    const bytes = weightsToSafetensors(net, seeded);
    const names = readSafetensors(bytes).tensors.map((x) => x.name);
    assert.deepEqual(names, ["stem.weight", "stem.bias", "layers.2.weight", "layers.2.bias", "layers.2.running_mean", "layers.2.running_var", "layers.4.weight", "head.weight", "head.bias"]);
    const loaded = loadSafetensorsWeights(bytes, net, initWeights(net.graph, 99));
    const input = networkInput(net.graph[0], { sample: "noise" }, 1).data;
    const a = await new ReferenceExecutor().run(net.graph, seeded, input);
    const b = await new ReferenceExecutor().run(net.graph, loaded, input);
    const other = await new ReferenceExecutor().run(net.graph, initWeights(net.graph, 99), input);
    assert.deepEqual(Array.from(b), Array.from(a));
    assert.notDeepEqual(Array.from(other), Array.from(a));
  });

  it("labels match by name; the rest by natural order, whatever the file's order (PyTorch names)", () => {
    const net = network("input 4x4x1\nconv 2 3x3\nconv 3 1x1\nfirst: fc 2");
    const bytes = writeSafetensors([
      t("features.10.bias", [3]),
      t("first.weight", [2, 12]),
      t("features.10.weight", [3, 2, 1, 1]),
      t("features.2.weight", [2, 1, 3, 3]),
      t("first.bias", [2]),
      t("features.2.bias", [2]),
      t("features.2.num_batches_tracked", [1]),
    ]);
    const w = loadSafetensorsWeights(bytes, net, initWeights(net.graph, 0));
    assert.equal(w.get(1)!.weight!.length, 18);
    assert.equal(w.get(2)!.weight!.length, 6);
    assert.equal(w.get(3)!.weight!.length, 24);
    assert.deepEqual(Array.from(w.get(1)!.bias!), Array.from(Float32Array.from([0, 0.1])));
  });

  it("a wrong shape names the layer and both shapes", () => {
    const net = network("input 4x4x1\nc1: conv 2 3x3");
    const bytes = writeSafetensors([t("c1.weight", [2, 1, 5, 5]), t("c1.bias", [2])]);
    assert.throws(() => loadSafetensorsWeights(bytes, net, initWeights(net.graph, 0)), /`c1` \(conv\) \(node 1\): c1\.weight is \[2, 1, 5, 5\], the layer needs \[2, 1, 3, 3\]/);
  });

  it("by order, a layer no tensor fits is named with what it needs and what came next", () => {
    const net = network("input 4x4x1\nconv 2 3x3\nfc 3");
    const bytes = writeSafetensors([t("0.weight", [2, 1, 3, 3]), t("0.bias", [2]), t("1.weight", [3, 9]), t("1.bias", [3])]);
    assert.throws(() => loadSafetensorsWeights(bytes, net, initWeights(net.graph, 0)), /fc \(node 2\) needs weight \[3, 8\], bias \[3\]; no tensors left in the file fit \(the next in order: 1\.weight is \[3, 9\], the layer needs \[3, 8\]\)/);
  });

  it("tensors no layer takes are an error, as with PyTorch's strict loading", () => {
    const net = network("input 4x4x1\nconv 2 3x3");
    const bytes = writeSafetensors([t("a.weight", [2, 1, 3, 3]), t("a.bias", [2]), t("extra.weight", [7])]);
    assert.throws(() => loadSafetensorsWeights(bytes, net, initWeights(net.graph, 0)), /the file has tensors no layer takes: extra\.weight \[7\]/);
  });

  it("cnn export --safetensors, then cnn run --weights gives the seeded run's output", () => {
    const dir = mkdtempSync(join(tmpdir(), "cnn-weights-"));
    const file = join(dir, "w.safetensors");
    const cnn = (...args: string[]) => spawnSync("node", [join(root, "dist/cli/cnn.js"), ...args], { cwd: root, encoding: "utf8" });
    const exported = cnn("export", "examples/lenet5.cnn", "--safetensors", file, "--seed", "4");
    assert.equal(exported.status, 0, exported.stderr);
    const seeded = JSON.parse(cnn("run", "examples/lenet5.cnn", "--seed", "4", "--json").stdout);
    const loaded = JSON.parse(cnn("run", "examples/lenet5.cnn", "--weights", file, "--json").stdout);
    assert.deepEqual(loaded.output, seeded.output);
    // a broken weights file: exit 1 and the reason
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    const broken = cnn("run", "examples/lenet5.cnn", "--weights", file);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /w\.safetensors: /);
  });
});
