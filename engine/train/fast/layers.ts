// The fast training engine's kernels (engine/train/fast/engine.ts runs them): conv,
// dwconv and fc as matrix products in WebAssembly SIMD over the whole batch, relu, sigmoid,
// maxpool and avgpool in WebAssembly too (kernels.ts). Each is its op module's
// fast.backward (engine/ops), so this file imports nothing that imports the registry. The
// layers keep their outputs and gradients in the engine's memory and hand them on as
// views of it, so a chain of them (LeNet-5: conv, relu, maxpool, …, fc) copies nothing
// between layers; a layer reads a reference kernel's array after copying it into a
// region of its own.

import type { GraphNode } from "../../../analysis/types";
import { windowOf as windowGeometry } from "../attrs";
import { sizeOf } from "../../tensor";
import { wasmFeatures } from "../../wasm/features";
import type { Float, TrainParams } from "../float";
import { hasBias, needParam, type TrainKernel } from "../kernel";
import { averageWindows } from "../kernels/pool";
import { trainLibraryBytes, type TrainKernelsWasm } from "./kernels";

const compiled = new Map<boolean, Promise<WebAssembly.Module>>();

/**
 * The fast engine's WebAssembly memory, handed out from the bottom. An engine plans every
 * region it will use (each layer's output, staged inputs, gradients, columns) when it is
 * made, for its largest batch, then freezes the memory: it never grows during a step, so
 * the Float32Array views of it that layers hand each other (outputs, gradients) stay
 * valid. Growing detaches old views, so views are made fresh on each access.
 */
export class Scratch {
  readonly memory = new WebAssembly.Memory({ initial: 256 });
  private top = 1024;
  private frozen = false;

  get size(): number {
    return this.top;
  }

  reserve(bytes: number): number {
    const at = Math.ceil(this.top / 64) * 64;
    this.top = at + bytes;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      // a frozen memory growing would detach the views the step holds: never silently
      if (this.frozen) throw new Error(`the fast training engine's memory plan is short of ${this.top - have} bytes`);
      this.memory.grow(Math.ceil((this.top - have) / 65536) + (have >> 19));
    }
    return at;
  }

  /** from now on the memory keeps its size: every view stays valid */
  freeze(): void {
    this.frozen = true;
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

  /** the address of `x` when it is a view of this memory, else null */
  addressOf(x: Float): number | null {
    return x.buffer === this.memory.buffer ? x.byteOffset : null;
  }

  /** the address of `x`'s values: where it lies when it is a view of this memory, else copied to `staging` */
  staged(x: Float, staging: number): number {
    const at = this.addressOf(x);
    if (at !== null) return at;
    this.f32(staging, x.length).set(float32(x));
    return staging;
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

const compiledShared = new Map<boolean, Promise<WebAssembly.Module>>();

/** the library's kernels on a shared memory of at least `bytes` that never grows (the training threads' exchange) */
export async function sharedTrainLibrary(bytes: number, relaxed = wasmFeatures().relaxedSimd): Promise<{ memory: WebAssembly.Memory; k: TrainKernelsWasm }> {
  let module = compiledShared.get(relaxed);
  if (!module) compiledShared.set(relaxed, (module = WebAssembly.compile(trainLibraryBytes(relaxed, true))));
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const instance = await WebAssembly.instantiate(await module, { env: { memory } });
  return { memory, k: instance.exports as unknown as TrainKernelsWasm };
}

function float32(x: Float): Float32Array {
  if (!(x instanceof Float32Array)) throw new Error("the fast training engine works in float32");
  return x;
}

/** the length of the partial dot products of dW = dY·colᵀ (LeNet's first layer has 25,088 columns a batch) */
const DOT_CHUNK = 2048;

/**
 * At most this many columns (B·P), dW = dY·colᵀ is col transposed, then a product of
 * rows (nn): nt's dot products pay a horizontal sum per weight, which short ones do not
 * earn back (LeNet-5's 400→120 layer on 1×1 outputs: 48,000 weights, B columns; at
 * B = 16, 2.4× faster so).
 */
const SHORT_DOTS = 512;

/** a training kernel whose WebAssembly memory is laid out per node, for the largest batch */
export interface FastKernel extends TrainKernel {
  /** reserves every region the node will use (an engine calls it before freezing its memory) */
  plan(node: GraphNode): void;
}

/** node id → its regions, laid out on first use */
function layouts<L>(make: (node: GraphNode) => L): (node: GraphNode) => L {
  const made = new Map<number, L>();
  return (node) => {
    let l = made.get(node.id);
    if (!l) made.set(node.id, (l = make(node)));
    return l;
  };
}

/**
 * conv and dwconv. Per group, with P output positions per sample and the batch's columns
 * side by side (B·P of them): forward col = im2col(X) [R × B·P], Y = W·col + b; backward
 * dW = dY·colᵀ, dcol = Wᵀ·dY, dX = col2im(dcol). The columns stay from the forward to the
 * backward pass (every group's, for the largest batch).
 */
export function fastConv(lib: TrainLibrary, maxBatch: number): FastKernel {
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
    return { g, cg, kg, R, P, BP: batch * P, inPlane, inSize: g.inChannels * inPlane, outSize: g.outChannels * P, weights: g.outChannels * R };
  };
  const layout = layouts((node) => {
    const s = shape(node, maxBatch);
    const f = (n: number) => heap.reserve(4 * n);
    return {
      x: f(maxBatch * s.inSize),
      w: f(s.weights),
      bias: f(s.g.outChannels),
      col: f(s.g.groups * s.R * s.BP),
      // one group's [K/G × B·P]: Y in the forward pass, dY in the backward
      y: f(s.kg * s.BP),
      out: f(maxBatch * s.outSize),
      dy: f(maxBatch * s.outSize),
      dw: f(s.weights),
      db: f(s.g.outChannels),
      wt: f(s.R * s.kg),
      dcol: f(s.R * s.BP),
      dx: f(maxBatch * s.inSize),
      // colᵀ of one group, where its columns are few enough (SHORT_DOTS) at some batch
      colT: s.P <= SHORT_DOTS ? f(s.R * Math.min(s.BP, SHORT_DOTS)) : 0,
    };
  });
  // a window as large as the input, unpadded, one group (LeNet's 400 → 120): each sample's
  // column is the sample itself, so im2col is X transposed and col2im adds dcol transposed
  const whole = (s: ReturnType<typeof shape>) => s.P === 1 && s.g.groups === 1 && s.g.kernelHeight === s.g.inHeight && s.g.kernelWidth === s.g.inWidth && s.g.padTop === 0 && s.g.padLeft === 0 && s.g.dilationHeight === 1 && s.g.dilationWidth === 1;
  const columns = (s: ReturnType<typeof shape>, xAt: number, group: number, batch: number, colAt: number) => {
    if (whole(s)) return k.transpose(batch, s.R, xAt, colAt);
    for (let n = 0; n < batch; n++) k.im2col(xAt + 4 * (n * s.inSize + group * s.cg * s.inPlane), ...unroll(s.g, s.cg), colAt + 4 * n * s.P, s.BP);
  };
  return {
    plan: (node) => void layout(node),
    forward(node, [x], params, ctx) {
      const s = shape(node, ctx.batch);
      const at = layout(node);
      const w = float32(needParam(node, params, "weight"));
      const bias = hasBias(node) ? float32(needParam(node, params, "bias")) : null;
      const xAt = heap.staged(x, at.x);
      heap.f32(at.w, w.length).set(w);
      if (bias) heap.f32(at.bias, bias.length).set(bias);
      for (let group = 0; group < s.g.groups; group++) {
        const groupCol = at.col + 4 * group * s.R * s.BP;
        columns(s, xAt, group, ctx.batch, groupCol);
        k.nn(s.kg, s.BP, s.R, at.w + 4 * group * s.kg * s.R, s.R, groupCol, s.BP, at.y, s.BP, 0);
        // [K/G × B·P] → N×C×H×W, adding the bias
        k.blocks(s.kg, ctx.batch, s.P, at.y, s.BP, s.P, at.out + 4 * group * s.kg * s.P, s.P, s.outSize, bias ? at.bias + 4 * group * s.kg : 0);
      }
      // the weights and columns stay valid until the next forward of this node (training: its backward)
      return { output: heap.f32(at.out, ctx.batch * s.outSize), saved: ctx.batch };
    },
    backward(node, dyIn, [x], f, _params, ctx, need) {
      const s = shape(node, ctx.batch);
      const at = layout(node);
      if (f.saved !== ctx.batch) throw new Error(`the fast engine's ${node.op} backward follows a forward of another batch`);
      const dyNchw = heap.staged(dyIn, at.dy);
      const bias = hasBias(node);
      if (bias) heap.f32(at.db, s.g.outChannels).fill(0);
      if (need[0]) heap.f32(at.dx, x.length).fill(0);
      for (let group = 0; group < s.g.groups; group++) {
        // N×C×H×W → this group's [K/G × B·P]
        k.blocks(s.kg, ctx.batch, s.P, dyNchw + 4 * group * s.kg * s.P, s.P, s.outSize, at.y, s.BP, s.P, 0);
        const groupCol = at.col + 4 * group * s.R * s.BP;
        const wg = at.w + 4 * group * s.kg * s.R;
        if (s.BP <= SHORT_DOTS) {
          k.transpose(s.R, s.BP, groupCol, at.colT);
          k.nn(s.kg, s.R, s.BP, at.y, s.BP, at.colT, s.R, at.dw + 4 * group * s.kg * s.R, s.R, 0);
        }
        // dot products over B·P in chunks: each chunk of the columns is read from cache by every filter
        else for (let p0 = 0; p0 < s.BP; p0 += DOT_CHUNK) k.nt(s.kg, s.R, Math.min(DOT_CHUNK, s.BP - p0), at.y + 4 * p0, s.BP, groupCol + 4 * p0, s.BP, at.dw + 4 * group * s.kg * s.R, s.R, p0 > 0 ? 1 : 0);
        if (bias) k.colSums(s.kg, s.BP, at.y, at.db + 4 * group * s.kg);
        if (need[0]) {
          k.transpose(s.kg, s.R, wg, at.wt);
          k.nn(s.R, s.BP, s.kg, at.wt, s.kg, at.y, s.BP, at.dcol, s.BP, 0);
          if (whole(s)) k.transposeAdd(s.R, ctx.batch, at.dcol, at.dx);
          else for (let n = 0; n < ctx.batch; n++) k.col2im(at.dcol + 4 * n * s.P, s.BP, ...unroll(s.g, s.cg), at.dx + 4 * (n * s.inSize + group * s.cg * s.inPlane));
        }
      }
      const grads: TrainParams = { weight: heap.f32(at.dw, s.weights) };
      if (bias) grads.bias = heap.f32(at.db, s.g.outChannels);
      return { inputs: [need[0] ? heap.f32(at.dx, x.length) : null], params: grads };
    },
  };
}

/** fc: Y = X·Wᵀ + b, dW = dYᵀ·X, dX = dY·W */
export function fastFc(lib: TrainLibrary, maxBatch: number): FastKernel {
  const { heap, k } = lib;
  const layout = layouts((node) => {
    const units = sizeOf(node.output);
    const size = sizeOf(node.input!);
    const f = (n: number) => heap.reserve(4 * n);
    return { x: f(maxBatch * size), w: f(units * size), out: f(maxBatch * units), dy: f(maxBatch * units), dyt: f(maxBatch * units), dw: f(units * size), db: f(units), dx: f(maxBatch * size) };
  });
  return {
    plan: (node) => void layout(node),
    forward(node, [x], params, ctx) {
      const units = sizeOf(node.output);
      const size = sizeOf(node.input!);
      const at = layout(node);
      const xAt = heap.staged(x, at.x);
      const w = float32(needParam(node, params, "weight"));
      heap.f32(at.w, w.length).set(w);
      k.nt(ctx.batch, units, size, xAt, size, at.w, size, at.out, units, 0);
      const out = heap.f32(at.out, ctx.batch * units);
      if (hasBias(node)) {
        const b = needParam(node, params, "bias");
        for (let n = 0; n < ctx.batch; n++) for (let u = 0; u < units; u++) out[n * units + u] += b[u];
      }
      return { output: out, saved: xAt };
    },
    backward(node, dyIn, [x], f, _params, ctx, need) {
      const units = sizeOf(node.output);
      const size = sizeOf(node.input!);
      const at = layout(node);
      const xAt = f.saved as number;
      const dyAt = heap.staged(dyIn, at.dy);
      k.transpose(ctx.batch, units, dyAt, at.dyt);
      k.nn(units, size, ctx.batch, at.dyt, ctx.batch, xAt, size, at.dw, size, 0);
      if (need[0]) k.nn(ctx.batch, size, units, dyAt, units, at.w, size, at.dx, size, 0);
      const grads: TrainParams = { weight: heap.f32(at.dw, units * size) };
      if (hasBias(node)) {
        heap.f32(at.db, units).fill(0);
        k.colSums(units, ctx.batch, at.dyt, at.db);
        grads.bias = heap.f32(at.db, units);
      }
      return { inputs: [need[0] ? heap.f32(at.dx, x.length) : null], params: grads };
    },
  };
}

/**
 * An activation that works value by value and whose gradient needs only its output:
 * `forward(n, x, y)` and `back(n, y, dy, dx)`, kernels of the library.
 */
function fastActivation(lib: TrainLibrary, maxBatch: number, forward: "relu" | "sigmoid", back: "reluBack" | "sigmoidBack"): FastKernel {
  const { heap, k } = lib;
  const layout = layouts((node) => {
    const n = maxBatch * sizeOf(node.output);
    return { x: heap.reserve(4 * n), out: heap.reserve(4 * n), dy: heap.reserve(4 * n), dx: heap.reserve(4 * n) };
  });
  return {
    plan: (node) => void layout(node),
    forward(node, [x]) {
      const at = layout(node);
      k[forward](x.length, heap.staged(x, at.x), at.out);
      return { output: heap.f32(at.out, x.length) };
    },
    backward(node, dy, [x], _f, _p, _ctx, need) {
      if (!need[0]) return { inputs: [null] };
      const at = layout(node);
      k[back](x.length, at.out, heap.staged(dy, at.dy), at.dx);
      return { inputs: [heap.f32(at.dx, x.length)] };
    },
  };
}

/** relu: y = max(x, 0), dx = y > 0 ? dy : 0 */
export const fastRelu = (lib: TrainLibrary, maxBatch: number): FastKernel => fastActivation(lib, maxBatch, "relu", "reluBack");

/** sigmoid: y = 1/(1 + e^−x) (e^t by Cephes' expf in WebAssembly), dx = dy·y·(1 − y) */
export const fastSigmoid = (lib: TrainLibrary, maxBatch: number): FastKernel => fastActivation(lib, maxBatch, "sigmoid", "sigmoidBack");

/** whether every window of the table (y0, y1, x0, x1, divisor per output) is the whole 2×2 at (2·oy, 2·ox): the kernel avgpool2's case */
function wholeHalves(outWidth: number, windows: Int32Array | number[]): boolean {
  for (let o = 0, w = 0; w < windows.length; o++, w += 5) {
    const y = 2 * Math.floor(o / outWidth);
    const x = 2 * (o % outWidth);
    if (windows[w] !== y || windows[w + 1] !== y + 2 || windows[w + 2] !== x || windows[w + 3] !== x + 2 || windows[w + 4] !== 4) return false;
  }
  return true;
}

/** avgpool: each window's mean (the reference's windows and divisors: padding counted, as PyTorch) */
export function fastAvgpool(lib: TrainLibrary, maxBatch: number): FastKernel {
  const { heap, k } = lib;
  const layout = layouts((node) => {
    const g = windowGeometry(node);
    const windows = averageWindows(g);
    const table = heap.reserve(4 * windows.length);
    new Int32Array(heap.memory.buffer, table, windows.length).set(windows);
    const ins = maxBatch * sizeOf(node.input!);
    const outs = maxBatch * sizeOf(node.output);
    return { g, table, halves: wholeHalves(g.outWidth, windows), x: heap.reserve(4 * ins), out: heap.reserve(4 * outs), dy: heap.reserve(4 * outs), dx: heap.reserve(4 * ins) };
  });
  return {
    plan: (node) => void layout(node),
    forward(node, [x], _p, ctx) {
      const { g, halves, ...at } = layout(node);
      const outPlane = g.outHeight * g.outWidth;
      const planes = ctx.batch * g.inChannels;
      if (halves) k.avgpool2(planes, g.inHeight, g.inWidth, g.outHeight, g.outWidth, heap.staged(x, at.x), at.out);
      else k.avgpool(planes, g.inHeight * g.inWidth, outPlane, g.inWidth, at.table, heap.staged(x, at.x), at.out);
      return { output: heap.f32(at.out, planes * outPlane) };
    },
    backward(node, dy, [x], _f, _p, ctx, need) {
      if (!need[0]) return { inputs: [null] };
      const { g, halves, ...at } = layout(node);
      const planes = ctx.batch * g.inChannels;
      if (halves) k.avgpool2Back(planes, g.inHeight, g.inWidth, g.outHeight, g.outWidth, heap.staged(dy, at.dy), at.dx);
      else k.avgpoolBack(planes, g.inHeight * g.inWidth, g.outHeight * g.outWidth, g.inWidth, at.table, heap.staged(dy, at.dy), at.dx);
      return { inputs: [heap.f32(at.dx, x.length)] };
    },
  };
}

/** maxpool: each window's first largest value (PyTorch's index), its gradient to that one input */
export function fastMaxpool(lib: TrainLibrary, maxBatch: number): FastKernel {
  const { heap, k } = lib;
  const layout = layouts((node) => {
    const ins = maxBatch * sizeOf(node.input!);
    const outs = maxBatch * sizeOf(node.output);
    return { x: heap.reserve(4 * ins), out: heap.reserve(4 * outs), idx: heap.reserve(4 * outs), dy: heap.reserve(4 * outs), dx: heap.reserve(4 * ins) };
  });
  return {
    plan: (node) => void layout(node),
    forward(node, [x], _p, ctx) {
      const g = windowGeometry(node);
      const at = layout(node);
      const outs = ctx.batch * g.inChannels * g.outHeight * g.outWidth;
      k.maxpool(ctx.batch * g.inChannels, g.inHeight, g.inWidth, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft, heap.staged(x, at.x), at.out, at.idx);
      return { output: heap.f32(at.out, outs) };
    },
    backward(node, dy, [x], _f, _p, _ctx, need) {
      if (!need[0]) return { inputs: [null] };
      const at = layout(node);
      k.maxpoolBack(dy.length, at.idx, heap.staged(dy, at.dy), x.length, at.dx);
      return { inputs: [heap.f32(at.dx, x.length)] };
    },
  };
}
