// The training kernels (engine/train/kernels) as the op registry's slots
// (engine/ops/types.ts ReferenceOp.trainForward and .backward): each op module takes its
// kind's kernel through `trainSlots`. The registry then holds every kind's backward pass;
// engine/train/backprop.ts walks a graph with the same kernels.

import type { GraphNode } from "../../analysis/types";
import type { Floats, LayerParams } from "../api";
import type { Float, TrainParams } from "./float";
import type { TrainContext, TrainKernel } from "./kernel";

interface SlotArgs<T extends Floats> {
  node: unknown;
  inputs: T[];
  params: LayerParams<T>;
  batch: number;
}

export interface TrainSlots {
  trainForward<T extends Floats>(args: SlotArgs<T> & { seed: number; step: number; momentum: number }): { output: T; saved?: unknown; buffers?: Partial<LayerParams<T>> };
  backward<T extends Floats>(args: SlotArgs<T> & { output: T; outputGrad: T; saved: unknown }): { inputGrads: (T | null)[]; paramGrads: Partial<LayerParams<T>> };
}

export function trainSlots(kernel: TrainKernel): TrainSlots {
  return {
    trainForward(args) {
      const node = args.node as GraphNode;
      const ctx: TrainContext = { batch: args.batch, training: true, seed: args.seed, step: args.step };
      // the kernels update bn's running statistics in place: on copies here, returned as buffers
      const params: TrainParams = { ...(args.params as TrainParams) };
      const buffers: Partial<LayerParams<Floats>> = {};
      for (const name of ["runningMean", "runningVar"] as const) {
        const v = params[name];
        if (v) params[name] = buffers[name] = v.slice() as Float;
      }
      const r = kernel.forward(node, args.inputs as Float[], params, ctx);
      return { output: r.output as never, saved: r.saved, ...(Object.keys(buffers).length ? { buffers: buffers as never } : {}) };
    },
    backward(args) {
      const node = args.node as GraphNode;
      const ctx: TrainContext = { batch: args.batch, training: true, seed: 0, step: 0 };
      const g = kernel.backward(node, args.outputGrad as Float, args.inputs as Float[], { output: args.output as Float, saved: args.saved }, args.params as TrainParams, ctx, args.inputs.map(() => true));
      return { inputGrads: g.inputs as never, paramGrads: (g.params ?? {}) as never };
    },
  };
}
