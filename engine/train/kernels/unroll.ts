// im2col and its adjoint col2im between a "wide" plane stack and columns, for one sample.
// A sliding window maps each position (oy, ox) of the narrow side to the wide side's
// (oy·S_h − P_top + fy·d_h, ox·S_w − P_left + fx·d_w): for a convolution the wide side
// is its input, for a transposed convolution its output. Column row r = (c, fy, fx),
// column j = oy·W_narrow + ox; places outside the wide side are zeros (padding).

import type { Float } from "../float";

export interface Unroll {
  /** channels unrolled */
  channels: number;
  wideH: number;
  wideW: number;
  narrowH: number;
  narrowW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padTop: number;
  padLeft: number;
}

/**
 * The walk im2col and col2im share: for each unrolled row (c, fy, fx) and output row oy,
 * `run(at, src, fx)` with `at` the run's first column in col and `src` the start of input
 * row iy in wide, or −1 where iy lies in the padding.
 */
function eachRun(u: Unroll, wideOffset: number, run: (at: number, src: number, fx: number) => void): void {
  const positions = u.narrowH * u.narrowW;
  let row = 0;
  for (let c = 0; c < u.channels; c++) {
    const plane = wideOffset + c * u.wideH * u.wideW;
    for (let fy = 0; fy < u.kh; fy++) {
      for (let fx = 0; fx < u.kw; fx++, row++) {
        for (let oy = 0; oy < u.narrowH; oy++) {
          const iy = oy * u.sh - u.padTop + fy * u.dh;
          run(row * positions + oy * u.narrowW, iy < 0 || iy >= u.wideH ? -1 : plane + iy * u.wideW, fx);
        }
      }
    }
  }
}

/** col[(c·kh + fy)·kw + fx][j] = wide[c][…] (zero outside), for c < channels starting at `wideOffset` */
export function im2col(wide: Float, wideOffset: number, u: Unroll, col: Float): void {
  eachRun(u, wideOffset, (at, src, fx) => {
    for (let ox = 0; ox < u.narrowW; ox++) {
      const ix = ox * u.sw - u.padLeft + fx * u.dw;
      col[at + ox] = src >= 0 && ix >= 0 && ix < u.wideW ? wide[src + ix] : 0;
    }
  });
}

/** wide[…] += col[r][j]: the adjoint of im2col (overlapping windows add up; padding is dropped) */
export function col2im(col: Float, u: Unroll, wide: Float, wideOffset: number): void {
  eachRun(u, wideOffset, (at, dst, fx) => {
    if (dst < 0) return;
    for (let ox = 0; ox < u.narrowW; ox++) {
      const ix = ox * u.sw - u.padLeft + fx * u.dw;
      if (ix >= 0 && ix < u.wideW) wide[dst + ix] += col[at + ox];
    }
  });
}
