// How a block is written for people: `Basic(k, s = 1)`, with the offsets of each
// parameter in that label (signature help highlights them) and the comments that
// document it (the lines right above `block`, or the comment ending its first line).

import type { BlockDefinition } from "../grammar";
import type { Snapshot } from "./snapshots";

export interface BlockSignature {
  name: string;
  label: string;
  parameters: { name: string; label: [number, number]; defaultText: string | null }[];
  documentation: string;
}

export function blockSignature(snapshot: Snapshot, block: BlockDefinition): BlockSignature {
  const text = snapshot.analysis.text;
  const name = block.name?.text ?? "?";
  let label = `${name}(`;
  const parameters: BlockSignature["parameters"] = [];
  block.params.forEach((p, i) => {
    if (i > 0) label += ", ";
    const defaultText = p.defaultValue ? text.slice(p.defaultValue.start, p.defaultValue.end) : null;
    const part = defaultText === null ? p.name.text : `${p.name.text} = ${defaultText}`;
    parameters.push({ name: p.name.text, label: [label.length, label.length + part.length], defaultText });
    label += part;
  });
  label += ")";
  return { name, label, parameters, documentation: docComment(snapshot, block.start) };
}

/** The comment lines right above `offset`'s line, or the comment at the end of that line. */
export function docComment(snapshot: Snapshot, offset: number): string {
  const { positions, analysis } = snapshot;
  const line = positions.lineOf(offset);
  const ownLine = new Map<number, string>();
  let trailing = "";
  for (const c of analysis.parse.comments) {
    if (c.start > positions.lineEnd(line)) break;
    const l = positions.lineOf(c.start);
    if (l < line - 50) continue;
    const text = strip(analysis.text.slice(c.start, c.end));
    if (analysis.text.slice(positions.lineStart(l), c.start).trim() === "") ownLine.set(l, text);
    else if (l === line) trailing = text;
  }
  const above: string[] = [];
  for (let l = line - 1; ownLine.has(l); l--) above.unshift(ownLine.get(l)!);
  return above.length ? above.join("\n") : trailing;
}

function strip(comment: string): string {
  return comment.replace(/^(#|\/\/)\s?/, "").trimEnd();
}
