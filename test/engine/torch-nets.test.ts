// Real PyTorch state_dicts (test/engine/fixtures/torch, made by make-torch-nets.py with
// torchvision 0.14): a small torchvision DenseNet and Inception-v3's InceptionA, random BN
// statistics, eval(). The designs below are written from torchvision's definitions, the
// weights loaded by the matching rule, and the output must be torch's within
// 1e-4·max(1, max |ref|) — or the load refused with the names, never a silent mix-up.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { NetworkResult } from "../../analysis";
import { initWeights } from "../../engine/init";
import { ReferenceExecutor } from "../../engine/reference";
import { readWeightsFile } from "../../engine/weights-file";
import { network } from "./nets";

const fixtures = join(__dirname, "../../../test/engine/fixtures/torch");

async function runAgainstTorch(net: NetworkResult, name: string): Promise<void> {
  const ref = JSON.parse(readFileSync(join(fixtures, `${name}.json`), "utf8")) as { input: number[]; output: number[] };
  const loaded = readWeightsFile(readFileSync(join(fixtures, `${name}.safetensors`)), net, initWeights(net.graph, 0));
  assert.deepEqual(loaded.notes, []);
  const out = await new ReferenceExecutor().run(net.graph, loaded.weights, Float32Array.from(ref.input));
  assert.equal(out.length, ref.output.length);
  const bound = 1e-4 * Math.max(1, ...ref.output.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - ref.output[i]));
  assert.ok(worst <= bound, `max |diff| ${worst} > ${bound}`);
}

// torchvision.models.DenseNet(growth_rate=4, block_config=(2, 3), num_init_features=8, bn_size=2, num_classes=10)
const DENSENET = `
block DenseLayer() {
  concat {
    branch { }
    branch { bn; relu; conv 8 1x1 nobias; bn; relu; conv 4 3x3 pad 1 nobias }
  }
}
network DenseNetTiny {
  input 32x32x3
  conv 8 7x7 stride 2 pad 3 nobias floor
  bn
  relu
  maxpool 3x3 stride 2 pad 1 floor
  repeat 2 { DenseLayer() }
  bn; relu; conv 8 1x1 nobias; avgpool 2
  repeat 3 { DenseLayer() }
  bn
  relu
  gap
  fc 10
}`;

// torchvision.models.inception.InceptionA(16, pool_features=8); BasicConv2d: conv without bias, bn eps 0.001, relu
const INCEPTION_A = (labelled: boolean) => `
block BasicConv(k, f, p = 0) {
  ${labelled ? "conv: " : ""}conv k f pad p nobias
  ${labelled ? "bn: " : ""}bn eps 0.001
  relu
}
network InceptionA {
  input 5x5x16
  concat {
    branch { ${labelled ? "branch1x1: " : ""}BasicConv(64, 1) }
    branch { ${labelled ? "branch5x5_1: " : ""}BasicConv(48, 1); ${labelled ? "branch5x5_2: " : ""}BasicConv(64, 5, 2) }
    branch { ${labelled ? "branch3x3dbl_1: " : ""}BasicConv(64, 1); ${labelled ? "branch3x3dbl_2: " : ""}BasicConv(96, 3, 1); ${labelled ? "branch3x3dbl_3: " : ""}BasicConv(96, 3, 1) }
    branch { avgpool 3x3 stride 1 pad 1; ${labelled ? "branch_pool: " : ""}BasicConv(8, 1) }
  }
}`;

describe("torch's own state_dicts (torchvision, eval, random BN statistics)", () => {
  it("DenseNet without a label: every module in its place, torch's output", async () => {
    await runAgainstTorch(network(DENSENET), "densenet_tiny");
  });

  it("Inception-v3's InceptionA labelled in its body: torch's output", async () => {
    await runAgainstTorch(network(INCEPTION_A(true)), "inception_a");
  });

  it("InceptionA without labels: refused, naming branch1x1 and branch3x3dbl_1", () => {
    const net = network(INCEPTION_A(false));
    assert.throws(() => readWeightsFile(readFileSync(join(fixtures, "inception_a.safetensors")), net, initWeights(net.graph, 0)), /more than one way[\s\S]*branch1x1\.conv or branch3x3dbl_1\.conv|more than one way[\s\S]*branch3x3dbl_1\.conv or branch1x1\.conv/);
  });
});
