// Every example analyzes without an error; the torchvision ones give torchvision's
// published counts exactly (params as torch.nn counts them, MACs as torchinfo does).

import * as assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { analyze, shapeText, type NodeOf } from "../../analysis";

const root = join(__dirname, "..", "..", "..");
const load = (file: string) => analyze(readFileSync(join(root, "examples", file), "utf8"), file);

const torchvision: [string, bigint, bigint][] = [
  ["alexnet.cnn", 61_100_840n, 714_188_480n],
  ["vgg16.cnn", 138_357_544n, 15_470_264_320n],
  ["resnet18.cnn", 11_689_512n, 1_814_073_344n],
  ["resnet50.cnn", 25_557_032n, 4_089_184_256n],
  // MACs as torchinfo's 11.51 G and 3.36 G, and as the conv and fc sizes give them, summed apart
  ["resnet152.cnn", 60_192_808n, 11_513_626_624n],
  ["densenet169.cnn", 14_149_480n, 3_359_843_328n],
  ["mobilenetv2.cnn", 3_504_872n, 300_774_272n],
];

describe("examples", () => {
  for (const [file, params, macs] of torchvision) {
    it(`${file}: ${params} params and ${macs} MACs, as torchvision`, () => {
      const a = load(file);
      assert.deepEqual(a.diagnostics, []);
      const n = a.networks[0];
      assert.equal(n.params, params);
      assert.equal(n.macs, macs);
      assert.equal(shapeText(n.output), "1000");
      assert.equal(n.complete, true);
    });
  }

  it("LeNet-5: 61,706 params, 10 outputs", () => {
    const n = load("lenet5.cnn").networks[0];
    assert.equal(n.params, 61_706n);
    assert.equal(shapeText(n.output), "10");
  });

  it("the inception module stacks 64 + 128 + 32 + 32 = 256 channels", () => {
    const n = load("inception.cnn").networks[0];
    assert.equal(shapeText(n.output), "28×28×256");
    assert.equal(n.params, 163_696n);
  });

  it("the DenseNet block grows 64 + 6·32 = 256 channels before its transition", () => {
    const a = load("densenet_block.cnn");
    const n = a.networks[0];
    const repeat = n.statements.find((s) => s.kind === "repeat")!;
    assert.equal(shapeText(repeat.output), "56×56×256");
    assert.equal(shapeText(n.output), "28×28×128");
  });

  it("the U-Net comes back to its input size", () => {
    const n = load("unet_small.cnn").networks[0];
    assert.equal(shapeText(n.output), "64×64×2");
    assert.ok(n.graph.some((g) => g.op === "deconv"));
  });

  it("course: 10 5x5 filters on 32x32x3, stride 1, pad 2 → 32×32×10, 760 params", () => {
    const n = load("course/conv_params.cnn").networks[0];
    assert.equal(shapeText(n.output), "32×32×10");
    assert.equal(n.params, 760n);
  });

  it("course: a 3x3 filter on 7x7 at stride 3 doesn't fit (a warning, not an error)", () => {
    const a = load("course/stride_fit.cnn");
    assert.deepEqual(a.diagnostics.map((d) => [d.code, d.severity]), [["stride-misfit", "warning"]]);
  });

  it("course: a depthwise 3x3 over 32 channels has 288 weights", () => {
    assert.equal(load("course/depthwise.cnn").networks[0].params, 288n);
  });

  it("course: edge detection carries the literal image and filter", () => {
    const n = load("course/edge_detection.cnn").networks[0];
    assert.deepEqual([n.graph[0].op, n.graph[1].op], ["input", "conv"]);
    assert.equal((n.graph[0] as NodeOf<"input">).attrs.data!.length, 36);
    assert.deepEqual((n.graph[1] as NodeOf<"conv">).attrs.weights, [1, 0, -1, 1, 0, -1, 1, 0, -1]);
    assert.equal(shapeText(n.output), "4×4×1");
  });

  it("no example has an error", () => {
    const files = readdirSync(join(root, "examples"), { recursive: true }).map(String).filter((f) => f.endsWith(".cnn"));
    assert.ok(files.length >= 13);
    for (const f of files) {
      const errors = load(f).diagnostics.filter((d) => d.severity === "error");
      assert.deepEqual(errors, [], f);
    }
  });
});
