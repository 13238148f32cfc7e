// The reference executor: plain TypeScript kernels, one per file, run node by node in
// the graph's order. It is the correctness oracle for faster executors and the fallback
// where they cannot run.

import type { GraphNode } from "../analysis/types";
import type { Executor, LayerParams, NetworkWeights, RunOptions } from "./api";
import { windowGeometry } from "./geometry";
import { planesOf, sizeOf } from "./tensor";
import { conv2d } from "./kernels/conv2d";
import { depthwise } from "./kernels/depthwise";
import { deconv } from "./kernels/deconv";
import { local } from "./kernels/local";
import { maxpool } from "./kernels/maxpool";
import { avgpool } from "./kernels/avgpool";
import { globalAverage, globalMax } from "./kernels/global-pool";
import { adaptiveAvgpool } from "./kernels/adaptive-avgpool";
import { fullyConnected } from "./kernels/fc";
import { batchnorm } from "./kernels/batchnorm";
import { lrn } from "./kernels/lrn";
import { activate, isActivation } from "./kernels/activation";
import { softmax } from "./kernels/softmax";
import { upsampleNearest, zeroPad } from "./kernels/resize";
import { addAll, concatAll } from "./kernels/merge";
import { forEachNode } from "./schedule";

export class ReferenceExecutor implements Executor {
  readonly name = "reference";

  run(graph: GraphNode[], weights: NetworkWeights, input: Float32Array, options: RunOptions = {}): Promise<Float32Array> {
    return forEachNode(graph, input, options, (node, inputs) => runNode(node, inputs, weights.get(node.id)));
  }
}

function need(node: GraphNode, params: LayerParams | undefined, field: keyof LayerParams): Float32Array {
  const value = params?.[field];
  if (!value) throw new Error(`${node.label ?? node.op} (node ${node.id}) has no ${field}`);
  return value;
}

/** One node's output from its inputs' outputs. */
export function runNode(node: GraphNode, inputs: Float32Array[], params: LayerParams | undefined): Float32Array {
  const x = inputs[0];
  const a = node.attrs;
  const bias = () => (a.bias === false ? null : need(node, params, "bias"));
  switch (node.op) {
    case "conv":
    case "dwconv": {
      const g = windowGeometry(node);
      const w = need(node, params, "weight");
      return g.groups === g.inChannels && g.groups > 1 ? depthwise(x, w, bias(), g) : conv2d(x, w, bias(), g);
    }
    case "deconv":
      return deconv(x, need(node, params, "weight"), bias(), windowGeometry(node));
    case "local":
      return local(x, need(node, params, "weight"), bias(), windowGeometry(node));
    case "maxpool":
      return maxpool(x, windowGeometry(node));
    case "avgpool":
      return avgpool(x, windowGeometry(node));
    case "gap":
      return globalAverage(x, planesOf(node.input!));
    case "gmp":
      return globalMax(x, planesOf(node.input!));
    case "adaptiveavgpool":
      return adaptiveAvgpool(x, planesOf(node.input!), planesOf(node.output));
    case "fc":
      return fullyConnected(x, need(node, params, "weight"), bias(), sizeOf(node.output));
    case "bn":
      return batchnorm(x, planesOf(node.input!), {
        scale: need(node, params, "weight"),
        shift: need(node, params, "bias"),
        mean: need(node, params, "runningMean"),
        variance: need(node, params, "runningVar"),
        eps: a.eps ?? 1e-5,
      });
    case "lrn":
      return lrn(x, planesOf(node.input!), a.units ?? 5);
    case "softmax":
      return softmax(x, planesOf(node.input!));
    case "upsample":
      return upsampleNearest(x, planesOf(node.input!), planesOf(node.output));
    case "pad":
      return zeroPad(x, planesOf(node.input!), planesOf(node.output), a.padding!);
    case "add":
      return addAll(inputs);
    case "concat":
      return concatAll(inputs);
    // the data stays as it is: flatten only changes how the shape is read, and
    // dropout is the identity when running
    case "flatten":
    case "dropout":
      return x;
    default:
      if (isActivation(node.op)) return activate(node.op, x, a.alpha);
      throw new Error(`the reference executor has no kernel for \`${node.op}\``);
  }
}
