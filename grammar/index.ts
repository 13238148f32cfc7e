// parse(text) → { file, errors }: parsing never fails. The tree may be incomplete
// where the text is broken; every syntax error comes with a tight range.

import { EOF, type IToken } from "chevrotain";
import type { CnnFile, Span, SyntaxError } from "./ast";
import { layout } from "./layout";
import { CnnParser } from "./parser";
import * as T from "./tokens";
import { endOf } from "./tokens";
import { LineIndex } from "./lines";
import { printable } from "./printable";
import { parseIncrementally, type IncrementalParse } from "./incremental";

export * from "./ast";
export { keywordWords, optionArity } from "./tokens";
export { LineIndex, type LineCharacter } from "./lines";
export { oneLine, printable } from "./printable";

export interface ParseResult {
  file: CnnFile;
  errors: SyntaxError[];
  /** spans of the comments, for folding and semantic tokens */
  comments: Span[];
  /** the significant tokens, for semantic tokens */
  tokens: IToken[];
}

let parser: CnnParser | null = null;

/**
 * The parse of `text` from the parse of `before` (grammar/incremental.ts): only the lines
 * an edit touched are parsed again. Null when that cannot be done exactly: parse(text).
 */
export function reparse(before: string, previous: ParseResult, text: string): IncrementalParse | null {
  return parseIncrementally(before, previous, text, parse, MAX_TEXT_LENGTH);
}
export type { IncrementalParse };

/**
 * The longest text that is read: 1 MiB of UTF-16 code units (some 35,000 layers written
 * out one a line, far past any network written by hand; a repeat or a block reaches the
 * 100,000-layer limit from far less). A longer text is refused with one error at its
 * first character, so that no file can take the parser's time and memory without
 * bound: a 20 MB file peaked at 1.9–3 GB; at this limit the worst text (one token
 * after another) stays near 300 MB.
 */
export const MAX_TEXT_LENGTH = 1 << 20;

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  if (code > 0x2e7f) return `\`${printable(c)}\` (text outside a comment: comments start with \`#\` or \`//\`)`;
  return `\`${printable(c)}\``;
}

export function parse(text: string): ParseResult {
  if (text.length > MAX_TEXT_LENGTH) {
    const message = `this file is too long to analyze: ${text.length.toLocaleString("en-US")} characters, the limit is ${MAX_TEXT_LENGTH.toLocaleString("en-US")} (1 MiB): split it into files, or write the repetition with \`repeat\` or a block`;
    return { file: { items: [] }, errors: [{ ...characterAt(text, 0), message }], comments: [], tokens: [] };
  }
  parser ??= new CnnParser();
  const lexed = T.tokenize(text);
  const errors: SyntaxError[] = [];

  for (const e of lexed.errors) {
    const c = String.fromCodePoint(text.codePointAt(e.offset) ?? 63);
    errors.push({ start: e.offset, end: e.offset + e.length, message: `unexpected character ${describeChar(c)}` });
  }
  for (const tok of lexed.tokens) {
    if (tok.tokenType === T.BadNumber) {
      errors.push({ start: tok.startOffset, end: endOf(tok), message: `malformed number \`${tok.image}\`` });
    } else if (tok.tokenType === T.NumberLiteral && !Number.isFinite(Number(tok.image))) {
      // `1e999`: well formed, but past float64 — the value would be Infinity, and a layer with it no shape
      errors.push({ start: tok.startOffset, end: endOf(tok), message: `number \`${tok.image.length > 40 ? `${tok.image.slice(0, 40)}…` : tok.image}\` is too large (past ${Number.MAX_VALUE.toExponential(3)})` });
    } else if (tok.tokenType === T.StringLiteral && (tok.image.length < 2 || !tok.image.endsWith('"'))) {
      errors.push({ start: tok.startOffset, end: endOf(tok), message: "unterminated string: add `\"`" });
    }
  }

  errors.push(...T.miscasedKeywords(lexed.tokens));
  const arranged = layout(text, lexed.tokens);
  errors.push(...arranged.errors);

  parser.input = arranged.tokens;
  let file: CnnFile;
  try {
    file = parser.file() ?? { items: [] };
  } catch (e) {
    // a last line of defence: the layout pass bounds nesting, so this is not expected
    if (!(e instanceof RangeError)) throw e;
    file = { items: [] };
    errors.push({ ...characterAt(text, 0), message: "this file is nested too deeply to analyze" });
  }
  for (const e of parser.errors) {
    errors.push(spanOfError(text, arranged.tokens, e.token, (e as { previousToken?: IToken }).previousToken, e.message));
  }

  const comments = (lexed.groups.comments ?? []).map((t) => ({ start: t.startOffset, end: endOf(t) }));
  return { file, errors: onePerLine(text, errors), comments, tokens: lexed.tokens };
}

function isReal(tok: IToken | undefined): tok is IToken {
  return tok !== undefined && tok.tokenType !== EOF && !tok.isInsertedInRecovery && Number.isFinite(tok.startOffset) && !(tok as { virtual?: boolean }).virtual;
}

function spanOfError(text: string, tokens: IToken[], tok: IToken, previous: IToken | undefined, message: string): SyntaxError {
  if (isReal(tok) && tok.tokenType !== T.Newline) return { start: tok.startOffset, end: endOf(tok), message };
  // at the end of a line or of the file, or at a `}` the layout supplied: point at the
  // last real token before it (never at a comment's last character, nor half of one)
  const anchor = Number.isFinite(tok.startOffset) ? tok.startOffset : text.length;
  const before = isReal(previous) && previous.tokenType !== T.Newline && endOf(previous) <= anchor ? previous : lastTokenBefore(tokens, anchor);
  if (before) return { start: before.startOffset, end: endOf(before), message };
  return { ...characterAt(text, 0), message };
}

/** The last real token, not a line break, that ends at or before `offset`. */
function lastTokenBefore(tokens: IToken[], offset: number): IToken | undefined {
  // tokens are in text order: find the last one starting before `offset`, then step back
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    const t = tokens[i];
    if (isReal(t) && t.tokenType !== T.Newline && endOf(t) <= offset) return t;
  }
  return undefined;
}

/** The span of the character (a whole surrogate pair) at `offset`; empty in an empty text. */
function characterAt(text: string, offset: number): { start: number; end: number } {
  if (offset >= text.length) return { start: text.length, end: text.length };
  const code = text.codePointAt(offset)!;
  return { start: offset, end: offset + (code > 0xffff ? 2 : 1) };
}

/** One error per line: the first is the cause, the rest are usually its echoes (a primary error is the cause wherever it stands on the line). */
function onePerLine(text: string, errors: SyntaxError[]): SyntaxError[] {
  if (errors.length === 0) return errors;
  const lines = new LineIndex(text);
  errors.sort((a, b) => a.start - b.start || a.end - b.end);
  const at = new Map<number, number>();
  const kept: SyntaxError[] = [];
  for (const e of errors) {
    const line = lines.lineOf(e.start);
    const had = at.get(line);
    if (had !== undefined && !(e.primary && !kept[had].primary)) continue;
    const clean: SyntaxError = { start: Math.min(e.start, text.length), end: Math.min(Math.max(e.end, e.start), text.length), message: e.message, ...(e.primary ? { primary: true } : {}) };
    if (had !== undefined) kept[had] = clean;
    else {
      at.set(line, kept.length);
      kept.push(clean);
    }
  }
  return kept;
}
