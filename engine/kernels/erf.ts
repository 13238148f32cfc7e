// The error function to double precision, for the exact GELU. Below |x| = 2.5 its Taylor
// series converges fast; above, the continued fraction of erfc (Lentz's method) does.

export function erf(x: number): number {
  if (x !== x) return x;
  const a = Math.abs(x);
  if (a > 6) return x > 0 ? 1 : -1;
  const r = a < 2.5 ? series(a) : 1 - complement(a);
  return x < 0 ? -r : r;
}

/** erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)) */
function series(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) for x ≥ 2.5 */
function complement(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : d;
    c = x + an / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
