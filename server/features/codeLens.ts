// A code lens above each network: `▶ Run · 61,706 params · 0.42 MMAC`, `Summary` and,
// where the client can show it, `Architecture`; arguments [uri, network name]. The
// commands are the client's own where it has them (VS Code: `cnn.run` opens the run
// view, `cnn.showSummary` the summary editor, `cnn.showArchitecture` the architecture
// view), else the server's (server/commands.ts: `cnn.run`, `cnn.summary`).

import type { CodeLens } from "vscode-languageserver";
import type { Snapshot } from "../snapshots";
import { macsText, paramsText } from "../wording";

export interface LensCommands {
  run: string;
  summary: string;
  /** the client's architecture view; absent: no such lens (the server has no view to show) */
  architecture?: string;
}

export function runTitle(params: bigint, macs: bigint): string {
  return `▶ Run · ${paramsText(params)} · ${macsText(macs)}`;
}

export function codeLenses(snapshot: Snapshot, commands: LensCommands): CodeLens[] {
  const { analysis, positions } = snapshot;
  const lenses: CodeLens[] = [];
  for (const n of analysis.networks) {
    const line = positions.lineOf(n.span.start);
    const range = { start: { line, character: 0 }, end: { line, character: 0 } };
    lenses.push({ range, command: { title: runTitle(n.params, n.macs), command: commands.run, arguments: [snapshot.uri, n.name] } });
    lenses.push({ range, command: { title: "Summary", command: commands.summary, arguments: [snapshot.uri, n.name] } });
    if (commands.architecture) lenses.push({ range, command: { title: "Architecture", command: commands.architecture, arguments: [snapshot.uri, n.name] } });
  }
  return lenses;
}
