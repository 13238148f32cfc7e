// The reference training kernel of every layer kind, by the graph's op name.

import type { TrainKernel } from "../kernel";
import type { GraphNode } from "../../../analysis/types";
import { opOf, ops } from "../../ops";
import type { ReferenceOp } from "../../ops/types";
import { like, type Float, type TrainParams } from "../float";
import { activationKernel, hasDerivative } from "./activation";
import { bnKernel, layernormKernel, lrnKernel } from "./norm";
import { addKernel, concatKernel, dropoutKernel, flattenKernel, padKernel, upsampleKernel } from "./layout";
import { adaptiveAvgpoolKernel, avgpoolKernel, gapKernel, gmpKernel, maxpoolKernel } from "./pool";
import { softmaxKernel } from "./softmax";
import { convKernel, deconvKernel, fcKernel, localKernel } from "./window";

const kernels: Record<string, TrainKernel> = {
  conv: convKernel,
  dwconv: convKernel,
  deconv: deconvKernel,
  local: localKernel,
  fc: fcKernel,
  maxpool: maxpoolKernel,
  avgpool: avgpoolKernel,
  gap: gapKernel,
  gmp: gmpKernel,
  adaptiveavgpool: adaptiveAvgpoolKernel,
  bn: bnKernel,
  layernorm: layernormKernel,
  lrn: lrnKernel,
  dropout: dropoutKernel,
  flatten: flattenKernel,
  upsample: upsampleKernel,
  pad: padKernel,
  add: addKernel,
  concat: concatKernel,
  softmax: softmaxKernel,
};

// the activations' forward is the op's own (engine/ops/activation.ts), element by element
const opOfNode = (node: GraphNode) => opOf(node as Parameters<typeof opOf>[0]);
const activations = activationKernel(
  (node: GraphNode, x: Float) => opOfNode(node).reference.forward({ node, inputs: [x], params: {} } as never) as Float,
  (node: GraphNode) => (opOfNode(node).parameter as ((n: GraphNode) => number) | undefined)?.(node) ?? 0,
);

/**
 * A kind whose backward is written in its op module (engine/ops: reference.backward, and
 * trainForward where training differs from inference) trains through those slots:
 * layerscale, slice, shuffle, droppath, mul. The forward of a batch is the op's own
 * (trainForward in training, else the inference forward sample by sample).
 */
function fromOpSlots(op: string): TrainKernel | undefined {
  const reference = (ops as Record<string, { reference: ReferenceOp<never> } | undefined>)[op]?.reference;
  if (!reference?.backward) return undefined;
  const backward = reference.backward;
  return {
    forward(node, inputs, params, ctx) {
      if (ctx.training && reference.trainForward) {
        const r = reference.trainForward({ node: node as never, inputs, params: params ?? {}, batch: ctx.batch, seed: ctx.seed, step: ctx.step, momentum: 0.1, sampleOffset: ctx.sampleOffset ?? 0 });
        return { output: r.output, saved: r.saved };
      }
      const samples: Float[] = [];
      for (let b = 0; b < ctx.batch; b++) {
        const sample = inputs.map((x) => x.subarray((b * x.length) / ctx.batch, ((b + 1) * x.length) / ctx.batch));
        samples.push(reference.forward({ node: node as never, inputs: sample, params: params ?? {} }));
      }
      const output = like(samples[0], samples[0].length * ctx.batch);
      samples.forEach((y, b) => output.set(y, b * y.length));
      return { output };
    },
    backward(node, dOutput, inputs, forward, params, ctx, needInputs) {
      const g = backward({ node: node as never, inputs, params: params ?? {}, batch: ctx.batch, output: forward.output, outputGrad: dOutput, saved: forward.saved });
      // a kind without weights gives no parameter gradients (backprop records what it gets)
      const grads = Object.keys(g.paramGrads).length ? { params: g.paramGrads as TrainParams } : {};
      return { inputs: g.inputGrads.map((x, i) => (needInputs[i] ? x : null)), ...grads };
    },
  };
}

/** the training kernel of a graph op, or undefined when it has none */
export function trainKernel(op: string): TrainKernel | undefined {
  return kernels[op] ?? (hasDerivative(op) ? activations : undefined) ?? fromOpSlots(op);
}
