// The one place where UTF-16 offsets of the analysis meet LSP positions and ranges.
// grammar/lines.ts already counts in UTF-16 code units, as LSP requires; this adds the
// protocol types and the few line questions the features ask.

import type { Position, Range } from "vscode-languageserver";
import { LineIndex } from "../grammar";
import type { Span } from "../grammar";

export class Positions {
  private readonly lines: LineIndex;

  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
  }

  get lineCount(): number {
    return this.lines.lineCount;
  }

  /**
   * The position of an offset: clamped into the text, never NaN, and never between the
   * halves of a surrogate pair (`after`: past the pair, else before it) — a position
   * there splits one character in two, which no editor can show.
   */
  position(offset: number, after = false): Position {
    let at = Number.isFinite(offset) ? Math.max(0, Math.min(Math.trunc(offset), this.text.length)) : 0;
    if (at > 0 && at < this.text.length && isHigh(this.text.charCodeAt(at - 1)) && isLow(this.text.charCodeAt(at))) at += after ? 1 : -1;
    return this.lines.position(at);
  }

  /** A position from the client, clamped into the text (never throws on garbage). */
  offset(position: Position | null | undefined): number {
    const line = Number.isFinite(position?.line) ? Math.trunc(position!.line) : 0;
    const character = Number.isFinite(position?.character) ? Math.trunc(position!.character) : 0;
    return this.lines.offset({ line, character });
  }

  /** A span as a range: ordered, inside the text, whole characters (a span with a NaN end is empty). */
  range(span: Span): Range {
    const start = Number.isFinite(span.start) ? span.start : Number.isFinite(span.end) ? span.end : 0;
    const end = Number.isFinite(span.end) ? Math.max(start, span.end) : start;
    return { start: this.position(start), end: this.position(end, true) };
  }

  /** The offsets a client range covers, ordered and clamped (nothing given: the start). */
  span(range: Range | null | undefined): Span {
    const a = this.offset(range?.start);
    const b = this.offset(range?.end);
    return a <= b ? { start: a, end: b } : { start: b, end: a };
  }

  lineOf(offset: number): number {
    return this.lines.lineOf(offset);
  }

  lineStart(line: number): number {
    return this.lines.lineStart(line);
  }

  /** The end of a line's content, before its line break. */
  lineEnd(line: number): number {
    return this.lines.lineEnd(line);
  }

  lineText(line: number): string {
    return this.text.slice(this.lines.lineStart(line), this.lines.lineEnd(line));
  }
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
