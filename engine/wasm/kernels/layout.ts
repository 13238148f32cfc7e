// Moving volumes around: a padded copy (zeros for convolutions and `pad`, −∞ for max
// pooling) so the windowed kernels never check bounds, and a channel-strided copy
// (concat writes each input into its depth range with memory.copy, no kernel needed).

import type { Module } from "../emit/module";
import { i32, v } from "../emit/ops";
import { emitKernel } from "../signatures";

export function emitLayout(m: Module) {
  // fill(dst, count, value): count floats set to value (whole vectors, then the last
  // one to three floats alone: nothing past the end, where another thread may be writing)
  const fill = m.func("fill", ["i32", "i32", "f32"], [], (f) => {
    const [dst, count, value] = f.params;
    const end = f.i32(i32.add(dst, i32.shl(count, 2)));
    const x = f.v128(v.splat(value));
    f.for(dst, dst, i32.sub(end, 12), 16, () => f.storeV(dst, x));
    f.for(dst, dst, end, 4, () => f.storeF32(dst, value));
  });

  // pad(dst, src, C, H, W, top, left, Hp, Wp, value): src C×H×W into dst C×Hp×Wp at (top, left)
  const pad = emitKernel(m, "pad", (f, p) => {
    const { dst, src, channels: C, height: H, width: W, top, left, paddedHeight: Hp, paddedWidth: Wp, value } = p;
    const c = f.i32();
    const y = f.i32();
    const plane = f.i32(i32.mul(Hp, Wp));
    const row = f.i32(i32.shl(W, 2));
    f.call(fill, dst, i32.mul(C, plane), value);
    f.set(dst, i32.add(dst, i32.shl(i32.add(i32.mul(top, Wp), left), 2)));
    f.for(c, 0, C, 1, () => {
      f.for(y, 0, H, 1, () => {
        f.copy(i32.add(dst, i32.shl(i32.mul(y, Wp), 2)), src, row);
        f.inc(src, row);
      });
      f.inc(dst, i32.shl(plane, 2));
    });
  });
  return { fill, pad };
}
