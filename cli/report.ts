// Diagnostics as the command line prints them: `file:line:col: severity[code]: message`
// and as JSON objects with 1-based lines and UTF-16 columns (spec §7).

import { LineIndex } from "../grammar";
import type { Analysis, Diagnostic } from "../analysis";

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

export function diagnosticLines(file: string, analysis: Analysis, lines = new LineIndex(analysis.text)): string[] {
  return analysis.diagnostics.map((d) => {
    const p = lines.position(d.start);
    // one line per diagnostic, so every line of the output has the spec's form; the
    // related places follow the message on the same line
    const related = (d.related ?? []).map((r) => {
      const rp = lines.position(r.start);
      return ` (${r.message} at ${rp.line + 1}:${rp.character + 1})`;
    });
    return `${file}:${p.line + 1}:${p.character + 1}: ${d.severity}[${d.code}]: ${d.message}${related.join("")}`;
  });
}

export function countBySeverity(analysis: Analysis): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of analysis.diagnostics) {
    if (d.severity === "error") errors++;
    else if (d.severity === "warning") warnings++;
  }
  return { errors, warnings };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
