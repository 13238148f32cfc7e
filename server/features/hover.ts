// Hover (spec §6): on a layer, input → output, the formula with the numbers put in
// (Occurrence.explain, from the catalog), weights and biases, MACs, receptive field and
// jump, the activation's memory; on a block use, the block's expansion; on a network,
// its totals. Every number comes from the analysis.

import { MarkupKind, type Hover } from "vscode-languageserver";
import {
  bytesText,
  catalog,
  elementCount,
  grouped,
  inputDoc,
  layerKind,
  optionDocs,
  shapeText,
  usesOf,
  type NetworkResult,
  type Occurrence,
  type OptionName,
  type ReceptiveField,
  type Shape,
} from "../../analysis";
import type { Position } from "vscode-languageserver";
import { oneLine, type MergeStatement, type Span, type Statement } from "../../grammar";
import type { ServerSettings } from "../settings";
import { blockSignature } from "../signatures";
import { fieldEquals, fieldText as valueText } from "../../analysis/exact";
import type { Snapshot } from "../snapshots";
import { findBlock, locate } from "../tree";
import { macsText, ordinal, paramsText } from "../wording";

/** Markdown special characters in analysis text (backticks stay: they mark code). */
function md(text: string): string {
  return text.replace(/([\\*_[\]<>#|])/g, "\\$1");
}

const inside = (span: Span, offset: number) => span.start <= offset && offset <= span.end;

function fieldText(rf: ReceptiveField): string {
  const size = `${valueText(rf.w)}×${valueText(rf.h)}`;
  const jump = fieldEquals(rf.jumpW, rf.jumpH) ? valueText(rf.jumpW) : `${valueText(rf.jumpW)}×${valueText(rf.jumpH)}`;
  return `${size} input pixels, jump ${jump} (each step here moves ${jump} input pixel${jump === "1" ? "" : "s"})`;
}

function activationText(o: Occurrence, settings: ServerSettings): string | null {
  if (!o.output) return null;
  const n = elementCount(o.output);
  return `${shapeText(o.output, settings.shapeFormat)} = ${grouped(n)} numbers = ${bytesText(n * 4n)} (float32)`;
}

/**
 * `conv k 3x3 pad 1` — a statement's first line, without its label, comment or body; its
 * control and bidirectional characters named (oneLine), so a quoted line cannot reorder the hover's.
 */
function firstLineOf(text: string, span: Span): string {
  const raw = text.slice(span.start, span.end).split(/\r\n|\r|\n/)[0];
  return oneLine(
    raw
      .replace(/\s*(#|\/\/).*$/, "")
      .replace(/\s*\{.*$/, "")
      .replace(/^[A-Za-z_][A-Za-z0-9_]*\s*:\s*/, "")
      .trim(),
  );
}

function clip(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}

/** The lines every statement's hover shares: the catalog's formulas, counts, field, memory. */
function countLines(o: Occurrence, settings: ServerSettings): string[] {
  const lines: string[] = [];
  const scaledMacs = o.macs >= 10_000n ? ` (${macsText(o.macs)})` : "";
  const split =
    o.kind !== "layer" || o.params === 0n
      ? null
      : o.biases > 0n
        ? `- **weights + biases** ${grouped(o.weights)} + ${grouped(o.biases)} = ${paramsText(o.params)}`
        : `- **weights** ${grouped(o.weights)}, no biases`;
  let splitShown = split === null;
  const explained = o.explain();
  for (const e of explained) {
    lines.push(`- **${md(e.title)}** ${md(e.text)}${e.title === "MACs" ? scaledMacs : ""}`);
    if (e.title === "params" && !splitShown) {
      lines.push(split!);
      splitShown = true;
    }
  }
  if (!splitShown) lines.push(split!);
  if (o.kind !== "layer" && o.params > 0n) lines.push(`- **params** ${grouped(o.params)}`);
  if (o.macs > 0n && !explained.some((e) => e.title === "MACs")) lines.push(`- **MACs** ${grouped(o.macs)}${scaledMacs}`);
  if (o.receptiveField) lines.push(`- **receptive field** ${fieldText(o.receptiveField)}`);
  const act = activationText(o, settings);
  if (act) lines.push(`- **activation** ${act}`);
  return lines;
}

function usesLines(snapshot: Snapshot, list: Occurrence[], settings: ServerSettings): string[] {
  const total = list.length ? usesOf(snapshot.analysis, list[0].span.start).total : 0n;
  if (total < 2n) return [];
  const networks = new Set(list.map((o) => o.network));
  const rows = list.slice(0, 12).map((o, i) => {
    const site = o.callSites[o.callSites.length - 1];
    const network = networks.size > 1 ? `, network \`${md(o.network)}\`` : "";
    const where = site ? ` (\`${md(snapshot.analysis.text.slice(site.start, site.end))}\`, line ${snapshot.positions.lineOf(site.start) + 1}${network})` : "";
    return `${i + 1}. ${shapeText(o.input, settings.shapeFormat)} → ${shapeText(o.output, settings.shapeFormat)} · ${paramsText(o.params)}${where}`;
  });
  if (total > 12n) rows.push(`… and ${grouped(total - BigInt(rows.length))} more`);
  return ["", `Runs ${grouped(total)} times; above: the ${ordinal(1)}.`, "", ...rows];
}

/** The statements a block use expanded to, indented by nesting, for this one use. */
function expansion(snapshot: Snapshot, call: Occurrence, calleeStart: number, settings: ServerSettings): string[] {
  const site = call.callSites.length;
  const inner: Occurrence[] = [];
  for (const list of snapshot.analysis.occurrences.values()) {
    const o = list.find(
      (x) =>
        x.callSites.length === site + 1 &&
        x.callSites[site].start === calleeStart &&
        x.callSites.slice(0, site).every((s, i) => s.start === call.callSites[i].start),
    );
    if (o) inner.push(o);
  }
  inner.sort((a, b) => a.span.start - b.span.start);
  const rows: string[] = [];
  const open: Span[] = [];
  for (const o of inner.slice(0, 40)) {
    while (open.length && !(o.span.start >= open[open.length - 1].start && o.span.end <= open[open.length - 1].end)) open.pop();
    const what = clip("  ".repeat(open.length) + firstLineOf(snapshot.analysis.text, o.span), 40);
    rows.push(`${what.padEnd(42)}${shapeText(o.output, settings.shapeFormat).padEnd(14)}${o.params > 0n ? grouped(o.params) : ""}`.trimEnd());
    if (o.kind !== "layer") open.push(o.span);
  }
  if (inner.length > 40) rows.push(`… ${inner.length - 40} more`);
  return rows.length ? ["", "```text", ...rows, "```"] : [];
}

/** the value a node's attrs hold for a window pair, [width, height] (padding: left, top) */
function windowPair(node: Occurrence["node"], which: "kernel" | "stride" | "pad" | "dilation"): [number, number] | null {
  if (!node || !("kernel" in node.attrs)) return null;
  const a = node.attrs;
  if (which === "pad") return a.padding.left === a.padding.right && a.padding.top === a.padding.bottom ? [a.padding.left, a.padding.top] : null;
  return which === "kernel" ? a.kernel : a[which];
}

const torchName = { kernel: "kernel_size", stride: "stride", pad: "padding", dilation: "dilation" } as const;

/**
 * On a window's kernel, stride, padding or dilation that is not square (`7x1`, `pad 3x0`):
 * which number is the width, and what PyTorch, which writes height first, would write.
 */
function pairHover(stmt: Statement, offset: number, o: Occurrence | undefined): string | null {
  if (stmt.type !== "layer" || !o?.node) return null;
  const kind = layerKind(stmt.op.text);
  const kernelAt = kind?.args.findIndex((a) => a.type === "kernel") ?? -1;
  let which: keyof typeof torchName | null = null;
  const kernelArg = kernelAt >= 0 ? stmt.args[kernelAt] : undefined;
  if (kernelArg && inside(kernelArg, offset)) which = "kernel";
  for (const option of stmt.options) {
    const name = option.name.text;
    if (option.value && inside(option.value, offset) && (name === "stride" || name === "pad" || name === "dilation")) which = name;
  }
  if (!which) return null;
  const pair = windowPair(o.node, which);
  if (!pair || pair[0] === pair[1]) return null;
  const [w, h] = pair;
  const what = which === "kernel" ? "the filter" : which === "pad" ? "the padding" : `the ${which}`;
  const sides = which === "pad" ? ` (${w} column${w === 1 ? "" : "s"} left and right, ${h} row${h === 1 ? "" : "s"} top and bottom)` : "";
  return `**${w}×${h}** — ${what}: width ${w} × height ${h}${sides}; this language writes width first.\n\nPyTorch writes height first: \`${torchName[which]}=(${h}, ${w})\``;
}

const mergeSummary: Record<MergeStatement["type"], string> = {
  concat: "every branch gets the same input; the results are stacked along depth",
  add: "every branch gets the same input; the results are summed element by element",
  mul: "every branch gets the same input; the results are multiplied element by element — a 1×1×D branch multiplies every position (squeeze-and-excitation)",
};

/** what one branch gives in the same elaboration as the merge `o` (an empty branch: the input) */
function branchOutput(snapshot: Snapshot, body: Statement[], o: Occurrence): Shape | null {
  const last = body[body.length - 1];
  if (!last) return o.input;
  const same = (x: Occurrence) => x.callSites.length === o.callSites.length && x.callSites.every((s, i) => s.start === o.callSites[i].start);
  return (snapshot.analysis.occurrences.get(last.start) ?? []).find(same)?.output ?? null;
}

/** a merge's branches and the arithmetic that joins them: `D = 64 + 128 = 192`, a gate broadcast over W×H */
function mergeLines(snapshot: Snapshot, stmt: MergeStatement, o: Occurrence, settings: ServerSettings): string[] {
  const shapes = stmt.branches.map((b) => branchOutput(snapshot, b.body, o));
  if (shapes.some((x) => !x) || !o.output) return [];
  const out = o.output;
  const lines = shapes.map((x, i) => {
    const broadcast = stmt.type === "mul" && x!.kind === "volume" && x!.w === 1 && x!.h === 1 && out.kind === "volume" && (out.w !== 1 || out.h !== 1);
    const note = broadcast ? ` — one factor per channel, multiplying each of the ${out.w}×${out.h} positions` : stmt.branches[i].body.length === 0 ? " (the input itself)" : "";
    return `- **branch ${i + 1}** ${shapeText(x, settings.shapeFormat)}${note}`;
  });
  if (stmt.type === "concat" && out.kind === "volume") lines.push(`- **depth** D = ${shapes.map((x) => (x!.kind === "volume" ? x!.d : 0)).join(" + ")} = ${out.d}`);
  if (stmt.type === "mul") lines.push("- **MACs** 0 (an element-wise product, as torchinfo counts it); params 0 of its own");
  return lines;
}

function statementHover(snapshot: Snapshot, stmt: Statement, offset: number, settings: ServerSettings): string | null {
  const text = snapshot.analysis.text;
  const pairText = pairHover(stmt, offset, snapshot.analysis.occurrences.get(stmt.start)?.[0]);
  if (pairText) return pairText;
  // an option keyword: its documentation
  if (stmt.type === "layer") {
    const option = stmt.options.find((o) => inside(o.name, offset));
    if (option && optionDocs[option.name.text as OptionName]) {
      const doc = optionDocs[option.name.text as OptionName];
      return `\`${doc.usage}\`\n\n${md(doc.doc)}`;
    }
  }
  const list = snapshot.analysis.occurrences.get(stmt.start) ?? [];
  const o = list[0];
  const head: string[] = [];
  if (stmt.type === "layer" && stmt.op.text === "input") {
    head.push(`**input** — ${md(inputDoc.summary)}`);
    if (o?.output) head.push("", `**${shapeText(o.output, settings.shapeFormat)}**`, "", `- **activation** ${activationText(o, settings)}`);
    return head.join("\n");
  }
  const kind = stmt.type === "layer" ? layerKind(stmt.op.text) : undefined;
  const label = stmt.label ? ` \`${stmt.label.text}\`` : "";
  if (kind) head.push(`**${kind.name}**${label} — ${md(kind.summary)}`);
  else if (stmt.type === "call" || (stmt.type === "layer" && o?.kind === "call")) {
    const name = stmt.type === "call" ? stmt.callee.text : stmt.op.text;
    const block = findBlock(snapshot.analysis.parse.file, name);
    const sig = block ? blockSignature(snapshot, block) : null;
    head.push(`**${md(firstLineOf(text, stmt))}**${label} — block \`${sig ? md(sig.label) : name}\`${block ? `, line ${snapshot.positions.lineOf(block.start) + 1}` : ""}`);
    if (sig?.documentation) head.push("", md(sig.documentation));
  } else if (stmt.type === "layer") {
    head.push(`**${md(stmt.op.text)}** — unknown layer; the layers: ${catalog.map((k) => k.name).join(", ")}`);
  } else if (stmt.type === "concat" || stmt.type === "add" || stmt.type === "mul") head.push(`**${stmt.type}**${label} — ${md(mergeSummary[stmt.type])}`);
  else head.push(`**${stmt.type}**${label}`);
  if (!o || (!o.output && !o.input)) return head.join("\n");

  head.push("", `**${shapeText(o.input, settings.shapeFormat)} → ${shapeText(o.output, settings.shapeFormat)}**`, "");
  if (stmt.type === "concat" || stmt.type === "add" || stmt.type === "mul") head.push(...mergeLines(snapshot, stmt, o, settings));
  head.push(...countLines(o, settings));
  if (o.kind === "call") head.push(...expansion(snapshot, o, stmt.type === "call" ? stmt.callee.start : stmt.type === "layer" ? stmt.op.start : -1, settings));
  head.push(...usesLines(snapshot, list, settings));
  return head.join("\n");
}

function networkHover(n: NetworkResult, settings: ServerSettings): string {
  const lines = [`**network ${md(n.name)}**`, ""];
  lines.push(`**${shapeText(n.input, settings.shapeFormat)} → ${shapeText(n.output, settings.shapeFormat)}**`, "");
  lines.push(`- **params** ${grouped(n.params)} (${bytesText(n.params * 4n)} as float32)`);
  lines.push(`- **MACs** ${grouped(n.macs)} (${macsText(n.macs)})`);
  lines.push(`- **layers** ${grouped(n.graph.filter((g) => g.op !== "input").length)}`);
  if (n.receptiveField) lines.push(`- **receptive field** ${fieldText(n.receptiveField)}`);
  lines.push(`- **activations** ${bytesText(n.activationBytes)} in all; at most ${bytesText(n.peakActivationBytes)} alive at once when running`);
  if (!n.complete) lines.push("", "_Incomplete: the network has errors; the totals cover what could be analyzed._");
  return lines.join("\n");
}

export function hover(snapshot: Snapshot, position: Position, settings: ServerSettings): Hover | null {
  const { analysis, positions } = snapshot;
  const offset = positions.offset(position);
  const file = analysis.parse.file;

  for (const n of analysis.networks) {
    if (!n.implicit && inside(n.nameSpan, offset)) return { contents: { kind: MarkupKind.Markdown, value: networkHover(n, settings) }, range: positions.range(n.nameSpan) };
  }
  const reference = analysis.references.find((r) => inside(r, offset));
  if (reference?.kind === "parameter") {
    const owner = file.items.find((i) => i.type === "block" && inside(i, reference.definition.start));
    const sig = owner && owner.type === "block" ? blockSignature(snapshot, owner) : null;
    const value = `**${md(reference.name)}** — parameter of block \`${sig ? md(sig.label) : "?"}\``;
    return { contents: { kind: MarkupKind.Markdown, value }, range: positions.range(reference) };
  }
  const where = locate(file, offset);
  if (where.statements.length === 0 && where.definition?.type === "block" && where.definition.name && inside(where.definition.name, offset)) {
    const sig = blockSignature(snapshot, where.definition);
    const uses = analysis.references.filter((r) => r.kind === "block" && !r.isDefinition && r.definition.start === where.definition!.name!.start).length;
    const value = [`**block ${md(sig.label)}**`, sig.documentation ? `\n${md(sig.documentation)}` : "", `\nused ${uses} time${uses === 1 ? "" : "s"}`].join("\n");
    return { contents: { kind: MarkupKind.Markdown, value }, range: positions.range(where.definition.name) };
  }
  const stmt = where.statements[where.statements.length - 1];
  if (!stmt) return null;
  const value = statementHover(snapshot, stmt, offset, settings);
  if (!value) return null;
  const line = positions.lineOf(stmt.start);
  const end = Math.min(stmt.end, positions.lineEnd(line));
  return { contents: { kind: MarkupKind.Markdown, value }, range: positions.range({ start: stmt.start, end }) };
}
