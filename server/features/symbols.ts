// Document symbols for the Outline and breadcrumbs: networks (with their totals),
// blocks (with their parameters) and labelled statements, nested as written.

import { SymbolKind, type DocumentSymbol } from "vscode-languageserver";
import { shapeText } from "../../analysis";
import type { Statement } from "../../grammar";
import type { ServerSettings } from "../settings";
import { blockSignature } from "../signatures";
import type { Snapshot } from "../snapshots";
import { childBodies } from "../tree";
import { paramsText } from "../wording";

function labelled(snapshot: Snapshot, body: Statement[], settings: ServerSettings): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const stmt of body) {
    const inner = childBodies(stmt).flatMap((c) => labelled(snapshot, c.body, settings));
    if (!stmt.label) {
      out.push(...inner);
      continue;
    }
    const o = snapshot.analysis.occurrences.get(stmt.start)?.[0];
    const what = stmt.type === "layer" ? stmt.op.text : stmt.type === "call" ? stmt.callee.text : stmt.type;
    out.push({
      name: stmt.label.text,
      detail: o?.output ? `${what} → ${shapeText(o.output, settings.shapeFormat)}` : what,
      kind: stmt.type === "layer" ? SymbolKind.Field : SymbolKind.Object,
      range: snapshot.positions.range(stmt),
      selectionRange: snapshot.positions.range(stmt.label),
      children: inner,
    });
  }
  return out;
}

export function documentSymbols(snapshot: Snapshot, settings: ServerSettings): DocumentSymbol[] {
  const { analysis, positions } = snapshot;
  const symbols: { start: number; symbol: DocumentSymbol }[] = [];
  for (const n of analysis.networks) {
    const body = n.implicit
      ? analysis.parse.file.items.filter((i): i is Statement => i.type !== "network" && i.type !== "block")
      : (analysis.parse.file.items.find((i) => i.type === "network" && i.start === n.span.start) as { body: Statement[] } | undefined)?.body ?? [];
    const totals = n.output ? `${shapeText(n.input, settings.shapeFormat)} → ${shapeText(n.output, settings.shapeFormat)} · ${paramsText(n.params)}` : paramsText(n.params);
    symbols.push({
      start: n.span.start,
      symbol: {
        name: n.name,
        detail: totals,
        kind: SymbolKind.Class,
        range: positions.range(n.span),
        selectionRange: positions.range(n.nameSpan),
        children: labelled(snapshot, body, settings),
      },
    });
  }
  for (const item of analysis.parse.file.items) {
    if (item.type !== "block" || !item.name) continue;
    const sig = blockSignature(snapshot, item);
    symbols.push({
      start: item.start,
      symbol: {
        name: item.name.text,
        detail: sig.label.slice(item.name.text.length),
        kind: SymbolKind.Function,
        range: positions.range(item),
        selectionRange: positions.range(item.name),
        children: labelled(snapshot, item.body, settings),
      },
    });
  }
  return symbols.sort((a, b) => a.start - b.start).map((s) => s.symbol);
}
