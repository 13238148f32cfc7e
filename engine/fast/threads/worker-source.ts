// The worker threads' whole program, as source text: each worker instantiates the kernel
// library over a team's shared memory when told to attach, and, when told to enter a
// run, claims and replays parts of phases (protocol.ts) until the run is parked. It is a
// function made into text (so nothing here may refer to anything outside it) and started
// by a host (node.ts, web.ts) whose prelude defines `port` ({ on(fn), post(message) }).

import { workerConstants, type WorkerConstants } from "./protocol";

interface Port {
  on(listener: (message: any) => void): void;
  post(message: unknown): void;
}

interface Team {
  fns: ((...args: number[]) => void)[];
  names: string[];
  memory: WebAssembly.Memory;
  ctl: number;
  delta: number;
  buffer: ArrayBufferLike | null;
  f64: Float64Array;
}

function workerMain(C: WorkerConstants, port: Port): void {
  const teams = new Map<number, Team>();
  const argLists: number[][] = [];

  port.on((message) => {
    try {
      if (message.type === "attach") {
        const instance = new WebAssembly.Instance(message.module, { env: { memory: message.memory } });
        const exports = instance.exports as Record<string, (...args: number[]) => void>;
        teams.set(message.id, {
          fns: message.names.map((n: string) => exports[n]),
          names: message.names,
          memory: message.memory,
          ctl: message.ctl,
          delta: message.local - message.local0,
          buffer: null,
          f64: new Float64Array(0),
        });
      } else if (message.type === "detach") teams.delete(message.id);
      else if (message.type === "enter") {
        const team = teams.get(message.id);
        if (team) work(team, message.run);
      }
    } catch (e) {
      port.post({ type: "error", message: String((e && (e as Error).stack) || e) });
    }
  });

  function work(t: Team, run: number): void {
    const ctl = new Int32Array(t.memory.buffer, t.ctl, C.WORDS);
    if (Atomics.load(ctl, C.RUN) !== run || Atomics.load(ctl, C.PROGRAM) === C.PARK) return;
    Atomics.add(ctl, C.ACTIVE, 1);
    try {
      loop(t, ctl);
    } finally {
      Atomics.sub(ctl, C.ACTIVE, 1);
    }
  }

  function loop(t: Team, ctl: Int32Array): void {
    for (;;) {
      const seen = Atomics.load(ctl, C.EPOCH);
      const w = Atomics.load(ctl, C.CLAIM);
      if (w !== C.CLOSED) {
        const program = Atomics.load(ctl, C.PROGRAM);
        const count = Atomics.load(ctl, C.COUNT);
        // PROGRAM and COUNT belong to the epoch of w only if CLAIM has not moved since
        if (program === C.PARK) {
          if (Atomics.load(ctl, C.CLAIM) === w) return;
          continue;
        }
        const epoch = w >>> 16;
        for (;;) {
          const x = Atomics.load(ctl, C.CLAIM);
          if (x === C.CLOSED || x >>> 16 !== epoch || (x & 0xffff) >= count) break;
          if (Atomics.compareExchange(ctl, C.CLAIM, x, x + 1) !== x) continue;
          const failed = replay(t, program, x & 0xffff);
          if (failed >= 0) Atomics.compareExchange(ctl, C.ERROR, 0, 1 + failed);
          Atomics.add(ctl, C.WORKER_PARTS, 1);
          if (Atomics.add(ctl, C.DONE, 1) + 1 === count) Atomics.notify(ctl, C.DONE);
        }
      }
      // spin for SPIN_MS (the clock read every 64 turns), then sleep until the next phase
      let spins = 0;
      let until = 0;
      while (Atomics.load(ctl, C.EPOCH) === seen) {
        if ((++spins & 63) !== 0) continue;
        const now = performance.now();
        if (until === 0) until = now + C.SPIN_MS;
        else if (now > until) {
          Atomics.add(ctl, C.SLEEPS, 1);
          Atomics.wait(ctl, C.EPOCH, seen);
          break;
        }
      }
    }
  }

  /** runs one part's calls; the index of the kernel that threw, or −1 */
  function replay(t: Team, program: number, part: number): number {
    const buffer = t.memory.buffer;
    if (t.buffer !== buffer) {
      t.buffer = buffer;
      t.f64 = new Float64Array(buffer);
    }
    const f = t.f64;
    const base = program / 8;
    let q = base + f[base + 1 + part];
    const calls = f[q++];
    let kernel = -1;
    try {
      for (let c = 0; c < calls; c++) {
        kernel = f[q];
        const argc = f[q + 1];
        const mask = f[q + 2];
        q += 3;
        const args = argLists[argc] ?? (argLists[argc] = new Array(argc).fill(0));
        for (let i = 0; i < argc; i++) args[i] = (mask >> i) & 1 ? f[q + i] + t.delta : f[q + i];
        q += argc;
        t.fns[kernel].apply(null, args);
      }
      return -1;
    } catch (e) {
      port.post({ type: "error", message: `${t.names[kernel] ?? "a kernel"} failed on a worker thread: ${String((e && (e as Error).message) || e)}` });
      return Math.max(0, kernel);
    }
  }
}

/** the worker's source, to follow a host's prelude that defines `port` */
export function workerSource(): string {
  return `(${workerMain.toString()})(${JSON.stringify(workerConstants)}, port);\n`;
}
