// A network made ready for the WebAssembly kernels: steps planned (plan.ts), weights
// packed into the heap once, the activation arena planned from liveness (arena.ts), the
// scratch space sized for the hungriest step. run() then only copies the input in, calls
// each step with addresses fixed in advance, and copies the output out.
//
// With threads (options.threads > 1 and a host to start them), the memory is shared and
// a step that can be split runs phase by phase on a team (threads/team.ts): its parts'
// kernel calls are recorded once here, with every address already fixed, and each run
// only sets up phases. Every part computes its outputs in the order one thread would, so
// the results are the same bits whatever the number of threads.

import type { GraphNode } from "../../analysis/types";
import { lcm } from "../../analysis/window";
import type { RunOptions } from "../api";
import { abortError } from "../schedule";
import { sizeOf } from "../tensor";
import { instantiateLibrary } from "../wasm/library";
import { planArena, type Lifetime } from "./arena";
import { Heap } from "./heap";
import { isAlias, planSteps, type Step } from "./plan";
import type { Addresses, BuildContext, ByChannels, CompiledStep, Phase, StepOf, WeightSource } from "./steps/context";
import { compileFallback } from "./steps/fallback";
import { opOf, type OpKind } from "../ops";
import type { ThreadHost } from "./threads/host";
import { DEFAULT_GRAIN, partRange } from "./threads/split";
import { recordPart } from "./threads/record";
import { encodeProgram, programLength } from "./threads/protocol";
import { Team } from "./threads/team";
import { chainRange, findChains } from "./threads/bands";

export interface PrepareOptions {
  /** false: one step per node, so every layer's output can be shown */
  fuse?: boolean;
  /** use relaxed SIMD's fused multiply-add when the engine has it (default: when present) */
  relaxed?: boolean;
  /** threads to run on, the calling one included (default 1); more need `host` */
  threads?: number;
  /** where worker threads come from (threads/node.ts, threads/web.ts) */
  host?: ThreadHost;
  /** the least work worth a part of its own (threads/split.ts; tests make it tiny to split every step) */
  grain?: number;
  /** with threads: run chains of steps band by band in one phase each (threads/bands.ts; default false) */
  chains?: boolean;
  /** with threads: a step's last phase and the next step's first as one phase where both go by ranges of the channels between them (fusePairs; default true) */
  sharedPhases?: boolean;
}

interface Scheduled {
  step: Step;
  compiled: CompiledStep;
  at: Addresses;
  /** kernel name for profiles */
  kind: string;
  /** with threads: the phases this step runs (its own, less a first that runs with the step before, and a last that may take the next step's first along: fusePhases) */
  phases: Phase[] | null;
  /** with threads: each phase's recorded program (its byte address) */
  programs: number[] | null;
  /** with threads: the chain this step starts (threads/bands.ts): its steps, parts, program, and a part as the main thread runs it */
  chain: { members: Scheduled[]; count: number; program: number; run: (part: number, local: number) => void } | null;
  /** a step of a chain after its first: it runs in the first's phase */
  inChain: boolean;
}

/** detaches a team from its workers when its network is collected without dispose() */
const teams = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Team>((team) => team.dispose()) : null;

export class FastNetwork {
  private constructor(
    readonly graph: GraphNode[],
    private readonly heap: Heap,
    private readonly schedule: Scheduled[],
    private readonly inputAt: number,
    private readonly outputAt: number,
    /** bytes: packed weights and tables, activations arena, scratch (shared), each thread's own scratch */
    readonly memory: { weights: number; arena: number; scratch: number; local: number },
    private readonly team: Team | null,
  ) {
    if (team) teams?.register(this, team, this);
  }

  /** phases run on threads and the time the main thread waited at their ends (for profiles) */
  get threadStats(): { phases: number; waitMs: number; sleeps: number; workerParts: number; workerSleeps: number } {
    return { ...(this.team?.stats ?? { phases: 0, waitMs: 0, sleeps: 0 }), workerParts: this.workerParts, workerSleeps: this.team?.workerSleeps ?? 0 };
  }

  /** parts of phases the worker threads have run (0 on one thread) */
  get workerParts(): number {
    return this.team?.workerParts ?? 0;
  }

  /** the chains of steps that run band by band in one phase each (threads/bands.ts): how many steps each covers */
  get chains(): number[] {
    return this.schedule.filter((s) => s.chain).map((s) => s.chain!.members.length);
  }

  /** the threads a run uses (1 unless the network was prepared with more and some step splits) */
  get threads(): number {
    return this.team?.threads ?? 1;
  }

  static async prepare(graph: GraphNode[], weights: WeightSource, options: PrepareOptions = {}): Promise<FastNetwork> {
    if (graph.length === 0 || graph[0].op !== "input") throw new Error("the graph does not start with its input");
    const wanted = Math.max(1, Math.floor(options.threads ?? 1));
    const threads = wanted > 1 && options.host && !options.host.unavailable() ? wanted : 1;
    const heap = new Heap(1 << 20, threads > 1);
    const lib = await instantiateLibrary(heap.memory, { relaxed: options.relaxed });
    const byId = new Map(graph.map((n) => [n.id, n]));
    const ctx: BuildContext = { lib, heap, weights, shapeOf: (id) => byId.get(id)!.output, threads, grain: options.grain ?? DEFAULT_GRAIN };
    const steps = planSteps(graph, options.fuse ?? true);

    // values: flatten/dropout read and write the same buffer as their input
    const root = new Map<number, number>();
    const rootOf = (id: number): number => root.get(id) ?? id;
    const compiled: { step: Step; compiled: CompiledStep; kind: string }[] = [];
    for (const step of steps) {
      if (step.head.op === "input") continue;
      if (isAlias(step.head)) {
        root.set(step.output, rootOf(step.head.inputs[0]));
        compiled.push({ step, compiled: { scratchBytes: 0, run: () => {} }, kind: "alias" });
        continue;
      }
      const [kind, c] = compileStep(step, ctx);
      compiled.push({ step, compiled: c, kind });
    }
    const weightsBytes = heap.size;

    // threads: runs of steps that go band by band in one phase (threads/bands.ts)
    const chains =
      threads > 1 && options.chains === true
        ? findChains(
            compiled.map(({ step, compiled: c, kind }) => ({
              bands: kind === "alias" ? undefined : c.bands,
              inputs: step.inputs.map(rootOf),
              output: rootOf(step.output),
              channels: volumeDepth(byId.get(step.output)!),
            })),
            ctx,
          )
        : [];
    // a step of a chain reads and writes while any step of it runs: its span, for lifetimes
    const span = compiled.map((_, i) => [i, i]);
    for (const c of chains) for (let j = 0; j < c.bands.length; j++) span[c.first + j] = [c.first, c.first + c.bands.length - 1];
    const chained = new Set(chains.flatMap((c) => c.bands.map((_, j) => c.first + j)));
    // threads: steps whose last phase takes the next step's first along (fusePairs); the
    // next one's first phase runs while the step's own last does: both spans cover both
    const pairs = threads > 1 && options.sharedPhases !== false ? fusePairs(compiled, rootOf, chained) : new Map<number, number>();
    for (const [i, j] of pairs) {
      const both = [Math.min(span[i][0], span[j][0]), Math.max(span[i][1], span[j][1])];
      span[i] = both;
      span[j] = [...both];
    }

    // lifetimes in step order (step 0 writes the input)
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    first.set(rootOf(graph[0].id), 0);
    compiled.forEach(({ step }, i) => {
      for (const v of step.inputs) last.set(rootOf(v), Math.max(last.get(rootOf(v)) ?? 0, span[i][1] + 1));
      const out = rootOf(step.output);
      if (!first.has(out)) first.set(out, span[i][0] + 1);
    });
    const output = graph[graph.length - 1].id;
    last.set(rootOf(output), compiled.length + 1);
    const lifetimes: Lifetime[] = [...first.entries()].map(([id, f]) => ({
      id,
      bytes: 4 * sizeOf(byId.get(id)!.output),
      first: f,
      last: last.get(id) ?? f,
    }));
    const arena = planArena(lifetimes);
    const arenaBase = heap.reserve(arena.size);
    // the scratch: one region for every step, and where two steps share a phase, the second
    // in a second region after the largest first one (the next pair's second in the first
    // again), so that the first's scratch (Winograd's M, B packed for all) is still there
    // while the second's is written
    const bank = compiled.map(() => 0);
    for (const [i, j] of pairs) bank[j] = 1 - bank[i];
    const firstRegion = [...pairs].flat().filter((i) => bank[i] === 0);
    const bankAt = Math.ceil(Math.max(0, ...firstRegion.map((i) => compiled[i].compiled.scratchBytes)) / 64) * 64;
    const scratchBytes = Math.max(0, ...compiled.map((c, i) => bank[i] * bankAt + c.compiled.scratchBytes));
    const scratch = heap.reserve(scratchBytes);
    const addressOf = (id: number) => arenaBase + arena.offsets.get(rootOf(id))!;
    const schedule: Scheduled[] = compiled.map(({ step, compiled, kind }, i) => ({
      step,
      compiled,
      kind,
      at: { inputs: step.inputs.map(addressOf), output: addressOf(step.output), scratch: scratch + bank[i] * bankAt },
      phases: compiled.phases ?? null,
      programs: null,
      chain: null,
      inChain: false,
    }));
    fusePhases(schedule, pairs, threads);

    // threads: each its own scratch, a control block, and every phase's calls written down
    let team: Team | null = null;
    let localBytes = 0;
    if (threads > 1 && (chains.length > 0 || schedule.some((s) => s.phases?.length))) {
      localBytes = Math.max(64, ...compiled.map((c) => c.compiled.localBytes ?? 0), ...chains.flatMap((c) => c.bands.map((b) => b.localBytes)));
      const locals = Array.from({ length: threads }, () => heap.reserve(localBytes));
      const ctl = heap.reserve(64);
      for (const [i, s] of schedule.entries()) {
        const phases = s.phases;
        if (!phases || chained.has(i)) continue;
        s.programs = phases.map((phase, i) => {
          const parts = Array.from({ length: phase.count }, (_, p) =>
            recordPart(lib, locals[0], (local) => phase.run(s.at, p, local), `the ${s.kind} step of node ${s.step.head.id} (${s.step.head.op}), phase ${i + 1}`),
          );
          const length = programLength(parts);
          const at = heap.reserve(8 * length);
          encodeProgram(parts, new Float64Array(heap.memory.buffer, at, length));
          return at;
        });
      }
      for (const c of chains) {
        const members = schedule.slice(c.first, c.first + c.bands.length);
        const run = (part: number, local: number) => {
          const [n0, n1] = chainRange(c.bands, c.count, part);
          c.bands.forEach((b, j) => b.run(members[j].at, n0, n1, local));
        };
        const what = `the chain of steps from node ${members[0].step.head.id} (${members[0].step.head.op}) to node ${members[members.length - 1].step.head.id}`;
        const parts = Array.from({ length: c.count }, (_, p) => recordPart(lib, locals[0], (local) => run(p, local), what));
        const length = programLength(parts);
        const at = heap.reserve(8 * length);
        encodeProgram(parts, new Float64Array(heap.memory.buffer, at, length));
        members[0].chain = { members, count: c.count, program: at, run };
        for (const m of members.slice(1)) m.inChain = true;
      }
      team = new Team(options.host!, lib, ctl, locals);
    }
    return new FastNetwork(
      graph,
      heap,
      schedule,
      addressOf(graph[0].id),
      addressOf(output),
      { weights: weightsBytes, arena: arena.size, scratch: scratchBytes, local: localBytes * (team?.threads ?? 0) },
      team,
    );
  }

  /** lets the worker threads drop this network's memory (it can no longer run) */
  dispose(): void {
    if (!this.team) return;
    teams?.unregister(this);
    this.team.dispose();
  }

  /** total bytes of WebAssembly memory this network holds */
  get memoryBytes(): number {
    return this.heap.memory.buffer.byteLength;
  }

  async run(input: Float32Array, options: RunOptions = {}): Promise<Float32Array> {
    const inputNode = this.graph[0];
    if (input.length !== sizeOf(inputNode.output)) {
      throw new Error(`the input has ${input.length} values, the network expects ${sizeOf(inputNode.output)}`);
    }
    this.heap.write(this.inputAt, input);
    const trace = options.onLayer;
    if (trace) trace({ node: inputNode, output: input.slice(), ms: 0 });
    const team = this.team;
    try {
      for (const s of this.schedule) {
        if (options.signal?.aborted) throw abortError();
        if (s.inChain) continue;
        const started = trace ? performance.now() : 0;
        const chain = team ? s.chain : null;
        if (team && chain) {
          const local = team.locals[0];
          team.phase(chain.program, chain.count, (part) => chain.run(part, local));
          if (trace) {
            // the chain's time shows on its first step; every step's output is there to show
            const ms = performance.now() - started;
            chain.members.forEach((m, j) => {
              const node = m.step.covers[m.step.covers.length - 1];
              trace({ node, output: this.heap.read(m.at.output, sizeOf(node.output)), ms: j === 0 ? ms : 0 });
            });
          }
          if (options.signal) await new Promise((resolve) => setTimeout(resolve, 0));
          continue;
        }
        if (team && s.programs) {
          const phases = s.phases!;
          const local = team.locals[0];
          // a phase of one part runs here, without waking the workers (a net of small steps never does)
          phases.forEach((phase, i) => (phase.count === 1 ? phase.run(s.at, 0, local) : team.phase(s.programs![i], phase.count, (part) => phase.run(s.at, part, local))));
        } else s.compiled.run(s.at);
        if (trace) {
          // a fused step shows its last node only (the executor does not fuse when tracing)
          const ms = performance.now() - started;
          const node = s.step.covers[s.step.covers.length - 1];
          trace({ node, output: this.heap.read(s.at.output, sizeOf(node.output)), ms });
        }
        // (the workers wait for the next phase meanwhile)
        if (options.signal) await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } finally {
      team?.end();
    }
    return this.heap.read(this.outputAt, sizeOf(this.graph[this.graph.length - 1].output));
  }

  /**
   * For profiles (bench/engine/profile.ts): one run with every phase's parts run one after
   * another on the calling thread, each timed — what each part costs with no other thread
   * in the way, from which the best a team could do follows (its serial fraction). Per
   * step: the parts' ms of each phase, or null when the step runs whole (its ms in `whole`).
   */
  timeParts(input: Float32Array): { phases: number[][] | null; whole: number }[] {
    this.heap.write(this.inputAt, input);
    const local = this.team?.locals[0] ?? 0;
    return this.schedule.map((s) => {
      const t0 = performance.now();
      if (this.team && s.inChain) return { phases: [], whole: 0 };
      if (this.team && s.chain) {
        const chain = s.chain;
        const parts = Array.from({ length: chain.count }, (_, part) => {
          const p0 = performance.now();
          chain.run(part, local);
          return performance.now() - p0;
        });
        return { phases: [parts], whole: performance.now() - t0 };
      }
      if (!this.team || !s.programs) {
        s.compiled.run(s.at);
        return { phases: null, whole: performance.now() - t0 };
      }
      const phases = s.phases!.map((phase) =>
        Array.from({ length: phase.count }, (_, part) => {
          const p0 = performance.now();
          phase.run(s.at, part, local);
          return performance.now() - p0;
        }),
      );
      return { phases, whole: performance.now() - t0 };
    });
  }

  /** step kinds in order, for tests and profiles */
  get kernels(): string[] {
    return this.schedule.map((s) => s.kind);
  }
}

/**
 * With threads: the steps whose last phase can run with the next step's first as one
 * phase (step index → the next step's), where the one goes by ranges of its output's
 * channels (its `tail`) and the other reads its input 0, that output, by ranges of the
 * same channels (its `head`, steps/context.ts): a Winograd's output transform with the
 * next one's padded copy and input transform, a 1×1 expansion cut by filters with the
 * depthwise after it. Aliases in between are skipped; a step whose one phase already
 * runs with the step before it has nothing left to take the next one's along.
 */
function fusePairs(compiled: { step: Step; compiled: CompiledStep; kind: string }[], rootOf: (id: number) => number, chained: Set<number>): Map<number, number> {
  const pairs = new Map<number, number>();
  const taken = new Set<number>();
  for (let i = 0; i < compiled.length; i++) {
    if (compiled[i].kind === "alias" || chained.has(i)) continue;
    let j = i + 1;
    while (j < compiled.length && compiled[j].kind === "alias") j++;
    if (j >= compiled.length || chained.has(j)) continue;
    const a = compiled[i].compiled;
    const b = compiled[j].compiled;
    const own = a.phases?.length ?? 0;
    if (!a.tail || !b.head || own === 0 || !b.phases?.length) continue;
    if (taken.has(i) && own === 1) continue;
    if (a.tail.channels !== b.head.channels || a.phases![own - 1].count < 2) continue;
    if (rootOf(compiled[j].step.inputs[0]) !== rootOf(compiled[i].step.output)) continue;
    pairs.set(i, j);
    taken.add(j);
  }
  return pairs;
}

/** each pair's phases: the first's last phase and the second's first, by the same ranges of channels, as one */
function fusePhases(schedule: Scheduled[], pairs: Map<number, number>, threads: number): void {
  for (const j of pairs.values()) schedule[j].phases = schedule[j].phases!.slice(1);
  for (const [i, j] of pairs) {
    const a = schedule[i];
    const b = schedule[j];
    const own = a.phases!;
    const tail: ByChannels = a.compiled.tail!;
    const head: ByChannels = b.compiled.head!;
    const align = lcm(tail.align, head.align);
    const count = Math.min(own[own.length - 1].count, Math.ceil(tail.channels / align));
    const fused: Phase = {
      count,
      run(_, part, local) {
        const [c0, c1] = partRange(tail.channels, count, part, align, threads);
        tail.run(a.at, c0, c1, local);
        head.run(b.at, c0, c1, local);
      },
    };
    a.phases = [...own.slice(0, -1), fused];
  }
}

/** the depth of a volume (its channels), 1 for anything else */
function volumeDepth(node: GraphNode): number {
  const o = node.output as { kind?: string; d?: number };
  return o.kind === "volume" && o.d ? o.d : 1;
}

/** The step's compiled kernel, by its head's op (engine/ops); the reference where it has no fast form. */
function compileStep(step: Step, ctx: BuildContext): [string, CompiledStep] {
  const node = step.head;
  const fast = node.op === "input" ? undefined : opOf(node).fast;
  if (fast && "compile" in fast) return fast.compile(step as StepOf<OpKind>, ctx);
  return ["reference", compileFallback(step, ctx)];
}
