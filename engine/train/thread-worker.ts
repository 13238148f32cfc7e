// A training thread (engine/train/threaded.ts): a worker_threads entry, bundled as
// dist/engine/train-thread.js. It makes the engine it is told to, and before each slice
// copies the main thread's parameters (shared memory) into it; it answers each step with
// its slice's loss and gradients, each scores request with its slice's scores.

import { parentPort } from "node:worker_threads";
import type { LayerParams, NetworkWeights } from "../api";
import { isSplitEngine, type SplitEngine } from "./engine";
import { trainEngines } from "./engines";
import type { TrainParams } from "./float";
import type { FromThread, ToThread } from "./threaded";

const port = parentPort;
if (!port) throw new Error("engine/train/thread-worker runs as a worker thread");

let engine: SplitEngine | null = null;
let shared: [number, Partial<Record<keyof LayerParams, Float32Array>>][] = [];

/** the main thread's parameters as of its last update into this engine's */
function loadParameters(epoch: Int32Array): void {
  // orders the reads below after the main thread's writes
  Atomics.load(epoch, 0);
  const own = engine!.parameters;
  for (const [id, p] of shared) {
    const to = own.get(id);
    if (!to) continue;
    for (const key of Object.keys(p) as (keyof TrainParams)[]) if (p[key] && to[key]) to[key]!.set(p[key]!);
  }
}
const post = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on("message", async (m: ToThread) => {
  try {
    if (m.kind === "init") {
      const make = trainEngines[m.engine];
      if (!make) throw new Error(`no training engine named ${m.engine}`);
      const weights: NetworkWeights = new Map(m.weights.map(([id, p]) => [id, p as LayerParams]));
      const made = await make({ network: m.network, weights, optimizer: m.optimizer, seed: m.seed, batch: m.batch });
      if (!isSplitEngine(made)) throw new Error(`the ${made.name} engine cannot split a batch over threads`);
      engine = made;
      post({ kind: "ready" });
    } else if (m.kind === "step") {
      if (!engine) throw new Error("a step before the engine was made");
      loadParameters(m.epoch);
      const transfer: ArrayBuffer[] = [];
      const reply = engine.gradientsOf(m.inputs, m.labels, m.batch, m.step, m.offset, (r) => {
        const grads: [number, TrainParams][] = [];
        for (const [id, g] of r.grads) {
          const copy: TrainParams = {};
          for (const key of Object.keys(g) as (keyof TrainParams)[]) {
            const t = g[key];
            if (!t) continue;
            const c = Float32Array.from(t);
            transfer.push(c.buffer);
            copy[key] = c;
          }
          grads.push([id, copy]);
        }
        return { kind: "grads" as const, id: m.id, loss: r.loss, correct: r.correct, grads: grads as [number, Partial<Record<keyof LayerParams, Float32Array>>][] };
      });
      post(reply, transfer);
    } else if (m.kind === "params") {
      shared = m.tensors;
    } else if (m.kind === "scores") {
      if (!engine) throw new Error("scores before the engine was made");
      loadParameters(m.epoch);
      const scores = Float32Array.from(await engine.scores(m.inputs, m.batch));
      post({ kind: "scores", id: m.id, scores }, [scores.buffer]);
    } else if (m.kind === "close") {
      engine?.dispose?.();
      engine = null;
      port.close();
    }
  } catch (e) {
    post({ kind: "error", id: m.kind === "step" ? m.id : undefined, message: e instanceof Error ? e.message : String(e) });
  }
});
