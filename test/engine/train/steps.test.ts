// Optimizer steps against an independent float64 reference (reference.ts): three small
// networks as the issue names them — conv/relu/pool/fc; bn with a projection residual;
// concat branches ending in softmax — one SGD step (momentum 0.9, weight decay) and three
// Adam steps (weight decay), in order (no shuffling), on both engines. Bound:
// |ours − reference| ≤ 1e-4·max(1, max |reference|) per tensor, bn's running statistics included.

import * as assert from "node:assert/strict";
import { train } from "../../../engine/train/trainer";
import { trainEngines } from "../../../engine/train/engines";
import { network as trainNet } from "../nets";
import { ADAM, assertMatches, referenceSteps, SGD, seededDataset, startingWeights, STEP_NETS } from "./reference";

describe("training: optimizer steps against a float64 reference (finite-difference gradients)", () => {
  for (const [name, text] of Object.entries(STEP_NETS)) {
    for (const engine of Object.keys(trainEngines)) {
      for (const [label, o, steps] of [["one SGD step (momentum 0.9, weight decay 0.01)", SGD, 1], ["three Adam steps (weight decay 0.001)", ADAM, 3]] as const) {
        it(`${name}: ${label}, ${engine} engine`, async () => {
          const net = trainNet(text);
          const data = seededDataset(net, 7, 3);
          const start = startingWeights(net, 11);
          const expected = referenceSteps(net, start, data, 3, steps, o);
          const result = await train({ network: net, weights: start, train: data, epochs: 0, steps, batch: 3, seed: 0, shuffle: false, optimizer: o, engine: trainEngines[engine] });
          assert.equal(result.steps, steps);
          assertMatches(net, result.weights, expected, `${name}, ${label}`);
        });
      }
    }
  }
});
