// Messages between the extension host and the run view's training thread (a Node
// worker_thread running engine/train/session.ts). Pause and Stop do not travel as
// messages: they are a word in shared memory (`ControlWord`) the trainer reads between
// batches, so a busy thread sees them without yielding to its event loop.

import type { SerializedNetwork } from "../../analysis/serialize";
import type { EpochReport, TrainProgress } from "./trainer";
import type { OptimizerKind } from "./optim";

/** the shared control words: [command, how many commands were given] */
export const COMMAND = 0;
export const SEQUENCE = 1;
export const RUN = 0;
export const PAUSE = 1;
export const STOP = 2;
export const CONTROL_WORDS = 2;

export type TrainData = { kind: "mnist" } | { kind: "folder"; path: string; test?: string };

export interface TrainSettings {
  epochs: number;
  batch: number;
  optimizer: OptimizerKind;
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** host → thread: train this network */
export interface SessionStart {
  type: "train";
  network: SerializedNetwork;
  data: TrainData;
  settings: TrainSettings;
  /** the seeded initialization's seed, and the shuffle's and dropout's */
  seed: number;
  budgetMB: number;
  /** start from these weights (a .safetensors file's bytes) instead of the seeded ones */
  initial?: Uint8Array;
  /** `fast` or `reference` (default: fast where WebAssembly SIMD validates) */
  engine?: string;
  /** the shared control words (Int32Array over a SharedArrayBuffer) */
  control: SharedArrayBuffer;
}

/** host → thread: what a picture folder holds (classes and pictures), without decoding it */
export interface SessionInspect {
  type: "inspect";
  path: string;
}

export type SessionRequest = SessionStart | SessionInspect;

/** one point of the loss curve: the mean loss of the batches since the previous point */
export interface LossPoint {
  step: number;
  loss: number;
}

/** a small picture for people: w×h, 1 (gray) or 3 (RGB) channels, one byte a value (pixel-major) */
export interface Thumbnail {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

/** a misclassified test picture (`P`: the picture as this side carries it; the page's is base64, webview/train/protocol.ts) */
export interface Mistake<P> {
  /** the sample's name (`digit 7 #12`, a file's path inside the folder) */
  name: string;
  label: number;
  predicted: number;
  /** the softmax probability of the predicted class */
  confidence: number;
  picture: P;
}

export type Misclassified = Mistake<Thumbnail>;

/** the first layer's filters, PyTorch's layout K × C × F_h × F_w (fc: rows shaped as the input): their shape */
export interface FilterShape {
  /** the layer, as people name it (`c1 (conv)`) */
  layer: string;
  count: number;
  channels: number;
  height: number;
  width: number;
}

export interface Filters extends FilterShape {
  /** the layer's node */
  nodeId: number;
  values: Float32Array;
}

/** what training reports when it ends, as both the thread and the page carry it */
export interface ResultSummary {
  stopped: boolean;
  steps: number;
  samplesPerSecond: number;
  epochs: EpochReport[];
  classes: string[];
  /** what the confusion matrix and the mistakes are measured on */
  evaluatedOn: string;
  evaluatedSize: number;
  accuracy: number;
  /** rows: the true class, columns: the predicted one */
  confusion: number[][];
  /** how many were wrong (the first of them, most confident first, are the result's `misclassified`) */
  wrong: number;
}

export interface SessionResult extends ResultSummary {
  /** the trained weights as the file `cnn train` writes (metadata included) */
  weights: Uint8Array;
  misclassified: Misclassified[];
  filters: Filters | null;
}

/** what the thread says once the data is read and the first steps are being taken */
export interface StartedReport {
  network: string;
  description: string;
  testDescription: string | null;
  classes: string[];
  steps: number;
  epochs: number;
  batchesPerEpoch: number;
  engine: string;
  memory: string;
}

export type SessionMessage =
  | { type: "folder"; path: string; name: string; classes: string[]; pictures: number }
  | ({ type: "started" } & StartedReport)
  | { type: "progress"; points: LossPoint[]; progress: TrainProgress }
  | { type: "epoch"; report: EpochReport }
  /** the command `sequence` took effect at `step` (paused, running again, stopping after the batch) */
  | { type: "state"; state: "paused" | "running" | "stopping"; step: number; sequence: number }
  | { type: "done"; result: SessionResult }
  /** `nodeId`: the layer the refusal is about, if one is */
  | { type: "failed"; message: string; refused: boolean; nodeId?: number };

/** at most this many misclassified pictures are sent */
export const MAX_MISCLASSIFIED = 48;
/** a thumbnail's longest side */
export const THUMBNAIL_SIDE = 56;
/** the filters sent: at most this many, of at most this many values each */
export const MAX_FILTERS = 64;
export const MAX_FILTER_VALUES = 32 * 32 * 3;
