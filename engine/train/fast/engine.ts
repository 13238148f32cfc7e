// The fast training engine: the layers with filters (conv, dwconv, fc) run as matrix
// products in WebAssembly SIMD (kernels.ts) over the whole batch, everything else on
// the reference training kernels. Per convolution group, with P output positions per
// sample and the batch's columns side by side (B·P of them):
//   forward   col = im2col(X) [R × B·P],  Y = W·col + b
//   backward  dW = dY·colᵀ (dot products over B·P),  dcol = Wᵀ·dY,  dX = col2im(dcol)
//   fc        Y = X·Wᵀ + b,  dW = dYᵀ·X,  dX = dY·W
// WebAssembly memory is scratch: each call copies in what it reads and releases it after.

import type { GraphNode } from "../../../analysis/types";
import { windowOf as windowGeometry } from "../attrs";
import { sizeOf } from "../../tensor";
import { wasmFeatures } from "../../wasm/features";
import { ReferenceEngine, type EngineSetup } from "../engine";
import type { Float, TrainParams } from "../float";
import { hasBias, needParam, type TrainKernel } from "../kernel";
import { trainKernel } from "../kernels";
import { biasGradient } from "../kernels/window";
import { trainLibraryBytes, type TrainKernelsWasm } from "./kernels";

const compiled = new Map<boolean, Promise<WebAssembly.Module>>();

/**
 * Scratch WebAssembly memory handed out from the bottom and given back in one move
 * (`release(mark)`), without clearing: every kernel writes what it reads later. Growing
 * detaches old views, so views are made fresh on each access.
 */
export class Scratch {
  readonly memory = new WebAssembly.Memory({ initial: 256 });
  private top = 1024;

  get size(): number {
    return this.top;
  }

  reserve(bytes: number): number {
    const at = Math.ceil(this.top / 64) * 64;
    this.top = at + bytes;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) this.memory.grow(Math.ceil((this.top - have) / 65536) + (have >> 19));
    return at;
  }

  store(values: Float32Array): number {
    const at = this.reserve(4 * values.length);
    this.f32(at, values.length).set(values);
    return at;
  }

  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  read(at: number, length: number): Float32Array {
    return this.f32(at, length).slice();
  }

  release(mark: number): void {
    this.top = mark;
  }
}

export interface TrainLibrary {
  heap: Scratch;
  k: TrainKernelsWasm;
}

export async function trainLibrary(relaxed = wasmFeatures().relaxedSimd): Promise<TrainLibrary> {
  let module = compiled.get(relaxed);
  if (!module) compiled.set(relaxed, (module = WebAssembly.compile(trainLibraryBytes(relaxed))));
  const heap = new Scratch();
  const instance = await WebAssembly.instantiate(await module, { env: { memory: heap.memory } });
  return { heap, k: instance.exports as unknown as TrainKernelsWasm };
}

function float32(x: Float): Float32Array {
  if (!(x instanceof Float32Array)) throw new Error("the fast training engine works in float32");
  return x;
}

/**
 * `kept`: node id → a region of WebAssembly memory reserved for that convolution's columns
 * (every group's, for the largest batch), so the backward pass reads what the forward
 * unrolled instead of unrolling again; without one, the columns are made again.
 */
export function fastConv(lib: TrainLibrary, kept = new Map<number, number>()): TrainKernel {
  const { heap, k } = lib;
  const unroll = (g: ReturnType<typeof windowGeometry>, cg: number) =>
    [cg, g.inHeight, g.inWidth, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft] as const;
  const shape = (node: GraphNode, batch: number) => {
    const g = windowGeometry(node);
    const cg = g.inChannels / g.groups;
    const kg = g.outChannels / g.groups;
    const R = cg * g.kernelHeight * g.kernelWidth;
    const P = g.outHeight * g.outWidth;
    const inPlane = g.inHeight * g.inWidth;
    return { g, cg, kg, R, P, BP: batch * P, inPlane, inSize: g.inChannels * inPlane, outSize: g.outChannels * P };
  };
  /** col [R × B·P] of group `group` of every sample */
  const columns = (s: ReturnType<typeof shape>, xAt: number, group: number, batch: number, colAt: number) => {
    for (let n = 0; n < batch; n++) k.im2col(xAt + 4 * (n * s.inSize + group * s.cg * s.inPlane), ...unroll(s.g, s.cg), colAt + 4 * n * s.P, s.BP);
  };
  return {
    forward(node, [x], params, ctx) {
      const s = shape(node, ctx.batch);
      const w = needParam(node, params, "weight");
      const bias = hasBias(node) ? needParam(node, params, "bias") : null;
      const mark = heap.size;
      const xAt = heap.store(float32(x));
      const wAt = heap.store(float32(w));
      const region = kept.get(node.id);
      const colAt = region ?? heap.reserve(4 * s.R * s.BP);
      const yAt = heap.reserve(4 * s.kg * s.BP);
      const biasAt = bias ? heap.store(float32(bias)) : 0;
      const outAt = heap.reserve(4 * ctx.batch * s.outSize);
      for (let group = 0; group < s.g.groups; group++) {
        const groupCol = region ? colAt + 4 * group * s.R * s.BP : colAt;
        columns(s, xAt, group, ctx.batch, groupCol);
        k.nn(s.kg, s.BP, s.R, wAt + 4 * group * s.kg * s.R, s.R, groupCol, s.BP, yAt, s.BP, 0);
        // [K/G × B·P] → N×C×H×W, adding the bias
        k.blocks(s.kg, ctx.batch, s.P, yAt, s.BP, s.P, outAt + 4 * group * s.kg * s.P, s.P, s.outSize, biasAt ? biasAt + 4 * group * s.kg : 0);
      }
      const out = heap.read(outAt, ctx.batch * s.outSize);
      heap.release(mark);
      // the columns stay valid until the next forward of this node (training: its backward)
      return { output: out, saved: region !== undefined && ctx.training ? ctx.batch : undefined };
    },
    backward(node, dyIn, [x], f, params, ctx, need) {
      const s = shape(node, ctx.batch);
      const w = float32(needParam(node, params, "weight"));
      const dy = float32(dyIn);
      const mark = heap.size;
      const region = f.saved === ctx.batch ? kept.get(node.id) : undefined;
      const xAt = region === undefined ? heap.store(float32(x)) : 0;
      const wAt = heap.store(w);
      const colAt = region ?? heap.reserve(4 * s.R * s.BP);
      const dyAt = heap.reserve(4 * s.kg * s.BP);
      const dyNchw = heap.store(dy);
      const dwAt = heap.reserve(4 * w.length);
      const wtAt = heap.reserve(4 * s.R * s.kg);
      const dcolAt = need[0] ? heap.reserve(4 * s.R * s.BP) : 0;
      const dxAt = need[0] ? heap.reserve(4 * x.length) : 0;
      if (need[0]) heap.f32(dxAt, x.length).fill(0);
      for (let group = 0; group < s.g.groups; group++) {
        // N×C×H×W → this group's [K/G × B·P]
        k.blocks(s.kg, ctx.batch, s.P, dyNchw + 4 * group * s.kg * s.P, s.P, s.outSize, dyAt, s.BP, s.P, 0);
        const groupCol = region !== undefined ? colAt + 4 * group * s.R * s.BP : colAt;
        if (region === undefined) columns(s, xAt, group, ctx.batch, colAt);
        const wg = wAt + 4 * group * s.kg * s.R;
        k.nt(s.kg, s.R, s.BP, dyAt, s.BP, groupCol, s.BP, dwAt + 4 * group * s.kg * s.R, s.R, 0);
        if (need[0]) {
          k.transpose(s.kg, s.R, wg, wtAt);
          k.nn(s.R, s.BP, s.kg, wtAt, s.kg, dyAt, s.BP, dcolAt, s.BP, 0);
          for (let n = 0; n < ctx.batch; n++) k.col2im(dcolAt + 4 * n * s.P, s.BP, ...unroll(s.g, s.cg), dxAt + 4 * (n * s.inSize + group * s.cg * s.inPlane));
        }
      }
      const grads: TrainParams = { weight: heap.read(dwAt, w.length) };
      if (hasBias(node)) grads.bias = biasGradient(dy, ctx.batch, s.g.outChannels, s.P);
      const dx = need[0] ? heap.read(dxAt, x.length) : null;
      heap.release(mark);
      return { inputs: [dx], params: grads };
    },
  };
}

export function fastFc(lib: TrainLibrary): TrainKernel {
  const { heap, k } = lib;
  return {
    forward(node, [x], params, ctx) {
      const units = sizeOf(node.output);
      const size = sizeOf(node.input!);
      const mark = heap.size;
      const xAt = heap.store(float32(x));
      const wAt = heap.store(float32(needParam(node, params, "weight")));
      const yAt = heap.reserve(4 * ctx.batch * units);
      k.nt(ctx.batch, units, size, xAt, size, wAt, size, yAt, units, 0);
      const out = heap.read(yAt, ctx.batch * units);
      heap.release(mark);
      if (hasBias(node)) {
        const b = needParam(node, params, "bias");
        for (let n = 0; n < ctx.batch; n++) for (let u = 0; u < units; u++) out[n * units + u] += b[u];
      }
      return { output: out };
    },
    backward(node, dyIn, [x], _f, params, ctx, need) {
      const units = sizeOf(node.output);
      const size = sizeOf(node.input!);
      const dy = float32(dyIn);
      const w = float32(needParam(node, params, "weight"));
      const mark = heap.size;
      const xAt = heap.store(float32(x));
      const dyAt = heap.store(dy);
      const dytAt = heap.reserve(4 * dy.length);
      const dwAt = heap.reserve(4 * w.length);
      k.transpose(ctx.batch, units, dyAt, dytAt);
      k.nn(units, size, ctx.batch, dytAt, ctx.batch, xAt, size, dwAt, size, 0);
      let dx: Float32Array | null = null;
      if (need[0]) {
        const wAt = heap.store(w);
        const dxAt = heap.reserve(4 * x.length);
        k.nn(ctx.batch, size, units, dyAt, units, wAt, size, dxAt, size, 0);
        dx = heap.read(dxAt, x.length);
      }
      const grads: TrainParams = { weight: heap.read(dwAt, w.length) };
      heap.release(mark);
      if (hasBias(node)) grads.bias = biasGradient(dy, ctx.batch, units, 1);
      return { inputs: [dx], params: grads };
    },
  };
}

/** the unrolled columns of a convolution for a batch, every group: R·G × B·P */
export function columnFloats(node: GraphNode, batch: number): number {
  const g = windowGeometry(node);
  return g.inChannels * g.kernelHeight * g.kernelWidth * batch * g.outHeight * g.outWidth;
}

/** the reference engine with the heavy layers on WebAssembly SIMD */
export class FastEngine extends ReferenceEngine {
  override readonly name = "fast";

  static available(): boolean {
    return wasmFeatures().simd;
  }

  static async create(setup: EngineSetup): Promise<FastEngine> {
    const lib = await trainLibrary();
    // every convolution keeps its columns from the forward to the backward pass
    const kept = new Map<number, number>();
    for (const node of setup.network.graph) {
      if (node.op !== "conv" && node.op !== "dwconv") continue;
      kept.set(node.id, lib.heap.reserve(4 * columnFloats(node, setup.batch)));
    }
    const conv = fastConv(lib, kept);
    const fc = fastFc(lib);
    const kernels: Record<string, TrainKernel> = { conv, dwconv: conv, fc };
    return new FastEngine(setup, (op) => kernels[op] ?? trainKernel(op));
  }
}
