// What the server does while the client leaves it alone, so that an edit never pays for
// it (issue 14: an edit's diagnostics within 25 ms, the first edit after open within 100):
// - a garbage collection after analyses. An analysis of a 5,000-layer file allocates
//   ~18 MB and keeps ~9 MB (the snapshot); left to itself, V8 collects in the middle of a
//   later analysis — a scavenge that copies the last snapshot and the half-built one, or
//   a mark-compact — and that edit waits 50–150 ms more (p95 of the analysis alone, in
//   CPU time on the loaded machine: 119 ms, against 43 with the collection done between
//   edits). In a quiet moment after the publish: a scavenge (it costs what the snapshot
//   weighs), and a full collection once the old generation has grown by `majorAfterMB`.
// - the JIT's warm-up: a cold server analyzes its second 5,000-layer text in ~4× the time
//   of a warm one. Short analyses of a representative text (server/warmup.ts), one per
//   quiet moment, make the code hot before the user's first keystroke.
// Each piece of work runs only after `quietMs` without a message and is short (a few ms
// to a few tens), so a message that arrives meanwhile waits at most one piece.

import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * The server's idle work as configured by the environment: `CNN_LSP_IDLE=0` turns it off
 * (no collections, no warm-up), for comparing with it on (bench/lsp.bench.ts does).
 */
export function idleFromEnvironment(env: NodeJS.ProcessEnv = process.env): IdleWork {
  return env.CNN_LSP_IDLE === "0" ? new IdleWork({ collect: null, warm: false }) : new IdleWork();
}

export interface Collector {
  /** a scavenge of the young generation */
  minor(): void;
  /** a full mark-compact */
  major(): void;
  /** bytes in use in the old generation */
  oldBytes(): number;
}

type GcFunction = (options?: { type?: "minor" | "major" }) => void;

/** V8's collector, whether or not node was started with --expose-gc (null if it can't be had). */
export function collector(): Collector | null {
  let gc: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== "function") {
    try {
      // a new context gets the gc function once the flag is set (the way test runners reach it)
      setFlagsFromString("--expose-gc");
      gc = runInNewContext("gc");
    } catch {
      return null;
    }
  }
  if (typeof gc !== "function") return null;
  const run = gc as GcFunction;
  return {
    minor: () => run({ type: "minor" }),
    major: () => run({ type: "major" }),
    oldBytes: () => getHeapSpaceStatistics().find((s) => s.space_name === "old_space")?.space_used_size ?? 0,
  };
}

export interface IdleOptions {
  /** how long the client must have been silent before a piece of work runs (ms) */
  quietMs?: number;
  /** the collector (default: V8's, when it can be had) */
  collect?: Collector | null;
  /** a full collection once the old generation grew this much since the last one (MB) */
  majorAfterMB?: number;
  /** false: warmUp() does nothing */
  warm?: boolean;
  now?: () => number;
  /**
   * Runs the work found due once the event loop has read what is waiting on the
   * connection (default setImmediate: after the poll phase). libuv runs the timers of a
   * turn before it reads input, so a message already in the pipe when the timer fires
   * would wait out the work (the first edit after open in Neovim waited a 48 ms scavenge
   * so); the server touches on raw input (start.ts), and the work looks again.
   */
  defer?: (callback: () => void) => void;
}

export class IdleWork {
  private last: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** a document was analyzed since the last collection */
  private analyzed = false;
  /** warm-up pieces since the last collection */
  private warmPieces = 0;
  private warmup: Iterator<unknown> | undefined;
  private warmedUp: boolean;
  private readonly warmAllowed: boolean;
  private readonly quietMs: number;
  private readonly collect: Collector | null;
  private readonly majorAfterBytes: number;
  /** the old generation after the last full collection (null: none yet — the first is a scavenge) */
  private oldAfterMajor: number | null = null;
  private readonly now: () => number;
  private readonly defer: (callback: () => void) => void;
  /** what ran, for the server's tests: collections and warm-up pieces */
  readonly counts = { minor: 0, major: 0, warmups: 0 };

  constructor(options: IdleOptions = {}) {
    this.quietMs = options.quietMs ?? 30;
    this.collect = options.collect === undefined ? collector() : options.collect;
    this.majorAfterBytes = (options.majorAfterMB ?? 16) * 1e6;
    this.warmedUp = options.warm === false;
    this.warmAllowed = options.warm !== false;
    this.now = options.now ?? (() => performance.now());
    this.defer = options.defer ?? ((callback) => void setImmediate(callback));
    this.last = this.now();
    this.arm();
  }

  /** A message came in: idle work waits for the next quiet moment. */
  touch(): void {
    this.last = this.now();
  }

  /** An analysis ran (its garbage wants collecting). */
  worked(): void {
    this.last = this.now();
    this.analyzed = true;
    this.arm();
  }

  /** whether warming up is on (not with CNN_LSP_IDLE=0) */
  get warming(): boolean {
    return this.warmAllowed;
  }

  /** Warm up from the next quiet moment on (once: a second call is ignored). */
  warmUp(pieces: Iterator<unknown>): void {
    if (this.warmedUp) return;
    this.warmedUp = true;
    this.warmup = pieces;
    this.arm();
  }

  /** Stop everything (the server is shutting down). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.warmup = undefined;
    this.analyzed = false;
    this.warmPieces = 0;
  }

  private get busy(): boolean {
    return this.warmup !== undefined || ((this.analyzed || this.warmPieces > 0) && this.collect !== null);
  }

  private arm(delay = this.quietMs): void {
    if (this.timer || this.deferred || !this.busy) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, delay));
    // idle work never keeps the process alive
    this.timer.unref?.();
  }

  private tick(): void {
    this.timer = undefined;
    const quietFor = this.now() - this.last;
    if (quietFor < this.quietMs) return this.arm(this.quietMs - quietFor);
    // (what is waiting on the connection is read first: a message there touches, and the work waits)
    this.deferred = true;
    this.defer(() => {
      this.deferred = false;
      if (this.timer || !this.busy) return;
      const quiet = this.now() - this.last;
      if (quiet < this.quietMs) return this.arm(this.quietMs - quiet);
      this.work();
    });
  }

  /** a tick found the work due and waits for the input to be read */
  private deferred = false;

  private work(): void {
    // a document's garbage first, then a few warm-up pieces at a time (each ~1 MB), so the
    // next edit finds the young generation (nearly) empty
    if (this.collect && (this.analyzed || this.warmPieces >= 8 || (this.warmPieces > 0 && !this.warmup))) {
      this.analyzed = false;
      this.warmPieces = 0;
      this.collectNow(this.collect);
    } else if (this.warmup) {
      let done = true;
      try {
        done = this.warmup.next().done === true;
      } catch {
        // a warm-up that fails only stops warming up
      }
      if (done) this.warmup = undefined;
      else {
        this.counts.warmups++;
        this.warmPieces++;
      }
    } else return;
    // the next piece waits for another turn, after whatever came in meanwhile
    this.last = this.now() - this.quietMs;
    this.arm(0);
  }

  private collectNow(collect: Collector): void {
    // the first collection after start is a scavenge: a full one would weigh the cold open's
    // whole heap while the user's first edit may be coming
    if (this.oldAfterMajor !== null && collect.oldBytes() - this.oldAfterMajor > this.majorAfterBytes) {
      collect.major();
      this.oldAfterMajor = collect.oldBytes();
      this.counts.major++;
    } else {
      collect.minor();
      // the growth counts from the lowest the old generation has been since our last full
      // collection: V8 collects on its own too (the first one after the cold open takes
      // the old generation from ~90 MB to ~20), and measured from before that, no full
      // collection of ours came before V8's next own one — inside an edit (+30–50 ms)
      const old = collect.oldBytes();
      if (this.oldAfterMajor === null || old < this.oldAfterMajor) this.oldAfterMajor = old;
      this.counts.minor++;
    }
  }
}
