// The training loop of spec §9: epochs of batches in a seeded shuffle (or in order), one
// optimizer step per batch (a last batch smaller than B is kept, as a DataLoader without
// drop_last), the test set scored in eval mode after each epoch, progress after every
// batch, Pause and Stop between batches. Everything that can refuse does so before any
// work: a layer without a backward pass, scores that are not one per class, bn on single
// values, the memory budget.

import type { NetworkResult } from "../../analysis/types";
import type { NetworkWeights } from "../api";
import { RefusedError } from "../budget";
import { abortError } from "../schedule";
import { isOpNode, opOf } from "../ops";
import { planesOf, sizeOf } from "../tensor";
import { scoresNode, untrainableOps } from "./backprop";
import type { Dataset } from "./data";
import { epochOrder } from "./data";
import { ReferenceEngine, type EngineSetup, type TrainEngine } from "./engine";
import { trainingMemory, trainingRefusal } from "./memory";
import type { OptimizerSettings } from "./optim";

export interface EpochReport {
  epoch: number;
  /** the mean of the epoch's batch losses */
  loss: number;
  /** the share of the epoch's training samples whose largest score was their class (in training mode) */
  trainAccuracy: number;
  /** the share of the test set classified right after the epoch (eval mode), null without one */
  testAccuracy: number | null;
  ms: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** batches done in this epoch, and in it */
  batch: number;
  batches: number;
  step: number;
  steps: number;
  /** this batch's loss, and the epoch's mean so far */
  loss: number;
  meanLoss: number;
  accuracy: number;
  samplesPerSecond: number;
  etaSeconds: number;
}

export interface TrainRequest {
  network: NetworkResult;
  weights: NetworkWeights;
  train: Dataset;
  test?: Dataset | null;
  epochs: number;
  /** stop after this many optimizer steps in all */
  steps?: number;
  batch: number;
  seed: number;
  shuffle: boolean;
  optimizer: OptimizerSettings;
  budgetMB?: number;
  /** makes the engine (default: the reference kernels) */
  engine?: (setup: EngineSetup) => TrainEngine | Promise<TrainEngine>;
  onProgress?: (p: TrainProgress) => void;
  onEpoch?: (e: EpochReport) => void;
  signal?: AbortSignal;
  /**
   * awaited between batches: the run view's Pause holds it; "stop" ends training there
   * (the test set is still scored and the weights reached are returned: the view's Stop)
   */
  gate?: () => Promise<void | "stop"> | void | "stop";
}

export interface TrainResult {
  network: string;
  engine: string;
  epochs: EpochReport[];
  steps: number;
  samplesPerSecond: number;
  weights: NetworkWeights;
  /** the last evaluation of the test set: each test sample's predicted class */
  testPredictions: Int32Array | null;
  /** ended early by the gate's "stop" (the last epoch report covers the batches done) */
  stopped: boolean;
}

/** Training refused before any work; `nodeId` is the layer the reason is about, if one is. */
export class TrainingRefusedError extends RefusedError {
  constructor(
    message: string,
    readonly nodeId?: number,
  ) {
    super(message);
  }
}

export interface TrainingProblem {
  message: string;
  nodeId?: number;
}

/** Everything that would stop training, checked before any work; null when it can train. */
export function trainingProblem(network: NetworkResult, train: Dataset, test: Dataset | null | undefined, batch: number): TrainingProblem | null {
  const problem = (message: string, nodeId?: number): TrainingProblem => ({ message, nodeId });
  if (!network.complete || network.graph[0]?.op !== "input") return problem(`${network.name} has errors or unknown shapes: fix them before training it`);
  const missing = untrainableOps(network.graph);
  if (missing.length) {
    return problem(`${network.name} cannot be trained: ${missing.map((m) => `\`${m}\``).join(", ")} has no backward pass yet`, network.graph.find((n) => missing.includes(n.op))?.id);
  }
  const scores = scoresNode(network.graph);
  const out = scores.output;
  const classes = train.classes.length;
  if (out.kind === "volume" && (out.w !== 1 || out.h !== 1)) {
    return problem(`${network.name} ends in a ${out.w}×${out.h}×${out.d} volume: training needs one score per class (${classes}); end it in \`fc ${classes}\`, or \`gap\` after ${classes} channels`, scores.id);
  }
  if (sizeOf(out) !== classes) {
    return problem(`${network.name} gives ${sizeOf(out)} scores but the data has ${classes} classes (${train.classes.slice(0, 10).join(", ")}${classes > 10 ? ", …" : ""}): its last layer should have ${classes} outputs`, scores.id);
  }
  if (train.size === 0) return problem("the training data holds no pictures");
  if (test && test.classes.join("\n") !== train.classes.join("\n")) {
    return problem(`the test folder's classes (${test.classes.join(", ")}) are not the training folder's (${train.classes.join(", ")}): class numbers would not match`);
  }
  const lastBatch = train.size % batch || batch;
  for (const node of network.graph) {
    // (bn: engine/ops Op.batchStatistics)
    if (!isOpNode(node) || !opOf(node).batchStatistics) continue;
    const p = planesOf(node.input!);
    if (p.width * p.height === 1 && Math.min(batch, train.size, lastBatch) < 2) {
      return problem(`${node.op} normalizes single values here: a batch of 1 (at --batch ${batch}, the last batch of ${train.size} pictures holds ${lastBatch}) has no variance, and PyTorch refuses it too; choose another --batch`, node.id);
    }
  }
  return null;
}

/**
 * Lets the event loop run (progress, Pause, Stop): setImmediate where there is one (Node:
 * the CLI, the run view's training thread) — a timer of 0 waits a millisecond or more, 4 %
 * of every 25 ms of training — else a timer.
 */
function yieldToEvents(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

export async function train(request: TrainRequest): Promise<TrainResult> {
  const { network, train: data, test, batch } = request;
  const problem = trainingProblem(network, data, test, batch);
  if (problem) throw new TrainingRefusedError(problem.message, problem.nodeId);
  if (request.budgetMB !== undefined) {
    const values = (data.inputs.length + (test?.inputs.length ?? 0));
    const refusal = trainingRefusal(network, trainingMemory(network, batch, request.optimizer, values), batch, request.budgetMB);
    if (refusal) throw new RefusedError(refusal);
  }
  const setup: EngineSetup = { network, weights: request.weights, optimizer: request.optimizer, seed: request.seed, batch };
  const engine: TrainEngine = await (request.engine ?? ((s) => new ReferenceEngine(s)))(setup);
  try {
    return await loop(request, engine);
  } finally {
    engine.dispose?.();
  }
}

async function loop(request: TrainRequest, engine: TrainEngine): Promise<TrainResult> {
  const { network, train: data, test, batch } = request;
  const sampleSize = sizeOf(network.graph[0].output);
  const perEpoch = Math.ceil(data.size / batch);
  const totalSteps = request.steps !== undefined ? (request.epochs > 0 ? Math.min(request.steps, request.epochs * perEpoch) : request.steps) : request.epochs * perEpoch;
  const epochs = Math.ceil(totalSteps / perEpoch);
  const inputs = new Float32Array(batch * sampleSize);
  const labels = new Int32Array(batch);
  const reports: EpochReport[] = [];
  let step = 0;
  let trainedSamples = 0;
  let trainingMs = 0;
  let lastYield = now();
  let testPredictions: Int32Array | null = null;
  let stopped = false;
  for (let epoch = 1; epoch <= epochs && step < totalSteps && !stopped; epoch++) {
    const started = now();
    const order = epochOrder(data.size, epoch, request.seed, request.shuffle);
    let lossSum = 0;
    let batches = 0;
    let correct = 0;
    let seen = 0;
    for (let first = 0; first < data.size && step < totalSteps; first += batch) {
      if (request.signal?.aborted) throw abortError();
      if (request.gate && (await request.gate()) === "stop") {
        stopped = true;
        break;
      }
      const n = Math.min(batch, data.size - first);
      for (let k = 0; k < n; k++) {
        const i = order[first + k];
        inputs.set(data.inputs.subarray(i * sampleSize, (i + 1) * sampleSize), k * sampleSize);
        labels[k] = data.labels[i];
      }
      const t0 = now();
      const r = await engine.step(n === batch ? inputs : inputs.subarray(0, n * sampleSize), n === batch ? labels : labels.subarray(0, n), n, step);
      trainingMs += now() - t0;
      step++;
      batches++;
      lossSum += r.loss;
      correct += r.correct;
      seen += n;
      trainedSamples += n;
      if (request.onProgress) {
        const rate = trainedSamples / Math.max(trainingMs, 1e-3) * 1000;
        request.onProgress({
          epoch,
          epochs,
          batch: batches,
          batches: Math.min(perEpoch, totalSteps - (epoch - 1) * perEpoch),
          step,
          steps: totalSteps,
          loss: r.loss,
          meanLoss: lossSum / batches,
          accuracy: correct / seen,
          samplesPerSecond: rate,
          etaSeconds: remainingSamples(data.size, batch, totalSteps, step) / rate,
        });
      }
      if (now() - lastYield > 25) {
        await yieldToEvents();
        lastYield = now();
      }
    }
    if (batches === 0) break; // stopped before this epoch's first batch
    let testAccuracy: number | null = null;
    if (test && test.size > 0) {
      testPredictions = await predict(engine, test, batch, sampleSize, request.signal);
      let right = 0;
      for (let i = 0; i < test.size; i++) if (testPredictions[i] === test.labels[i]) right++;
      testAccuracy = right / test.size;
    }
    const report: EpochReport = { epoch, loss: lossSum / batches, trainAccuracy: correct / seen, testAccuracy, ms: now() - started };
    reports.push(report);
    request.onEpoch?.(report);
  }
  return {
    network: network.name,
    engine: engine.name,
    epochs: reports,
    steps: step,
    samplesPerSecond: trainedSamples / Math.max(trainingMs, 1e-3) * 1000,
    weights: engine.weights(),
    testPredictions,
    stopped,
  };
}

function remainingSamples(size: number, batch: number, totalSteps: number, step: number): number {
  const perEpoch = Math.ceil(size / batch);
  let samples = 0;
  for (let s = step; s < totalSteps; s++) {
    const inEpoch = s % perEpoch;
    samples += inEpoch === perEpoch - 1 ? size - inEpoch * batch : batch;
  }
  return samples;
}

/** each sample's predicted class (the first largest score), in eval mode */
export async function predict(engine: TrainEngine, data: Dataset, batch: number, sampleSize: number, signal?: AbortSignal): Promise<Int32Array> {
  const out = new Int32Array(data.size);
  for (let first = 0; first < data.size; first += batch) {
    if (signal?.aborted) throw abortError();
    const n = Math.min(batch, data.size - first);
    const scores = await engine.scores(data.inputs.subarray(first * sampleSize, (first + n) * sampleSize), n);
    const classes = scores.length / n;
    for (let k = 0; k < n; k++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (scores[k * classes + c] > scores[k * classes + best]) best = c;
      out[first + k] = best;
    }
  }
  return out;
}

/** rows: the true class, columns: the predicted one */
export function confusionMatrix(labels: Int32Array, predictions: Int32Array, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predictions[i]]++;
  return m;
}

function now(): number {
  return globalThis.performance ? performance.now() : Date.now();
}
