// What this WebAssembly engine offers, found by validating tiny modules (never by
// version sniffing): SIMD (v128) is required for the fast executor; relaxed SIMD's
// fused multiply-add is used where present (Chromium ≥ 114, Node 22; Node 20 only
// with --experimental-wasm-relaxed-simd, which `cnn` turns on: relaxed-node.ts).

import type { Expr } from "./emit/expr";
import { Module } from "./emit/module";
import { v } from "./emit/ops";

export interface WasmFeatures {
  simd: boolean;
  relaxedSimd: boolean;
}

/** does a module whose one function returns `body(x)` for a v128 x validate? */
function validates(body: (x: Expr) => Expr): boolean {
  try {
    const m = new Module();
    m.func("probe", ["v128"], ["v128"], (f) => f.returnValue(body(v.add(f.params[0], f.params[0]))));
    return typeof WebAssembly === "object" && WebAssembly.validate(m.toBytes());
  } catch {
    return false;
  }
}

let cached: WasmFeatures | null = null;

/** forgets what was found (after a V8 flag turned a feature on: engine/wasm/relaxed-node.ts) */
export function forgetWasmFeatures(): void {
  cached = null;
}

export function wasmFeatures(): WasmFeatures {
  if (!cached) {
    const simd = validates((x) => x);
    cached = { simd, relaxedSimd: simd && validates((x) => v.madd(x, x, x, true)) };
  }
  return cached;
}
