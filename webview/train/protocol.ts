// The run view's training messages between the extension host (client/train) and the
// page (webview/train), and how each side checks what it receives. The page never names
// a path: the host reads only the folder the user picked in its dialog, and writes only
// where the user saves.

import { boolean, count, InvalidDataError, list, nullable, number, oneOf, optional, positive, record, string, type Reader } from "../../analysis/check";
import type { EpochReport, TrainProgress } from "../../engine/train/trainer";
import type { FilterShape, LossPoint, Mistake, ResultSummary, StartedReport, TrainSettings } from "../../engine/train/session-protocol";

export type { LossPoint, TrainSettings };
export type FolderRole = "train" | "test";

/** the limits of the form, checked again by the host */
export const SETTING_LIMITS = {
  epochs: { min: 1, max: 1000 },
  batch: { min: 1, max: 65536 },
  lr: { min: 0, max: 10 },
  momentum: { min: 0, max: 1 },
  weightDecay: { min: 0, max: 1 },
};

export const DEFAULT_SETTINGS: TrainSettings = { epochs: 1, batch: 32, optimizer: "adam", lr: 1e-3, momentum: 0.9, weightDecay: 0 };

export interface FolderInfo {
  name: string;
  classes: string[];
  pictures: number;
}

export interface ViewThumbnail {
  width: number;
  height: number;
  channels: number;
  /** one byte a value, pixel-major, base64 */
  base64: string;
}

export type ViewMistake = Mistake<ViewThumbnail>;

export interface ViewFilters extends FilterShape {
  /** the layer's line in the .cnn file, when known */
  line?: number;
  values: number[];
}

/** the training thread's result (engine/train/session-protocol.ts) as the page gets it: no weights, pictures in base64, filters by line */
export interface ViewResult extends ResultSummary {
  misclassified: ViewMistake[];
  filters: ViewFilters | null;
}

export interface TrainStarted extends StartedReport {
  type: "trainStarted";
}

/** the weights the run uses, as the Train section shows them */
export type WeightsState = { state: "seeded" } | { state: "trained"; summary: string; saved: string | null } | { state: "file"; name: string };

export type TrainHostMessage =
  | { type: "trainFolder"; role: FolderRole; folder: FolderInfo | null }
  | TrainStarted
  | { type: "trainProgress"; points: LossPoint[]; progress: TrainProgress }
  | { type: "trainEpoch"; report: EpochReport }
  | { type: "trainState"; state: "paused" | "running" | "stopping"; step: number }
  | { type: "trainDone"; result: ViewResult }
  | { type: "trainFailed"; message: string; refused: boolean; line?: number }
  | { type: "trainWeights"; weights: WeightsState };

export type TrainViewMessage =
  | { type: "pickTrainFolder"; role: FolderRole }
  | { type: "clearTrainFolder"; role: FolderRole }
  | { type: "trainStart"; data: "mnist" | "folder"; settings: TrainSettings; start: "seeded" | "trained"; seed: number }
  | { type: "trainControl"; command: "pause" | "resume" | "stop" }
  | { type: "saveWeights" }
  | { type: "discardWeights" };

export const TRAIN_HOST_TYPES = ["trainFolder", "trainStarted", "trainProgress", "trainEpoch", "trainState", "trainDone", "trainFailed", "trainWeights"] as const;
export const TRAIN_VIEW_TYPES = ["pickTrainFolder", "clearTrainFolder", "trainStart", "trainControl", "saveWeights", "discardWeights"] as const;

export function isTrainHostType(type: unknown): boolean {
  return typeof type === "string" && (TRAIN_HOST_TYPES as readonly string[]).includes(type);
}
export function isTrainViewType(type: unknown): boolean {
  return typeof type === "string" && (TRAIN_VIEW_TYPES as readonly string[]).includes(type);
}

// ---- readers ----

const MAX_CLASSES = 10_000;
const MAX_POINTS = 100_000;

const within = (min: number, max: number, includeMin: boolean, includeMax: boolean): Reader<number> => (v, p) => {
  const n = number(v, p);
  if (n < min || n > max || (!includeMin && n === min) || (!includeMax && n === max)) {
    throw new InvalidDataError(`${p}: expected a number ${includeMin ? "from" : "above"} ${min} ${includeMax ? "to" : "below"} ${max}, got ${n}`);
  }
  return n;
};
const wholeWithin = (min: number, max: number): Reader<number> => (v, p) => {
  const n = positive(v, p);
  if (n < min || n > max) throw new InvalidDataError(`${p}: expected a whole number from ${min} to ${max}, got ${n}`);
  return n;
};
const seedReader: Reader<number> = (v, p) => {
  const n = count(v, p);
  if (n > 4294967295) throw new InvalidDataError(`${p}: a seed is a 32-bit unsigned integer, got ${n}`);
  return n;
};
const fraction: Reader<number> = within(0, 1, true, true);
const role: Reader<FolderRole> = oneOf("train", "test");
const names: Reader<string[]> = list(string, MAX_CLASSES);

export const readSettings: Reader<TrainSettings> = (v, p) => {
  const r = record(v, p);
  const L = SETTING_LIMITS;
  return {
    epochs: wholeWithin(L.epochs.min, L.epochs.max)(r.epochs, `${p}.epochs`),
    batch: wholeWithin(L.batch.min, L.batch.max)(r.batch, `${p}.batch`),
    optimizer: oneOf("adam", "sgd")(r.optimizer, `${p}.optimizer`),
    lr: within(L.lr.min, L.lr.max, false, true)(r.lr, `${p}.lr`),
    momentum: within(L.momentum.min, L.momentum.max, true, false)(r.momentum, `${p}.momentum`),
    weightDecay: within(L.weightDecay.min, L.weightDecay.max, true, true)(r.weightDecay, `${p}.weightDecay`),
  };
};

const readFolder: Reader<FolderInfo> = (v, p) => {
  const r = record(v, p);
  return { name: string(r.name, `${p}.name`), classes: names(r.classes, `${p}.classes`), pictures: count(r.pictures, `${p}.pictures`) };
};

const lossPoint: Reader<LossPoint> = (v, p) => {
  const r = record(v, p);
  return { step: positive(r.step, `${p}.step`), loss: number(r.loss, `${p}.loss`) };
};

/** a number, or Infinity/NaN sent as null (JSON has neither): read back as NaN */
const loose: Reader<number> = (v, p) => (v === null ? Number.NaN : typeof v === "number" ? v : number(v, p));

const progress: Reader<TrainProgress> = (v, p) => {
  const r = record(v, p);
  return {
    epoch: positive(r.epoch, `${p}.epoch`),
    epochs: positive(r.epochs, `${p}.epochs`),
    batch: count(r.batch, `${p}.batch`),
    batches: count(r.batches, `${p}.batches`),
    step: count(r.step, `${p}.step`),
    steps: count(r.steps, `${p}.steps`),
    loss: loose(r.loss, `${p}.loss`),
    meanLoss: loose(r.meanLoss, `${p}.meanLoss`),
    accuracy: fraction(r.accuracy, `${p}.accuracy`),
    samplesPerSecond: loose(r.samplesPerSecond, `${p}.samplesPerSecond`),
    etaSeconds: loose(r.etaSeconds, `${p}.etaSeconds`),
  };
};

const epochReport: Reader<EpochReport> = (v, p) => {
  const r = record(v, p);
  return {
    epoch: positive(r.epoch, `${p}.epoch`),
    loss: loose(r.loss, `${p}.loss`),
    trainAccuracy: fraction(r.trainAccuracy, `${p}.trainAccuracy`),
    testAccuracy: nullable(fraction)(r.testAccuracy, `${p}.testAccuracy`),
    ms: number(r.ms, `${p}.ms`),
  };
};

const base64: Reader<string> = (v, p) => {
  const s = string(v, p);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new InvalidDataError(`${p}: not base64`);
  return s;
};

const MAX_THUMBNAIL_SIDE = 256;
const thumbnail: Reader<ViewThumbnail> = (v, p) => {
  const r = record(v, p);
  const width = wholeWithin(1, MAX_THUMBNAIL_SIDE)(r.width, `${p}.width`);
  const height = wholeWithin(1, MAX_THUMBNAIL_SIDE)(r.height, `${p}.height`);
  const channels = oneOf("1", "3")(String(r.channels), `${p}.channels`) === "3" ? 3 : 1;
  const b = base64(r.base64, `${p}.base64`);
  const bytes = Math.floor((b.length * 3) / 4) - (b.endsWith("==") ? 2 : b.endsWith("=") ? 1 : 0);
  if (bytes !== width * height * channels) throw new InvalidDataError(`${p}.base64: ${bytes} bytes for ${width}×${height}×${channels}`);
  return { width, height, channels, base64: b };
};

const MAX_FILTER_NUMBERS = 1_000_000;
const filters: Reader<ViewFilters> = (v, p) => {
  const r = record(v, p);
  const f: ViewFilters = {
    layer: string(r.layer, `${p}.layer`),
    count: positive(r.count, `${p}.count`),
    channels: positive(r.channels, `${p}.channels`),
    height: positive(r.height, `${p}.height`),
    width: positive(r.width, `${p}.width`),
    values: list(number, MAX_FILTER_NUMBERS)(r.values, `${p}.values`),
  };
  const line = optional(positive)(r.line, `${p}.line`);
  if (line !== undefined) f.line = line;
  if (f.values.length !== f.count * f.channels * f.height * f.width) throw new InvalidDataError(`${p}.values: ${f.values.length} values for ${f.count} filters of ${f.channels}×${f.height}×${f.width}`);
  return f;
};

const result: Reader<ViewResult> = (v, p) => {
  const r = record(v, p);
  const classes = names(r.classes, `${p}.classes`);
  const k = classes.length;
  const classIndex: Reader<number> = (x, q) => {
    const n = count(x, q);
    if (n >= k) throw new InvalidDataError(`${q}: class ${n} of ${k}`);
    return n;
  };
  const confusion = list(list(count, k), k)(r.confusion, `${p}.confusion`);
  if (confusion.length !== k || confusion.some((row) => row.length !== k)) throw new InvalidDataError(`${p}.confusion: expected ${k}×${k} counts`);
  const mistake: Reader<ViewMistake> = (x, q) => {
    const m = record(x, q);
    return {
      name: string(m.name, `${q}.name`),
      label: classIndex(m.label, `${q}.label`),
      predicted: classIndex(m.predicted, `${q}.predicted`),
      confidence: fraction(m.confidence, `${q}.confidence`),
      picture: thumbnail(m.picture, `${q}.picture`),
    };
  };
  return {
    stopped: boolean(r.stopped, `${p}.stopped`),
    steps: count(r.steps, `${p}.steps`),
    samplesPerSecond: loose(r.samplesPerSecond, `${p}.samplesPerSecond`),
    epochs: list(epochReport, 100_000)(r.epochs, `${p}.epochs`),
    classes,
    evaluatedOn: string(r.evaluatedOn, `${p}.evaluatedOn`),
    evaluatedSize: count(r.evaluatedSize, `${p}.evaluatedSize`),
    accuracy: fraction(r.accuracy, `${p}.accuracy`),
    confusion,
    wrong: count(r.wrong, `${p}.wrong`),
    misclassified: list(mistake, 1000)(r.misclassified, `${p}.misclassified`),
    filters: nullable(filters)(r.filters, `${p}.filters`),
  };
};

const weightsState: Reader<WeightsState> = (v, p) => {
  const r = record(v, p);
  const state = oneOf("seeded", "trained", "file")(r.state, `${p}.state`);
  if (state === "seeded") return { state };
  if (state === "file") return { state, name: string(r.name, `${p}.name`) };
  return { state, summary: string(r.summary, `${p}.summary`), saved: nullable(string)(r.saved, `${p}.saved`) };
};

/** Checks a training message from the host (the type is one of TRAIN_HOST_TYPES). */
export function readTrainHostMessage(r: Record<string, unknown>): TrainHostMessage {
  const type = oneOf(...TRAIN_HOST_TYPES)(r.type, "message.type");
  switch (type) {
    case "trainFolder":
      return { type, role: role(r.role, "message.role"), folder: nullable(readFolder)(r.folder, "message.folder") };
    case "trainStarted":
      return {
        type,
        network: string(r.network, "message.network"),
        description: string(r.description, "message.description"),
        testDescription: nullable(string)(r.testDescription, "message.testDescription"),
        classes: names(r.classes, "message.classes"),
        steps: count(r.steps, "message.steps"),
        epochs: positive(r.epochs, "message.epochs"),
        batchesPerEpoch: positive(r.batchesPerEpoch, "message.batchesPerEpoch"),
        engine: string(r.engine, "message.engine"),
        memory: string(r.memory, "message.memory"),
      };
    case "trainProgress":
      return { type, points: list(lossPoint, MAX_POINTS)(r.points, "message.points"), progress: progress(r.progress, "message.progress") };
    case "trainEpoch":
      return { type, report: epochReport(r.report, "message.report") };
    case "trainState":
      return { type, state: oneOf("paused", "running", "stopping")(r.state, "message.state"), step: count(r.step, "message.step") };
    case "trainDone":
      return { type, result: result(r.result, "message.result") };
    case "trainFailed": {
      const line = optional(positive)(r.line, "message.line");
      return { type, message: string(r.message, "message.message"), refused: boolean(r.refused, "message.refused"), ...(line !== undefined ? { line } : {}) };
    }
    case "trainWeights":
      return { type, weights: weightsState(r.weights, "message.weights") };
  }
}

/** Checks a training message from the page (the type is one of TRAIN_VIEW_TYPES). */
export function readTrainViewMessage(r: Record<string, unknown>): TrainViewMessage {
  const type = oneOf(...TRAIN_VIEW_TYPES)(r.type, "message.type");
  switch (type) {
    case "pickTrainFolder":
    case "clearTrainFolder":
      return { type, role: role(r.role, "message.role") };
    case "trainStart":
      return {
        type,
        data: oneOf("mnist", "folder")(r.data, "message.data"),
        settings: readSettings(r.settings, "message.settings"),
        start: oneOf("seeded", "trained")(r.start, "message.start"),
        seed: seedReader(r.seed, "message.seed"),
      };
    case "trainControl":
      return { type, command: oneOf("pause", "resume", "stop")(r.command, "message.command") };
    case "saveWeights":
    case "discardWeights":
      return { type };
  }
}

/** What the page keeps of the Train section across reloads (vscode.setState). */
export interface TrainViewState {
  settings: TrainSettings;
  data: "mnist" | "folder";
  open: boolean;
}

/** the saved form, or undefined when there is none or it does not read */
export function readTrainViewState(value: unknown): TrainViewState | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    const r = record(value, "state.train");
    return { settings: readSettings(r.settings, "state.train.settings"), data: oneOf("mnist", "folder")(r.data, "state.train.data"), open: boolean(r.open, "state.train.open") };
  } catch {
    return undefined;
  }
}
