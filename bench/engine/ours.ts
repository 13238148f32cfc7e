// Our WebAssembly executor as `cnn run` runs it (relaxed SIMD turned on where Node has it
// behind a flag: engine/wasm/relaxed-node.ts), prepared from the seeded weights layer by
// layer (the same values initWeights gives the peers), so its memory is the packed
// weights plus the arena and scratch. `plain`: the plain-SIMD kernels (engine ours-plain).

import type { NetworkResult } from "../../analysis";
import { FastNetwork } from "../../engine/fast/network";
import { seeded } from "../../engine/fast/sources";
import { nodeThreads } from "../../engine/fast/threads/node";
import { enableRelaxedSimd } from "../../engine/wasm/relaxed-node";
import type { BenchEngine } from "./adapter";

export async function ours(net: NetworkResult, seed: number, threads: number, plain = false, chains = false): Promise<BenchEngine> {
  const relaxed = plain ? false : enableRelaxedSimd();
  const network = await FastNetwork.prepare(net.graph, seeded(seed), { threads, host: nodeThreads, relaxed, chains });
  const m = network.memory;
  const mb = (b: number) => (b / 1e6).toFixed(0);
  return {
    info:
      `wasm-simd relaxed=${relaxed} threads=${network.threads}${chains ? ` chains=${network.chains.length}` : ""} weights ${mb(m.weights)} MB, arena ${mb(m.arena)} MB, ` +
      `scratch ${mb(m.scratch)} MB${m.local ? ` + ${mb(m.local)} MB the threads' own` : ""}`,
    run: (input) => network.run(input),
  };
}
