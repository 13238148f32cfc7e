// Spatial arithmetic of a sliding window along one axis (spec §3): the one place
// where output sizes of conv, dwconv, local, deconv and pools are computed.

import { decimal } from "./format";

export interface AxisWindow {
  size: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBefore: number;
  padAfter: number;
  /** pools may round up (PyTorch ceil_mode) */
  rounding: "floor" | "ceil";
}

export interface AxisResult {
  out: number;
  /** the window tiles the padded input exactly */
  fits: boolean;
  /** (W − F' + 2P)/S + 1 before rounding */
  exact: number;
  /** the effective kernel F' = d·(F−1)+1 */
  effectiveKernel: number;
}

export function effectiveKernel(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

function padTerm(before: number, after: number): string {
  return before === after ? `2·${before}` : `${before} + ${after}`;
}

export function slideAxis(a: AxisWindow): AxisResult {
  const eff = effectiveKernel(a.kernel, a.dilation);
  const span = a.size + a.padBefore + a.padAfter - eff;
  const exact = span / a.stride + 1;
  let out: number;
  if (span < 0) out = Math.floor(exact);
  else if (a.rounding === "ceil") {
    out = Math.ceil(span / a.stride) + 1;
    // PyTorch: the last window must start inside the input or its left padding
    if ((out - 1) * a.stride >= a.size + a.padBefore) out--;
  } else out = Math.floor(span / a.stride) + 1;
  const fits = span >= 0 && span % a.stride === 0;
  return { out, fits, exact, effectiveKernel: eff };
}

/** `(32 − 5 + 2·0)/1 + 1 = 28`, with F' in place of F when dilated */
export function slideFormula(a: AxisWindow): string {
  const eff = effectiveKernel(a.kernel, a.dilation);
  const exact = (a.size + a.padBefore + a.padAfter - eff) / a.stride + 1;
  return `(${a.size} − ${eff} + ${padTerm(a.padBefore, a.padAfter)})/${a.stride} + 1 = ${decimal(exact)}`;
}

/** TensorFlow's `same`: W₂ = ⌈W₁/S⌉, the smaller half of the padding before. */
export function samePadding(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effectiveKernel(kernel, dilation) - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * Paddings (one P for every misfit axis, smallest first) and strides (nearest first, at
 * most the window's size F': a larger stride skips pixels) that would make the window
 * tile every given axis.
 */
export function fittingChoices(axes: AxisWindow[], maxPad: number): { paddings: number[]; strides: number[] } {
  const current = axes[0];
  const paddings: number[] = [];
  // below `first` some window sticks out of the input; from there on whether P fits
  // repeats with the strides' common period: three periods hold the two answers there
  // are (a filter of 1e9 searched P one by one up to 1e9 and took 48 s)
  let first = 0;
  let period = 1;
  for (const a of axes) {
    first = Math.max(first, Math.ceil((effectiveKernel(a.kernel, a.dilation) - a.size) / 2));
    period = Math.min(lcm(period, a.stride), 1 << 16);
  }
  const last = Math.min(maxPad, first + 3 * period);
  for (let p = first; p <= last && paddings.length < 2; p++) {
    if (axes.every((a) => p === a.padBefore && p === a.padAfter)) continue;
    const ok = axes.every((a) => {
      const span = a.size + 2 * p - effectiveKernel(a.kernel, a.dilation);
      return span >= 0 && span % a.stride === 0;
    });
    if (ok) paddings.push(p);
  }
  const spans = axes.map((a) => a.size + a.padBefore + a.padAfter - effectiveKernel(a.kernel, a.dilation));
  const strides: number[] = [];
  // a stride larger than the window leaves pixels no window sees: never offered
  const widest = Math.min(...axes.map((a) => effectiveKernel(a.kernel, a.dilation)));
  const limit = Math.min(...spans, widest, Math.max(2 * current.stride, 8));
  const candidates: number[] = [];
  for (let s = 1; s <= Math.min(limit, 1 << 16); s++) if (s !== current.stride && spans.every((span) => span % s === 0)) candidates.push(s);
  candidates.sort((x, y) => Math.abs(x - current.stride) - Math.abs(y - current.stride) || x - y);
  strides.push(...candidates.slice(0, 3).sort((x, y) => x - y));
  return { paddings, strides };
}

export interface DeconvAxis {
  size: number;
  kernel: number;
  stride: number;
  dilation: number;
  pad: number;
  /** the crop after, when it differs from `pad` (`pad same`) */
  padAfter?: number;
  outputPadding: number;
}

/**
 * A transposed conv with TensorFlow's `same`: W₂ = S·W₁. The full output is cropped by
 * max(F' − S, 0), the smaller half before (as TensorFlow); when F' < S the missing
 * S − F' rows come as output padding.
 */
export function deconvSamePadding(kernel: number, stride: number, dilation: number): { before: number; after: number; outputPadding: number } {
  const span = effectiveKernel(kernel, dilation);
  const total = Math.max(span - stride, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before, outputPadding: Math.max(stride - span, 0) };
}

/** W₂ = S·(W₁ − 1) + d·(F − 1) + A − 2P + 1 (spec §3) */
export function deconvAxis(a: DeconvAxis): { out: number; formula: string } {
  const crop = a.padAfter === undefined ? 2 * a.pad : a.pad + a.padAfter;
  const out = a.stride * (a.size - 1) + a.dilation * (a.kernel - 1) + a.outputPadding - crop + 1;
  const kernelText = a.dilation === 1 ? `${a.kernel}` : `${effectiveKernel(a.kernel, a.dilation)}`;
  const cropText = a.padAfter === undefined ? `2·${a.pad}` : `(${a.pad} + ${a.padAfter})`;
  const formula = `${a.stride}·(${a.size} − 1) + ${kernelText} − ${cropText} + ${a.outputPadding} = ${out}`;
  return { out, formula };
}

/** The padding that keeps W₂ = W₁ at stride 1: P = (F' − 1)/2, when F' is odd (spec §3). */
export function preservingPadding(kernel: number, dilation: number): number | null {
  const span = effectiveKernel(kernel, dilation) - 1;
  return span % 2 === 0 ? span / 2 : null;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}
