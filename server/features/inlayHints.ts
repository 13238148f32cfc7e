// Inlay hints (spec §6): `→ 28×28×6 · 456 params` at the end of each statement's line,
// `→ 10 · 61,706 params · 0.42 MMAC` on a `network` line. A statement in a block body (or a
// repeat) runs more than once: its hint shows the first time, marked `(1st of 4)`, or
// `(each of 2)` when every time is alike, and the tooltip lists them all. Hints stay
// short (VS Code cuts them at `editor.inlayHints.maximumLength`, 43 by default; the
// extension sets it to 0, no limit, for .cnn files): every hint's tooltip has the whole
// of it, with exact MACs and the input shape.

import { InlayHint, MarkupKind, type Range } from "vscode-languageserver";
import { grouped, shapeText, usesOf, type NetworkResult, type Occurrence, type Shape, type Uses } from "../../analysis";
import { Attached } from "../../analysis/attached";
import type { RepeatStatement } from "../../grammar";
import type { ServerSettings } from "../settings";
import type { Snapshot } from "../snapshots";
import { forEachStatementInFile } from "../tree";
import { macsText, ordinal, paramsText } from "../wording";

interface Placed {
  offset: number;
  /** placed at the end of the line (rather than right after the statement) */
  atLineEnd: boolean;
  /** the statement's extent: the outermost one keeps the line end */
  size: number;
  /** where the statement's text ends, if the line end is taken */
  end: number;
  hint: InlayHint;
}

/** True when only closing braces, `;` and a comment follow `offset` on its line. */
function lastOnLine(text: string, offset: number, lineEnd: number): boolean {
  for (let i = offset; i < lineEnd; i++) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "}" || c === ";") continue;
    return c === "#" || (c === "/" && text[i + 1] === "/");
  }
  return true;
}

function sameShape(a: Shape | null, b: Shape | null): boolean {
  if (!a || !b) return a === b;
  if (a.kind === "vector" || b.kind === "vector") return a.kind === b.kind && (a as { n: number }).n === (b as { n: number }).n;
  return a.w === b.w && a.h === b.h && a.d === b.d;
}

export function hintText(shape: Shape | null, params: bigint, macs: bigint, settings: ServerSettings): string {
  const parts: string[] = [];
  if (settings.hints.shape) parts.push(`→ ${shapeText(shape, settings.shapeFormat)}`);
  if (settings.hints.params && params > 0n) parts.push(paramsText(params));
  if (settings.hints.macs && macs > 0n) parts.push(macsText(macs));
  return parts.join(" · ");
}

/** `(1st of 5)` when the uses differ, `(each of 2)` when every use is alike; the tooltip says more. */
function usesNote(uses: Uses): string {
  const n = grouped(uses.total);
  return uses.alike ? `(each of ${n})` : `(${ordinal(1)} of ${n})`;
}

/** The whole of one occurrence, for the hint's tooltip: `32×32×1 → 28×28×6 · 156 params · 117,600 MACs`. */
function fullText(o: Pick<Occurrence, "input" | "output" | "params" | "macs">, settings: ServerSettings): string {
  const parts = [`${shapeText(o.input, settings.shapeFormat)} → ${shapeText(o.output, settings.shapeFormat)}`, paramsText(o.params)];
  if (o.macs > 0n) parts.push(`${grouped(o.macs)} MACs${o.macs >= 10_000n ? ` (${macsText(o.macs)})` : ""}`);
  return parts.join(" · ");
}

function usesTooltip(snapshot: Snapshot, uses: Uses, settings: ServerSettings): string {
  const list = uses.list;
  const networks = new Set(list.map((o) => o.network));
  const key = (o: Occurrence) => o.callSites.map((s) => s.start).join(",");
  const word = list.every((o) => key(o) === key(list[0])) ? "passes of a repeat" : "uses";
  const rows = list.map((o, i) => {
    const site = o.callSites[o.callSites.length - 1];
    const where = site ? ` — \`${snapshot.analysis.text.slice(site.start, site.end)}\` on line ${snapshot.positions.lineOf(site.start) + 1}` : "";
    const network = networks.size > 1 ? ` (network \`${o.network}\`)` : "";
    return `${i + 1}. ${shapeText(o.input, settings.shapeFormat)} → ${shapeText(o.output, settings.shapeFormat)} · ${paramsText(o.params)}${where}${network}`;
  });
  const more = uses.total - BigInt(list.length);
  if (more > 0n) rows.push(`… and ${grouped(more)} more`);
  const where = networks.size === 1 ? `In network \`${list[0].network}\`, this` : "This";
  return [`${where} statement runs ${grouped(uses.total)} times (${word}); the hint shows the first:`, "", ...rows].join("\n");
}

/**
 * `repeat 2 { Basic(64) }` on one line: the one statement's hint would sit inside the
 * braces and say again what the repeat's says. It is left out; the repeat's hint says
 * `(2 × 73,984)` (each pass alike) or `(2 passes)`, its tooltip lists the passes.
 */
function oneLineRepeats(snapshot: Snapshot): Map<number, RepeatStatement> {
  const { analysis, positions } = snapshot;
  const out = new Map<number, RepeatStatement>();
  forEachStatementInFile(analysis.parse.file, (stmt) => {
    if (stmt.type !== "repeat" || stmt.body.length !== 1) return;
    if (positions.lineOf(stmt.start) === positions.lineOf(stmt.end)) out.set(stmt.start, stmt);
  });
  return out;
}

/** The occurrences of the repeat's one statement in this elaboration of the repeat, one per pass. */
function passesOf(snapshot: Snapshot, repeat: RepeatStatement, o: Occurrence): Occurrence[] {
  const inner = snapshot.analysis.occurrences.get(repeat.body[0].start) ?? [];
  return inner.filter((p) => {
    if (p.scope.length !== o.scope.length + 1 || p.network !== o.network) return false;
    const frame = p.scope[o.scope.length];
    return frame.kind === "repeat" && frame.span.start === repeat.start && o.scope.every((f, i) => p.scope[i].id === f.id);
  });
}

/**
 * What a hint carries when its tooltip is left for `inlayHint/resolve`: its document (by
 * number: a uri in each of 5,000 hints was 200 kB more), the version, and where it is —
 * a statement's start, or −1 − i for the i-th network's totals.
 */
export type HintData = [document: number, version: number, at: number];

const documentNumbers = new Map<string, number>();
const documentUris: string[] = [];

function documentNumber(uri: string): number {
  let n = documentNumbers.get(uri);
  if (n === undefined) {
    n = documentUris.push(uri) - 1;
    documentNumbers.set(uri, n);
  }
  return n;
}

/** The document a hint of inlayHints(…, true) is about (undefined: not such a hint). */
export function hintDocument(hint: InlayHint): string | undefined {
  const data = hint?.data as unknown;
  return Array.isArray(data) && typeof data[0] === "number" ? documentUris[data[0]] : undefined;
}

/** A statement's hint: its label, and its tooltip when asked for. */
function statementHint(snapshot: Snapshot, list: Occurrence[], repeats: Map<number, RepeatStatement>, settings: ServerSettings, withTooltip: boolean): { label: string; tooltip: string | undefined } | null {
  const { analysis } = snapshot;
  const first = list[0];
  let label = hintText(first.output, first.params, first.macs, settings);
  if (!label) return null;
  let tooltip = withTooltip ? fullText(first, settings) : undefined;
  const uses = usesOf(analysis, first.span.start);
  if (uses.total > 1n) {
    label += ` ${usesNote(uses)}`;
    if (withTooltip) tooltip = usesTooltip(snapshot, uses, settings);
  }
  const repeat = repeats.get(first.span.start);
  if (repeat) {
    const passes = passesOf(snapshot, repeat, first);
    if (list.length === 1 && passes.length > 1) {
      const alike = passes.every((p) => p.params === passes[0].params && sameShape(p.output, passes[0].output));
      label += alike && settings.hints.params && passes[0].params > 0n ? ` (${passes.length} × ${grouped(passes[0].params)})` : ` (${passes.length} passes)`;
    }
    if (withTooltip && passes.length) {
      const inner = analysis.text.slice(repeat.body[0].start, repeat.body[0].end);
      const rows = passes.map((p, i) => `${i + 1}. ${fullText(p, settings)}`);
      tooltip += `\n\n\`${inner}\`, pass by pass${list.length > 1 ? " (in its first use)" : ""}:\n\n${rows.join("\n")}`;
    }
  }
  return { label, tooltip };
}

/** The statements that get a hint: the first occurrence of each, shown, not folded into its one-line repeat's. */
function hinted(list: Occurrence[], folded: Set<number>): boolean {
  const first = list[0];
  return first.kind !== "input" && first.output !== null && !folded.has(first.span.start);
}

function networkLabel(network: NetworkResult, settings: ServerSettings): string {
  // the input is on the next line: the totals line says what comes out and what it costs
  const parts: string[] = [];
  if (settings.hints.shape) parts.push(`→ ${shapeText(network.output, settings.shapeFormat)}`);
  if (settings.hints.params) parts.push(paramsText(network.params));
  // the totals line shows the MACs whenever counts are shown at all (spec §6)
  if ((settings.hints.params || settings.hints.macs) && network.macs > 0n) parts.push(macsText(network.macs));
  return parts.join(" · ");
}

const networkTooltip = (network: NetworkResult, settings: ServerSettings) => `Network \`${network.name}\`: ${fullText(network, settings)}`;

/**
 * The hints in `range` (null: the whole document). With `resolveTooltips`, a hint carries
 * no tooltip but the data to make it (`inlayHint/resolve`, resolveInlayHint below): the
 * client that asks for it on hover gets the same text. A whole 5,000-layer document's
 * hints were ~900 kB with their tooltips, ~300 kB without — most of what a request took.
 */
export function inlayHints(snapshot: Snapshot, range: Range | null, settings: ServerSettings, resolveTooltips = false): InlayHint[] {
  if (!settings.hints.shape && !settings.hints.params && !settings.hints.macs) return [];
  const all = documentHints(snapshot, settings, resolveTooltips);
  if (!range) return all.map((h) => h.hint);
  const window = snapshot.positions.span(range);
  // (in offset order: the first at or after the window's start, then up to its end)
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].offset < window.start) lo = mid + 1;
    else hi = mid;
  }
  const out: InlayHint[] = [];
  for (let i = lo; i < all.length && all[i].offset <= window.end; i++) out.push(all[i].hint);
  return out;
}

/**
 * Every hint of a snapshot, in offset order, made once per version and settings: a client
 * asks again for the same version whenever it scrolls or comes back to the editor (VS Code
 * per visible range, Neovim for the whole buffer), and a whole 5,000-layer document's
 * hints took ~10 ms to make. The hints are never changed once made (resolve makes a copy).
 * (Kept on the snapshot, not in a WeakMap: a scavenge keeps a WeakMap's young values alive after their key died — analysis/attached.ts.)
 */
const madeHints = new Attached<Snapshot, Map<string, { offset: number; hint: InlayHint }[]>>("inlay hints");

function documentHints(snapshot: Snapshot, settings: ServerSettings, resolveTooltips: boolean): { offset: number; hint: InlayHint }[] {
  const key = `${settings.hints.shape}|${settings.hints.params}|${settings.hints.macs}|${settings.shapeFormat}|${resolveTooltips}`;
  let made = madeHints.get(snapshot);
  const known = made?.get(key);
  if (known) return known;
  const hints = makeHints(snapshot, settings, resolveTooltips);
  if (!made) madeHints.set(snapshot, (made = new Map()));
  made.set(key, hints);
  return hints;
}

function makeHints(snapshot: Snapshot, settings: ServerSettings, resolveTooltips: boolean): { offset: number; hint: InlayHint }[] {
  const { analysis, positions } = snapshot;
  const text = analysis.text;
  const placed: Placed[] = [];

  const document = resolveTooltips ? documentNumber(snapshot.uri) : -1;
  const place = (start: number, end: number, label: string, tooltip: string | undefined, data: HintData) => {
    const line = positions.lineOf(Math.max(start, end - 1));
    const lineEnd = positions.lineEnd(line);
    const atLineEnd = lastOnLine(text, end, lineEnd);
    const offset = atLineEnd ? lineEnd : end;
    const hint = InlayHint.create(positions.position(offset), label);
    hint.paddingLeft = true;
    if (tooltip !== undefined) hint.tooltip = { kind: MarkupKind.Markdown, value: tooltip };
    else hint.data = data;
    placed.push({ offset, atLineEnd, size: end - start, end, hint });
  };

  const repeats = oneLineRepeats(snapshot);
  const folded = new Set([...repeats.values()].map((r) => r.body[0].start));
  for (const list of analysis.occurrences.values()) {
    if (!hinted(list, folded)) continue;
    const hint = statementHint(snapshot, list, repeats, settings, !resolveTooltips);
    if (!hint) continue;
    const first = list[0];
    place(first.span.start, first.span.end, hint.label, hint.tooltip, [document, snapshot.version, first.span.start]);
  }

  for (const [index, network] of analysis.networks.entries()) {
    if (network.implicit || !network.output) continue;
    const line = positions.lineOf(network.nameSpan.start);
    const offset = positions.lineEnd(line);
    const hint = InlayHint.create(positions.position(offset), networkLabel(network, settings));
    hint.paddingLeft = true;
    if (resolveTooltips) hint.data = [document, snapshot.version, -1 - index] satisfies HintData;
    else hint.tooltip = { kind: MarkupKind.Markdown, value: networkTooltip(network, settings) };
    placed.push({ offset, atLineEnd: true, size: Number.MAX_SAFE_INTEGER, end: offset, hint });
  }

  // one hint per line end: the outermost statement keeps it, inner ones move next to their text
  const byLineEnd = new Map<number, Placed>();
  for (const p of placed) {
    if (!p.atLineEnd) continue;
    const other = byLineEnd.get(p.offset);
    if (!other || p.size > other.size) byLineEnd.set(p.offset, p);
  }
  for (const p of placed) {
    if (p.atLineEnd && byLineEnd.get(p.offset) !== p) {
      p.offset = p.end;
      p.hint.position = positions.position(p.end);
    }
  }
  placed.sort((a, b) => a.offset - b.offset);
  return placed;
}

/**
 * A hint of inlayHints(…, true) with its tooltip: the one the hint would have had, from the
 * same version of the document; the hint as it came when the document changed since (the
 * client asks for new hints then) or the data is not one of ours.
 */
export function resolveInlayHint(snapshot: Snapshot, hint: InlayHint, settings: ServerSettings): InlayHint {
  const data = hint.data as unknown;
  if (hintDocument(hint) !== snapshot.uri || !Array.isArray(data) || data[1] !== snapshot.version || typeof data[2] !== "number" || hint.tooltip !== undefined) return hint;
  const at = data[2];
  const { analysis } = snapshot;
  let label: string | undefined;
  let tooltip: string | undefined;
  if (at < 0) {
    const network = analysis.networks[-1 - at];
    if (network && !network.implicit && network.output) {
      label = networkLabel(network, settings);
      tooltip = networkTooltip(network, settings);
    }
  } else {
    const list = analysis.occurrences.get(at);
    const repeats = oneLineRepeats(snapshot);
    if (list && hinted(list, new Set([...repeats.values()].map((r) => r.body[0].start)))) {
      const made = statementHint(snapshot, list, repeats, settings, true);
      label = made?.label;
      tooltip = made?.tooltip;
    }
  }
  // (the same hint, or none: settings changed in between give another label)
  if (tooltip === undefined || label !== hint.label) return hint;
  return { ...hint, tooltip: { kind: MarkupKind.Markdown, value: tooltip } };
}
