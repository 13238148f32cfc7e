// Inline expectations in .cnn fixtures, written as the spec writes its examples:
//
//   conv 6 5x5          # → 28×28×6 · 156          the statement ending on this line
//   conv 96 11x11 …     # → 55×55×96 · 34,944 params, 105,415,200 MACs
//   conv 1 3x3 stride 3 # stride-misfit: …         a diagnostic with this code on this line
//   conv 6 5x5x3        # error[depth-mismatch]    (same, anywhere in the comment)
//   #      ^^^^^ depth-mismatch                    …with exactly this range on the line above
//   softmax             # network total: 61,706 params[, N MACs]
//
// Every diagnostic must be expected; every expectation must be met.

import { LineIndex } from "../../grammar";
import { analyze, diagnosticCodes, grouped, shapeText, type Analysis, type Occurrence } from "../../analysis";

export interface Problem {
  line: number;
  message: string;
}

const codes = new Set<string>(diagnosticCodes);
const arrow = /→\s*(\d+(?:×\d+)*)(?:\s*·\s*([\d,]+)(?:\s*params)?)?(?:,\s*([\d,]+)\s*MACs)?/;
const total = /network total:\s*([\d,]+)\s*params(?:,\s*([\d,]+)\s*MACs)?/;
const codeAtStart = /^\s*([a-z-]+)(?::|\s|$)/;
const codeTagged = /\b(?:error|warning|hint|info)\[([a-z-]+)\]/g;
const caretLine = /^(\s*(?:#|\/\/)\s*?)(\s*)(\^+)\s+([a-z-]+)\s*$/;

const num = (s: string) => BigInt(s.replace(/,/g, ""));

/** The statement whose text ends last on this line (the outermost on a tie). */
function statementEndingOn(analysis: Analysis, lines: LineIndex, line: number): Occurrence | null {
  let best: Occurrence | null = null;
  for (const list of analysis.occurrences.values()) {
    const occ = list[0];
    if (lines.lineOf(Math.max(occ.span.start, occ.span.end - 1)) !== line) continue;
    if (!best || occ.span.end > best.span.end || (occ.span.end === best.span.end && occ.span.start < best.span.start)) best = occ;
  }
  return best;
}

function commentOf(text: string): { comment: string; column: number } | null {
  const m = /(#|\/\/)/.exec(text);
  return m ? { comment: text.slice(m.index + m[0].length), column: m.index } : null;
}

export function checkExpectations(text: string, fileName: string): Problem[] {
  const analysis = analyze(text, fileName);
  const lines = new LineIndex(text);
  const problems: Problem[] = [];
  const expected: { line: number; code: string; range?: [number, number] }[] = [];

  for (let line = 0; line < lines.lineCount; line++) {
    const content = text.slice(lines.lineStart(line), lines.lineEnd(line));
    const caret = caretLine.exec(content);
    if (caret && codes.has(caret[4])) {
      // carets point at the nearest line above that is not a caret line
      let target = line - 1;
      while (target > 0 && caretLine.test(text.slice(lines.lineStart(target), lines.lineEnd(target)))) target--;
      const col = content.indexOf("^");
      expected.push({ line: target, code: caret[4], range: [col, col + caret[3].length] });
      continue;
    }
    const c = commentOf(content);
    if (!c) continue;
    // expectations sit in comments that follow code; a comment alone on its line is prose
    const isTrailing = content.slice(0, c.column).trim() !== "";
    const at = codeAtStart.exec(c.comment);
    if (isTrailing && at && codes.has(at[1])) expected.push({ line, code: at[1] });
    for (const m of c.comment.matchAll(codeTagged)) if (codes.has(m[1])) expected.push({ line, code: m[1] });

    const a = isTrailing ? arrow.exec(c.comment) : null;
    if (a) {
      const occ = statementEndingOn(analysis, lines, line);
      if (!occ) problems.push({ line: line + 1, message: `expected ${a[1]}, but no statement ends on this line` });
      else {
        const got = shapeText(occ.output);
        if (got !== a[1]) problems.push({ line: line + 1, message: `expected output ${a[1]}, got ${got}` });
        if (a[2] !== undefined && occ.params !== num(a[2])) problems.push({ line: line + 1, message: `expected ${a[2]} params, got ${grouped(occ.params)}` });
        if (a[3] !== undefined && occ.macs !== num(a[3])) problems.push({ line: line + 1, message: `expected ${a[3]} MACs, got ${grouped(occ.macs)}` });
      }
    }
    const t = isTrailing ? total.exec(c.comment) : null;
    if (t) {
      const offset = lines.lineStart(line);
      const net = analysis.networks.find((n) => n.span.start <= offset && offset <= n.span.end + 1) ?? analysis.networks[0];
      if (!net) problems.push({ line: line + 1, message: "network total, but no network" });
      else {
        if (net.params !== num(t[1])) problems.push({ line: line + 1, message: `expected network total ${t[1]} params, got ${grouped(net.params)}` });
        if (t[2] !== undefined && net.macs !== num(t[2])) problems.push({ line: line + 1, message: `expected network total ${t[2]} MACs, got ${grouped(net.macs)}` });
      }
    }
  }

  const unmatched = [...analysis.diagnostics];
  for (const e of expected) {
    const i = unmatched.findIndex((d) => d.code === e.code && lines.lineOf(d.start) === e.line);
    if (i < 0) {
      problems.push({ line: e.line + 1, message: `expected a ${e.code} diagnostic on this line` });
      continue;
    }
    const d = unmatched[i];
    if (e.range) {
      const s = lines.position(d.start);
      const en = lines.position(d.end);
      if (s.character !== e.range[0] || en.character !== e.range[1] || en.line !== e.line) {
        problems.push({ line: e.line + 1, message: `expected ${e.code} at columns ${e.range[0] + 1}-${e.range[1]}, got ${s.line + 1}:${s.character + 1}-${en.line + 1}:${en.character}` });
      }
    }
    unmatched.splice(i, 1);
  }
  for (const d of unmatched) {
    problems.push({ line: lines.lineOf(d.start) + 1, message: `unexpected ${d.severity}[${d.code}]: ${d.message}` });
  }
  return problems;
}
