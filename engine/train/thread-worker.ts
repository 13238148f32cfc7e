// A training thread (engine/train/threaded.ts): a worker_threads entry, bundled as
// dist/engine/train-thread.js. It makes the engine it is told to over the main thread's
// shared parameters and answers each step with its slice's loss and gradients.

import { parentPort } from "node:worker_threads";
import type { LayerParams, NetworkWeights } from "../api";
import { isSplitEngine, type SplitEngine } from "./engine";
import { trainEngines } from "./engines";
import type { TrainParams } from "./float";
import type { FromThread, ToThread } from "./threaded";

const port = parentPort;
if (!port) throw new Error("engine/train/thread-worker runs as a worker thread");

let engine: SplitEngine | null = null;
const post = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on("message", async (m: ToThread) => {
  try {
    if (m.kind === "init") {
      const make = trainEngines[m.engine];
      if (!make) throw new Error(`no training engine named ${m.engine}`);
      const weights: NetworkWeights = new Map(m.weights.map(([id, p]) => [id, p as LayerParams]));
      const made = await make({ network: m.network, weights, adoptWeights: true, optimizer: m.optimizer, seed: m.seed, batch: m.batch });
      if (!isSplitEngine(made)) throw new Error(`the ${made.name} engine cannot split a batch over threads`);
      engine = made;
      post({ kind: "ready" });
    } else if (m.kind === "step") {
      if (!engine) throw new Error("a step before the engine was made");
      // orders this thread's reads of the parameters after the main thread's last update
      Atomics.load(m.epoch, 0);
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
    } else if (m.kind === "close") {
      engine?.dispose?.();
      engine = null;
      port.close();
    }
  } catch (e) {
    post({ kind: "error", id: m.kind === "step" ? m.id : undefined, message: e instanceof Error ? e.message : String(e) });
  }
});
