// Diagnostics as the command line prints them: `file:line:col: severity[code]: message`
// (spec §7; as JSON objects: analysis/summary.ts `jsonDiagnostic`).

import { LineIndex, oneLine } from "../grammar";
import type { Analysis } from "../analysis";

export function diagnosticLines(file: string, analysis: Analysis, lines = new LineIndex(analysis.text)): string[] {
  return analysis.diagnostics.map((d) => {
    const p = lines.position(d.start);
    // one line per diagnostic, so every line of the output has the spec's form; the
    // related places follow the message on the same line
    const related = (d.related ?? []).map((r) => {
      const rp = lines.position(r.start);
      return ` (${oneLine(r.message)} at ${rp.line + 1}:${rp.character + 1})`;
    });
    return `${file}:${p.line + 1}:${p.character + 1}: ${d.severity}[${d.code}]: ${oneLine(d.message)}${related.join("")}`;
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
