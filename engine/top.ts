// The k largest values of an output, largest first (the run view's top-5, `cnn run`).

export interface RankedClass {
  index: number;
  value: number;
}

export function topClasses(values: ArrayLike<number>, k: number): RankedClass[] {
  const best: RankedClass[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (best.length < k || v > best[best.length - 1].value) {
      best.push({ index: i, value: v });
      best.sort((a, b) => b.value - a.value || a.index - b.index);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** softmax of a vector, for showing scores as probabilities */
export function probabilities(values: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  const out = new Float64Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += out[i] = Math.exp(values[i] - max);
  for (let i = 0; i < values.length; i++) out[i] /= sum;
  return out;
}
