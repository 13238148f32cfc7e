// Locally connected layer (a convolution without parameter sharing, as in DeepFace):
// every output position p has its own bank of K filters.
// out[k][p] = bias[p][k] + Σ_j w[p][k][j] · patch_p[j], j running over (c, fy, fx).

import type { WindowGeometry } from "../geometry";

export function local(input: Float32Array, weight: Float32Array, bias: Float32Array | null, g: WindowGeometry): Float32Array {
  const positions = g.outHeight * g.outWidth;
  const taps = g.inChannels * g.kernelHeight * g.kernelWidth;
  const out = new Float32Array(g.outChannels * positions);
  const patch = new Float32Array(taps);
  for (let oy = 0; oy < g.outHeight; oy++) {
    for (let ox = 0; ox < g.outWidth; ox++) {
      const p = oy * g.outWidth + ox;
      let j = 0;
      for (let c = 0; c < g.inChannels; c++) {
        for (let fy = 0; fy < g.kernelHeight; fy++) {
          const iy = oy * g.strideHeight - g.padTop + fy * g.dilationHeight;
          for (let fx = 0; fx < g.kernelWidth; fx++) {
            const ix = ox * g.strideWidth - g.padLeft + fx * g.dilationWidth;
            patch[j++] = iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth ? input[(c * g.inHeight + iy) * g.inWidth + ix] : 0;
          }
        }
      }
      for (let k = 0; k < g.outChannels; k++) {
        const w = (p * g.outChannels + k) * taps;
        let sum = 0;
        for (let t = 0; t < taps; t++) sum += weight[w + t] * patch[t];
        out[k * positions + p] = sum + (bias ? bias[p * g.outChannels + k] : 0);
      }
    }
  }
  return out;
}
