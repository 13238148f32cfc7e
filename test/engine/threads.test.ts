// The multi-threaded fast executor (issue 16): every kernel split into as many parts as
// it allows (grain 1) gives the same bits as one thread, fused and traced; whole networks
// too; a kernel that fails on a worker thread fails the run with its name; a cancelled
// run stops; the budget counts each thread's scratch and cuts threads to fit.
// Same bits, not "close": every part computes its outputs in the order one thread would.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze, type NetworkResult } from "../../analysis";
import type { NetworkWeights } from "../../engine/api";
import { budgetRefusal, memoryNeed, threadsWithinBudget } from "../../engine/budget";
import { FastExecutor } from "../../engine/fast/executor";
import { FastNetwork } from "../../engine/fast/network";
import { scratchNeed } from "../../engine/fast/scratch";
import { fromMap } from "../../engine/fast/sources";
import { nodeThreads } from "../../engine/fast/threads/node";
import { partCount, partRange } from "../../engine/fast/threads/split";
import { gemmSplit, gemmThreadPlan } from "../../engine/fast/steps/conv";
import { Team } from "../../engine/fast/threads/team";
import { kernelNames } from "../../engine/fast/threads/record";
import { Ctl, encodeProgram, programLength } from "../../engine/fast/threads/protocol";
import { Heap } from "../../engine/fast/heap";
import { instantiateLibrary } from "../../engine/wasm/library";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { kernelCases } from "./kernel-cases";
import { ReferenceExecutor } from "../../engine/reference";
import { chainParts, chainRange } from "../../engine/fast/threads/bands";
import type { Bands } from "../../engine/fast/steps/context";
import { network } from "./nets";

const root = join(__dirname, "..", "..", "..");

function example(file: string): NetworkResult {
  const net = analyze(readFileSync(join(root, "examples", file), "utf8"), file).networks[0];
  assert.ok(net?.complete);
  return net;
}

function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const at = actual.findIndex((x, i) => !Object.is(x, expected[i]));
  assert.ok(at < 0, `${what}: value ${at} is ${actual[at]} on threads, ${expected[at]} on one`);
}

describe("threads: cutting work into parts", () => {
  it("partRange covers [0, total) in order, starts aligned, no part empty while n ≤ the units (any number of threads)", () => {
    const cuts = [[10, 3, 1], [483, 7, 8], [49, 7, 8], [5, 5, 1], [37, 3, 4], [1, 1, 16], [100, 6, 16], [784, 8, 8], [36, 6, 1], [16, 8, 1], [512, 8, 4], [100, 12, 1], [9, 9, 1], [13, 7, 2]];
    for (const threads of [1, 2, 3]) {
      for (const [total, n, align] of cuts) {
        let next = 0;
        for (let i = 0; i < n; i++) {
          const [s, e] = partRange(total, n, i, align, threads);
          const what = `${total}/${n}/${align} on ${threads}`;
          assert.equal(s, next, `${what}: part ${i} starts where the last ended`);
          assert.equal(s % align, 0);
          assert.ok(e > s, `${what}: part ${i} is empty`);
          next = e;
        }
        assert.equal(next, total);
      }
    }
  });

  it("partRange on threads: rounds of one size each, smaller round by round, so a slower thread waits less at the end", () => {
    /** when the last of `threads` threads finishes, parts claimed in order by whichever is free first; thread 0 runs `slower` times slower */
    const makespan = (sizes: number[], threads: number, slower: number) => {
      const free = new Array(threads).fill(0);
      for (const size of sizes) {
        const k = free.indexOf(Math.min(...free));
        free[k] += size * (k === 0 ? slower : 1);
      }
      return Math.max(...free);
    };
    for (const [total, n, align, threads] of [[784, 8, 8, 2], [4096, 8, 1, 2], [960, 12, 4, 3], [36, 6, 1, 2]]) {
      const sizes = (t: number) => Array.from({ length: n }, (_, i) => partRange(total, n, i, align, t)).map(([s, e]) => e - s);
      const guided = sizes(threads);
      const rounds = Math.ceil(n / threads);
      for (let r = 0; r < rounds; r++) {
        const round = guided.slice(r * threads, (r + 1) * threads);
        assert.ok(Math.max(...round) - Math.min(...round) <= 2 * align, `${total}/${n}: round ${r} ${round} is not of one size`);
      }
      assert.ok(guided[n - 1] < guided[0] / 2, `${total}/${n}: the last part (${guided[n - 1]}) is not much smaller than the first (${guided[0]})`);
      // equal speeds: done about together (within a part of the last round); one slower: sooner than with equal parts
      assert.ok(makespan(guided, threads, 1) <= total / threads + guided[n - 1], `${total}/${n}: ${guided} do not share evenly`);
      let sooner = 0;
      for (const slower of [1.15, 1.3, 1.5]) {
        const [g, e] = [makespan(guided, threads, slower), makespan(sizes(1), threads, slower)];
        assert.ok(g <= e, `${total}/${n}, one thread ${slower}× slower: ${guided} end after equal parts`);
        sooner += e - g;
      }
      assert.ok(sooner > 0, `${total}/${n}: ${guided} end no sooner than equal parts whichever thread is slower`);
    }
  });

  it("partCount: one part on one thread, at most 4 per thread, at least the grain each, at most the units", () => {
    assert.equal(partCount(1e9, { threads: 1, grain: 1 }), 1);
    assert.equal(partCount(1e9, { threads: 2, grain: 1 }), 8);
    assert.equal(partCount(1e9, { threads: 2, grain: 1 }, 3), 3);
    assert.equal(partCount(1000, { threads: 8, grain: 400 }), 2);
    assert.equal(partCount(10, { threads: 8, grain: 400 }), 1);
  });
});

describe("threads: cutting a convolution's product", () => {
  it("many positions, few filters: by columns; few positions, many filters: by rows, so the filters are read once", () => {
    const cut = (parts: number, M: number, Kd: number, N: number, bCost = 1) => {
      const { cols, rows } = gemmSplit(parts, M, Kd, N, bCost);
      return [cols, rows];
    };
    // ResNet-18's first layer: 64 filters of 147, 12544 positions
    assert.deepEqual(cut(8, 64, 147, 12544), [8, 1]);
    // its 7×7 stage: 512 filters of 2304, 49 positions — by columns each part would read all 4.7 MB of filters
    assert.deepEqual(cut(8, 512, 2304, 49), [1, 8]);
    // between: both
    const [cols, rows] = cut(8, 256, 1152, 196);
    assert.ok(cols > 1 && rows > 1 && cols * rows >= 8, `${cols}×${rows}`);
    // never more parts than there are tiles
    assert.deepEqual(cut(8, 3, 9, 5), [1, 1]);
  });

  it("B packed once for all threads where the parts would each pack all of it; never when read in place, grouped or too big", () => {
    const stage7 = gemmThreadPlan(8, 512, 2304, 49, false, 1);
    assert.ok(stage7.sharedPanels && stage7.cols === 1 && stage7.rows === 8, JSON.stringify(stage7));
    assert.equal(stage7.panelsBytes, 4 * 2304 * 56 + 256);
    assert.equal(gemmThreadPlan(8, 64, 147, 12544, false, 1).sharedPanels, false, "ResNet's first layer: by columns, 7 MB of B");
    assert.equal(gemmThreadPlan(8, 144, 24, 3136, true, 1).sharedPanels, false, "a 1×1 reading B in place");
    assert.equal(gemmThreadPlan(8, 512, 2304, 49, false, 2).sharedPanels, false, "grouped");
  });
});

describe("threads: every kernel, split as finely as it goes, gives one thread's bits", function () {
  this.timeout(120_000);
  const threaded = new FastExecutor({ threads: 2, host: nodeThreads, grain: 1 });
  const single = new FastExecutor();
  for (const [label, text] of kernelCases) {
    it(label, async () => {
      const net = network(text);
      const weights: NetworkWeights = initWeights(net.graph, 5);
      const input = networkInput(net.graph[0], { sample: "noise" }, 5).data;
      assertSameBits(await threaded.run(net.graph, weights, input), await single.run(net.graph, weights, input), "fused");
      const layers = new Map<number, Float32Array>();
      await single.run(net.graph, weights, input, { onLayer: (t) => layers.set(t.node.id, t.output) });
      let seen = 0;
      await threaded.run(net.graph, weights, input, {
        onLayer: (t) => {
          seen++;
          assertSameBits(t.output, layers.get(t.node.id)!, `traced layer ${t.node.id} (${t.node.op})`);
        },
      });
      assert.equal(seen, net.graph.length);
    });
  }

  it("the split kernels really run on two threads", async () => {
    const net = network("input 23x21x8\nconv 16 3x3 pad 1\nrelu\ndwconv 3x3 pad 1\nmaxpool 2\nfc 10");
    const prepared = await FastNetwork.prepare(net.graph, fromMap(initWeights(net.graph, 1)), { threads: 2, host: nodeThreads, grain: 1 });
    try {
      assert.equal(prepared.threads, 2);
      assert.ok(prepared.memory.local > 0, "each thread has scratch of its own");
    } finally {
      prepared.dispose();
    }
  });
});

// A step's last phase and the next step's first as one phase (engine/fast/network.ts,
// ByChannels in steps/context.ts): the same ranges of the channels between them.
const sharedPhaseCases: [string, string][] = [
  [
    "Winograd → Winograd (a residual) → a padded stride-2 GEMM: output transform with the next padded copy and input transform",
    "input 12x12x24\nconv 24 3x3 pad 1\nrelu\nresidual {\n  conv 24 3x3 pad 1\n  bn\n}\nrelu\nconv 40 3x3 stride 2 pad 1\nrelu\nconv 40 3x3 pad 1",
  ],
  [
    "a 1×1 expansion cut by filters → depthwise → 1×1: the filters' range with its depthwise",
    "input 7x7x16\nconv 480 1x1\nbn\nrelu6\ndwconv 3x3 pad 1\nbn\nrelu6\nconv 16 1x1\nconv 64 1x1\nrelu6\ndwconv 3x3 stride 2 pad 1\nrelu6\nconv 8 1x1",
  ],
  [
    "a padded GEMM cut by filters → F(2×2) Winograd, depthwise with a padded copy (5×5) after a 1×1",
    "input 6x6x32\nconv 64 3x3 pad 1 stride 1 dilation 2\nrelu\nconv 64 3x3 pad 1\nconv 48 1x1\ndwconv 5x5 pad 2\nconv 8 1x1",
  ],
];

describe("threads: a step's last phase with the next one's first, by the same channels, gives one thread's bits", function () {
  this.timeout(120_000);
  for (const [label, text] of sharedPhaseCases) {
    for (const grain of [1, 1 << 10]) {
      it(`${label}, grain ${grain}`, async () => {
        const net = network(text);
        const weights = fromMap(initWeights(net.graph, 7));
        const input = networkInput(net.graph[0], { sample: "noise" }, 7).data;
        const one = await FastNetwork.prepare(net.graph, weights);
        const shared = await FastNetwork.prepare(net.graph, weights, { threads: 2, host: nodeThreads, grain });
        const apart = await FastNetwork.prepare(net.graph, weights, { threads: 2, host: nodeThreads, grain, sharedPhases: false });
        try {
          const expected = await one.run(input);
          const phases = async (n: FastNetwork) => {
            const before = n.threadStats.phases;
            for (let run = 0; run < 3; run++) assertSameBits(await n.run(input), expected, `run ${run + 1}${n === apart ? ", phases apart" : ""}`);
            return (n.threadStats.phases - before) / 3;
          };
          const [withShared, without] = [await phases(shared), await phases(apart)];
          assert.ok(withShared < without, `${withShared} phases a run with shared phases, ${without} without`);
          // traced: every layer's output as one thread's
          const layers = new Map<number, Float32Array>();
          await one.run(input, { onLayer: (t) => layers.set(t.node.id, t.output) });
          await shared.run(input, { onLayer: (t) => assertSameBits(t.output, layers.get(t.node.id)!, `traced layer ${t.node.id} (${t.node.op})`) });
        } finally {
          shared.dispose();
          apart.dispose();
        }
      });
    }
  }
});

describe("threads: whole networks give one thread's bits", function () {
  it("mobilenetv2.cnn on 2 threads with chains", async () => {
    const net = example("mobilenetv2.cnn");
    const weights = initWeights(net.graph, 3);
    const input = networkInput(net.graph[0], {}, 3).data;
    const one = await FastNetwork.prepare(net.graph, fromMap(weights));
    const two = await FastNetwork.prepare(net.graph, fromMap(weights), { threads: 2, host: nodeThreads, chains: true });
    try {
      assert.ok(two.chains.length >= 10, `chains: ${JSON.stringify(two.chains)}`);
      const expected = await one.run(input);
      for (let run = 0; run < 3; run++) assertSameBits(await two.run(input), expected, `run ${run + 1}`);
    } finally {
      two.dispose();
    }
  });

  this.timeout(300_000);
  const cases: [string, number | undefined][] = [
    ["lenet5.cnn", 1],
    ["resnet18.cnn", undefined],
    ["mobilenetv2.cnn", undefined],
    ["inception.cnn", 1 << 12],
    ["unet_small.cnn", 1 << 12],
  ];
  for (const [file, grain] of cases) {
    it(`${file} on 2 threads${grain ? ` (grain ${grain})` : ""}`, async () => {
      const net = example(file);
      const weights = initWeights(net.graph, 1);
      const input = networkInput(net.graph[0], {}, 1).data;
      const one = await FastNetwork.prepare(net.graph, fromMap(weights));
      const two = await FastNetwork.prepare(net.graph, fromMap(weights), { threads: 2, host: nodeThreads, grain });
      try {
        assert.equal(two.threads, 2, "some step splits");
        const expected = await one.run(input);
        assertSameBits(await two.run(input), expected, file);
        // and again: a second run on the same team
        assertSameBits(await two.run(input), expected, `${file}, second run`);
        // the worker joins the runs once it has started (a small net's first runs may end before that)
        const until = Date.now() + 20_000;
        while (two.workerParts === 0 && Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          assertSameBits(await two.run(input), expected, `${file}, a later run`);
        }
        assert.ok(two.workerParts > 0, "the worker thread ran some parts");
      } finally {
        two.dispose();
      }
    });
  }
});

// MobileNetV2's inverted residuals as chains (engine/fast/threads/bands.ts): each part a
// range of positions of the depthwise (the rows holding them; a range may start mid-row,
// and two parts then both write the row they share), the projection and the next
// expansion. Odd widths and heights, stride 2, with and without the residual add, widths
// on both sides of FLAT_WIDTH (one thread takes depthwise3_flat there, a chain depthwise3).
const chainCases: [string, string][] = [
  [
    "residual block 23×13×8 (expand 24, dw, project 8 + add), then a stride-2 block without one",
    "input 23x13x8\nconv 8 1x1\nresidual {\n  conv 24 1x1 nobias\n  bn\n  relu6\n  dwconv 3x3 pad 1 nobias\n  bn\n  relu6\n  conv 8 1x1 nobias\n  bn\n}\nconv 30 1x1\nrelu6\ndwconv 3x3 stride 2 pad 1 floor\nbn\nrelu6\nconv 12 1x1\nbn\nconv 20 1x1\nrelu6",
  ],
  [
    "7×7×16 (width ≤ FLAT_WIDTH): dw + bn + relu6 → 1×1 + residual → 1×1",
    "input 7x7x16\nresidual {\n  dwconv 3x3 pad 1\n  bn\n  relu6\n  conv 16 1x1\n  bn\n}\nconv 40 1x1\nrelu6\ndwconv 3x3 pad 1\nconv 9 1x1",
  ],
  [
    "41×40×8, 96 channels expanded: many parts, ranges starting mid-row; stride 2 at an odd height",
    "input 41x40x8\nconv 96 1x1\nrelu6\ndwconv 3x3 pad 1\nrelu6\nconv 24 1x1\nconv 96 1x1\nrelu6\ndwconv 3x3 stride 2 pad 1 floor\nrelu6\nconv 16 1x1\nconv 33 1x1",
  ],
];

describe("threads: chains of steps, band by band (opt-in), give one thread's bits", function () {
  this.timeout(120_000);
  for (const [label, text] of chainCases)
    for (const grain of [1, 1 << 10])
      it(`${label}, grain ${grain}`, async () => {
        const net = network(text);
        const weights: NetworkWeights = initWeights(net.graph, 7);
        const input = networkInput(net.graph[0], { sample: "noise" }, 7).data;
        const ref = await new ReferenceExecutor().run(net.graph, weights, input);
        const one = await FastNetwork.prepare(net.graph, fromMap(weights));
        const two = await FastNetwork.prepare(net.graph, fromMap(weights), { threads: 2, host: nodeThreads, grain, chains: true });
        try {
          assert.ok(two.chains.length > 0 && two.chains.every((n) => n >= 2), `chains: ${JSON.stringify(two.chains)}`);
          const expected = await one.run(input);
          for (let run = 0; run < 3; run++) assertSameBits(await two.run(input), expected, `run ${run + 1}`);
          // and against the reference kernels: |diff| ≤ 2e-5 · max(1, max |ref|)
          const top = ref.reduce((m, x) => Math.max(m, Math.abs(x)), 1);
          const worst = ref.reduce((m, x, i) => Math.max(m, Math.abs(x - expected[i])), 0);
          assert.ok(worst <= 2e-5 * top, `the reference differs by ${worst} (max |ref| ${top})`);
          // traced: every layer's output is the one thread's
          const layers = new Map<number, Float32Array>();
          await one.run(input, { onLayer: (t) => layers.set(t.node.id, t.output) });
          let seen = 0;
          await two.run(input, {
            onLayer: (t) => {
              seen++;
              assertSameBits(t.output, layers.get(t.node.id)!, `traced layer ${t.node.id} (${t.node.op})`);
            },
          });
          assert.ok(seen > 0);
        } finally {
          two.dispose();
        }
      });

  it("cuts: a chain over a few rows that cannot split evenly runs phase by phase; ranges start on whole tiles", () => {
    const bands = (height: number, width: number): Bands[] => [
      { height, width, pointwise: false, work: 96 * 9 * 4, fixed: 0, localBytes: 0, run() {} },
      { height, width, pointwise: true, work: 96 * 24, fixed: 96 * 24 * 2, localBytes: 0, run() {} },
    ];
    const ctx = { threads: 2, grain: 1 };
    const wide = chainParts(bands(56, 56), [96, 24], ctx);
    assert.ok(wide >= 2 && wide <= 8, `56×56: ${wide} parts`);
    for (let p = 0; p < wide; p++) assert.equal(chainRange(bands(56, 56), wide, p)[0] % 8, 0);
    // 1×3 positions: one tile, nothing to share
    assert.equal(chainParts(bands(1, 3), [96, 24], ctx), 1);
    // and on one thread, never
    assert.equal(chainParts(bands(56, 56), [96, 24], { threads: 1, grain: 1 }), 1);
  });

  it("off unless asked for", async () => {
    const net = network(chainCases[0][1]);
    const two = await FastNetwork.prepare(net.graph, fromMap(initWeights(net.graph, 1)), { threads: 2, host: nodeThreads, grain: 1 });
    try {
      assert.deepEqual(two.chains, []);
    } finally {
      two.dispose();
    }
  });
});

describe("threads: failures, cancelling, disposing", function () {
  this.timeout(60_000);

  it("a kernel that traps on a worker thread fails the phase with the kernel's name", async () => {
    const heap = new Heap(1 << 20, true);
    const lib = await instantiateLibrary(heap.memory);
    const locals = [heap.reserve(256), heap.reserve(256)];
    const ctl = heap.reserve(64);
    const activate = kernelNames.indexOf("activate");
    // 8 parts, each writing far past the memory's end: a RuntimeError where it runs
    // (activate's arguments: dst, src, count, code, alpha)
    const parts = Array.from({ length: 8 }, () => [{ kernel: activate, args: [0x7ff00000, locals[0], 16, 1, 0], localMask: 0 }]);
    const encode = (p: typeof parts) => {
      const length = programLength(p);
      const at = heap.reserve(8 * length);
      encodeProgram(p, new Float64Array(heap.memory.buffer, at, length));
      return at;
    };
    const program = encode(parts);
    // and 8 that fill each thread's own scratch (the mask moves the address to the thread's)
    const fine = encode(Array.from({ length: 8 }, () => [{ kernel: activate, args: [locals[0], locals[0], 16, 1, 0], localMask: 3 }]));
    const team = new Team(nodeThreads, lib, ctl, locals);
    const control = new Int32Array(heap.memory.buffer, ctl, 16);
    try {
      // the main thread's first part waits until a worker has failed one (so one surely runs there)
      let first = true;
      assert.throws(
        () =>
          team.phase(program, parts.length, () => {
            if (!first) return;
            first = false;
            const until = Date.now() + 20_000;
            while (Atomics.load(control, Ctl.ERROR) === 0 && Date.now() < until) Atomics.wait(control, 15, 0, 5);
          }),
        /activate failed on a worker thread/,
      );
      // the team still works afterwards
      team.phase(fine, 8, () => {});
    } finally {
      team.end();
      team.dispose();
    }
  });

  it("a cancelled threaded run stops with an AbortError, and the next run is right", async () => {
    const net = example("resnet18.cnn");
    const weights = initWeights(net.graph, 2);
    const input = networkInput(net.graph[0], {}, 2).data;
    const fast = new FastExecutor({ threads: 2, host: nodeThreads });
    const controller = new AbortController();
    let layers = 0;
    await assert.rejects(
      fast.run(net.graph, weights, input, {
        signal: controller.signal,
        onLayer: () => {
          if (++layers === 5) controller.abort();
        },
      }),
      (e: Error) => e.name === "AbortError",
    );
    const one = await new FastExecutor().run(net.graph, weights, input);
    assertSameBits(await fast.run(net.graph, weights, input), one, "after the cancelled run");
  });

  it("a disposed network no longer runs", async () => {
    const net = network("input 32x32x16\nconv 16 3x3 pad 1");
    const prepared = await FastNetwork.prepare(net.graph, fromMap(initWeights(net.graph, 1)), { threads: 2, host: nodeThreads, grain: 1 });
    prepared.dispose();
    await assert.rejects(prepared.run(new Float32Array(32 * 32 * 16)), /disposed/);
  });
});

describe("threads: the memory budget counts each thread's scratch", function () {
  this.timeout(120_000);

  it("the budget's scratch is at least what the prepared network reserves, one thread or two", async () => {
    for (const file of ["resnet18.cnn", "mobilenetv2.cnn", "lenet5.cnn", "unet_small.cnn"]) {
      const net = example(file);
      const weights = fromMap(initWeights(net.graph, 1));
      for (const threads of [1, 2]) {
        const prepared = await FastNetwork.prepare(net.graph, weights, { threads, host: nodeThreads });
        try {
          const used = prepared.memory.scratch + prepared.memory.local;
          const counted = scratchNeed(net.graph, threads).total;
          assert.ok(counted >= used, `${file}, ${threads} thread(s): the budget counts ${counted} B of scratch, the engine reserves ${used} B`);
          assert.ok(counted <= 2 * used + (1 << 20), `${file}, ${threads} thread(s): ${counted} B counted for ${used} B used`);
        } finally {
          prepared.dispose();
        }
      }
    }
  });

  it("more threads need more; a budget between one and two threads' need runs one thread", () => {
    const net = example("resnet18.cnn");
    const one = memoryNeed(net, 1).totalBytes;
    const two = memoryNeed(net, 2).totalBytes;
    assert.ok(two > one);
    const between = Number(one + (two - one) / 2n) / 1e6;
    assert.equal(threadsWithinBudget(net, between, 2), 1);
    assert.equal(threadsWithinBudget(net, Number(two) / 1e6 + 1, 2), 2);
    assert.equal(budgetRefusal(net, between, undefined, 1), null);
    assert.match(budgetRefusal(net, between, undefined, 2)!, /\+ scratch of 2 threads [\d.]+ MB\), more than the memory budget/);
  });
});
