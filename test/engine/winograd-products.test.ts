// Winograd's products (kernels/winograd.ts, wino_products): M[p] = U[p]·V[p] for a range of
// positions. Where U is large and a panel serves four column groups or more, the strip
// touches the next panel of U ahead of use: it must never read past U — a trap if U ends
// where the memory ends — and must not change a result. U at the very end of the memory,
// every range of positions ending at its last one, sizes on both sides of the touching
// threshold (TOUCH_WEIGHTS) and of going one column group at a time (BY_GROUP_BYTES),
// checked against a plain float64 product.

import * as assert from "node:assert/strict";
import { Heap } from "../../engine/fast/heap";
import { instantiateLibrary } from "../../engine/wasm/library";
import { NR } from "../../engine/wasm/kernels/gemm";
import { BY_GROUP_BYTES, positionBytes, TOUCH_WEIGHTS } from "../../engine/wasm/kernels/winograd";
import { fillUniform } from "../../engine/random";
import { enableRelaxedSimd } from "../../engine/wasm/relaxed-node";

enableRelaxedSimd();

describe("Winograd products: the touch of the next panel of U", () => {
  // [positions, C, Mp, tiles]: 128 × 256 = TOUCH_WEIGHTS with 4 and 5 groups (touching), with
  // 3 (not), and below the threshold; 16 and 36 positions as the forms have
  const shapes: [number, number, number, number][] = [[3, 128, 256, 32], [2, 256, 128, 40], [2, 128, 256, 24], [3, 16, 20, 32], [1, 256, 132, 32], [2, 400, 20, 16], [1, 300, 12, 24]];
  it("some shapes go one column group at a time (BY_GROUP_BYTES)", () => assert.ok(shapes.filter(([, C, , nb]) => 4 * C * nb > BY_GROUP_BYTES && nb / NR <= 3).length >= 2));
  it("the shapes reach the touching threshold", () => assert.ok(shapes.filter(([, C, Mp, nb]) => C * Mp >= TOUCH_WEIGHTS && nb / NR >= 4).length >= 3));
  for (const relaxed of [false, true])
    for (const [P, C, Mp, nb] of shapes)
      it(`${P} positions of ${Mp}×${C} times ${C}×${nb} with U last in memory, ${relaxed ? "relaxed" : "plain"} SIMD`, async () => {
        const uFloats = P * Mp * C;
        const heap = new Heap(4 * uFloats + 2 * P * positionBytes(Math.max(C, Mp) * nb) + (1 << 16));
        const lib = await instantiateLibrary(heap.memory, { relaxed });
        const v = heap.reserve(P * positionBytes(C * nb));
        const m = heap.reserve(P * positionBytes(Mp * nb));
        // U [p][panel][C][MR], its last byte the memory's last
        const u = heap.memory.buffer.byteLength - 4 * uFloats;
        assert.ok(u > heap.size, "U sits past everything reserved");
        const U = heap.f32(u, uFloats);
        fillUniform(U, 1, 1, 1);
        const vStride = positionBytes(C * nb) / 4;
        const mStride = positionBytes(Mp * nb) / 4;
        const V = heap.f32(v, P * vStride);
        fillUniform(V, 2, 1, 1);
        const MR = lib.MR;
        for (let from = 0; from < P; from++) {
          heap.f32(m, P * mStride).fill(NaN);
          lib.k.wino_products({ u, v, m, channels: C, paddedRows: Mp, count: nb, from, to: P });
          const M = heap.f32(m, P * mStride);
          for (let p = from; p < P; p++)
            for (let row = 0; row < Mp; row++)
              for (let t = 0; t < nb; t++) {
                let sum = 0;
                for (let c = 0; c < C; c++) {
                  const a = U[p * Mp * C + Math.floor(row / MR) * MR * C + c * MR + (row % MR)];
                  const b = V[p * vStride + Math.floor(t / NR) * C * NR + c * NR + (t % NR)];
                  sum += a * b;
                }
                const got = M[p * mStride + row * nb + t];
                assert.ok(Math.abs(got - sum) <= 1e-5 * Math.max(1, Math.abs(sum)), `from ${from}: M[${p}][${row}][${t}] = ${got}, expected ${sum}`);
              }
        }
      });
});
