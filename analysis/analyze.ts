// analyze(text) → Analysis: the one entry point of the language core.

import { parse, reparse, type CnnFile, type IncrementalParse, type ParseResult } from "../grammar";
import { Attached } from "./attached";
import { Elaborator, type ElaborationResult, type Resumable } from "./elaborate";
import type { Analysis, AnalysisSettings, Diagnostic, DiagnosticCode, Severity } from "./types";

/** Default severity per code (spec §5). */
export const defaultSeverity: Record<DiagnosticCode, Severity> = {
  syntax: "error",
  "stride-misfit": "warning",
  "depth-mismatch": "error",
  "spatial-mismatch": "error",
  "groups-indivisible": "error",
  "empty-output": "error",
  "needs-volume": "error",
  "no-input": "error",
  "bad-value": "error",
  "unknown-name": "error",
  "duplicate-name": "error",
  "recursive-block": "error",
  "even-filter": "hint",
};

export const diagnosticCodes = Object.keys(defaultSeverity) as DiagnosticCode[];

/** `dir/lenet5.cnn` → `lenet5`: the name of a file's implicit network. */
export function networkNameOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? "";
  const name = base.replace(/\.cnn$/i, "");
  return name || "main";
}

/**
 * The last text without a syntax error before an analysis whose text has one, and its
 * parse: an edit while an error is on screen is parsed from there (the lines that differ
 * from it — the broken line being typed — are the unit; grammar/incremental.ts needs a
 * clean parse to start from).
 */
/** texts at least this long keep their clean base (the tests lower it) */
export const cleanBaseLimits = { from: 20_000 };
const cleanBase = new Attached<Analysis, { text: string; parse: ParseResult; resumable: Resuming | undefined }>("clean base");

/** The parse of `text` from the previous analysis' (grammar/incremental.ts); null: parse it whole. */
function reparsed(previous: Analysis, text: string): IncrementalParse | null {
  const base = previous.parse.errors.length === 0 ? previous : cleanBase.get(previous);
  if (!base) return null;
  try {
    return reparse(base.text, base.parse, text);
  } catch {
    // (never expected; the whole parse is always right)
    return null;
  }
}

/** The place after the last statement of the network elaborated last (the file's own statements, else the last network). */
function endOf(file: CnnFile): { item: number; index: number } {
  const items = file.items;
  if (items.some((x) => x.type !== "network" && x.type !== "block")) return { item: -1, index: items.length };
  for (let k = items.length - 1; k >= 0; k--) {
    const x = items[k];
    if (x.type === "network") return { item: k, index: x.body.length };
  }
  return { item: -1, index: items.length };
}

/** How often each reuse was had (for the tests and the bench: a path never taken proves nothing). */
export const reuseCounts = { parses: 0, resumes: 0 };

/** What the elaboration of the next version may resume from, and the settings it was made with. */
type Resuming = { resumable: Resumable; settings: string };
// (on the analysis itself, not in a WeakMap: analysis/attached.ts)
const resumables = new Attached<Analysis, Resuming>("resumable");

/**
 * The analysis of `text`. With `previous` (the analysis of an earlier text of the same
 * file, same settings), what did not change is reused: the result is the same as
 * without it, only sooner (docs/ARCHITECTURE.md, "Incremental analysis").
 */
export function analyze(text: string, fileName = "main.cnn", settings: AnalysisSettings = {}, previous?: Analysis): Analysis {
  const severityOf = (code: DiagnosticCode): Severity | "off" => settings.severity?.[code] ?? defaultSeverity[code];
  const incremental = previous ? reparsed(previous, text) : null;
  const parsed = incremental?.result ?? parse(text);
  const isError = (code: DiagnosticCode) => severityOf(code) === "error";
  const settingsKey = JSON.stringify(settings);
  // the elaboration resumed before the first statement the edit changed (expand.ts), from the version just before
  let elaborated: ElaborationResult | null = null;
  // (a reparse from the last clean text resumes that text's elaboration: the edit's place is in its terms)
  const from = previous && incremental && incremental.item >= -1 ? (previous.parse.errors.length === 0 ? resumables.get(previous) : cleanBase.get(previous)?.resumable) : undefined;
  // (back to the last clean text, as a typo is taken out: resumed at the end, nothing elaborated again)
  const back = previous && incremental && incremental.item === -2 && previous.parse.errors.length > 0 ? cleanBase.get(previous)?.resumable : undefined;
  if (back && back.settings === settingsKey) {
    try {
      elaborated = Elaborator.resume(back.resumable, parsed.file, networkNameOf(fileName), settings.maxLayers, isError, endOf(parsed.file));
    } catch {
      elaborated = null;
    }
  }
  if (from && from.settings === settingsKey) {
    try {
      elaborated = Elaborator.resume(from.resumable, parsed.file, networkNameOf(fileName), settings.maxLayers, isError, incremental!);
    } catch {
      // (never expected; the whole elaboration is always right)
      elaborated = null;
    }
  }
  if (incremental && incremental.item >= -1) reuseCounts.parses++;
  if (elaborated) reuseCounts.resumes++;
  elaborated ??= new Elaborator(parsed.file, networkNameOf(fileName), settings.maxLayers, isError).run();

  const diagnostics: Diagnostic[] = [];
  for (const e of parsed.errors) {
    diagnostics.push({ code: "syntax", severity: "error", message: e.message, start: e.start, end: e.end });
  }
  diagnostics.push(...elaborated.diagnostics);
  const shown: Diagnostic[] = [];
  for (const d of diagnostics) {
    const severity = severityOf(d.code);
    if (severity === "off") continue;
    shown.push({ ...d, severity });
  }
  shown.sort((a, b) => a.start - b.start || a.end - b.end);

  const analysis: Analysis = {
    fileName,
    text,
    parse: parsed,
    networks: elaborated.networks,
    blocks: elaborated.blocks,
    diagnostics: shown,
    occurrences: elaborated.occurrences,
    unrecordedUses: elaborated.unrecordedUses,
    references: elaborated.references,
    work: elaborated.work,
  };
  if (elaborated.resumable) resumables.set(analysis, { resumable: elaborated.resumable, settings: settingsKey });
  // (kept for long texts only: a short one parses whole in less than the memory is worth — the fuzzer's RSS check)
  if (previous && parsed.errors.length > 0 && text.length >= cleanBaseLimits.from) {
    const base = previous.parse.errors.length === 0 ? { text: previous.text, parse: previous.parse, resumable: resumables.get(previous) } : cleanBase.get(previous);
    if (base) cleanBase.set(analysis, base);
  }
  return analysis;
}
