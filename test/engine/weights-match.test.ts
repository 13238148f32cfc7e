// Which tensor goes to which layer: by module path where the labels give one, else by an
// order the file's names allow, and only when that order is the only one (docs/ENGINE.md,
// "Weights files"). The files here are written as PyTorch writes a state_dict (torch's
// names and shapes, num_batches_tracked as int64, names sorted) from torchvision's module
// lists (./torch-names.ts), never from the design.

import * as assert from "node:assert/strict";
import { join } from "node:path";
import type { NetworkResult } from "../../analysis";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import type { NetworkWeights } from "../../engine/api";
import { readSafetensors } from "../../engine/safetensors";
import { readWeightsFile, weightsToSafetensors, WeightsMismatchError } from "../../engine/weights-file";
import { network } from "./nets";
import { cnn, root, tempDir } from "./cli";
import { readFileSync, writeFileSync } from "node:fs";
import { basicConv, bn, conv, convnextTiny, densenet, inceptionA, inceptionV3, linear, resnetBasic, torchSafetensors, type Module } from "./torch-names";
import { modulePathOf } from "../../analysis/paths";

/** the module each learning layer got, in graph order (tensors hold their module's index) */
function landed(net: NetworkResult, weights: NetworkWeights, modules: Module[]): string[] {
  return net.graph.filter((n) => weights.get(n.id)?.weight).map((n) => modules[weights.get(n.id)!.weight![0]].name);
}

function load(net: NetworkResult, bytes: Uint8Array) {
  return readWeightsFile(bytes, net, initWeights(net.graph, 0));
}

const RESNET_BLOCKS = `
block Basic(k) {
  residual {
    conv1: conv k 3x3 pad 1 nobias
    bn1: bn
    relu
    conv2: conv k 3x3 pad 1 nobias
    bn2: bn
  }
  relu
}
block Down(k) {
  residual {
    conv1: conv k 3x3 stride 2 pad 1 nobias floor
    bn1: bn
    relu
    conv2: conv k 3x3 pad 1 nobias
    bn2: bn
  } shortcut {
    downsample.0: conv k 1x1 stride 2 nobias floor
    downsample.1: bn
  }
  relu
}
`;

/** torchvision's resnet18, labelled with torch's module paths (a block use's label prefixes its body's labels) */
const RESNET18_LABELLED = `${RESNET_BLOCKS}
network ResNet18 {
  input 32x32x3
  conv1: conv 64 7x7 stride 2 pad 3 nobias floor
  bn1: bn
  relu
  maxpool 3x3 stride 2 pad 1 floor
  layer1: repeat 2 { Basic(64) }
  layer2.0: Down(128)
  layer2.1: Basic(128)
  layer3.0: Down(256)
  layer3.1: Basic(256)
  layer4.0: Down(512)
  layer4.1: Basic(512)
  gap
  fc: fc 1000
}`;

describe("weights by torch's module paths", () => {
  it("a labelled torchvision ResNet-18 takes a state_dict saved under torch's names unchanged, every layer by name", async () => {
    const net = network(RESNET18_LABELLED);
    const modules = resnetBasic([2, 2, 2, 2]);
    const loaded = load(net, torchSafetensors(modules));
    assert.equal(loaded.byName, modules.length);
    assert.equal(loaded.byOrder, 0);
    assert.deepEqual(loaded.notes, []);
    assert.deepEqual(landed(net, loaded.weights, modules), modules.map((m) => m.name));
    // bn's four tensors each in its place (torch's order: weight, bias, running_mean, running_var)
    const bn1 = net.graph.find((n) => n.label === "bn1" && n.scope.length === 0)!;
    const values = torchSafetensors(modules, (m, suffix) => m * 10 + ["weight", "bias", "running_mean", "running_var"].indexOf(suffix));
    const p = load(net, values).weights.get(bn1.id)!;
    assert.deepEqual([p.weight![0], p.bias![0], p.runningMean![0], p.runningVar![0]], [10, 11, 12, 13]);
    // and it runs: the same output as the weights placed by hand in torch's order
    const byHand: NetworkWeights = initWeights(net.graph, 0);
    const file = readWeightsFile(torchSafetensors(modules, (m, s, i) => Math.sin(m * 7 + i) * 0.1 + (s === "running_var" ? 1 : 0)), net, byHand);
    const input = networkInput(net.graph[0], { sample: "shapes" }, 0).data;
    const out = await new ReferenceExecutor().run(net.graph, file.weights, input);
    assert.equal(out.length, 1000);
    assert.ok(out.every(Number.isFinite));
  });

  it("labels may be module paths: dotted, with numeric parts, or a number alone", () => {
    const net = network("input 8x8x1\nfeatures.0: conv 4 3x3\nrelu\nfeatures.3: conv 2 3x3\n0: flatten\nclassifier.6: fc 3");
    const modules = [conv("features.0", 4, 1, 3, 3, true), conv("features.3", 2, 4, 3, 3, true), linear("classifier.6", 3, 32)];
    const loaded = load(net, torchSafetensors(modules));
    assert.equal(loaded.byName, 3);
    assert.deepEqual(landed(net, loaded.weights, modules), ["features.0", "features.3", "classifier.6"]);
  });

  it("a tensor whose shape differs only by trailing 1s holds the same values in the same order: an nn.Linear's [O, I] loads into a 1×1 conv", async () => {
    // ConvNeXt's pointwise layers are nn.Linear in torchvision, `conv 4C 1x1` in a design
    const net = network("input 2x2x3\npw1: conv 6 1x1\nrelu\npw2: conv 3 1x1");
    const modules = [linear("pw1", 6, 3), linear("pw2", 3, 6)];
    const loaded = load(net, torchSafetensors(modules, (m, suffix, i) => m * 100 + i * 0.01 + (suffix === "bias" ? 0.5 : 0)));
    assert.equal(loaded.byName, 2);
    const pw1 = net.graph.find((n) => n.label === "pw1")!;
    assert.deepEqual(Array.from(loaded.weights.get(pw1.id)!.weight!.slice(0, 3)), [0, 0.01, 0.02].map(Math.fround));
    // the number of values decides nothing by itself: [3, 6] is not [6, 3, 1, 1]
    assert.throws(() => load(net, torchSafetensors([linear("pw1", 3, 6), linear("pw2", 3, 6)])), /pw1\.weight is \[3, 6\], the layer needs \[6, 3, 1, 1\]/);
  });

  it("a bare nn.Parameter (ConvNeXt's `features.1.0.layer_scale`, [C, 1, 1]) is the weight of the layer at its path; a second tensor for it is an error", () => {
    const net = network("input 2x2x4\nfeatures.1.0: conv 4 1x1\nfeatures.1.0.layer_scale: layerscale");
    const modules: Module[] = [conv("features.1.0", 4, 4, 1, 1, true), { name: "features.1.0", shapes: { layer_scale: [4, 1, 1] } }];
    const loaded = load(net, torchSafetensors(modules, (m, _suffix, i) => m * 10 + i));
    assert.equal(loaded.byName, 2);
    const scale = net.graph.find((n) => n.op === "layerscale")!;
    assert.deepEqual(Array.from(loaded.weights.get(scale.id)!.weight!), [10, 11, 12, 13]);
    // `a.b` bare and `a.b.weight` would both be the weight of `a.b`: never one of them in silence
    const twice: Module[] = [{ name: "a", shapes: { b: [4] } }, { name: "a.b", shapes: { weight: [4] } }];
    assert.throws(() => load(network("input 2x2x4\na.b: layerscale"), torchSafetensors(twice)), /a\.b and a\.b\.weight both name the weight of `a\.b`|a\.b\.weight and a\.b both name the weight of `a\.b`/);
  });

  it("examples/convnext_tiny.cnn takes torchvision's convnext_tiny state_dict by name: every module at its own layer (layer_scale comes first in torch's order)", () => {
    const net = network(readFileSync(join(root, "examples/convnext_tiny.cnn"), "utf8"));
    const modules = convnextTiny();
    // torch's count of the modules listed: the example's, and torchvision's 28,589,128
    const values = modules.reduce((a, m) => a + Object.values(m.shapes).reduce((b, d) => b + d.reduce((x, y) => x * y, 1), 0), 0);
    assert.equal(values, 28_589_128);
    assert.equal(net.params, 28_589_128n);
    const loaded = load(net, torchSafetensors(modules));
    assert.deepEqual([loaded.byName, loaded.byOrder, loaded.notes], [modules.length, 0, []]);
    // each layer got its own module's values (a bare layer_scale is the weight of `….layer_scale`)
    const paths = net.graph.filter((n) => loaded.weights.get(n.id)?.weight).map((n) => (modulePathOf(n.scope, n.label) ?? "").replace(/\.layer_scale$/, ""));
    assert.deepEqual(landed(net, loaded.weights, modules), paths);
    assert.equal(paths.length, modules.length);
  });

  it("an exact name with a wrong shape is an error naming the layer, the tensor and both shapes", () => {
    const net = network("input 8x8x1\nfeatures.0: conv 4 3x3");
    assert.throws(() => load(net, torchSafetensors([conv("features.0", 4, 1, 5, 5, true)])), /`features\.0` \(conv\) \(node 1\): features\.0\.weight is \[4, 1, 5, 5\], the layer needs \[4, 1, 3, 3\]/);
  });
});

describe("weights by an order the names allow, only when it is the only one", () => {
  it("an unlabelled ResNet-18 (examples/resnet18.cnn's blocks) gets every module right: module runs, conv1 before conv2", () => {
    const net = network(`${RESNET_BLOCKS.replace(/ (conv1|bn1|conv2|bn2|downsample\.0|downsample\.1): /g, " ")}
network R { input 32x32x3; conv 64 7x7 stride 2 pad 3 nobias floor; bn; relu; maxpool 3x3 stride 2 pad 1 floor
  repeat 2 { Basic(64) }; Down(128); Basic(128); Down(256); Basic(256); Down(512); Basic(512); gap; fc 1000 }`);
    const modules = resnetBasic([2, 2, 2, 2]);
    const loaded = load(net, torchSafetensors(modules));
    assert.equal(loaded.byOrder, modules.length);
    assert.deepEqual(landed(net, loaded.weights, modules), modules.map((m) => m.name));
  });

  const DENSE = `
block DenseLayer(g) {
  concat {
    branch { }
    branch { bn; relu; conv 4*g 1x1 nobias; bn; relu; conv g 3x3 pad 1 nobias }
  }
}
network DenseNet {
  input 32x32x3
  conv 8 7x7 stride 2 pad 3 nobias floor
  bn
  relu
  maxpool 3x3 stride 2 pad 1 floor
  repeat 3 { DenseLayer(4) }
  bn; relu; conv 10 1x1 nobias; avgpool 2
  repeat 3 { DenseLayer(4) }
  bn
  relu
  gap
  fc 10
}`;

  it("DenseNet unlabelled: features.norm0 goes to the stem's bn, not to denselayer1.norm1 of the same shape", () => {
    const net = network(DENSE);
    const modules = densenet(4, [3, 3], 8, 4, 10);
    // the two same-shaped bns the old first-fit rule swapped
    assert.deepEqual(modules.find((m) => m.name === "features.norm0")!.shapes.weight, modules.find((m) => m.name === "features.denseblock1.denselayer1.norm1")!.shapes.weight);
    const loaded = load(net, torchSafetensors(modules));
    assert.deepEqual(landed(net, loaded.weights, modules), modules.map((m) => m.name));
    assert.deepEqual(loaded.notes, []);
  });

  it("a larger DenseNet (121's growth 32, blocks 6-12-24-16) is matched as fast as it is right", () => {
    const blocks = [6, 12, 24, 16];
    const body = blocks.map((n, i) => `repeat ${n} { DenseLayer(32) }${i < 3 ? "; bn; relu; conv " + [128, 256, 512][i] + " 1x1 nobias; avgpool 2" : ""}`).join("\n  ");
    const net = network(DENSE.replace(/network DenseNet \{[\s\S]*/, `network D121 {\n  input 224x224x3\n  conv 64 7x7 stride 2 pad 3 nobias floor; bn; relu; maxpool 3x3 stride 2 pad 1 floor\n  ${body}\n  bn; relu; gap; fc 1000\n}`));
    const modules = densenet(32, blocks, 64);
    const started = Date.now();
    const loaded = load(net, torchSafetensors(modules));
    assert.deepEqual(landed(net, loaded.weights, modules), modules.map((m) => m.name));
    assert.ok(Date.now() - started < 20_000);
  });

  const INCEPTION = (labelled: boolean, uses: string) => `
block BasicConv(k, f, p = 0) {
  ${labelled ? "conv: " : ""}conv k f pad p nobias
  ${labelled ? "bn: " : ""}bn eps 0.001
  relu
}
block InceptionA(pool) {
  concat {
    branch { ${labelled ? "branch1x1: " : ""}BasicConv(64, 1) }
    branch { ${labelled ? "branch5x5_1: " : ""}BasicConv(48, 1); ${labelled ? "branch5x5_2: " : ""}BasicConv(64, 5, 2) }
    branch { ${labelled ? "branch3x3dbl_1: " : ""}BasicConv(64, 1); ${labelled ? "branch3x3dbl_2: " : ""}BasicConv(96, 3, 1); ${labelled ? "branch3x3dbl_3: " : ""}BasicConv(96, 3, 1) }
    branch { avgpool 3x3 stride 1 pad 1; ${labelled ? "branch_pool: " : ""}BasicConv(pool, 1) }
  }
}
network Mixed { input 9x9x192; ${uses} }`;

  it("Inception-v3's Mixed_5b unlabelled: refused, naming the layers and the tensors that could go either way", () => {
    const net = network(INCEPTION(false, "InceptionA(32)"));
    const modules = inceptionA("Mixed_5b", 192, 32);
    assert.throws(
      () => load(net, torchSafetensors(modules)),
      (e: Error) => {
        assert.ok(e instanceof WeightsMismatchError);
        assert.match(e.message, /more than one way/);
        assert.match(e.message, /Mixed_5b\.branch1x1\.conv or Mixed_5b\.branch3x3dbl_1\.conv/);
        assert.match(e.message, /Mixed_5b\.branch3x3dbl_1\.bn or Mixed_5b\.branch1x1\.bn|Mixed_5b\.branch1x1\.bn or Mixed_5b\.branch3x3dbl_1\.bn/);
        return true;
      },
    );
  });

  it("Inception-v3 labelled in the block bodies only: torch's names, the uses unlabelled, every module right", () => {
    const net = network(INCEPTION(true, "InceptionA(32); InceptionA(64)"));
    const modules = [...inceptionA("Mixed_5b", 192, 32), ...inceptionA("Mixed_5c", 256, 64)];
    const loaded = load(net, torchSafetensors(modules));
    assert.deepEqual(landed(net, loaded.weights, modules), modules.map((m) => m.name));
    assert.equal(loaded.byName, 0);
  });

  it("Inception-v3 labelled in full (`Mixed_5b: InceptionA(32)`): every module by name", () => {
    const net = network(INCEPTION(true, "Mixed_5b: InceptionA(32); Mixed_5c: InceptionA(64)"));
    const modules = [...inceptionA("Mixed_5b", 192, 32), ...inceptionA("Mixed_5c", 256, 64)];
    const loaded = load(net, torchSafetensors(modules));
    assert.equal(loaded.byName, modules.length);
    assert.deepEqual(landed(net, loaded.weights, modules), modules.map((m) => m.name));
  });

  it("tensors no layer takes (Inception's AuxLogits) are reported, by module, and the rest loads", () => {
    const net = network(INCEPTION(true, "Mixed_5b: InceptionA(32)"));
    const modules = [...inceptionA("Mixed_5b", 192, 32), ...basicConv("AuxLogits.conv0", 128, 768, 1), linear("AuxLogits.fc", 1000, 768)];
    const loaded = load(net, torchSafetensors(modules));
    assert.deepEqual(loaded.notes, ["not used by any layer: AuxLogits.* (7 tensors)"]);
    assert.deepEqual(landed(net, loaded.weights, modules), modules.slice(0, 14).map((m) => m.name));
  });

  it("a ResNet-34 file for a ResNet-18 design is refused: only whole top-level modules may be left over", () => {
    const net = network(RESNET18_LABELLED.replace(/layer(\d)(\.\d)?: /g, ""));
    assert.throws(() => load(net, torchSafetensors(resnetBasic([3, 4, 6, 3]))), /the file has 72 tensor groups for the 40 layers matched by order, and what would be left over is not whole top-level modules/);
  });

  it("which whole module to leave out must be sure too: two same-shaped heads, one design head", () => {
    const net = network("input 4x4x1\nconv 2 3x3\nflatten\nfc 3");
    const modules = [conv("features.0", 2, 1, 3, 3, true), linear("head_a", 3, 8), linear("head_b", 3, 8)];
    assert.throws(() => load(net, torchSafetensors(modules)), /more than one way[\s\S]*fc \(node 3\): head_(a|b) or head_(b|a)[\s\S]*which to leave out is not sure either/);
  });

  it("a label that names nothing in the file is reported; its layer is matched by order", () => {
    const net = network("input 8x8x1\nstem: conv 4 3x3\nrelu\nconv 2 3x3\nflatten\nhead: fc 3");
    const modules = [conv("features.0", 4, 1, 3, 3, true), conv("features.3", 2, 4, 3, 3, true), linear("classifier", 3, 32)];
    const loaded = load(net, torchSafetensors(modules));
    assert.deepEqual(landed(net, loaded.weights, modules), ["features.0", "features.3", "classifier"]);
    assert.deepEqual(loaded.notes, ["labels `stem`, `head` name no tensors in the file; their layers were matched by order"]);
  });

  it("a label settles what shapes and names cannot: unrelated names in any order are refused, a block use's label as scope decides", () => {
    const design = (use: string) => `block Head() { conv 4 3x3 pad 1; relu; conv 4 1x1 }\nnetwork N { input 8x8x4; Head(); ${use}Head() }`;
    const modules = [conv("main.0", 4, 4, 3, 3, true), conv("main.2", 4, 4, 1, 1, true), conv("aux.0", 4, 4, 3, 3, true), conv("aux.2", 4, 4, 1, 1, true)];
    assert.throws(() => load(network(design("")), torchSafetensors(modules)), /more than one way[^\n]*\n  conv \(node 1\): (aux\.0 or main\.0|main\.0 or aux\.0)\n/);
    const net = network(design("aux: "));
    assert.deepEqual(landed(net, load(net, torchSafetensors(modules)).weights, modules), ["main.0", "main.2", "aux.0", "aux.2"]);
  });

  it("numbered siblings keep their numbers' order: a design that puts conv2 first is refused", () => {
    const net = network("input 8x8x4\nconv2: conv 4 3x3 pad 1\nconv 4 3x3 pad 1");
    assert.throws(() => load(net, torchSafetensors([conv("block.conv1", 4, 4, 3, 3, true), conv("block.conv2", 4, 4, 3, 3, true)])), /cannot take the file's tensors in an order its names allow/);
  });

  it("layers no tensor fits are an error listing each with what it needs", () => {
    const net = network("input 8x8x1\nconv 4 3x3\nrelu\nconv 5 3x3\nflatten\nfc 3");
    assert.throws(
      () => load(net, torchSafetensors([conv("features.0", 4, 1, 3, 3, true), conv("features.3", 2, 4, 3, 3, true), linear("classifier", 3, 32)])),
      /2 layers get no weights from the file:\n  conv \(node 3\) needs weight \[5, 4, 3, 3\], bias \[5\]; no tensor group left in the file fits it \(closest by kind: .*features\.3\.weight is \[2, 4, 3, 3\], the layer needs \[5, 4, 3, 3\]\)\n  fc \(node 5\) needs weight \[3, 80\], bias \[3\]; .*classifier\.weight is \[3, 32\]/,
    );
  });

  it("a design whose order the file's names forbid is refused, naming where it stops", () => {
    // features.3 must come after features.0 (numbered siblings keep their order)
    const net = network("input 8x8x2\nconv 2 1x1\nconv 2 3x3 pad 1\nconv 2 1x1 nobias");
    const modules = [conv("features.0", 2, 2, 3, 3, true), conv("features.3", 2, 2, 1, 1, true), conv("x", 2, 2, 1, 1)];
    assert.throws(() => load(net, torchSafetensors(modules)), /cannot take the file's tensors in an order its names allow: conv \(node 2\) fits features\.0 by shape, but none of them can come next after conv \(node 1\) took features\.3/);
  });

  it("files this product wrote read back, whatever labels repeat (module paths, layers_ID beside the labels)", async () => {
    const net = network(`${RESNET_BLOCKS}
network R { input 32x32x3; stem: conv 64 3x3 pad 1 nobias; bn; relu; layer1: repeat 2 { Basic(64) }; Down(128); Basic(128); gap; fc 10 }`);
    const seeded = initWeights(net.graph, 5);
    const bytes = weightsToSafetensors(net, seeded);
    const names = readSafetensors(bytes).tensors.map((t) => t.name.replace(/\.(weight|bias|running_mean|running_var)$/, ""));
    assert.ok(names.includes("stem") && names.includes("layer1.1.conv2") && names.includes("downsample.0") && names.some((n) => /^layers_\d+\.conv1$/.test(n)) && names.some((n) => /^layers_\d+$/.test(n)), names.join(" "));
    const back = load(net, bytes).weights;
    const input = networkInput(net.graph[0], { sample: "noise" }, 1).data;
    const a = await new ReferenceExecutor().run(net.graph, seeded, input);
    const b = await new ReferenceExecutor().run(net.graph, back, input);
    assert.deepEqual(Array.from(b), Array.from(a));
  });

  it("files written before module paths (`layers.N` for the unlabelled) still read", () => {
    const net = network("input 4x4x1\nstem: conv 2 3x3\nbn\nflatten\nfc 3");
    const modules = [conv("stem", 2, 1, 3, 3, true), bn("layers.2", 2), linear("layers.4", 3, 8)];
    assert.deepEqual(landed(net, load(net, torchSafetensors(modules)).weights, modules), ["stem", "layers.2", "layers.4"]);
  });

  it("cnn run --weights prints what it left unused and loads the rest; a refusal exits 1 with the layers' lines", () => {
    const dir = tempDir({
      "net.cnn": INCEPTION(true, "Mixed_5b: InceptionA(32)"),
      "plain.cnn": INCEPTION(false, "InceptionA(32)"),
    });
    const modules = [...inceptionA("Mixed_5b", 192, 32), linear("AuxLogits.fc", 1000, 768)];
    writeFileSync(join(dir, "w.safetensors"), torchSafetensors(modules, (m, s, i) => (s === "running_var" ? 1 : Math.cos(m + i) * 0.05)));
    const ok = cnn("run", join(dir, "net.cnn"), "--weights", join(dir, "w.safetensors"), "--sample", "noise");
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /w\.safetensors: warning: not used by any layer: AuxLogits\.\* \(2 tensors\)/);
    const refused = cnn("run", join(dir, "plain.cnn"), "--weights", join(dir, "w.safetensors"));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /more than one way/);
    assert.match(refused.stderr, /plain\.cnn:9: BasicConv\(64, 1\)|plain\.cnn:3: conv k f pad p nobias/);
  });

  it("examples/inception_v3.cnn: torchvision's whole inception_v3 state_dict, saved under torch's names, loads by name, module by module; unlabelled it is refused", () => {
    const text = readFileSync(join(root, "examples/inception_v3.cnn"), "utf8");
    const net = network(text);
    // torch's counts (torchvision 0.14, eval, aux_logits off: sum of p.numel(); conv and linear mult-adds by forward hooks)
    assert.equal(net.params, 23_834_568n);
    assert.equal(net.macs, 5_713_216_096n);
    const modules = inceptionV3();
    const loaded = load(net, torchSafetensors(modules));
    const used = modules.filter((m) => !m.name.startsWith("AuxLogits."));
    assert.equal(loaded.byName, used.length);
    assert.deepEqual(landed(net, loaded.weights, modules), used.map((m) => m.name));
    assert.deepEqual(loaded.notes, ["not used by any layer: AuxLogits.* (12 tensors)"]);
    // the same design without its labels: BasicConv's conv/bn only, the uses and branches bare
    const bareText = text.replace(/^(\s*)(?:[A-Za-z0-9_]+: )(?=[A-Z])/gm, "$1").replace(/(branch \{ |; )[A-Za-z0-9_]+: /g, "$1");
    assert.doesNotMatch(bareText, /Mixed_\w+:|branch\w*:|Conv2d_\w+:/);
    const bare = network(bareText);
    assert.throws(() => load(bare, torchSafetensors(modules)), (e: Error) => e instanceof WeightsMismatchError && /more than one way/.test(e.message) && /Mixed_\d[a-e]\.branch1x1\.conv or Mixed_\d[a-e]\.branch\w+\.conv/.test(e.message));
  });
});
