// The four polyphase parts of a padded input (steps/polyphase.ts: a 7×7 stride-2
// convolution as a 4×4 stride-1 one over them): part (py, px) of channel c is every
// other row from py and every other float from px, so a vector of four is two loads and
// one shuffle of the even lanes.

import type { Module } from "../emit/module";
import { i32, v } from "../emit/ops";
import { emitKernel } from "../signatures";

export function emitPolyphase(m: Module) {
  return emitKernel(m, "phase_split", (f, p) => {
    const { dst, src, channels: C, from, to, height: H, width: W, srcWidth: Ws } = p;
    const c = f.i32();
    const ph = f.i32();
    const i = f.i32();
    const j = f.i32();
    const s = f.i32();
    const d = f.i32();
    const at = f.i32();
    const rowBytes = f.i32(i32.shl(Ws, 2));
    const srcPlane = f.i32(i32.mul(i32.shl(H, 1), rowBytes));
    const dstPlane = f.i32(i32.shl(i32.mul(H, W), 2));
    const dstRow = f.i32(i32.shl(W, 2));
    f.for(c, from, to, 1, () => {
      f.for(ph, 0, 4, 1, () => {
        f.set(d, i32.add(dst, i32.mul(i32.add(i32.mul(ph, C), c), dstPlane)));
        f.set(s, i32.add(i32.add(src, i32.mul(c, srcPlane)), i32.add(i32.mul(i32.shrU(ph, 1), rowBytes), i32.shl(i32.and(ph, 1), 2))));
        f.for(i, 0, H, 1, () => {
          f.for(j, 0, W, 4, () => {
            f.set(at, i32.add(s, i32.shl(j, 3)));
            f.storeV(i32.add(d, i32.shl(j, 2)), v.shuffle(v.load(at), v.load(at, 16), [0, 2, 4, 6]));
          });
          f.inc(d, dstRow);
          f.inc(s, i32.shl(rowBytes, 1));
        });
      });
    });
  });
}
