// Stride-2 convolutions' kernels. The four polyphase parts of a padded input
// (steps/polyphase.ts: a 7×7 stride-2 convolution as a 4×4 stride-1 one over them): part
// (py, px) of channel c is every other row from py and every other float from px, so a
// vector of four is two loads and one shuffle of the even lanes. And the transforms of a
// 3×3 stride-2 convolution's nested 9-point algorithm (steps/strided.ts).

import type { Module } from "../emit/module";
import { i32, v } from "../emit/ops";
import { emitKernel } from "../signatures";
import { emitInput, emitOutput } from "./winograd";

export function emitPolyphase(m: Module) {
  return emitKernel(m, "phase_split", (f, p) => {
    const { dst, src, channels: C, from, to, height: H, width: W, srcWidth: Ws } = p;
    const c = f.i32();
    const ph = f.i32();
    const i = f.i32();
    const j = f.i32();
    const s = f.i32();
    const d = f.i32();
    const at = f.i32();
    const rowBytes = f.i32(i32.shl(Ws, 2));
    const srcPlane = f.i32(i32.mul(i32.shl(H, 1), rowBytes));
    const dstPlane = f.i32(i32.shl(i32.mul(H, W), 2));
    const dstRow = f.i32(i32.shl(W, 2));
    f.for(c, from, to, 1, () => {
      f.for(ph, 0, 4, 1, () => {
        f.set(d, i32.add(dst, i32.mul(i32.add(i32.mul(ph, C), c), dstPlane)));
        f.set(s, i32.add(i32.add(src, i32.mul(c, srcPlane)), i32.add(i32.mul(i32.shrU(ph, 1), rowBytes), i32.shl(i32.and(ph, 1), 2))));
        f.for(i, 0, H, 1, () => {
          f.for(j, 0, W, 4, () => {
            f.set(at, i32.add(s, i32.shl(j, 3)));
            f.storeV(i32.add(d, i32.shl(j, 2)), v.shuffle(v.load(at), v.load(at, 16), [0, 2, 4, 6]));
          });
          f.inc(d, dstRow);
          f.inc(s, i32.shl(rowBytes, 1));
        });
      });
    });
  });
}

/**
 * F(m, r) by Toom–Cook for the finite `points` and ∞ (m + r − 2 of them): Aᵀ (m×n) and
 * G (n×r) are Vandermonde rows (∞: the leading coefficient), Bᵀ (n×n) the one solution of
 * y = Aᵀ[(G·g) ⊙ (Bᵀ·d)] being the correlation y_i = Σ_k g_k d_{i+k} (least squares on its
 * m·r equations per column, in float64; the tests check the identity)
 */
export function toomCook(m: number, r: number, points: number[]): { AT: number[][]; G: number[][]; BT: number[][] } {
  const n = m + r - 1;
  if (points.length !== n - 1) throw new Error(`F(${m}, ${r}) takes ${n - 1} finite points`);
  const all: (number | null)[] = [...points, null];
  const powers = (p: number | null, len: number) => Array.from({ length: len }, (_, i) => (p === null ? (i === len - 1 ? 1 : 0) : p ** i));
  const AT = Array.from({ length: m }, (_, i) => all.map((p) => powers(p, m)[i]));
  const G = all.map((p) => powers(p, r));
  const E: number[][] = [];
  for (let i = 0; i < m; i++) for (let k = 0; k < r; k++) E.push(all.map((_, p) => AT[i][p] * G[p][k]));
  const BT = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    // normal equations EᵀE x = Eᵀ b, b the indicator of j = i + k
    const A = Array.from({ length: n }, (_, p) => [...Array.from({ length: n }, (_, q) => E.reduce((s, e) => s + e[p] * e[q], 0)), E.reduce((s, e, row) => s + e[p] * (Math.floor(row / r) + (row % r) === j ? 1 : 0), 0)]);
    for (let col = 0; col < n; col++) {
      let pivot = col;
      for (let q = col + 1; q < n; q++) if (Math.abs(A[q][col]) > Math.abs(A[pivot][col])) pivot = q;
      [A[col], A[pivot]] = [A[pivot], A[col]];
      for (let q = 0; q < n; q++) {
        if (q === col) continue;
        const factor = A[q][col] / A[col][col];
        for (let c = col; c <= n; c++) A[q][c] -= factor * A[col][c];
      }
    }
    for (let p = 0; p < n; p++) BT[p][j] = A[p][n] / A[p][p];
  }
  // the solution's entries are rationals of small denominators: each row of Bᵀ times the
  // least of them that makes it integers (G's row divided by it: the same products), so
  // the transform at run time adds and multiplies by small integers exactly
  BT.forEach((row, p) => {
    const scale = [1, 2, 3, 4, 6, 8, 12, 24].find((k) => row.every((x) => Math.abs(x * k - Math.round(x * k)) < 1e-9));
    if (scale === undefined) throw new Error(`F(${m}, ${r}): row ${p} of Bᵀ is no small rational`);
    BT[p] = row.map((x) => Math.round(x * scale) + 0);
    G[p] = G[p].map((x) => x / scale);
  });
  return { AT, G, BT };
}

/**
 * A 3×3 stride-2 convolution's 4 outputs of a row from its 9 inputs d_0…d_8 in 9
 * multiplications instead of 12: the taps g_0, g_2 meet the even inputs (F(4, 2), points
 * 0, 1, −1, 2, ∞), g_1 the odd ones (one product each). Positions 0–4 are F(4, 2)'s, 5–8
 * the odd inputs; nested in two dimensions, 81 per 4×4 outputs instead of 144
 * (steps/strided.ts).
 */
export const F42 = toomCook(4, 2, [0, 1, -1, 2]);
export const S9 = {
  /** Bᵀ (9×9): F(4, 2)'s on d_0, d_2, …, d_8, then d_1, d_3, d_5, d_7 */
  BT: [...F42.BT.map((row) => Array.from({ length: 9 }, (_, c) => (c % 2 === 0 ? row[c / 2] : 0))), ...[0, 1, 2, 3].map((q) => Array.from({ length: 9 }, (_, c) => (c === 2 * q + 1 ? 1 : 0)))],
  /** G (9×3): F(4, 2)'s on (g_0, g_2), then g_1 four times */
  G: [...F42.G.map(([a, b]) => [a, 0, b]), ...[0, 1, 2, 3].map(() => [0, 1, 0])],
  /** Aᵀ (4×9): F(4, 2)'s, then the identity */
  AT: F42.AT.map((row, i) => [...row, ...[0, 1, 2, 3].map((q) => (q === i ? 1 : 0))]),
};

/** the 9-position transforms (the products are the Winograd layers' wino_products) */
export function emitStrided(m: Module) {
  const form = { tile: 4 as const, patch: 9, BT: S9.BT, AT: S9.AT, names: { input: "wino9_input" as const, output: "wino9_output" as const } };
  emitInput(m, form);
  emitOutput(m, form);
}
