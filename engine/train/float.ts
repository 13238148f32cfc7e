// The numbers training works in. The reference kernels are written once over either
// float32 (training) or float64 (the finite-difference checks, as PyTorch's gradcheck
// runs in double): a kernel allocates its outputs with the type of its input.
//
// Batches are PyTorch's N×C×H×W, flattened: sample n's C×H×W block starts at n·C·H·W.

export type Float = Float32Array | Float64Array;

// Inside `withArena`, float32 arrays are recycled: a training step allocates the same
// sizes every time (outputs, gradients), and a fresh large typed array costs a zeroed
// mapping from the system each time. Every array taken inside goes back to the pool when
// the function returns, so nothing made inside may be kept after it.
const arenaPool = new Map<number, Float32Array[]>();
let pooling = false;
let taken: Float32Array[] = [];

export function withArena<T>(fn: () => T): T {
  if (pooling) return fn();
  pooling = true;
  try {
    return fn();
  } finally {
    for (const a of taken) {
      let free = arenaPool.get(a.length);
      if (!free) arenaPool.set(a.length, (free = []));
      free.push(a);
    }
    taken = [];
    pooling = false;
  }
}

/** a zeroed array of `length` numbers of the same precision as `x` */
export function like(x: Float, length: number): Float {
  if (x instanceof Float64Array) return new Float64Array(length);
  if (!pooling) return new Float32Array(length);
  let a = arenaPool.get(length)?.pop();
  if (a) a.fill(0);
  else a = new Float32Array(length);
  taken.push(a);
  return a;
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
