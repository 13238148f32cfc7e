// Everything a sliding-window kernel needs, read once from a graph node: the input and
// output sizes come from the analysis (never recomputed), the window from its attrs.

import type { Shape, WindowAttrs } from "../analysis/types";
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

/** a node with a sliding window (conv, dwconv, local, deconv, maxpool, avgpool) */
export interface WindowNode {
  id: number;
  op: string;
  input: Shape | null;
  output: Shape;
  attrs: WindowAttrs;
}

/** `groups`: the layer's (conv, dwconv, deconv); 1 for the others */
export function windowGeometry(node: WindowNode, groups = 1): WindowGeometry {
  if (!node.input) throw new Error(`${node.op} (node ${node.id}) has no input shape`);
  const input = planesOf(node.input);
  const output = planesOf(node.output);
  const { kernel, stride, dilation, padding: p } = node.attrs;
  return {
    inChannels: input.channels,
    inHeight: input.height,
    inWidth: input.width,
    outChannels: output.channels,
    outHeight: output.height,
    outWidth: output.width,
    kernelHeight: kernel[1],
    kernelWidth: kernel[0],
    strideHeight: stride[1],
    strideWidth: stride[0],
    dilationHeight: dilation[1],
    dilationWidth: dilation[0],
    padTop: p.top,
    padLeft: p.left,
    padBottom: p.bottom,
    padRight: p.right,
    groups,
  };
}
