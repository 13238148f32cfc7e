// How the engine's commands (`cnn run`, `cnn export`, the editor's Export ONNX) name a
// layer in messages and in exported models.

import { LineIndex } from "../grammar/lines";
import type { GraphNode } from "../analysis/types";

/** `lenet5.cnn:5: c1: conv 6 5x5` for a node of the file's `text`: Netron shows it in the node's properties */
export function nodeDescriber(file: string, text: string): (node: GraphNode) => string {
  const lines = new LineIndex(text);
  return (node) => {
    const line = lines.lineOf(node.span.start);
    const statement = text.slice(node.span.start, node.span.end).split(/\r\n|\r|\n/)[0].trim();
    return `${file}:${line + 1}: ${statement.length > 120 ? statement.slice(0, 119) + "…" : statement}`;
  };
}
