// Our WebAssembly executor, prepared from the seeded weights layer by layer (the same
// values initWeights gives the peers), so its memory is the packed weights plus the arena.

import type { NetworkResult } from "../../analysis";
import { FastNetwork } from "../../engine/fast/network";
import { seeded } from "../../engine/fast/sources";
import { wasmFeatures } from "../../engine/wasm/features";
import type { BenchEngine } from "./adapter";

export async function ours(net: NetworkResult, seed: number): Promise<BenchEngine> {
  const network = await FastNetwork.prepare(net.graph, seeded(seed));
  const m = network.memory;
  const mb = (b: number) => (b / 1e6).toFixed(0);
  return {
    info: `wasm-simd relaxed=${wasmFeatures().relaxedSimd} weights ${mb(m.weights)} MB, arena ${mb(m.arena)} MB, scratch ${mb(m.scratch)} MB`,
    run: (input) => network.run(input),
  };
}
