// How the engine's commands name a layer in messages and in exported models.

import { LineIndex } from "../grammar";
import type { Analysis, GraphNode } from "../analysis";

/** `line 4: conv 1 3x3 weights …` for a node: Netron shows it in the node's properties */
export function nodeDescriber(file: string, analysis: Analysis): (node: GraphNode) => string {
  const lines = new LineIndex(analysis.text);
  return (node) => {
    const line = lines.lineOf(node.span.start);
    const text = analysis.text.slice(node.span.start, node.span.end).split(/\r\n|\r|\n/)[0].trim();
    return `${file}:${line + 1}: ${text.length > 120 ? text.slice(0, 119) + "…" : text}`;
  };
}

