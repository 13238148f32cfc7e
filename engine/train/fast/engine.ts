// The fast training engine: the reference engine with the kinds whose op modules give a
// fast.backward (engine/ops; the kernels are engine/train/fast/layers.ts) on WebAssembly
// SIMD, on the engine's memory, and the optimizer's update there too. A kind gains a fast
// kernel in its op module, not here.

import { wasmFeatures } from "../../wasm/features";
import type { KernelOf } from "../backprop";
import { ReferenceEngine, type EngineSetup } from "../engine";
import { TRAINABLE, type TrainParams } from "../float";
import { trainKernel } from "../kernels";
import { ops } from "../../ops";
import type { FastOp } from "../../ops/types";
import { trainLibrary, type FastKernel, type TrainLibrary } from "./layers";

export { Scratch, trainLibrary, sharedTrainLibrary, fastConv, fastFc, fastRelu, fastSigmoid, fastAvgpool, fastMaxpool, type TrainLibrary, type FastKernel } from "./layers";

/** the reference engine with conv, dwconv, fc, relu, sigmoid and the pools on the engine's memory, the optimizer's update there too */
export class FastEngine extends ReferenceEngine {
  override readonly name = "fast";
  /** per node, per trainable tensor: its gradient's staging region, the optimizer's state (Adam's m and v; SGD's buffer in m), its steps */
  private readonly optimizer = new Map<number, Partial<Record<(typeof TRAINABLE)[number], { g: number; m: number; v: number; steps: number }>>>();
  /** each parameter tensor's address (its first view detaches when the memory grows while the engine is made) */
  private readonly addresses: WeakMap<Float32Array, { at: number; length: number }>;

  private constructor(
    setup: EngineSetup,
    kernelOf: KernelOf,
    private readonly lib: TrainLibrary,
  ) {
    const addresses = new WeakMap<Float32Array, { at: number; length: number }>();
    super(setup, kernelOf, (n) => {
      const at = lib.heap.reserve(4 * n);
      const view = lib.heap.f32(at, n);
      addresses.set(view, { at, length: n });
      return view;
    });
    this.addresses = addresses;
    const { heap } = lib;
    const zeroed = (n: number) => {
      const at = heap.reserve(4 * n);
      heap.f32(at, n).fill(0);
      return at;
    };
    // (reserving may grow the memory and detach the parameters' views: lengths from the record)
    for (const [id, p] of this.params) {
      for (const name of TRAINABLE) {
        const n = p[name] ? addresses.get(p[name] as Float32Array)!.length : 0;
        if (!n) continue;
        let states = this.optimizer.get(id);
        if (!states) this.optimizer.set(id, (states = {}));
        states[name] = { g: heap.reserve(4 * n), m: zeroed(n), v: setup.optimizer.kind === "adam" ? zeroed(n) : 0, steps: 0 };
      }
    }
  }

  static available(): boolean {
    return wasmFeatures().simd;
  }

  static async create(setup: EngineSetup): Promise<FastEngine> {
    const lib = await trainLibrary();
    // each kind's kernel from its op module (engine/ops: fast.backward), one per kind in the network
    const kernels: Record<string, FastKernel> = {};
    for (const node of setup.network.graph) {
      if (node.op === "input" || node.op in kernels) continue;
      const fast = (ops as Record<string, { fast?: FastOp<never> } | undefined>)[node.op]?.fast;
      const make = fast && "compile" in fast ? fast.backward : undefined;
      if (make) kernels[node.op] = make(lib, setup.batch);
    }
    // every region a step uses, planned now: the memory never grows during a step
    for (const node of setup.network.graph) kernels[node.op]?.plan(node);
    const engine = new FastEngine(setup, (op) => kernels[op] ?? trainKernel(op), lib);
    lib.heap.freeze();
    engine.viewParameters();
    return engine;
  }

  /** the parameters as views of the memory at its final size (the memory keeps their values when it grows) */
  private viewParameters(): void {
    for (const p of this.params.values()) {
      for (const key of Object.keys(p) as (keyof TrainParams)[]) {
        // (a detached view has no length left: the address and length were recorded)
        const place = this.addresses.get(p[key] as Float32Array);
        if (!place) throw new Error("the fast engine lost a parameter's address");
        p[key] = this.lib.heap.f32(place.at, place.length);
      }
    }
  }

  /** torch.optim's step on every tensor, in WebAssembly, where the parameters and their state live */
  protected override applyGradients(grads: Map<number, TrainParams>): void {
    const { heap, k } = this.lib;
    const s = this.setup.optimizer;
    for (const [id, g] of grads) {
      const p = this.params.get(id)!;
      const states = this.optimizer.get(id)!;
      for (const name of TRAINABLE) {
        const value = p[name];
        const grad = g[name];
        if (!value || !grad) continue;
        const state = states[name]!;
        const at = heap.addressOf(value)!;
        const gAt = heap.staged(grad, state.g);
        const t = ++state.steps;
        if (s.kind === "adam") k.adam(value.length, at, gAt, state.m, state.v, s.beta1, s.beta2, s.eps, s.weightDecay, s.lr / (1 - s.beta1 ** t), Math.sqrt(1 - s.beta2 ** t));
        else k.sgd(value.length, at, gAt, state.m, s.lr, s.momentum, s.weightDecay);
      }
    }
  }
}
