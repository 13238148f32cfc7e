// Where worker threads come from: Node's worker_threads (node.ts: the CLI, tests, bench)
// or the browser's Worker (web.ts: the run view, when the page is cross-origin isolated).
// The engine itself never imports either, so engine/fast bundles for both.

export interface ThreadWorker {
  post(message: unknown): void;
  /** messages the worker sends (errors it reports) */
  onMessage(listener: (message: any) => void): void;
  terminate(): void;
}

export interface ThreadHost {
  /** what the host is, for messages ("node worker_threads", "web workers") */
  readonly name: string;
  /** the cores this machine offers (the default thread count) */
  cores(): number;
  /** null when threads work here, else why not (no SharedArrayBuffer: the page is not cross-origin isolated, …) */
  unavailable(): string | null;
  /** starts a worker running `source` after the host's prelude (which defines `port`) */
  spawn(source: string): ThreadWorker;
}
