// Fully connected: the [N][n_in] matrix kept as PyTorch lays it out (a matrix–vector
// product reads it row by row), written straight into the heap when the weight source
// can (seeded weights), so a 400 MB matrix never exists twice. A batch norm after it is
// folded into its rows. With threads: by ranges of rows (multiples of 4).

import { sizeOf } from "../../tensor";
import { COST, partCount, partRange } from "../threads/split";
import { foldedNorm, need, type BuildContext, type CompiledStep, type StepOf } from "./context";

export function compileFc(step: StepOf<"fc" | "conv" | "dwconv">, ctx: BuildContext): CompiledStep {
  const node = step.head;
  const { lib, heap } = ctx;
  const N = sizeOf(node.output);
  const nIn = sizeOf(node.input!);
  const W = heap.reserve(4 * N * nIn);
  let placed = false;
  const params = ctx.weights(node, (length) => {
    if (length !== N * nIn || placed) return new Float32Array(length);
    placed = true;
    return heap.f32(W, length);
  });
  const w = need(node, params, "weight");
  const matrix = heap.f32(W, N * nIn);
  if (!(w.buffer === matrix.buffer && w.byteOffset === W)) matrix.set(w);
  const b = node.attrs.bias ? need(node, params, "bias") : null;
  const { gain, offset } = foldedNorm(step.norm, N, ctx);
  if (step.norm) for (let n = 0; n < N; n++) for (let i = n * nIn, end = i + nIn; i < end; i++) matrix[i] *= gain[n];
  const biases = new Float32Array(Math.ceil(N / 4) * 4);
  for (let n = 0; n < N; n++) biases[n] = (b ? b[n] : 0) * gain[n] + offset[n];
  const bias = heap.store(biases);
  const compiled: CompiledStep = {
    scratchBytes: 0,
    run({ inputs, output }) {
      lib.k.fc({ dst: output, weights: W, src: inputs[0], bias, outputs: N, inputs: nIn, act: step.act });
    },
  };
  const count = partCount(N * nIn * COST.stream, ctx, Math.ceil(N / 4));
  if (count === 1) return compiled;
  return {
    ...compiled,
    phases: [
      {
        count,
        run({ inputs, output }, part) {
          const [n0, n1] = partRange(N, count, part, 4, ctx.threads);
          lib.k.fc({ dst: output + 4 * n0, weights: W + 4 * n0 * nIn, src: inputs[0], bias: bias + 4 * n0, outputs: n1 - n0, inputs: nIn, act: step.act });
        },
      },
    ],
  };
}
