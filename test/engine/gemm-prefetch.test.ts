// The GEMM's product touches the next panel of A ahead of use (kernels/gemm.ts, strip
// "touching"): it must never read past A — a trap if A ends where the memory ends — and
// must not change a single result. A at the very end of the memory, products of several
// row panels (the last one partial) over 1 to 25 column groups, checked against a plain
// float64 product.

import * as assert from "node:assert/strict";
import { Heap } from "../../engine/fast/heap";
import { instantiateLibrary } from "../../engine/wasm/library";
import { KC, NC, NR } from "../../engine/wasm/kernels/gemm";
import { fillUniform } from "../../engine/random";
import { enableRelaxedSimd } from "../../engine/wasm/relaxed-node";

enableRelaxedSimd();

describe("GEMM: the prefetch of the next panel of A", () => {
  for (const relaxed of [false, true])
    for (const [M, Kd, N] of [[13, 37, 49], [8, 300, 8], [22, 5, 200], [4, 260, 17], [9, 64, 130], [16, 3, 1]])
      it(`${M}×${Kd} times ${Kd}×${N} with A last in memory, ${relaxed ? "relaxed" : "plain"} SIMD`, async () => {
        const heap = new Heap(1 << 20);
        const lib = await instantiateLibrary(heap.memory, { relaxed });
        const MR = lib.MR;
        const Mp = Math.ceil(M / MR) * MR;
        const bias = heap.reserve(4 * Mp);
        const b = heap.reserve(4 * Kd * N + 64);
        const c = heap.reserve(4 * M * N + 64);
        const koff = heap.reserve(4 * Kd);
        const noff = heap.reserve(4 * N);
        const panel = heap.reserve(4 * KC * NC);
        const tiles = heap.reserve(4 * 2 * MR * NR + 256);
        // A packed [panel][Kd][MR], its last byte the memory's last
        const aBytes = 4 * Mp * Kd;
        const a = heap.memory.buffer.byteLength - aBytes;
        assert.ok(a > heap.size, "A sits past everything reserved");
        const w = new Float32Array(M * Kd);
        fillUniform(w, 1, 1, 1);
        const packed = heap.f32(a, Mp * Kd);
        packed.fill(0);
        for (let m = 0; m < M; m++) for (let k = 0; k < Kd; k++) packed[Math.floor(m / MR) * MR * Kd + k * MR + (m % MR)] = w[m * Kd + k];
        const x = heap.f32(b, Kd * N);
        fillUniform(x, 2, 1, 1);
        const beta = heap.f32(bias, Mp);
        fillUniform(beta, 3, 1, 1);
        heap.i32(koff, Kd).forEach((_, i, t) => (t[i] = 4 * i * N));
        heap.i32(noff, N).forEach((_, i, t) => (t[i] = 4 * i));
        lib.k.gemm({ a, rows: M, depth: Kd, b, columns: N, ld: N, c, bias, residual: 0, act: 0, koff, noff, panel, scratch: tiles });
        const out = heap.f32(c, M * N);
        for (let m = 0; m < M; m++)
          for (let n = 0; n < N; n++) {
            let sum = beta[m];
            for (let k = 0; k < Kd; k++) sum += w[m * Kd + k] * x[k * N + n];
            assert.ok(Math.abs(out[m * N + n] - sum) <= 1e-5 * Math.max(1, Math.abs(sum)), `C[${m}][${n}] = ${out[m * N + n]}, expected ${sum}`);
          }
      });
});
