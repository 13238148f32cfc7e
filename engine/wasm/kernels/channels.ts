// Kernels across the channels of a C×H×W volume: the element-wise product of two
// volumes and of a volume with one factor per channel (`mul`, squeeze-and-excitation),
// and layer normalization over the channels at each position (ConvNeXt's LayerNorm2d).
// Positions are four lanes at a time; a plane's last positions (planes are not
// 4-aligned) are done one lane at a time, so nothing is read or written past a plane.

import type { Local } from "../emit/expr";
import type { Module } from "../emit/module";
import { f32, i32, v } from "../emit/ops";
import { applyActivation } from "./gemm";
import { emitKernel } from "../signatures";

export function emitChannels(m: Module) {
  // mul(dst, a, b, count, act): count floats rounded up to 4
  const mul = emitKernel(m, "mul", (f, p) => {
    const { dst, a, b, count, act } = p;
    const end = f.i32(i32.add(a, i32.shl(count, 2)));
    f.for(a, a, end, 16, () => {
      f.storeV(dst, applyActivation(v.mul(v.load(a), v.load(b)), act));
      f.inc(b, 16);
      f.inc(dst, 16);
    });
  });

  // scale_channels(dst, src, scale, C, plane): dst[c][i] = src[c][i]·scale[c]
  const scaleChannels = emitKernel(m, "scale_channels", (f, p) => {
    const { dst, src, scale, channels, plane } = p;
    const c = f.i32();
    const i = f.i32();
    const k = f.v128();
    const bytes = f.i32(i32.shl(plane, 2));
    f.for(c, 0, channels, 1, () => {
      f.set(k, v.splatLoad(i32.add(scale, i32.shl(c, 2))));
      f.for(i, 0, i32.sub(bytes, 12), 16, () => f.storeV(i32.add(dst, i), v.mul(v.load(i32.add(src, i)), k)));
      f.for(i, i, bytes, 4, () => f.storeF32(i32.add(dst, i), v.lane(v.mul(v.splatLoad(i32.add(src, i)), k), 0)));
      f.inc(dst, bytes);
      f.inc(src, bytes);
    });
  });

  // layernorm(dst, src, gamma, beta, C, plane, eps): per position, over its C values;
  // the mean first, then the biased variance of the deviations (two passes, as the reference)
  const layernorm = emitKernel(m, "layernorm", (f, p) => {
    const { dst, src, gamma, beta, channels, plane, eps } = p;
    const c = f.i32();
    const at = f.i32();
    const i = f.i32();
    const mean = f.v128();
    const variance = f.v128();
    const d = f.v128();
    const inv = f.v128();
    const stride = f.i32(i32.shl(plane, 2));
    const bytes = f.i32(i32.shl(plane, 2));
    const count = f.v128(v.splat(f32.fromI32(channels)));
    const epsilon = f.v128(v.splat(eps));
    /** one group of positions at byte offset i: four lanes (vector) or one (the plane's tail) */
    const positions = (load: (addr: Local | ReturnType<typeof i32.add>) => ReturnType<typeof v.load>, store: (addr: ReturnType<typeof i32.add>, value: ReturnType<typeof v.load>) => void) => {
      f.set(mean, v.const(0));
      f.set(at, i32.add(src, i));
      f.for(c, 0, channels, 1, () => {
        f.set(mean, v.add(mean, load(at)));
        f.inc(at, stride);
      });
      f.set(mean, v.div(mean, count));
      f.set(variance, v.const(0));
      f.set(at, i32.add(src, i));
      f.for(c, 0, channels, 1, () => {
        f.set(d, v.sub(load(at), mean));
        f.set(variance, v.add(variance, v.mul(d, d)));
        f.inc(at, stride);
      });
      f.set(inv, v.div(v.const(1), v.sqrt(v.add(v.div(variance, count), epsilon))));
      f.set(at, i);
      f.for(c, 0, channels, 1, () => {
        const g = v.splatLoad(i32.add(gamma, i32.shl(c, 2)));
        const b = v.splatLoad(i32.add(beta, i32.shl(c, 2)));
        store(i32.add(dst, at), v.add(v.mul(v.mul(v.sub(load(i32.add(src, at)), mean), inv), g), b));
        f.inc(at, stride);
      });
    };
    f.for(i, 0, i32.sub(bytes, 12), 16, () => positions((a) => v.load(a), (a, x) => f.storeV(a, x)));
    f.for(i, i, bytes, 4, () => positions((a) => v.splatLoad(a), (a, x) => f.storeF32(a, v.lane(x, 0))));
  });
  return { mul, scaleChannels, layernorm };
}
