// Quick fixes, read from each diagnostic's fix data (analysis/types.ts FixData):
// stride-misfit → each padding and stride that fits, `floor`/`ceil`; a wrong filter
// depth → the right one; a residual depth mismatch → a 1×1 projection shortcut; an
// unknown name → the suggestion. And one refactoring: keep the size, pad (F−1)/2.

import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type Range, type TextEdit } from "vscode-languageserver";
import { layerKind, type Diagnostic, type FixData } from "../../analysis";
import { preservingPadding } from "../../analysis/window";
import type { LayerStatement, Span, Value } from "../../grammar";
import type { Snapshot } from "../snapshots";
import { optionOf, statementAt } from "../tree";
import { toLspDiagnostic } from "./diagnostics";

type Fix<K extends FixData["kind"]> = Extract<FixData, { kind: K }>;

interface Proposal {
  title: string;
  edits: { span: Span; text: string }[];
  preferred?: boolean;
  kind?: string;
}

/** `3`, `2x1`: the numbers of a value written as plain integers, else null. */
function literalDims(value: Value | null | undefined): number[] | null {
  if (!value || value.type !== "dims") return null;
  const out: number[] = [];
  for (const p of value.parts) {
    if (p.type !== "number" || !p.isInteger) return null;
    out.push(p.value);
  }
  return out.length === 1 || out.length === 2 ? out : null;
}

/** A pair per axis as written (`stride 2` → [2, 2]); the default when absent; null when not plain numbers. */
function writtenPair(stmt: LayerStatement, option: "pad" | "stride", fallback: [number, number]): [number, number] | null {
  const o = optionOf(stmt, option);
  if (!o) return fallback;
  const dims = literalDims(o.value);
  if (!dims) return null;
  return [dims[0], dims[1] ?? dims[0]];
}

function pairText(w: number, h: number): string {
  return w === h ? `${w}` : `${w}x${h}`;
}

function strideMisfit(snapshot: Snapshot, data: Fix<"stride-misfit">, at: number): Proposal[] {
  const stmt = statementAt(snapshot.analysis.parse.file, at);
  const out: Proposal[] = [];
  if (stmt && stmt.type === "layer") {
    const kernel = stmt.args[stmt.args.length - 1];
    const kernelDims = literalDims(kernel);
    const poolStride: [number, number] = kernelDims ? [kernelDims[0], kernelDims[1] ?? kernelDims[0]] : [1, 1];
    const isPool = layerKind(stmt.op.text)?.name.endsWith("pool") ?? false;
    const pad = writtenPair(stmt, "pad", [0, 0]);
    const stride = writtenPair(stmt, "stride", isPool ? poolStride : [1, 1]);
    const set = (option: "pad" | "stride", span: Span | undefined, value: string): Proposal["edits"] =>
      span ? [{ span, text: `${option} ${value}` }] : [{ span: { start: data.insertAt, end: data.insertAt }, text: ` ${option} ${value}` }];
    if (pad) {
      for (const p of data.paddings) {
        const value = data.axis === "width" ? pairText(p, pad[1]) : data.axis === "height" ? pairText(pad[0], p) : `${p}`;
        out.push({ title: `Fit with pad ${value}`, edits: set("pad", data.pad, value) });
      }
    }
    if (stride) {
      for (const s of data.strides) {
        const value = data.axis === "width" ? pairText(s, stride[1]) : data.axis === "height" ? pairText(stride[0], s) : `${s}`;
        out.push({ title: `Fit with stride ${value}`, edits: set("stride", data.stride, value) });
      }
    }
  }
  for (const r of data.rounding) {
    const what = r === "floor" ? "round down, as PyTorch does" : "round up, like PyTorch's ceil_mode";
    out.push({ title: `Accept the misfit: add ${r} (${what})`, edits: [{ span: { start: data.insertAt, end: data.insertAt }, text: ` ${r}` }] });
  }
  if (out[0]) out[0].preferred = true;
  return out;
}

function lineIndent(snapshot: Snapshot, offset: number): string {
  const line = snapshot.positions.lineText(snapshot.positions.lineOf(offset));
  return /^[ \t]*/.exec(line)![0];
}

/** The shortcut the diagnostic spells (analysis/projection.ts), inserted or put in place of the wrong one. */
function projection(snapshot: Snapshot, data: Fix<"projection">): Proposal[] {
  const indent = data.indent ?? lineIndent(snapshot, data.residual.start);
  const block = `shortcut {\n${data.layers.map((l) => `${indent}  ${l}\n`).join("")}${indent}}`;
  const edits: Proposal["edits"] = data.shortcut ? [{ span: data.shortcut, text: block }] : [{ span: { start: data.residual.end, end: data.residual.end }, text: ` ${block}` }];
  const spelled = data.layers.join("; ");
  const title = data.shortcut ? `Replace the shortcut with a 1×1 projection: ${spelled}` : `Add a 1×1 projection shortcut: ${spelled}`;
  return [{ title, edits, preferred: true }];
}

export function applyEdits(text: string, edits: { span: Span; text: string }[]): string {
  const sorted = [...edits].sort((a, b) => b.span.start - a.span.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.span.start) + e.text + out.slice(e.span.end);
  return out;
}

function proposalsFor(snapshot: Snapshot, d: Diagnostic): Proposal[] {
  const data = d.data;
  if (!data) return [];
  switch (data.kind) {
    case "stride-misfit":
      return strideMisfit(snapshot, data, d.start);
    case "depth":
      return data.text ? [{ title: `Make the filter ${data.expected} deep: ${data.text}`, edits: [{ span: data.replace, text: data.text }], preferred: true }] : [];
    case "projection":
      return projection(snapshot, data);
    case "rename":
      return data.candidates.map((c, i) => ({ title: `Change to \`${c}\``, edits: [{ span: data.replace, text: c }], preferred: i === 0 }));
    case "preserve-size": {
      const edits = data.padSpan ? [{ span: data.padSpan, text: `pad ${data.pad}` }] : [{ span: { start: data.insertAt, end: data.insertAt }, text: ` pad ${data.pad}` }];
      return [{ title: `Preserve size: pad (F−1)/2 = ${data.pad}`, edits }];
    }
  }
}

/** Stride 1 and an odd filter that shrinks the input: offer the padding that keeps W×H. */
function preserveSize(snapshot: Snapshot, span: Span): Proposal[] {
  const stmt = statementAt(snapshot.analysis.parse.file, span.start);
  if (!stmt || stmt.type !== "layer" || span.end > stmt.end) return [];
  const o = snapshot.analysis.occurrences.get(stmt.start)?.[0];
  const attrs = o?.node?.attrs;
  const kind = layerKind(stmt.op.text);
  if (!o || !attrs || !("kernel" in attrs) || !kind || !kind.options.includes("pad") || kind.name === "deconv") return [];
  if (o.input?.kind !== "volume" || o.output?.kind !== "volume") return [];
  if (o.input.w === o.output.w && o.input.h === o.output.h) return [];
  if (attrs.stride[0] !== 1 || attrs.stride[1] !== 1) return [];
  const padOption = optionOf(stmt, "pad");
  if (padOption && !literalDims(padOption.value)) return [];
  const dilation = attrs.dilation;
  const pw = preservingPadding(attrs.kernel[0], dilation[0]);
  const ph = preservingPadding(attrs.kernel[1], dilation[1]);
  if (pw === null || ph === null) return [];
  const value = pairText(pw, ph);
  const edits = padOption ? [{ span: padOption, text: `pad ${value}` }] : [{ span: { start: stmt.end, end: stmt.end }, text: ` pad ${value}` }];
  return [{ title: `Preserve size: pad (F−1)/2 = ${value}`, edits, kind: CodeActionKind.RefactorRewrite }];
}

const overlaps = (a: Span, b: Span) => a.start <= b.end && b.start <= a.end;

export function codeActions(snapshot: Snapshot, range: Range, only: string[] | undefined): CodeAction[] {
  const span = snapshot.positions.span(range);
  const wants = (kind: string) => !only || only.length === 0 || only.some((k) => kind === k || kind.startsWith(`${k}.`));
  const actions: CodeAction[] = [];
  const toAction = (p: Proposal, diagnostic: LspDiagnostic | null): CodeAction => {
    const edits: TextEdit[] = p.edits.map((e) => ({ range: snapshot.positions.range(e.span), newText: e.text }));
    const action: CodeAction = { title: p.title, kind: p.kind ?? CodeActionKind.QuickFix, edit: { changes: { [snapshot.uri]: edits } } };
    if (diagnostic) action.diagnostics = [diagnostic];
    if (p.preferred) action.isPreferred = true;
    return action;
  };
  if (wants(CodeActionKind.QuickFix)) {
    // a statement in a block body may be reported once per use: one fix each
    const seen = new Set<string>();
    for (const d of snapshot.analysis.diagnostics) {
      if (!d.data || !overlaps(d, span)) continue;
      const lsp = toLspDiagnostic(snapshot, d);
      for (const p of proposalsFor(snapshot, d)) {
        const key = `${p.title}|${p.edits.map((e) => `${e.span.start}-${e.span.end}:${e.text}`).join(";")}`;
        if (seen.has(key)) continue;
        seen.add(key);
        actions.push(toAction(p, lsp));
      }
    }
  }
  if (wants(CodeActionKind.RefactorRewrite)) for (const p of preserveSize(snapshot, span)) actions.push(toAction(p, null));
  return actions;
}
