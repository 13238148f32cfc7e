// Formatting: indentation by braces, one space between tokens (`=` with a space on
// each side: `s = 1`, as the spec writes defaults and named arguments), and per
// paragraph — a run of one-statement lines at one depth, up to a blank line, a line
// with braces or a change of depth — two columns: the arguments of the unlabelled
// layers, and the trailing comments:
//
//   input   32x32x1
//   conv    6 5x5        # → 28×28×6
//   relu
//   avgpool 2x2          # → 14×14×6
//
// Indentation is always spaces: the client's tabSize when it asks for spaces, else 2
// (so an editor whose default is tabs of 8, as Neovim's, still gets the house style).
//
// It only ever changes spaces and tabs inside a line: every token stays, in order, on
// its line; comments are kept; line breaks are never touched. Any other character the
// lexer skips as white space (U+FEFF, U+00A0, U+2028, U+3000, U+200B, \f, \v, …) is
// kept where it is: a gap holding one is left exactly as written (a byte-order mark at
// the start of the file stays in front of the first line, which is formatted as usual).
// A text with syntax errors is left alone.

import type { IToken } from "chevrotain";
import type { FormattingOptions, TextEdit } from "vscode-languageserver";
import * as T from "../../grammar/tokens";
import { endOf } from "../../grammar/tokens";
import type { Span } from "../../grammar";
import type { Snapshot } from "../snapshots";

interface Line {
  index: number;
  /** what stays in front of everything: the byte-order mark of line 0 */
  bom: string;
  /** the white space before the first token or comment, when it holds more than spaces and tabs: kept as written instead of the indentation */
  lead: string | null;
  /** between the code and its comment, when it holds more than spaces and tabs */
  beforeComment: string | null;
  /** after the last token of a line without comment, when it holds more than spaces and tabs */
  tail: string;
  tokens: IToken[];
  comment: Span | null;
  /** braces open at the start of the line */
  depth: number;
  /** the line continues a list or call from the line above: left as written */
  continuation: boolean;
  /** one layer or block-use statement, whole on this line: it takes part in alignment */
  simple: { label: string; head: string; rest: string; headSeparated: boolean } | null;
  code: string;
}

const noSpaceBefore = new Set([T.Comma, T.Semicolon, T.RParen, T.RBracket, T.Colon]);
const noSpaceAfter = new Set([T.LParen, T.LBracket]);
const spaceAfter = new Set([T.Comma, T.Semicolon, T.Colon, T.LBrace, T.RBrace, T.Equals]);
const spaceBefore = new Set([T.LBrace, T.RBrace, T.Equals]);

/** The gap as written when it holds anything but spaces and tabs (it is then kept), else null. */
function kept(text: string, from: number, to: number): string | null {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return text.slice(from, to);
  }
  return null;
}

/** A comment without the spaces and tabs that end it (other white space stays). */
function trimBlanks(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return s.slice(0, end);
}

function joinTokens(text: string, tokens: IToken[]): string {
  let out = "";
  // inside `[…]` (literal weights, data) the spacing is the user's: matrices are laid out by hand
  let inList = 0;
  tokens.forEach((tok, i) => {
    if (i > 0) {
      const prev = tokens[i - 1];
      const hadSpace = tok.startOffset > endOf(prev);
      const verbatim = kept(text, endOf(prev), tok.startOffset);
      let space: boolean;
      if (verbatim !== null) {
        out += verbatim;
        space = false;
      } else if (inList > 0) space = hadSpace && !noSpaceBefore.has(tok.tokenType) && !noSpaceAfter.has(prev.tokenType);
      else if (noSpaceBefore.has(tok.tokenType)) space = false;
      else if (noSpaceAfter.has(prev.tokenType)) space = false;
      else if (spaceAfter.has(prev.tokenType) || spaceBefore.has(tok.tokenType)) space = true;
      else space = hadSpace;
      if (space) out += " ";
    }
    if (tok.tokenType === T.LBracket) inList++;
    else if (tok.tokenType === T.RBracket) inList = Math.max(0, inList - 1);
    out += text.slice(tok.startOffset, endOf(tok));
  });
  return out;
}

function describeLines(snapshot: Snapshot): Line[] {
  const { analysis, positions } = snapshot;
  const text = analysis.text;
  const lines: Line[] = [];
  for (let i = 0; i < positions.lineCount; i++) {
    lines.push({ index: i, bom: "", lead: null, beforeComment: null, tail: "", tokens: [], comment: null, depth: 0, continuation: false, simple: null, code: "" });
  }
  for (const tok of analysis.parse.tokens) if (tok.tokenType !== T.Newline) lines[positions.lineOf(tok.startOffset)].tokens.push(tok);
  for (const c of analysis.parse.comments) lines[positions.lineOf(c.start)].comment = c;

  let braces = 0;
  let brackets = 0;
  for (const line of lines) {
    line.depth = braces;
    line.continuation = brackets > 0;
    for (const tok of line.tokens) {
      if (tok.tokenType === T.LBrace) braces++;
      else if (tok.tokenType === T.RBrace) braces = Math.max(0, braces - 1);
      else if (tok.tokenType === T.LBracket || tok.tokenType === T.LParen) brackets++;
      else if (tok.tokenType === T.RBracket || tok.tokenType === T.RParen) brackets = Math.max(0, brackets - 1);
    }
    if (line.tokens[0]?.tokenType === T.RBrace) line.depth = Math.max(0, line.depth - 1);
    line.code = joinTokens(text, line.tokens);
    let start = positions.lineStart(line.index);
    if (start === 0 && text.charCodeAt(0) === 0xfeff) {
      line.bom = "\ufeff";
      start = 1;
    }
    const first = line.tokens[0]?.startOffset ?? line.comment?.start ?? positions.lineEnd(line.index);
    line.lead = kept(text, start, first);
    const last = line.tokens.at(-1);
    if (last && line.comment) line.beforeComment = kept(text, endOf(last), line.comment.start);
    else if (last) line.tail = kept(text, endOf(last), positions.lineEnd(line.index)) ?? "";
    const structural = line.tokens.some((t) => t.tokenType === T.LBrace || t.tokenType === T.RBrace || t.tokenType === T.Semicolon);
    if (!line.continuation && brackets === 0 && !structural && line.tokens.length > 0) {
      let at = 0;
      if (line.tokens[1]?.tokenType === T.Colon && (line.tokens[0].tokenType === T.Identifier || line.tokens[0].tokenType === T.PathName)) at = 2;
      const head = line.tokens[at];
      if (head && (head.tokenType === T.Identifier || head.tokenType === T.PadKeyword)) {
        const rest = line.tokens.slice(at + 1);
        // a label or kind followed by a kept gap is written as it stands
        const labelGap = at > 0 ? kept(text, endOf(line.tokens[1]), head.startOffset) : null;
        const headGap = rest.length > 0 ? kept(text, endOf(head), rest[0].startOffset) : null;
        if (labelGap === null && headGap === null) {
          line.simple = {
            label: at > 0 ? joinTokens(text, line.tokens.slice(0, 2)) : "",
            head: head.image,
            rest: joinTokens(text, rest),
            headSeparated: rest.length > 0 && rest[0].startOffset > endOf(head),
          };
        }
      }
    }
  }
  return lines;
}

/** Spaces always: the client's width when it asks for spaces (1–16), else two. */
export function indentUnit(options: Partial<FormattingOptions>): string {
  const width = options.insertSpaces === true && typeof options.tabSize === "number" ? Math.trunc(options.tabSize) : 2;
  return " ".repeat(Math.max(1, Math.min(16, width || 2)));
}

export function formatEdits(snapshot: Snapshot, options: Partial<FormattingOptions>, within: Span | null): TextEdit[] {
  const { analysis, positions } = snapshot;
  if (analysis.parse.errors.length > 0) return [];
  const text = analysis.text;
  const unit = indentUnit(options);
  const lines = describeLines(snapshot);
  const result = new Map<number, string>();
  const indentOf = (l: Line) => l.bom + (l.lead ?? unit.repeat(l.depth));
  const commentText = (l: Line) => (l.comment ? trimBlanks(text.slice(l.comment.start, l.comment.end)) : "");
  const commentColumn = (l: Line) => (l.comment ? l.comment.start - positions.lineStart(l.index) : -1);

  // runs of simple lines at one depth, not broken by blank or structural lines
  const groups: Line[][] = [];
  let current: Line[] = [];
  for (const l of lines) {
    if (l.continuation) continue;
    const commentOnly = l.tokens.length === 0 && l.comment !== null;
    if (l.simple && (current.length === 0 || current[0].depth === l.depth)) current.push(l);
    else if (commentOnly && current.length > 0) continue;
    else {
      if (current.length) groups.push(current);
      current = l.simple ? [l] : [];
    }
  }
  if (current.length) groups.push(current);

  for (const group of groups) {
    // One column per paragraph: the arguments of every unlabelled layer with arguments
    // start where the paragraph's longest such kind ends. Lines without arguments
    // (`relu`), labelled lines (`c1: conv …`, the label stays in front of its own
    // statement), block uses and comment lines keep their own layout and do not break
    // the column.
    const inColumn = (l: Line) => l.simple!.headSeparated && !l.simple!.label;
    const width = Math.max(0, ...group.filter(inColumn).map((l) => l.simple!.head.length));
    const headWidth = new Map<Line, number>(group.filter(inColumn).map((l) => [l, width]));
    const codes = group.map((l) => {
      const s = l.simple!;
      const head = s.headSeparated ? s.head.padEnd(headWidth.get(l) ?? 0) + " " : s.head;
      return indentOf(l) + (s.label ? `${s.label} ` : "") + head + s.rest;
    });
    // only commented lines decide the comment column: a long bare line does not push it
    const aligned = (l: Line) => l.comment !== null && l.beforeComment === null;
    const widest = Math.max(0, ...codes.filter((_, i) => aligned(group[i])).map((c) => c.length));
    const commented = group.filter(aligned);
    const columns = new Set(commented.map(commentColumn));
    const shared = columns.size === 1 ? [...columns][0] : -1;
    const column = shared >= widest + 1 ? shared : widest + 2;
    group.forEach((l, i) => {
      const withComment = l.beforeComment !== null ? codes[i] + l.beforeComment : codes[i].padEnd(column);
      result.set(l.index, l.comment ? withComment + commentText(l) : codes[i] + l.tail);
    });
  }

  for (const l of lines) {
    if (l.continuation || result.has(l.index)) continue;
    if (l.tokens.length === 0) {
      // a blank line keeps only what is not a space or a tab
      result.set(l.index, l.comment ? indentOf(l) + commentText(l) : l.bom + (l.lead ?? ""));
      continue;
    }
    const code = indentOf(l) + l.code;
    const keep = commentColumn(l);
    const beforeComment = l.beforeComment ?? " ".repeat(Math.max(1, keep - code.length));
    result.set(l.index, l.comment ? code + beforeComment + commentText(l) : code + l.tail);
  }

  const edits: TextEdit[] = [];
  for (const [index, wanted] of result) {
    const start = positions.lineStart(index);
    const end = positions.lineEnd(index);
    if (within && (end < within.start || start > within.end)) continue;
    // emptied, a line between a lone CR and an LF would merge their two breaks into one CRLF
    if (wanted === "" && start > 0 && text.charCodeAt(start - 1) === 13 && text.charCodeAt(end) === 10) continue;
    if (text.slice(start, end) !== wanted) edits.push({ range: positions.range({ start, end }), newText: wanted });
  }
  return edits.sort((a, b) => a.range.start.line - b.range.start.line);
}
