// Worker threads in Node (worker_threads): the CLI, the tests and the bench. Workers are
// unref'd, so an idle pool never keeps a process alive.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ThreadHost, ThreadWorker } from "./host";

const prelude = `const { parentPort } = require("node:worker_threads");
const port = { on: (fn) => parentPort.on("message", fn), post: (m) => parentPort.postMessage(m) };
`;

export const nodeThreads: ThreadHost = {
  name: "node worker_threads",
  cores: () => availableParallelism(),
  unavailable: () => (typeof SharedArrayBuffer === "function" ? null : "this Node has no SharedArrayBuffer"),
  spawn(source: string): ThreadWorker {
    const worker = new Worker(prelude + source, { eval: true, name: "cnn-engine" });
    worker.unref();
    return {
      post: (m) => worker.postMessage(m),
      onMessage: (fn) => {
        worker.on("message", fn);
        // a message listener refs the worker's port again: unref after it
        worker.unref();
      },
      terminate: () => void worker.terminate(),
    };
  },
};
