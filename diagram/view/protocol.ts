// Messages between the extension host (client/architecture.ts) and the architecture view
// (diagram/view/main.ts), and how each side checks what it receives.

import { boolean, count, InvalidDataError, isRecord, oneOf, optional, record, string } from "../../analysis/check";
import { readDiagram } from "../read";
import type { Diagram } from "../model";
import type { ShapeFormat } from "../text";

export type Expand = "auto" | "all" | "none";
export type FigureStyle = "flow" | "volume";

export type HostMessage =
  /** the network as the language server analyzed the document's version `version` */
  | { type: "diagram"; diagram: Diagram; version: number; shapeFormat: ShapeFormat; errors: number; warnings: number }
  /** the editor's cursor (UTF-16 offset) in the document, or null when it is elsewhere */
  | { type: "cursor"; offset: number | null }
  | { type: "error"; message: string };

export interface ViewOptions {
  style: FigureStyle;
  expand: Expand;
  /** frame key → open */
  toggled: Record<string, boolean>;
}

export type ViewMessage =
  | { type: "ready" }
  /** show this statement in the editor */
  | { type: "reveal"; start: number; end: number }
  /** show another network of the file */
  | { type: "network"; name: string }
  /** save the figure as drawn: SVG (the host draws it), or PNG (the page's pixels, base64) */
  | ({ type: "export"; format: "svg" } & ViewOptions)
  | { type: "export"; format: "png"; base64: string };

/** PNGs larger than this are refused */
export const MAX_PNG_BYTES = 60_000_000;

export function readHostMessage(value: unknown): HostMessage {
  const r = record(value, "message");
  const type = oneOf("diagram", "cursor", "error")(r.type, "message.type");
  switch (type) {
    case "diagram":
      return {
        type,
        diagram: readDiagram(r.diagram),
        version: count(r.version, "message.version"),
        shapeFormat: oneOf("WxHxD", "CxHxW")(r.shapeFormat, "message.shapeFormat"),
        errors: count(r.errors, "message.errors"),
        warnings: count(r.warnings, "message.warnings"),
      };
    case "cursor":
      return { type, offset: r.offset === null ? null : count(r.offset, "message.offset") };
    case "error":
      return { type, message: string(r.message, "message.message").slice(0, 4000) };
  }
}

export function readToggled(value: unknown, path: string): Record<string, boolean> {
  const r = record(value, path);
  const keys = Object.keys(r);
  if (keys.length > 100_000) throw new InvalidDataError(`${path}: too many entries`);
  const out: Record<string, boolean> = {};
  for (const k of keys) {
    if (k.length > 2000 || k === "__proto__") throw new InvalidDataError(`${path}: a bad key`);
    out[k] = boolean(r[k], `${path}.${k}`);
  }
  return out;
}

export function readViewMessage(value: unknown): ViewMessage {
  const r = record(value, "message");
  const type = oneOf("ready", "reveal", "network", "export")(r.type, "message.type");
  switch (type) {
    case "ready":
      return { type };
    case "reveal":
      return { type, start: count(r.start, "message.start"), end: count(r.end, "message.end") };
    case "network":
      return { type, name: string(r.name, "message.name").slice(0, 400) };
    case "export": {
      const format = oneOf("svg", "png")(r.format, "message.format");
      if (format === "png") {
        const base64 = string(r.base64, "message.base64");
        if (base64.length > (MAX_PNG_BYTES * 4) / 3 + 4) throw new InvalidDataError("message.base64: the picture is too large");
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new InvalidDataError("message.base64: not base64");
        return { type, format, base64 };
      }
      return {
        type,
        format,
        style: oneOf("flow", "volume")(r.style, "message.style"),
        expand: oneOf("auto", "all", "none")(r.expand, "message.expand"),
        toggled: readToggled(r.toggled, "message.toggled"),
      };
    }
  }
}

/** what the page keeps when hidden, and what restores the panel after a reload */
export interface ViewState {
  uri: string | null;
  network: string | null;
  style: FigureStyle;
  expand: Expand;
  toggled: Record<string, boolean>;
}

export function readViewState(value: unknown): ViewState {
  const fallback: ViewState = { uri: null, network: null, style: "flow", expand: "auto", toggled: {} };
  if (!isRecord(value)) return fallback;
  try {
    return {
      uri: value.uri === null || value.uri === undefined ? null : string(value.uri, "state.uri"),
      network: value.network === null || value.network === undefined ? null : string(value.network, "state.network"),
      style: optional(oneOf("flow", "volume"))(value.style, "state.style") ?? "flow",
      expand: optional(oneOf("auto", "all", "none"))(value.expand, "state.expand") ?? "auto",
      toggled: value.toggled === undefined ? {} : readToggled(value.toggled, "state.toggled"),
    };
  } catch {
    return fallback;
  }
}
