// `cnn export FILE --onnx OUT [--safetensors OUT] [--network NAME] [--seed N] [--weights F.safetensors]
// [--memory-budget MB]`: the network and its weights (seeded, literal or loaded) as ONNX
// (Netron, onnxruntime) and/or as a .safetensors file of PyTorch-named tensors. A network
// whose export would pass the memory budget is refused before a weight is made.

import { readFileSync, writeFileSync } from "node:fs";
import { bytesText, type Analysis, type NetworkResult } from "../analysis";
import { parseArgs, integerOption, type ParsedArgs } from "./args";
import { UsageError, type ExtraCommand } from "./usage";
import { pickNetwork, reportErrors } from "./run";
import { nodeDescriber } from "../engine/describe";
import { initWeights } from "../engine/init";
import { exportedText, onnxModel } from "../engine/onnx/model";
import { readWeightsFile, weightsToSafetensors } from "../engine/weights-file";
import { BUDGET_OPTION, DEFAULT_BUDGET_MB, exportBudgetRefusal, isAllocationFailure } from "../engine/budget";

export const exportCommand: ExtraCommand = {
  name: "export",
  usage: `cnn export FILE --onnx OUT.onnx [--safetensors OUT] [--network NAME] [--seed N] [--weights F.safetensors]
          [--memory-budget MB]
                                      the network and its weights as ONNX (opens in Netron, runs in onnxruntime)`,
  run: (args, load) => exportFile(args, load),
};

async function exportFile(argv: string[], load: (file: string) => Analysis): Promise<number> {
  const args = parseArgs("export", argv, ["--onnx", "--safetensors", "--network", "--seed", "--weights", "--memory-budget"], []);
  if (args.files.length !== 1) throw new UsageError("cnn export: name one .cnn file");
  const onnxOut = args.values.get("--onnx");
  const safetensorsOut = args.values.get("--safetensors");
  if (!onnxOut && !safetensorsOut) throw new UsageError("cnn export: say where to write: --onnx OUT.onnx and/or --safetensors OUT.safetensors");
  const file = args.files[0];
  const seed = integerOption("export", args, "--seed", 0);
  const budgetMB = integerOption("export", args, "--memory-budget", DEFAULT_BUDGET_MB, 1_000_000);
  const analysis = load(file);
  if (reportErrors(file, analysis)) return 1;
  const network = pickNetwork("export", file, analysis, args);
  if (!network.complete) {
    process.stderr.write(`${file}: ${network.name} cannot be exported: its shapes are not all known\n`);
    return 1;
  }
  // budget first: the weights twice (the arrays, then the file's bytes), before either is made
  const refusal = exportBudgetRefusal(network, budgetMB, BUDGET_OPTION);
  if (refusal) {
    process.stderr.write(`${file}: ${refusal}\n`);
    return 1;
  }
  try {
    return exportNetwork(file, analysis, network, args, seed, budgetMB);
  } catch (e) {
    if (!isAllocationFailure(e)) throw e;
    process.stderr.write(`${file}: ${network.name} could not be exported: more memory than this machine could allocate (${(e as Error).message.split("\n")[0]})\n`);
    return 1;
  }
}

function exportNetwork(file: string, analysis: Analysis, network: NetworkResult, args: ParsedArgs, seed: number, budgetMB: number): number {
  const onnxOut = args.values.get("--onnx");
  const safetensorsOut = args.values.get("--safetensors");
  const describe = nodeDescriber(file, analysis.text);
  let weights = initWeights(network.graph, seed);
  const weightsFile = args.values.get("--weights");
  if (weightsFile !== undefined) {
    try {
      const loaded = readWeightsFile(readFileSync(weightsFile), network, weights, describe);
      weights = loaded.weights;
      for (const note of loaded.notes) process.stderr.write(`${weightsFile}: warning: ${note}\n`);
    } catch (e) {
      if (isAllocationFailure(e)) throw e;
      process.stderr.write(`${weightsFile}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const source = weightsFile !== undefined ? `weights from ${weightsFile}` : `seed ${seed}`;
  if (onnxOut) {
    const bytes = onnxModel(network, { seed, weights, describe, budgetMB });
    write(onnxOut, bytes);
    process.stderr.write(`${exportedText(network.name, onnxOut, bytes.length, source)}\n`);
  }
  if (safetensorsOut) {
    const bytes = weightsToSafetensors(network, weights, { seed: String(seed) });
    write(safetensorsOut, bytes);
    process.stderr.write(`${network.name} → ${safetensorsOut} (safetensors, ${bytesText(BigInt(bytes.length))}, ${source})\n`);
  }
  return 0;
}

function write(path: string, bytes: Uint8Array): void {
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new UsageError(`cnn export: cannot write ${path}: ${(e as Error).message}`);
  }
}
