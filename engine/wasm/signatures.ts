// The kernels JavaScript calls, each with its parameters named, in their WebAssembly
// order. One declaration serves both sides: the emitter (engine/wasm/kernels) gets the
// parameters as named locals (`emitKernel`), and a caller passes an object with exactly
// these names (`KernelLibrary.k`), so a missing, misspelt or extra argument is a compile
// error, and no call can pass them in the wrong order.
//
// Addresses are byte offsets in the executor's memory (0 means "none" where a kernel
// allows it); counts and sizes are in elements unless a name says bytes.

import type { Func } from "./emit/func";
import type { Local } from "./emit/expr";
import type { Module } from "./emit/module";

export type ParamType = "i32" | "f32";
export type Signature = Readonly<Record<string, ParamType>>;

const i32 = "i32";
const f32 = "f32";

export const kernelSignatures = {
  /**
   * C[rows×columns] = A·B + bias (+ residual) → activation: A packed in MR-row panels
   * [depth][MR] (depth = C/G·F_h·F_w), B read through the im2col tables (`koff` 0: B is
   * read in place); rows of C (of the residual, of B read in place) are `ld` floats
   * apart, so a thread may compute some columns of a wider product
   */
  gemm: {
    a: i32, rows: i32, depth: i32, b: i32, columns: i32, ld: i32, c: i32, bias: i32, residual: i32, act: i32,
    koff: i32, noff: i32, panel: i32, scratch: i32,
  },
  /**
   * The same product with B packed beforehand (im2col): `b` is the [depth][NR] panel of
   * this call's first column group, the next group's right after it (threads share one
   * packed B and each computes some rows)
   */
  gemm_packed: { a: i32, rows: i32, depth: i32, b: i32, columns: i32, ld: i32, c: i32, bias: i32, residual: i32, act: i32, scratch: i32 },
  /**
   * B panels for `columns` output positions and `depth` rows of the unrolled filter
   * through the window tables (see gemm): panel[group][depth][NR]; the lanes past the
   * last position repeat it
   */
  im2col: { panel: i32, src: i32, koff: i32, noff: i32, columns: i32, depth: i32 },
  /** src C×H×W copied into dst C×Hp×Wp at (top, left), the rest set to `value` */
  pad: { dst: i32, src: i32, channels: i32, height: i32, width: i32, top: i32, left: i32, paddedHeight: i32, paddedWidth: i32, value: f32 },
  /** output channel k reads padded input channel k / multiplier; filters [C·M][kh][kw] */
  depthwise: {
    dst: i32, src: i32, filters: i32, bias: i32, channels: i32, multiplier: i32, outHeight: i32, outWidth: i32,
    paddedHeight: i32, paddedWidth: i32, kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32,
    dilationHeight: i32, dilationWidth: i32, act: i32,
  },
  /**
   * 3×3 depthwise (multiplier 1, dilation 1, stride 1 or 2) straight from the unpadded
   * input: taps outside [0, height)×[0, width) read as zero (rows from `zeros`, a zeroed
   * row of width + 40 floats with 16 zero bytes before it; columns masked). Output rows
   * rowFrom ≤ oy < rowTo of each channel, the first of them at dst + k·dstPlane (bytes)
   */
  depthwise3: {
    dst: i32, dstPlane: i32, src: i32, srcPlane: i32, filters: i32, bias: i32, channels: i32, height: i32, width: i32,
    outWidth: i32, rowFrom: i32, rowTo: i32, stride: i32, padTop: i32, padLeft: i32, zeros: i32, act: i32,
  },
  /**
   * 3×3 depthwise at stride 1, padding 1, of small planes read as one row of H·W floats:
   * `masks` holds, per vector of four outputs and per tap, which lanes' inputs are inside
   * the plane (steps/depthwise.ts makes it once per layer)
   */
  depthwise3_flat: { dst: i32, src: i32, filters: i32, bias: i32, channels: i32, plane: i32, width: i32, masks: i32, act: i32 },
  /** max or average (`average` 1) windows over a padded input; an average divides by the window clipped to [0, hEnd)×[0, wEnd) of the padded input */
  pool: {
    dst: i32, src: i32, channels: i32, outHeight: i32, outWidth: i32, paddedHeight: i32, paddedWidth: i32,
    kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, dilationHeight: i32, dilationWidth: i32,
    average: i32, hEnd: i32, wEnd: i32, top: i32, left: i32,
  },
  /** y = x·scale[c] + shift[c] per channel (a batch norm folded), then the activation */
  affine: { dst: i32, src: i32, scale: i32, shift: i32, channels: i32, plane: i32, act: i32 },
  /** `count` floats (rounded up to 4; dst may be src) through activation `code` with parameter `alpha` */
  activate: { dst: i32, src: i32, count: i32, code: i32, alpha: f32 },
  /** dst = a + b, then the activation; `count` floats rounded up to 4 */
  add: { dst: i32, a: i32, b: i32, count: i32, act: i32 },
  /** dst = a·b element-wise, then the activation; `count` floats rounded up to 4 */
  mul: { dst: i32, a: i32, b: i32, count: i32, act: i32 },
  /** dst[c][i] = src[c][i]·scale[c]: every position of channel c times one factor (squeeze-and-excitation) */
  scale_channels: { dst: i32, src: i32, scale: i32, channels: i32, plane: i32 },
  /** over the channels at every position: (x − mean)/√(var + eps)·gamma[c] + beta[c] (a vector: plane = 1) */
  layernorm: { dst: i32, src: i32, gamma: i32, beta: i32, channels: i32, plane: i32, eps: f32 },
  /** over the depth at every position (a vector: plane = 1) */
  softmax: { dst: i32, src: i32, channels: i32, plane: i32 },
  /** out[N] = W[N][nIn]·x + bias, then the activation */
  fc: { dst: i32, weights: i32, src: i32, bias: i32, outputs: i32, inputs: i32, act: i32 },
  /** one number per depth slice: the mean, or the largest (`max` 1) */
  global_pool: { dst: i32, src: i32, channels: i32, plane: i32, max: i32 },
  /** PyTorch's AdaptiveAvgPool2d bins */
  adaptive_avg_pool: { dst: i32, src: i32, channels: i32, height: i32, width: i32, outHeight: i32, outWidth: i32 },
  /** nearest neighbour by an integer factor */
  upsample: { dst: i32, src: i32, channels: i32, height: i32, width: i32, factor: i32 },
  /** U[p][panel][C][MR] = (G·g·Gᵀ)[p]·gain[k] for each 3×3 filter g */
  wino_filters: { u: i32, filters: i32, gains: i32, outChannels: i32, inChannels: i32, paddedRows: i32 },
  /** the same for F(2×2, 3×3): U[p] for 16 positions */
  wino2_filters: { u: i32, filters: i32, gains: i32, outChannels: i32, inChannels: i32, paddedRows: i32 },
  /**
   * V[p][tiles/NR][C][NR] for a block of tiles of the padded input: `span` of the C
   * channels (all of them, or a thread's range, `v` and `src` moved to its first)
   */
  wino_input: { v: i32, src: i32, tiles: i32, channels: i32, planeBytes: i32, rowBytes: i32, count: i32, scratch: i32, span: i32 },
  /** the same for F(2×2, 3×3): 4×4 patches of 2×2 tiles, V[p] for 16 positions */
  wino2_input: { v: i32, src: i32, tiles: i32, channels: i32, planeBytes: i32, rowBytes: i32, count: i32, scratch: i32, span: i32 },
  /** M[p] = U[p]·V[p] for the positions from ≤ p < to (all: 0, 36) */
  wino_products: { u: i32, v: i32, m: i32, channels: i32, paddedRows: i32, count: i32, from: i32, to: i32 },
  /** the output transform of a block of tiles, with bias, residual and activation */
  wino_output: {
    dst: i32, m: i32, tiles: i32, outChannels: i32, paddedRows: i32, count: i32, bias: i32, residual: i32, act: i32,
    planeBytes: i32, rowBytes: i32, scratch: i32,
  },
  /** the same for F(2×2, 3×3): 2×2 outputs a tile from 16 positions */
  wino2_output: {
    dst: i32, m: i32, tiles: i32, outChannels: i32, paddedRows: i32, count: i32, bias: i32, residual: i32, act: i32,
    planeBytes: i32, rowBytes: i32, scratch: i32,
  },
  /** the same for F(3×3, 4×4) (steps/polyphase.ts): 3×3 outputs a tile from 36 positions */
  wino34_output: {
    dst: i32, m: i32, tiles: i32, outChannels: i32, paddedRows: i32, count: i32, bias: i32, residual: i32, act: i32,
    planeBytes: i32, rowBytes: i32, scratch: i32,
  },
  /** V[p] of 9×9 patches at stride 8 (a 3×3 stride-2 convolution's 4×4 tiles, steps/strided.ts): 81 positions */
  wino9_input: { v: i32, src: i32, tiles: i32, channels: i32, planeBytes: i32, rowBytes: i32, count: i32, scratch: i32, span: i32 },
  /** its output transform: 4×4 outputs a tile from 81 positions */
  wino9_output: {
    dst: i32, m: i32, tiles: i32, outChannels: i32, paddedRows: i32, count: i32, bias: i32, residual: i32, act: i32,
    planeBytes: i32, rowBytes: i32, scratch: i32,
  },
  /**
   * The four polyphase parts of channels [from, to) of a padded input (planes of
   * 2·height rows of `srcWidth` floats, srcWidth ≥ 2·width + 8): dst[(2·py + px)·C + c][i][j]
   * = src[c][2i + py][2j + px] for i < height, j < width (a multiple of 4)
   */
  phase_split: { dst: i32, src: i32, channels: i32, from: i32, to: i32, height: i32, width: i32, srcWidth: i32 },
} as const satisfies Record<string, Signature>;

export type KernelName = keyof typeof kernelSignatures;

/** a kernel's arguments, by name */
export type KernelArgs<N extends KernelName> = { readonly [P in keyof (typeof kernelSignatures)[N]]: number };

/** the library's kernels as JavaScript sees them */
export type Kernels = { readonly [N in KernelName]: (args: KernelArgs<N>) => void };

/** the kernel's parameters as the emitter's locals, by name */
export type KernelParams<N extends KernelName> = { readonly [P in keyof (typeof kernelSignatures)[N]]: Local };

/** Declares kernel `name` in the module, exported, its body written with named parameters. */
export function emitKernel<N extends KernelName>(m: Module, name: N, body: (f: Func, p: KernelParams<N>) => void): Func {
  const signature: Signature = kernelSignatures[name];
  const names = Object.keys(signature);
  return m.func(name, names.map((n) => signature[n]), [], (f) => {
    const params: Record<string, Local> = {};
    names.forEach((n, i) => (params[n] = f.params[i]));
    body(f, params as KernelParams<N>);
  });
}

type Positional = (...args: number[]) => void;

/**
 * A named-argument call of a WebAssembly function: each name read once into its place,
 * called with exactly its arity (no arguments array, no apply: it costs what a direct
 * call does).
 */
function named(fn: Positional, names: readonly string[]): (args: Readonly<Record<string, number>>) => void {
  const [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r] = names;
  switch (names.length) {
    case 4: return (x) => fn(x[a], x[b], x[c], x[d]);
    case 5: return (x) => fn(x[a], x[b], x[c], x[d], x[e]);
    case 6: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f]);
    case 7: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g]);
    case 8: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g], x[h]);
    case 9: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g], x[h], x[i]);
    case 10: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g], x[h], x[i], x[j]);
    case 11: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g], x[h], x[i], x[j], x[k]);
    case 12: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g], x[h], x[i], x[j], x[k], x[l]);
    case 13: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g], x[h], x[i], x[j], x[k], x[l], x[m]);
    case 14: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g], x[h], x[i], x[j], x[k], x[l], x[m], x[n]);
    case 17: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g], x[h], x[i], x[j], x[k], x[l], x[m], x[n], x[o], x[p], x[q]);
    case 18: return (x) => fn(x[a], x[b], x[c], x[d], x[e], x[f], x[g], x[h], x[i], x[j], x[k], x[l], x[m], x[n], x[o], x[p], x[q], x[r]);
    default: return (x) => fn(...names.map((name) => x[name]));
  }
}

/** The instance's exports as named-argument kernels; fails when one is missing or has another arity. */
export function namedKernels(exports: WebAssembly.Exports): Kernels {
  const out: Record<string, unknown> = {};
  for (const [name, signature] of Object.entries(kernelSignatures)) {
    const fn = exports[name];
    const names = Object.keys(signature);
    if (typeof fn !== "function" || fn.length !== names.length) throw new Error(`the kernel library has no ${name}(${names.join(", ")})`);
    out[name] = named(fn as Positional, names);
  }
  return out as Kernels;
}
