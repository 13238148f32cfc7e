// `cnn run FILE [--network NAME] [--sample NAME] [--seed N] [--json] [--weights F.safetensors]`
// (spec §7): runs a network on the CPU and prints its output and the time per layer.

import { readFileSync } from "node:fs";
import { boundedMessage, printable } from "../grammar/printable";
import { dirname, resolve } from "node:path";
import { LineIndex } from "../grammar";
import { shapeArray, shapeText, type Analysis, type GraphNode, type NetworkResult } from "../analysis";
import { countBySeverity, diagnosticLines } from "./report";
import { parseArgs, integerOption, type ParsedArgs } from "./args";
import { UsageError, type ExtraCommand } from "./usage";
import { networkInput, requestedImagePath, type InputRequest } from "../engine/input";
import { readPicture as readPictureFile, PictureError } from "../engine/samples/decode-node";
import { isSampleName, sampleCatalog } from "../engine/samples";
import { createExecutor, defaultExecutorName, executors, runNetwork, RefusedError } from "../engine/run";
import { allocationRefusal, budgetRefusal, BUDGET_OPTION, DEFAULT_BUDGET_MB, isAllocationFailure, threadsWithinBudget } from "../engine/budget";
import { nodeThreads } from "../engine/fast/threads/node";
import { float32Number, float32Text } from "../engine/numbers";
import { initWeights } from "../engine/init";
import { IMPORTED_FROM_KEY, isUntrained, readWeightsFile } from "../engine/weights-file";
import { givesProbabilities } from "../engine/ops";
import { probabilities, topClasses } from "../engine/top";
import { classCount, classNamesFor, classNamesFromBytes, classNamesFromMetadata, type ClassNames, type ClassSources } from "../engine/classes";
import { nodeDescriber } from "../engine/describe";
import { trainedWeightsFor } from "./trained-weights";
import { readSafetensors } from "../engine/safetensors";

const MAX_JSON_VALUES = 10_000;

export const runCommand: ExtraCommand = {
  name: "run",
  usage: `cnn run FILE [--network NAME] [--sample NAME|PICTURE] [--invert] [--seed N] [--json] [--weights F.safetensors]
          [--untrained] [--memory-budget MB] [--executor NAME] [--threads N]
                                      runs the network on the CPU: its output and the time per layer
                                      (--threads: how many, default every core)`,
  run: (args, load) => run(args, load),
};

/** The network a command works on: --network NAME, else the file's first. */
export function pickNetwork(command: string, file: string, analysis: Analysis, args: ParsedArgs): NetworkResult {
  const name = args.values.get("--network");
  const names = analysis.networks.map((n) => n.name);
  if (name !== undefined) {
    const found = analysis.networks.find((n) => n.name === name);
    if (!found) throw new UsageError(`cnn ${command}: no network \`${name}\` in ${file} (it has: ${names.join(", ") || "none"})`);
    return found;
  }
  if (analysis.networks.length === 0) throw new UsageError(`cnn ${command}: ${file} defines no network`);
  if (analysis.networks.length > 1) process.stderr.write(`${file} has ${names.length} networks (${names.join(", ")}): running ${names[0]}; --network NAME picks another\n`);
  return analysis.networks[0];
}

/** Prints the file's diagnostics and says whether any is an error (then nothing runs). */
export function reportErrors(file: string, analysis: Analysis): boolean {
  const { errors } = countBySeverity(analysis);
  if (errors === 0) return false;
  for (const line of diagnosticLines(file, analysis)) process.stderr.write(line + "\n");
  return true;
}

/** A picture: `where` says who asked for it (the .cnn's `input` line, or --sample). */
function readPicture(path: string, shown: string, where: string): InputRequest["image"] {
  try {
    return { raster: readPictureFile(path, shown), name: shown };
  } catch (e) {
    if (e instanceof PictureError) throw new UsageError(`${where}: cannot read the picture ${e.source}: ${e.problem}`);
    throw e;
  }
}

function inputRequest(file: string, analysis: Analysis, input: GraphNode, args: ParsedArgs): InputRequest {
  const sample = args.values.get("--sample");
  if (sample !== undefined) {
    if (isSampleName(sample)) return { sample };
    if (/\.(png|jpe?g)$/i.test(sample)) return { image: readPicture(sample, sample, "cnn run") };
    const names = sampleCatalog().map((s) => s.name).filter((n) => !/^digit[1-9]$/.test(n));
    throw new UsageError(`cnn run: --sample takes a sample name or a .png/.jpg picture, not \`${sample}\`; the samples: ${names.join(", ").replace("digit0", "digit0 … digit9")}`);
  }
  const path = requestedImagePath(input);
  if (path) {
    const at = new LineIndex(analysis.text).position(input.span.start);
    return { image: readPicture(resolve(dirname(file), path), path, `${file}:${at.line + 1}:${at.character + 1}`) };
  }
  return {};
}

async function run(argv: string[], load: (file: string) => Analysis): Promise<number> {
  const args = parseArgs("run", argv, ["--network", "--sample", "--seed", "--weights", "--memory-budget", "--executor", "--threads"], ["--json", "--invert", "--untrained"]);
  if (args.files.length !== 1) throw new UsageError("cnn run: name one .cnn file");
  const file = args.files[0];
  const json = args.flags.has("--json");
  const seed = integerOption("run", args, "--seed", 0);
  const budgetMB = integerOption("run", args, "--memory-budget", DEFAULT_BUDGET_MB, 1_000_000);
  const executorName = args.values.get("--executor") ?? defaultExecutorName();
  if (!executors[executorName]) throw new UsageError(`cnn run: unknown --executor ${executorName} (there are: ${Object.keys(executors).join(", ")})`);
  const wantedThreads = threadsOption("run", args);
  const analysis = load(file);
  if (reportErrors(file, analysis)) return 1;
  // warnings (a stride misfit …) still run, but people should see them
  if (!json) for (const line of diagnosticLines(file, analysis)) process.stderr.write(line + "\n");
  const network = pickNetwork("run", file, analysis, args);
  if (!network.complete || network.graph[0]?.op !== "input") {
    process.stderr.write(`${file}: ${network.name} cannot run: its shapes are not all known\n`);
    return 1;
  }
  // budget first: a run past it is refused with the numbers before the picture, the
  // input, the weights or the arena is made
  const refusal = budgetRefusal(network, budgetMB, BUDGET_OPTION);
  if (refusal) {
    process.stderr.write(`${file}: ${refusal}\n`);
    return 1;
  }
  // each thread has scratch of its own: fewer threads when that many would pass the budget
  const threads = threadsWithinBudget(network, budgetMB, wantedThreads);
  if (threads < wantedThreads && !json) {
    process.stderr.write(`${file}: ${threads} thread${threads === 1 ? "" : "s"} instead of ${wantedThreads}: ${budgetRefusal(network, budgetMB, BUDGET_OPTION, wantedThreads)}\n`);
  }
  const request = { ...inputRequest(file, analysis, network.graph[0], args), ...(args.flags.has("--invert") ? { invert: true } : {}) };
  const weightsFile = args.values.get("--weights");
  if (weightsFile !== undefined && args.flags.has("--untrained")) throw new UsageError("cnn run: --weights and --untrained exclude each other");
  // without --weights, the trained weights beside the design (cnn train's output), if any
  const trained = weightsFile === undefined && !args.flags.has("--untrained") ? trainedWeightsFor(file, network) : null;
  // the file beside the design is cnn train's, or cnn import's (the ONNX model's weights)
  const importedFrom = trained ? readSafetensors(trained.bytes).metadata[IMPORTED_FROM_KEY] : undefined;
  const classSources: ClassSources = {};
  const classesSaid = network.graph[0].attrs.classes;
  if (classesSaid && "path" in classesSaid) {
    try {
      classSources.file = { name: classesSaid.path, names: classNamesFromBytes(readFileSync(resolve(dirname(file), classesSaid.path))) };
    } catch (e) {
      // located at the input line that names it, as a picture it names is
      const at = new LineIndex(analysis.text).position(network.graph[0].span.start);
      throw new UsageError(`${file}:${at.line + 1}:${at.character + 1}: cannot read the classes file ${classesSaid.path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
  }
  let input;
  let result;
  try {
    input = networkInput(network.graph[0], request, seed);
    let weights = initWeights(network.graph, seed);
    if (weightsFile !== undefined || trained) {
      let bytes: Uint8Array;
      try {
        bytes = trained ? trained.bytes : readFileSync(weightsFile!);
      } catch (e) {
        if (isAllocationFailure(e)) throw e;
        throw new UsageError(`cnn run: cannot read ${weightsFile}: ${(e as Error).message}`);
      }
      try {
        const loaded = readWeightsFile(bytes, network, weights, nodeDescriber(file, analysis.text));
        weights = loaded.weights;
        const shownName = trained ? trained.name : weightsFile!;
        for (const note of loaded.notes) process.stderr.write(`${shownName}: warning: ${boundedMessage(note)}\n`);
        const carried = classNamesFromMetadata(loaded.metadata);
        if (carried) classSources.weights = { name: shownName, names: carried };
      } catch (e) {
        if (isAllocationFailure(e)) throw e;
        const shown = trained ? trained.path : weightsFile;
        const hint = !trained ? "" : importedFrom !== undefined ? ` (${network.name} was imported from ${importedFrom} with it, then changed: import it again, or run with --untrained)` : ` (${network.name} was trained into it, then changed: train it again, or run with --untrained)`;
        process.stderr.write(`${shown}: ${boundedMessage((e as Error).message)}${hint}\n`);
        return 1;
      }
    }
    result = await runNetwork({ network, input: input.data, seed, weights, executor: createExecutor(executorName, { threads, host: nodeThreads }), budgetMB });
  } catch (e) {
    if (e instanceof RefusedError) {
      process.stderr.write(`${file}: ${e.message}\n`);
      return 1;
    }
    // the budget let it through but the machine has not the memory (a budget set high)
    if (isAllocationFailure(e)) {
      process.stderr.write(`${file}: ${allocationRefusal(network, budgetMB, e, threads)}\n`);
      return 1;
    }
    throw e;
  }
  const lines = new LineIndex(analysis.text);
  const layers = result.layers.map((l) => ({ node: network.graph[l.nodeId], ms: l.ms }));
  const untrained = weightsFile === undefined && !trained && isUntrained(network);
  const classNotes: string[] = [];
  const classes = classNamesFor(network, classSources, classNotes);
  // located at the input line, which names the classes
  const inputAt = lines.position(network.graph[0].span.start);
  for (const note of classNotes) process.stderr.write(`${file}:${inputAt.line + 1}:${inputAt.character + 1}: warning: ${note}\n`);
  if (json) {
    const data: (number | null)[] = [];
    for (let i = 0; i < Math.min(result.output.length, MAX_JSON_VALUES); i++) data.push(float32Number(result.output[i]));
    const out = {
      network: network.name,
      output: { shape: shapeArray(network.output), data },
      layers: layers.map((l) => ({ line: lines.lineOf(l.node.span.start) + 1, kind: l.node.op, ms: roundMs(l.ms) })),
      ms: roundMs(result.ms),
      // extensions: whether the weights are the seeded initialization, whether the output is
      // already probabilities, and the five best classes, named where the names are sure (else null)
      ...(untrained ? { untrained } : {}),
      ...(givesProbabilities(network.graph[network.graph.length - 1]) ? { probabilities: true } : {}),
      ...(classCount(network) !== null ? { top5: ranked(network, result.output).map((c) => ({ index: c.index, name: classes ? classes.names[c.index] : null, score: float32Number(Math.fround(c.value)) })) } : {}),
    };
    process.stdout.write(JSON.stringify(out) + "\n");
    return 0;
  }
  const out: string[] = [];
  const source = weightsFile !== undefined ? `weights from ${weightsFile}` : trained ? `weights from ${trained.name} (${importedFrom !== undefined ? `imported from ${importedFrom}` : "trained"})` : `seed ${seed}`;
  out.push(`${network.name} (${file}:${lines.lineOf(network.span.start) + 1}) · input ${shapeText(network.input)} from ${input.source} · ${source} · ${result.executor} executor, ${result.threads} thread${result.threads === 1 ? "" : "s"}`);
  if (input.steps.length) out.push(`input: ${input.steps.join(" → ")}`);
  out.push("");
  out.push(...outputText(network, result.output, classes));
  if (untrained) out.push(...untrainedText(file, seed));
  out.push("");
  out.push("time per layer:");
  const rows = layers.map((l) => [String(lines.lineOf(l.node.span.start) + 1), l.node.label ? `${l.node.label} (${l.node.op})` : l.node.op, shapeText(l.node.output), l.ms.toFixed(2)]);
  const header = ["line", "layer", "output", "ms"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]].length)));
  const row = (r: string[]) => "  " + r.map((c, i) => (i === 1 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  out.push(row(header));
  for (const r of rows) out.push(row(r));
  out.push(`total ${result.ms.toFixed(1)} ms`);
  process.stdout.write(out.join("\n") + "\n");
  return 0;
}

function untrainedText(file: string, seed: number): string[] {
  return [
    `untrained: random weights, seed ${seed} — the output does not mean anything yet. Real weights:`,
    `  train them        cnn train ${file} --data mnist   (or --data DIR, a folder per class)`,
    `  load a file       cnn run ${file} --weights WEIGHTS.safetensors`,
    `  import a model    cnn import MODEL.onnx            (a design and its weights from ONNX)`,
  ];
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The five best classes: the probabilities of a softmax output, else a softmax of the raw values. */
function ranked(network: NetworkResult, output: Float32Array): { index: number; value: number }[] {
  const last = network.graph[network.graph.length - 1];
  return topClasses(givesProbabilities(last) ? output : probabilities(output), 5);
}

/** The output for people: top-5 after a softmax (named where the names are sure), small volumes row by row, else a digest. */
function outputText(network: NetworkResult, output: Float32Array, classes: ClassNames | null): string[] {
  const shape = network.output!;
  const last = network.graph[network.graph.length - 1];
  const out: string[] = [];
  // a name from a file, shown as one short line of visible characters
  const label = (i: number) => (classes ? printable(classes.names[i], 60) : `class ${String(i).padStart(String(shape.kind === "vector" ? shape.n - 1 : 0).length)}`);
  if (shape.kind === "vector") {
    if (givesProbabilities(last) || classes) {
      const what = givesProbabilities(last) ? `${shape.n} probabilities (${last.op})` : `${shape.n} scores (a softmax of them)`;
      out.push(`output: ${what}, top ${Math.min(5, shape.n)}${classes ? `, named by ${classes.source}` : ""}:`);
      const rows = ranked(network, output);
      const width = Math.max(...rows.map((c) => [...label(c.index)].length));
      for (const c of rows) out.push(`  ${label(c.index).padEnd(width)}  ${(c.value * 100).toFixed(2).padStart(6)} %${classes && classes.names[c.index] !== String(c.index) ? `  (class ${c.index})` : ""}`);
      return out;
    }
    out.push(`output: ${shape.n} values${shape.n > 20 ? " (the first 20)" : ""}:`);
    out.push("  " + Array.from(output.subarray(0, 20), float32Text).join("  "));
    if (shape.n > 20) out.push(...digest(output));
    return out;
  }
  out.push(`output ${shapeText(shape)} (W×H×D), each depth slice row by row${shape.w * shape.h * shape.d > 400 ? " (the first rows, 4 digits)" : ""}:`);
  const plane = shape.w * shape.h;
  // small (hand-worked) outputs exactly; a glimpse of a big one to 4 digits (--json has them all)
  const big = shape.w * shape.h * shape.d > 400;
  const cell = (v: number) => (big ? String(Number(v.toPrecision(4))) : float32Text(v));
  const shownChannels = Math.min(shape.d, big ? 2 : shape.d);
  for (let c = 0; c < shownChannels; c++) {
    if (shape.d > 1) out.push(`  depth slice ${c}:`);
    const rows: string[][] = [];
    for (let y = 0; y < Math.min(shape.h, 8); y++) {
      const cells: string[] = [];
      for (let x = 0; x < Math.min(shape.w, 12); x++) cells.push(cell(output[c * plane + y * shape.w + x]));
      if (shape.w > 12) cells.push("…");
      rows.push(cells);
    }
    const width = Math.max(...rows.flat().map((s) => s.length));
    for (const r of rows) out.push("    " + r.map((s) => s.padStart(width)).join("  "));
    if (shape.h > 8) out.push("    …");
  }
  if (shape.d > shownChannels) out.push(`  … ${shape.d - shownChannels} more depth slices`);
  if (big) out.push(...digest(output));
  return out;
}

function digest(values: Float32Array): string[] {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return [`  min ${float32Text(min)} · max ${float32Text(max)} · mean ${float32Text(Math.fround(sum / values.length))}`];
}

/** --threads N: 1 to 256, default every core of this machine */
export function threadsOption(command: string, args: ParsedArgs): number {
  const n = integerOption(command, args, "--threads", nodeThreads.cores(), 256);
  if (n < 1) throw new UsageError(`cnn ${command}: --threads takes a whole number from 1 to 256, not \`${args.values.get("--threads")}\``);
  return n;
}
