// Argument binding: a block use's arguments bound to the block's parameters (by position,
// then by name, defaults after), and a layer's positional arguments and options read
// per the catalog — a wrong one reported and stood in for.

import type * as A from "../../grammar";
import type { Span } from "../../grammar";
import { optionArity } from "../../grammar";
import type { ArgSpec, ArgValue, Kernel, LayerKind } from "../layers";
import type { OptionName } from "../options";
import { suggest } from "../suggest";
import { evaluate, evaluateDims, evaluateInt, singleExpr, MAX_VALUE, type Report, type Scope } from "../values";
import { fallbackArgument } from "./doubt";
import type { Sink } from "./sink";

/** The values bound to a block's parameters by one use, or null (reported) when the use is wrong. */
export function bindArguments(block: A.BlockDefinition, callee: A.Name, stmt: A.Statement, args: A.CallArgument[], scope: Scope, sink: Sink): Map<string, number | null> | null {
  const bound = new Map<string, number | null>();
  let ok = true;
  const params = block.params;
  let position = 0;
  for (const arg of args) {
    let param: A.BlockParameter | undefined;
    if (arg.name) {
      param = params.find((p) => p.name.text === arg.name!.text);
      if (!param) {
        const close = suggest(arg.name.text, params.map((p) => p.name.text));
        sink.report("unknown-name", arg.name, `block \`${callee.text}\` has no parameter \`${arg.name.text}\`${close ? `; did you mean \`${close}\`?` : ""}`);
        ok = false;
        continue;
      }
      sink.addReference("parameter", arg.name, param.name, param.name.text, false);
    } else {
      param = params[position++];
      if (!param) {
        sink.report("bad-value", arg, `block \`${callee.text}\` takes ${params.length} argument${params.length === 1 ? "" : "s"} (${params.map((p) => p.name.text).join(", ") || "none"}); this one is too many`);
        ok = false;
        continue;
      }
    }
    if (bound.has(param.name.text)) {
      sink.report("bad-value", arg, `\`${param.name.text}\` is given twice`);
      ok = false;
      continue;
    }
    const v = evaluate(arg.value, scope, sink.reporter);
    if (v !== null && !Number.isInteger(v)) {
      sink.report("bad-value", arg, `block parameters are whole numbers; \`${param.name.text}\` = ${v}`);
      ok = false;
    }
    bound.set(param.name.text, v);
  }
  const missing = params.filter((p) => !bound.has(p.name.text) && !p.defaultValue);
  if (missing.length && ok) {
    sink.report("bad-value", stmt, `block \`${callee.text}\` needs ${missing.map((p) => `\`${p.name.text}\``).join(" and ")}: ${callee.text}(${params.map((p) => p.name.text).join(", ")})`);
    ok = false;
  }
  return ok ? bound : null;
}

/** The scope inside a block: bound arguments, then defaults evaluated in order. */
export function blockScope(block: A.BlockDefinition, bound: Map<string, number | null>, sink: Sink): Scope {
  const values = new Map<string, number | null>();
  const definitions = new Map<string, Span>();
  const scope: Scope = {
    values,
    definitions,
    onReference: (name, use) => {
      const def = definitions.get(name);
      if (def) sink.addReference("parameter", use, def, name, false);
    },
  };
  for (const p of block.params) {
    definitions.set(p.name.text, p.name);
    sink.addReference("parameter", p.name, p.name, p.name.text, true);
    if (bound.has(p.name.text)) values.set(p.name.text, bound.get(p.name.text)!);
    else if (p.defaultValue) values.set(p.name.text, evaluate(p.defaultValue, scope, sink.reporter));
    else values.set(p.name.text, null);
  }
  return scope;
}

/** The options of a layer its kind takes; the others are reported. */
export function acceptedOptions(stmt: A.LayerStatement, kind: LayerKind, sink: Sink): A.OptionNode[] {
  let allAccepted = true;
  for (const o of stmt.options) if (!kind.options.includes(o.name.text as OptionName)) allAccepted = false;
  if (allAccepted) return stmt.options;
  return stmt.options.filter((o) => {
    if (kind.options.includes(o.name.text as OptionName)) return true;
    const list = kind.options.length ? `its options: ${kind.options.join(", ")}` : "it takes no options";
    sink.report("unknown-name", o.name, `\`${kind.name}\` has no option \`${o.name.text}\` (${list})`);
    return false;
  });
}

/** What a layer reports while read with a guessed option: `… (reading \`strid\` as \`stride\`)`. */
export function guessing(stmt: A.LayerStatement, kind: LayerKind, option: A.OptionNode, report: Report): Report {
  const word = singleExpr(stmt.args[kind.args.length]);
  const note = word?.type === "ref" ? ` (reading \`${word.name}\` as \`${option.name.text}\`)` : "";
  return (code, span, message, data) => report(code, span, message + note, data);
}

/** The option a misspelt word and its value after the arguments most likely are: `strid 2` → `stride 2`. */
export function misspeltOption(stmt: A.LayerStatement, kind: LayerKind, scope: Scope): A.OptionNode | null {
  const extra = stmt.args.slice(kind.args.length);
  if (extra.length === 0) return null;
  const word = singleExpr(extra[0]);
  if (!word || word.type !== "ref" || scope.values.has(word.name)) return null;
  const close = suggest(word.name, kind.options);
  if (!close || stmt.options.some((o) => o.name.text === close) || extra.length !== 1 + optionArity[close]) return null;
  const value = extra[1] ?? null;
  return { start: extra[0].start, end: (value ?? extra[0]).end, name: { text: close, start: extra[0].start, end: extra[0].end }, value };
}

export interface LayerArguments {
  values: Record<string, ArgValue>;
  spans: Record<string, Span>;
  /** the arguments that were wrong (stood in for in `values`) */
  failed: ArgSpec[];
  /** more arguments than the kind takes (reported once) */
  extra: boolean;
}

/** Positional arguments of a layer, evaluated per the catalog; a wrong one is stood in for and listed in `failed`. */
export function layerArguments(stmt: A.LayerStatement, kind: LayerKind, scope: Scope, sink: Sink): LayerArguments {
  const values: Record<string, ArgValue> = {};
  const spans: Record<string, Span> = {};
  const failed: ArgSpec[] = [];
  let extra = false;
  if (stmt.args.length < kind.args.length && stmt.args.length < kind.args.filter((a) => !a.optional).length) {
    const names = kind.args.filter((a) => !a.optional).map((a) => a.name).join(" and ");
    sink.report("bad-value", stmt, `\`${kind.name}\` needs ${names}: ${kind.usage}`);
  }
  // one report for the extra arguments: after `strid 2`, the `2` is the misspelt option's value
  if (stmt.args.length > kind.args.length) {
    const extraArg = stmt.args[kind.args.length];
    const expr = singleExpr(extraArg);
    if (expr && expr.type === "ref" && !scope.values.has(expr.name)) {
      const close = suggest(expr.name, kind.options);
      const hint = close ? `; did you mean \`${close}\`?` : kind.options.length ? ` (its options: ${kind.options.join(", ")})` : "";
      sink.report("unknown-name", extraArg, `\`${kind.name}\` has no option \`${expr.name}\`${hint}`, close ? { kind: "rename", replace: extraArg, candidates: [close] } : undefined);
    } else {
      const takes = kind.args.length === 0 ? "takes no arguments" : `takes ${kind.args.map((a) => a.name).join(" and ")}`;
      sink.report("bad-value", extraArg, `\`${kind.name}\` ${takes}; this one is too many (one statement per line, or separate them with \`;\`)`);
    }
    extra = true;
  }
  for (let i = 0; i < kind.args.length; i++) {
    const spec = kind.args[i];
    const value = stmt.args[i];
    if (!value) {
      if (spec.defaultValue !== undefined) values[spec.name] = spec.defaultValue;
      else if (!spec.optional) {
        failed.push(spec);
        values[spec.name] = fallbackArgument(spec, stmt);
      }
      continue;
    }
    spans[spec.name] = value;
    const v = argument(spec, value, scope, sink);
    if (v === null) {
      failed.push(spec);
      values[spec.name] = fallbackArgument(spec, value);
    } else values[spec.name] = v;
  }
  return { values, spans, failed, extra };
}

function argument(spec: ArgSpec, value: A.Value, scope: Scope, sink: Sink): ArgValue | null {
  const report = sink.reporter;
  if (spec.type === "kernel") {
    const dims = evaluateDims(value, scope, report, { what: spec.what, min: 1, max: MAX_VALUE, minParts: 1, maxParts: 3, example: "`5`, `5x5`, `5x3` or `5x5x3`" });
    if (!dims || dims.includes(null)) return null;
    const [w, h = w, d = null] = dims as number[];
    const kernel: Kernel = { w, h, d, span: value };
    return kernel;
  }
  const expr = singleExpr(value);
  if (!expr) {
    sink.report("bad-value", value, `${spec.what} must be one number`);
    return null;
  }
  switch (spec.type) {
    case "count":
      return evaluateInt(expr, scope, report, { what: spec.what, min: 1, max: MAX_VALUE });
    case "size":
      return evaluateInt(expr, scope, report, { what: spec.what, min: 0, max: MAX_VALUE });
    case "probability": {
      const p = evaluate(expr, scope, report);
      if (p !== null && !(p >= 0 && p < 1)) {
        sink.report("bad-value", expr, `${spec.what} must be in 0 ≤ p < 1, not ${p}`);
        return null;
      }
      return p;
    }
    case "number":
      return evaluate(expr, scope, report);
  }
}

/** the parameter name a block would take for an option's value: `stride` → `s` */
const parameterFor: Record<string, string> = { stride: "s", pad: "p", dilation: "d", groups: "g", outpad: "a", multiplier: "m", eps: "e", init: "v" };

/**
 * Options written after a block use (`B(8) stride 2`, `B(8) nobias`, `Basic 64 stride 2`):
 * block uses take none. One message says so and how to pass the value instead — as a
 * parameter of the block, or for a flag, on the layers inside it.
 */
export function blockOptionsMessage(block: A.BlockDefinition, options: { name: A.Name; value: string | null }[]): string {
  const name = block.name?.text ?? "the block";
  const params = block.params.map((p) => p.name.text);
  const words = options.map((o) => `\`${o.name.text}${o.value !== null ? ` ${o.value}` : ""}\``).join(", ");
  const head = `block uses take no options (${words} after \`${name}(…)\`)`;
  const valued = options.find((o) => optionArity[o.name.text] === 1);
  if (valued) {
    const option = valued.name.text;
    const value = valued.value ?? "…";
    const wanted = parameterFor[option] ?? option[0];
    if (params.includes(wanted)) return `${head}: pass the value as an argument, \`${name}(…, ${wanted} = ${value})\`, and write \`${option} ${wanted}\` inside \`block ${name}\``;
    const signature = [...params, `${wanted} = 1`].join(", ");
    return `${head}: give the block a parameter — \`block ${name}(${signature})\` with \`${option} ${wanted}\` on its layer — and pass it: \`${name}(…, ${wanted} = ${value})\``;
  }
  const flag = options[0].name.text;
  return `${head}: a flag cannot be passed (block parameters are whole numbers); write \`${flag}\` on the layers inside \`block ${name}\``;
}
