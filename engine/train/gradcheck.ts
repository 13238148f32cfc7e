// A finite-difference check of backward passes, as torch.autograd.gradcheck does it:
// in float64, every entry of the Jacobian computed both ways — numerically by central
// differences (f(x + ε·e_i) − f(x − ε·e_i))/2ε column by column, analytically by the
// vector–Jacobian product with each one-hot output gradient row by row — and compared
// entry by entry: |analytic − numeric| ≤ atol + rtol·|numeric| (PyTorch's defaults:
// ε = 1e-6, atol = 1e-5, rtol = 1e-3).

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

export interface GradcheckFailure {
  input: number;
  index: number;
  output: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  /** Jacobian entries compared */
  entries: number;
  /** the largest |analytic − numeric| */
  maxError: number;
  /** the first entry outside the bound, if any */
  failure: GradcheckFailure | null;
}

/**
 * `f` maps the inputs to one output vector; `vjp(inputs, dy)` returns dy·J for each input
 * (null: that input is not differentiated). Every input is perturbed in place and restored.
 */
export function gradcheck(
  f: (inputs: Float64Array[]) => Float64Array,
  vjp: (inputs: Float64Array[], dy: Float64Array) => (Float64Array | null)[],
  inputs: Float64Array[],
  options: GradcheckOptions = {},
): GradcheckResult {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const y0 = f(inputs);
  const outputs = y0.length;
  // numeric[t][i][j] = ∂y_j/∂x_t[i]
  const numeric = inputs.map((x) => {
    const columns: Float64Array[] = [];
    for (let i = 0; i < x.length; i++) {
      const keep = x[i];
      // copies: an output may be the input itself (flatten), which the next line changes
      x[i] = keep + eps;
      const plus = Float64Array.from(f(inputs));
      x[i] = keep - eps;
      const minus = Float64Array.from(f(inputs));
      x[i] = keep;
      const col = new Float64Array(outputs);
      for (let j = 0; j < outputs; j++) col[j] = (plus[j] - minus[j]) / (2 * eps);
      columns.push(col);
    }
    return columns;
  });
  let entries = 0;
  let maxError = 0;
  let failure: GradcheckFailure | null = null;
  const dy = new Float64Array(outputs);
  for (let j = 0; j < outputs; j++) {
    dy.fill(0);
    dy[j] = 1;
    const rows = vjp(inputs, dy);
    inputs.forEach((x, t) => {
      const row = rows[t];
      if (!row) return;
      if (row.length !== x.length) throw new Error(`gradcheck: the gradient of input ${t} has ${row.length} values, the input ${x.length}`);
      for (let i = 0; i < x.length; i++) {
        const a = row[i];
        const n = numeric[t][i][j];
        const error = Math.abs(a - n);
        entries++;
        if (!(error <= maxError)) maxError = Number.isNaN(error) ? Infinity : Math.max(maxError, error);
        if (!failure && !(error <= atol + rtol * Math.abs(n))) failure = { input: t, index: i, output: j, analytic: a, numeric: n };
      }
    });
  }
  return { entries, maxError, failure };
}
