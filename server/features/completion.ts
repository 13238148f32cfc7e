// Completion: at the start of a statement, the layer kinds of the catalog (with their
// summaries), the blocks of this file (with a snippet of their parameters) and the
// structures that fit where the cursor is; after a layer, only the options that layer
// takes; after `pad`, `same` and `valid`; in a block, its parameters where a value goes;
// inside `Name(…)`, the parameters not given yet.

import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Position,
} from "vscode-languageserver";
import type { IToken } from "chevrotain";
import { catalog, inputDoc, layerKind, optionDocs, type LayerKind, type OptionName } from "../../analysis";
import * as T from "../../grammar/tokens";
import { endOf } from "../../grammar/tokens";
import { inCall, statementTokens } from "../cursor";
import type { BlockDefinition } from "../../grammar";
import { blockSignature } from "../signatures";
import type { Snapshot } from "../snapshots";
import { findBlock, locate, type Definition, type Scope } from "../tree";

export interface CompletionRequest {
  position: Position;
  /** the client inserts snippets (`${1:K}`) */
  snippets: boolean;
  /** the character that triggered the request, if any */
  trigger?: string;
}

interface Structure {
  word: string;
  snippet: string;
  plain: string;
  doc: string;
}

const structures: Record<string, Structure> = {
  network: { word: "network", snippet: "network ${1:Name} {\n\tinput ${2:32x32x3}\n\t$0\n}", plain: "network ", doc: "a network: `input` first, then its layers" },
  block: { word: "block", snippet: "block ${1:Name}(${2:k}) {\n\t$0\n}", plain: "block ", doc: "a reusable group of layers with integer parameters, used like a layer: `Name(64)`" },
  repeat: { word: "repeat", snippet: "repeat ${1:2} {\n\t$0\n}", plain: "repeat ", doc: "`repeat N { … }`: the body N times in a row" },
  residual: { word: "residual", snippet: "residual {\n\t$0\n}", plain: "residual ", doc: "output = body(x) + shortcut(x); without `shortcut { … }` the shortcut is x itself" },
  shortcut: { word: "shortcut", snippet: "shortcut {\n\t$0\n}", plain: "shortcut ", doc: "the residual's other path, e.g. a 1×1 projection" },
  concat: { word: "concat", snippet: "concat {\n\tbranch { $1 }\n\tbranch { $0 }\n}", plain: "concat ", doc: "every branch gets the same input; the results are stacked along depth" },
  add: { word: "add", snippet: "add {\n\tbranch { $1 }\n\tbranch { $0 }\n}", plain: "add ", doc: "every branch gets the same input; the results are summed" },
  mul: {
    word: "mul",
    snippet: "mul {\n\tbranch { $1 }\n\tbranch { ${2:gap; conv 16 1x1; relu; conv 64 1x1; sigmoid} }\n}",
    plain: "mul ",
    doc: "every branch gets the same input; the results are multiplied element-wise — a 1×1×D branch multiplies every position (squeeze-and-excitation)",
  },
  branch: { word: "branch", snippet: "branch { $0 }", plain: "branch ", doc: "one path of a `concat`, `add` or `mul`" },
};

function structureItem(s: Structure, snippets: boolean): CompletionItem {
  return {
    label: s.word,
    kind: CompletionItemKind.Keyword,
    documentation: { kind: MarkupKind.Markdown, value: s.doc },
    insertText: snippets ? s.snippet : s.plain,
    insertTextFormat: snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    sortText: `3${s.word}`,
  };
}

const placeholder: Record<string, string> = { K: "64", F: "3x3", N: "10", P: "1", S: "2", p: "0.5", a: "0.01" };

function layerItems(snippets: boolean): CompletionItem[] {
  const items: CompletionItem[] = [];
  catalog.forEach((kind: LayerKind, i) => {
    const required = kind.args.filter((a) => !a.optional);
    const snippet = [kind.name, ...required.map((a, j) => `\${${j + 1}:${a.example ?? placeholder[a.name] ?? a.name}}`)].join(" ");
    const doc = { kind: MarkupKind.Markdown, value: `${kind.summary}\n\n\`${kind.usage}\`` };
    items.push({
      label: kind.name,
      kind: CompletionItemKind.Function,
      detail: kind.usage,
      documentation: doc,
      insertText: snippets && required.length ? snippet : kind.name,
      insertTextFormat: snippets && required.length ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      sortText: `1${String(i).padStart(3, "0")}`,
    });
    for (const alias of kind.aliases) {
      items.push({ label: alias, kind: CompletionItemKind.Function, detail: `= ${kind.name}: ${kind.usage}`, documentation: doc, sortText: `4${alias}` });
    }
  });
  return items;
}

function blockItem(snapshot: Snapshot, block: BlockDefinition, snippets: boolean): CompletionItem {
  const sig = blockSignature(snapshot, block);
  const required = block.params.filter((p) => !p.defaultValue);
  const snippet = `${sig.name}(${required.map((p, i) => `\${${i + 1}:${p.name.text}}`).join(", ")})`;
  return {
    label: sig.name,
    kind: CompletionItemKind.Module,
    detail: `block ${sig.label}`,
    documentation: sig.documentation ? { kind: MarkupKind.Markdown, value: sig.documentation } : undefined,
    insertText: snippets ? snippet : `${sig.name}(`,
    insertTextFormat: snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    sortText: `2${sig.name}`,
    command: { title: "parameters", command: "editor.action.triggerParameterHints" },
  };
}

function optionItem(name: OptionName, kind: LayerKind | null, snippets: boolean): CompletionItem {
  const doc = optionDocs[name];
  const takesValue = T.optionArity[name] === 1;
  return {
    label: name,
    kind: CompletionItemKind.Property,
    detail: doc.usage,
    documentation: { kind: MarkupKind.Markdown, value: doc.doc + (kind ? `\n\n(\`${kind.name}\` options: ${kind.options.join(", ")})` : "") },
    insertText: takesValue ? (snippets ? `${name} \${1}` : `${name} `) : name,
    insertTextFormat: takesValue && snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    command: takesValue && name === "pad" ? { title: "values", command: "editor.action.triggerSuggest" } : undefined,
  };
}

function parameterItems(definition: Definition | null): CompletionItem[] {
  if (!definition || definition.type !== "block") return [];
  return definition.params.map((p) => ({ label: p.name.text, kind: CompletionItemKind.Variable, detail: `parameter of ${definition.name?.text ?? "this block"}` }));
}

/** How many argument values follow the layer kind before the first option. */
function argumentsWritten(afterOp: IToken[]): { count: number; inOptions: boolean } {
  const glue = new Set([T.Cross, T.Plus, T.Minus, T.Star, T.Slash, T.LParen, T.Comma, T.LBracket]);
  let count = 0;
  for (let i = 0; i < afterOp.length; i++) {
    const t = afterOp[i].tokenType;
    if (t === T.OptionKeyword || T.optionArity[afterOp[i].image] !== undefined) return { count, inOptions: true };
    if (glue.has(t) || t === T.RParen || t === T.RBracket) continue;
    const prev = afterOp[i - 1];
    if (!prev || !glue.has(prev.tokenType)) count++;
  }
  return { count, inOptions: false };
}

function statementStartItems(snapshot: Snapshot, scope: Scope, definition: Definition | null, snippets: boolean, previous: IToken | null, offset: number): CompletionItem[] {
  if (scope.kind === "merge") return [structureItem(structures.branch, snippets)];
  const items: CompletionItem[] = [];
  if (previous?.tokenType === T.RBrace) items.push(structureItem(structures.shortcut, snippets));
  if (scope.kind === "top") items.push(structureItem(structures.network, snippets), structureItem(structures.block, snippets));
  // `input` once per network, first
  const body = scope.kind === "network" ? scope.node.body : scope.kind === "top" ? snapshot.analysis.parse.file.items : null;
  const hasInput = body?.some((s) => s.type === "layer" && s.op.text === "input" && !(s.start <= offset && offset <= s.end));
  if (body && !hasInput) {
    items.push({ label: "input", kind: CompletionItemKind.Function, detail: inputDoc.usage, documentation: inputDoc.summary, sortText: "0input" });
  }
  items.push(...layerItems(snippets));
  for (const item of snapshot.analysis.parse.file.items) {
    if (item.type === "block" && item.name && item !== definition) items.push(blockItem(snapshot, item, snippets));
  }
  for (const word of ["repeat", "residual", "concat", "add", "mul"]) items.push(structureItem(structures[word], snippets));
  return items;
}

export function completion(snapshot: Snapshot, request: CompletionRequest): CompletionList {
  const { analysis, positions } = snapshot;
  const text = analysis.text;
  const offset = positions.offset(request.position);
  const none: CompletionList = { isIncomplete: false, items: [] };
  // not in comments or strings
  if (analysis.parse.comments.some((c) => c.start < offset && offset <= c.end)) return none;
  let wordStart = offset;
  while (wordStart > 0 && /[A-Za-z0-9_]/.test(text[wordStart - 1])) wordStart--;
  const { prior, previous } = statementTokens(analysis.parse.tokens, wordStart);
  if (prior.some((t) => t.tokenType === T.StringLiteral && t.startOffset < offset && offset <= endOf(t) && !t.image.endsWith('"'))) return none;
  const where = locate(analysis.parse.file, offset);
  const definition = where.definition;
  const byTrigger = request.trigger !== undefined;
  const list = (items: CompletionItem[]): CompletionList => ({ isIncomplete: false, items });

  const call = inCall(prior);
  if (call) {
    const block = findBlock(analysis.parse.file, call.callee);
    const items: CompletionItem[] = [];
    if (block && call.expectsName) {
      for (const [i, p] of block.params.entries()) {
        if (call.named.has(p.name.text) || i < call.positionalBefore) continue;
        items.push({ label: `${p.name.text} =`, kind: CompletionItemKind.Variable, insertText: `${p.name.text} = `, detail: `parameter of ${call.callee}`, sortText: `0${p.name.text}` });
      }
    }
    return list([...items, ...parameterItems(definition)]);
  }

  if (prior.length === 0) {
    if (byTrigger && request.trigger === " ") return none;
    return list(statementStartItems(snapshot, where.scope, definition, request.snippets, previous, wordStart));
  }

  const op = prior[0];
  const last = prior[prior.length - 1];
  if (op.image === "input") {
    if (T.optionArity[last.image] === 1) return none;
    const used = new Set(prior.map((t) => t.image));
    return list(inputDoc.options.filter((o) => !used.has(o)).map((o) => optionItem(o, null, request.snippets)));
  }
  const kind = layerKind(op.image);
  if (!kind) return none;
  if (last.image === "pad" && last !== op) {
    return list([
      { label: "same", kind: CompletionItemKind.EnumMember, detail: "pad same", documentation: "keeps W₂ = ⌈W₁/S⌉ (TensorFlow's `same`)" },
      { label: "valid", kind: CompletionItemKind.EnumMember, detail: "pad valid", documentation: "no padding (P = 0)" },
      ...parameterItems(definition),
    ]);
  }
  if (T.optionArity[last.image] === 1 && last !== op) return list(parameterItems(definition));
  const written = argumentsWritten(prior.slice(1));
  const required = kind.args.filter((a) => !a.optional).length;
  if (!written.inOptions && written.count < required) return list(byTrigger ? [] : parameterItems(definition));
  const used = new Set(prior.slice(1).map((t) => t.image));
  return list(kind.options.filter((o) => !used.has(o)).map((o) => optionItem(o, kind, request.snippets)));
}
