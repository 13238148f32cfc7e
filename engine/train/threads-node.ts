// Training threads in Node (worker_threads): the CLI, the extension host, tests, bench.
// The worker is the bundle dist/engine/train-thread.js (scripts/build.mjs), found beside
// the running bundle (dist/cli, dist/client) or under the working directory's dist/.

import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { TrainThread, TrainThreadHost } from "./threaded";

/** where the training thread's bundle is, or null */
export function trainThreadScript(): string | null {
  const candidates = [join(__dirname, "..", "engine", "train-thread.js"), join(__dirname, "train-thread.js"), join(process.cwd(), "dist", "engine", "train-thread.js")];
  return candidates.find((p) => existsSync(p)) ?? null;
}

export const nodeTrainThreads: TrainThreadHost = {
  cores: () => availableParallelism(),
  unavailable: () =>
    typeof SharedArrayBuffer !== "function" ? "this Node has no SharedArrayBuffer" : trainThreadScript() ? null : "the training thread's bundle (dist/engine/train-thread.js) is not built",
  spawn(): TrainThread {
    const script = trainThreadScript();
    if (!script) throw new Error("the training thread's bundle (dist/engine/train-thread.js) is not built");
    // unref'd but while the main thread awaits it (TrainThread.hold): an idle thread never
    // keeps the process alive, and a step waiting for one is not cut short by an empty event loop
    const worker = new Worker(script, { name: "cnn-train" });
    worker.unref();
    return {
      post: (m) => {
        worker.ref();
        worker.postMessage(m);
      },
      hold: (busy) => void (busy ? worker.ref() : worker.unref()),
      onMessage: (fn) =>
        worker.on("message", (m) => {
          worker.unref();
          fn(m);
        }),
      onError: (fn) => {
        worker.on("error", fn);
        worker.on("exit", (code) => code !== 0 && fn(new Error(`it exited with code ${code}`)));
      },
      terminate: () => void worker.terminate(),
    };
  },
};
