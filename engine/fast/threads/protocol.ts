// What the main thread and the worker threads share, besides the kernels' memory: the
// words of a team's control block (Int32, in the shared memory) and the layout of a
// phase's program (the recorded kernel calls of each part, float64, in the same memory).
//
// A phase, as the main thread runs it (engine/fast/threads/team.ts):
//   CLAIM ← CLOSED; PROGRAM, COUNT ← the phase's; DONE ← 0; CLAIM ← epoch·2¹⁶ (open);
//   EPOCH += 1 and wake the sleepers; then every thread (the main one too) claims parts
//   one by one (compare-and-swap CLAIM → CLAIM + 1 while its epoch is the same and its
//   part < COUNT), runs each and adds 1 to DONE; the main thread waits for DONE = COUNT.
// Closing CLAIM before PROGRAM and COUNT change is what makes a late thread safe: its
// claim only succeeds while the epoch it read them under is still open.
//
// A program: [n, offset₀ … offsetₙ₋₁] then each part at its offset (in float64s from
// the program's start): [calls, then per call: kernel, argc, local mask, args…]; an
// argument whose bit is set in the mask is an address in the recording thread's local
// scratch, and each thread adds (its local − LOCAL0) to it.

export const Ctl = {
  /** futex the idle workers sleep on: +1 per phase and per park */
  EPOCH: 0,
  /** epoch (15 bits) · 2¹⁶ + the next unclaimed part, or CLOSED while a phase is set up */
  CLAIM: 1,
  DONE: 2,
  COUNT: 3,
  /** byte address of the phase's program, or PARK: leave the loop (the run is over) */
  PROGRAM: 4,
  /** 0, or 1 + the index of a kernel that failed on a worker thread */
  ERROR: 5,
  /** the run the workers were asked to join (a late "enter" message for an older run is ignored) */
  RUN: 6,
  /** parts the workers ran, in all (the main thread's are not counted): how much they took */
  WORKER_PARTS: 7,
  /** workers in the team's loop now */
  ACTIVE: 8,
  /** times a worker went to sleep on EPOCH (it spun SPIN_MS and no phase came): each costs a wake-up */
  SLEEPS: 9,
  /** words in the block (64 bytes) */
  WORDS: 16,
} as const;

export const CLOSED = -1;
export const PARK = -1;
/**
 * How long a thread busy-waits before it sleeps (ms): for the next phase (a worker) or
 * for the phase's last parts (the main thread). A sleeping thread costs a wake-up —
 * tens of µs, more in a virtual machine whose idle core has halted — against phases of
 * 50–300 µs in MobileNetV2: so a thread spins across the serial steps between phases
 * and sleeps only when the run is over (or its core is taken away for that long).
 */
export const SPIN_MS = 2;

/** constants the worker's source is given (it cannot import them) */
export const workerConstants = { ...Ctl, CLOSED, PARK, SPIN_MS };
export type WorkerConstants = typeof workerConstants;

/** one recorded kernel call: the kernel's index in the library's names, its arguments, which are local addresses */
export interface Call {
  kernel: number;
  args: number[];
  localMask: number;
}

/** float64s a program of these parts takes */
export function programLength(parts: Call[][]): number {
  let n = 1 + parts.length;
  for (const calls of parts) {
    n += 1;
    for (const c of calls) n += 3 + c.args.length;
  }
  return n;
}

/** writes the program into `out` (float64s) */
export function encodeProgram(parts: Call[][], out: Float64Array): void {
  out[0] = parts.length;
  let at = 1 + parts.length;
  parts.forEach((calls, i) => {
    out[1 + i] = at;
    out[at++] = calls.length;
    for (const c of calls) {
      out[at++] = c.kernel;
      out[at++] = c.args.length;
      out[at++] = c.localMask;
      for (const a of c.args) out[at++] = a;
    }
  });
}
