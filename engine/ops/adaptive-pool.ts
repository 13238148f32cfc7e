// adaptiveavgpool: adaptive average pooling as PyTorch's AdaptiveAvgPool2d. Output cell
// i along an axis averages input cells [⌊i·in/out⌋, ⌈(i+1)·in/out⌉), so bins may
// overlap or differ in size.

import type { Floats } from "../api";
import { planesOf, type Planes } from "../tensor";
import { like } from "./shared";
import type { Op, OnnxExportContext } from "./types";
import { trainSlots } from "../train/slots";
import { adaptiveAvgpoolKernel, adaptiveBins, adaptiveMeans } from "../train/kernels/pool";

export { adaptiveBins };

export function adaptiveAvgpool<T extends Floats>(input: T, from: Planes, to: Planes): T {
  return adaptiveMeans(input, like(input, from.channels * to.height * to.width), from.channels, from, to);
}

/** an AveragePool when the bins tile evenly, else Y = R·X·Cᵀ (two MatMuls with averaging matrices) */
function exportAdaptive(e: OnnxExportContext<"adaptiveavgpool">): string {
  const from = planesOf(e.node.input!);
  const to = planesOf(e.node.output);
  if (from.height % to.height === 0 && from.width % to.width === 0) {
    const kh = from.height / to.height;
    const kw = from.width / to.width;
    return e.emit("AveragePool", [e.inputs[0]], { kernel_shape: [kh, kw], strides: [kh, kw] });
  }
  const averaging = (inSize: number, outSize: number, transpose: boolean) => {
    const m = new Float32Array(inSize * outSize);
    adaptiveBins(inSize, outSize).forEach(([lo, hi], o) => {
      for (let i = lo; i < hi; i++) m[transpose ? i * outSize + o : o * inSize + i] = 1 / (hi - lo);
    });
    return m;
  };
  const rows = e.g.floats(`${e.base}.rows`, [to.height, from.height], averaging(from.height, to.height, false));
  const cols = e.g.floats(`${e.base}.cols`, [from.width, to.width], averaging(from.width, to.width, true));
  const down = e.step("MatMul", [rows, e.inputs[0]], "down");
  return e.emit("MatMul", [down, cols]);
}

export const adaptiveavgpool: Op<"adaptiveavgpool"> = {
  kind: "adaptiveavgpool",
  reference: { forward: ({ node, inputs: [x] }) => adaptiveAvgpool(x, planesOf(node.input!), planesOf(node.output)), ...trainSlots(adaptiveAvgpoolKernel) },
  fast: {
    compile(step, ctx) {
      const p = planesOf(step.head.input!);
      const o = planesOf(step.head.output);
      return ["adaptive-pool", { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.adaptive_avg_pool({ dst: output, src: inputs[0], channels: p.channels, height: p.height, width: p.width, outHeight: o.height, outWidth: o.width }) }];
    },
  },
  onnx: { export: exportAdaptive },
};
