// C += A·B for row-major float32 (or float64) matrices given as (array, offset, row stride):
// A is M×K, B is K×N, C is M×N. Convolutions reduce to this (im2col), so it carries
// almost all of a network's time: four rows of C and four of B are kept in flight, so
// each pass over C does sixteen multiply-adds per element loaded and stored, and K is
// taken in blocks that stay in cache.

import type { Floats } from "../api";

export interface Matrix {
  data: Floats;
  offset: number;
  stride: number;
}

const K_BLOCK = 256;

export function gemm(m: number, n: number, k: number, a: Matrix, b: Matrix, c: Matrix): void {
  for (let k0 = 0; k0 < k; k0 += K_BLOCK) {
    const k1 = Math.min(k, k0 + K_BLOCK);
    let i = 0;
    for (; i + 4 <= m; i += 4) rows4(i, n, k0, k1, a, b, c);
    for (; i < m; i++) row1(i, n, k0, k1, a, b, c);
  }
}

function rows4(i: number, n: number, k0: number, k1: number, a: Matrix, b: Matrix, c: Matrix): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const a0 = a.offset + i * a.stride;
  const a1 = a0 + a.stride;
  const a2 = a1 + a.stride;
  const a3 = a2 + a.stride;
  const c0 = c.offset + i * c.stride;
  const c1 = c0 + c.stride;
  const c2 = c1 + c.stride;
  const c3 = c2 + c.stride;
  let p = k0;
  for (; p + 4 <= k1; p += 4) {
    const x0 = A[a0 + p], y0 = A[a0 + p + 1], z0 = A[a0 + p + 2], w0 = A[a0 + p + 3];
    const x1 = A[a1 + p], y1 = A[a1 + p + 1], z1 = A[a1 + p + 2], w1 = A[a1 + p + 3];
    const x2 = A[a2 + p], y2 = A[a2 + p + 1], z2 = A[a2 + p + 2], w2 = A[a2 + p + 3];
    const x3 = A[a3 + p], y3 = A[a3 + p + 1], z3 = A[a3 + p + 2], w3 = A[a3 + p + 3];
    const b0 = b.offset + p * b.stride;
    const b1 = b0 + b.stride;
    const b2 = b1 + b.stride;
    const b3 = b2 + b.stride;
    for (let j = 0; j < n; j++) {
      const u = B[b0 + j];
      const v = B[b1 + j];
      const s = B[b2 + j];
      const t = B[b3 + j];
      C[c0 + j] += x0 * u + y0 * v + z0 * s + w0 * t;
      C[c1 + j] += x1 * u + y1 * v + z1 * s + w1 * t;
      C[c2 + j] += x2 * u + y2 * v + z2 * s + w2 * t;
      C[c3 + j] += x3 * u + y3 * v + z3 * s + w3 * t;
    }
  }
  for (; p + 2 <= k1; p += 2) {
    const x0 = A[a0 + p], y0 = A[a0 + p + 1];
    const x1 = A[a1 + p], y1 = A[a1 + p + 1];
    const x2 = A[a2 + p], y2 = A[a2 + p + 1];
    const x3 = A[a3 + p], y3 = A[a3 + p + 1];
    const bx = b.offset + p * b.stride;
    const by = bx + b.stride;
    for (let j = 0; j < n; j++) {
      const u = B[bx + j];
      const v = B[by + j];
      C[c0 + j] += x0 * u + y0 * v;
      C[c1 + j] += x1 * u + y1 * v;
      C[c2 + j] += x2 * u + y2 * v;
      C[c3 + j] += x3 * u + y3 * v;
    }
  }
  for (; p < k1; p++) {
    const x0 = A[a0 + p], x1 = A[a1 + p], x2 = A[a2 + p], x3 = A[a3 + p];
    const bx = b.offset + p * b.stride;
    for (let j = 0; j < n; j++) {
      const u = B[bx + j];
      C[c0 + j] += x0 * u;
      C[c1 + j] += x1 * u;
      C[c2 + j] += x2 * u;
      C[c3 + j] += x3 * u;
    }
  }
}

function row1(i: number, n: number, k0: number, k1: number, a: Matrix, b: Matrix, c: Matrix): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const ar = a.offset + i * a.stride;
  const cr = c.offset + i * c.stride;
  for (let p = k0; p < k1; p++) {
    const x = A[ar + p];
    const bx = b.offset + p * b.stride;
    for (let j = 0; j < n; j++) C[cr + j] += x * B[bx + j];
  }
}
