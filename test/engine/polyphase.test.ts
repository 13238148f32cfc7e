// A 7×7 stride-2 convolution (ResNet's stem) runs as Winograd F(3×3, 4×4) on the four
// polyphase parts of its input (engine/fast/steps/polyphase.ts). Checked here: the
// algorithm's matrices in float64 (a 4-tap correlation of 6 inputs, exactly up to
// rounding), which convolutions take it, and the fast executor's outputs against a
// float64 convolution — plain and relaxed SIMD, partial tiles, no padding, the stem's
// real size — and two threads against one, bit for bit.

import * as assert from "node:assert/strict";
import { FastNetwork } from "../../engine/fast/network";
import { fromMap } from "../../engine/fast/sources";
import { nodeThreads } from "../../engine/fast/threads/node";
import { G34, polyphaseFits } from "../../engine/fast/steps/polyphase";
import { stridedFits } from "../../engine/fast/steps/strided";
import { S9, toomCook } from "../../engine/wasm/kernels/polyphase";
import { windowGeometry } from "../../engine/geometry";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { conv2d } from "../../engine/ops/conv";
import { fillUniform } from "../../engine/random";
import { AT3, BT } from "../../engine/wasm/kernels/winograd";
import { enableRelaxedSimd } from "../../engine/wasm/relaxed-node";
import type { NodeOf } from "../../analysis/types";
import { network } from "./nets";

enableRelaxedSimd();

const times = (m: number[][], x: ArrayLike<number>) => m.map((row) => row.reduce((s, c, i) => s + c * x[i], 0));

/**
 * The bound against float64, relative to max(1, max |ref|): the differential tests' 1e-4 is
 * for whole networks, one layer must do far better. Measured on the 224×224 stem (max |ref|
 * 3.31): 4.9e-6 plain, 5.6e-6 relaxed; the GEMM it replaces 1.9e-6 and 2.0e-6 (Winograd's
 * transforms multiply by up to 8 and divide by 24, as F(4×4, 3×3)'s)
 */
const BOUND = 4e-6;

/** the fast executor's first step runs on `kernel`, within BOUND·max(1, max |ref|) of a float64 convolution (relu after it: `act`) */
async function againstFloat64(text: string, kernel: string, relaxed: boolean, act: boolean, seed: number): Promise<void> {
  const net = network(text);
  const weights = initWeights(net.graph, seed);
  const conv = net.graph[1];
  const p = weights.get(conv.id)!;
  const input = networkInput(net.graph[0], { sample: "noise" }, seed + 1).data;
  const prepared = await FastNetwork.prepare(net.graph, fromMap(weights), { relaxed });
  assert.equal(prepared.kernels[0], kernel);
  const fast = await prepared.run(input);
  prepared.dispose();
  const ref = conv2d(Float64Array.from(input), Float64Array.from(p.weight as Float32Array), Float64Array.from(p.bias as Float32Array), windowGeometry(conv as NodeOf<"conv">, 1));
  if (act) ref.forEach((x, i) => (ref[i] = Math.max(0, x)));
  assert.equal(fast.length, ref.length);
  let top = 0;
  let worst = 0;
  ref.forEach((r, i) => ((top = Math.max(top, Math.abs(r))), (worst = Math.max(worst, Math.abs(fast[i] - r)))));
  assert.ok(worst <= BOUND * Math.max(1, top), `max |diff| ${worst.toExponential(2)}, max |ref| ${top.toFixed(3)}`);
}

/** two threads give one thread's outputs bit for bit, `kernel` among the steps */
async function threadsBitForBit(text: string, kernel: string, seed: number): Promise<void> {
  const net = network(text);
  const weights = initWeights(net.graph, seed);
  const input = networkInput(net.graph[0], { sample: "noise" }, seed + 1).data;
  const one = await FastNetwork.prepare(net.graph, fromMap(weights), { threads: 1 });
  const two = await FastNetwork.prepare(net.graph, fromMap(weights), { threads: 2, host: nodeThreads });
  assert.equal(two.threads, 2);
  assert.ok(two.kernels.includes(kernel), two.kernels.join(", "));
  const a = await one.run(input);
  const b = await two.run(input);
  one.dispose();
  two.dispose();
  assert.deepEqual(new Uint32Array(b.buffer, b.byteOffset, b.length), new Uint32Array(a.buffer, a.byteOffset, a.length));
}

describe("7×7 stride-2 convolutions as polyphase Winograd F(3×3, 4×4)", () => {
  it("Aᵀ((G·h) ⊙ (Bᵀ·d)) is the correlation of d (6 values) with h (4 taps)", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const d = new Float32Array(6);
      const h = new Float32Array(4);
      fillUniform(d, seed, 1, 1);
      fillUniform(h, seed + 100, 1, 1);
      const gh = times(G34, h);
      const bd = times(BT, d);
      const y = times(AT3, gh.map((x, i) => x * bd[i]));
      assert.equal(y.length, 3);
      for (let i = 0; i < 3; i++) {
        const direct = h.reduce((s, w, a) => s + w * d[i + a], 0);
        assert.ok(Math.abs(y[i] - direct) <= 1e-12, `seed ${seed}, output ${i}: ${y[i]} by the transforms, ${direct} directly`);
      }
    }
  });

  it("takes 7×7 stride-2 convolutions of at most 16 channels into at least 16, and nothing else", () => {
    const fits = (text: string) => polyphaseFits(network(text).graph[1] as NodeOf<"conv">);
    assert.ok(fits("input 224x224x3\nconv 64 7x7 stride 2 pad 3"));
    assert.ok(fits("input 30x30x16\nconv 16 7x7 stride 2 floor"));
    assert.ok(!fits("input 30x30x17\nconv 16 7x7 stride 2 floor"), "17 input channels");
    assert.ok(!fits("input 30x30x3\nconv 8 7x7 stride 2 floor"), "8 filters");
    assert.ok(!fits("input 30x30x3\nconv 16 7x7 pad 3"), "stride 1");
    assert.ok(!fits("input 30x30x3\nconv 16 5x5 stride 2 floor"), "5×5");
    assert.ok(!fits("input 40x40x3\nconv 16 7x7 stride 2 dilation 2 floor"), "dilated");
    assert.ok(!fits("input 30x30x4\nconv 16 7x7 stride 2 groups 2 floor"), "grouped");
  });

  for (const relaxed of [false, true])
    for (const [label, text, act] of [
      ["ResNet's stem, 224×224×3 → 64×112×112, relu", "input 224x224x3\nconv 64 7x7 stride 2 pad 3\nrelu", true],
      ["61×47×3 → 16×31×24: partial tiles both ways", "input 61x47x3\nconv 16 7x7 stride 2 pad 3 floor", false],
      ["30×33×5 → 24×12×14, unpadded", "input 30x33x5\nconv 24 7x7 stride 2 floor", false],
    ] as const)
      it(`${label}: within ${BOUND}·max(1, max |ref|) of float64, ${relaxed ? "relaxed" : "plain"} SIMD`, () => againstFloat64(text, "polyphase", relaxed, act, 11));

  it("two threads give one thread's outputs bit for bit (the stem, then a residual block's shape)", async () => {
    await threadsBitForBit("input 224x224x3\nconv 64 7x7 stride 2 pad 3\nbn\nrelu", "polyphase", 12);
    await threadsBitForBit("input 40x40x3\nresidual {\n  conv 20 7x7 stride 2 pad 3 nobias\n  bn\n} shortcut {\n  conv 20 1x1 stride 2 floor\n}\nrelu", "polyphase", 12);
  });
});

describe("3×3 stride-2 convolutions by the nested 9-point algorithm (F(4, 2) on the even inputs)", () => {
  const check = (AT: number[][], G: number[][], BT: number[][], r: number, stride: number, what: string) => {
    for (let seed = 1; seed <= 20; seed++) {
      const d = new Float32Array(BT.length);
      const g = new Float32Array(r);
      fillUniform(d, seed, 1, 1);
      fillUniform(g, seed + 100, 1, 1);
      const gg = times(G, g);
      const bd = times(BT, d);
      const y = times(AT, gg.map((x, i) => x * bd[i]));
      y.forEach((yi, i) => {
        const direct = g.reduce((s, w, a) => s + w * d[stride * i + a], 0);
        assert.ok(Math.abs(yi - direct) <= 1e-12, `${what}, seed ${seed}, output ${i}: ${yi} by the transforms, ${direct} directly`);
      });
    }
  };
  it("Toom–Cook's matrices compute correlations: F(4, 2), F(4, 3) (Lavin's points), F(3, 4); Bᵀ in integers", () => {
    for (const [m, r, points] of [[4, 2, [0, 1, -1, 2]], [4, 3, [0, 1, -1, 2, -2]], [3, 4, [0, 1, -1, 2, -2]]] as const) {
      const { AT, G, BT } = toomCook(m, r, [...points]);
      assert.ok(BT.every((row) => row.every(Number.isInteger)), `F(${m}, ${r}): Bᵀ ${JSON.stringify(BT)}`);
      check(AT, G, BT, r, 1, `F(${m}, ${r})`);
    }
  });
  it("S9: 4 outputs at stride 2 of a 3-tap filter from 9 inputs in 9 products", () => {
    assert.equal(S9.BT.length, 9);
    check(S9.AT, S9.G, S9.BT, 3, 2, "S9");
  });
  it("takes ResNet-18's 56 → 28 and 28 → 14 downsampling convs, not 14 → 7 (4 tiles) or few channels", () => {
    const fits = (text: string) => stridedFits(network(text).graph[1] as NodeOf<"conv">);
    assert.ok(fits("input 56x56x64\nconv 128 3x3 stride 2 pad 1"));
    assert.ok(fits("input 28x28x128\nconv 256 3x3 stride 2 pad 1"));
    assert.ok(!fits("input 14x14x256\nconv 512 3x3 stride 2 pad 1"), "4 tiles");
    assert.ok(!fits("input 56x56x8\nconv 128 3x3 stride 2 pad 1"), "8 channels");
    assert.ok(!fits("input 56x56x64\nconv 128 3x3 pad 1"), "stride 1");
    assert.ok(!fits("input 28x28x512\nconv 512 3x3 stride 2 pad 1"), "81 filter matrices of 85 MB");
  });
  for (const relaxed of [false, true])
    for (const [label, text, act] of [
      ["ResNet-18's 56×56×64 → 128×28×28, relu", "input 56x56x64\nconv 128 3x3 stride 2 pad 1\nrelu", true],
      ["ResNet-18's 28×28×128 → 256×14×14 (partial tiles: 16×16 computed)", "input 28x28x128\nconv 256 3x3 stride 2 pad 1", false],
      ["29×27×16 → 20×15×14", "input 29x27x16\nconv 20 3x3 stride 2 pad 1 floor", false],
    ] as const)
      it(`${label}: within ${BOUND}·max(1, max |ref|) of float64, ${relaxed ? "relaxed" : "plain"} SIMD`, () => againstFloat64(text, "strided", relaxed, act, 13));
  it("two threads give one thread's outputs bit for bit (ResNet-18's two shapes, with bn and relu)", async () => {
    await threadsBitForBit("input 56x56x64\nconv 128 3x3 stride 2 pad 1 nobias\nbn\nrelu", "strided", 14);
    await threadsBitForBit("input 28x28x128\nconv 256 3x3 stride 2 pad 1 nobias\nbn", "strided", 14);
  });
});
