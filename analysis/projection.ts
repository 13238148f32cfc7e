// The 1×1 projection shortcut that brings a residual's input to its body's shape, as
// torchvision's ResNets build it (`downsample = conv1x1(stride) + norm`): a bias-free
// 1×1 conv with the stride that maps W₁ to W₂, then `bn` — when the body itself uses
// `bn`; a body without batch norm gets a plain `conv K 1x1 stride S`. `floor` is added
// when the strided 1×1 does not tile (W₁ − 1 not a multiple of S). Inside a block the
// depth and stride are written as the body writes them (`conv 4*k 1x1 stride s`). The
// diagnostic's message and its quick fix both spell exactly these lines.

import type * as A from "../grammar";
import { layerKind } from "./layers";

export interface ProjectionShortcut {
  /** the shortcut's statements, one per line: [`conv 32 1x1 stride 2 nobias floor`, `bn`] */
  layers: string[];
  /** the stride S as a number (1: none) */
  stride: number;
}

interface Size {
  w: number;
  h: number;
}

/**
 * The smallest S with ⌊(W₁ − 1)/S⌋ + 1 = W₂ on both axes, or 1. On one axis, with a = W₁ − 1
 * and q = W₂ − 1, the strides that give W₂ are those with a/(q + 1) < S ≤ a/q (every S > a when
 * q = 0): the two intervals' intersection is found at once, not by trying each S up to W₁
 * (an input 10⁹ wide took seconds).
 */
export function strideFor(input: Size, output: Size): number {
  let low = 1;
  let high = Infinity;
  for (const [w1, w2] of [[input.w, output.w], [input.h, output.h]]) {
    const a = w1 - 1;
    const q = w2 - 1;
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(q) || a < 0 || q < 0 || q > a) return 1;
    low = Math.max(low, Math.floor(a / (q + 1)) + 1);
    if (q > 0) high = Math.min(high, Math.floor(a / q));
  }
  return low <= high ? low : 1;
}

const integerText = (v: A.Value | null | undefined): boolean => v?.type === "dims" && v.parts.every((p) => p.type === "number");

/** An expression as the language writes it: `4*k`, `n - 1`, `(k + 1)*2`. */
function exprText(e: A.Expr, parent = 0): string {
  switch (e.type) {
    case "number":
      return e.text;
    case "ref":
      return e.name;
    case "negate":
      return `-${exprText(e.operand, 3)}`;
    case "binary": {
      const level = e.op === "+" || e.op === "-" ? 1 : 2;
      const gap = level === 1 ? " " : "";
      const text = `${exprText(e.left, level)}${gap}${e.op}${gap}${exprText(e.right, level + 1)}`;
      return level < parent ? `(${text})` : text;
    }
  }
}

const valueText = (v: A.Value): string | null => (v.type === "dims" ? v.parts.map((p) => exprText(p)).join("x") : null);

/** Every layer statement of a body and of the bodies inside it. */
function layersOf(body: A.Statement[], out: A.LayerStatement[] = []): A.LayerStatement[] {
  for (const s of body) {
    if (s.type === "layer") out.push(s);
    else if (s.type === "repeat") layersOf(s.body, out);
    else if (s.type === "residual") layersOf(s.body, out);
    else if (s.type === "concat" || s.type === "add" || s.type === "mul") for (const b of s.branches) layersOf(b.body, out);
  }
  return out;
}

export function projectionShortcut(residual: A.ResidualStatement, input: Size, body: Size & { d: number }, inBlock: boolean): ProjectionShortcut {
  const stride = strideFor(input, body);
  const layers = layersOf(residual.body);
  let depth = `${body.d}`;
  let strideText = stride > 1 ? `${stride}` : null;
  if (inBlock) {
    // the body's last filter count and its stride, as written (`4*k`, `s`)
    for (const s of layers) {
      const kind = layerKind(s.op.text);
      if (!kind || kind.args[0]?.name !== "K" || !s.args[0]) continue;
      depth = valueText(s.args[0]) ?? depth;
      const written = s.options.find((o) => o.name.text === "stride");
      if (written?.value && !integerText(written.value)) strideText = valueText(written.value) ?? strideText;
    }
  }
  const norm = layers.some((s) => layerKind(s.op.text)?.name === "bn");
  const floor = stride > 1 && ((input.w - 1) % stride !== 0 || (input.h - 1) % stride !== 0);
  const conv = `conv ${depth} 1x1${strideText ? ` stride ${strideText}` : ""}${norm ? " nobias" : ""}${floor ? " floor" : ""}`;
  return { layers: norm ? [conv, "bn"] : [conv], stride };
}
