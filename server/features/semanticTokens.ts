// Semantic tokens: what the TextMate grammar cannot know. Layer kinds of the catalog
// (an unknown word stays plain), block names and parameters as the analysis resolved
// them, labels and network names. Keywords, numbers and comments stay with the grammar.

import { SemanticTokensBuilder, type SemanticTokens, type SemanticTokensLegend } from "vscode-languageserver";
import { layerKind } from "../../analysis";
import type { Span } from "../../grammar";
import type { Snapshot } from "../snapshots";
import { forEachStatementInFile } from "../tree";

const types = ["namespace", "class", "function", "parameter", "variable", "enumMember"] as const;
const modifiers = ["declaration", "defaultLibrary"] as const;
type TokenType = (typeof types)[number];
type Modifier = (typeof modifiers)[number];

export const semanticTokensLegend: SemanticTokensLegend = { tokenTypes: [...types], tokenModifiers: [...modifiers] };

export function semanticTokens(snapshot: Snapshot, within: Span | null): SemanticTokens {
  const { analysis, positions } = snapshot;
  const found: { span: Span; type: TokenType; mods: Modifier[] }[] = [];
  const push = (span: Span, type: TokenType, ...mods: Modifier[]) => {
    // (written so that a NaN offset, which compares false, is left out too: a token is never null)
    if (!(span.end > span.start)) return;
    if (within && (span.end < within.start || span.start > within.end)) return;
    found.push({ span, type, mods });
  };
  for (const n of analysis.networks) if (!n.implicit && n.nameSpan.end > n.nameSpan.start) push(n.nameSpan, "namespace", "declaration");
  for (const r of analysis.references) push(r, r.kind === "block" ? "class" : "parameter", ...(r.isDefinition ? (["declaration"] as Modifier[]) : []));
  forEachStatementInFile(analysis.parse.file, (stmt) => {
    if (stmt.label) push(stmt.label, "variable", "declaration");
    if (stmt.type !== "layer") return;
    if (stmt.op.text === "input" || layerKind(stmt.op.text)) push(stmt.op, "function", "defaultLibrary");
    const pad = stmt.options.find((o) => o.name.text === "pad");
    if (pad?.value && pad.value.type === "dims" && pad.value.parts.length === 1) {
      const v = pad.value.parts[0];
      if (v.type === "ref" && (v.name === "same" || v.name === "valid") && !analysis.references.some((r) => r.start === v.start)) push(v, "enumMember");
    }
  });
  found.sort((a, b) => a.span.start - b.span.start);
  const builder = new SemanticTokensBuilder();
  let lastEnd = -1;
  for (const t of found) {
    if (t.span.start < lastEnd) continue;
    const start = positions.position(t.span.start);
    const end = positions.position(t.span.end, true);
    if (end.line !== start.line || end.character <= start.character) continue;
    const mask = t.mods.reduce((m, mod) => m | (1 << modifiers.indexOf(mod)), 0);
    builder.push(start.line, start.character, end.character - start.character, types.indexOf(t.type), mask);
    lastEnd = t.span.end;
  }
  return builder.build();
}
