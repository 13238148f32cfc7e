// Twenty torchvision classifiers written in .cnn from torchvision's structure (issue 13):
// each gives torch's params, MACs and output shape, with no diagnostic at all. The figures
// were measured on torchvision's own modules (test/fixtures/classic/torch-counts.py, run
// once by hand with torch 1.13 / torchvision 0.14.1: trainable parameters, and forward
// hooks counting MACs by spec §6, the shape after each stage) and committed as
// torch-counts.json, so no test needs
// torch. test/fixtures/classic/derive-counts.mjs derives the same totals a third way, from
// torchvision's structure read module by module (node test/fixtures/classic/derive-counts.mjs).

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze, shapeText } from "../../analysis";

const root = join(__dirname, "..", "..", "..");

interface TorchCounts {
  torch: string;
  torchvision: string;
  /** stages: [torch's module name, C, H, W] after each top-level module, in forward order */
  models: Record<string, { params: number; macs: number; input: number[]; output: number[]; stages: [string, number, number, number][] }>;
}
const measured = JSON.parse(readFileSync(join(root, "test/fixtures/classic/torch-counts.json"), "utf8")) as TorchCounts;

// file, torchvision's name for the model
const models: [string, string][] = [
  ["test/fixtures/classic/resnet34.cnn", "resnet34"],
  ["test/fixtures/classic/resnet101.cnn", "resnet101"],
  ["test/fixtures/classic/resnet152.cnn", "resnet152"],
  ["test/fixtures/classic/wide_resnet50_2.cnn", "wide_resnet50_2"],
  ["test/fixtures/classic/resnext101_32x8d.cnn", "resnext101_32x8d"],
  ["test/fixtures/classic/vgg11.cnn", "vgg11"],
  ["test/fixtures/classic/vgg13_bn.cnn", "vgg13_bn"],
  ["test/fixtures/classic/vgg19_bn.cnn", "vgg19_bn"],
  ["test/fixtures/classic/squeezenet1_1.cnn", "squeezenet1_1"],
  ["test/fixtures/classic/densenet169.cnn", "densenet169"],
  ["test/fixtures/classic/googlenet.cnn", "googlenet"],
  ["test/fixtures/classic/inception_v3.cnn", "inception_v3"],
  ["test/fixtures/classic/mnasnet1_0.cnn", "mnasnet1_0"],
  ["test/fixtures/classic/regnetx_400mf.cnn", "regnet_x_400mf"],
  ["examples/efficientnet_b0.cnn", "efficientnet_b0"],
  ["examples/mobilenetv3_large.cnn", "mobilenet_v3_large"],
  ["examples/mobilenetv3_small.cnn", "mobilenet_v3_small"],
  ["examples/shufflenetv2.cnn", "shufflenet_v2_x1_0"],
  ["examples/convnext_tiny.cnn", "convnext_tiny"],
  ["examples/regnety_400mf.cnn", "regnet_y_400mf"],
];

describe("twenty torchvision classifiers: torch's params, MACs and output shape", () => {
  it("the figures are torch's, for all twenty", () => {
    assert.match(measured.torchvision, /^0\.14\./);
    assert.deepEqual(Object.keys(measured.models).sort(), models.map(([, name]) => name).sort());
  });

  for (const [file, name] of models) {
    const torch = measured.models[name];
    it(`${file}: ${torch.params.toLocaleString("en-US")} params, ${torch.macs.toLocaleString("en-US")} MACs → ${torch.output.join("×")} (torchvision ${name})`, () => {
      const a = analyze(readFileSync(join(root, file), "utf8"), file);
      assert.deepEqual(a.diagnostics.map((d) => d.message), []);
      assert.equal(a.networks.length, 1);
      const n = a.networks[0];
      // torch's input [C, H, W] is the .cnn's W×H×D
      const [c, h, w] = torch.input;
      assert.equal(shapeText(n.graph[0].output), `${w}×${h}×${c}`);
      assert.equal(n.params, BigInt(torch.params));
      assert.equal(n.macs, BigInt(torch.macs));
      assert.equal(shapeText(n.output), torch.output.join("×"));
      assert.equal(n.complete, true);
    });
  }

  for (const [file, name] of models) {
    it(`${file}: torch's shape after every stage, in order (${measured.models[name].stages.length} stages)`, () => {
      const graph = analyze(readFileSync(join(root, file), "utf8"), file).networks[0].graph;
      const shapes = graph.map((g) => shapeText(g.output));
      // a stage that keeps its input's shape (VGG's 7×7 adaptive pool on a 7×7 map) needs no node of its own
      let at = 0;
      let previous = "";
      for (const [label, c, h, w] of measured.models[name].stages) {
        const shape = `${w}×${h}×${c}`;
        if (shape === previous) continue;
        const i = shapes.indexOf(shape, at);
        assert.ok(i >= 0, `${name}: torch's ${label} gives ${shape}; no layer after ${at ? `layer ${at} (${shapes[at - 1]})` : "the input"} does`);
        at = i + 1;
        previous = shape;
      }
    });
  }

  it("the modern six use the new vocabulary, not stand-ins", () => {
    const ops = (file: string) => new Set<string>(analyze(readFileSync(join(root, file), "utf8"), file).networks[0].graph.map((g) => g.op));
    for (const file of ["examples/efficientnet_b0.cnn", "examples/mobilenetv3_large.cnn", "examples/mobilenetv3_small.cnn", "examples/regnety_400mf.cnn"]) {
      assert.ok(ops(file).has("mul"), `${file}: squeeze-and-excitation is a mul`);
      assert.ok(!ops(file).has("upsample"), file);
    }
    const shuffle = ops("examples/shufflenetv2.cnn");
    assert.ok(shuffle.has("slice") && shuffle.has("shuffle"));
    const convnext = ops("examples/convnext_tiny.cnn");
    for (const op of ["layernorm", "layerscale", "droppath"]) assert.ok(convnext.has(op), op);
    assert.ok(!convnext.has("bn"));
  });
});
