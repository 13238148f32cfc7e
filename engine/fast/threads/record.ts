// Writing down what a part of a phase does, so that worker threads can do it: the part
// runs once with a recorder standing in for every kernel, and once more with its local
// scratch moved by SHIFT. An argument that moved by exactly SHIFT is an address in the
// thread's own scratch (each thread adds its own offset); one that moved otherwise, or a
// part that called no kernel, is a step the threads cannot replay, and an error.

import type { KernelLibrary } from "../../wasm/library";
import { kernelSignatures, type KernelName, type Kernels } from "../../wasm/signatures";
import type { Call } from "./protocol";

/** the kernels in a fixed order: a recorded call names its kernel by index in this list */
export const kernelNames = Object.keys(kernelSignatures) as KernelName[];

/** how far the second recording moves the local scratch (never a real address) */
const SHIFT = 1 << 24;
/** a recorded call may have at most this many arguments (one mask bit each) */
const MAX_ARGS = 31;

function capture(lib: KernelLibrary, part: () => void): { kernel: number; args: number[] }[] {
  const calls: { kernel: number; args: number[] }[] = [];
  const saved = lib.k;
  const recorder: Record<string, (args: Readonly<Record<string, number>>) => void> = {};
  kernelNames.forEach((name, kernel) => {
    // named arguments, in the WebAssembly function's order: what a worker passes it
    const order = Object.keys(kernelSignatures[name]);
    recorder[name] = (args) => {
      calls.push({ kernel, args: order.map((n) => args[n]) });
    };
  });
  lib.k = recorder as unknown as Kernels;
  try {
    part();
  } finally {
    lib.k = saved;
  }
  return calls;
}

/** the kernel calls of one part, run with `local` as the recording thread's scratch */
export function recordPart(lib: KernelLibrary, local: number, part: (local: number) => void, what: string): Call[] {
  const names = kernelNames;
  const a = capture(lib, () => part(local));
  const b = capture(lib, () => part(local + SHIFT));
  if (a.length === 0) throw new Error(`${what}: a part that calls no kernel cannot run on a worker thread`);
  if (a.length !== b.length) throw new Error(`${what}: its kernel calls depend on where its scratch is`);
  return a.map((call, i) => {
    const other = b[i];
    if (other.kernel !== call.kernel || other.args.length !== call.args.length) throw new Error(`${what}: its kernel calls depend on where its scratch is`);
    if (call.args.length > MAX_ARGS) throw new Error(`${what}: ${names[call.kernel]} has more than ${MAX_ARGS} arguments`);
    let localMask = 0;
    call.args.forEach((x, j) => {
      const y = other.args[j];
      if (Object.is(x, y)) return;
      if (y - x !== SHIFT) throw new Error(`${what}: argument ${j} of ${names[call.kernel]} is not an address in its scratch, yet moves with it`);
      localMask |= 1 << j;
    });
    return { kernel: call.kernel, args: call.args, localMask };
  });
}
