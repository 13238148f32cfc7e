// The reference training kernel of every layer kind, by the graph's op name.

import type { TrainKernel } from "../kernel";
import type { GraphNode } from "../../../analysis/types";
import { opOf } from "../../ops";
import type { Float } from "../float";
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
const activations = activationKernel((node: GraphNode, x: Float) => opOf(node as Parameters<typeof opOf>[0]).reference.forward({ node, inputs: [x], params: {} } as never) as Float);

/** the training kernel of a graph op, or undefined when it has none */
export function trainKernel(op: string): TrainKernel | undefined {
  return kernels[op] ?? (hasDerivative(op) ? activations : undefined);
}
