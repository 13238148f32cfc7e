// Seeded initialisation: reproducible, platform-independent bits, He-scaled, literal values first.

import * as assert from "node:assert/strict";
import { mix, streamKey, uniform } from "../../engine/random";
import { initWeights, paramShapes } from "../../engine/init";
import { network } from "./nets";

describe("engine init: the seeded generator", () => {
  it("lowbias32 mix matches its published constants on fixed inputs", () => {
    // values of the algorithm in engine/random.ts; a change here changes every seeded net
    assert.deepEqual([mix(0), mix(1), mix(0xdeadbeef)], [0, 1753845952, 3861431939]);
    assert.deepEqual([streamKey(0, 0), streamKey(42, 5)], [363934122, 1778901555]);
    const k = streamKey(42, 5);
    assert.deepEqual([0, 1, 2, 1000].map((i) => uniform(k, i)), [0.11950302124023438, 0.5606768727302551, 0.638817310333252, 0.908531129360199]);
  });

  it("uniform numbers fill [0, 1) evenly (mean ½, variance 1/12 over 100,000 draws)", () => {
    const k = streamKey(7, 3);
    let sum = 0;
    let squares = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = uniform(k, i);
      assert.ok(u >= 0 && u < 1);
      sum += u;
      squares += u * u;
    }
    const mean = sum / n;
    assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
    assert.ok(Math.abs(squares / n - mean * mean - 1 / 12) < 0.002);
  });
});

describe("engine init: network weights", () => {
  const text = "input 8x8x3\nconv 16 3x3 pad 1\nbn\nrelu\nfc 10";

  it("the same seed gives the same weights; another seed other weights", () => {
    const net = network(text);
    const a = initWeights(net.graph, 5);
    const b = initWeights(net.graph, 5);
    const c = initWeights(net.graph, 6);
    assert.deepEqual(a.get(1)!.weight, b.get(1)!.weight);
    assert.notDeepEqual(a.get(1)!.weight, c.get(1)!.weight);
  });

  it("conv weights are He-uniform within ±√(6/fan_in), biases within ±1/√fan_in", () => {
    const net = network(text);
    const w = initWeights(net.graph, 1).get(1)!;
    const fan = 3 * 3 * 3;
    assert.equal(w.weight!.length, 16 * fan);
    const bound = Math.sqrt(6 / fan);
    assert.ok(w.weight!.every((v) => Math.abs(v) <= bound));
    assert.ok(Math.max(...w.weight!.map(Math.abs)) > 0.9 * bound, "the range is used");
    assert.ok(w.bias!.every((v) => Math.abs(v) <= 1 / Math.sqrt(fan)));
  });

  it("bn starts as a fresh PyTorch module in eval(): γ 1, β 0, mean 0, variance 1", () => {
    const net = network(text);
    const bn = initWeights(net.graph, 1).get(2)!;
    assert.deepEqual([...bn.weight!], Array(16).fill(1));
    assert.deepEqual([...bn.bias!], Array(16).fill(0));
    assert.deepEqual([...bn.runningMean!], Array(16).fill(0));
    assert.deepEqual([...bn.runningVar!], Array(16).fill(1));
  });

  it("parameter shapes follow PyTorch's layouts", () => {
    const net = network("input 8x6x4\nconv 6 3x5 groups 2\ndeconv 3 2x2 stride 2\nlocal 2 3x3\nfc 5 nobias");
    assert.deepEqual(net.graph.slice(1).map((n) => paramShapes(n).map((s) => `${s.name}[${s.dims.join(",")}]`)), [
      ["weight[6,2,5,3]", "bias[6]"],
      ["weight[6,3,2,2]", "bias[3]"],
      // 8×6 → conv 3×5 → 6×2 → deconv → 12×4 → local 3×3 → 10×2 = 20 positions
      ["weight[20,2,27]", "bias[20,2]"],
      ["weight[5,40]"],
    ]);
  });
});
