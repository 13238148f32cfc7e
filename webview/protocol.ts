// Messages between the extension host (client/run) and the run view (webview/), and how
// each side checks what it receives: nothing from the other side is trusted unread.

import { count, integer, InvalidDataError, list, number, oneOf, optional, positive, record, string, type Reader } from "../analysis/check";
import type { SerializedNetwork } from "../analysis/serialize";
import { MAX_PICTURE_BYTES } from "../engine/samples/picture";
import { isTrainHostType, isTrainViewType, readTrainHostMessage, readTrainViewMessage, readTrainViewState, type TrainHostMessage, type TrainViewMessage, type TrainViewState } from "./train/protocol";

export * from "./train/protocol";

/** A picture's bytes (PNG/JPEG), base64, with the name to show. */
export interface Picture {
  name: string;
  base64: string;
}

/** the network a panel shows: a document and (optionally) the network's name */
export interface RunTarget {
  uri: string;
  network?: string;
}

/** host → view: run this network */
export interface RunMessage {
  type: "run";
  runId: number;
  target: RunTarget;
  fileName: string;
  network: SerializedNetwork;
  /** 1-based line of each graph node, by node id */
  lines: number[];
  /** [scope frame id, 1-based line] of each block use (the run view's collapsible sections) */
  frameLines?: [number, number][];
  /** the seed from the settings (the view may have its own) */
  seed: number;
  budgetMB: number;
  executor: string;
  /** the picture the file's `input … sample "x.png"` names, read by the host */
  picture?: Picture;
  /** the weights to run with instead of the seeded ones: a .safetensors file's bytes */
  weights?: WeightsMessage;
  /** the class names the file's `input … classes "names.txt"` names, read by the host */
  classes?: { name: string; names: string[] };
}

/** Weights for the run: trained in this view (not saved yet) or read from a file. */
export interface WeightsMessage {
  /** for people: `trained in this view`, `lenet5.safetensors` */
  name: string;
  origin: "trained" | "file";
  base64: string;
}

/** weights files above this are not sent to the view */
export const MAX_WEIGHTS_BYTES = 1_000_000_000;

export type HostMessage =
  | RunMessage
  /** the network cannot run (errors in the file, no such network, a picture outside the workspace …) */
  | { type: "error"; message: string }
  /** a picture the user picked with "Picture…" */
  | { type: "picture"; picture: Picture }
  | TrainHostMessage;

export type ViewMessage =
  | { type: "ready" }
  /** analyze the file again and run */
  | { type: "rerun" }
  | { type: "pickPicture" }
  /** show this line of the .cnn file */
  | { type: "reveal"; line: number }
  | { type: "status"; state: "running" | "done" | "cancelled" | "failed"; ms?: number; message?: string }
  | TrainViewMessage;

/** pictures above this are refused (the view decodes them in memory): the limit of every picture */
export { MAX_PICTURE_BYTES } from "../engine/samples/picture";
/** a classes file above this is refused */
export const MAX_CLASSES_BYTES = 2_000_000;

const classList: Reader<{ name: string; names: string[] }> = (v, p) => {
  const r = record(v, p);
  const names = list(string, 100_000)(r.names, `${p}.names`);
  if (names.some((n) => n.length > 1000)) throw new InvalidDataError(`${p}.names: a class name is longer than 1000 characters`);
  return { name: string(r.name, `${p}.name`), names };
};

const target: Reader<RunTarget> = (v, p) => {
  const r = record(v, p);
  const network = optional(string)(r.network, `${p}.network`);
  return network === undefined ? { uri: string(r.uri, `${p}.uri`) } : { uri: string(r.uri, `${p}.uri`), network };
};

const picture: Reader<Picture> = (v, p) => {
  const r = record(v, p);
  const base64 = string(r.base64, `${p}.base64`);
  if (base64.length > (MAX_PICTURE_BYTES * 4) / 3 + 4) throw new InvalidDataError(`${p}.base64: the picture is larger than ${MAX_PICTURE_BYTES / 1e6} MB`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new InvalidDataError(`${p}.base64: not base64`);
  return { name: string(r.name, `${p}.name`), base64 };
};

const weights: Reader<WeightsMessage> = (v, p) => {
  const r = record(v, p);
  const base64 = string(r.base64, `${p}.base64`);
  if (base64.length > (MAX_WEIGHTS_BYTES * 4) / 3 + 4) throw new InvalidDataError(`${p}.base64: the weights are larger than ${MAX_WEIGHTS_BYTES / 1e6} MB`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new InvalidDataError(`${p}.base64: not base64`);
  return { name: string(r.name, `${p}.name`), origin: oneOf("trained", "file")(r.origin, `${p}.origin`), base64 };
};

const pair: Reader<[number, number]> = (v, p) => {
  const both = list(count, 2)(v, p);
  if (both.length !== 2) throw new InvalidDataError(`${p}: not a pair`);
  return [both[0], both[1]];
};

/** Checks a message from the host; the network itself is checked by deserializeNetwork. */
export function readHostMessage(value: unknown): HostMessage {
  const r = record(value, "message");
  if (isTrainHostType(r.type)) return readTrainHostMessage(r);
  const type = oneOf("run", "error", "picture")(r.type, "message.type");
  switch (type) {
    case "run":
      return {
        type,
        runId: count(r.runId, "message.runId"),
        target: target(r.target, "message.target"),
        fileName: string(r.fileName, "message.fileName"),
        network: record(r.network, "message.network") as unknown as SerializedNetwork,
        lines: list(count)(r.lines, "message.lines"),
        frameLines: optional(list(pair))(r.frameLines, "message.frameLines"),
        seed: count(r.seed, "message.seed"),
        budgetMB: positive(r.budgetMB, "message.budgetMB"),
        executor: string(r.executor, "message.executor"),
        picture: optional(picture)(r.picture, "message.picture"),
        weights: optional(weights)(r.weights, "message.weights"),
        classes: optional(classList)(r.classes, "message.classes"),
      };
    case "error":
      return { type, message: string(r.message, "message.message") };
    case "picture":
      return { type, picture: picture(r.picture, "message.picture") };
  }
}

export function readViewMessage(value: unknown): ViewMessage {
  const r = record(value, "message");
  if (isTrainViewType(r.type)) return readTrainViewMessage(r);
  const type = oneOf("ready", "rerun", "pickPicture", "reveal", "status")(r.type, "message.type");
  switch (type) {
    case "ready":
    case "rerun":
    case "pickPicture":
      return { type };
    case "reveal":
      return { type, line: positive(r.line, "message.line") };
    case "status":
      return {
        type,
        state: oneOf("running", "done", "cancelled", "failed")(r.state, "message.state"),
        ms: optional(number)(r.ms, "message.ms"),
        message: optional(string)(r.message, "message.message"),
      };
  }
}

/** What the view keeps across being hidden and shown (vscode.getState/setState). */
export interface ViewState {
  /** what to run when the panel is restored after a reload */
  target: RunTarget | null;
  seed: number | null;
  /** "file" (what the .cnn says), a sample name, "drawing" or "picture" */
  input: string;
  /** the last drawing, 28×28 gray levels 0–255 */
  drawing: number[] | null;
  /** the Train section's form */
  train?: TrainViewState;
  /** read pictures as 1 − x (dark ink on light paper); null: as the file says */
  invert?: boolean | null;
}

export function readViewState(value: unknown): ViewState {
  const fallback: ViewState = { target: null, seed: null, input: "file", drawing: null };
  try {
    const r = record(value, "state");
    const seed = r.seed === null || r.seed === undefined ? null : count(r.seed, "state.seed");
    const drawing = r.drawing === null || r.drawing === undefined ? null : list(integer, 28 * 28)(r.drawing, "state.drawing");
    const where = r.target === null || r.target === undefined ? null : target(r.target, "state.target");
    const train = readTrainViewState(r.train);
    const invert = typeof r.invert === "boolean" ? r.invert : null;
    return { target: where, seed, input: string(r.input, "state.input"), drawing: drawing && drawing.length === 28 * 28 ? drawing : null, invert, ...(train ? { train } : {}) };
  } catch {
    return fallback;
  }
}

