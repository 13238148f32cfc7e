// The host's handle on one training thread (client/train/worker.ts): it starts the
// thread, hands it the request, and gives Pause, Resume and Stop through a word of shared
// memory the trainer reads between batches (engine/train/session-protocol.ts), so a
// command takes effect at the next batch boundary whatever the thread is doing.
// Free of VS Code: the tests drive it directly.

import { Worker } from "node:worker_threads";
import { COMMAND, CONTROL_WORDS, PAUSE, RUN, SEQUENCE, STOP, type SessionMessage, type SessionStart } from "../../engine/train/session-protocol";

export type Command = "pause" | "resume" | "stop";

/** what to train: the session's start message but its type and the control words (this handle adds them) */
export type TrainRequest = Omit<SessionStart, "type" | "control">;

/** the thread's heap is capped: a runaway allocation ends the thread, not the extension host */
const MAX_OLD_GENERATION_MB = 4096;

export class TrainingThread {
  private readonly worker: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private ended = false;

  constructor(
    workerFile: string,
    request: TrainRequest,
    private readonly onMessage: (message: SessionMessage) => void,
    private readonly onExit: (error: Error | null) => void = () => {},
  ) {
    this.worker = new Worker(workerFile, { resourceLimits: { maxOldGenerationSizeMb: MAX_OLD_GENERATION_MB } });
    this.worker.on("message", (m: SessionMessage) => this.onMessage(m));
    this.worker.on("error", (e) => this.end(e));
    this.worker.on("exit", (code) => this.end(code === 0 || this.ended ? null : new Error(`the training thread stopped (exit code ${code})`)));
    const start: SessionStart = { type: "train", ...request, control: this.control.buffer as SharedArrayBuffer };
    this.worker.postMessage(start);
  }

  private end(error: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.onExit(error);
  }

  /** the command's number (the thread answers with it) */
  command(command: Command): number {
    const word = command === "pause" ? PAUSE : command === "stop" ? STOP : RUN;
    // a stop outranks a pause: once stopping, nothing resumes it
    if (Atomics.load(this.control, COMMAND) === STOP) return Atomics.load(this.control, SEQUENCE);
    const sequence = Atomics.add(this.control, SEQUENCE, 1) + 1;
    Atomics.store(this.control, COMMAND, word);
    Atomics.notify(this.control, COMMAND);
    return sequence;
  }

  /** ends the thread at once (the panel closed; nothing is kept) */
  terminate(): Promise<void> {
    this.ended = true;
    return this.worker.terminate().then(() => undefined);
  }
}

/** What a picture folder holds, asked of a short-lived thread (a big folder is walked off the host's thread). */
export function inspectFolderIn(workerFile: string, path: string): Promise<SessionMessage> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile);
    worker.once("message", (m: SessionMessage) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.postMessage({ type: "inspect", path });
  });
}
