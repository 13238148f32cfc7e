// The kernel library: one module holding every kernel, generated for this engine's
// features (fused multiply-add or not) and instantiated over a memory the caller owns —
// a plain one, or a shared one that worker threads instantiate the same module over
// (engine/fast/threads).

import { Module } from "./emit/module";
import { emitGemm } from "./kernels/gemm";
import { emitIm2col } from "./kernels/im2col";
import { emitLayout } from "./kernels/layout";
import { emitFc } from "./kernels/fc";
import { emitElementwise } from "./kernels/elementwise";
import { emitWindow } from "./kernels/window";
import { emitReduce } from "./kernels/reduce";
import { emitChannels } from "./kernels/channels";
import { emitWinograd } from "./kernels/winograd";
import { emitPolyphase, emitStrided } from "./kernels/polyphase";
import { wasmFeatures } from "./features";
import { namedKernels, type Kernels } from "./signatures";

export interface KernelLibrary {
  memory: WebAssembly.Memory;
  /** rows of the GEMM register tile (weights are packed in panels of this many rows) */
  MR: number;
  relaxed: boolean;
  /** the memory is shared (worker threads may run the kernels on it too) */
  shared: boolean;
  /**
   * The kernels, each called with its arguments by name (engine/wasm/signatures.ts). A
   * recorder may stand in for them while a step's calls are written down for the worker
   * threads (engine/fast/threads/record.ts).
   */
  k: Kernels;
  /** the compiled module (a worker instantiates it over the same shared memory) */
  module: WebAssembly.Module;
}

export function libraryBytes(relaxed: boolean, shared = false): { bytes: Uint8Array<ArrayBuffer>; MR: number } {
  // 4×8 with fused multiply-add too: in this emitter's kernel the 6×8 tile measured far
  // slower under V8 11.3 (15–20 vs 28–45 GFLOP/s on MobileNetV2's 1×1 shapes: 12
  // accumulators, the B vectors and the splat leave V8 no spare XMM register)
  const MR = 4;
  const m = new Module();
  const im2col = emitIm2col(m);
  const gemm = emitGemm(m, MR, relaxed, im2col);
  emitWinograd(m, MR, gemm);
  emitPolyphase(m);
  emitStrided(m);
  emitLayout(m);
  emitFc(m, relaxed);
  emitElementwise(m);
  emitWindow(m, relaxed);
  emitReduce(m);
  emitChannels(m);
  return { bytes: m.toBytes({ shared }), MR };
}

const compiled = new Map<string, Promise<{ module: WebAssembly.Module; MR: number }>>();

/** `shared`: the memory given is a shared WebAssembly.Memory (default: whether it is) */
export async function instantiateLibrary(memory: WebAssembly.Memory, options: { relaxed?: boolean; shared?: boolean } = {}): Promise<KernelLibrary> {
  const relaxed = options.relaxed ?? wasmFeatures().relaxedSimd;
  const shared = options.shared ?? isShared(memory);
  const key = `${relaxed}/${shared}`;
  let c = compiled.get(key);
  if (!c) {
    const { bytes, MR } = libraryBytes(relaxed, shared);
    c = WebAssembly.compile(bytes).then((module) => ({ module, MR }));
    compiled.set(key, c);
  }
  const { module, MR } = await c;
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return { memory, MR, relaxed, shared, module, k: namedKernels(instance.exports) };
}

/** is this memory's buffer a SharedArrayBuffer? */
export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer === "function" && memory.buffer instanceof SharedArrayBuffer;
}
