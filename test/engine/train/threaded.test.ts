// Training on threads (engine/train/threaded.ts): the batch split over the calling thread
// and worker threads, the gradients summed weighted by the slices, one update. Checked
// against one thread after several optimizer steps, for the fast and the reference
// engines, with dropout (each sample's mask by its index in the whole batch). Bound: the
// issue's "identical up to float summation order": 1e-5·max(1, |one thread's|) on every
// parameter (the running statistics too) and on the losses. Batch norms train on threads with
// the whole batch's statistics; droppath draws its drops by the sample's index in the
// whole batch, as dropout does.

import * as assert from "node:assert/strict";
import { initWeights } from "../../../engine/init";
import { dropPathFactors } from "../../../engine/ops/reshape";
import { sizeOf } from "../../../engine/tensor";
import type { StepResult } from "../../../engine/train/engine";
import { trainEngines } from "../../../engine/train/engines";
import { optimizerSettings } from "../../../engine/train/optim";
import { JoinPoint, slices, threadedTrainEngine, ThreadedEngine, type TrainThread, type TrainThreadHost } from "../../../engine/train/threaded";
import { nodeTrainThreads } from "../../../engine/train/threads-node";
import { network } from "../nets";
import { seeded } from "./support";

const LENET_RELU = "input 28x28x1\nconv 6 5x5 pad 2\nrelu\nmaxpool 2\nconv 16 5x5\nrelu\nmaxpool 2\nfc 120\nrelu\nfc 84\nrelu\nfc 10";
const WITH_BN = "input 8x8x2\nconv 4 3x3 pad 1\nbn\nrelu\nmaxpool 2\nconv 6 3x3 pad 1 nobias\nbn\nrelu\nfc 12\nbn\nrelu\nfc 4";
const RESIDUAL_BN = "input 8x8x3\nconv 8 3x3 pad 1 nobias\nbn\nrelu\nresidual { conv 8 3x3 pad 1 nobias; bn; relu; conv 8 3x3 pad 1 nobias; bn }\nrelu\nresidual { conv 12 3x3 stride 2 pad 1 nobias floor; bn; relu; conv 12 3x3 pad 1 nobias; bn } shortcut { conv 12 1x1 stride 2 nobias floor; bn }\nrelu\ngap\nfc 5";
const WITH_DROPPATH = "input 8x8x2\nconv 4 3x3 pad 1\nrelu\nresidual { conv 4 3x3 pad 1; relu; conv 4 3x3 pad 1; droppath 0.5 }\nrelu\nfc 3";
const WITH_DROPOUT = "input 12x12x2\nconv 4 3x3 pad 1\nrelu\ndropout 0.4\nmaxpool 2\nfc 16\nrelu\ndropout 0.5\nfc 5";

function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const bound = 1e-5 * Math.max(1, Math.abs(want[i]));
    assert.ok(Math.abs(got[i] - want[i]) <= bound, `${what}[${i}]: ${got[i]} on threads vs ${want[i]} on one`);
  }
}

async function trainBoth(text: string, engine: string, threads: number, batch: number, steps: number, optimizer = optimizerSettings({ lr: 1e-3 }), lastBatch?: number) {
  const net = network(text);
  const size = sizeOf(net.graph[0].output);
  const classes = sizeOf(net.graph[net.graph.length - 1].output);
  const make = trainEngines[engine];
  const setup = { network: net, weights: initWeights(net.graph, 3), optimizer, seed: 7, batch };
  const one = await make(setup);
  const many = await threadedTrainEngine(engine, make, threads, nodeTrainThreads)(setup);
  try {
    assert.ok(many instanceof ThreadedEngine, "trains on threads");
    assert.equal(many.threads, threads);
    for (let t = 0; t < steps; t++) {
      // the last step a smaller batch, as an epoch's last one may be (one sample: one slice)
      const n = t === steps - 1 ? lastBatch ?? batch - 3 : batch;
      const inputs = Float32Array.from(seeded(n * size, 100 + t));
      const labels = Int32Array.from({ length: n }, (_, i) => (i * 7 + t) % classes);
      const a: StepResult = await one.step(inputs, labels, n, t);
      const b: StepResult = await many.step(inputs, labels, n, t);
      close([b.loss], [a.loss], `loss at step ${t}`);
      assert.equal(b.correct, a.correct, `correct at step ${t}`);
    }
    // eval-mode scores of a whole batch, sliced over the threads too
    const n = batch;
    const inputs = Float32Array.from(seeded(n * size, 999));
    close(await many.scores(inputs, n), await one.scores(inputs, n), "scores");
    close(await many.scores(inputs.subarray(0, 3 * size), 3), await one.scores(inputs.subarray(0, 3 * size), 3), "scores of 3");
    // where the steps' time went: every step counted, each thread's slice timed, a reset starts over
    const p = many.profile(true);
    assert.equal(p.steps, steps);
    assert.equal(p.work.length, threads - 1);
    assert.ok(p.slice > 0 && p.update > 0 && p.work.every((t) => t > 0) && p.wake.every((t) => t >= 0), JSON.stringify(p));
    // a slice's forward and backward passes are parts of it
    assert.ok(p.forward > 0 && p.backward > 0 && p.forward + p.backward <= p.slice, JSON.stringify(p));
    assert.ok(p.work.every((t, i) => p.workForward[i] > 0 && p.workBackward[i] > 0 && p.workForward[i] + p.workBackward[i] <= t), JSON.stringify(p));
    assert.equal(many.profile().steps, 0);
    const w1 = one.weights();
    const w2 = many.weights();
    for (const [id, p] of w1) for (const key of Object.keys(p) as (keyof typeof p)[]) close(w2.get(id)![key]!, p[key]!, `node ${id} ${key}`);
  } finally {
    one.dispose?.();
    many.dispose?.();
  }
}

describe("training on threads: the batch split, the gradients summed", function () {
  this.timeout(120_000);

  it("slices: contiguous, covering the batch, the first ones one larger; no empty slice", () => {
    assert.deepEqual(slices(32, 2), [[0, 16], [16, 32]]);
    assert.deepEqual(slices(7, 3), [[0, 3], [3, 5], [5, 7]]);
    assert.deepEqual(slices(1, 4), [[0, 1]]);
  });

  it("LeNet-5 (ReLU), fast engine, 2 threads: 4 Adam steps as one thread's, within 1e-5", () => trainBoth(LENET_RELU, "fast", 2, 16, 4));
  it("LeNet-5 (ReLU), reference engine, 3 threads, SGD with momentum and weight decay", () =>
    trainBoth(LENET_RELU, "reference", 3, 10, 3, optimizerSettings({ kind: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 1e-4 })));
  it("LeNet-5 (ReLU), fast engine, 3 threads, SGD with momentum and weight decay (the update on the exchange, two slices summed before it)", () =>
    trainBoth(LENET_RELU, "fast", 3, 11, 3, optimizerSettings({ kind: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 1e-4 })));
  it("fast engine, 2 threads, Adam with weight decay, 5 steps", () => trainBoth(LENET_RELU, "fast", 2, 9, 5, optimizerSettings({ lr: 2e-3, weightDecay: 1e-3 })));
  it("fast engine, 2 threads: an epoch's last batch of one sample (one slice) is one thread's too, Adam and SGD", async () => {
    await trainBoth(LENET_RELU, "fast", 2, 8, 3, optimizerSettings({ lr: 2e-3 }), 1);
    await trainBoth(LENET_RELU, "fast", 2, 8, 3, optimizerSettings({ kind: "sgd", lr: 0.05, momentum: 0.9 }), 1);
  });
  it("dropout draws one thread's masks on every thread (2 threads, fast engine)", () => trainBoth(WITH_DROPOUT, "fast", 2, 12, 3));

  // bn on threads: the statistics are the whole batch's (each thread's sums joined), the
  // running statistics updated once, as torch does; so the weights, the running statistics
  // and the eval-mode scores are one thread's
  it("batch norms on 2 threads (fast engine): the whole batch's statistics, 4 Adam steps as one thread's", () => trainBoth(WITH_BN, "fast", 2, 10, 4));
  it("batch norms on 2 threads: a last batch of 2 samples, a slice of one sample each (a bn over a vector sees both)", () => trainBoth(WITH_BN, "fast", 2, 6, 2, optimizerSettings({ lr: 1e-3 }), 2));
  it("batch norms on 3 threads: a last batch of 2 (two slices; the third thread idle, not waited for at the joins)", () => trainBoth(WITH_BN, "fast", 3, 6, 3, optimizerSettings({ lr: 1e-3 }), 2));
  it("batch norms on 3 threads (reference engine), SGD with momentum; a slice of one sample before a bn over a vector", () =>
    trainBoth(WITH_BN, "reference", 3, 7, 3, optimizerSettings({ kind: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 1e-4 })));
  it("a residual net with batch norms and a shortcut, 2 threads, 3 steps", () => trainBoth(RESIDUAL_BN, "fast", 2, 8, 3));

  it("a join: every thread gets the sums of all in slice order; a thread's abort ends the others' waits; a thread that never comes is given up on", () => {
    const buffer = new SharedArrayBuffer(JoinPoint.bytes(2, 4));
    const [a, b] = [0, 1].map((i) => new JoinPoint(buffer, 0, 2, i, 4, 300));
    assert.ok(a.first && !b.first);
    // b arrives first (its values wait in its slot), then a: a gets both sums at once
    const gen = new Int32Array(buffer, 0, 3);
    // (thread 1's slot of odd generations: after the 3 words, the 2 slots of thread 0 and its even one)
    const slotB = new Float64Array(buffer, 64 + 8 * 4 * 3, 4);
    slotB.set([10, 20]);
    Atomics.store(gen, 1, 1);
    assert.deepEqual([...a.sum(Float64Array.from([1, 2]))], [11, 22]);
    // b never reaches the second join: a gives up after its patience, and the joins are aborted
    const t0 = performance.now();
    assert.throws(() => a.sum(Float64Array.from([1, 2])), /did not reach a batch norm's join in 0.3 s/);
    assert.ok(performance.now() - t0 >= 290);
    assert.ok(b.aborted);
    assert.throws(() => b.sum(Float64Array.from([1])), /another training thread failed/);
    assert.throws(() => new JoinPoint(new SharedArrayBuffer(JoinPoint.bytes(2, 4)), 0, 2, 0, 4).sum(new Float64Array(5)), /at most 4 values/);
  });

  // droppath draws each sample's drop by its index in the whole batch: on threads, each
  // slice's samples are dropped as one thread drops them (p 0.5 on a batch of 10: some
  // samples of both slices dropped at most steps, so the test sees drops on both threads)
  it("droppath drops one thread's samples on every thread (2 threads, fast engine; 3 threads, reference)", async () => {
    await trainBoth(WITH_DROPPATH, "fast", 2, 10, 4);
    await trainBoth(WITH_DROPPATH, "reference", 3, 7, 3, optimizerSettings({ kind: "sgd", lr: 0.05, momentum: 0.9 }));
  });

  it("droppath's factors of a slice are the whole batch's factors from the slice's first sample on", () => {
    const whole = dropPathFactors(7, 3, 4, 12, 0.5);
    assert.ok(whole.some((f) => f === 0) && whole.some((f) => f === 2), `both drops and keeps in ${[...whole]}`);
    assert.deepEqual([...dropPathFactors(7, 3, 4, 5, 0.5, 7)], [...whole.subarray(7, 12)]);
    assert.deepEqual([...dropPathFactors(7, 3, 4, 7, 0.5, 0)], [...whole.subarray(0, 7)]);
  });

  it("a worker that fails is an error with its message, not a hang", async () => {
    const net = network(LENET_RELU);
    const setup = { network: net, weights: initWeights(net.graph, 1), optimizer: optimizerSettings({}), seed: 0, batch: 4 };
    // the workers are told an engine they do not have
    await assert.rejects(ThreadedEngine.create(setup, "nope", trainEngines.fast, 2, nodeTrainThreads), /a training thread failed: no training engine named nope/);
  });

  it("a worker that dies while the main thread waits for its slice is an error, not a hang", async () => {
    const net = network(LENET_RELU);
    const setup = { network: net, weights: initWeights(net.graph, 1), optimizer: optimizerSettings({}), seed: 0, batch: 8 };
    const threads: TrainThread[] = [];
    const host: TrainThreadHost = { ...nodeTrainThreads, spawn: () => (threads.push(nodeTrainThreads.spawn()), threads[threads.length - 1]) };
    const engine = await ThreadedEngine.create(setup, "fast", trainEngines.fast, 2, host);
    try {
      const size = sizeOf(net.graph[0].output);
      const inputs = Float32Array.from(seeded(8 * size, 5));
      const labels = Int32Array.from({ length: 8 }, (_, i) => i % 10);
      await engine.step(inputs, labels, 8, 0);
      // the worker ends between two steps: the next step's wait must end with an error
      threads[0].terminate();
      await assert.rejects(Promise.resolve(engine.step(inputs, labels, 8, 1)), /a training thread failed/);
    } finally {
      engine.dispose();
    }
  });
});
