// `npm run bench -- --only train`: training throughput (samples/s) of our engines and
// TensorFlow.js on the same networks, batch, optimizer (Adam, lr 1e-3) and starting
// weights: LeNet-5 as the course draws it (sigmoid, average pooling, 32×32), the §9
// LeNet-5 (ReLU, max pooling, 28×28), a small ResNet (with batch norms) and a small VGG,
// both on 32×32×3. Each
// (engine, net) runs in a fresh process, warms up, then times whole optimizer steps on
// seeded data; the machine's load from other processes is reported beside each figure.
// Then the time our fast engine takes to reach 98 % of the MNIST test digits with the §9
// example (defaults: Adam, lr 1e-3, batch 32), epoch by epoch, ending at the epoch that
// reaches it (at most --epochs).
//
// Ours runs on 1 thread and on every --threads count (the batch shared: engine/train/threaded.ts),
// the counts alternating round by round (--rounds; the table gives each figure's median),
// and issue 16's training target is printed from them: ours 2 threads vs 1 (LeNet-5 ≥ 1.5×),
// each round's pair as a ratio and their median, beside the tfjs peer and PyTorch's
// one-thread anchor (issue 12: measured elsewhere, PyTorch is not installed here), and
// where a threaded step's time goes (engine/train/threaded.ts ThreadProfile): each
// thread's slice, the wait, the serial update, Amdahl's bound, each thread's CPU time.
// Ours warms up ≥ 2 s (V8 optimizes the JavaScript around the kernels for seconds, in every
// thread's isolate) and times ≥ 2 s (and ≥ --steps steps); a peer 5 steps and --steps.
//
//   --nets lenet5,lenet5-relu,resnet-small,vgg-small   --engines ours,ours-reference,tfjs-cpu,tfjs-wasm
//   --batch 32   --steps 60   --rounds 3   --epochs 12 (for the MNIST run; 0 skips it)   --threads 1,2

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze, type NetworkResult } from "../analysis";
import { initWeights } from "../engine/init";
import { sizeOf } from "../engine/tensor";
import { streamKey, uniform } from "../engine/random";
import { mnistDatasets } from "../engine/train/data";
import { trainEngines } from "../engine/train/engines";
import { ReferenceEngine, type SliceTiming } from "../engine/train/engine";
import { loadMnist } from "../engine/train/mnist-node";
import { optimizerSettings } from "../engine/train/optim";
import { scoresNode } from "../engine/train/backprop";
import { train } from "../engine/train/trainer";
import { threadedTrainEngine, ThreadedEngine, type ThreadProfile } from "../engine/train/threaded";
import { nodeTrainThreads } from "../engine/train/threads-node";
import { enableRelaxedSimd } from "../engine/wasm/relaxed-node";
import { machineBusyMs } from "./engine/measure";
import { tfjsTrainer } from "./train/tfjs";

const root = process.cwd();
const args = process.argv.slice(2);
const option = (name: string): string | null => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : null;
};

const SMALL_RESNET = `network ResNetSmall {
  input 32x32x3
  conv 16 3x3 pad 1 nobias; bn; relu
  residual { conv 16 3x3 pad 1 nobias; bn; relu; conv 16 3x3 pad 1 nobias; bn }
  relu
  residual { conv 32 3x3 stride 2 pad 1 nobias floor; bn; relu; conv 32 3x3 pad 1 nobias; bn } shortcut { conv 32 1x1 stride 2 nobias floor; bn }
  relu
  residual { conv 64 3x3 stride 2 pad 1 nobias floor; bn; relu; conv 64 3x3 pad 1 nobias; bn } shortcut { conv 64 1x1 stride 2 nobias floor; bn }
  relu
  gap
  fc 10
}`;

/** a bigger net without batch norm (so it trains on threads): VGG's pattern on 32×32×3, 17 M multiply-adds a sample */
const SMALL_VGG = `network VGGSmall {
  input 32x32x3
  conv 16 3x3 pad 1; relu; conv 16 3x3 pad 1; relu; maxpool 2
  conv 32 3x3 pad 1; relu; conv 32 3x3 pad 1; relu; maxpool 2
  fc 128; relu
  fc 10
}`;

/** PyTorch 2.13, native, one thread, LeNet-5 at batch 32–64 with Adam (issue 12's anchor, measured on this machine by the issue) */
const PYTORCH_ONE_THREAD = "3,400–4,500";

function network(name: string): NetworkResult {
  const texts: Record<string, () => string> = {
    lenet5: () => readFileSync(join(root, "examples", "lenet5.cnn"), "utf8"),
    "lenet5-relu": () => readFileSync(join(root, "examples", "lenet5_relu.cnn"), "utf8"),
    "resnet-small": () => SMALL_RESNET,
    "vgg-small": () => SMALL_VGG,
  };
  const text = texts[name]?.() ?? null;
  if (text === null) throw new Error(`unknown net ${name} (there are: ${Object.keys(texts).join(", ")})`);
  const net = analyze(text, `${name}.cnn`).networks[0];
  if (!net?.complete) throw new Error(`${name} does not analyze completely`);
  return net;
}

const SEED = 2024;
const LR = 1e-3;

interface Measurement {
  engine: string;
  net: string;
  threads: number;
  info: string;
  samplesPerSecond: number;
  /** samples per second of this process's own CPU time: what one core gives it, whatever the load */
  samplesPerCpuSecond: number;
  foreign: number;
  /** ours: ms a timed step took (wall-clock), and on threads where it went (engine/train/threaded.ts) */
  stepMs?: number;
  /** ours on 1 thread: ms a step in the forward pass, the loss, the backward pass (the rest of a step is the optimizer's update) */
  split?: SliceTiming;
  profile?: ThreadProfile;
  /** CPU ms per timed step: the main thread, the busiest other thread (a training worker), and the rest (V8's collector and compiler threads); Linux only */
  cpu?: { main: number; worker: number; rest: number };
  error?: string;
}

/** each thread of this process: its CPU time so far (ms), by thread id (Linux: /proc/self/task; empty elsewhere) */
function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime, fields 14 and 15 of stat, in clock ticks (100 a second)
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10);
    }
  } catch {
    // not Linux: no per-thread figures
  }
  return out;
}

/** ours warms up this long (and at least WARM_STEPS steps), then times at least this long (and at least `steps` steps): a fresh process's first steps fault its memory in and run code not yet optimized */
const WARM_MS = 2000;
const WARM_STEPS = 50;
const TIMED_MS = 2000;

/** one (engine, net): warm up (5 steps for a peer, WARM_* for ours), then `steps` timed steps on seeded data (ours: and TIMED_MS) */
async function child(engine: string, netName: string, batch: number, steps: number, threads: number): Promise<Measurement> {
  const net = network(netName);
  const size = sizeOf(net.graph[0].output);
  const classes = sizeOf(scoresNode(net.graph).output);
  const key = streamKey(SEED, 9);
  const inputs = Float32Array.from({ length: batch * size }, (_, i) => uniform(key, i));
  const labels = Int32Array.from({ length: batch }, (_, i) => i % classes);
  let step: () => Promise<unknown> | unknown;
  let info: string;
  let threaded: ThreadedEngine | null = null;
  let timing: SliceTiming | null = null;
  const ours = engine === "ours" || engine === "ours-reference";
  if (engine === "ours" || engine === "ours-reference") {
    const name = engine === "ours" ? "fast" : "reference";
    const setup = { network: net, weights: initWeights(net.graph, SEED), optimizer: optimizerSettings({ lr: LR }), seed: SEED, batch };
    const e = threads > 1 ? await threadedTrainEngine(name, trainEngines[name], threads, nodeTrainThreads)(setup) : await trainEngines[name](setup);
    let t = 0;
    step = () => e.step(inputs, labels, batch, t++);
    if (e instanceof ThreadedEngine) threaded = e;
    else if (e instanceof ReferenceEngine) timing = e.timing;
    const ran = e instanceof ThreadedEngine ? e.threads : 1;
    const why = ran < threads ? nodeTrainThreads.unavailable() ?? "the batch is too small" : null;
    info = `${e.name} engine, ${ran} thread${ran === 1 ? "" : "s"}${why ? ` (not ${threads}: ${why})` : ""}`;
    threads = ran;
  } else {
    const peer = await tfjsTrainer(net, SEED, engine === "tfjs-wasm" ? "wasm" : "cpu", LR);
    step = () => peer.step(inputs, labels, batch);
    info = peer.info;
  }
  try {
    const warm0 = performance.now();
    for (let i = 0; i < 5 || (ours && (i < WARM_STEPS || performance.now() - warm0 < WARM_MS)); i++) await step();
  } catch (e) {
    return { engine, net: netName, threads, info, samplesPerSecond: NaN, samplesPerCpuSecond: NaN, foreign: NaN, error: (e as Error).message.split("\n")[0] };
  }
  threaded?.profile(true);
  const busy0 = machineBusyMs();
  const cpu0 = process.cpuUsage();
  const tasks0 = threadCpu();
  const t0 = performance.now();
  let done = 0;
  const split: SliceTiming = { forward: 0, loss: 0, backward: 0 };
  while (done < steps || (ours && performance.now() - t0 < TIMED_MS)) {
    await step();
    if (timing) for (const k of ["forward", "loss", "backward"] as const) split[k] += timing[k];
    done++;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const tasks = threadCpu();
  const mine = (cpu.user + cpu.system) / 1000;
  const foreign = Math.max(0, (machineBusyMs() - busy0 - mine) / (2 * ms));
  const m: Measurement = { engine, net: netName, threads, info, samplesPerSecond: (done * batch) / (ms / 1000), samplesPerCpuSecond: (done * batch) / (mine / 1000), foreign };
  if (ours) {
    m.stepMs = ms / done;
    if (timing) m.split = { forward: split.forward / done, loss: split.loss / done, backward: split.backward / done };
    if (threaded) m.profile = threaded.profile();
    const used = [...tasks].map(([tid, t]) => [tid, t - (tasks0.get(tid) ?? 0)] as const);
    if (used.length) {
      const main = used.find(([tid]) => tid === process.pid)?.[1] ?? 0;
      const others = used.filter(([tid]) => tid !== process.pid).map(([, t]) => t).sort((a, b) => b - a);
      const worker = threaded ? (others[0] ?? 0) : 0;
      const rest = others.slice(threaded ? 1 : 0).reduce((a, b) => a + b, 0);
      m.cpu = { main: main / done, worker: worker / done, rest: rest / done };
    }
  }
  return m;
}

async function mnistRun(epochs: number): Promise<void> {
  const net = network("lenet5-relu");
  const sets = mnistDatasets(loadMnist(), net.graph[0]);
  let trainingMs = 0;
  let reached: { epoch: number; seconds: number; cpu: number; accuracy: number } | null = null;
  let best = 0;
  let epochsRun = 0;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const cpuSeconds = () => {
    const c = process.cpuUsage(cpu0);
    return (c.user + c.system) / 1e6;
  };
  await train({
    network: net,
    weights: initWeights(net.graph, 0),
    train: sets.train,
    test: sets.test,
    epochs,
    batch: 32,
    seed: 0,
    shuffle: true,
    optimizer: optimizerSettings(),
    engine: trainEngines.fast,
    // the run ends at the epoch that reaches 98 % (or after `epochs`)
    gate: () => (reached ? "stop" : undefined),
    onEpoch: (e) => {
      epochsRun = e.epoch;
      trainingMs = performance.now() - started;
      best = Math.max(best, e.testAccuracy ?? 0);
      console.log(`  epoch ${e.epoch}: test ${((e.testAccuracy ?? 0) * 100).toFixed(2)} %, ${(trainingMs / 1000).toFixed(1)} s so far (${cpuSeconds().toFixed(1)} s of CPU)`);
      if (!reached && (e.testAccuracy ?? 0) >= 0.98) reached = { epoch: e.epoch, seconds: trainingMs / 1000, cpu: cpuSeconds(), accuracy: e.testAccuracy! };
    },
  });
  const r = reached as { epoch: number; seconds: number; cpu: number; accuracy: number } | null;
  console.log(
    r
      ? `§9 example on MNIST (60,000 training digits): 98 % of the test digits after epoch ${r.epoch}, ${r.seconds.toFixed(1)} s (${r.cpu.toFixed(1)} s of CPU, testing included; ${(r.accuracy * 100).toFixed(2)} %)`
      : `§9 example on MNIST (60,000 training digits): 98 % not reached in ${epochsRun} epochs (best ${(best * 100).toFixed(2)} %, ${(trainingMs / 1000).toFixed(1)} s)`,
  );
}

const median = (xs: number[]): number => {
  const s = xs.slice().sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

/**
 * Where a threaded step's time goes, from the rounds' medians (ms a step): the calling
 * thread's dispatch, own slice, wait and update, each worker's wake-up and slice; the
 * serial part (dispatch + update, what no other thread can do meanwhile) against the
 * 1-thread step, and what Amdahl's law then allows; the CPU time of each thread (under
 * load, wall-clock slices stretch, CPU time much less).
 */
function breakdown(one: Measurement[], many: Measurement[]): string | null {
  const profiles = many.map((m) => m.profile).filter((p): p is ThreadProfile => !!p && p.steps > 0);
  const single = one.map((m) => m.stepMs).filter((x): x is number => x !== undefined);
  if (!profiles.length || !single.length) return null;
  const per = (pick: (p: ThreadProfile) => number) => median(profiles.map((p) => pick(p) / p.steps));
  const t1 = median(single);
  const serial = per((p) => p.dispatch + p.update);
  const share = serial / t1;
  const threads = profiles[0].work.length + 1;
  const amdahl = 1 / (share + (1 - share) / threads);
  const ms = (x: number) => x.toFixed(2);
  const workers = profiles[0].work
    .map((_, i) => `worker ${i + 1}: woken after ${ms(per((p) => p.wake[i]))}, its slice ${ms(per((p) => p.work[i]))} (forward ${ms(per((p) => p.workForward[i]))}, backward ${ms(per((p) => p.workBackward[i]))})`)
    .join("; ");
  const splits = one.map((m) => m.split).filter((x): x is SliceTiming => !!x);
  const oneSplit = splits.length ? ` (forward ${ms(median(splits.map((x) => x.forward)))}, loss ${ms(median(splits.map((x) => x.loss)))}, backward ${ms(median(splits.map((x) => x.backward)))}, the rest the update)` : "";
  const cpuOf = (ms: Measurement[], pick: (c: NonNullable<Measurement["cpu"]>) => number) => median(ms.filter((m) => m.cpu).map((m) => pick(m.cpu!)));
  const cpu = many.some((m) => m.cpu)
    ? `; CPU ms a step: 1 thread ${ms(cpuOf(one, (c) => c.main))} (+ ${ms(cpuOf(one, (c) => c.rest))} in V8's other threads), ${threads} threads: main ${ms(cpuOf(many, (c) => c.main))}, worker ${ms(cpuOf(many, (c) => c.worker))}, V8's other threads ${ms(cpuOf(many, (c) => c.rest))}`
    : "";
  return (
    `per step (ms, wall-clock: a quiet machine's figures; under load preemption lands anywhere): 1 thread ${ms(t1)}${oneSplit}; ${threads} threads ${ms(median(many.map((m) => m.stepMs ?? NaN)))} — main: dispatch ${ms(per((p) => p.dispatch))}, its slice ${ms(per((p) => p.slice))} (forward ${ms(per((p) => p.forward))}, backward ${ms(per((p) => p.backward))}), waiting ${ms(per((p) => p.wait))}, update ${ms(per((p) => p.update))}; ${workers}. ` +
    `Serial (dispatch + update) ${ms(serial)} = ${(100 * share).toFixed(1)} % of the 1-thread step: Amdahl allows ${amdahl.toFixed(2)}× on ${threads}${cpu}`
  );
}

async function main(): Promise<void> {
  const nets = (option("--nets") ?? "lenet5,lenet5-relu,resnet-small,vgg-small").split(",");
  const engines = (option("--engines") ?? "ours,ours-reference,tfjs-cpu,tfjs-wasm").split(",");
  const batch = Number(option("--batch") ?? 32);
  const steps = Number(option("--steps") ?? 60);
  const epochs = Number(option("--epochs") ?? 12);
  const rounds = Number(option("--rounds") ?? 3);
  const threadCounts = (option("--threads") ?? "1,2").split(",").map(Number);
  if (!threadCounts.every((t) => Number.isInteger(t) && t >= 1)) throw new Error("--threads takes thread counts, e.g. 1,2");
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error("--rounds takes a count, e.g. 3");
  const counts = [...new Set([1, ...threadCounts])];
  const measure = (engine: string, net: string, n: number, threads: number): Measurement => {
    const r = spawnSync(process.execPath, [process.argv[1], "--measure", engine, net, String(batch), String(n), String(threads)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    // a child that dies (or is stopped) is a row saying so, not the end of the run
    const m: Measurement =
      r.status === 0
        ? (JSON.parse(r.stdout.trim().split("\n").pop()!) as Measurement)
        : { engine, net, threads, info: engine, samplesPerSecond: NaN, samplesPerCpuSecond: NaN, foreign: NaN, error: `its process ended (exit ${r.status ?? r.signal})` };
    process.stderr.write(`${net} ${engine} threads=${threads}: ${m.error ? `cannot train: ${m.error}` : `${m.samplesPerSecond.toFixed(0)} samples/s`} — ${m.info}, machine busy elsewhere ${(100 * m.foreign).toFixed(0)}%\n`);
    return m;
  };
  /** per (net, engine, threads asked): every round's measurement */
  const runs = new Map<string, Measurement[]>();
  const keyOf = (net: string, engine: string, threads: number) => `${net}\t${engine}\t${threads}`;
  const push = (net: string, engine: string, threads: number, m: Measurement) => {
    const k = keyOf(net, engine, threads);
    runs.set(k, [...(runs.get(k) ?? []), m]);
  };
  for (const net of nets) {
    for (const engine of engines) {
      if (engine === "ours") {
        // every thread count once a round, in turn: a drift in the machine's load touches them alike
        for (let round = 0; round < rounds; round++) for (const threads of counts) push(net, engine, threads, measure(engine, net, steps, threads));
      } else {
        // the slow engines get fewer steps (the figure is a rate), one round
        push(net, engine, 1, measure(engine, net, Math.max(net === "vgg-small" ? 2 : 5, Math.round(steps / (net === "vgg-small" ? 20 : 6))), 1));
      }
    }
  }
  type Row = { net: string; engine: string; threads: number; ms: Measurement[]; rate: number; perCpu: number; busy: number; error?: string; info: string };
  const rows: Row[] = [...runs].map(([k, ms]) => {
    const [net, engine] = k.split("\t");
    const ok = ms.filter((m) => !m.error);
    return {
      net,
      engine,
      threads: ms[0].threads,
      ms,
      rate: ok.length ? median(ok.map((m) => m.samplesPerSecond)) : NaN,
      perCpu: ok.length ? median(ok.map((m) => m.samplesPerCpuSecond)) : NaN,
      busy: ok.length ? Math.max(...ok.map((m) => m.foreign)) : NaN,
      error: ok.length ? undefined : ms[0].error,
      info: ms[0].info,
    };
  });
  const head = ["net", "engine", "threads", "batch", "samples/s", "× tfjs-cpu", "samples per CPU-s", "busy", "what"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  const peerOf = (net: string) => rows.find((r) => r.net === net && r.engine === "tfjs-cpu" && !r.error);
  for (const m of rows) {
    const peer = peerOf(m.net);
    const ratio = peer && !m.error ? (m.rate / peer.rate).toFixed(2) : "—";
    const many = m.ms.length > 1 ? ` (median of ${m.ms.length})` : "";
    lines.push(`| ${m.net} | ${m.engine} | ${m.threads} | ${batch} | ${m.error ? "cannot train" : fmt(m.rate) + many} | ${ratio} | ${m.error ? "—" : fmt(m.perCpu)} | ${m.error ? "—" : `${(100 * m.busy).toFixed(0)}%`} | ${m.error ?? m.info} |`);
  }
  console.log(lines.join("\n"));
  console.log(`Adam lr ${LR}, seeded data, the same starting weights; ours: ${rounds} round${rounds === 1 ? "" : "s"}, thread counts in turn within each; samples per CPU-s: per second of the process's own CPU time, every thread's (on a loaded machine, nearer what quiet cores give than the wall-clock rate); busy: other processes' share of this 2-core machine during the timed steps (the most of the rounds); load average now ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  // issue 16: ours on N threads vs 1, round by round (wall-clock samples/s)
  const most = Math.max(...counts);
  if (most > 1) {
    console.log(`\nTraining on ${most} threads vs 1 (issue 16: LeNet-5 ≥ 1.5×), each round's pair, then their median; PyTorch one thread: ${PYTORCH_ONE_THREAD} samples/s (issue 12's anchor, not run here):`);
    for (const net of nets) {
      const one = runs.get(keyOf(net, "ours", 1)) ?? [];
      const many = runs.get(keyOf(net, "ours", most)) ?? [];
      const pairs = one.map((a, i) => [a, many[i]] as const).filter(([a, b]) => a && b && !a.error && !b.error && b.threads === most);
      if (pairs.length === 0) {
        const ran = many.find((m) => !m.error && m.threads < most);
        console.log(`- ${net}: not measured${ran ? ` on ${most} threads (${ran.info})` : ""}`);
        continue;
      }
      const ratios = pairs.map(([a, b]) => b.samplesPerSecond / a.samplesPerSecond);
      const r = median(ratios);
      const busy = Math.max(...pairs.flatMap(([a, b]) => [a.foreign, b.foreign]));
      const peer = peerOf(net);
      const target = net.startsWith("lenet5") ? ` (needed ≥ 1.5: ${r >= 1.5 ? "yes" : "no"})` : "";
      const peerText = peer ? `; tfjs-cpu ${fmt(peer.rate)}` : "";
      const where = breakdown(pairs.map(([a]) => a), pairs.map(([, b]) => b));
      console.log(
        `- ${net}: ours 1 thread ${fmt(median(pairs.map(([a]) => a.samplesPerSecond)))}, ${most} threads ${fmt(median(pairs.map(([, b]) => b.samplesPerSecond)))} samples/s${peerText}; ${most}/1 by round ${ratios.map((x) => x.toFixed(2)).join(", ")}: ${r.toFixed(2)}×${target}; per CPU-s ${fmt(median(pairs.map(([a]) => a.samplesPerCpuSecond)))} vs ${fmt(median(pairs.map(([, b]) => b.samplesPerCpuSecond)))}${busy > 0.1 ? ` (machine busy elsewhere up to ${(100 * busy).toFixed(0)}%: the lead's quiet run decides)` : ""}${where ? `\n  ${where}` : ""}`,
      );
    }
  }
  if (epochs > 0) await mnistRun(epochs);
}

// as `cnn` runs: relaxed SIMD's fused multiply-add on (a flag in Node 20)
enableRelaxedSimd();

if (args.includes("--measure")) {
  const at = args.indexOf("--measure");
  const [engine, net, batch, steps, threads] = args.slice(at + 1, at + 6);
  child(engine, net, Number(batch), Number(steps), Number(threads ?? 1)).then((m) => process.stdout.write(`${JSON.stringify(m)}\n`), (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
