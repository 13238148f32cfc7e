// One training run of the run view, in the training thread (client/train/worker.ts): the
// data read as `cnn train` reads it (the shipped MNIST digits, or a picture folder as
// torchvision's ImageFolder through the safe decoder), the memory budget checked before
// any picture is read, the trainer of engine/train with Pause and Stop between batches,
// and, after it, what the view draws: the loss points, the confusion matrix and the
// mistakes on the test set, the first layer's filters, and the weights file's bytes —
// the same bytes `cnn train` writes for the same settings.

import { basename } from "node:path";
import type { GraphNode, NetworkResult, Volume } from "../../analysis/types";
import { deserializeNetwork } from "../../analysis/serialize";
import { bytesText } from "../../analysis/format";
import type { NetworkWeights } from "../api";
import { RefusedError } from "../budget";
import { initWeights } from "../init";
import { isOpNode, opOf } from "../ops";
import { planesOf, sizeOf } from "../tensor";
import { loadSafetensorsWeights, weightsToSafetensors } from "../weights-file";
import { scoresNode } from "./backprop";
import { MNIST_DIGITS, mnistDatasets, type Dataset } from "./data";
import { defaultTrainEngine, trainEngines } from "./engines";
import { DatasetError, folderFiles, readFolder } from "./folder-node";
import { trainingMemory, trainingRefusal } from "./memory";
import { loadMnist } from "./mnist-node";
import { optimizerSettings } from "./optim";
import { train, TrainingRefusedError, type TrainProgress } from "./trainer";
import { trainedMetadata } from "./weights-location";
import {
  COMMAND,
  MAX_FILTER_VALUES,
  MAX_FILTERS,
  MAX_MISCLASSIFIED,
  PAUSE,
  SEQUENCE,
  STOP,
  THUMBNAIL_SIDE,
  type Filters,
  type LossPoint,
  type Misclassified,
  type SessionMessage,
  type SessionStart,
  type Thumbnail,
} from "./session-protocol";

export type Post = (message: SessionMessage, transfer?: ArrayBuffer[]) => void;

/** progress is posted at most this often (and at every pause, epoch and end) */
const PROGRESS_MS = 100;
/** the loss curve gets at most about this many points */
const LOSS_POINTS = 600;

/** What a picture folder holds, counted without decoding a picture. */
export function inspectFolder(path: string): SessionMessage {
  try {
    const { classes, files } = folderFiles(path);
    return { type: "folder", path, name: folderName(path), classes, pictures: files.length };
  } catch (e) {
    return { type: "failed", message: e instanceof DatasetError ? e.message : `cannot read the folder ${path}: ${(e as Error).message}`, refused: true };
  }
}

function folderName(path: string): string {
  return basename(path.replace(/[/\\]+$/, "")) || path;
}

function pictureCount(path: string): number {
  return folderFiles(path).files.length;
}

/** Trains as `request` says, posting what happens; never throws (a failure is a message). */
export async function runSession(request: SessionStart, post: Post): Promise<void> {
  const control = new Int32Array(request.control);
  let network: NetworkResult;
  try {
    network = deserializeNetwork(request.network);
  } catch (e) {
    post({ type: "failed", message: `the network could not be read: ${(e as Error).message}`, refused: true });
    return;
  }
  try {
    await session(network, request, control, post);
  } catch (e) {
    const refused = e instanceof RefusedError || e instanceof DatasetError;
    const nodeId = e instanceof TrainingRefusedError ? e.nodeId : undefined;
    post({ type: "failed", message: e instanceof Error ? e.message : String(e), refused, ...(nodeId !== undefined ? { nodeId } : {}) });
  }
}

async function session(network: NetworkResult, request: SessionStart, control: Int32Array, post: Post): Promise<void> {
  const { settings, data, seed } = request;
  if (!network.complete || network.graph[0]?.op !== "input") throw new RefusedError(`${network.name} has errors or unknown shapes: fix them before training it`);
  const input = network.graph[0];
  const optimizer = optimizerSettings({ kind: settings.optimizer, lr: settings.lr, momentum: settings.optimizer === "sgd" ? settings.momentum : 0, weightDecay: settings.weightDecay });
  // the memory budget before any picture is read or converted: the counts come first
  const count = data.kind === "mnist" ? MNIST_DIGITS : pictureCount(data.path) + (data.test ? pictureCount(data.test) : 0);
  const memory = trainingMemory(network, settings.batch, optimizer, count * sizeOf(input.output));
  const refusal = trainingRefusal(network, memory, settings.batch, request.budgetMB);
  if (refusal) throw new RefusedError(refusal.replace("a smaller --batch needs less", "a smaller batch needs less"));

  let trainSet: Dataset;
  let test: Dataset | null;
  if (data.kind === "mnist") {
    const sets = mnistDatasets(loadMnist(), input);
    trainSet = sets.train;
    test = sets.test;
  } else {
    trainSet = readFolder(data.path, input);
    test = data.test ? readFolder(data.test, input) : null;
  }

  let weights: NetworkWeights = initWeights(network.graph, seed);
  if (request.initial) weights = loadSafetensorsWeights(request.initial, network, weights);
  const engineName = request.engine && trainEngines[request.engine] ? request.engine : defaultTrainEngine();
  const perEpoch = Math.ceil(trainSet.size / settings.batch);
  const totalSteps = settings.epochs * perEpoch;
  post({
    type: "started",
    network: network.name,
    description: trainSet.description,
    testDescription: test ? test.description : null,
    classes: trainSet.classes,
    steps: totalSteps,
    epochs: settings.epochs,
    batchesPerEpoch: perEpoch,
    engine: engineName,
    memory: `${bytesText(memory.total)} of the ${bytesText(BigInt(Math.floor(request.budgetMB * 1e6)))} budget`,
  });

  // the loss curve: the mean of every `every` batches
  const every = Math.max(1, Math.ceil(totalSteps / LOSS_POINTS));
  let points: LossPoint[] = [];
  let sum = 0;
  let inPoint = 0;
  let last: TrainProgress | null = null;
  let posted = 0;
  const flush = () => {
    if (!last) return;
    post({ type: "progress", points, progress: last });
    points = [];
    posted = performance.now();
  };

  // Pause and Stop: read between batches from the shared word; a pause blocks this thread
  let step = 0;
  let paused = false;
  const gate = (): "stop" | undefined => {
    for (;;) {
      const command = Atomics.load(control, COMMAND);
      if (command === STOP) {
        flush();
        post({ type: "state", state: "stopping", step, sequence: Atomics.load(control, SEQUENCE) });
        return "stop";
      }
      if (command !== PAUSE) {
        if (paused) {
          paused = false;
          post({ type: "state", state: "running", step, sequence: Atomics.load(control, SEQUENCE) });
        }
        return undefined;
      }
      if (!paused) {
        paused = true;
        flush();
        post({ type: "state", state: "paused", step, sequence: Atomics.load(control, SEQUENCE) });
      }
      Atomics.wait(control, COMMAND, PAUSE, 1000);
    }
  };

  const result = await train({
    network,
    weights,
    train: trainSet,
    test,
    epochs: settings.epochs,
    batch: settings.batch,
    seed,
    shuffle: true,
    optimizer,
    budgetMB: request.budgetMB,
    engine: trainEngines[engineName],
    gate,
    onProgress: (p) => {
      step = p.step;
      sum += p.loss;
      inPoint++;
      if (inPoint === every || p.step === p.steps) {
        points.push({ step: p.step, loss: sum / inPoint });
        sum = 0;
        inPoint = 0;
      }
      last = p;
      if (performance.now() - posted >= PROGRESS_MS || p.step === p.steps) flush();
    },
    onEpoch: (report) => {
      flush();
      post({ type: "epoch", report });
    },
  });
  if (inPoint > 0) points.push({ step, loss: sum / inPoint });
  flush();
  if (result.steps === 0) throw new RefusedError("stopped before the first step: nothing was trained");

  const bytes = weightsToSafetensors(
    network,
    result.weights,
    trainedMetadata(network.name, {
      data: data.kind === "mnist" ? "mnist" : folderName(data.path),
      classes: trainSet.classes,
      steps: result.steps,
      optimizer: settings.optimizer,
      lr: settings.lr,
      batch: settings.batch,
      seed,
    }),
  );
  // the mistakes are counted on the test set, or on the training pictures when there is none
  const judged = test && test.size > 0 ? test : trainSet;
  const evaluation = await evaluate(network, result.weights, judged, settings.batch, engineName, seed);
  const filters = firstFilters(network, result.weights);
  const transfer: ArrayBuffer[] = [bytes.buffer as ArrayBuffer];
  if (filters) transfer.push(filters.values.buffer as ArrayBuffer);
  for (const m of evaluation.misclassified) transfer.push(m.picture.pixels.buffer as ArrayBuffer);
  post(
    {
      type: "done",
      result: {
        stopped: result.stopped,
        steps: result.steps,
        samplesPerSecond: result.samplesPerSecond,
        epochs: result.epochs,
        weights: bytes,
        classes: trainSet.classes,
        evaluatedOn: judged === test ? judged.description : `${judged.description} — no test set: these are the training pictures`,
        evaluatedSize: judged.size,
        ...evaluation,
        filters,
      },
    },
    transfer,
  );
}

interface Evaluation {
  accuracy: number;
  confusion: number[][];
  wrong: number;
  misclassified: Misclassified[];
}

/** eval-mode scores of every sample with the trained weights: the confusion matrix and the mistakes */
async function evaluate(network: NetworkResult, weights: NetworkWeights, data: Dataset, batch: number, engineName: string, seed: number): Promise<Evaluation> {
  const engine = await trainEngines[engineName]({ network, weights, optimizer: optimizerSettings(), seed, batch });
  try {
    const classes = sizeOf(scoresNode(network.graph).output);
    const sampleSize = sizeOf(network.graph[0].output);
    const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    const mistakes: { index: number; predicted: number; confidence: number }[] = [];
    let right = 0;
    for (let first = 0; first < data.size; first += batch) {
      const n = Math.min(batch, data.size - first);
      const scores = await engine.scores(data.inputs.subarray(first * sampleSize, (first + n) * sampleSize), n);
      for (let k = 0; k < n; k++) {
        const row = scores.subarray(k * classes, (k + 1) * classes);
        let best = 0;
        for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
        const label = data.labels[first + k];
        confusion[label][best]++;
        if (best === label) {
          right++;
          continue;
        }
        let total = 0;
        for (let c = 0; c < classes; c++) total += Math.exp(row[c] - row[best]);
        mistakes.push({ index: first + k, predicted: best, confidence: 1 / total });
      }
    }
    // the most confident mistakes first (ties: in the data's order)
    mistakes.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
    const input = network.graph[0];
    return {
      accuracy: data.size ? right / data.size : 0,
      confusion,
      wrong: mistakes.length,
      misclassified: mistakes.slice(0, MAX_MISCLASSIFIED).map((m) => ({
        name: data.names[m.index],
        label: data.labels[m.index],
        predicted: m.predicted,
        confidence: m.confidence,
        picture: thumbnail(data.inputs.subarray(m.index * sampleSize, (m.index + 1) * sampleSize), input),
      })),
    };
  } finally {
    engine.dispose?.();
  }
}

/**
 * The input as the network sees it, for people: at most THUMBNAIL_SIDE a side (nearest
 * sampling), each channel stretched from its smallest to its largest value; 3 channels as
 * RGB, any other count as the first channel in gray.
 */
export function thumbnail(values: Float32Array, input: GraphNode): Thumbnail {
  const p = planesOf(input.output);
  const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(p.width, p.height));
  const width = Math.max(1, Math.round(p.width * scale));
  const height = Math.max(1, Math.round(p.height * scale));
  const channels = p.channels === 3 ? 3 : 1;
  const pixels = new Uint8Array(width * height * channels);
  const plane = p.width * p.height;
  for (let c = 0; c < channels; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = c * plane; i < (c + 1) * plane; i++) {
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
    }
    const span = hi - lo || 1;
    for (let y = 0; y < height; y++) {
      const sy = Math.min(p.height - 1, Math.floor((y + 0.5) / scale));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(p.width - 1, Math.floor((x + 0.5) / scale));
        pixels[(y * width + x) * channels + c] = Math.round(((values[c * plane + sy * p.width + sx] - lo) / span) * 255);
      }
    }
  }
  return { width, height, channels, pixels };
}

function layerName(node: GraphNode): string {
  return node.label ? `${node.label} (${node.op})` : node.op;
}

/**
 * The input picture when `node` reads it as it is: straight, or through layers that only
 * pass their input on (flatten, dropout: the fast executor's aliases); else null.
 */
function pictureRead(graph: GraphNode[], node: GraphNode): Volume | null {
  let from: GraphNode | undefined = graph[node.inputs[0]];
  while (from && isOpNode(from) && from.inputs.length === 1) {
    const fast = opOf(from).fast;
    if (!fast || !("alias" in fast)) break;
    from = graph[from.inputs[0]];
  }
  return from && !isOpNode(from) && from.output.kind === "volume" ? from.output : null;
}

/**
 * The first layer's learned filters, as its kind draws them (engine/ops: Op.filters — a
 * conv's K × C/G × F_h × F_w, an fc's rows shaped as the picture it reads). Null when the
 * first layer with weights draws none, or its filters are too large to draw.
 */
export function firstFilters(network: NetworkResult, weights: NetworkWeights): Filters | null {
  for (const node of network.graph) {
    const w = weights.get(node.id)?.weight;
    if (!w) continue;
    if (!isOpNode(node)) return null;
    const shape = opOf(node).filters?.(node, w.length, pictureRead(network.graph, node));
    if (!shape) return null;
    const { channels, height, width } = shape;
    const size = channels * height * width;
    if (!Number.isInteger(channels) || channels < 1 || !Number.isInteger(shape.count) || shape.count < 1 || size > MAX_FILTER_VALUES) return null;
    const shown = Math.min(shape.count, MAX_FILTERS);
    return { layer: layerName(node), nodeId: node.id, count: shown, channels, height, width, values: w.slice(0, shown * size) };
  }
  return null;
}
