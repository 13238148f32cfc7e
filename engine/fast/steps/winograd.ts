// 3×3 stride-1 convolutions by Winograd F(4×4, 3×3) (kernels/winograd.ts): the filters
// transformed once (U = G g Gᵀ, batch norm folded, in float64 before the one rounding),
// a table of tiles made once, and at run time a padded copy of the input and, per block
// of tiles, input transform → 36 products → output transform with bias, residual and
// activation.

import { NR } from "../../wasm/kernels/gemm";
import { TILE_ENTRY } from "../../wasm/kernels/winograd";
import { windowGeometry } from "../../geometry";
import { convolution, type BuildContext, type CompiledStep, type StepOf } from "./context";

/** most tiles per block: V and M of a block stay within a few MB */
const MAX_BLOCK = 64;

export function winogradFits(step: StepOf<"conv" | "dwconv">): boolean {
  const node = step.head;
  if (node.op !== "conv" || node.input?.kind !== "volume") return false;
  const g = windowGeometry(node, node.attrs.groups);
  return (
    g.kernelHeight === 3 && g.kernelWidth === 3 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.dilationHeight === 1 && g.dilationWidth === 1 && g.groups === 1 && g.inChannels >= 16 && g.outChannels >= 16
  );
}

export function compileWinograd(step: StepOf<"conv" | "dwconv">, ctx: BuildContext): CompiledStep {
  const { lib, heap } = ctx;
  const { g, w, b, gain, offset } = convolution(step, ctx);
  const MR = lib.MR;
  const K = g.outChannels;
  const C = g.inChannels;
  const Mp = Math.ceil(K / MR) * MR;

  // U = G·g·Gᵀ of every filter, batch norm folded, packed [p][panel][C][MR] by the
  // kernel (the filters and gains pass through the scratch end of the heap)
  const U = heap.reserve(4 * 36 * Mp * C);
  const filters = heap.store(w);
  const gains = heap.store(Float32Array.from(gain));
  lib.k.wino_filters({ u: U, filters, gains, outChannels: K, inChannels: C, paddedRows: Mp });
  heap.release(filters);
  const biases = new Float32Array(Mp);
  for (let k = 0; k < K; k++) biases[k] = (b ? b[k] : 0) * gain[k] + offset[k];
  const bias = heap.store(biases);

  // tiles: 4×4 outputs each; the padded input covers every tile's 6×6 patch (+2 columns
  // for the vector loads of a patch row)
  const Ho = g.outHeight;
  const Wo = g.outWidth;
  const th = Math.ceil(Ho / 4);
  const tw = Math.ceil(Wo / 4);
  const T = th * tw;
  const Hp = 4 * th + 2;
  const Wp = 4 * tw + 4;
  const blocks = Math.ceil(T / MAX_BLOCK);
  const nb = Math.ceil(T / blocks / NR) * NR;
  const table = heap.reserve(TILE_ENTRY * blocks * nb);
  const entries = heap.i32(table, 4 * blocks * nb);
  for (let t = 0; t < T; t++) {
    const ty = Math.floor(t / tw);
    const tx = t % tw;
    entries.set([4 * (4 * ty * Wp + 4 * tx), 4 * (4 * ty * Wo + 4 * tx), Math.min(4, Ho - 4 * ty), Math.min(4, Wo - 4 * tx)], 4 * t);
  }
  const padBytes = Math.ceil((4 * C * Hp * Wp) / 64) * 64 + 256;
  const vBytes = 4 * 36 * C * nb;
  const mBytes = 4 * 36 * Mp * nb;
  return {
    scratchBytes: padBytes + vBytes + mBytes + 36 * 16 + 256,
    run({ inputs, output, scratch }) {
      const residual = step.residual === null ? 0 : inputs[inputs.length - 1];
      const V = scratch + padBytes;
      const M = V + vBytes;
      const tmp = M + mBytes;
      lib.k.pad({ dst: scratch, src: inputs[0], channels: C, height: g.inHeight, width: g.inWidth, top: g.padTop, left: g.padLeft, paddedHeight: Hp, paddedWidth: Wp, value: 0 });
      for (let blk = 0; blk < blocks; blk++) {
        const tiles = table + TILE_ENTRY * blk * nb;
        lib.k.wino_input({ v: V, src: scratch, tiles, channels: C, planeBytes: 4 * Hp * Wp, rowBytes: 4 * Wp, count: nb, scratch: tmp });
        lib.k.wino_products({ u: U, v: V, m: M, channels: C, paddedRows: Mp, count: nb });
        lib.k.wino_output({ dst: output, m: M, tiles, outChannels: K, paddedRows: Mp, count: nb, bias, residual, act: step.act, planeBytes: 4 * Ho * Wo, rowBytes: 4 * Wo, scratch: tmp });
      }
    },
  };
}
