// The run settings (`cnn.run.*`) the run view and Export ONNX share, read and checked once.

import * as vscode from "vscode";
import { DEFAULT_BUDGET_MB } from "../engine/budget";

/** `cnn.run.seed`: the seed of the random weights; 0 when the value is not a 32-bit unsigned integer */
export function seedSetting(): number {
  const n = vscode.workspace.getConfiguration("cnn.run").get<number>("seed", 0);
  return Number.isInteger(n) && n >= 0 && n <= 4294967295 ? n : 0;
}

/** `cnn.run.memoryBudgetMB`, at least 1 */
export function budgetSetting(): number {
  return Math.max(1, Math.floor(vscode.workspace.getConfiguration("cnn.run").get<number>("memoryBudgetMB", DEFAULT_BUDGET_MB)));
}
