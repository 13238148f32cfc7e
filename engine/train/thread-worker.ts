// A training thread (engine/train/threaded.ts): a worker_threads entry, bundled as
// dist/engine/train-thread.js. Told once which engine to make and where its lane and the
// shared parameters lie in the exchange (engine/train/threaded.ts), it makes the engine, points the engine's parameters at the
// shared ones (so it reads each update in place), says it is ready, and then serves its
// lane: it sleeps on GO, runs the command (a slice's gradients, or its scores), writes
// the answer into the lane and sets DONE. It leaves the loop when told to close.

import { parentPort } from "node:worker_threads";
import type { NetworkWeights } from "../api";
import { isSplitEngine, type SplitEngine } from "./engine";
import { trainEngines } from "./engines";
import type { TrainParams } from "./float";
import { Command, JoinPoint, Lane, laneViews, SPIN_MS, spinWhile, viewParameters, type FromThread, type LaneSetup, type ToThread } from "./threaded";

const port = parentPort;
if (!port) throw new Error("engine/train/thread-worker runs as a worker thread");

const post = (m: FromThread) => port.postMessage(m);

async function start(m: LaneSetup): Promise<void> {
  const make = trainEngines[m.engine];
  if (!make) throw new Error(`no training engine named ${m.engine}`);
  const weights: NetworkWeights = new Map(m.weights.map(([id, p]) => [id, p]));
  const made = await make({ network: m.network, weights, optimizer: m.optimizer, seed: m.seed, batch: m.batch });
  if (!isSplitEngine(made)) throw new Error(`the ${made.name} engine cannot split a batch over threads`);
  // the engine's parameters become views of the shared ones: the main thread's updates, read in place
  viewParameters(made.parameters, m.exchange, m.paramsAt, m.paramPlaces);
  post({ kind: "ready" });
  serve(made, m);
}

function serve(engine: SplitEngine, m: LaneSetup): void {
  const gradFloats = m.gradPlaces.reduce((n, p) => n + p.length, 0);
  const lane = laneViews(m.exchange, m.laneAt, m.batch, m.sampleSize, m.classes, gradFloats);
  const ctl = lane.ctl;
  const join = m.join ? new JoinPoint(m.exchange, m.join.at, m.join.threads, m.join.index, m.join.floats) : null;
  let seen = 0;
  for (;;) {
    let go = spinWhile(ctl, Lane.GO, seen, SPIN_MS.worker);
    while (go === seen) {
      Atomics.wait(ctl, Lane.GO, seen);
      go = Atomics.load(ctl, Lane.GO);
    }
    seen = go;
    const kind = ctl[Lane.KIND];
    if (kind === Command.CLOSE) break;
    const began = performance.now();
    lane.timing[0] = performance.timeOrigin + began;
    try {
      const batch = ctl[Lane.BATCH];
      const size = m.sampleSize;
      if (kind === Command.STEP) {
        join?.begin(ctl[Lane.TOTAL], ctl[Lane.SLICES]);
        engine.gradientsOf(
          lane.inputs.subarray(0, batch * size),
          lane.labels.subarray(0, batch),
          batch,
          ctl[Lane.STEP],
          ctl[Lane.OFFSET],
          (r) => {
            for (const p of m.gradPlaces) {
              const g = r.grads.get(p.id)?.[p.key as keyof TrainParams];
              if (g) lane.grads.set(g, p.at);
              else lane.grads.fill(0, p.at, p.at + p.length);
            }
            lane.loss[0] = r.loss;
            ctl[Lane.CORRECT] = r.correct;
          },
          join ?? undefined,
        );
      } else if (kind === Command.SCORES) {
        const scores = engine.scores(lane.inputs.subarray(0, batch * size), batch);
        if (scores instanceof Promise) throw new Error("a training thread's engine scores synchronously");
        lane.scores.set(scores);
      }
    } catch (e) {
      // the other threads are not left waiting at a join for this one
      if (join && !join.aborted) join.abort();
      const text = new TextEncoder().encode(e instanceof Error ? e.message : String(e)).subarray(0, Lane.MESSAGE_BYTES);
      lane.message.set(text);
      ctl[Lane.FAILED] = Math.max(1, text.length);
    }
    lane.timing[1] = performance.now() - began;
    lane.timing[2] = kind === Command.STEP ? engine.timing.forward : 0;
    lane.timing[3] = kind === Command.STEP ? engine.timing.backward : 0;
    Atomics.store(ctl, Lane.DONE, seen);
    Atomics.notify(ctl, Lane.DONE);
  }
  engine.dispose?.();
  port!.close();
}

port.on("message", (m: ToThread) => {
  if (m.kind !== "init") return;
  start(m).catch((e) => post({ kind: "error", message: e instanceof Error ? e.message : String(e) }));
});
