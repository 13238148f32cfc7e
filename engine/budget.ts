// The memory a run needs: every weight (float32) plus the activations alive at once
// (the analysis' peakActivationBytes). A net past the budget is refused with the numbers
// before anything is allocated.

import type { NetworkResult } from "../analysis/types";
import { bytesText } from "../analysis/format";

export const DEFAULT_BUDGET_MB = 1536;

export interface MemoryNeed {
  weightBytes: bigint;
  activationBytes: bigint;
  totalBytes: bigint;
}

export function memoryNeed(network: NetworkResult): MemoryNeed {
  // bn also keeps its running mean and variance (not parameters, but memory)
  let statistics = 0n;
  for (const node of network.graph) if (node.op === "bn") statistics += node.params;
  const weightBytes = (network.params + statistics) * 4n;
  const activationBytes = network.peakActivationBytes;
  return { weightBytes, activationBytes, totalBytes: weightBytes + activationBytes };
}

/** null when the run fits, else why not, with the numbers */
export function budgetRefusal(network: NetworkResult, budgetMB: number): string | null {
  const need = memoryNeed(network);
  const budget = BigInt(Math.floor(budgetMB * 1e6));
  if (need.totalBytes <= budget) return null;
  return (
    `${network.name} needs ${bytesText(need.totalBytes)} to run (weights ${bytesText(need.weightBytes)} + ` +
    `activations alive at once ${bytesText(need.activationBytes)}), more than the memory budget of ${bytesText(budget)} ` +
    `(${budgetMB} MB, the setting cnn.run.memoryBudgetMB)`
  );
}
