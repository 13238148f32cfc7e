// Weights in and out: the .safetensors format, matching tensors to layers, clear mismatches.

import * as assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors, writeSafetensors, type NamedTensor } from "../../engine/safetensors";
import { loadSafetensorsWeights, naturalCompare, weightsToSafetensors } from "../../engine/weights-file";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { network } from "./nets";
import { cnn, root, tempDir } from "./cli";
import { rawSafetensors } from "./torch-names";
const t = (name: string, shape: number[], values?: number[]): NamedTensor => ({
  name,
  shape,
  data: Float32Array.from(values ?? Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i / 10)),
});

/** a file as PyTorch's safetensors writes it: F16/BF16/I64 included, header not 8-aligned by us */
const handWritten = (entries: { name: string; dtype: string; shape: number[]; bytes: number[] }[]) => rawSafetensors(entries);

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

  it("reads a file inside a larger buffer (a Node Buffer from a shared pool) at its own offset", () => {
    const bytes = writeSafetensors([t("a", [3], [1, 2, 3]), t("b", [2], [-1, 0.5])]);
    const inPool = Buffer.concat([Buffer.from([9, 9, 9]), Buffer.from(bytes), Buffer.from([7])]).subarray(3, 3 + bytes.length);
    assert.deepEqual(readSafetensors(inPool).tensors.map((x) => Array.from(x.data)), [[1, 2, 3], [-1, 0.5]]);
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
    assert.deepEqual(names, ["stem.weight", "stem.bias", "layers_2.weight", "layers_2.bias", "layers_2.running_mean", "layers_2.running_var", "layers_4.weight", "head.weight", "head.bias"]);
    const loaded = loadSafetensorsWeights(bytes, net, initWeights(net.graph, 99));
    const input = networkInput(net.graph[0], { sample: "noise" }, 1).data;
    const a = await new ReferenceExecutor().run(net.graph, seeded, input);
    const b = await new ReferenceExecutor().run(net.graph, loaded, input);
    const other = await new ReferenceExecutor().run(net.graph, initWeights(net.graph, 99), input);
    assert.deepEqual(Array.from(b), Array.from(a));
    assert.notDeepEqual(Array.from(other), Array.from(a));
  });

  it("labels match by name; the rest by the numbers in their names, whatever the file's order (PyTorch names)", () => {
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

  it("torchvision's resnet18 state_dict (names sorted, as safetensors writes them) loads into examples/resnet18.cnn", () => {
    const net = network(readFileSync(join(root, "examples/resnet18.cnn"), "utf8"));
    // torchvision's module order, which is the graph's order of learning layers
    type Module = { name: string; shapes: Record<string, number[]> };
    const conv = (name: string, k: number, c: number, f: number): Module => ({ name, shapes: { weight: [k, c, f, f] } });
    const bn = (name: string, c: number): Module => ({ name, shapes: { weight: [c], bias: [c], running_mean: [c], running_var: [c], num_batches_tracked: [] } });
    const modules: Module[] = [conv("conv1", 64, 3, 7), bn("bn1", 64)];
    let channels = 64;
    [64, 128, 256, 512].forEach((k, layer) => {
      for (let b = 0; b < 2; b++) {
        const p = `layer${layer + 1}.${b}`;
        modules.push(conv(`${p}.conv1`, k, b === 0 ? channels : k, 3), bn(`${p}.bn1`, k), conv(`${p}.conv2`, k, k, 3), bn(`${p}.bn2`, k));
        if (layer > 0 && b === 0) modules.push(conv(`${p}.downsample.0`, k, channels, 1), bn(`${p}.downsample.1`, k));
      }
      channels = k;
    });
    modules.push({ name: "fc", shapes: { weight: [1000, 512], bias: [1000] } });
    // every tensor filled with its module's index, so we can see where it landed
    const tensors = modules.flatMap((m, i) => Object.entries(m.shapes).map(([suffix, shape]) => t(`${m.name}.${suffix}`, shape, Array(shape.reduce((a, b) => a * b, 1)).fill(i))));
    tensors.sort((a, b) => (a.name < b.name ? -1 : 1));
    const w = loadSafetensorsWeights(writeSafetensors(tensors), net, initWeights(net.graph, 0));
    const landed = net.graph.filter((n) => w.has(n.id)).map((n) => modules[w.get(n.id)!.weight![0]].name);
    assert.deepEqual(landed, modules.map((m) => m.name));
  });

  it("a wrong shape names the layer and both shapes", () => {
    const net = network("input 4x4x1\nc1: conv 2 3x3");
    const bytes = writeSafetensors([t("c1.weight", [2, 1, 5, 5]), t("c1.bias", [2])]);
    assert.throws(() => loadSafetensorsWeights(bytes, net, initWeights(net.graph, 0)), /`c1` \(conv\) \(node 1\): c1\.weight is \[2, 1, 5, 5\], the layer needs \[2, 1, 3, 3\]/);
  });

  it("cnn export --safetensors, then cnn run --weights gives the seeded run's output", () => {
    const file = join(tempDir(), "w.safetensors");
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
