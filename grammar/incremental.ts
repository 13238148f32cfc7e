// Incremental parsing (issue 14: an edit of a 5,000-layer file within 25 ms). After an
// edit, only the whole lines it touched are lexed and parsed again, on their own; the
// statements, tokens and comments before them are kept as they are, and those after
// are kept too, moved by the edit's length. The result is the parse the whole text
// would give — or null, and the caller parses the whole text: whenever the lines
// could mean something else in place than on their own, or either text has a syntax
// error (the parser's recovery is not local), nothing is reused.
//
// The lines re-read (the *unit*) are the smallest run of whole lines that holds the
// change and every statement it touches, inside one body: a network's or a block's
// between its braces, or the file's own statements outside every definition. A
// statement is one line or a few (a `repeat … { … }` written over several); in a
// clean parse a statement ends at the end of its line, so whole statements on whole
// lines are parsed on their own exactly as in place, with these exceptions, each
// checked: a line starting with `{` or `shortcut` joins the line before it (layout.ts);
// a `}` first on a line indented less than its `{` may close an outer body; nesting
// counts the body's own level; `network` and `block` are not statements.
//
// Nothing of the previous parse is changed: what moves is copied (the previous
// snapshot may still be read, e.g. by a run in progress).

import type { IToken } from "chevrotain";
import type * as A from "./ast";
import type { ParseResult } from "./index";
import { isFirstOnLine, lineIndent, MAX_NESTING } from "./layout";
import { lastAtOrBefore } from "./lines";
import * as T from "./tokens";

/** What was reused, for tests and the benchmark's notes. */
export interface IncrementalParse {
  result: ParseResult;
  /** the unit, in the new text */
  start: number;
  end: number;
  /** the edit's change of length */
  delta: number;
  /** the file item whose body holds the unit (-1: the file's own statements; -2: nothing changed) */
  item: number;
  /** the index in that body of the first statement the unit replaced (the statements before it are the previous parse's own) */
  index: number;
}

/** `i` starts a line of `t` (a `\r\n` is one line break: its `\n` starts nothing). */
function isLineStart(t: string, i: number): boolean {
  if (i <= 0 || i >= t.length) return true;
  const c = t.charCodeAt(i - 1);
  return c === 10 || (c === 13 && t.charCodeAt(i) !== 10);
}

/** The common prefix and suffix of two texts: the change is old[a, oldEnd) → new[a, newEnd). */
function changedRegion(before: string, after: string): { a: number; oldEnd: number; newEnd: number } | null {
  const n = Math.min(before.length, after.length);
  // (whole chunks first, compared as strings — a memory compare; char by char, 200 kB took
  // ~1.5 ms of every edit of the 5,000-layer file)
  let a = 0;
  while (a + CHUNK <= n && before.slice(a, a + CHUNK) === after.slice(a, a + CHUNK)) a += CHUNK;
  while (a < n && before.charCodeAt(a) === after.charCodeAt(a)) a++;
  if (a === before.length && a === after.length) return null;
  let s = 0;
  while (s + CHUNK <= n - a && before.slice(before.length - s - CHUNK, before.length - s) === after.slice(after.length - s - CHUNK, after.length - s)) s += CHUNK;
  while (s < n - a && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return { a, oldEnd: before.length - s, newEnd: after.length - s };
}

const CHUNK = 512;

/**
 * A copy of an AST value with every `start` and `end` moved by `d` — the generic walk
 * (any object, any key), for tests: `movedItem` below must agree with it.
 */
export function moved<T>(x: T, d: number): T {
  if (Array.isArray(x)) {
    const out = new Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = moved(x[i], d);
    return out as T;
  }
  if (x === null || typeof x !== "object") return x;
  const out: Record<string, unknown> = {};
  for (const key in x) {
    const v = (x as Record<string, unknown>)[key];
    out[key] = (key === "start" || key === "end") && typeof v === "number" ? v + d : typeof v === "object" && v !== null ? moved(v, d) : v;
  }
  return out as T;
}

// The same copy, written out per kind of node (a generic walk took 5.5 ms for the 4,900
// statements below an edit of the 5,000-layer file; this, under one). Each copy is an
// object literal with the parser's keys in the parser's order (grammar/parser.ts): V8
// then gives it the parser's own hidden class, so the elaboration that reads the copies
// runs as fast as on a fresh parse. (A spread `{ ...x }` makes a new hidden class, one
// more per generation of copies: after a few edits every property read in the
// elaboration was polymorphic, and an edit at the 101st of 5,000 layers cost 1.7× a
// whole analysis.) The test compares each copy, keys in order, with the parse of the
// moved text.
function mname(x: A.Name, d: number): A.Name {
  return { text: x.text, start: x.start + d, end: x.end + d };
}
function mkeyword(x: A.Span, d: number): A.Span {
  return { start: x.start + d, end: x.end + d };
}
function mexpr(e: A.Expr, d: number): A.Expr {
  switch (e.type) {
    case "number":
      return { type: "number", value: e.value, text: e.text, isInteger: e.isInteger, start: e.start + d, end: e.end + d };
    case "ref":
      return { type: "ref", name: e.name, start: e.start + d, end: e.end + d };
    case "binary":
      return { type: "binary", op: e.op, left: mexpr(e.left, d), right: mexpr(e.right, d), start: e.start + d, end: e.end + d };
    default:
      return { type: "negate", operand: e.operand ? mexpr(e.operand, d) : e.operand, start: e.start + d, end: e.end + d };
  }
}
function mlist(items: A.ListItem[], d: number): A.ListItem[] {
  const out = new Array<A.ListItem>(items.length);
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    out[i] = x.type === "list" ? { type: "list", items: mlist(x.items, d), start: x.start + d, end: x.end + d } : { type: "number", value: x.value, start: x.start + d, end: x.end + d };
  }
  return out;
}
function mvalue(v: A.Value, d: number): A.Value {
  if (v.type === "dims") {
    const parts = new Array<A.Expr>(v.parts.length);
    for (let i = 0; i < parts.length; i++) parts[i] = mexpr(v.parts[i], d);
    return { type: "dims", parts, start: v.start + d, end: v.end + d };
  }
  if (v.type === "list") return { type: "list", items: mlist(v.items, d), start: v.start + d, end: v.end + d };
  return { type: "string", value: v.value, start: v.start + d, end: v.end + d };
}
function moption(x: A.OptionNode, d: number): A.OptionNode {
  return { name: mname(x.name, d), value: x.value ? mvalue(x.value, d) : null, start: x.start + d, end: x.end + d };
}
function mbranches(list: A.Branch[], d: number): A.Branch[] {
  const out = new Array<A.Branch>(list.length);
  for (let i = 0; i < list.length; i++) {
    const b = list[i];
    out[i] = { keyword: mkeyword(b.keyword, d), body: mstatements(b.body, d), start: b.start + d, end: b.end + d };
  }
  return out;
}
function mstatements(list: A.Statement[], d: number): A.Statement[] {
  const out = new Array<A.Statement>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = mstatement(list[i], d);
  return out;
}
function mlayer(s: A.LayerStatement, d: number): A.LayerStatement {
  const args = new Array<A.Value>(s.args.length);
  for (let i = 0; i < args.length; i++) args[i] = mvalue(s.args[i], d);
  const options = new Array<A.OptionNode>(s.options.length);
  for (let i = 0; i < options.length; i++) options[i] = moption(s.options[i], d);
  const b = s.body;
  const body = b ? { branches: mbranches(b.branches, d), statements: mstatements(b.statements, d), start: b.start + d, end: b.end + d } : b;
  return { type: "layer", label: s.label ? mname(s.label, d) : null, op: mname(s.op, d), args, options, body, start: s.start + d, end: s.end + d };
}
function mcall(s: A.CallStatement, d: number): A.CallStatement {
  const args = new Array<A.CallArgument>(s.args.length);
  for (let i = 0; i < args.length; i++) {
    const a = s.args[i];
    args[i] = { name: a.name ? mname(a.name, d) : null, value: a.value ? mexpr(a.value, d) : null, start: a.start + d, end: a.end + d };
  }
  const t = s.trailing;
  const trailing = t ? { first: mname(t.first, d), options: t.options.map((x) => ({ name: mname(x.name, d), value: x.value })), start: t.start + d, end: t.end + d } : t;
  return { type: "call", label: s.label ? mname(s.label, d) : null, callee: mname(s.callee, d), args, trailing, start: s.start + d, end: s.end + d };
}
function mstatement(s: A.Statement, d: number): A.Statement {
  switch (s.type) {
    case "layer":
      return mlayer(s, d);
    case "call":
      return mcall(s, d);
    case "repeat":
      return { type: "repeat", label: s.label ? mname(s.label, d) : null, keyword: mkeyword(s.keyword, d), count: s.count ? mexpr(s.count, d) : null, body: mstatements(s.body, d), start: s.start + d, end: s.end + d };
    case "residual":
      return {
        type: "residual",
        label: s.label ? mname(s.label, d) : null,
        keyword: mkeyword(s.keyword, d),
        body: mstatements(s.body, d),
        shortcut: s.shortcut ? mstatements(s.shortcut, d) : null,
        shortcutKeyword: s.shortcutKeyword ? mkeyword(s.shortcutKeyword, d) : null,
        start: s.start + d,
        end: s.end + d,
      };
    default:
      return { type: s.type, label: s.label ? mname(s.label, d) : null, keyword: mkeyword(s.keyword, d), branches: mbranches(s.branches, d), start: s.start + d, end: s.end + d };
  }
}

/** A top-level item (or a statement of a body) moved by `d`: a copy, the original untouched. */
export function movedItem<X extends A.TopLevelItem>(x: X, d: number): X {
  if (x.type === "network") {
    const n = x as A.NetworkDefinition;
    const o: A.NetworkDefinition = { type: "network", keyword: mkeyword(n.keyword, d), name: n.name ? mname(n.name, d) : null, body: mstatements(n.body, d), start: n.start + d, end: n.end + d };
    return o as X;
  }
  if (x.type === "block") {
    const b = x as A.BlockDefinition;
    const params = b.params.map((p): A.BlockParameter => ({ name: mname(p.name, d), defaultValue: p.defaultValue ? mexpr(p.defaultValue, d) : null, start: p.start + d, end: p.end + d }));
    const o: A.BlockDefinition = { type: "block", keyword: mkeyword(b.keyword, d), name: b.name ? mname(b.name, d) : null, params, body: mstatements(b.body, d), start: b.start + d, end: b.end + d };
    return o as X;
  }
  return mstatement(x as A.Statement, d) as X;
}

/** The same move, in place, on values made for this parse (the unit's); an object the parser put in two places moves once. */
function moveInPlace(x: unknown, d: number, seen = new Set<object>()): void {
  if (x === null || typeof x !== "object" || seen.has(x)) return;
  seen.add(x);
  if (Array.isArray(x)) {
    for (const v of x) moveInPlace(v, d, seen);
    return;
  }
  const o = x as Record<string, unknown>;
  for (const key in o) {
    const v = o[key];
    if ((key === "start" || key === "end") && typeof v === "number") o[key] = v + d;
    else if (typeof v === "object" && v !== null) moveInPlace(v, d, seen);
  }
}

/** (tokens carry their start only: the lexer tracks offsets alone, and endOf() reads the image) */
// (the lexer's own literal, keys in its order — chevrotain's createOffsetOnlyToken — so the
// copy has its hidden class; a spread made a new one per generation of copies, and copying
// 40,000 tokens took 25 ms after a few edits)
function movedToken(tok: IToken, d: number): IToken {
  if (typeof tok.endOffset === "number") {
    const copy = { image: tok.image, startOffset: tok.startOffset + d, tokenTypeIdx: tok.tokenTypeIdx, tokenType: tok.tokenType } as IToken;
    copy.endOffset = tok.endOffset + d;
    return copy;
  }
  return { image: tok.image, startOffset: tok.startOffset + d, tokenTypeIdx: tok.tokenTypeIdx, tokenType: tok.tokenType } as IToken;
}

/** A run of another parse's tokens, `from` to `to` of `tokens`, each moved by `delta`. */
interface TokenRun {
  tokens: readonly IToken[];
  from: number;
  to: number;
  delta: number;
}

/** Runs at most, before a reparse's tokens are made into one array at once. */
const MAX_RUNS = 24;

/**
 * A reparse's tokens, kept as runs of the previous parses' (moved by the edit's length)
 * and the unit's own, and made into one array — the moved ones copied — only when
 * something reads `tokens` (completion, signature help, formatting, the tests). An edit
 * near the top of the 5,000-layer file moves 40,000 tokens: copying them was ~2 MB and
 * ~2 ms of every edit, for tokens the publish never reads. The next reparse reads the
 * runs themselves.
 */
class Reparsed implements ParseResult {
  private made: IToken[] | null = null;
  constructor(
    readonly file: A.CnnFile,
    readonly errors: A.SyntaxError[],
    readonly comments: A.Span[],
    readonly runs: readonly TokenRun[],
  ) {}

  get tokens(): IToken[] {
    return (this.made ??= tokensOf(this.runs));
  }

  /** the runs, or the array once made (then one run) */
  view(): readonly TokenRun[] {
    return this.made ? [{ tokens: this.made, from: 0, to: this.made.length, delta: 0 }] : this.runs;
  }
}

function tokensOf(runs: readonly TokenRun[]): IToken[] {
  const out: IToken[] = [];
  for (const r of runs) {
    if (r.delta === 0) for (let k = r.from; k < r.to; k++) out.push(r.tokens[k]);
    else for (let k = r.from; k < r.to; k++) out.push(movedToken(r.tokens[k], r.delta));
  }
  return out;
}

/** A parse's tokens read in place: offsets and types by index, without copying. */
class TokenView {
  /** index of each run's first token */
  private readonly starts: number[] = [];
  readonly length: number;
  constructor(readonly runs: readonly TokenRun[]) {
    let n = 0;
    for (const r of runs) {
      this.starts.push(n);
      n += r.to - r.from;
    }
    this.length = n;
  }

  private runAt(i: number): number {
    return lastAtOrBefore(this.starts, i);
  }

  private token(i: number): IToken {
    const k = this.runAt(i);
    const r = this.runs[k];
    return r.tokens[r.from + i - this.starts[k]];
  }

  offset(i: number): number {
    return this.token(i).startOffset + this.runs[this.runAt(i)].delta;
  }

  /** where the token ends */
  end(i: number): number {
    return this.offset(i) + this.token(i).image.length;
  }

  type(i: number): IToken["tokenType"] {
    return this.token(i).tokenType;
  }

  /** The first index whose token starts at or after `at`. */
  firstAtOrAfter(at: number): number {
    return lowerBound(this.length, (i) => this.offset(i) < at);
  }

  /** The runs of indexes [from, to), each moved by `delta` more. */
  slice(from: number, to: number, delta: number): TokenRun[] {
    const out: TokenRun[] = [];
    for (let k = 0; k < this.runs.length; k++) {
      const r = this.runs[k];
      const s = this.starts[k];
      const a = Math.max(from, s);
      const b = Math.min(to, s + r.to - r.from);
      if (a < b) out.push({ tokens: r.tokens, from: r.from + a - s, to: r.from + b - s, delta: r.delta + delta });
    }
    return out;
  }
}

function viewOf(parse: ParseResult): TokenView {
  return new TokenView(parse instanceof Reparsed ? parse.view() : [{ tokens: parse.tokens, from: 0, to: parse.tokens.length, delta: 0 }]);
}

/** The first index in [0, n) where `before(i)` is false (it holds for a prefix of the indexes). */
function lowerBound(n: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index of `list` whose `offset(x)` is ≥ `at` (the list is in text order). */
function firstAtOrAfter<X>(list: readonly X[], at: number, offset: (x: X) => number): number {
  return lowerBound(list.length, (i) => offset(list[i]) < at);
}

interface Container {
  /** the statements of the body */
  body: readonly (A.Statement | A.TopLevelItem)[];
  /** the unit must lie within [from, to) of the old text */
  from: number;
  to: number;
  /** the file item that holds the body (-1: the file's own statements) */
  item: number;
}

/**
 * The parse of `text`, `previous` being the parse of `before`; null when it cannot be
 * had from the previous one (the caller parses the whole text).
 */
export function parseIncrementally(
  before: string,
  previous: ParseResult,
  text: string,
  parseWhole: (text: string) => ParseResult,
  maxLength: number,
): IncrementalParse | null {
  if (previous.errors.length > 0 || text.length > maxLength || before.length > maxLength) return null;
  const change = changedRegion(before, text);
  if (!change) return { result: previous, start: 0, end: 0, delta: 0, item: -2, index: 0 };
  const delta = text.length - before.length;
  const items = previous.file.items;
  const tokens = viewOf(previous);

  // whole lines, in both texts: [a, b) of the old text is [a, b + delta) of the new
  let a = change.a;
  while (a > 0 && !(isLineStart(before, a) && isLineStart(text, a))) a--;
  let b = change.oldEnd;
  const lineEndFrom = (q: number) => {
    let i = Math.max(q, change.oldEnd);
    while (i < before.length && !(isLineStart(before, i) && isLineStart(text, i + delta) && i > a)) i++;
    return i;
  };
  b = lineEndFrom(b);

  // the body it lies in
  let container: Container | null = null;
  const overlapping = (list: readonly { start: number; end: number }[], from: number, to: number) => {
    // (statements are disjoint and in order)
    let i = firstAtOrAfter(list, from, (s) => s.end);
    // a statement ending exactly at `from` does not overlap; one with end > from might start after `to`
    while (i < list.length && list[i].end <= from) i++;
    let j = i;
    while (j < list.length && list[j].start < to) j++;
    return { i, j };
  };
  {
    const { i, j } = overlapping(items, a, b);
    const definitions = items.slice(i, j).filter((x) => x.type === "network" || x.type === "block");
    if (definitions.length > 1) return null;
    if (definitions.length === 1) {
      const d = definitions[0] as A.NetworkDefinition | A.BlockDefinition;
      const k = items.indexOf(d);
      // (the body's `{` is the first after the keyword: a name and parameters hold none)
      let brace = tokens.firstAtOrAfter(d.keyword.end);
      while (brace < tokens.length && tokens.type(brace) !== T.LBrace) brace++;
      if (brace >= tokens.length) return null;
      container = { body: d.body, from: tokens.end(brace), to: d.end - 1, item: k };
    } else container = { body: items, from: 0, to: before.length, item: -1 };
  }

  // grow to whole statements (a statement over several lines brings its lines)
  let i = 0;
  let j = 0;
  for (let guard = 0; ; guard++) {
    if (guard > 1000) return null;
    const r = overlapping(container.body, a, b);
    i = r.i;
    j = r.j;
    let a2 = a;
    let b2 = b;
    if (j > i) {
      a2 = Math.min(a2, container.body[i].start);
      b2 = Math.max(b2, container.body[j - 1].end);
    }
    while (a2 > 0 && !(isLineStart(before, a2) && isLineStart(text, a2))) a2--;
    if (b2 !== b) b2 = lineEndFrom(b2);
    if (a2 === a && b2 === b) break;
    a = a2;
    b = b2;
  }
  if (a < container.from || b > container.to) return null;
  for (let k = i; k < j; k++) if (container.body[k].type === "network" || container.body[k].type === "block") return null;
  // (the neighbours end before and start after the unit: they are disjoint from it)
  if (i > 0 && container.body[i - 1].end > a) return null;
  if (j < container.body.length && container.body[j].start < b) return null;

  // the unit on its own
  const unitText = text.slice(a, b + delta);
  let unit: Unit | null = parseWhole(unitText);
  if (unit.file.items.some((x) => x.type === "network" || x.type === "block")) return null;
  if (!standsAlone(unitText, unit.tokens)) return null;
  // what follows the unit must not join its last line (`{` or `shortcut` on the next line)
  let after = tokens.firstAtOrAfter(b);
  if (joinsLineBefore(tokens, after)) return null;
  // a syntax error: the unit parsed where it stands instead (its recovery may depend on what is around it)
  // (an unclosed `(` or `[` — no error alone, at the end of the text — joins the lines after it in place: layout.ts)
  if (unit.errors.length > 0 || !bracketsClosed(unit.tokens)) {
    const body = container.body;
    let placed: Unit | null = null;
    for (let tries = 0; tries < 3; tries++) {
      placed = inPlace(before, items, container, text.slice(a, b + delta), b, j, tokens, parseWhole);
      if (placed || j >= body.length || body[j].type === "network" || body[j].type === "block") break;
      // the error may run on into the next statement's line (an unclosed `(` joins it): that line is the unit's too
      let end = body[j].end;
      while (end < before.length && !isLineStart(before, end)) end++;
      while (j < body.length && body[j].start < end) j++;
      if (body[j - 1].end > end || end > container.to) break;
      b = end;
    }
    unit = placed;
    after = tokens.firstAtOrAfter(b);
  }
  if (!unit) return null;

  // put together: before the unit as it was, the unit moved to its place, after it moved by delta
  const statements = unit.file.items as A.Statement[];
  moveInPlace(statements, a);
  for (const tok of unit.tokens) {
    tok.startOffset += a;
    if (typeof tok.endOffset === "number") tok.endOffset += a;
  }
  for (const c of unit.comments) {
    c.start += a;
    c.end += a;
  }
  for (const e of unit.errors) {
    e.start += a;
    e.end += a;
  }
  const tokenFrom = tokens.firstAtOrAfter(a);
  const runs = tokens.slice(0, tokenFrom, 0);
  if (unit.tokens.length > 0) runs.push({ tokens: unit.tokens, from: 0, to: unit.tokens.length, delta: 0 });
  for (const r of tokens.slice(after, tokens.length, delta)) runs.push(r);
  const comments = previous.comments;
  const commentFrom = firstAtOrAfter(comments, a, (c) => c.start);
  const commentAfter = firstAtOrAfter(comments, b, (c) => c.start);
  const newComments = comments.slice(0, commentFrom);
  for (const c of unit.comments) newComments.push(c);
  for (let k = commentAfter; k < comments.length; k++) newComments.push(delta === 0 ? comments[k] : { start: comments[k].start + delta, end: comments[k].end + delta });

  const body = container.body;
  const newBody: (A.Statement | A.TopLevelItem)[] = body.slice(0, i);
  for (const s of statements) newBody.push(s);
  for (let k = j; k < body.length; k++) newBody.push(delta === 0 ? body[k] : movedItem(body[k], delta));
  let newItems: A.TopLevelItem[];
  if (container.item < 0) newItems = newBody as A.TopLevelItem[];
  else {
    const d = items[container.item] as A.NetworkDefinition | A.BlockDefinition;
    newItems = items.slice(0, container.item);
    const stmts = newBody as A.Statement[];
    // (literals in the parser's key order, as the copies above)
    newItems.push(d.type === "network" ? { type: "network", keyword: d.keyword, name: d.name, body: stmts, start: d.start, end: d.end + delta } : { type: "block", keyword: d.keyword, name: d.name, params: d.params, body: stmts, start: d.start, end: d.end + delta });
    for (let k = container.item + 1; k < items.length; k++) newItems.push(delta === 0 ? items[k] : movedItem(items[k], delta));
  }
  const result = new Reparsed({ items: newItems }, unit.errors, newComments, runs);
  // (too many runs make every read slower: the tokens made into one array now and then)
  if (runs.length > MAX_RUNS) void result.tokens;
  return { result, start: a, end: b + delta, delta, item: container.item, index: i };
}

/** Every `(` and `[` of the tokens closed (a `)` or `]` too many is the parser's error, on its line). */
function bracketsClosed(tokens: readonly IToken[]): boolean {
  let depth = 0;
  for (const tok of tokens) {
    const type = tok.tokenType;
    if (type === T.LParen || type === T.LBracket) depth++;
    else if ((type === T.RParen || type === T.RBracket) && depth > 0) depth--;
  }
  return depth === 0;
}

/** The unit's parse: its statements, tokens, comments and syntax errors at offsets from its start. */
type Unit = Pick<ParseResult, "file" | "tokens" | "comments" | "errors">;

/** A `{` or `shortcut` first after the line breaks from token `k` on (it joins the line before: layout.ts). */
function joinsLineBefore(tokens: TokenView, k: number): boolean {
  for (; k < tokens.length; k++) {
    const type = tokens.type(k);
    if (type === T.Newline) continue;
    return type === T.LBrace || type === T.Shortcut;
  }
  return false;
}

/**
 * A unit with a syntax error, parsed where it stands: after the head of the definition whose
 * body holds it (`network N {` as written; nothing for the file's own statements) and
 * followed by the text up to the end of the next statement's line (the *sentinel*) and
 * the body's `}`. The parser's recovery from an error depends on the rules it is in, which
 * the head reproduces; when the sentinel comes out as it was in the previous parse, at its
 * place in the body, with every error inside the unit, the recovery was over before it,
 * and the parser goes on from there in the state of the previous parse — which the rest of
 * the text, unchanged, parses as before. Null otherwise (the whole text is parsed).
 */
function inPlace(
  before: string,
  items: readonly A.TopLevelItem[],
  container: Container,
  unitText: string,
  b: number,
  j: number,
  tokens: TokenView,
  parseWhole: (text: string) => ParseResult,
): Unit | null {
  const body = container.body;
  const definition = container.item >= 0 ? (items[container.item] as A.NetworkDefinition | A.BlockDefinition) : null;
  const head = definition ? before.slice(definition.start, container.from) + "\n" : "";
  // the sentinels: the statements from body[j] to the end of its line (or the body's end)
  let tailEnd: number;
  let k = j;
  if (j < body.length) {
    const first = body[j];
    if (first.type === "network" || first.type === "block") return null;
    tailEnd = first.end;
    while (tailEnd < before.length && !isLineStart(before, tailEnd)) tailEnd++;
    while (k < body.length && body[k].start < tailEnd) k++;
    if (body[k - 1].end > tailEnd || body[k - 1].type === "network" || body[k - 1].type === "block") return null;
    if (joinsLineBefore(tokens, tokens.firstAtOrAfter(tailEnd))) return null;
  } else tailEnd = definition ? container.to : before.length;
  const close = definition ? "}" : "";
  const wrapped = head + unitText + before.slice(b, tailEnd) + close;
  const parsed = parseWhole(wrapped);
  const unitEnd = head.length + unitText.length;
  const shift = b - unitEnd;
  for (const e of parsed.errors) if (e.start < head.length || e.end > unitEnd) return null;
  // the definition, whole and alone, or the file's statements
  let list: readonly (A.Statement | A.TopLevelItem)[] = parsed.file.items;
  if (definition) {
    if (list.length !== 1 || list[0].type !== definition.type || list[0].end !== wrapped.length) return null;
    list = (list[0] as A.NetworkDefinition | A.BlockDefinition).body;
  }
  // the unit's statements, then the sentinels as they were
  let n = 0;
  while (n < list.length && list[n].start < unitEnd) n++;
  if (n > 0 && list[n - 1].end > unitEnd) return null;
  if (list.length - n !== k - j) return null;
  for (let m = 0; m < k - j; m++) if (JSON.stringify(list[n + m]) !== JSON.stringify(movedItem(body[j + m], -shift))) return null;
  const statements = list.slice(0, n) as A.Statement[];
  moveInPlace(statements, -head.length);
  const own = <X extends { start: number; end: number }>(x: X) => x.start >= head.length && x.end <= unitEnd;
  const unitTokens = parsed.tokens.filter((t) => t.startOffset >= head.length && t.startOffset < unitEnd);
  for (const t of unitTokens) {
    t.startOffset -= head.length;
    if (typeof t.endOffset === "number") t.endOffset -= head.length;
  }
  const comments = parsed.comments.filter(own).map((c) => ({ start: c.start - head.length, end: c.end - head.length }));
  const errors = parsed.errors.map((e) => ({ ...e, start: e.start - head.length, end: e.end - head.length }));
  return { file: { items: statements }, tokens: unitTokens, comments, errors };
}

/**
 * The unit's tokens mean in place what they mean alone: its first token does not join
 * the line before, no `}` first on its line is indented less than the `{` it closes (it
 * could close an outer body instead), and it nests well below the limit (the body's own
 * level counts in place).
 */
function standsAlone(text: string, tokens: readonly IToken[]): boolean {
  const first = tokens.find((t) => t.tokenType !== T.Newline);
  if (first && (first.tokenType === T.LBrace || first.tokenType === T.Shortcut)) return false;
  const indents: number[] = [];
  let depth = 0;
  for (const tok of tokens) {
    const type = tok.tokenType;
    if (type === T.Network || type === T.Block) return false;
    if (type === T.LParen || type === T.LBracket) depth++;
    else if ((type === T.RParen || type === T.RBracket) && depth > 0) depth--;
    else if (type === T.LBrace) indents.push(lineIndent(text, tok.startOffset));
    else if (type === T.RBrace) {
      const open = indents.pop();
      if (open === undefined) return false;
      if (isFirstOnLine(text, tok.startOffset) && lineIndent(text, tok.startOffset) < open) return false;
    }
    if (depth + indents.length > MAX_NESTING - 8) return false;
  }
  return indents.length === 0;
}
