// Twenty torchvision classifiers written in .cnn from torchvision's structure (issue 13):
// each gives torch's params (torchvision's published num_params), MACs as spec §6 counts
// them (derived independently of the analysis by test/fixtures/classic/derive-counts.mjs,
// from the same structure) and the output shape [1000], with no diagnostic at all.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze, shapeText } from "../../analysis";

const root = join(__dirname, "..", "..", "..");

// file, params, MACs
const models: [string, bigint, bigint][] = [
  ["test/fixtures/classic/resnet34.cnn", 21_797_672n, 3_663_761_408n],
  ["test/fixtures/classic/resnet101.cnn", 44_549_160n, 7_801_405_440n],
  ["test/fixtures/classic/resnet152.cnn", 60_192_808n, 11_513_626_624n],
  ["test/fixtures/classic/wide_resnet50_2.cnn", 68_883_240n, 11_398_021_120n],
  ["test/fixtures/classic/resnext101_32x8d.cnn", 88_791_336n, 16_414_015_488n],
  ["test/fixtures/classic/vgg11.cnn", 132_863_336n, 7_609_090_048n],
  ["test/fixtures/classic/vgg13_bn.cnn", 133_053_736n, 11_308_466_176n],
  ["test/fixtures/classic/vgg19_bn.cnn", 143_678_248n, 19_632_062_464n],
  ["test/fixtures/classic/squeezenet1_1.cnn", 1_235_496n, 349_151_936n],
  ["test/fixtures/classic/densenet169.cnn", 14_149_480n, 3_359_843_328n],
  ["test/fixtures/classic/googlenet.cnn", 6_624_904n, 1_498_376_192n],
  ["test/fixtures/classic/inception_v3.cnn", 23_834_568n, 5_713_216_096n],
  ["test/fixtures/classic/mnasnet1_0.cnn", 4_383_312n, 314_415_872n],
  ["test/fixtures/classic/regnetx_400mf.cnn", 5_495_976n, 413_812_608n],
  ["examples/efficientnet_b0.cnn", 5_288_548n, 385_814_752n],
  ["examples/mobilenetv3_large.cnn", 5_483_032n, 216_589_760n],
  ["examples/mobilenetv3_small.cnn", 2_542_856n, 56_510_400n],
  ["examples/shufflenetv2.cnn", 2_278_604n, 144_907_992n],
  ["examples/convnext_tiny.cnn", 28_589_128n, 4_455_531_264n],
  ["examples/regnety_400mf.cnn", 4_344_144n, 401_842_848n],
];

describe("twenty torchvision classifiers: torch's params, MACs and output shape", () => {
  for (const [file, params, macs] of models) {
    it(`${file}: ${params.toLocaleString("en-US")} params, ${macs.toLocaleString("en-US")} MACs → 1000`, () => {
      const a = analyze(readFileSync(join(root, file), "utf8"), file);
      assert.deepEqual(a.diagnostics.map((d) => d.message), []);
      assert.equal(a.networks.length, 1);
      const n = a.networks[0];
      assert.equal(n.params, params);
      assert.equal(n.macs, macs);
      assert.equal(shapeText(n.output), "1000");
      assert.equal(n.complete, true);
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
