// Messages between the run view's page and its engine Worker (same origin, same bundle
// family; the page has already checked everything that came from the extension host).

import type { NetworkResult } from "../analysis/types";
import type { Raster } from "./samples/raster";
import type { Preview } from "./preview";

export interface WorkerRun {
  type: "run";
  runId: number;
  network: NetworkResult;
  seed: number;
  budgetMB: number;
  executor: string;
  /** a built-in sample, a decoded picture or drawing, or nothing (what the file says) */
  sample?: string;
  raster?: Raster;
  rasterName?: string;
  /** run with these weights (a .safetensors file's bytes) instead of the seeded ones */
  weights?: Uint8Array;
  /** what to call them in a message: `the weights trained in this view`, `lenet5.safetensors` */
  weightsName?: string;
  /** read the picture as 1 − x, whatever the file says */
  invert?: boolean;
}

export type WorkerReply =
  | { type: "input"; runId: number; source: string; steps: string[]; preview: Preview }
  | { type: "layer"; runId: number; nodeId: number; ms: number; preview: Preview }
  | {
      type: "done";
      runId: number;
      ms: number;
      executor: string;
      /** threads the run took; why only one, when the executor could have taken more */
      threads: number;
      threadsNote: string | null;
      output: Float32Array;
      outputLength: number;
    }
  | { type: "failed"; runId: number; message: string; refused: boolean };

/** output values sent back at most (as `cnn run --json`) */
export const MAX_OUTPUT_VALUES = 10_000;
