// Worker threads in a browser (the run view's engine Worker starts them, nested, from a
// blob: URL, as the view's CSP allows). Shared WebAssembly memory needs a cross-origin
// isolated page: without it there is no SharedArrayBuffer, and the run takes one thread.

import type { ThreadHost, ThreadWorker } from "./host";

const prelude = `const port = { on: (fn) => { self.onmessage = (e) => fn(e.data); }, post: (m) => self.postMessage(m) };
`;

interface WorkerScope {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

const scope = globalThis as unknown as WorkerScope;

export const webThreads: ThreadHost = {
  name: "web workers",
  cores: () => Math.max(1, scope.navigator?.hardwareConcurrency ?? 1),
  unavailable() {
    if (typeof Worker !== "function") return "this page cannot start workers";
    if (typeof SharedArrayBuffer !== "function" || scope.crossOriginIsolated === false) return "the page is not cross-origin isolated (no SharedArrayBuffer)";
    return null;
  },
  spawn(source: string): ThreadWorker {
    const url = URL.createObjectURL(new Blob([prelude + source], { type: "text/javascript" }));
    const worker = new Worker(url, { name: "cnn-engine-thread" });
    // the URL stays valid for the page's life: a few hundred bytes, and no race with the worker's start
    return {
      post: (m) => worker.postMessage(m),
      onMessage: (fn) => worker.addEventListener("message", (e) => fn(e.data)),
      terminate: () => worker.terminate(),
    };
  },
};
