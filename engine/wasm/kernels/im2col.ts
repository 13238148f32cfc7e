// im2col straight into the GEMM's B panels: for nc output positions and kc rows of
// the unrolled filter (c, fy, fx), writes panel[group][k][NR]. Two tables made once per
// layer do the window arithmetic's job at run time: koff[k] is the byte offset of
// filter element k in the (padded) input, noff[n] the offset of output position n's
// window corner. The input was padded beforehand (kernels/layout.ts), so no bounds
// checks are needed; eight positions on one input row at stride 1 are two vector loads,
// at stride 2 four loads and two shuffles.

import type { Module } from "../emit/module";
import { f32, i32, v } from "../emit/ops";
import { NR } from "./gemm";
import { emitKernel } from "../signatures";

export function emitIm2col(m: Module) {
  return emitKernel(m, "im2col", (f, p) => {
    const { panel, src, koff, noff, columns: nc, depth: kc } = p;
    const j = f.i32();
    const k = f.i32();
    const dst = f.i32();
    const base = f.i32();
    const o = f.i32();
    const last = f.i32();
    const lanes = Array.from({ length: NR }, () => f.i32());
    f.for(j, 0, nc, NR, () => {
      f.set(dst, i32.add(panel, i32.mul(i32.shl(j, 2), kc)));
      f.set(last, i32.minS(NR - 1, i32.sub(i32.sub(nc, j), 1)));
      lanes.forEach((lane, l) => f.set(lane, i32.load(i32.add(noff, i32.shl(i32.add(j, i32.minS(l, last)), 2)))));
      f.set(k, 0);
      // eight positions whose windows start `step` floats apart (every lane checked)
      const evenly = (step: number) =>
        lanes.slice(1).reduce<ReturnType<typeof i32.and>>((all, lane, l) => i32.and(all, i32.eq(i32.sub(lane, lanes[0]), 4 * step * (l + 1))), i32.eq(last, NR - 1));
      f.set(base, i32.add(src, lanes[0]));
      f.if(
        evenly(1),
        () => {
          // contiguous: one row of the input, stride 1
          f.loop((again) => {
            f.set(o, i32.add(base, i32.load(i32.add(koff, i32.shl(k, 2)))));
            f.storeV(dst, v.load(o));
            f.storeV(dst, v.load(o, 16), 16);
            f.inc(dst, NR * 4);
            f.inc(k);
            f.brIf(again, i32.ltS(k, kc));
          });
        },
        () =>
          f.if(
            evenly(2),
            () => {
              // every other float of a row (stride 2): four vector loads, the even lanes kept
              // (the last load reads one float past the last window's start, within the
              // padded copy's slack or the memory after the input)
              f.loop((again) => {
                f.set(o, i32.add(base, i32.load(i32.add(koff, i32.shl(k, 2)))));
                f.storeV(dst, v.shuffle(v.load(o), v.load(o, 16), [0, 2, 4, 6]));
                f.storeV(dst, v.shuffle(v.load(o, 32), v.load(o, 48), [0, 2, 4, 6]), 16);
                f.inc(dst, NR * 4);
                f.inc(k);
                f.brIf(again, i32.ltS(k, kc));
              });
            },
            () =>
              f.loop((again) => {
                f.set(o, i32.add(src, i32.load(i32.add(koff, i32.shl(k, 2)))));
                lanes.forEach((lane, l) => f.storeF32(dst, f32.load(i32.add(o, lane)), 4 * l));
                f.inc(dst, NR * 4);
                f.inc(k);
                f.brIf(again, i32.ltS(k, kc));
              }),
          ),
      );
    });
  });
}
