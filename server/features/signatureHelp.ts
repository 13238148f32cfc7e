// Signature help inside a block call `Basic(64, s = |)`: the block's parameters with
// their defaults, the one being written highlighted (by position, or by name).

import type { Position, SignatureHelp } from "vscode-languageserver";
import { inCall, statementTokens } from "../cursor";
import { blockSignature } from "../signatures";
import type { Snapshot } from "../snapshots";
import { findBlock } from "../tree";

export function signatureHelp(snapshot: Snapshot, position: Position): SignatureHelp | null {
  const { analysis, positions } = snapshot;
  const offset = positions.offset(position);
  if (analysis.parse.comments.some((c) => c.start < offset && offset <= c.end)) return null;
  const call = inCall(statementTokens(analysis.parse.tokens, offset).prior);
  if (!call) return null;
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
