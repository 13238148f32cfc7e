// parse(text) → { file, errors }: parsing never fails. The tree may be incomplete
// where the text is broken; every syntax error comes with a tight range.

import { EOF, type IToken } from "chevrotain";
import type { CnnFile, Span, SyntaxError } from "./ast";
import { layout } from "./layout";
import { CnnParser } from "./parser";
import * as T from "./tokens";
import { endOf } from "./tokens";
import { LineIndex } from "./lines";

export * from "./ast";
export { keywordWords, optionArity } from "./tokens";
export { LineIndex, type LineCharacter } from "./lines";

export interface ParseResult {
  file: CnnFile;
  errors: SyntaxError[];
  /** spans of the comments, for folding and semantic tokens */
  comments: Span[];
  /** the significant tokens, for semantic tokens */
  tokens: IToken[];
}

let parser: CnnParser | null = null;

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  if (code > 0x2e7f) return `\`${c}\` (text outside a comment: comments start with \`#\` or \`//\`)`;
  return `\`${c}\``;
}

export function parse(text: string): ParseResult {
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
    errors.push({ start: 0, end: Math.min(text.length, 1), message: "this file is nested too deeply to analyze" });
  }
  for (const e of parser.errors) {
    errors.push(spanOfError(text, e.token, (e as { previousToken?: IToken }).previousToken, e.message));
  }

  const comments = (lexed.groups.comments ?? []).map((t) => ({ start: t.startOffset, end: endOf(t) }));
  return { file, errors: onePerLine(text, errors), comments, tokens: lexed.tokens };
}

function isReal(tok: IToken | undefined): tok is IToken {
  return tok !== undefined && tok.tokenType !== EOF && Number.isFinite(tok.startOffset) && !(tok as { virtual?: boolean }).virtual;
}

function spanOfError(text: string, tok: IToken, previous: IToken | undefined, message: string): SyntaxError {
  if (isReal(tok) && tok.tokenType !== T.Newline) return { start: tok.startOffset, end: endOf(tok), message };
  // at the end of a line or of the file: point just after the last real token
  const anchor = isReal(tok) ? tok.startOffset : isReal(previous) ? endOf(previous) : text.length;
  let start = anchor;
  while (start > 0 && /\s/.test(text[start - 1])) start--;
  if (isReal(previous) && endOf(previous) <= anchor) {
    return { start: previous.startOffset, end: endOf(previous), message };
  }
  return { start: Math.max(0, start - 1), end: Math.max(start, 1), message };
}

/** One error per line: the first is the cause, the rest are usually its echoes. */
function onePerLine(text: string, errors: SyntaxError[]): SyntaxError[] {
  if (errors.length === 0) return errors;
  const lines = new LineIndex(text);
  errors.sort((a, b) => a.start - b.start || a.end - b.end);
  const seen = new Set<number>();
  const kept: SyntaxError[] = [];
  for (const e of errors) {
    const line = lines.lineOf(e.start);
    if (seen.has(line)) continue;
    seen.add(line);
    kept.push({ ...e, end: Math.min(Math.max(e.end, e.start), text.length), start: Math.min(e.start, text.length) });
  }
  return kept;
}
