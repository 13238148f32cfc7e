// `cnn train FILE --data mnist|DIR [--test DIR] [--network NAME] [--epochs N] [--steps N]
//  [--batch B] [--lr LR] [--optimizer sgd|adam] [--momentum M] [--weight-decay W] [--seed S]
//  [--no-shuffle] [--weights INIT.safetensors] [--out OUT.safetensors] [--json]` (spec §7, §9).

import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import * as cliProgress from "cli-progress";
import { LineIndex } from "../grammar";
import type { Analysis, NetworkResult } from "../analysis";
import { parseArgs, integerOption, type ParsedArgs } from "./args";
import { UsageError } from "./usage";
import type { ExtraCommand } from "./usage";
import { threadedTrainEngine, trainingThreads } from "../engine/train/threaded";
import { nodeTrainThreads } from "../engine/train/threads-node";
import { threadsOption } from "./run";
import { pickNetwork, reportErrors } from "./run";
import { DEFAULT_BUDGET_MB, RefusedError } from "../engine/budget";
import { initWeights } from "../engine/init";
import { loadSafetensorsWeights, weightsToSafetensors } from "../engine/weights-file";
import { nodeDescriber } from "../engine/describe";
import { MNIST_DIGITS, mnistDatasets, type Dataset } from "../engine/train/data";
import { loadMnist } from "../engine/train/mnist-node";
import { DatasetError, folderFiles, readFolder } from "../engine/train/folder-node";
import { trainingMemory, trainingRefusal } from "../engine/train/memory";
import { sizeOf } from "../engine/tensor";
import { optimizerSettings, type OptimizerKind } from "../engine/train/optim";
import { train, TrainingRefusedError, type TrainProgress } from "../engine/train/trainer";
import { trainEngines, defaultTrainEngine } from "../engine/train/engines";
import { trainedMetadata, trainedWeightsName } from "../engine/train/weights-location";

export const trainCommand: ExtraCommand = {
  name: "train",
  usage: `cnn train FILE --data mnist|DIR [--test DIR] [--network NAME] [--epochs N] [--steps N] [--batch B]
          [--lr LR] [--optimizer sgd|adam] [--momentum M] [--weight-decay W] [--seed S] [--no-shuffle]
          [--weights INIT.safetensors] [--out OUT.safetensors] [--json] [--memory-budget MB] [--engine NAME] [--threads N]
                                      trains the network on the CPU and writes its weights (FILE.safetensors)
                                      (--threads: how many share each batch, default every core)`,
  run: (args, load) => trainMain(args, load),
};

function numberOption(args: ParsedArgs, name: string, fallback: number, check: (n: number) => boolean, what: string): number {
  const text = args.values.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || !check(n)) throw new UsageError(`cnn train: ${name} takes ${what}, not \`${text}\``);
  return n;
}

function positive(args: ParsedArgs, name: string, fallback: number): number {
  const n = integerOption("train", args, name, fallback, 1_000_000_000);
  if (n < 1) throw new UsageError(`cnn train: ${name} takes a whole number from 1, not 0`);
  return n;
}

function loadData(spec: string, network: NetworkResult, role: string): { train: Dataset; test: Dataset | null } {
  const input = network.graph[0];
  if (spec === "mnist") {
    const sets = mnistDatasets(loadMnist(), input);
    return { train: sets.train, test: sets.test };
  }
  try {
    return { train: readFolder(spec, input), test: null };
  } catch (e) {
    if (e instanceof DatasetError) throw new UsageError(`cnn train: ${role}: ${e.message}`);
    throw e;
  }
}

/** the pictures a folder holds, without decoding them (a folder error surfaces in loadData) */
function countFolder(dir: string): number {
  try {
    return folderFiles(dir).files.length;
  } catch {
    return 0;
  }
}

function percent(x: number | null): string {
  return x === null ? "—" : `${(x * 100).toFixed(2)} %`;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–:––";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function trainMain(argv: string[], load: (file: string) => Analysis): Promise<number> {
  const args = parseArgs(
    "train",
    argv,
    ["--data", "--test", "--network", "--epochs", "--steps", "--batch", "--lr", "--optimizer", "--momentum", "--weight-decay", "--seed", "--weights", "--out", "--memory-budget", "--engine", "--threads"],
    ["--no-shuffle", "--json"],
  );
  if (args.files.length !== 1) throw new UsageError("cnn train: name one .cnn file");
  const file = args.files[0];
  const dataSpec = args.values.get("--data");
  if (dataSpec === undefined) throw new UsageError("cnn train: --data takes `mnist` or a folder of pictures (one sub-folder per class)");
  const json = args.flags.has("--json");
  const steps = args.values.has("--steps") ? positive(args, "--steps", 1) : undefined;
  const epochs = args.values.has("--epochs") ? positive(args, "--epochs", 1) : steps !== undefined ? 0 : 1;
  const batch = positive(args, "--batch", 32);
  const seed = integerOption("train", args, "--seed", 0);
  const kind = (args.values.get("--optimizer") ?? "adam") as OptimizerKind;
  if (kind !== "sgd" && kind !== "adam") throw new UsageError(`cnn train: --optimizer takes sgd or adam, not \`${kind}\``);
  const optimizer = optimizerSettings({
    kind,
    lr: numberOption(args, "--lr", 1e-3, (n) => n > 0, "a learning rate above 0"),
    momentum: numberOption(args, "--momentum", 0, (n) => n >= 0 && n < 1, "a momentum from 0 to below 1"),
    weightDecay: numberOption(args, "--weight-decay", 0, (n) => n >= 0, "a weight decay from 0"),
  });
  if (kind === "adam" && args.values.has("--momentum")) throw new UsageError("cnn train: --momentum is SGD's; Adam's betas are 0.9 and 0.999");
  const budgetMB = integerOption("train", args, "--memory-budget", DEFAULT_BUDGET_MB, 1_000_000);
  const engineName = args.values.get("--engine") ?? defaultTrainEngine();
  if (!trainEngines[engineName]) throw new UsageError(`cnn train: unknown --engine ${engineName} (there are: ${Object.keys(trainEngines).join(", ")})`);
  const wantedThreads = threadsOption("train", args);

  const analysis = load(file);
  if (reportErrors(file, analysis)) return 1;
  const network = pickNetwork("train", file, analysis, args);
  const lines = new LineIndex(analysis.text);
  const at = (offset: number) => {
    const p = lines.position(offset);
    return `${file}:${p.line + 1}:${p.character + 1}`;
  };
  if (!network.complete || network.graph[0]?.op !== "input") {
    process.stderr.write(`${file}: ${network.name} cannot be trained: its shapes are not all known\n`);
    return 1;
  }
  // the memory budget before any picture is read or converted: the counts are known first
  const testSpec = args.values.get("--test");
  const count = (spec: string) => (spec === "mnist" ? MNIST_DIGITS : countFolder(spec));
  const values = (count(dataSpec) + (testSpec !== undefined ? count(testSpec) : 0)) * sizeOf(network.graph[0].output);
  const refusal = trainingRefusal(network, trainingMemory(network, batch, optimizer, values), batch, budgetMB);
  if (refusal) {
    process.stderr.write(`${at(network.nameSpan.start)}: error: ${refusal}\n`);
    return 1;
  }
  // threads share each batch where the network allows it (engine/train/threaded.ts), as many as the budget holds
  const why = wantedThreads > 1 ? nodeTrainThreads.unavailable() : null;
  const threads = why ? 1 : trainingThreads(network, batch, optimizer, values, budgetMB, wantedThreads);
  const threadsText = `${threads} thread${threads === 1 ? "" : "s"}${why ? ` (${why})` : threads < Math.min(wantedThreads, batch) ? ` (more would pass the memory budget of ${budgetMB} MB)` : ""}`;
  const data = loadData(dataSpec, network, "--data");
  const test = testSpec !== undefined ? loadData(testSpec, network, "--test").train : data.test;

  let weights = initWeights(network.graph, seed);
  const init = args.values.get("--weights");
  if (init !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(init);
    } catch (e) {
      throw new UsageError(`cnn train: cannot read ${init}: ${(e as Error).message}`);
    }
    try {
      weights = loadSafetensorsWeights(bytes, network, weights, nodeDescriber(file, analysis.text));
    } catch (e) {
      process.stderr.write(`${init}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const out = args.values.get("--out") ?? trainedWeightsName(file);
  const shuffle = !args.flags.has("--no-shuffle");
  if (!json) {
    process.stderr.write(
      `${network.name} (${file}:${lines.lineOf(network.span.start) + 1}) · ${data.train.description}${test ? `, tested on ${test.description}` : ""} · ` +
        `${kind} lr ${optimizer.lr}${kind === "sgd" && optimizer.momentum ? ` momentum ${optimizer.momentum}` : ""}${optimizer.weightDecay ? ` weight decay ${optimizer.weightDecay}` : ""} · batch ${batch} · ` +
        `${steps !== undefined ? `${steps} steps` : `${epochs} epoch${epochs === 1 ? "" : "s"}`}${shuffle ? ` · shuffled (seed ${seed})` : " · in order"} · ${engineName} engine, ${threadsText}\n`,
    );
  }
  const bar = !json && process.stderr.isTTY ? new cliProgress.SingleBar(
    {
      format: "epoch {epoch} [{bar}] {value}/{total} · loss {loss} · acc {acc} · {rate} samples/s · ETA {left}",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  ) : null;
  let barEpoch = 0;
  const progress = (p: TrainProgress) => {
    if (!bar) return;
    const payload = {
      epoch: `${p.epoch}/${p.epochs}`,
      loss: p.meanLoss.toFixed(4),
      acc: `${(p.accuracy * 100).toFixed(1)} %`,
      rate: Math.round(p.samplesPerSecond).toLocaleString("en-US"),
      left: clock(p.etaSeconds),
    };
    if (barEpoch !== p.epoch) {
      if (barEpoch) bar.stop();
      bar.start(p.batches, p.batch, payload);
      barEpoch = p.epoch;
    } else bar.update(p.batch, payload);
  };
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  let result;
  try {
    result = await train({
      network,
      weights,
      train: data.train,
      test,
      epochs,
      steps,
      batch,
      seed,
      shuffle,
      optimizer,
      budgetMB,
      engine: threads > 1 ? threadedTrainEngine(engineName, trainEngines[engineName], threads, nodeTrainThreads) : trainEngines[engineName],
      signal: controller.signal,
      onProgress: progress,
      onEpoch: (e) => {
        if (json) return;
        if (bar) {
          bar.stop();
          barEpoch = 0;
        }
        process.stderr.write(`epoch ${e.epoch}  loss ${e.loss.toFixed(4)}  train ${percent(e.trainAccuracy)}  test ${percent(e.testAccuracy)}  ${(e.ms / 1000).toFixed(1)} s\n`);
      },
    });
  } catch (e) {
    bar?.stop();
    if (e instanceof RefusedError) {
      const node = e instanceof TrainingRefusedError && e.nodeId !== undefined ? network.graph[e.nodeId] : undefined;
      process.stderr.write(`${at(node ? node.span.start : network.nameSpan.start)}: error: ${e.message}\n`);
      return 1;
    }
    if ((e as Error).name === "AbortError") {
      process.stderr.write("training interrupted: nothing written\n");
      return 130;
    }
    throw e;
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
  const bytes = weightsToSafetensors(
    network,
    result.weights,
    trainedMetadata(network.name, { data: dataSpec === "mnist" ? "mnist" : basename(dataSpec), classes: data.train.classes, steps: result.steps, optimizer: kind, lr: optimizer.lr, batch, seed }),
  );
  try {
    writeFileSync(out, bytes);
  } catch (e) {
    throw new UsageError(`cnn train: cannot write ${out}: ${(e as Error).message}`);
  }
  if (json) {
    process.stdout.write(
      JSON.stringify({
        network: network.name,
        epochs: result.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy, ms: round(e.ms, 3) })),
        steps: result.steps,
        samplesPerSecond: round(result.samplesPerSecond, 1),
        weights: out,
      }) + "\n",
    );
  } else {
    const last = result.epochs[result.epochs.length - 1];
    process.stderr.write(
      `${result.steps.toLocaleString("en-US")} steps at ${Math.round(result.samplesPerSecond).toLocaleString("en-US")} samples/s${last?.testAccuracy != null ? ` · test accuracy ${percent(last.testAccuracy)}` : ""}\n`,
    );
    process.stdout.write(`wrote ${out}\n`);
  }
  return 0;
}
