// `cnn summary` and the editor's "Show Summary": a torchinfo-like table per network, or
// the JSON contract of spec §7 (diagnostics with 1-based lines and UTF-16 columns).

import { LineIndex } from "../grammar";
import { bytesText, elementCount, grouped, scaled, shapeArray, shapeText, type ShapeFormat } from "./format";
import type { Analysis, Diagnostic, NetworkResult, Occurrence } from "./types";

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
    receptiveField: n.receptiveField ? { width: n.receptiveField.w, height: n.receptiveField.h, jumpWidth: n.receptiveField.jumpW, jumpHeight: n.receptiveField.jumpH } : null,
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
  return raw.replace(/\s*(#|\/\/).*$/, "").replace(/\s*\{\s*$/, "").trim();
}

function describe(text: string, s: Occurrence): string {
  let what: string;
  if (s.kind === "layer") what = s.name;
  else if (s.kind === "call") what = firstLine(text, s).replace(/^[A-Za-z_][A-Za-z0-9_]*\s*:\s*/, "");
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

export function summaryText(file: string, analysis: Analysis, networks: NetworkResult[], format: ShapeFormat): string {
  const lines = new LineIndex(analysis.text);
  const out: string[] = [];
  const width = 92;
  const rule = "=".repeat(width);
  const thin = "-".repeat(width);
  for (const n of networks) {
    out.push(rule);
    out.push(`${n.name}  (${file}:${lines.lineOf(n.span.start) + 1})`);
    out.push(rule);
    out.push(pad("Layer (kind)", 34) + pad("Line", 6, true) + "  " + pad(`Output shape (${format === "CxHxW" ? "C×H×W" : "W×H×D"})`, 20) + pad("Param #", 14, true) + pad("MACs", 16, true));
    out.push(thin);
    if (n.input) out.push(pad("input", 34) + pad("", 6, true) + "  " + pad(shapeText(n.input, format), 20) + pad("0", 14, true) + pad("0", 16, true));
    for (const s of n.statements) {
      const line = String(lines.lineOf(s.span.start) + 1);
      out.push(
        pad(clip(describe(analysis.text, s), 33), 34) +
          pad(line, 6, true) +
          "  " +
          pad(shapeText(s.output, format), 20) +
          pad(grouped(s.params), 14, true) +
          pad(grouped(s.macs), 16, true),
      );
    }
    out.push(rule);
    out.push(`Total params: ${grouped(n.params)}`);
    out.push(`Total MACs (mult-adds): ${grouped(n.macs)}${n.macs >= 1000n ? `  (${scaled(n.macs)}MAC)` : ""}`);
    if (n.receptiveField) {
      const rf = n.receptiveField;
      const size = rf.w === rf.h ? `${num(rf.w)}×${num(rf.w)}` : `${num(rf.w)}×${num(rf.h)}`;
      const jump = rf.jumpW === rf.jumpH ? num(rf.jumpW) : `${num(rf.jumpW)}×${num(rf.jumpH)}`;
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

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
