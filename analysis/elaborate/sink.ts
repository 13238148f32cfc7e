// Where an elaboration's findings go: diagnostics (each once, with the block uses that
// led to it as related places) and the references of block names and parameters.

import type { Span } from "../../grammar";
import type { Report } from "../values";
import type { Diagnostic, DiagnosticCode, FixData, NameReference } from "../types";

/** One block use on the way to the statement being elaborated. */
export interface CallFrame {
  block: string;
  site: Span;
}

/** A sink's state between two top-level statements (incremental analysis: expand.ts `resume`). */
export interface SinkMark {
  diagnostics: number;
  references: number;
  seen: number;
  referenceKeys: number;
  errors: number;
}

/** The first `n` entries of a set, in a new one. */
export function firstOf<T>(set: Set<T>, n: number): Set<T> {
  const out = new Set<T>();
  if (n === 0) return out;
  for (const x of set) {
    out.add(x);
    if (out.size === n) break;
  }
  return out;
}

export class Sink {
  diagnostics: Diagnostic[] = [];
  references: NameReference[] = [];
  private seen = new Set<string>();
  private referenceKeys = new Set<number>();
  /** the block uses that led here, outermost first (the expansion keeps it) */
  callStack: CallFrame[] = [];
  /** false while blocks are checked on their own: no related places, no occurrences */
  recording = true;
  /** errors reported in the current network, repeats included (a network with one never runs) */
  errors = 0;

  constructor(private readonly isError: (code: DiagnosticCode) => boolean = () => true) {}

  mark(): SinkMark {
    return { diagnostics: this.diagnostics.length, references: this.references.length, seen: this.seen.size, referenceKeys: this.referenceKeys.size, errors: this.errors };
  }

  /** This sink as `from` was at `mark` (between two top-level statements: no call stack, recording); `from` is not changed. */
  restore(from: Sink, mark: SinkMark): void {
    this.diagnostics = from.diagnostics.slice(0, mark.diagnostics);
    this.references = from.references.slice(0, mark.references);
    this.seen = firstOf(from.seen, mark.seen);
    this.referenceKeys = firstOf(from.referenceKeys, mark.referenceKeys);
    this.errors = mark.errors;
    this.callStack = [];
    this.recording = true;
  }

  report(code: DiagnosticCode, span: Span, message: string, data?: FixData, related?: Diagnostic["related"]): void {
    const key = `${code}|${span.start}|${span.end}|${message}`;
    if (this.isError(code)) this.errors++;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const sites = this.callStack.length > 0 && this.recording
      ? this.callStack.map((f) => ({ start: f.site.start, end: f.site.end, message: `in this use of \`${f.block}\`` }))
      : [];
    const all = [...(related ?? []), ...sites];
    this.diagnostics.push({
      code,
      severity: "error",
      message,
      start: span.start,
      end: Math.max(span.end, span.start),
      ...(data ? { data } : {}),
      ...(all.length ? { related: all } : {}),
    });
  }

  /** report() as a plain function, for the evaluators */
  readonly reporter: Report = (code, span, message, data) => this.report(code, span, message, data);

  addReference(kind: NameReference["kind"], use: Span, definition: Span, name: string, isDefinition: boolean): void {
    // a name at one place always means one definition (scopes are static): its place is the key
    if (this.referenceKeys.has(use.start)) return;
    this.referenceKeys.add(use.start);
    this.references.push({ kind, start: use.start, end: use.end, definition: { start: definition.start, end: definition.end }, name, isDefinition });
  }
}
