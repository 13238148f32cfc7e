// The memory a run needs: every weight (float32), the activations alive at once (the
// analysis' peakActivationBytes) and the fast engine's scratch (engine/fast/scratch.ts:
// more with each thread); an export needs the weights twice. A net past the
// budget is refused with the numbers before anything is allocated.

import type { NetworkResult } from "../analysis/types";
import { bytesText } from "../analysis/format";
import { elements, paramShapes } from "./init";
import { scratchNeed } from "./fast/scratch";

export const DEFAULT_BUDGET_MB = 1536;

/** The engine will not run (or export) a network: the message says why, with the numbers. */
export class RefusedError extends Error {
  override name = "RefusedError";
}

export interface MemoryNeed {
  weightBytes: bigint;
  activationBytes: bigint;
  /** the engine's scratch (padded copies, GEMM panels, Winograd blocks): shared, and each thread's own */
  scratchBytes: bigint;
  /** the threads the scratch is counted for */
  threads: number;
  totalBytes: bigint;
}

export function memoryNeed(network: NetworkResult, threads = 1): MemoryNeed {
  // buffers that are not parameters but memory: bn's running mean and variance
  let buffers = 0n;
  for (const node of network.graph) for (const s of paramShapes(node)) if (!s.trainable) buffers += BigInt(elements(s.dims));
  const weightBytes = (network.params + buffers) * 4n;
  const activationBytes = network.peakActivationBytes;
  const scratchBytes = BigInt(scratchNeed(network.graph, threads).total);
  return { weightBytes, activationBytes, scratchBytes, threads, totalBytes: weightBytes + activationBytes + scratchBytes };
}

/** "weights A + activations alive at once B + scratch C" */
function needParts(need: MemoryNeed): string {
  const scratch = need.scratchBytes > 0n ? ` + scratch${need.threads > 1 ? ` of ${need.threads} threads` : ""} ${bytesText(need.scratchBytes)}` : "";
  return `weights ${bytesText(need.weightBytes)} + activations alive at once ${bytesText(need.activationBytes)}${scratch}`;
}

/** null when the run fits (on `threads` threads), else why not, with the numbers */
export function budgetRefusal(network: NetworkResult, budgetMB: number, setting = BUDGET_SETTING, threads = 1): string | null {
  const need = memoryNeed(network, threads);
  return refusal(need.totalBytes, budgetMB, setting, `${network.name} needs ${bytesText(need.totalBytes)} to run (${needParts(need)})`);
}

/**
 * The most threads, at most `wanted`, whose run fits the budget (each thread has scratch
 * of its own); 1 when even one does not fit (budgetRefusal then says why).
 */
export function threadsWithinBudget(network: NetworkResult, budgetMB: number, wanted: number): number {
  for (let t = Math.max(1, Math.floor(wanted)); t > 1; t--) if (budgetRefusal(network, budgetMB, BUDGET_SETTING, t) === null) return t;
  return 1;
}

/**
 * null when exporting the network fits, else why not. An export needs no activations, but
 * its weights twice: made as float32 arrays, then copied into the model's bytes.
 */
export function exportBudgetRefusal(network: NetworkResult, budgetMB: number, setting = BUDGET_SETTING): string | null {
  const { weightBytes } = memoryNeed(network);
  const total = weightBytes * 2n;
  return refusal(total, budgetMB, setting, `${network.name} needs ${bytesText(total)} to export (weights ${bytesText(weightBytes)}, and as much again for the model file)`);
}

/** how the budget is set, where it is told: the editor's setting, or the command line's option */
export const BUDGET_SETTING = "the setting cnn.run.memoryBudgetMB";
export const BUDGET_OPTION = "--memory-budget MB";

function refusal(needBytes: bigint, budgetMB: number, setting: string, need: string): string | null {
  const budget = BigInt(Math.floor(budgetMB * 1e6));
  if (needBytes <= budget) return null;
  return `${need}, more than the memory budget of ${bytesText(budget)} (${budgetMB} MB, ${setting})`;
}

/**
 * An allocation the machine could not make: a typed array past the engine's limits
 * (RangeError: Invalid typed array length / Array buffer allocation failed) or the heap
 * exhausted. Only reached when the budget is set higher than the machine's memory.
 */
export function isAllocationFailure(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e instanceof RangeError) return /array|buffer|allocation|memory|length/i.test(e.message);
  return /allocation failed|out of memory/i.test(e.message);
}

/** what a run that failed to allocate is told: the numbers, as the budget's refusal */
export function allocationRefusal(network: NetworkResult, budgetMB: number, e?: unknown, threads = 1): string {
  const need = memoryNeed(network, threads);
  const why = e instanceof Error ? ` (${e.message.split("\n")[0]})` : "";
  return (
    `${network.name} needs ${bytesText(need.totalBytes)} to run (${needParts(need)}): ` +
    `within the memory budget of ${bytesText(BigInt(Math.floor(budgetMB * 1e6)))} (${budgetMB} MB), but more than this machine could allocate${why}; not run`
  );
}
