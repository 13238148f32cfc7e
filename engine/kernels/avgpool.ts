// Average pooling per channel, as PyTorch's AvgPool2d with count_include_pad=True: the
// divisor counts the zero padding, but not the part of a ceil-mode window that hangs
// past the padding. Per axis the window is [start, min(start + F, size + P_after)), then
// clipped to the input for the sum.

import type { WindowGeometry } from "../geometry";

export function avgpool(input: Float32Array, g: WindowGeometry): Float32Array {
  const outPlane = g.outHeight * g.outWidth;
  const out = new Float32Array(g.inChannels * outPlane);
  for (let c = 0; c < g.inChannels; c++) {
    const plane = c * g.inHeight * g.inWidth;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const yStart = oy * g.strideHeight - g.padTop;
      const yEnd = Math.min(yStart + g.kernelHeight, g.inHeight + g.padBottom);
      const y0 = Math.max(yStart, 0);
      const y1 = Math.min(yEnd, g.inHeight);
      for (let ox = 0; ox < g.outWidth; ox++) {
        const xStart = ox * g.strideWidth - g.padLeft;
        const xEnd = Math.min(xStart + g.kernelWidth, g.inWidth + g.padRight);
        const x0 = Math.max(xStart, 0);
        const x1 = Math.min(xEnd, g.inWidth);
        const count = (yEnd - yStart) * (xEnd - xStart);
        let sum = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) sum += input[plane + iy * g.inWidth + ix];
        out[c * outPlane + oy * g.outWidth + ox] = sum / count;
      }
    }
  }
  return out;
}
