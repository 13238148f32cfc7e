// Integer expressions, arguments and option values, evaluated in a block's scope.
// `null` means "not known here" (a parameter of a block checked on its own): it
// propagates silently, so only real mistakes are reported.

import type { Expr, Span, Value, ListValue, ListItem } from "../grammar";
import { suggest } from "./suggest";
import type { DiagnosticCode, FixData } from "./types";

export type Report = (code: DiagnosticCode, span: Span, message: string, data?: FixData) => void;

/** Block parameters in scope: name → value (null when unknown), and where each is defined. */
export interface Scope {
  values: Map<string, number | null>;
  definitions: Map<string, Span>;
  /** called for each parameter use, for go-to-definition and rename */
  onReference?: (name: string, use: Span) => void;
}

export const emptyScope: Scope = { values: new Map(), definitions: new Map() };

/** Larger values than this are refused: shapes and counts stay far from float trouble. */
export const MAX_VALUE = 2 ** 31 - 1;

/** Expressions nest at most this deep (`1+1+…` builds a deep tree): evaluation recurses. */
const MAX_EXPRESSION_DEPTH = 500;

export function evaluate(expr: Expr | null, scope: Scope, report: Report, depth = 0): number | null {
  if (!expr) return null;
  if (depth > MAX_EXPRESSION_DEPTH) {
    report("bad-value", expr, `this expression is too long (more than ${MAX_EXPRESSION_DEPTH} operations)`);
    return null;
  }
  switch (expr.type) {
    case "number":
      if (!Number.isFinite(expr.value)) {
        // a malformed literal is a syntax error, reported by the parser
        return null;
      }
      return expr.value;
    case "ref": {
      if (scope.values.has(expr.name)) {
        scope.onReference?.(expr.name, expr);
        return scope.values.get(expr.name) ?? null;
      }
      const names = [...scope.values.keys()];
      const close = suggest(expr.name, names);
      const hint = close ? `; did you mean \`${close}\`?` : names.length ? ` (parameters here: ${names.join(", ")})` : "";
      report("unknown-name", expr, `unknown name \`${expr.name}\`${hint}`, close ? { kind: "rename", replace: expr, candidates: [close] } : undefined);
      return null;
    }
    case "negate": {
      const v = evaluate(expr.operand, scope, report, depth + 1);
      return v === null ? null : -v;
    }
    case "binary": {
      const a = evaluate(expr.left, scope, report, depth + 1);
      const b = evaluate(expr.right, scope, report, depth + 1);
      if (a === null || b === null) return null;
      let r: number;
      switch (expr.op) {
        case "+":
          r = a + b;
          break;
        case "-":
          r = a - b;
          break;
        case "*":
          r = a * b;
          break;
        case "/":
          if (b === 0) {
            report("bad-value", expr, `division by zero: ${a}/${b}`);
            return null;
          }
          if (Number.isInteger(a) && Number.isInteger(b) && a % b !== 0) {
            report("bad-value", expr, `${a}/${b} = ${(a / b).toFixed(2)} is not a whole number: \`/\` must divide exactly`);
            return null;
          }
          r = a / b;
          break;
      }
      if (Math.abs(r) > MAX_VALUE) {
        report("bad-value", expr, `${r} is too large (at most ${MAX_VALUE})`);
        return null;
      }
      return r;
    }
  }
}

export interface IntRule {
  /** what the number is, in the user's words: "the number of filters K" */
  what: string;
  min: number;
  /** (default MAX_VALUE) */
  max?: number;
}

/** An integer within bounds, or a bad-value naming what was expected. */
export function evaluateInt(expr: Expr | null, scope: Scope, report: Report, rule: IntRule): number | null {
  const v = evaluate(expr, scope, report);
  if (v === null || !expr) return null;
  if (!Number.isInteger(v)) {
    report("bad-value", expr, `${rule.what} must be a whole number, not ${v}`);
    return null;
  }
  if (v < rule.min) {
    const bound = rule.min === 1 ? "at least 1" : rule.min === 0 ? "0 or more" : `at least ${rule.min}`;
    report("bad-value", expr, `${rule.what} must be ${bound}, not ${v}`);
    return null;
  }
  // every whole number of the language is bounded (a pad or stride of 1e308 overflowed the sizes to Infinity)
  const max = rule.max ?? MAX_VALUE;
  if (v > max) {
    report("bad-value", expr, `${rule.what} must be at most ${max.toLocaleString("en-US")}, not ${v.toLocaleString("en-US")}`);
    return null;
  }
  return v;
}

/** `a x b [x c]` with 1..maxParts integer parts. */
export function evaluateDims(
  value: Value | null,
  scope: Scope,
  report: Report,
  rule: IntRule & { minParts: number; maxParts: number; example: string },
): (number | null)[] | null {
  if (!value) return null;
  if (value.type !== "dims") {
    report("bad-value", value, `${rule.what} must be ${rule.example}, not a ${value.type}`);
    return null;
  }
  if (value.parts.length < rule.minParts || value.parts.length > rule.maxParts) {
    report("bad-value", value, `${rule.what} must be written like ${rule.example}; this has ${value.parts.length} part${value.parts.length === 1 ? "" : "s"}`);
    return null;
  }
  const parts = new Array<number | null>(value.parts.length);
  for (let i = 0; i < parts.length; i++) parts[i] = evaluateInt(value.parts[i], scope, report, rule);
  return parts;
}

/** The single expression of a value, if it is one (`k`, `2*k`, `0.5`). */
export function singleExpr(value: Value | null): Expr | null {
  return value && value.type === "dims" && value.parts.length === 1 ? value.parts[0] : null;
}

/** A nested list of numbers with its dimensions, [outer … inner]; null if ragged or empty. */
export interface NestedList {
  dims: number[];
  values: number[];
}

export function flattenList(list: ListValue, report: Report, what: string): NestedList | null {
  const dimsOf = (item: ListItem): number[] | null => {
    if (item.type === "number") return [];
    if (item.items.length === 0) return null;
    const inner = dimsOf(item.items[0]);
    if (inner === null) return null;
    for (const child of item.items.slice(1)) {
      const d = dimsOf(child);
      if (d === null || d.length !== inner.length || d.some((x, i) => x !== inner[i])) return null;
    }
    return [item.items.length, ...inner];
  };
  const dims = dimsOf(list);
  if (dims === null) {
    report("bad-value", list, `${what}: every row must have the same length, and no list may be empty`);
    return null;
  }
  const values: number[] = [];
  const walk = (item: ListItem) => {
    if (item.type === "number") values.push(item.value);
    else item.items.forEach(walk);
  };
  walk(list);
  if (values.some((v) => !Number.isFinite(v))) return null; // malformed literal: a syntax error already
  return { dims, values };
}
