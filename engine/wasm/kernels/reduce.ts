// Pools that summarise a whole slice (or a region of it): global average/max pooling
// (gap, gmp) and PyTorch's adaptive average pooling, whose region i spans
// [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉).

import type { Module } from "../emit/module";
import { f32, i32, v } from "../emit/ops";
import { emitKernel } from "../signatures";

export function emitReduce(m: Module) {
  // global(dst, src, C, plane, max): one number per depth slice
  const global = emitKernel(m, "global_pool", (f, p) => {
    const { dst, src, channels: C, plane, max: isMax } = p;
    const c = f.i32();
    const i = f.i32();
    const acc = f.v128();
    const s = f.f32();
    const bytes = f.i32(i32.shl(plane, 2));
    const vecEnd = f.i32(i32.and(bytes, -16));
    f.for(c, 0, C, 1, () => {
      f.if(
        isMax,
        () => {
          f.set(acc, v.splatLoad(src));
          f.for(i, 0, vecEnd, 16, () => f.set(acc, v.max(acc, v.load(i32.add(src, i)))));
          f.set(s, f32.max(f32.max(v.lane(acc, 0), v.lane(acc, 1)), f32.max(v.lane(acc, 2), v.lane(acc, 3))));
          f.for(i, vecEnd, bytes, 4, () => f.set(s, f32.max(s, f32.load(i32.add(src, i)))));
        },
        () => {
          f.set(acc, v.const(0));
          f.for(i, 0, vecEnd, 16, () => f.set(acc, v.add(acc, v.load(i32.add(src, i)))));
          f.set(s, f32.add(f32.add(v.lane(acc, 0), v.lane(acc, 1)), f32.add(v.lane(acc, 2), v.lane(acc, 3))));
          f.for(i, vecEnd, bytes, 4, () => f.set(s, f32.add(s, f32.load(i32.add(src, i)))));
          f.set(s, f32.div(s, f32.fromI32(plane)));
        },
      );
      f.storeF32(i32.add(dst, i32.shl(c, 2)), s);
      f.inc(src, bytes);
    });
  });

  // adaptive(dst, src, C, H, W, oh, ow)
  const adaptive = emitKernel(m, "adaptive_avg_pool", (f, p) => {
    const { dst, src, channels: C, height: H, width: W, outHeight: oh, outWidth: ow } = p;
    const [c, oy, ox, y, x, y0, y1, x0, x1] = Array.from({ length: 9 }, () => f.i32());
    const s = f.f32();
    const plane = f.i32(i32.shl(i32.mul(H, W), 2));
    const ceilDiv = (a: Parameters<typeof i32.add>[0], b: Parameters<typeof i32.add>[0]) => i32.divU(i32.add(a, i32.sub(b, 1)), b);
    f.for(c, 0, C, 1, () => {
      f.for(oy, 0, oh, 1, () => {
        f.set(y0, i32.divU(i32.mul(oy, H), oh));
        f.set(y1, ceilDiv(i32.mul(i32.add(oy, 1), H), oh));
        f.for(ox, 0, ow, 1, () => {
          f.set(x0, i32.divU(i32.mul(ox, W), ow));
          f.set(x1, ceilDiv(i32.mul(i32.add(ox, 1), W), ow));
          f.set(s, f32.const(0));
          f.for(y, y0, y1, 1, () =>
            f.for(x, x0, x1, 1, () => f.set(s, f32.add(s, f32.load(i32.add(src, i32.shl(i32.add(i32.mul(y, W), x), 2)))))),
          );
          f.storeF32(dst, f32.div(s, f32.fromI32(i32.mul(i32.sub(y1, y0), i32.sub(x1, x0)))));
          f.inc(dst, 4);
        });
      });
      f.inc(src, plane);
    });
  });

  // upsample(dst, src, C, H, W, s): nearest neighbour, factor s
  const upsample = emitKernel(m, "upsample", (f, p) => {
    const { dst, src, channels: C, height: H, width: W, factor: s } = p;
    const [c, y, x] = [f.i32(), f.i32(), f.i32()];
    const plane = f.i32(i32.shl(i32.mul(H, W), 2));
    f.for(c, 0, C, 1, () => {
      f.for(y, 0, i32.mul(H, s), 1, () =>
        f.for(x, 0, i32.mul(W, s), 1, () => {
          f.storeF32(dst, f32.load(i32.add(src, i32.shl(i32.add(i32.mul(i32.divU(y, s), W), i32.divU(x, s)), 2))));
          f.inc(dst, 4);
        }),
      );
      f.inc(src, plane);
    });
  });
  return { global, adaptive, upsample };
}
