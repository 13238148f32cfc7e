// How a shape of the analysis maps onto a flat float32 tensor in PyTorch's order:
// a volume W×H×D is C×H×W (channels = D), a vector of N is N channels of 1×1.

import type { Shape } from "../analysis/types";

export interface Planes {
  channels: number;
  height: number;
  width: number;
}

export function planesOf(shape: Shape): Planes {
  return shape.kind === "volume" ? { channels: shape.d, height: shape.h, width: shape.w } : { channels: shape.n, height: 1, width: 1 };
}

export function sizeOf(shape: Shape): number {
  return shape.kind === "volume" ? shape.w * shape.h * shape.d : shape.n;
}
