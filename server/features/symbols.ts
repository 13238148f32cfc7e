// Document symbols for the Outline and breadcrumbs: networks (with their totals) and
// blocks (with their parameters), and inside them every statement, nested as written —
// a repeat, residual (its shortcut a child of its own) or concat/add (one child per
// branch) holds its body. A labelled statement is named by its label, the others by
// what the line says (`conv 16 5x5`, `relu`, `repeat 2`, `Basic(64)`); the detail has
// the output shape and the params.

import { SymbolKind, type DocumentSymbol } from "vscode-languageserver";
import { shapeText } from "../../analysis";
import type { Span, Statement } from "../../grammar";
import type { ServerSettings } from "../settings";
import { blockSignature } from "../signatures";
import type { Snapshot } from "../snapshots";
import { paramsText } from "../wording";

const kinds: Record<Statement["type"], SymbolKind> = {
  layer: SymbolKind.Field,
  call: SymbolKind.Object,
  repeat: SymbolKind.Array,
  residual: SymbolKind.Namespace,
  concat: SymbolKind.Namespace,
  add: SymbolKind.Namespace,
  mul: SymbolKind.Namespace,
};

/** What a statement's own text says, up to its body: `conv 16 5x5 pad 2`, `repeat 2`. White space collapsed, long texts cut. */
function headText(text: string, from: number, stmt: Statement): string {
  const bodyAt = stmt.type === "layer" || stmt.type === "call" ? stmt.end : text.indexOf("{", from);
  const end = bodyAt >= from && bodyAt <= stmt.end ? bodyAt : stmt.end;
  const words = text.slice(from, end).replace(/\s+/g, " ").trim();
  return words.length > 60 ? `${words.slice(0, 59)}…` : words;
}

function container(snapshot: Snapshot, name: string, span: Span, selection: Span, children: DocumentSymbol[]): DocumentSymbol {
  const { positions } = snapshot;
  return { name, kind: SymbolKind.Namespace, range: positions.range(span), selectionRange: positions.range(selection), children };
}

function statements(snapshot: Snapshot, body: Statement[], settings: ServerSettings): DocumentSymbol[] {
  const { analysis, positions } = snapshot;
  const text = analysis.text;
  return body.map((stmt) => {
    const label = "label" in stmt ? stmt.label : null;
    // after a syntax error the tree may lack parts: fall back to the statement itself
    const keyword: Span = (stmt.type === "layer" ? stmt.op : stmt.type === "call" ? stmt.callee : stmt.keyword) ?? stmt;
    const head = headText(text, keyword.start, stmt) || stmt.type;
    const o = analysis.occurrences.get(stmt.start)?.[0];
    const uses = analysis.occurrences.get(stmt.start)?.length ?? 0;
    const numbers: string[] = [];
    if (o?.output) numbers.push(`→ ${shapeText(o.output, settings.shapeFormat)}`);
    if (o && o.params > 0n) numbers.push(paramsText(o.params));
    if (uses > 1) numbers.push(`(1st of ${uses})`);
    const result = numbers.join(" · ");
    let children: DocumentSymbol[] = [];
    if (stmt.type === "repeat") children = statements(snapshot, stmt.body ?? [], settings);
    else if (stmt.type === "residual") {
      children = statements(snapshot, stmt.body ?? [], settings);
      if (stmt.shortcut && stmt.shortcutKeyword) {
        const span = { start: stmt.shortcutKeyword.start, end: stmt.end };
        children.push(container(snapshot, "shortcut", span, stmt.shortcutKeyword, statements(snapshot, stmt.shortcut, settings)));
      }
    } else if (stmt.type === "concat" || stmt.type === "add" || stmt.type === "mul") {
      children = (stmt.branches ?? []).map((b, i) => container(snapshot, `branch ${i + 1}`, b, b.keyword ?? b, statements(snapshot, b.body ?? [], settings)));
    }
    return {
      name: label ? label.text : head,
      detail: label ? `${head}${result ? ` ${result}` : ""}` : result,
      kind: stmt.type === "layer" && stmt.op.text === "input" ? SymbolKind.Variable : kinds[stmt.type],
      range: positions.range(stmt),
      selectionRange: positions.range(label ?? keyword),
      children,
    };
  });
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
        children: statements(snapshot, body, settings),
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
        children: statements(snapshot, item.body, settings),
      },
    });
  }
  return symbols.sort((a, b) => a.start - b.start).map((s) => s.symbol);
}
