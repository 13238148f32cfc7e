// Fully connected (PyTorch Linear): out[n] = bias[n] + Σ_i w[n][i] · in[i], w being N×n_in.
// A volume arrives already flat in C×H×W order, as torch.flatten leaves it.

export function fullyConnected(input: Float32Array, weight: Float32Array, bias: Float32Array | null, units: number): Float32Array {
  const size = input.length;
  const out = new Float32Array(units);
  for (let n = 0; n < units; n++) {
    const row = n * size;
    let sum = 0;
    for (let i = 0; i < size; i++) sum += weight[row + i] * input[i];
    out[n] = sum + (bias ? bias[n] : 0);
  }
  return out;
}
