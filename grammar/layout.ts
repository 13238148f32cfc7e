// Token-level layout before parsing: line continuations inside lists and calls,
// `{`/`shortcut` on the next line, and brace balancing. Balancing here, with the
// indentation as a witness, lets one missing or extra brace be reported once at the
// brace itself, instead of as a cascade of parse errors through the rest of the file.

import type { IToken, TokenType } from "chevrotain";
import * as T from "./tokens";
import { endOf } from "./tokens";
import type { SyntaxError } from "./ast";

export interface LayoutResult {
  tokens: IToken[];
  errors: SyntaxError[];
}

const listContinuation = new Set<TokenType>([
  T.NumberLiteral,
  T.BadNumber,
  T.Minus,
  T.Plus,
  T.LBracket,
  T.RBracket,
  T.Comma,
]);
const operators = new Set<TokenType>([T.Comma, T.LParen, T.LBracket, T.Plus, T.Minus, T.Star, T.Slash, T.Equals, T.Cross]);

export function lineIndent(text: string, offset: number): number {
  let lineStart = offset;
  while (lineStart > 0 && text[lineStart - 1] !== "\n" && text[lineStart - 1] !== "\r") lineStart--;
  let i = lineStart;
  while (text[i] === " " || text[i] === "\t") i++;
  return i - lineStart;
}

export function isFirstOnLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i];
    if (c === "\n" || c === "\r") return true;
    if (c !== " " && c !== "\t") return false;
  }
  return true;
}

function virtualClose(at: number, like: IToken): IToken {
  return {
    ...like,
    image: "",
    tokenType: T.RBrace,
    tokenTypeIdx: T.RBrace.tokenTypeIdx!,
    startOffset: at,
    endOffset: at - 1,
    isInsertedInRecovery: false,
    virtual: true,
  } as IToken;
}

/** What opened a brace, in the user's words: "`network LeNet5`", "`residual`". */
function describeOpener(tokens: IToken[], braceIndex: number): string {
  for (let i = braceIndex - 1; i >= 0 && i >= braceIndex - 8; i--) {
    const t = tokens[i].tokenType;
    if (t === T.Newline || t === T.RBrace || t === T.LBrace || t === T.Semicolon) break;
    if (t === T.Network || t === T.Block) {
      const name = tokens[i + 1]?.tokenType === T.Identifier ? ` ${tokens[i + 1].image}` : "";
      return `\`${tokens[i].image}${name}\``;
    }
    if (t === T.Repeat || t === T.Residual || t === T.Shortcut || t === T.Concat || t === T.Add || t === T.Mul || t === T.Branch) {
      return `\`${tokens[i].image}\``;
    }
  }
  return "this `{`";
}

/** Deeper nesting of `{ ( [` than this is refused: the parser recurses once per level. */
export const MAX_NESTING = 100;
/** Longer runs of unary signs (`- - - 1`) than this are refused, for the same reason. */
const MAX_SIGN_RUN = 100;

// (compared directly, not looked up in a Set: these run once per token)
const opens = (type: TokenType) => type === T.LBrace || type === T.LParen || type === T.LBracket;
const closes = (type: TokenType) => type === T.RBrace || type === T.RParen || type === T.RBracket;

/**
 * Drops whatever nests deeper than MAX_NESTING (reported once, at the first level too
 * deep), so that no text can exhaust the parser's stack.
 */
function limitNesting(input: IToken[], errors: SyntaxError[]): IToken[] {
  if (!nestsTooDeep(input)) return input;
  let depth = 0;
  let signRun = 0;
  let reported = false;
  const out: IToken[] = [];
  const refuse = (tok: IToken, message: string) => {
    if (reported) return;
    reported = true;
    errors.push({ start: tok.startOffset, end: endOf(tok), message, primary: true });
  };
  for (const tok of input) {
    const type = tok.tokenType;
    let level = depth;
    if (opens(type)) level = ++depth;
    else if (closes(type) && depth > 0) depth--;
    if (level > MAX_NESTING) {
      refuse(tok, `nesting deeper than ${MAX_NESTING} levels is not supported: this \`${tok.image}\` is level ${level}; the text nested deeper is skipped`);
      continue;
    }
    signRun = type === T.Minus || type === T.Plus ? signRun + 1 : 0;
    if (signRun > MAX_SIGN_RUN) {
      refuse(tok, `more than ${MAX_SIGN_RUN} signs in a row`);
      continue;
    }
    out.push(tok);
  }
  return out;
}

/** A quick look first: nearly every file nests shallowly and has no run of signs. */
function nestsTooDeep(input: IToken[]): boolean {
  let depth = 0;
  let signRun = 0;
  for (const tok of input) {
    const type = tok.tokenType;
    if (opens(type)) {
      if (++depth > MAX_NESTING) return true;
    } else if (closes(type) && depth > 0) depth--;
    signRun = type === T.Minus || type === T.Plus ? signRun + 1 : 0;
    if (signRun > MAX_SIGN_RUN) return true;
  }
  return false;
}

export function layout(text: string, raw: IToken[]): LayoutResult {
  const errors: SyntaxError[] = [];
  const input = limitNesting(raw, errors);
  const out: IToken[] = [];
  // open `[` and `(`: newlines inside them continue the line when what follows fits
  const brackets: TokenType[] = [];
  // open `{`: index in `out`, and the indentation of its line
  const braces: { index: number; indent: number; token: IToken; opener: string }[] = [];

  const closeUnclosed = (downTo: number, at: number, like: IToken) => {
    while (braces.length > downTo) {
      const open = braces.pop()!;
      errors.push({
        start: open.token.startOffset,
        end: endOf(open.token),
        message: `${open.opener} opens a \`{\` that is never closed: add \`}\``,
      });
      out.push(virtualClose(at, like));
    }
  };

  for (let i = 0; i < input.length; i++) {
    const tok = input[i];
    const type = tok.tokenType;

    if (type === T.Newline) {
      // look past a run of newlines to the next real token
      let j = i;
      while (j < input.length && input[j].tokenType === T.Newline) j++;
      const next = input[j];
      const prev = out[out.length - 1];
      if (brackets.length > 0) {
        const inner = brackets[brackets.length - 1];
        const continues =
          next !== undefined &&
          (inner === T.LBracket
            ? listContinuation.has(next.tokenType)
            : (prev !== undefined && operators.has(prev.tokenType)) || next.tokenType === T.RParen || next.tokenType === T.Comma);
        if (continues) {
          i = j - 1;
          continue;
        }
        brackets.length = 0; // unterminated: the parser reports the missing bracket here
      }
      if (next !== undefined && (next.tokenType === T.LBrace || next.tokenType === T.Shortcut)) {
        i = j - 1;
        continue;
      }
      out.push(tok);
      continue;
    }

    if (type === T.LBracket || type === T.LParen) brackets.push(type);
    else if (type === T.RBracket || type === T.RParen) {
      const want = type === T.RBracket ? T.LBracket : T.LParen;
      const at = brackets.lastIndexOf(want);
      if (at >= 0) brackets.length = at;
    }

    if (type === T.Network || type === T.Block) {
      // definitions do not nest: whatever is still open was never closed
      if (braces.length > 0) closeUnclosed(0, tok.startOffset, tok);
      brackets.length = 0;
    } else if (type === T.LBrace) {
      brackets.length = 0;
      braces.push({
        index: out.length,
        indent: lineIndent(text, tok.startOffset),
        token: tok,
        opener: describeOpener(out, out.length),
      });
    } else if (type === T.RBrace) {
      brackets.length = 0;
      if (braces.length === 0) {
        errors.push({ start: tok.startOffset, end: endOf(tok), message: "this `}` closes nothing: remove it" });
        continue;
      }
      if (isFirstOnLine(text, tok.startOffset)) {
        // a `}` alone on its line closes the brace opened on a line indented alike
        const indent = lineIndent(text, tok.startOffset);
        const top = braces[braces.length - 1];
        if (top.indent > indent) {
          let match = -1;
          for (let k = braces.length - 2; k >= 0; k--) {
            if (braces[k].indent === indent) {
              match = k;
              break;
            }
            if (braces[k].indent < indent) break;
          }
          if (match >= 0) closeUnclosed(match + 1, tok.startOffset, tok);
        }
      }
      braces.pop();
    }
    out.push(tok);
  }
  const last = input[input.length - 1];
  if (braces.length > 0 && last) closeUnclosed(0, text.length, last);
  return { tokens: out, errors };
}
