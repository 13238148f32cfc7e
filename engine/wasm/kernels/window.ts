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
import { f32, i32, v } from "../emit/ops";
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
              const result = a === 0 ? acc : a === 1 ? v.pmax(v.const(0), acc) : v.pmin(v.const(6), v.pmax(v.const(0), acc));
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
      byStride(f, sw, (s) => f.if(avg, () => loops(s, true), () => loops(s, false)));
    },
  );
  return { depthwise, pool };
}
