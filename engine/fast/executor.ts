// The fast executor: the Executor contract (engine/api.ts) over FastNetwork. A network is
// prepared once per (graph, weights) pair and kept while both are alive, so repeated
// runs only execute kernels. Traced runs (onLayer) use an unfused preparation, so every
// node's own output is there to show.

import type { GraphNode } from "../../analysis/types";
import type { Executor, NetworkWeights, RunOptions } from "../api";
import { wasmFeatures } from "../wasm/features";
import { FastNetwork, type PrepareOptions } from "./network";
import { fromMap } from "./sources";

export class FastExecutor implements Executor {
  readonly name = "wasm-simd";
  private readonly prepared = new WeakMap<NetworkWeights, WeakMap<GraphNode[], Map<boolean, Promise<FastNetwork>>>>();

  /** `threads` (with a `host` to start them): the threads a run may use, this one included */
  constructor(private readonly options: Pick<PrepareOptions, "relaxed" | "threads" | "host" | "grain" | "chains"> = {}) {}

  /** whether the kernels use relaxed SIMD's fused multiply-add */
  get relaxed(): boolean {
    return this.options.relaxed ?? wasmFeatures().relaxedSimd;
  }

  /** the threads asked for (a network may use fewer: see FastNetwork.threads) */
  get threads(): number {
    return this.options.threads ?? 1;
  }

  /** WebAssembly with SIMD: what this executor needs */
  static available(): boolean {
    return wasmFeatures().simd;
  }

  /** how many threads the last run took */
  lastRunThreads = 1;

  async run(graph: GraphNode[], weights: NetworkWeights, input: Float32Array, options: RunOptions = {}): Promise<Float32Array> {
    const network = await this.network(graph, weights, !options.onLayer);
    this.lastRunThreads = network.threads;
    return network.run(input, options);
  }

  network(graph: GraphNode[], weights: NetworkWeights, fuse = true): Promise<FastNetwork> {
    let byGraph = this.prepared.get(weights);
    if (!byGraph) this.prepared.set(weights, (byGraph = new WeakMap()));
    let byFuse = byGraph.get(graph);
    if (!byFuse) byGraph.set(graph, (byFuse = new Map()));
    let network = byFuse.get(fuse);
    if (!network) {
      network = FastNetwork.prepare(graph, fromMap(weights), { ...this.options, fuse });
      byFuse.set(fuse, network);
      network.catch(() => byFuse!.delete(fuse));
    }
    return network;
  }
}
