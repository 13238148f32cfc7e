// The memory a run needs: every weight (float32) plus the activations alive at once
// (the analysis' peakActivationBytes); an export needs the weights twice. A net past the
// budget is refused with the numbers before anything is allocated.

import type { NetworkResult } from "../analysis/types";
import { bytesText } from "../analysis/format";
import { elements, paramShapes } from "./init";

export const DEFAULT_BUDGET_MB = 1536;

/** The engine will not run (or export) a network: the message says why, with the numbers. */
export class RefusedError extends Error {
  override name = "RefusedError";
}

export interface MemoryNeed {
  weightBytes: bigint;
  activationBytes: bigint;
  totalBytes: bigint;
}

export function memoryNeed(network: NetworkResult): MemoryNeed {
  // buffers that are not parameters but memory: bn's running mean and variance
  let buffers = 0n;
  for (const node of network.graph) for (const s of paramShapes(node)) if (!s.trainable) buffers += BigInt(elements(s.dims));
  const weightBytes = (network.params + buffers) * 4n;
  const activationBytes = network.peakActivationBytes;
  return { weightBytes, activationBytes, totalBytes: weightBytes + activationBytes };
}

/** null when the run fits, else why not, with the numbers */
export function budgetRefusal(network: NetworkResult, budgetMB: number, setting = BUDGET_SETTING): string | null {
  const need = memoryNeed(network);
  return refusal(
    need.totalBytes,
    budgetMB,
    setting,
    `${network.name} needs ${bytesText(need.totalBytes)} to run (weights ${bytesText(need.weightBytes)} + ` +
      `activations alive at once ${bytesText(need.activationBytes)})`,
  );
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
export function allocationRefusal(network: NetworkResult, budgetMB: number, e?: unknown): string {
  const need = memoryNeed(network);
  const why = e instanceof Error ? ` (${e.message.split("\n")[0]})` : "";
  return (
    `${network.name} needs ${bytesText(need.totalBytes)} to run (weights ${bytesText(need.weightBytes)} + activations alive at once ${bytesText(need.activationBytes)}): ` +
    `within the memory budget of ${bytesText(BigInt(Math.floor(budgetMB * 1e6)))} (${budgetMB} MB), but more than this machine could allocate${why}; not run`
  );
}
