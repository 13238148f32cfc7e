// Depthwise convolution (groups = channels, PyTorch Conv2d with groups=C): output
// channel k filters input channel ⌊k/M⌋ alone (M = the multiplier). A direct loop: the
// matrix form would multiply F_h·F_w-long rows, too short to pay for the unrolling.

import type { WindowGeometry } from "../geometry";

export function depthwise(input: Float32Array, weight: Float32Array, bias: Float32Array | null, g: WindowGeometry): Float32Array {
  const multiplier = g.outChannels / g.inChannels;
  const outPlane = g.outHeight * g.outWidth;
  const inPlane = g.inHeight * g.inWidth;
  const taps = g.kernelHeight * g.kernelWidth;
  const out = new Float32Array(g.outChannels * outPlane);
  for (let k = 0; k < g.outChannels; k++) {
    const src = Math.floor(k / multiplier) * inPlane;
    const w = k * taps;
    const b = bias ? bias[k] : 0;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      for (let ox = 0; ox < g.outWidth; ox++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        let sum = 0;
        for (let fy = 0; fy < g.kernelHeight; fy++) {
          const iy = y0 + fy * g.dilationHeight;
          if (iy < 0 || iy >= g.inHeight) continue;
          const r = src + iy * g.inWidth;
          const wr = w + fy * g.kernelWidth;
          for (let fx = 0; fx < g.kernelWidth; fx++) {
            const ix = x0 + fx * g.dilationWidth;
            if (ix >= 0 && ix < g.inWidth) sum += weight[wr + fx] * input[r + ix];
          }
        }
        out[k * outPlane + oy * g.outWidth + ox] = sum + b;
      }
    }
  }
  return out;
}
