// `cnn train` against PyTorch itself: the fixtures in torch/ were made by torch 1.13
// (torch/make_fixtures.py, networks written there in PyTorch independently of the .cnn
// designs beside them): from the same starting weights, --no-shuffle on the same picture
// folder at batch 3 (7 pictures: the third batch holds one), one and three SGD steps
// (momentum 0.9, weight decay 0.01) and three Adam steps (weight decay 0.001, and none),
// PyTorch's parameters and bn running statistics after them. Every tensor of ours must
// be within 1e-4·max(1, max |torch's tensor|), on the fast engine (and on the reference
// engine for one SGD step and three Adam steps with weight decay). 18 runs of `cnn train`:
// about 25 s.
//
// One tensor is not PyTorch's to give: a conv bias that feeds a bn has a gradient of
// exactly zero (bn subtracts the channel's batch mean), which torch computes as rounding
// noise (~1e-8); without weight decay Adam turns that noise into steps of about ±lr
// (m/√v of noise is ±1), so torch's bias wanders at random. Training here keeps that
// gradient exactly zero (engine/train/backprop.ts `biasesBeforeNorm`): the bias stays
// where it started, and bn's running mean, which the bias shifts, is checked against
// torch's with torch's own bias moves (recorded step by step by the generator) taken out.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors } from "../../../engine/safetensors";
import { cnn, root, tempDir } from "../cli";

const HERE = join(root, "test", "engine", "train", "torch");

interface Run {
  optimizer: "sgd" | "adam";
  lr: number;
  momentum: number;
  weightDecay: number;
  steps: number;
}

interface Meta {
  torch: string;
  batch: number;
  runs: Record<string, Run>;
  cases: Record<string, Record<string, { c1Steps?: { bias: number[] }[] }>>;
}

const meta = JSON.parse(readFileSync(join(HERE, "case.json"), "utf8")) as Meta;

function tensors(path: string): Map<string, Float32Array> {
  return new Map(readSafetensors(new Uint8Array(readFileSync(path))).tensors.map((t) => [t.name, Float32Array.from(t.data)]));
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

describe(`cnn train against PyTorch ${meta.torch} (fixtures from torch/make_fixtures.py)`, function () {
  this.timeout(120_000);
  const worst: string[] = [];
  after(() => console.log(`      largest |ours − torch| / bound per case and run: ${worst.join("; ")}`));

  for (const [name, runs] of Object.entries(meta.cases)) {
    for (const [runName, recorded] of Object.entries(runs)) {
      const run = meta.runs[runName];
      // the fast engine (the default) on every run; the reference engine on the done-when's
      // runs (one SGD step, three Adam steps with weight decay) to keep npm test lean
      for (const engine of runName === "sgd1" || runName === "adam3" ? ["fast", "reference"] : ["fast"]) {
        it(`${name}: ${runName} (${run.optimizer}, ${run.steps} step${run.steps > 1 ? "s" : ""}, lr ${run.lr}, weight decay ${run.weightDecay}), ${engine} engine`, () => {
          const dir = join(HERE, name);
          const out = join(tempDir(), "out.safetensors");
          // the design is read from the fixture folder; its trained weights go elsewhere
          const r = cnn(
            "train", join(dir, "design.cnn"), "--data", join(dir, "pictures"), "--no-shuffle",
            "--weights", join(dir, "start.safetensors"), "--batch", String(meta.batch), "--steps", String(run.steps),
            "--optimizer", run.optimizer, "--lr", String(run.lr), ...(run.optimizer === "sgd" ? ["--momentum", String(run.momentum)] : []),
            "--weight-decay", String(run.weightDecay), "--engine", engine, "--out", out, "--json",
          );
          assert.equal(r.status, 0, r.stderr);
          assert.equal(JSON.parse(r.stdout).steps, run.steps);
          const ours = tensors(out);
          const torch = tensors(join(dir, `${runName}.safetensors`));
          const start = tensors(join(dir, "start.safetensors"));
          // torch's c1 bias moved on noise alone (no weight decay in front of it): see above
          const noise = run.weightDecay === 0 && recorded.c1Steps ? recorded.c1Steps : null;
          if (noise) {
            assert.deepEqual(ours.get("c1.bias"), start.get("c1.bias"), "a conv bias before bn: a zero gradient leaves it where it started");
            // running mean_T = 0.9·mean_{T−1} + 0.1·(batch mean of conv + bias): remove torch's bias moves
            const rm = torch.get("b1.running_mean")!;
            const b0 = start.get("c1.bias")!;
            noise.forEach((s, t) => {
              const weight = 0.1 * 0.9 ** (noise.length - 1 - t);
              for (let c = 0; c < rm.length; c++) rm[c] -= weight * (s.bias[c] - b0[c]);
            });
          }
          assert.deepEqual([...ours.keys()].sort(), [...torch.keys()].sort());
          let ratio = 0;
          for (const [tensor, ref] of torch) {
            if (noise && tensor === "c1.bias") continue;
            const got = ours.get(tensor)!;
            const bound = 1e-4 * Math.max(1, maxAbs(ref));
            for (let i = 0; i < ref.length; i++) {
              const diff = Math.abs(got[i] - ref[i]);
              ratio = Math.max(ratio, diff / bound);
              assert.ok(diff <= bound, `${tensor}[${i}]: ours ${got[i]}, torch ${ref[i]} (|diff| ${diff.toExponential(2)} > bound ${bound.toExponential(2)})`);
            }
          }
          if (engine === "fast") worst.push(`${name} ${runName} ${ratio.toFixed(3)}`);
        });
      }
    }
  }
});
