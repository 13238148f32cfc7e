// Everything a sliding-window kernel needs, read once from a graph node: the input and
// output sizes come from the analysis (never recomputed), the window from its attrs.

import type { GraphNode } from "../analysis/types";
import { planesOf } from "./tensor";

export interface WindowGeometry {
  inChannels: number;
  inHeight: number;
  inWidth: number;
  outChannels: number;
  outHeight: number;
  outWidth: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
  groups: number;
}

export function windowGeometry(node: GraphNode): WindowGeometry {
  if (!node.input) throw new Error(`${node.op} (node ${node.id}) has no input shape`);
  const input = planesOf(node.input);
  const output = planesOf(node.output);
  const a = node.attrs;
  const [kernelWidth, kernelHeight] = a.kernel ?? [1, 1];
  const [strideWidth, strideHeight] = a.stride ?? [1, 1];
  const [dilationWidth, dilationHeight] = a.dilation ?? [1, 1];
  const p = a.padding ?? { left: 0, right: 0, top: 0, bottom: 0 };
  return {
    inChannels: input.channels,
    inHeight: input.height,
    inWidth: input.width,
    outChannels: output.channels,
    outHeight: output.height,
    outWidth: output.width,
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padTop: p.top,
    padLeft: p.left,
    padBottom: p.bottom,
    padRight: p.right,
    groups: a.groups ?? 1,
  };
}
