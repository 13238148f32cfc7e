// Shared helpers: reading examples, applying LSP edits to a text, ranges as text.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Position, Range, TextEdit } from "vscode-languageserver-protocol";
import { root } from "./client";

export function example(name: string): string {
  return readFileSync(join(root, "examples", name), "utf8");
}

/** A spec example, verbatim (test/fixtures/spec). */
export function specExample(name: string): string {
  return readFileSync(join(root, "test", "fixtures", "spec", name), "utf8");
}

export function offsetOf(text: string, position: Position): number {
  let line = 0;
  let i = 0;
  while (line < position.line && i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
    i++;
  }
  return i + position.character;
}

export function slice(text: string, range: Range): string {
  return text.slice(offsetOf(text, range.start), offsetOf(text, range.end));
}

/** Applies edits as an editor does: all against the original text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const spans = edits
    .map((e) => ({ start: offsetOf(text, e.range.start), end: offsetOf(text, e.range.end), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/** The text of line `n` (0-based), without its line break. */
export function lineOf(text: string, n: number): string {
  return text.split(/\r\n|\r|\n/)[n] ?? "";
}
