// Folding: every `{ … }` that spans lines (networks, blocks, repeat, residual and its
// shortcut, concat/add and their branches), and runs of two or more comment lines.

import { FoldingRangeKind, type FoldingRange } from "vscode-languageserver";
import type { Span } from "../../grammar";
import type { Snapshot } from "../snapshots";
import { childBodies, forEachStatementInFile } from "../tree";

export function foldingRanges(snapshot: Snapshot): FoldingRange[] {
  const { analysis, positions } = snapshot;
  const out: FoldingRange[] = [];
  const seen = new Set<string>();
  const add = (span: Span) => {
    const startLine = positions.lineOf(span.start);
    let endLine = positions.lineOf(Math.max(span.start, span.end - 1));
    // keep the closing `}` visible when it starts its line
    if (/^\s*\}/.test(positions.lineText(endLine))) endLine--;
    const key = `${startLine}:${endLine}`;
    if (endLine > startLine && !seen.has(key)) {
      seen.add(key);
      out.push({ startLine, endLine });
    }
  };
  for (const item of analysis.parse.file.items) if (item.type === "network" || item.type === "block") add(item);
  forEachStatementInFile(analysis.parse.file, (stmt) => {
    // residual { … } shortcut { … }: each part folds on its own; concat folds whole and per branch
    if (stmt.type !== "residual") add(stmt);
    if (stmt.type !== "repeat") for (const b of childBodies(stmt)) add(b.span);
  });

  let runStart = -1;
  let runEnd = -1;
  const flush = () => {
    if (runStart >= 0 && runEnd > runStart) out.push({ startLine: runStart, endLine: runEnd, kind: FoldingRangeKind.Comment });
  };
  for (const c of analysis.parse.comments) {
    const line = positions.lineOf(c.start);
    const alone = analysis.text.slice(positions.lineStart(line), c.start).trim() === "";
    if (!alone) continue;
    if (line === runEnd + 1 && runStart >= 0) runEnd = line;
    else {
      flush();
      runStart = runEnd = line;
    }
  }
  flush();
  return out.sort((a, b) => a.startLine - b.startLine);
}
