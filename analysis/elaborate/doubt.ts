// What flows from one statement to the next, and the doubt after a fault: after a line
// that could not be analyzed, the lines below are still checked against a stand-in
// shape; what it cannot know (W×H, D) is marked, and the reports that depend on it are
// left out. The statements below show no shape and count no params.

import type { Span } from "../../grammar";
import type { ArgSpec, ArgValue } from "../layers";
import type { OptionName } from "../options";
import type { Report } from "../values";
import type { DiagnosticCode, ReceptiveField, Shape } from "../types";
import type { Sink } from "./sink";

/** What flows from one statement to the next. */
export interface Flow {
  shape: Shape | null;
  node: number | null;
  field: ReceptiveField | null;
  /** what the stand-in shape cannot know, after a line that could not be analyzed */
  doubt?: Doubt;
}

export interface Doubt {
  spatial: boolean;
  depth: boolean;
}

export const allDoubt: Doubt = { spatial: true, depth: true };
export const unknownFlow: Flow = { shape: null, node: null, field: null };
/** the size of the stand-in volume of a network without a valid input: large, so no window empties it */
export const STAND_IN = 4096;
/** the reports that compare a shape in doubt with something else */
const spatialCodes = new Set<DiagnosticCode>(["stride-misfit", "empty-output", "spatial-mismatch"]);
const depthCodes = new Set<DiagnosticCode>(["depth-mismatch", "groups-indivisible"]);
/** options that move W×H, or D, when their value is wrong */
export const spatialOptions = new Set<OptionName>(["stride", "pad", "dilation", "outpad"]);
export const depthOptions = new Set<OptionName>(["multiplier"]);

export function moreDoubt(a: Doubt | undefined, b: Partial<Doubt>): Doubt | undefined {
  const spatial = !!(a?.spatial || b.spatial);
  const depth = !!(a?.depth || b.depth);
  return spatial || depth ? { spatial, depth } : undefined;
}

/** What a layer argument sets in the output: D (K, N), W×H (F, a factor, a padding), or neither (p, a). */
export function argumentMoves(spec: ArgSpec): "spatial" | "depth" | null {
  if (spec.moves !== undefined) return spec.moves;
  if (spec.type === "probability" || spec.type === "number") return null;
  return spec.name === "K" || spec.name === "N" ? "depth" : "spatial";
}

/** A stand-in argument for one that is wrong: only its shape effects are used, in doubt. */
export function fallbackArgument(spec: ArgSpec, span: Span): ArgValue {
  if (spec.type === "kernel") return { w: 1, h: 1, d: null, span };
  if (spec.defaultValue !== undefined) return spec.defaultValue;
  return spec.type === "count" ? 1 : 0;
}

/**
 * The stand-in for a shape in doubt: what is in doubt set to one fixed value (W×H to
 * STAND_IN, D to 1, a vector's length to STAND_IN), what is known kept. Any value would
 * do (nothing that depends on it is reported or shown); a fixed one makes the flow after
 * a fault the same whatever came before, so the passes of a repeat below it are alike
 * and reused, instead of each elaborated with a stand-in grown a little more.
 */
export function standIn(shape: Shape, doubt: Doubt | undefined): Shape {
  if (!doubt) return shape;
  if (shape.kind === "vector") return shape.n === STAND_IN ? shape : { kind: "vector", n: STAND_IN };
  const w = doubt.spatial ? STAND_IN : shape.w;
  const h = doubt.spatial ? STAND_IN : shape.h;
  const d = doubt.depth ? 1 : shape.d;
  return w === shape.w && h === shape.h && d === shape.d ? shape : { kind: "volume", w, h, d };
}

/** The flow below a statement that could not be analyzed: a stand-in shape, in doubt. */
export function inDoubt(flow: Flow, shape: Shape | null, more: Partial<Doubt>): Flow {
  if (!shape) return unknownFlow;
  const doubt = moreDoubt(flow.doubt, more);
  return { shape: standIn(shape, doubt), node: null, field: null, doubt };
}

/**
 * After a merge that cannot run, later lines are still checked against the shape the
 * user most likely meant (the body's, or the stacked depth); the network stays
 * incomplete, so it is never run.
 */
export function afterMismatch(doubt: Doubt | undefined, shape: Shape): Flow {
  return { shape: standIn(shape, doubt), node: null, field: null, doubt };
}

/** The reporter for a layer whose input is in doubt: what depends on the doubt is left out. */
export function doubtful(sink: Sink, doubt: Doubt | undefined): Report {
  if (!doubt) return sink.reporter;
  return (code, span, message, data) => {
    if ((doubt.spatial && spatialCodes.has(code)) || (doubt.depth && depthCodes.has(code))) return;
    sink.report(code, span, message, data);
  };
}
