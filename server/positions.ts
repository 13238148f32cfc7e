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

  position(offset: number): Position {
    return this.lines.position(offset);
  }

  /** A position from the client, clamped into the text (never throws on garbage). */
  offset(position: Position | null | undefined): number {
    const line = Number.isFinite(position?.line) ? Math.trunc(position!.line) : 0;
    const character = Number.isFinite(position?.character) ? Math.trunc(position!.character) : 0;
    return this.lines.offset({ line, character });
  }

  range(span: Span): Range {
    return { start: this.position(span.start), end: this.position(Math.max(span.start, span.end)) };
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
