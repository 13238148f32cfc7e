// Relaxed SIMD in Node 20: V8 11.3 has it (fused multiply-add, f32x4.relaxed_madd) behind
// --experimental-wasm-relaxed-simd; Chromium ≥ 114 and Node ≥ 22 have it on. `cnn` turns
// the flag on at start (v8.setFlagsFromString, before any kernel is compiled; worker
// threads started later share it), so the kernels take the fused multiply-add: some 25 %
// less GEMM time (docs/ENGINE-SPEED.md). Results differ from the
// plain-SIMD kernels only by rounding (one rounding per multiply-add instead of two);
// both paths are tested.

import { setFlagsFromString } from "node:v8";
import { forgetWasmFeatures, wasmFeatures } from "./features";

/** turns relaxed SIMD on where this Node has it behind a flag; whether the engine now has it */
export function enableRelaxedSimd(): boolean {
  if (wasmFeatures().relaxedSimd) return true;
  try {
    setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    // a V8 that knows no such flag: the plain kernels
  }
  forgetWasmFeatures();
  return wasmFeatures().relaxedSimd;
}
