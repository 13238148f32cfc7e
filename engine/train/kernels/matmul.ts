// The three matrix products backpropagation needs, over row-major matrices given as
// (array, offset, row stride), in either precision. Each keeps its innermost loop on
// contiguous memory:
//   nn: C[M×N] += A[M×K] · B[K×N]      (forward: filters · columns)
//   nt: C[M×N] += A[M×K] · B[N×K]ᵀ     (weight gradients: dY · colᵀ, a dot product per entry)
//   tn: C[M×N] += A[K×M]ᵀ · B[K×N]     (input gradients: Wᵀ · dY)

import type { Float } from "../float";

export interface Mat {
  data: Float;
  offset: number;
  stride: number;
}

export function mat(data: Float, offset = 0, stride = 0): Mat {
  return { data, offset, stride };
}

/** C[ci …] += x · B[bp …], n values (a row of nn's and tn's products; a zero x adds nothing) */
function addRow(n: number, x: number, B: Float, bp: number, C: Float, ci: number): void {
  if (x === 0) return;
  for (let j = 0; j < n; j++) C[ci + j] += x * B[bp + j];
}

export function nn(m: number, n: number, k: number, a: Mat, b: Mat, c: Mat): void {
  for (let i = 0; i < m; i++) {
    const ai = a.offset + i * a.stride;
    for (let p = 0; p < k; p++) addRow(n, a.data[ai + p], b.data, b.offset + p * b.stride, c.data, c.offset + i * c.stride);
  }
}

export function nt(m: number, n: number, k: number, a: Mat, b: Mat, c: Mat): void {
  const A = a.data, B = b.data, C = c.data;
  for (let i = 0; i < m; i++) {
    const ai = a.offset + i * a.stride;
    const ci = c.offset + i * c.stride;
    for (let j = 0; j < n; j++) {
      const bj = b.offset + j * b.stride;
      let sum = 0;
      for (let p = 0; p < k; p++) sum += A[ai + p] * B[bj + p];
      C[ci + j] += sum;
    }
  }
}

export function tn(m: number, n: number, k: number, a: Mat, b: Mat, c: Mat): void {
  for (let p = 0; p < k; p++) {
    const ap = a.offset + p * a.stride;
    for (let i = 0; i < m; i++) addRow(n, a.data[ap + i], b.data, b.offset + p * b.stride, c.data, c.offset + i * c.stride);
  }
}
