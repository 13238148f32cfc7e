// Analysis diagnostics → LSP diagnostics: the spec's code, a tight range, the notes
// (`in this use of Basic`) as related information. The fix data stays on the server:
// code actions read it from the analysis of the same version.

import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver";
import type { Diagnostic as CnnDiagnostic, Severity } from "../../analysis";
import { oneLine } from "../../grammar";
import type { Snapshot } from "../snapshots";

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(snapshot: Snapshot, d: CnnDiagnostic): Diagnostic {
  const out: Diagnostic = {
    range: snapshot.positions.range(d),
    severity: severities[d.severity],
    code: d.code,
    source: "cnn",
    // one line, control characters named, whatever text a message quotes
    message: oneLine(d.message),
  };
  if (d.related?.length) {
    out.relatedInformation = d.related.map((r) => ({
      location: { uri: snapshot.uri, range: snapshot.positions.range(r) },
      message: oneLine(r.message),
    }));
  }
  return out;
}

export function diagnostics(snapshot: Snapshot): Diagnostic[] {
  return snapshot.analysis.diagnostics.map((d) => toLspDiagnostic(snapshot, d));
}
