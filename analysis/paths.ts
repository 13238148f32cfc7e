// Module paths (docs/LANGUAGE-EXTENSIONS.md, "Labels as module paths"): a layer's label
// with the labels of the structures around it, as PyTorch names the module that holds
// its tensors. A labelled block use, residual, concat or add gives its label; a labelled
// repeat `L` gives `L.i` for its (0-based) iteration i, as nn.Sequential numbers.

import type { ScopeFrame } from "./types";

/** the path parts the structures around a node give, outermost first */
export function scopeLabels(scope: readonly ScopeFrame[]): string[] {
  const out: string[] = [];
  for (const f of scope) if (f.label !== null) out.push(f.kind === "repeat" ? `${f.label}.${f.iteration - 1}` : f.label);
  return out;
}

/** `layer1.0.conv1` for a layer labelled `conv1` inside `layer1: repeat …`; null without a label */
export function modulePathOf(scope: readonly ScopeFrame[], label: string | null): string | null {
  if (!label) return null;
  const around = scopeLabels(scope);
  return around.length ? `${around.join(".")}.${label}` : label;
}
