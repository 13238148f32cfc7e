// The numbers training works in. The reference kernels are written once over either
// float32 (training) or float64 (the finite-difference checks, as PyTorch's gradcheck
// runs in double): a kernel allocates its outputs with the type of its input.
//
// Batches are PyTorch's N×C×H×W, flattened: sample n's C×H×W block starts at n·C·H·W.

export type Float = Float32Array | Float64Array;

/** a zeroed array of `length` numbers of the same precision as `x` */
export function like(x: Float, length: number): Float {
  return x instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}

/** a copy of `x` in the precision of `as` */
export function asPrecisionOf(x: ArrayLike<number>, as: Float): Float {
  return as instanceof Float64Array ? Float64Array.from(x) : Float32Array.from(x);
}

/** the learned tensors of one layer while training (any precision) */
export interface TrainParams {
  weight?: Float;
  bias?: Float;
  runningMean?: Float;
  runningVar?: Float;
}

/** the parameter tensors an optimizer updates (bn's running statistics are not among them) */
export const TRAINABLE: readonly ("weight" | "bias")[] = ["weight", "bias"];
