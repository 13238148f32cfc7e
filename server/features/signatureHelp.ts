// Signature help inside a block call `Basic(64, s = |)`: the block's parameters with
// their defaults, the one being written highlighted (by position, or by name). After a
// layer kind (`slice 0 |`): the kind's usage from the catalog, the argument being
// written highlighted, until the options begin.

import type { IToken } from "chevrotain";
import type { Position, SignatureHelp } from "vscode-languageserver";
import { layerKind, type LayerKind } from "../../analysis";
import * as T from "../../grammar/tokens";
import { endOf } from "../../grammar/tokens";
import { inCall, statementTokens } from "../cursor";
import { blockSignature } from "../signatures";
import type { Snapshot } from "../snapshots";
import { findBlock } from "../tree";

export function signatureHelp(snapshot: Snapshot, position: Position): SignatureHelp | null {
  const { analysis, positions } = snapshot;
  const offset = positions.offset(position);
  if (analysis.parse.comments.some((c) => c.start < offset && offset <= c.end)) return null;
  const prior = statementTokens(analysis.parse.tokens, offset).prior;
  const call = inCall(prior);
  if (!call) return layerSignature(prior, offset);
  const block = findBlock(analysis.parse.file, call.callee);
  if (!block) return null;
  const sig = blockSignature(snapshot, block);
  let active = call.current !== null ? sig.parameters.findIndex((p) => p.name === call.current) : call.positionalBefore;
  if (active < 0 || active >= sig.parameters.length) active = sig.parameters.length === 0 ? 0 : -1;
  return {
    signatures: [
      {
        label: sig.label,
        documentation: sig.documentation ? { kind: "markdown", value: sig.documentation } : undefined,
        parameters: sig.parameters.map((p) => ({
          label: p.label,
          documentation: p.defaultText !== null ? `default ${p.defaultText}` : "required",
        })),
      },
    ],
    activeSignature: 0,
    activeParameter: active < 0 ? null : active,
  };
}

/** tokens after which the next one continues the same value (`3x3`, `2*k`, `[1, 2]`) */
const continues = new Set([T.Cross, T.Plus, T.Minus, T.Star, T.Slash, T.LParen, T.LBracket, T.Comma]);

/** `slice 0 |`: the layer kind's usage, the argument at the cursor highlighted (null once options begin). */
function layerSignature(prior: IToken[], offset: number): SignatureHelp | null {
  const op = prior[0];
  if (!op || (op.tokenType !== T.Identifier && op.tokenType !== T.PadKeyword) || prior.length === 1 && endOf(op) === offset) return null;
  const kind = layerKind(op.image);
  if (!kind || kind.args.length === 0) return null;
  let values = 0;
  let depth = 0;
  let optionSeen = false;
  for (let i = 1; i < prior.length; i++) {
    const t = prior[i].tokenType;
    if (T.optionArity[prior[i].image] !== undefined && t !== T.Identifier) optionSeen = true;
    const starts = depth === 0 && !continues.has(prior[i - 1].tokenType) && !continues.has(t) && t !== T.RParen && t !== T.RBracket;
    if (starts) values++;
    if (t === T.LParen || t === T.LBracket) depth++;
    if (t === T.RParen || t === T.RBracket) depth = Math.max(0, depth - 1);
  }
  const last = prior[prior.length - 1];
  const typing = last !== op && endOf(last) === offset && !continues.has(last.tokenType);
  let active: number | null = typing ? values - 1 : values;
  if (optionSeen || active >= kind.args.length) active = null;
  return {
    signatures: [{ label: kind.usage, documentation: { kind: "markdown", value: kind.summary }, parameters: argumentLabels(kind) }],
    activeSignature: 0,
    activeParameter: active,
  };
}

/** each argument's place in the usage text (`conv K F [stride S] …`: K, then F), as label offsets */
function argumentLabels(kind: LayerKind) {
  let from = kind.name.length;
  return kind.args.map((a) => {
    const word = a.optional ? `[${a.name}]` : a.name;
    const at = kind.usage.indexOf(word, from);
    const start = at >= 0 ? at : from;
    from = start + word.length;
    return { label: [start, start + word.length] as [number, number], documentation: `${a.what}${a.defaultValue !== undefined ? ` (default ${a.defaultValue})` : ""}` };
  });
}
