// Training engines by name (`cnn train --engine NAME`): `fast` (WebAssembly SIMD for the
// layers with filters) where WebAssembly SIMD validates, `reference` everywhere.

import { ReferenceEngine, type EngineSetup, type TrainEngine } from "./engine";
import { FastEngine } from "./fast/engine";

export const trainEngines: Record<string, (setup: EngineSetup) => TrainEngine | Promise<TrainEngine>> = {
  fast: (setup) => FastEngine.create(setup),
  reference: (setup) => new ReferenceEngine(setup),
};

export function defaultTrainEngine(): string {
  return FastEngine.available() ? "fast" : "reference";
}
