// The kernel library: one module holding every kernel, generated for this engine's
// features (fused multiply-add or not) and instantiated over a memory the caller owns.

import { Module } from "./emit/module";
import { emitGemm } from "./kernels/gemm";
import { emitIm2col } from "./kernels/im2col";
import { emitLayout } from "./kernels/layout";
import { emitFc } from "./kernels/fc";
import { emitElementwise } from "./kernels/elementwise";
import { emitWindow } from "./kernels/window";
import { emitReduce } from "./kernels/reduce";
import { emitWinograd } from "./kernels/winograd";
import { wasmFeatures } from "./features";
import { namedKernels, type Kernels } from "./signatures";

export interface KernelLibrary {
  memory: WebAssembly.Memory;
  /** rows of the GEMM register tile (weights are packed in panels of this many rows) */
  MR: number;
  relaxed: boolean;
  /** the kernels, each called with its arguments by name (engine/wasm/signatures.ts) */
  k: Kernels;
}

export function libraryBytes(relaxed: boolean): { bytes: Uint8Array<ArrayBuffer>; MR: number } {
  const MR = relaxed ? 6 : 4;
  const m = new Module();
  const im2col = emitIm2col(m);
  const gemm = emitGemm(m, MR, relaxed, im2col);
  emitWinograd(m, MR, gemm);
  emitLayout(m);
  emitFc(m, relaxed);
  emitElementwise(m);
  emitWindow(m, relaxed);
  emitReduce(m);
  return { bytes: m.toBytes(), MR };
}

const compiled = new Map<boolean, Promise<{ module: WebAssembly.Module; MR: number }>>();

export async function instantiateLibrary(memory: WebAssembly.Memory, options: { relaxed?: boolean } = {}): Promise<KernelLibrary> {
  const relaxed = options.relaxed ?? wasmFeatures().relaxedSimd;
  let c = compiled.get(relaxed);
  if (!c) {
    const { bytes, MR } = libraryBytes(relaxed);
    c = WebAssembly.compile(bytes).then((module) => ({ module, MR }));
    compiled.set(relaxed, c);
  }
  const { module, MR } = await c;
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return { memory, MR, relaxed, k: namedKernels(instance.exports) };
}
