// Random shapes through the kernels with the most edge cases in their tiling: the 7×7
// stride-2 stem (polyphase Winograd), 3×3 stride-2 convolutions (the nested 9-point
// algorithm) and max/avg pools (in place or over a padded copy, ceil mode, any stride).
// Each case: the fast executor within 2e-5·max(1, max |ref|) of the reference executor in
// plain and relaxed SIMD, and two threads cut as finely as they go giving one thread's bits.
// The sizes, paddings, channel counts and epilogues come from a seeded generator, so a
// failure names its .cnn text and is reproduced by running the suite again.

import * as assert from "node:assert/strict";
import { FastExecutor } from "../../engine/fast/executor";
import { FastNetwork } from "../../engine/fast/network";
import { fromMap } from "../../engine/fast/sources";
import { nodeThreads } from "../../engine/fast/threads/node";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { enableRelaxedSimd } from "../../engine/wasm/relaxed-node";
import { network } from "./nets";

enableRelaxedSimd();

/** a linear congruential generator: the same cases on every run */
function generator(seed: number) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
  const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const pick = <T>(xs: T[]): T => xs[int(0, xs.length - 1)];
  return { rnd, int, pick };
}

type Kind = "polyphase" | "strided" | "pool";

function randomCase(kind: Kind, g: ReturnType<typeof generator>): string {
  const { int, pick, rnd } = g;
  const tail = pick(["", "\nbn", "\nbn\nrelu", "\nrelu6", "\nbn\nsigmoid"]);
  if (kind === "polyphase") {
    const pad = pick(["pad 3", "pad 0", "pad 1", "pad 2", "pad 3x1", "pad 0x2", "pad same"]);
    return `input ${int(7, 45)}x${int(7, 45)}x${int(1, 16)}\nconv ${int(16, 24)} 7x7 stride 2 ${pad} floor${pick(["", " nobias"])}${tail}`;
  }
  if (kind === "strided") {
    const pad = pick(["pad 1", "pad 0", "pad 2", "pad 1x0", "pad same"]);
    const [C, K] = [int(16, 40), int(16, 40)];
    const body = `conv ${K} 3x3 stride 2 ${pad} floor${pick(["", " nobias"])}${tail}`;
    const input = `input ${int(26, 70)}x${int(26, 70)}x${C}`;
    if (pad === "pad 1" && rnd() < 0.4) return `${input}\nresidual {\n  ${body.split("\n").join("\n  ")}\n} shortcut {\n  conv ${K} 1x1 stride 2 floor\n}\nrelu`;
    return `${input}\n${body}`;
  }
  const window = pick(["2x2", "3x3", "2x3", "3x2", "2x1"]);
  const stride = pick(["", " stride 2", " stride 1", " stride 3", " stride 2x1", " stride 1x2"]);
  // padding at most half the window (a 2×1 window takes none)
  const pad = window.includes("1") ? "" : pick(["", "", " pad 1"]);
  return `input ${int(3, 40)}x${int(3, 40)}x${int(1, 9)}\n${pick(["maxpool", "avgpool"])} ${window}${stride}${pad}${pick([" floor", " ceil"])}`;
}

function assertNear(fast: Float32Array, ref: Float32Array, what: string): void {
  assert.equal(fast.length, ref.length, `${what}: length`);
  let top = 0;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    top = Math.max(top, Math.abs(ref[i]));
    const d = Math.abs(fast[i] - ref[i]);
    if (!(d <= worst)) worst = d;
  }
  assert.ok(worst <= 2e-5 * Math.max(1, top), `${what}: max |diff| ${worst}, max |ref| ${top}`);
}

describe("random shapes: stride-2 convolutions and pools against the reference, and on two threads", function () {
  this.timeout(120_000);
  const threaded = new FastExecutor({ threads: 2, host: nodeThreads, grain: 1, relaxed: true });
  const executors = [false, true].map((relaxed) => new FastExecutor({ relaxed }));
  for (const [kind, seed, count] of [["polyphase", 11, 40], ["strided", 23, 40], ["pool", 37, 120]] as [Kind, number, number][]) {
    it(`${count} ${kind} cases (seed ${seed}) run on their kernel and agree`, async () => {
      const g = generator(seed);
      let ran = 0;
      for (let i = 0; ran < count; i++) {
        const text = randomCase(kind, g);
        const net = network(text);
        assert.ok(net.graph.length > 0, `${JSON.stringify(text)} is a network`);
        const weights = initWeights(net.graph, i + 1);
        const input = networkInput(net.graph[0], { sample: "noise" }, i + 1).data;
        const prepared = await FastNetwork.prepare(net.graph, fromMap(weights), {});
        const kernels = prepared.kernels;
        prepared.dispose();
        // a case whose shape falls outside the kernel's rule (too few tiles) runs elsewhere: not counted
        if (!kernels.includes(kind)) continue;
        ran++;
        const ref = await new ReferenceExecutor().run(net.graph, weights, input);
        for (const [j, e] of executors.entries()) assertNear(await e.run(net.graph, weights, input), ref, `${JSON.stringify(text)}, ${j ? "relaxed" : "plain"} SIMD`);
        const one = await executors[1].run(net.graph, weights, input);
        const two = await threaded.run(net.graph, weights, input);
        const at = one.findIndex((x, k) => !Object.is(x, two[k]));
        assert.ok(at < 0, `${JSON.stringify(text)}: value ${at} is ${two[at]} on two threads, ${one[at]} on one`);
      }
    });
  }
});
