// Training kernels of the pools, per channel of each sample.
//   maxpool, gmp: the gradient goes to the window's first largest value in scan order
//     (PyTorch's max_pool2d / adaptive_max_pool2d keep that index: `val > max || isnan(val)`);
//     padding is −∞ and never chosen.
//   avgpool: each input of a window gets dY / count, count as the forward divides
//     (count_include_pad: the padding counts, the part of a ceil-mode window past it does not).
//   gap: dY / (H·W) everywhere; adaptiveavgpool: dY / bin size over each bin.

import { windowOf as windowGeometry } from "../attrs";
import { planesOf } from "../../tensor";
import type { GraphNode } from "../../../analysis/types";
import { like, type Float } from "../float";
import type { TrainKernel } from "../kernel";

export const maxpoolKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    const g = windowGeometry(node);
    const inPlane = g.inHeight * g.inWidth;
    const outPlane = g.outHeight * g.outWidth;
    const planes = ctx.batch * g.inChannels;
    const out = like(x, planes * outPlane);
    const argmax = new Int32Array(planes * outPlane);
    if (windowsInside(g)) {
      // no padding and every window inside the input (the usual maxpool 2): no bounds to check
      for (let c = 0; c < planes; c++) {
        const plane = c * inPlane;
        for (let oy = 0, o = c * outPlane; oy < g.outHeight; oy++) {
          for (let ox = 0; ox < g.outWidth; ox++, o++) {
            const corner = plane + oy * g.strideHeight * g.inWidth + ox * g.strideWidth;
            let at = corner;
            let best = x[at];
            for (let fy = 0; fy < g.kernelHeight; fy++) {
              const row = corner + fy * g.dilationHeight * g.inWidth;
              for (let fx = 0; fx < g.kernelWidth; fx++) {
                const i = row + fx * g.dilationWidth;
                const v = x[i];
                if (v > best || v !== v) {
                  best = v;
                  at = i;
                }
              }
            }
            out[o] = best;
            argmax[o] = at;
          }
        }
      }
      return { output: out, saved: argmax };
    }
    for (let c = 0; c < planes; c++) {
      const plane = c * inPlane;
      for (let oy = 0; oy < g.outHeight; oy++) {
        const y0 = oy * g.strideHeight - g.padTop;
        for (let ox = 0; ox < g.outWidth; ox++) {
          const x0 = ox * g.strideWidth - g.padLeft;
          let best = -Infinity;
          let at = -1;
          for (let fy = 0; fy < g.kernelHeight; fy++) {
            const iy = y0 + fy * g.dilationHeight;
            if (iy < 0 || iy >= g.inHeight) continue;
            for (let fx = 0; fx < g.kernelWidth; fx++) {
              const ix = x0 + fx * g.dilationWidth;
              if (ix < 0 || ix >= g.inWidth) continue;
              const i = plane + iy * g.inWidth + ix;
              const v = x[i];
              // as PyTorch: the first in the window starts, a larger value or a NaN takes over
              if (at < 0 || v > best || Number.isNaN(v)) {
                best = v;
                at = i;
              }
            }
          }
          const o = c * outPlane + oy * g.outWidth + ox;
          out[o] = best;
          argmax[o] = at;
        }
      }
    }
    return { output: out, saved: argmax };
  },
  backward(_node, dy, [x], f, _p, _ctx, need) {
    if (!need[0]) return { inputs: [null] };
    const argmax = f.saved as Int32Array;
    const dx = like(x, x.length);
    for (let o = 0; o < argmax.length; o++) if (argmax[o] >= 0) dx[argmax[o]] += dy[o];
    return { inputs: [dx] };
  },
};

/** no padding, and the last window of each axis ends inside the input */
function windowsInside(g: ReturnType<typeof windowGeometry>): boolean {
  return (
    g.padTop === 0 && g.padLeft === 0 && g.padBottom === 0 && g.padRight === 0 &&
    (g.outHeight - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight < g.inHeight &&
    (g.outWidth - 1) * g.strideWidth + (g.kernelWidth - 1) * g.dilationWidth < g.inWidth
  );
}

export const avgpoolKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    const g = windowGeometry(node);
    const windows = averageWindows(g);
    const inPlane = g.inHeight * g.inWidth;
    const outPlane = g.outHeight * g.outWidth;
    const planes = ctx.batch * g.inChannels;
    const out = like(x, planes * outPlane);
    for (let c = 0; c < planes; c++) {
      const plane = c * inPlane;
      for (let o = 0, w = 0; o < outPlane; o++, w += 5) {
        const y1 = windows[w + 1];
        const x0 = windows[w + 2];
        const x1 = windows[w + 3];
        let sum = 0;
        for (let iy = windows[w]; iy < y1; iy++) {
          const row = plane + iy * g.inWidth;
          for (let ix = x0; ix < x1; ix++) sum += x[row + ix];
        }
        out[c * outPlane + o] = sum / windows[w + 4];
      }
    }
    return { output: out };
  },
  backward(node, dy, [x], _f, _p, ctx, need) {
    if (!need[0]) return { inputs: [null] };
    const g = windowGeometry(node);
    const windows = averageWindows(g);
    const inPlane = g.inHeight * g.inWidth;
    const outPlane = g.outHeight * g.outWidth;
    const planes = ctx.batch * g.inChannels;
    const dx = like(x, x.length);
    for (let c = 0; c < planes; c++) {
      const plane = c * inPlane;
      for (let o = 0, w = 0; o < outPlane; o++, w += 5) {
        const d = dy[c * outPlane + o] / windows[w + 4];
        const y1 = windows[w + 1];
        const x0 = windows[w + 2];
        const x1 = windows[w + 3];
        for (let iy = windows[w]; iy < y1; iy++) {
          const row = plane + iy * g.inWidth;
          for (let ix = x0; ix < x1; ix++) dx[row + ix] += d;
        }
      }
    }
    return { inputs: [dx] };
  },
};

/** per output position of an average pool: its window clipped to the input (y0, y1, x0, x1) and its divisor */
export function averageWindows(g: ReturnType<typeof windowGeometry>): Int32Array {
  const out = new Int32Array(5 * g.outHeight * g.outWidth);
  let w = 0;
  for (let oy = 0; oy < g.outHeight; oy++) {
    const yStart = oy * g.strideHeight - g.padTop;
    const yEnd = Math.min(yStart + g.kernelHeight, g.inHeight + g.padBottom);
    for (let ox = 0; ox < g.outWidth; ox++) {
      const xStart = ox * g.strideWidth - g.padLeft;
      const xEnd = Math.min(xStart + g.kernelWidth, g.inWidth + g.padRight);
      out.set([Math.max(yStart, 0), Math.min(yEnd, g.inHeight), Math.max(xStart, 0), Math.min(xEnd, g.inWidth), (yEnd - yStart) * (xEnd - xStart)], w);
      w += 5;
    }
  }
  return out;
}

/** a global pool's planes: the values in each, how many in the batch, and an output of one value per plane */
function globalPlanes(node: GraphNode, x: Float, batch: number) {
  const p = planesOf(node.input!);
  const planes = batch * p.channels;
  return { plane: p.height * p.width, planes, out: like(x, planes) };
}

export const gapKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    const { plane, planes, out } = globalPlanes(node, x, ctx.batch);
    for (let c = 0; c < planes; c++) {
      let sum = 0;
      for (let i = c * plane, end = i + plane; i < end; i++) sum += x[i];
      out[c] = sum / plane;
    }
    return { output: out };
  },
  backward(node, dy, [x], _f, _p, _ctx, need) {
    if (!need[0]) return { inputs: [null] };
    const p = planesOf(node.input!);
    const plane = p.height * p.width;
    const dx = like(x, x.length);
    for (let c = 0; c < dy.length; c++) dx.fill(dy[c] / plane, c * plane, (c + 1) * plane);
    return { inputs: [dx] };
  },
};

export const gmpKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    const { plane, planes, out } = globalPlanes(node, x, ctx.batch);
    const argmax = new Int32Array(planes);
    for (let c = 0; c < planes; c++) {
      let best = -Infinity;
      let at = c * plane;
      for (let i = c * plane, end = i + plane; i < end; i++) {
        const v = x[i];
        if (v > best || Number.isNaN(v)) {
          best = v;
          at = i;
        }
      }
      out[c] = x[at];
      argmax[c] = at;
    }
    return { output: out, saved: argmax };
  },
  backward: maxpoolKernel.backward,
};

/** PyTorch's AdaptiveAvgPool2d bins along an axis: [⌊i·in/out⌋, ⌈(i+1)·in/out⌉) (the op's inference too: engine/ops/adaptive-pool.ts) */
export function adaptiveBins(inSize: number, outSize: number): [number, number][] {
  return Array.from({ length: outSize }, (_, i) => [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)] as [number, number]);
}

type Extent = { height: number; width: number };

/**
 * Every output cell of `planes` adaptive pools from `from` to `to`: `cell(o, at, y0, y1,
 * x0, x1)` with o its index in the output, `at` its plane's first index in the input, and
 * its bin's rows [y0, y1) and columns [x0, x1).
 */
function eachBin(planes: number, from: Extent, to: Extent, cell: (o: number, at: number, y0: number, y1: number, x0: number, x1: number) => void): void {
  const rows = adaptiveBins(from.height, to.height);
  const cols = adaptiveBins(from.width, to.width);
  for (let c = 0; c < planes; c++) {
    for (let oy = 0; oy < to.height; oy++) {
      for (let ox = 0; ox < to.width; ox++) cell((c * to.height + oy) * to.width + ox, c * from.height * from.width, rows[oy][0], rows[oy][1], cols[ox][0], cols[ox][1]);
    }
  }
}

/** out = each of `planes` planes of x (from.height × from.width) averaged over its bins (to.height × to.width) */
export function adaptiveMeans<T extends ArrayLike<number> & { [i: number]: number }>(x: ArrayLike<number>, out: T, planes: number, from: Extent, to: Extent): T {
  eachBin(planes, from, to, (o, at, y0, y1, x0, x1) => {
    let sum = 0;
    for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) sum += x[at + iy * from.width + ix];
    out[o] = sum / ((y1 - y0) * (x1 - x0));
  });
  return out;
}

export const adaptiveAvgpoolKernel: TrainKernel = {
  forward(node, [x], _p, ctx) {
    const from = planesOf(node.input!);
    const to = planesOf(node.output);
    const planes = ctx.batch * from.channels;
    return { output: adaptiveMeans(x, like(x, planes * to.height * to.width), planes, from, to) };
  },
  backward(node, dy, [x], _f, _p, ctx, need) {
    if (!need[0]) return { inputs: [null] };
    const from = planesOf(node.input!);
    const to = planesOf(node.output);
    const dx = like(x, x.length);
    eachBin(ctx.batch * from.channels, from, to, (o, at, y0, y1, x0, x1) => {
      const d = dy[o] / ((y1 - y0) * (x1 - x0));
      for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) dx[at + iy * from.width + ix] += d;
    });
    return { inputs: [dx] };
  },
};

