// What the fuzzer checks in every answer of the server, as pure functions of the text it
// holds: positions inside the document and not inside a surrogate pair, ranges ordered,
// semantic tokens well formed, formatting that only moves white space, diagnostics on one
// line and never over the whole file. Each returns the problems it finds (empty: fine).

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** The document as the server should see it: its lines in UTF-16 code units. */
export class Doc {
  readonly lines: string[];
  /** offset of each line's start */
  readonly starts: number[];

  constructor(readonly text: string) {
    this.lines = [];
    this.starts = [0];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 || c === 10) {
        this.lines.push(text.slice(start, i));
        if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
        this.starts.push(start);
      }
    }
    this.lines.push(text.slice(start));
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** as LSP documents resolve a position: past the last line is the end of the text, past a line's end is that end */
  offsetAt(p: Position): number {
    if (p.line >= this.lines.length) return this.text.length;
    if (p.line < 0) return 0;
    return this.starts[p.line] + Math.min(Math.max(p.character, 0), this.lines[p.line].length);
  }

  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.min(offset - this.starts[lo], this.lines[lo].length) };
  }

  end(): Position {
    return { line: this.lines.length - 1, character: this.lines[this.lines.length - 1].length };
  }
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Problems with one position: outside the document, or between the halves of a surrogate pair. */
export function positionProblem(doc: Doc, p: unknown, where: string): string | null {
  if (!isPosition(p)) return `${where}: not a position: ${short(p)}`;
  if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0) return `${where}: ${p.line}:${p.character} is not a pair of non-negative integers`;
  if (p.line >= doc.lineCount) return `${where}: line ${p.line} past the document's ${doc.lineCount} lines`;
  const text = doc.lines[p.line];
  if (p.character > text.length) return `${where}: ${p.line}:${p.character} past the end of the line (${text.length} code units)`;
  if (p.character > 0 && p.character < text.length && isHigh(text.charCodeAt(p.character - 1)) && isLow(text.charCodeAt(p.character))) return `${where}: ${p.line}:${p.character} splits a surrogate pair`;
  return null;
}

export function rangeProblems(doc: Doc, r: unknown, where: string): string[] {
  if (!isRange(r)) return [`${where}: not a range: ${short(r)}`];
  const out: string[] = [];
  const a = positionProblem(doc, r.start, `${where}.start`);
  const b = positionProblem(doc, r.end, `${where}.end`);
  if (a) out.push(a);
  if (b) out.push(b);
  if (!a && !b && (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character))) out.push(`${where}: ends (${r.end.line}:${r.end.character}) before it starts (${r.start.line}:${r.start.character})`);
  return out;
}

/**
 * Every position and range anywhere in a result (hover ranges, edits, symbols, folding
 * lines, locations for this document …), found by shape.
 */
export function resultProblems(doc: Doc, uri: string, value: unknown, where = "result"): string[] {
  const out: string[] = [];
  const visit = (v: unknown, path: string, depth: number): void => {
    if (depth > 64 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${path}[${i}]`, depth + 1));
      return;
    }
    const o = v as Record<string, unknown>;
    // a location in another document is not ours to check
    if (typeof o.uri === "string" && o.uri !== uri) return;
    if (isRange(o)) {
      out.push(...rangeProblems(doc, o, path));
      return;
    }
    if (isPosition(o) && Object.keys(o).length === 2) {
      const p = positionProblem(doc, o, path);
      if (p) out.push(p);
      return;
    }
    for (const [k, x] of Object.entries(o)) {
      // WorkspaceEdit.changes: keyed by uri
      if (path.endsWith(".changes") && k !== uri) continue;
      visit(x, `${path}.${k}`, depth + 1);
    }
    // folding ranges: lines only
    if (typeof o.startLine === "number" && typeof o.endLine === "number") {
      if (!Number.isInteger(o.startLine) || !Number.isInteger(o.endLine) || o.startLine < 0 || o.endLine >= doc.lineCount || o.startLine > o.endLine) out.push(`${path}: folding lines ${o.startLine}–${o.endLine} outside 0–${doc.lineCount - 1}`);
    }
  };
  visit(value, where, 0);
  return out;
}

/** Semantic tokens: non-negative integers in fives, each inside its line, in order, known types. */
export function semanticTokenProblems(doc: Doc, result: unknown, types: number, modifiers: number): string[] {
  if (result === null) return [];
  const data = (result as { data?: unknown }).data;
  if (!Array.isArray(data)) return [`semantic tokens: no data array: ${short(result)}`];
  if (data.length % 5 !== 0) return [`semantic tokens: ${data.length} numbers, not a multiple of 5`];
  const out: string[] = [];
  let line = 0;
  let char = 0;
  let lastEnd = -1;
  for (let i = 0; i < data.length; i += 5) {
    const t = data.slice(i, i + 5);
    if (!t.every((n) => typeof n === "number" && Number.isInteger(n) && n >= 0)) {
      out.push(`semantic tokens: token ${i / 5} is ${JSON.stringify(t)}: not non-negative integers`);
      return out;
    }
    const [dl, dc, length, type, mods] = t as number[];
    if (dl > 0) {
      line += dl;
      char = dc;
      lastEnd = -1;
    } else char += dc;
    if (line >= doc.lineCount) {
      out.push(`semantic tokens: token ${i / 5} on line ${line}, past the ${doc.lineCount} lines`);
      return out;
    }
    const text = doc.lines[line];
    if (length === 0) out.push(`semantic tokens: token ${i / 5} at ${line}:${char} is empty`);
    if (char + length > text.length) out.push(`semantic tokens: token ${i / 5} at ${line}:${char}+${length} runs past the line (${text.length})`);
    if (char < lastEnd) out.push(`semantic tokens: token ${i / 5} at ${line}:${char} overlaps the one before`);
    if (type >= types) out.push(`semantic tokens: token ${i / 5} has type ${type}, the legend has ${types}`);
    if (mods >= 2 ** modifiers) out.push(`semantic tokens: token ${i / 5} has modifiers ${mods}, the legend has ${modifiers}`);
    for (const edge of [char, char + length]) {
      if (edge > 0 && edge < text.length && isHigh(text.charCodeAt(edge - 1)) && isLow(text.charCodeAt(edge))) out.push(`semantic tokens: token ${i / 5} at ${line}:${char}+${length} splits a surrogate pair`);
    }
    lastEnd = char + length;
    if (out.length > 5) break;
  }
  return out;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

/** Applies LSP text edits (all against the same text; must not overlap). Throws on overlap. */
export function applyEdits(doc: Doc, edits: TextEdit[]): string {
  const spans = edits.map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), text: e.newText })).sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const s of spans) {
    if (s.start < at) throw new Error(`edits overlap at offset ${s.start}`);
    out += doc.text.slice(at, s.start) + s.text;
    at = s.end;
  }
  return out + doc.text.slice(at);
}

const LAYOUT = /[ \t\r\n]/g;

/** Formatting may move spaces, tabs and line breaks only: everything else survives, in order. */
export function formattingProblems(doc: Doc, edits: unknown): string[] {
  if (edits === null) return [];
  if (!Array.isArray(edits)) return [`formatting: not a list of edits: ${short(edits)}`];
  const ranges = edits.flatMap((e, i) => rangeProblems(doc, (e as TextEdit)?.range, `formatting[${i}].range`));
  if (ranges.length) return ranges;
  if (!edits.every((e) => typeof (e as TextEdit).newText === "string")) return ["formatting: an edit without newText"];
  let after: string;
  try {
    after = applyEdits(doc, edits as TextEdit[]);
  } catch (e) {
    return [`formatting: ${(e as Error).message}`];
  }
  const before = doc.text.replace(LAYOUT, "");
  const kept = after.replace(LAYOUT, "");
  if (before === kept) return [];
  let i = 0;
  while (i < before.length && before[i] === kept[i]) i++;
  const code = (s: string) => (s === undefined ? "nothing" : `U+${s.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(s)}`);
  return [`formatting changes more than white space: at non-space character ${i}, ${code(before[i])} became ${code(kept[i])}`];
}

/** C0 and C1 controls, DEL, the line and paragraph separators, the bidirectional controls (they reorder the text around them), a half of a surrogate pair alone */
const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A diagnostic: its range inside, never the whole file (of 3 or more lines), its message one line without control characters. */
export function diagnosticProblems(doc: Doc, diagnostics: unknown): string[] {
  if (!Array.isArray(diagnostics)) return [`diagnostics: not a list: ${short(diagnostics)}`];
  const out: string[] = [];
  // the file's text from its first to its last character that is not white space
  const lines = doc.lines.filter((l) => l.trim() !== "").length;
  const first = Math.max(doc.text.search(/\S/), 0);
  const last = doc.text.length - (/\s*$/.exec(doc.text)?.[0].length ?? 0);
  diagnostics.forEach((d, i) => {
    const where = `diagnostics[${i}]`;
    const r = (d as { range?: unknown }).range;
    out.push(...rangeProblems(doc, r, `${where}.range`));
    const message = (d as { message?: unknown }).message;
    if (typeof message !== "string") out.push(`${where}: no message`);
    else if (RAW.test(message)) out.push(`${where}: the message holds a raw control character, line break, bidirectional control or lone surrogate: ${JSON.stringify(message.slice(0, 120))}`);
    if (isRange(r) && lines >= 3 && doc.offsetAt(r.start) <= first && doc.offsetAt(r.end) >= last) {
      out.push(`${where}: covers the whole file (${r.start.line}:${r.start.character}–${r.end.line}:${r.end.character}): ${String(message).slice(0, 80)}`);
    }
  });
  return out;
}

function isPosition(v: unknown): v is Position {
  return typeof v === "object" && v !== null && typeof (v as Position).line === "number" && typeof (v as Position).character === "number";
}

function isRange(v: unknown): v is Range {
  return typeof v === "object" && v !== null && isPosition((v as Range).start) && isPosition((v as Range).end);
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}
