// Where a prepared network's weights come from: a NetworkWeights map (copied and packed),
// or the seeded initialisation run layer by layer while packing, each tensor generated
// only when its layer is packed (and an fc matrix generated in place), so the seeded
// weights never exist twice. Both give the same values as initWeights(graph, seed).

import type { NetworkWeights } from "../api";
import { initWeights } from "../init";
import type { WeightSource } from "./steps/context";

export function fromMap(weights: NetworkWeights): WeightSource {
  return (node) => weights.get(node.id);
}

export function seeded(seed: number): WeightSource {
  return (node, allocate) => initWeights([node], seed, allocate).get(node.id);
}
