// Joining parallel paths: add sums element-wise (residual, add); concat stacks along
// the depth, which in C×H×W order is plain concatenation (vectors are joined the same way).

export function addAll(inputs: Float32Array[]): Float32Array {
  const out = Float32Array.from(inputs[0]);
  for (let k = 1; k < inputs.length; k++) {
    const x = inputs[k];
    for (let i = 0; i < out.length; i++) out[i] += x[i];
  }
  return out;
}

export function concatAll(inputs: Float32Array[]): Float32Array {
  const out = new Float32Array(inputs.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of inputs) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}
