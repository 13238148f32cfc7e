// The fast training engine: the layers with filters (conv, dwconv, fc) run as matrix
// products in WebAssembly SIMD (kernels.ts) over the whole batch, everything else on
// the reference training kernels. Per convolution group, with P output positions per
// sample and the batch's columns side by side (B·P of them):
//   forward   col = im2col(X) [R × B·P],  Y = W·col + b
//   backward  dW = dY·colᵀ (dot products over B·P),  dcol = Wᵀ·dY,  dX = col2im(dcol)
//   fc        Y = X·Wᵀ + b,  dW = dYᵀ·X,  dX = dY·W
// WebAssembly memory is scratch: each call copies in what it reads and releases it after.

import type { GraphNode } from "../../../analysis/types";
import { windowGeometry } from "../../geometry";
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

export function fastConv(lib: TrainLibrary): TrainKernel {
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
      const colAt = heap.reserve(4 * s.R * s.BP);
      const yAt = heap.reserve(4 * s.kg * s.BP);
      const out = new Float32Array(ctx.batch * s.outSize);
      for (let group = 0; group < s.g.groups; group++) {
        columns(s, xAt, group, ctx.batch, colAt);
        k.nn(s.kg, s.BP, s.R, wAt + 4 * group * s.kg * s.R, s.R, colAt, s.BP, yAt, s.BP, 0);
        const y = heap.f32(yAt, s.kg * s.BP);
        for (let kk = 0; kk < s.kg; kk++) {
          const channel = group * s.kg + kk;
          const b = bias ? bias[channel] : 0;
          for (let n = 0; n < ctx.batch; n++) {
            const from = kk * s.BP + n * s.P;
            const to = n * s.outSize + channel * s.P;
            for (let p = 0; p < s.P; p++) out[to + p] = y[from + p] + b;
          }
        }
      }
      heap.release(mark);
      return { output: out };
    },
    backward(node, dyIn, [x], _f, params, ctx, need) {
      const s = shape(node, ctx.batch);
      const w = float32(needParam(node, params, "weight"));
      const dy = float32(dyIn);
      const mark = heap.size;
      const xAt = heap.store(float32(x));
      const wAt = heap.store(w);
      const colAt = heap.reserve(4 * s.R * s.BP);
      const dyAt = heap.reserve(4 * s.kg * s.BP);
      const dwAt = heap.reserve(4 * w.length);
      const wtAt = heap.reserve(4 * s.R * s.kg);
      const dcolAt = need[0] ? heap.reserve(4 * s.R * s.BP) : 0;
      const dxAt = need[0] ? heap.reserve(4 * x.length) : 0;
      if (need[0]) heap.f32(dxAt, x.length).fill(0);
      for (let group = 0; group < s.g.groups; group++) {
        const d = heap.f32(dyAt, s.kg * s.BP);
        for (let kk = 0; kk < s.kg; kk++) {
          const channel = group * s.kg + kk;
          for (let n = 0; n < ctx.batch; n++) {
            const from = n * s.outSize + channel * s.P;
            const to = kk * s.BP + n * s.P;
            for (let p = 0; p < s.P; p++) d[to + p] = dy[from + p];
          }
        }
        columns(s, xAt, group, ctx.batch, colAt);
        const wg = wAt + 4 * group * s.kg * s.R;
        k.nt(s.kg, s.R, s.BP, dyAt, s.BP, colAt, s.BP, dwAt + 4 * group * s.kg * s.R, s.R, 0);
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

/** the reference engine with the heavy layers on WebAssembly SIMD */
export class FastEngine extends ReferenceEngine {
  override readonly name = "fast";

  static available(): boolean {
    return wasmFeatures().simd;
  }

  static async create(setup: EngineSetup): Promise<FastEngine> {
    const lib = await trainLibrary();
    const conv = fastConv(lib);
    const fc = fastFc(lib);
    const kernels: Record<string, TrainKernel> = { conv, dwconv: conv, fc };
    return new FastEngine(setup, (op) => kernels[op] ?? trainKernel(op));
  }
}
