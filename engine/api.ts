// The contract between the analysis graph and any executor (the reference kernels in
// TypeScript, the WebAssembly SIMD kernels). Tensors are float32 in PyTorch's order:
// a volume is C×H×W flattened (depth-major, then rows top to bottom), a vector is N.

import type { GraphNode } from "../analysis/types";

/**
 * Numbers the reference math works on: float32 for runs; float64 where precision is the
 * point (gradient checks). A reference kernel returns the type it was given.
 */
export type Floats = Float32Array | Float64Array;

/** Learned values of one layer, in PyTorch's layouts (float32 unless asked otherwise). */
export interface LayerParams<T extends Floats = Float32Array> {
  /**
   * conv, dwconv: [K][C/G][F_h][F_w]; deconv: [C][K/G][F_h][F_w] (ConvTranspose2d);
   * fc: [N][n_in]; local: [H₂·W₂][K][C·F_h·F_w] (one filter bank per output position);
   * bn: γ [C].
   */
  weight?: T;
  /** conv/dwconv/deconv/fc: [K]; local: [H₂·W₂][K]; bn: β [C] */
  bias?: T;
  /** bn only: running statistics [C] */
  runningMean?: T;
  runningVar?: T;
}

/** node id → its params (nodes without params are absent) */
export type NetworkWeights = Map<number, LayerParams>;

export interface LayerTrace {
  node: GraphNode;
  output: Float32Array;
  ms: number;
}

export interface RunOptions {
  /** called after each node with its output (the run view draws it) */
  onLayer?: (trace: LayerTrace) => void;
  /** checked between nodes: a cancelled run stops with an AbortError */
  signal?: AbortSignal;
}

export interface Executor {
  readonly name: string;
  /** how many threads the last run took (absent: one) */
  readonly lastRunThreads?: number;
  /** runs graph[0] = input … graph[last]; returns the last node's output */
  run(graph: GraphNode[], weights: NetworkWeights, input: Float32Array, options?: RunOptions): Promise<Float32Array>;
}
