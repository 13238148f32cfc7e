// How the run view writes a value: four significant digits (`-2.997`, `0.07306`, `14`,
// `1.235e-5`), not float32's shortest round trip (`-2.9967885`): a legend or a hover is
// read, not copied back. Integers up to 6 digits stay whole.

export function significant(v: number, digits = 4): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  const sign = v < 0 ? "−" : "";
  if (Number.isInteger(v) && a < 1e6) return sign + String(a);
  if (a >= 1e-3 && a < 1e6) return sign + String(Number(a.toPrecision(digits)));
  // very small or very large: mantissa and exponent, trailing zeros dropped
  const [mantissa, exponent] = a.toExponential(digits - 1).split("e");
  return `${sign}${String(Number(mantissa))}e${exponent.replace("+", "")}`;
}
