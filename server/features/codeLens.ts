// A code lens above each network: `▶ Run · 61,706 params · 0.42 MMAC` (the command
// `cnn.run` opens the run view, arguments [uri, network name]), `Summary` and `Architecture`.

import type { CodeLens } from "vscode-languageserver";
import type { Snapshot } from "../snapshots";
import { macsText, paramsText } from "../wording";

export const runCommand = "cnn.run";
export const summaryCommand = "cnn.showSummary";
export const architectureCommand = "cnn.showArchitecture";

export function runTitle(params: bigint, macs: bigint): string {
  return `▶ Run · ${paramsText(params)} · ${macsText(macs)}`;
}

export function codeLenses(snapshot: Snapshot): CodeLens[] {
  const { analysis, positions } = snapshot;
  const lenses: CodeLens[] = [];
  for (const n of analysis.networks) {
    const line = positions.lineOf(n.span.start);
    const range = { start: { line, character: 0 }, end: { line, character: 0 } };
    lenses.push({ range, command: { title: runTitle(n.params, n.macs), command: runCommand, arguments: [snapshot.uri, n.name] } });
    lenses.push({ range, command: { title: "Summary", command: summaryCommand, arguments: [snapshot.uri, n.name] } });
    lenses.push({ range, command: { title: "Architecture", command: architectureCommand, arguments: [snapshot.uri, n.name] } });
  }
  return lenses;
}
