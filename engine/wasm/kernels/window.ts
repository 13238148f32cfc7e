// Kernels that slide a window over each depth slice on its own: depthwise convolution
// and max/average pooling. Both read a padded copy of the input (zeros, or −∞ for max)
// and compute four neighbouring outputs of a row at once. The four inputs a tap needs
// are one vector load at stride 1, two loads and a shuffle at stride 2, four scalar
// loads otherwise; each stride gets its own copy of the loops. A row's last one to three
// outputs are stored lane by lane, so nothing is written past a row: worker threads
// may compute neighbouring channel ranges at once.

import type { Func } from "../emit/func";
import type { Local, Value } from "../emit/expr";
import type { Module } from "../emit/module";
import { f32, i32, select, v } from "../emit/ops";
import { emitKernel } from "../signatures";
import { applyActivation } from "./gemm";

/** the four inputs at addr, addr + s, addr + 2s, addr + 3s (s in floats) */
function gather(f: Func, addr: Value, stride: 1 | 2 | Local, t: Local) {
  if (stride === 1) return v.load(addr);
  if (stride === 2) return v.shuffle(v.load(addr), v.load(addr, 16), [0, 2, 4, 6]);
  f.set(t, addr);
  const step = i32.shl(stride, 2);
  let x = v.splatLoad(t);
  for (let l = 1; l < 4; l++) x = v.replace(x, l, f32.load(i32.add(t, i32.mul(step, l))));
  return x;
}

/**
 * Stores the four outputs at `out` and moves `out` past them — only the first `Wo − ox`
 * when fewer are left in the row (never past the row's end).
 */
function storeOutputs(f: Func, out: Local, value: Value, left: Value, tmp: Local, n: Local): void {
  f.set(tmp, value);
  f.set(n, left);
  f.if(
    i32.geS(n, 4),
    () => {
      f.storeV(out, tmp);
      f.inc(out, 16);
    },
    () => {
      for (let j = 0; j < 3; j++) f.if(i32.gtS(n, j), () => f.storeF32(out, v.lane(tmp, j), 4 * j));
      f.inc(out, i32.shl(n, 2));
    },
  );
}

/** activation `a` (0 none, 1 relu, 2 relu6) of a loop copy specialised for it */
function fixedActivation(acc: Local, a: number): Value {
  return a === 0 ? acc : a === 1 ? v.pmax(v.const(0), acc) : v.pmin(v.const(6), v.pmax(v.const(0), acc));
}

/** channel k's nine 3×3 weights (from `w`, 36 bytes a channel) and its bias, splatted into registers */
function channelWeights(f: Func, wk: Local, w: Value, bias: Value, k: Local, wr: Local[], b: Local): void {
  f.set(wk, i32.add(w, i32.mul(k, 36)));
  wr.forEach((r, i) => f.set(r, v.splatLoad(wk, 4 * i)));
  f.set(b, v.splatLoad(i32.add(bias, i32.shl(k, 2))));
}

/** emits `body` three times: for stride 1, stride 2 and any other stride */
function byStride(f: Func, stride: Local, body: (s: 1 | 2 | Local) => void) {
  f.if(i32.eq(stride, 1), () => body(1), () => f.if(i32.eq(stride, 2), () => body(2), () => body(stride)));
}


/** output and filter positions, bytes per padded plane and row, the accumulator */
function windowLocals(f: Func, Hp: Local, Wp: Local) {
  return {
    oy: f.i32(),
    ox: f.i32(),
    fy: f.i32(),
    fx: f.i32(),
    plane: f.i32(i32.shl(i32.mul(Hp, Wp), 2)),
    rowIn: f.i32(i32.shl(Wp, 2)),
    acc: f.v128(),
    tmpV: f.v128(),
    tmpN: f.i32(),
  };
}

export function emitWindow(m: Module, relaxed: boolean) {
  // depthwise(dst, src, w, bias, C, M, Ho, Wo, Hp, Wp, kh, kw, sh, sw, dh, dw, act):
  // output channel k reads input channel k / M (multiplier M); w is [C·M][kh][kw]
  const depthwise = emitKernel(
    m,
    "depthwise",
    (f, p) => {
      const { dst, src, filters: w, bias, channels: C, multiplier: M, outHeight: Ho, outWidth: Wo, paddedHeight: Hp, paddedWidth: Wp } = p;
      const { kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, act } = p;
      const k = f.i32();
      const { oy, ox, fy, fx, plane, rowIn, acc, tmpV, tmpN } = windowLocals(f, Hp, Wp);
      const taps = f.i32(i32.mul(kh, kw));
      const b = f.v128();
      const chan = f.i32();
      const row = f.i32();
      const wk = f.i32();
      const wt = f.i32();
      const t = f.i32();
      const out = f.i32(dst);
      // 3×3, dilation 1, stride 1 or 2 (MobileNet's): taps unrolled, the nine weights in
      // registers, one copy of the loops per stride and fused activation
      const wr = Array.from({ length: 9 }, () => f.v128());
      const rowPtr = [f.i32(), f.i32(), f.i32()];
      const at = f.i32();
      const unrolled = (s: 1 | 2, a: number) =>
        f.for(k, 0, i32.mul(C, M), 1, () => {
          f.set(chan, i32.add(src, i32.mul(i32.divU(k, M), plane)));
          f.set(wk, i32.add(w, i32.mul(k, 36)));
          wr.forEach((x, i) => f.set(x, v.splatLoad(wk, 4 * i)));
          f.set(b, v.splatLoad(i32.add(bias, i32.shl(k, 2))));
          f.for(oy, 0, Ho, 1, () => {
            f.set(rowPtr[0], i32.add(chan, i32.mul(i32.mul(oy, sh), rowIn)));
            f.set(rowPtr[1], i32.add(rowPtr[0], rowIn));
            f.set(rowPtr[2], i32.add(rowPtr[1], rowIn));
            f.for(ox, 0, Wo, 4, () => {
              f.set(acc, b);
              f.set(at, i32.shl(i32.mul(ox, s), 2));
              for (let fy = 0; fy < 3; fy++)
                for (let fx = 0; fx < 3; fx++)
                  f.set(acc, v.madd(wr[3 * fy + fx], gather(f, i32.add(i32.add(rowPtr[fy], at), 4 * fx), s, t), acc, relaxed));
              const result = fixedActivation(acc, a);
              storeOutputs(f, out, result, i32.sub(Wo, ox), tmpV, tmpN);
            });
          });
        });
      const special = i32.and(i32.and(i32.eq(kh, 3), i32.eq(kw, 3)), i32.and(i32.eq(dh, 1), i32.and(i32.eq(dw, 1), i32.or(i32.eq(sw, 1), i32.eq(sw, 2)))));
      f.if(special, () => {
        for (const st of [1, 2] as const) for (const a of [0, 1, 2]) f.if(i32.and(i32.eq(sw, st), i32.eq(act, a)), () => unrolled(st, a));
        f.ret();
      });
      byStride(f, sw, (s) => {
        f.for(k, 0, i32.mul(C, M), 1, () => {
          f.set(chan, i32.add(src, i32.mul(i32.divU(k, M), plane)));
          f.set(wk, i32.add(w, i32.shl(i32.mul(k, taps), 2)));
          f.set(b, v.splatLoad(i32.add(bias, i32.shl(k, 2))));
          f.for(oy, 0, Ho, 1, () => {
            f.set(row, i32.add(chan, i32.mul(i32.mul(oy, sh), rowIn)));
            f.for(ox, 0, Wo, 4, () => {
              f.set(acc, b);
              f.set(wt, wk);
              f.for(fy, 0, kh, 1, () => {
                const base = i32.add(i32.add(row, i32.mul(i32.mul(fy, dh), rowIn)), i32.shl(i32.mul(ox, sw), 2));
                f.for(fx, 0, kw, 1, () => {
                  f.set(acc, v.madd(v.splatLoad(wt), gather(f, i32.add(base, i32.shl(i32.mul(fx, dw), 2)), s, t), acc, relaxed));
                  f.inc(wt, 4);
                });
              });
              storeOutputs(f, out, applyActivation(acc, act), i32.sub(Wo, ox), tmpV, tmpN);
            });
          });
        });
      });
    },
  );

  // depthwise3: MobileNet's 3×3 depthwise (multiplier 1, padding ≤ 1) without a padded
  // copy. A row's taps above or below the input come from the zero row; in a row's first
  // and last vectors, the lanes of a tap that fall left or right of the input are masked
  // to zero (masks made once per call), so the sums are the padded kernel's, term by
  // term. The nine weights stay in registers.
  const depthwise3 = emitKernel(m, "depthwise3", (f, p) => {
    const { dst, dstPlane, src, srcPlane, filters: w, bias, channels: C, height: H, width: W, outWidth: Wo } = p;
    const { rowFrom, rowTo, stride, padTop, padLeft, zeros, act } = p;
    const k = f.i32();
    const oy = f.i32();
    const ox = f.i32();
    const chan = f.i32();
    const out = f.i32();
    const wk = f.i32();
    const at = f.i32();
    const iy = f.i32();
    const tmpV = f.v128();
    const tmpN = f.i32();
    const acc = f.v128();
    const b = f.v128();
    const x = f.v128();
    const wr = Array.from({ length: 9 }, () => f.v128());
    const lo = f.v128();
    const hi = f.v128();
    const even = f.v128();
    const rows = [f.i32(), f.i32(), f.i32()];
    const rowBytes = f.i32(i32.shl(W, 2));
    const last = f.i32(i32.and(i32.sub(Wo, 1), -4));
    // lane l of tap fx in the vector at ox reads x = (ox + l)·stride − padLeft + fx: kept when 0 ≤ x < W
    const laneMasks = (at0: Value) => {
      const first = v.i32sub(v.i32mul(v.i32add(v.i32splat(at0), v.i32const([0, 1, 2, 3])), v.i32splat(stride)), v.i32splat(padLeft));
      return [0, 1, 2].map((fx) => f.v128(v.i32ltU(v.i32add(first, v.i32splat(i32.const(fx))), v.i32splat(W))));
    };
    const firstMasks = laneMasks(i32.const(0));
    const lastMasks = laneMasks(last);
    const vector = (s: 1 | 2, a: number, masks: Local[] | null) => {
      f.set(acc, b);
      f.set(at, i32.shl(i32.sub(i32.mul(ox, s), padLeft), 2));
      for (let fy = 0; fy < 3; fy++) {
        const base = i32.add(rows[fy], at);
        if (s === 2) {
          // columns c … c + 11 of the row in three loads: the even ones, the odd ones, and
          // the even ones from c + 2 (the first's last three and the third load's first)
          f.set(lo, v.load(base));
          f.set(hi, v.load(base, 16));
          f.set(even, v.shuffle(lo, hi, [0, 2, 4, 6]));
        }
        for (let fx = 0; fx < 3; fx++) {
          let input: Value;
          if (s === 1) input = v.load(base, 4 * fx);
          else if (fx === 0) input = even;
          else if (fx === 1) input = v.shuffle(lo, hi, [1, 3, 5, 7]);
          else input = v.shuffle(even, v.load(base, 32), [1, 2, 3, 4]);
          if (masks) {
            f.set(x, input);
            input = v.and(x, masks[fx]);
          }
          f.set(acc, v.madd(wr[3 * fy + fx], input, acc, relaxed));
        }
      }
      const result = fixedActivation(acc, a);
      if (masks === lastMasks) storeOutputs(f, out, result, i32.sub(Wo, ox), tmpV, tmpN);
      else {
        f.storeV(out, result);
        f.inc(out, 16);
      }
    };
    const loops = (s: 1 | 2, a: number) =>
      f.for(k, 0, C, 1, () => {
        f.set(chan, i32.add(src, i32.mul(k, srcPlane)));
        f.set(out, i32.add(dst, i32.mul(k, dstPlane)));
        channelWeights(f, wk, w, bias, k, wr, b);
        f.for(oy, rowFrom, rowTo, 1, () => {
          rows.forEach((r, fy) => {
            f.set(iy, i32.add(i32.sub(i32.mul(oy, s), padTop), fy));
            f.set(r, select(i32.add(chan, i32.mul(iy, rowBytes)), zeros, i32.ltU(iy, H)));
          });
          // the first vector (unless it is the last too), the middle ones, the last
          f.set(ox, i32.const(0));
          f.if(last, () => {
            vector(s, a, firstMasks);
            f.for(ox, 4, last, 4, () => vector(s, a, null));
          });
          vector(s, a, lastMasks);
        });
      });
    // one vector: both sides' masks in one (they are of the same lanes)
    f.if(i32.eqz(last), () => firstMasks.forEach((mk, fx) => f.set(mk, v.and(mk, lastMasks[fx]))));
    f.if(i32.eqz(last), () => lastMasks.forEach((mk, fx) => f.set(mk, firstMasks[fx])));
    for (const s of [1, 2] as const) for (const a of [0, 1, 2]) f.if(i32.and(i32.eq(stride, s), i32.eq(act, a)), () => loops(s, a));
  });

  // depthwise3_flat: the same sums as depthwise3 at stride 1 and padding 1, for planes of
  // a few rows (MobileNetV2's 14×14 and 7×7): the output plane as one row of H·W floats,
  // whose tap (fy, fx) reads the input at the same flat index + (fy − 1)·W + fx − 1; a
  // lane whose tap falls outside the plane (above, below, or across a row's end) is
  // masked to zero by the per-layer table, as the padded kernel reads a zero. No
  // per-row work, and a 7×7 plane takes 13 vectors, not 14. Only the plane's last
  // vector is stored lane by lane (nothing is written past a channel's plane).
  const depthwise3Flat = emitKernel(m, "depthwise3_flat", (f, p) => {
    const { dst, src, filters: w, bias, channels: C, plane, width: W, masks, act } = p;
    const k = f.i32();
    const j = f.i32();
    const chan = f.i32();
    const out = f.i32();
    const wk = f.i32();
    const mk = f.i32();
    const up = f.i32();
    const mid = f.i32();
    const down = f.i32();
    const acc = f.v128();
    const b = f.v128();
    const tmpV = f.v128();
    const tmpN = f.i32();
    const wr = Array.from({ length: 9 }, () => f.v128());
    const rowBytes = f.i32(i32.shl(W, 2));
    const planeBytes = f.i32(i32.shl(plane, 2));
    const vectors = f.i32(i32.shrU(i32.add(plane, 3), 2));
    const whole = f.i32(i32.shrU(plane, 2));
    const loops = (a: number) =>
      f.for(k, 0, C, 1, () => {
        f.set(chan, i32.add(src, i32.mul(k, planeBytes)));
        f.set(out, i32.add(dst, i32.mul(k, planeBytes)));
        channelWeights(f, wk, w, bias, k, wr, b);
        f.set(mk, masks);
        // the three rows' first taps (column − 1) for the vector at flat index 4j
        f.set(mid, i32.sub(chan, 4));
        /** the vector at `mid`'s outputs, activated, into acc */
        const vector = () => {
          f.set(up, i32.sub(mid, rowBytes));
          f.set(down, i32.add(mid, rowBytes));
          f.set(acc, b);
          [up, mid, down].forEach((row, fy) => {
            for (let fx = 0; fx < 3; fx++) {
              const t = 3 * fy + fx;
              // the centre tap of a lane inside the plane is always inside it
              const x = t === 4 ? v.load(row, 4 * fx) : v.and(v.load(row, 4 * fx), v.load(mk, 16 * t));
              f.set(acc, v.madd(wr[t], x, acc, relaxed));
            }
          });
          f.set(acc, fixedActivation(acc, a));
          f.inc(mid, 16);
          f.inc(mk, 16 * 9);
        };
        // whole vectors with a plain store, then the last few lanes: a branch per vector
        // let V8 sink the nine products into each way of it, spilling every load (7×7×960:
        // 81 → see ENGINE-SPEED.md)
        f.for(j, 0, whole, 1, () => {
          vector();
          f.storeV(out, acc);
          f.inc(out, 16);
        });
        f.if(i32.ne(whole, vectors), () => {
          vector();
          storeOutputs(f, out, acc, i32.sub(plane, i32.shl(whole, 2)), tmpV, tmpN);
        });
      });
    for (const a of [0, 1, 2]) f.if(i32.eq(act, a), () => loops(a));
  });

  // pool(dst, src, C, Ho, Wo, Hp, Wp, kh, kw, sh, sw, dh, dw, avg, H + bottom, W + right, top, left)
  // avg divides by the window clipped to the padded input, as PyTorch's count_include_pad
  const pool = emitKernel(
    m,
    "pool",
    (f, p) => {
      const { dst, src, channels: C, outHeight: Ho, outWidth: Wo, paddedHeight: Hp, paddedWidth: Wp, average: avg, hEnd, wEnd, top, left } = p;
      const { kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = p;
      const c = f.i32();
      const { oy, ox, fy, fx, plane, rowIn, acc, tmpV, tmpN } = windowLocals(f, Hp, Wp);
      const row = f.i32();
      const t = f.i32();
      const hs = f.i32();
      const rows = f.i32();
      const ws = f.v128();
      const out = f.i32(dst);
      const loops = (s: 1 | 2 | Local, isAvg: boolean) =>
        f.for(c, 0, C, 1, () => {
          f.for(oy, 0, Ho, 1, () => {
            f.set(row, i32.add(i32.add(src, i32.mul(c, plane)), i32.mul(i32.mul(oy, sh), rowIn)));
            f.set(hs, i32.sub(i32.mul(oy, sh), top));
            f.set(rows, i32.sub(i32.minS(i32.add(hs, kh), hEnd), hs));
            f.for(ox, 0, Wo, 4, () => {
              f.set(acc, v.const(isAvg ? 0 : -Infinity));
              f.for(fy, 0, kh, 1, () => {
                const base = i32.add(i32.add(row, i32.mul(i32.mul(fy, dh), rowIn)), i32.shl(i32.mul(ox, sw), 2));
                f.for(fx, 0, kw, 1, () => {
                  const x = gather(f, i32.add(base, i32.shl(i32.mul(fx, dw), 2)), s, t);
                  f.set(acc, isAvg ? v.add(acc, x) : v.max(acc, x));
                });
              });
              if (isAvg) {
                // lane l's window starts at (ox + l)·sw − left
                f.set(ws, v.i32sub(v.i32mul(v.i32add(v.i32splat(ox), v.i32const([0, 1, 2, 3])), v.i32splat(sw)), v.i32splat(left)));
                const cols = v.i32sub(v.i32min(v.i32add(ws, v.i32splat(kw)), v.i32splat(wEnd)), ws);
                f.set(acc, v.div(acc, v.fromI32(v.i32mul(cols, v.i32splat(rows)))));
              }
              storeOutputs(f, out, acc, i32.sub(Wo, ox), tmpV, tmpN);
            });
          });
        });
      // k×k max (k = 2 or 3), stride 2 across: each of a window's k input rows gives its k
      // taps of four outputs from k vector loads (columns 2ox … 2ox + 4k − 1: the last
      // vector of a row reads a few floats past it, into the next row or the slack after
      // the copy or the arena buffer), the rows' maxima first, then the even and odd lanes
      // (and for 3×3 the even ones shifted by one). The same maxima as the loops above in
      // another order: max is commutative and associative, NaN and ±0 included.
      // 3×3 is ResNet's (padded), 2×2 VGG's (in place).
      const r = [f.v128(), f.v128(), f.v128()];
      const even = f.v128();
      const nan = f.v128();
      const x = f.v128();
      const end = f.i32();
      const rowsOf = (k: 2 | 3, max: typeof v.max) =>
        f.for(oy, 0, Ho, 1, () => {
          f.set(row, i32.add(i32.add(src, i32.mul(c, plane)), i32.mul(i32.mul(oy, sh), rowIn)));
          f.for(ox, 0, Wo, 4, () => {
            f.set(t, i32.add(row, i32.shl(ox, 3)));
            r.slice(0, k).forEach((x, j) => {
              let m = max(v.load(t, 16 * j), v.load(i32.add(t, rowIn), 16 * j));
              if (k === 3) m = max(m, v.load(i32.add(i32.add(t, rowIn), rowIn), 16 * j));
              f.set(x, m);
            });
            f.set(even, v.shuffle(r[0], r[1], [0, 2, 4, 6]));
            const pair = max(even, v.shuffle(r[0], r[1], [1, 3, 5, 7]));
            f.set(acc, k === 3 ? max(pair, v.shuffle(even, r[2], [1, 2, 3, 4])) : pair);
            storeOutputs(f, out, acc, i32.sub(Wo, ox), tmpV, tmpN);
          });
        });
      // a plane with a NaN anywhere takes max (NaN-propagating: seven instructions under
      // V8); any other pmax (one): without NaN the same values (±0 aside, which compare
      // equal: max gives +0, pmax either). The scan reads the plane in whole vectors, up to
      // three floats past it (the next plane, or the copy's or the buffer's slack).
      // 64×112×112 → 56×56 (ResNet's): see ENGINE-SPEED.md
      const maxStride2Rows = (k: 2 | 3) =>
        f.for(c, 0, C, 1, () => {
          f.set(t, i32.add(src, i32.mul(c, plane)));
          f.set(end, i32.add(t, plane));
          f.set(nan, v.const(0));
          f.for(t, t, end, 16, () => {
            f.set(x, v.load(t));
            f.set(nan, v.or(nan, v.ne(x, x)));
          });
          f.if(v.anyTrue(nan), () => rowsOf(k, v.max), () => rowsOf(k, v.pmax));
        });
      const maxStride2 = i32.and(i32.and(i32.eq(dh, 1), i32.eq(dw, 1)), i32.and(i32.eq(sw, 2), i32.eqz(avg)));
      f.if(i32.and(i32.and(i32.eq(kh, 3), i32.eq(kw, 3)), maxStride2), () => {
        maxStride2Rows(3);
        f.ret();
      });
      f.if(i32.and(i32.and(i32.eq(kh, 2), i32.eq(kw, 2)), maxStride2), () => {
        maxStride2Rows(2);
        f.ret();
      });
      byStride(f, sw, (s) => f.if(avg, () => loops(s, true), () => loops(s, false)));
    },
  );
  return { depthwise, depthwise3, depthwise3Flat, pool };
}
