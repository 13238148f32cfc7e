// A team: the main thread and the pool's workers sharing one WebAssembly memory (one
// prepared network). Each worker instantiates the kernel library over that memory once
// (attach); the first run asks them in (enter), then every phase is set up in the
// control block and its parts are claimed by whichever thread is free (protocol.ts), the
// main thread too, which then waits for the last part. Between runs the workers stay in
// the team's loop, asleep (so the next run, a training step, finds them at once); they go
// back to their event loops (park) when another team needs them or this one is disposed.
// The main thread blocks while a phase runs (Atomics.wait): fine in Node and in a
// Worker, which is where the engine runs.

import type { KernelLibrary } from "../../wasm/library";
import type { ThreadHost, ThreadWorker } from "./host";
import { CLOSED, Ctl, PARK, SPIN_MS } from "./protocol";
import { workerSource } from "./worker-source";
import { kernelNames } from "./record";

/** the workers of one host, started once per process and shared by every team */
class Pool {
  private readonly workers: ThreadWorker[] = [];
  private static readonly pools = new Map<ThreadHost, Pool>();
  /** the latest error a worker reported (shown when a phase fails) */
  lastError = "";
  /** the team whose loop the workers are in (or were last asked into) */
  holder: Team | null = null;

  private constructor(private readonly host: ThreadHost) {}

  static of(host: ThreadHost): Pool {
    let pool = Pool.pools.get(host);
    if (!pool) Pool.pools.set(host, (pool = new Pool(host)));
    return pool;
  }

  /** the first `n` workers, started as needed */
  take(n: number): ThreadWorker[] {
    while (this.workers.length < n) {
      const w = this.host.spawn(workerSource());
      w.onMessage((m) => {
        if (m && m.type === "error") this.lastError = String(m.message);
      });
      this.workers.push(w);
    }
    return this.workers.slice(0, n);
  }
}

let nextTeam = 1;

export class Team {
  private readonly id = nextTeam++;
  private readonly workers: ThreadWorker[];
  private readonly pool: Pool;
  private epoch = 0;
  private run = 0;
  private inRun = false;
  /** when the workers were last asked in */
  private asked = 0;
  private view: Int32Array | null = null;
  private buffer: ArrayBufferLike | null = null;
  private disposed = false;

  /**
   * `locals`: each thread's scratch (the main thread's first); `ctl`: 64 bytes for the
   * control block. The library's memory must be shared.
   */
  constructor(
    host: ThreadHost,
    private readonly lib: KernelLibrary,
    private readonly ctlAt: number,
    readonly locals: number[],
  ) {
    if (!lib.shared) throw new Error("a team needs the kernels over a shared memory");
    this.pool = Pool.of(host);
    this.workers = this.pool.take(locals.length - 1);
    const names = kernelNames;
    const ctl = this.ctl();
    ctl.fill(0);
    Atomics.store(ctl, Ctl.CLAIM, CLOSED);
    Atomics.store(ctl, Ctl.PROGRAM, PARK);
    this.workers.forEach((w, i) =>
      w.post({ type: "attach", id: this.id, module: lib.module, memory: lib.memory, names, ctl: ctlAt, local: locals[i + 1], local0: locals[0] }),
    );
  }

  get threads(): number {
    return this.locals.length;
  }

  private ctl(): Int32Array {
    const buffer = this.lib.memory.buffer;
    if (this.buffer !== buffer || !this.view) {
      this.buffer = buffer;
      this.view = new Int32Array(buffer, this.ctlAt, Ctl.WORDS);
    }
    return this.view;
  }

  /**
   * A run's start (at its first phase): the workers are asked in, unless they are in this
   * team's loop already (then the message waits, and is dropped as stale when they leave).
   */
  private begin(): void {
    const ctl = this.ctl();
    if (this.pool.holder !== this) {
      this.pool.holder?.park();
      this.pool.holder = this;
      this.run = (this.run + 1) | 0;
      Atomics.store(ctl, Ctl.RUN, this.run);
      Atomics.store(ctl, Ctl.CLAIM, CLOSED);
      Atomics.store(ctl, Ctl.PROGRAM, 0);
      this.asked = performance.now();
      for (const w of this.workers) w.post({ type: "enter", id: this.id, run: this.run });
    } else if (Atomics.load(ctl, Ctl.ACTIVE) < this.workers.length && performance.now() - this.asked > 50) {
      // a worker is out of the loop (it was still starting, or a message was lost to a park): ask again
      this.asked = performance.now();
      for (const w of this.workers) w.post({ type: "enter", id: this.id, run: this.run });
    }
    this.inRun = true;
  }

  /** sends the workers back to their event loops */
  private park(): void {
    if (this.pool.holder === this) this.pool.holder = null;
    if (!this.disposed) this.open(PARK, 0);
  }

  private open(program: number, count: number): void {
    const ctl = this.ctl();
    Atomics.store(ctl, Ctl.CLAIM, CLOSED);
    Atomics.store(ctl, Ctl.PROGRAM, program);
    Atomics.store(ctl, Ctl.COUNT, count);
    Atomics.store(ctl, Ctl.DONE, 0);
    this.epoch = (this.epoch + 1) & 0x7fff;
    Atomics.store(ctl, Ctl.CLAIM, this.epoch << 16);
    Atomics.add(ctl, Ctl.EPOCH, 1);
    Atomics.notify(ctl, Ctl.EPOCH);
  }

  /**
   * Runs the `count` parts of a phase whose recorded program is at `program`; the main
   * thread runs its share through `part` (the step's own code). Returns when every part
   * is done; throws what a part threw (after all parts are done).
   */
  phase(program: number, count: number, part: (index: number) => void): void {
    if (this.disposed) throw new Error("the network was disposed");
    if (count > 0xffff) throw new Error(`a phase of ${count} parts: at most 65535`);
    if (!this.inRun) this.begin();
    this.open(program, count);
    const ctl = this.ctl();
    let error: unknown = null;
    for (;;) {
      const x = Atomics.load(ctl, Ctl.CLAIM);
      if (x === CLOSED || (x & 0xffff) >= count) break;
      if (Atomics.compareExchange(ctl, Ctl.CLAIM, x, x + 1) !== x) continue;
      try {
        part(x & 0xffff);
      } catch (e) {
        error ??= e;
      }
      Atomics.add(ctl, Ctl.DONE, 1);
    }
    let spins = 0;
    const waited = performance.now();
    const until = waited + SPIN_MS;
    for (;;) {
      const done = Atomics.load(ctl, Ctl.DONE);
      if (done >= count) break;
      if ((++spins & 63) !== 0 || performance.now() < until) continue;
      this.stats.sleeps++;
      Atomics.wait(ctl, Ctl.DONE, done, 50);
    }
    this.stats.phases++;
    this.stats.waitMs += performance.now() - waited;
    if (error) throw error;
    const failed = Atomics.exchange(ctl, Ctl.ERROR, 0);
    if (failed) {
      const names = kernelNames;
      throw new Error(`${names[failed - 1] ?? "a kernel"} failed on a worker thread${this.pool.lastError ? `: ${this.pool.lastError}` : ""}`);
    }
  }

  /**
   * Phases run, the time the main thread waited for other threads' parts at their ends,
   * and how often it went to sleep doing so (spun SPIN_MS in vain: each costs a wake-up)
   */
  readonly stats = { phases: 0, waitMs: 0, sleeps: 0 };

  /** parts the worker threads have run so far (the rest ran on the main thread) */
  get workerParts(): number {
    return Atomics.load(this.ctl(), Ctl.WORKER_PARTS);
  }

  /** times the workers went to sleep waiting for a phase (each then needed a wake-up) */
  get workerSleeps(): number {
    return Atomics.load(this.ctl(), Ctl.SLEEPS);
  }

  /** the end of a run: the workers sleep in this team's loop until the next one */
  end(): void {
    this.inRun = false;
  }

  /** the workers leave and forget this team (and its memory) */
  dispose(): void {
    if (this.disposed) return;
    this.inRun = false;
    this.park();
    this.disposed = true;
    for (const w of this.workers) w.post({ type: "detach", id: this.id });
  }
}
