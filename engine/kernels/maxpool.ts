// Max pooling per channel, as PyTorch's MaxPool2d: padding counts as −∞ (never chosen),
// windows may be dilated, and in ceil mode the last window may hang over the edge (the
// analysis has already decided how many windows there are).

import type { WindowGeometry } from "../geometry";

export function maxpool(input: Float32Array, g: WindowGeometry): Float32Array {
  const outPlane = g.outHeight * g.outWidth;
  const out = new Float32Array(g.inChannels * outPlane);
  for (let c = 0; c < g.inChannels; c++) {
    const plane = c * g.inHeight * g.inWidth;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      for (let ox = 0; ox < g.outWidth; ox++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        let best = -Infinity;
        for (let fy = 0; fy < g.kernelHeight; fy++) {
          const iy = y0 + fy * g.dilationHeight;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let fx = 0; fx < g.kernelWidth; fx++) {
            const ix = x0 + fx * g.dilationWidth;
            if (ix < 0 || ix >= g.inWidth) continue;
            const v = input[plane + iy * g.inWidth + ix];
            // NaN wins, as in PyTorch
            if (v > best || Number.isNaN(v)) best = v;
          }
        }
        out[c * outPlane + oy * g.outWidth + ox] = best;
      }
    }
  }
  return out;
}
