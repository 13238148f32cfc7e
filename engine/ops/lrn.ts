// lrn: local response normalization as PyTorch's LocalResponseNorm(size, alpha=1e-4,
// beta=0.75, k=1): b_c = a_c / (k + α/n · Σ a_j²)^β, the sum over channels
// j ∈ [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋] (zeros past the ends; the divisor stays n).
// No WebAssembly kernel: the fast executor runs the reference.

import type { Floats } from "../api";
import { planesOf, sizeOf } from "../tensor";
import { like } from "./shared";
import type { Op, OnnxExportContext } from "./types";
import { trainSlots } from "../train/slots";
import { lrnKernel } from "../train/kernels/norm";

export const LRN_ALPHA = 1e-4;
export const LRN_BETA = 0.75;
export const LRN_K = 1;

export function localResponseNorm<T extends Floats>(input: T, channels: number, plane: number, size: number): T {
  const out = like(input, input.length);
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  for (let c = 0; c < channels; c++) {
    const lo = Math.max(0, c - before);
    const hi = Math.min(channels - 1, c + after);
    for (let i = 0; i < plane; i++) {
      let squares = 0;
      for (let j = lo; j <= hi; j++) {
        const v = input[j * plane + i];
        squares += v * v;
      }
      out[c * plane + i] = input[c * plane + i] / Math.pow(LRN_K + (LRN_ALPHA / size) * squares, LRN_BETA);
    }
  }
  return out;
}

/** ONNX's own LRN for an odd size; PyTorch's window for an even one, spelled out */
function exportLrn(e: OnnxExportContext<"lrn">): string {
  const { g, base } = e;
  const size = e.node.attrs.size;
  const x = e.inputs[0];
  if (size % 2 === 1) return e.emit("LRN", [x], { size, alpha: { float: LRN_ALPHA }, beta: { float: LRN_BETA }, bias: { float: LRN_K } });
  const p = planesOf(e.node.input!);
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  const squares = e.step("Mul", [x, x], "squares");
  const volume = e.step("Reshape", [squares, g.ints(`${base}.5d`, [1, 1, p.channels, p.height, p.width])], "volume");
  const padded = e.step("Pad", [volume, g.ints(`${base}.pads`, [0, 0, before, 0, 0, 0, 0, after, 0, 0])], "padded");
  const mean = e.step("AveragePool", [padded], "mean", { kernel_shape: [size, 1, 1], strides: [1, 1, 1] });
  const flat = e.step("Reshape", [mean, g.ints(`${base}.4d`, [1, p.channels, p.height, p.width])], "mean4d");
  const scaled = e.step("Mul", [flat, g.scalar(`${base}.alpha`, LRN_ALPHA)], "scaled");
  const shifted = e.step("Add", [scaled, g.scalar(`${base}.k`, LRN_K)], "shifted");
  const divisor = e.step("Pow", [shifted, g.scalar(`${base}.beta`, LRN_BETA)], "divisor");
  return e.emit("Div", [x, divisor]);
}

export const lrn: Op<"lrn"> = {
  kind: "lrn",
  // each position's normalizer
  trainKept: (node) => sizeOf(node.output),
  reference: {
    ...trainSlots(lrnKernel),
    forward({ node, inputs: [x] }) {
      const p = planesOf(node.input!);
      return localResponseNorm(x, p.channels, p.height * p.width, node.attrs.size);
    },
  },
  onnx: { export: exportLrn },
};
