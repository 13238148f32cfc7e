// `cnn summary` and the editor's "Show Summary": a torchinfo-like table per network, or
// the JSON contract of spec §7 (diagnostics with 1-based lines and UTF-16 columns).

import { LineIndex } from "../grammar";
import { bytesText, elementCount, grouped, scaled, shapeArray, shapeText, type ShapeFormat } from "./format";
import type { Analysis, Diagnostic, NetworkResult, Occurrence } from "./types";
import { fieldEquals, fieldJson, fieldText } from "./exact";

export interface JsonDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

export function jsonDiagnostic(lines: LineIndex, d: Diagnostic): JsonDiagnostic {
  const start = lines.position(d.start);
  const end = lines.position(d.end);
  return {
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
}


function layerJson(lines: LineIndex, s: Occurrence) {
  return {
    line: lines.lineOf(s.span.start) + 1,
    // a repeat is `repeat` here (the table shows `repeat 2`), a block use its block's name
    kind: s.kind === "repeat" ? "repeat" : s.name,
    label: s.label,
    input: shapeArray(s.input),
    output: shapeArray(s.output),
    params: s.params,
    macs: s.macs,
  };
}

export function networkJson(lines: LineIndex, n: NetworkResult) {
  return {
    name: n.name,
    line: lines.lineOf(n.span.start) + 1,
    input: shapeArray(n.input),
    output: shapeArray(n.output),
    params: n.params,
    macs: n.macs,
    receptiveField: n.receptiveField ? { width: fieldJson(n.receptiveField.w), height: fieldJson(n.receptiveField.h), jumpWidth: fieldJson(n.receptiveField.jumpW), jumpHeight: fieldJson(n.receptiveField.jumpH) } : null,
    memory: {
      inputBytes: n.input ? elementCount(n.input) * 4n : null,
      activationBytes: n.activationBytes,
      peakActivationBytes: n.peakActivationBytes,
      paramBytes: n.params * 4n,
    },
    complete: n.complete,
    layers: n.statements.map((s) => layerJson(lines, s)),
  };
}

export function summaryJson(file: string, analysis: Analysis, networks: NetworkResult[]) {
  const lines = new LineIndex(analysis.text);
  return {
    file,
    networks: networks.map((n) => networkJson(lines, n)),
    diagnostics: analysis.diagnostics.map((d) => jsonDiagnostic(lines, d)),
  };
}

/** The text between a statement's start and the end of its first line: `Basic(128, s = 2)`. */
function firstLine(text: string, s: Occurrence): string {
  const raw = text.slice(s.span.start, s.span.end).split(/\r\n|\r|\n/)[0];
  return raw.replace(/\s*(#|\/\/).*$/, "").replace(/\s*\{.*$/, "").trim();
}

function describe(text: string, s: Occurrence): string {
  let what: string;
  if (s.kind === "layer") what = s.name;
  else if (s.kind === "call") what = firstLine(text, s).replace(/^[A-Za-z_][A-Za-z0-9_]*\s*:\s*/, "");
  else if (s.kind === "repeat") what = firstLine(text, s).replace(/^[A-Za-z_][A-Za-z0-9_]*\s*:\s*/, "") || "repeat";
  else what = s.name;
  return s.label ? `${s.label} (${what})` : what;
}

function pad(s: string, width: number, right = false): string {
  const len = [...s].length;
  if (len >= width) return s;
  return right ? " ".repeat(width - len) + s : s + " ".repeat(width - len);
}

function clip(s: string, width: number): string {
  const chars = [...s];
  return chars.length > width ? chars.slice(0, width - 1).join("") + "…" : s;
}

/**
 * The statements elaborated directly inside one elaboration of `parent`: a block use's
 * body, a repeat's passes, a residual's body and shortcut, a merge's branches (found by
 * the scope frame the parent opened, analysis/types.ts ScopeFrame), in run order.
 */
function childrenIndex(analysis: Analysis, network: string): (parent: Occurrence) => Occurrence[] {
  const byParent = new Map<string, { frame: number; o: Occurrence }[]>();
  for (const list of analysis.occurrences.values()) {
    for (const o of list) {
      if (o.network !== network || o.scope.length === 0) continue;
      const last = o.scope[o.scope.length - 1];
      const key = `${o.scope.slice(0, -1).map((f) => f.id).join(",")}|${last.span.start}`;
      const siblings = byParent.get(key) ?? [];
      siblings.push({ frame: last.id, o });
      byParent.set(key, siblings);
    }
  }
  for (const siblings of byParent.values()) siblings.sort((x, y) => x.frame - y.frame || x.o.span.start - y.o.span.start);
  return (parent) => (byParent.get(`${parent.scope.map((f) => f.id).join(",")}|${parent.span.start}`) ?? []).map((c) => c.o);
}

interface Row {
  layer: string;
  line: string;
  shape: string;
  params: string;
  macs: string;
}

/** One row per statement, down to `depth` levels of nesting (1: the network's own statements), drawn as a tree. */
function rows(analysis: Analysis, lines: LineIndex, n: NetworkResult, format: ShapeFormat, depth: number): Row[] {
  const out: Row[] = [];
  if (n.input) out.push({ layer: "input", line: "", shape: shapeText(n.input, format), params: "0", macs: "0" });
  const children = depth > 1 ? childrenIndex(analysis, n.name) : () => [];
  const visit = (list: readonly Occurrence[], level: number, prefix: string) => {
    list.forEach((s, i) => {
      const last = i === list.length - 1;
      const branch = level === 1 ? "" : `${prefix}${last ? "└─" : "├─"}`;
      out.push({
        layer: branch + describe(analysis.text, s),
        line: String(lines.lineOf(s.span.start) + 1),
        shape: shapeText(s.output, format),
        params: grouped(s.params),
        macs: grouped(s.macs),
      });
      if (level < depth) visit(children(s), level + 1, level === 1 ? "" : `${prefix}${last ? "  " : "│ "}`);
    });
  };
  visit(n.statements, 1, "");
  return out;
}

/** How wide the layer column may grow before names are cut with `…`. */
const LAYER_COLUMN_MAX = 44;

/**
 * The torchinfo-like table of each network. `depth` as torchinfo's: 1 lists the
 * network's own statements, 2 also what each block use, repeat, residual or merge
 * elaborates to, and so on. Columns are as wide as their contents (the table stays as
 * narrow as it can: it often opens beside the source).
 */
export function summaryText(file: string, analysis: Analysis, networks: NetworkResult[], format: ShapeFormat, depth = 1): string {
  const lines = new LineIndex(analysis.text);
  const out: string[] = [];
  for (const n of networks) {
    const table = rows(analysis, lines, n, format, Math.max(1, Math.floor(depth)));
    const head: Row = { layer: "Layer (kind)", line: "Line", shape: `Output (${format === "CxHxW" ? "C×H×W" : "W×H×D"})`, params: "Param #", macs: "MACs" };
    const widest = (key: keyof Row, max = Infinity) => Math.min(max, Math.max(...[head, ...table].map((r) => [...r[key]].length)));
    const w = { layer: widest("layer", LAYER_COLUMN_MAX), line: widest("line"), shape: widest("shape"), params: widest("params"), macs: widest("macs") };
    const render = (r: Row) =>
      [pad(clip(r.layer, w.layer), w.layer), pad(r.line, w.line, true), pad(r.shape, w.shape), pad(r.params, w.params, true), pad(r.macs, w.macs, true)].join("  ");
    const title = `${n.name}  (${file}:${lines.lineOf(n.span.start) + 1})`;
    const width = Math.max(w.layer + w.line + w.shape + w.params + w.macs + 8, Math.min([...title].length, 100));
    const rule = "=".repeat(width);
    const thin = "-".repeat(width);
    out.push(rule);
    out.push(title);
    out.push(rule);
    out.push(render(head).trimEnd());
    out.push(thin);
    for (const r of table) out.push(render(r));
    out.push(rule);
    out.push(`Total params: ${grouped(n.params)}`);
    out.push(`Total MACs (mult-adds): ${grouped(n.macs)}${n.macs >= 1000n ? `  (${scaled(n.macs)}MAC)` : ""}`);
    if (n.receptiveField) {
      const rf = n.receptiveField;
      const size = `${fieldText(rf.w, false)}×${fieldText(rf.h, false)}`;
      const jump = fieldEquals(rf.jumpW, rf.jumpH) ? fieldText(rf.jumpW, false) : `${fieldText(rf.jumpW, false)}×${fieldText(rf.jumpH, false)}`;
      out.push(`Receptive field: ${size} input pixels, jump ${jump}`);
    }
    out.push(thin);
    const inputBytes = n.input ? elementCount(n.input) * 4n : 0n;
    out.push(`Input size: ${bytesText(inputBytes)}`);
    out.push(`Forward pass size (every activation): ${bytesText(n.activationBytes)}`);
    out.push(`Params size: ${bytesText(n.params * 4n)}`);
    out.push(`Estimated total size: ${bytesText(inputBytes + n.activationBytes + n.params * 4n)}`);
    out.push(`Peak memory when running (weights + live activations): ${bytesText(n.params * 4n + n.peakActivationBytes)}`);
    if (!n.complete) out.push("(incomplete: the network has errors; totals cover what could be analyzed)");
    out.push(rule);
    out.push("");
  }
  return out.join("\n");
}

