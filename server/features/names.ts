// Go to definition, find references, highlights and rename for block names and block
// parameters, read from Analysis.references (the analysis resolved every use).

import { DocumentHighlightKind, type DocumentHighlight, type Location, type Position, type Range, type WorkspaceEdit } from "vscode-languageserver";
import { layerNames, type NameReference } from "../../analysis";
import { keywordWords } from "../../grammar";
import type { Snapshot } from "../snapshots";

function referenceAt(snapshot: Snapshot, position: Position): NameReference | null {
  const offset = snapshot.positions.offset(position);
  return snapshot.analysis.references.find((r) => r.start <= offset && offset <= r.end) ?? null;
}

function sameName(snapshot: Snapshot, ref: NameReference): NameReference[] {
  return snapshot.analysis.references.filter((r) => r.kind === ref.kind && r.definition.start === ref.definition.start);
}

export function definition(snapshot: Snapshot, position: Position): Location | null {
  const ref = referenceAt(snapshot, position);
  return ref ? { uri: snapshot.uri, range: snapshot.positions.range(ref.definition) } : null;
}

export function references(snapshot: Snapshot, position: Position, includeDeclaration: boolean): Location[] {
  const ref = referenceAt(snapshot, position);
  if (!ref) return [];
  return sameName(snapshot, ref)
    .filter((r) => includeDeclaration || !r.isDefinition)
    .sort((a, b) => a.start - b.start)
    .map((r) => ({ uri: snapshot.uri, range: snapshot.positions.range(r) }));
}

export function highlights(snapshot: Snapshot, position: Position): DocumentHighlight[] {
  const ref = referenceAt(snapshot, position);
  if (!ref) return [];
  return sameName(snapshot, ref).map((r) => ({
    range: snapshot.positions.range(r),
    kind: r.isDefinition ? DocumentHighlightKind.Write : DocumentHighlightKind.Read,
  }));
}

export function prepareRename(snapshot: Snapshot, position: Position): { range: Range; placeholder: string } | null {
  const ref = referenceAt(snapshot, position);
  return ref ? { range: snapshot.positions.range(ref), placeholder: ref.name } : null;
}

const reserved = new Set<string>([...keywordWords.structural, ...keywordWords.options, "input", "same", "valid"]);

/** Why `name` cannot replace `ref`, or null when it can. */
export function renameProblem(snapshot: Snapshot, ref: NameReference, name: string): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `\`${name}\` is not a name: letters, digits and _ , not starting with a digit`;
  if (reserved.has(name)) return `\`${name}\` is a keyword of the language`;
  if (name === ref.name) return null;
  const { analysis } = snapshot;
  if (ref.kind === "block") {
    if (layerNames.includes(name)) return `\`${name}\` is a layer kind`;
    const taken = analysis.networks.some((n) => n.name === name) || analysis.blocks.some((b) => b.name === name);
    if (taken) return `\`${name}\` is already the name of a network or block`;
  } else {
    const block = analysis.blocks.find((b) => b.params.some((p) => p.span.start === ref.definition.start));
    if (block?.params.some((p) => p.name === name)) return `block \`${block.name}\` already has a parameter \`${name}\``;
  }
  return null;
}

export function rename(snapshot: Snapshot, position: Position, newName: string): WorkspaceEdit | { problem: string } | null {
  const ref = referenceAt(snapshot, position);
  if (!ref) return null;
  const problem = renameProblem(snapshot, ref, newName);
  if (problem) return { problem };
  const edits = sameName(snapshot, ref).map((r) => ({ range: snapshot.positions.range(r), newText: newName }));
  return { changes: { [snapshot.uri]: edits } };
}
