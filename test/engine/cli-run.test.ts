// `cnn run` end to end: the built command line, its JSON contract and its errors.

import * as assert from "node:assert/strict";
import { cnn, tempCnn } from "./cli";

describe("cnn run", () => {
  it("--json on the spec's edge example: every output row is 0 30 30 0", () => {
    const r = cnn("run", "examples/course/edge_detection.cnn", "--json");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ["network", "output", "layers", "ms"]);
    assert.equal(out.network, "edge_detection");
    assert.deepEqual(out.output, { shape: [4, 4, 1], data: [0, 30, 30, 0, 0, 30, 30, 0, 0, 30, 30, 0, 0, 30, 30, 0] });
    assert.equal(out.layers.length, 1);
    assert.deepEqual(Object.keys(out.layers[0]), ["line", "kind", "ms"]);
    assert.equal(out.layers[0].line, 4);
    assert.equal(out.layers[0].kind, "conv");
    assert.ok(out.ms >= 0);
  });

  it("text output prints the rows and the time per layer", () => {
    const r = cnn("run", "examples/course/edge_detection.cnn");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\s+0\s+30\s+30\s+0$/m);
    assert.match(r.stdout, /time per layer/);
    assert.match(r.stdout, /total [\d.]+ ms/);
  });

  it("float32 outputs are written the shortest way (0.1, not 0.10000000149011612)", () => {
    const file = tempCnn("input 2x1 data [[1,2]]\nconv 1 1x1 weights [[0.1]] bias 0");
    const out = JSON.parse(cnn("run", file, "--json").stdout);
    assert.deepEqual(out.output.data, [0.1, 0.2]);
  });

  it("a softmax classifier lists the top 5; --json gives [N] and the probabilities", () => {
    const text = cnn("run", "examples/lenet5.cnn", "--seed", "3");
    assert.equal(text.status, 0, text.stderr);
    // LeNet-5 runs a digit sample: its ten classes are named as the digits
    assert.match(text.stdout, /top 5, named by the digits/);
    assert.equal((text.stdout.match(/^\s+\d\s+[\d.]+ %$/gm) ?? []).length, 5);
    const out = JSON.parse(cnn("run", "examples/lenet5.cnn", "--seed", "3", "--json").stdout);
    assert.deepEqual(out.output.shape, [10]);
    assert.equal(out.output.data.length, 10);
    // the output is already probabilities: the top 5 are its own values
    assert.equal(out.probabilities, true);
    assert.deepEqual(out.top5.map((c: { score: number }) => c.score), [...out.output.data].sort((a: number, b: number) => b - a).slice(0, 5));
    const sum = out.output.data.reduce((a: number, b: number) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5);
    assert.deepEqual(out.layers.map((l: { kind: string }) => l.kind), ["conv", "avgpool", "sigmoid", "conv", "avgpool", "sigmoid", "conv", "fc", "sigmoid", "fc", "softmax"]);
  });

  it("a classifier ending in fc: --json says nothing of probabilities, and its top 5 are a softmax of the scores", () => {
    const file = tempCnn("input 4x4x1\nconv 2 3x3\nrelu\nfc 6");
    const out = JSON.parse(cnn("run", file, "--seed", "2", "--json").stdout);
    assert.equal(out.probabilities, undefined);
    const scores: number[] = out.output.data;
    const max = Math.max(...scores);
    const e = scores.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    const want = e.map((v) => v / sum).sort((a, b) => b - a).slice(0, 5);
    out.top5.forEach((c: { score: number }, i: number) => assert.ok(Math.abs(c.score - want[i]) <= 1e-6, `${c.score} vs ${want[i]}`));
  });

  it("the seed decides the weights: same seed, same output; another seed, another", () => {
    const a = JSON.parse(cnn("run", "examples/lenet5.cnn", "--seed", "1", "--json").stdout).output.data;
    const b = JSON.parse(cnn("run", "examples/lenet5.cnn", "--seed", "1", "--json").stdout).output.data;
    const c = JSON.parse(cnn("run", "examples/lenet5.cnn", "--seed", "2", "--json").stdout).output.data;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it("--sample picks the input; --network picks the network", () => {
    const file = tempCnn("network A {\n  input 4x4\n  gap\n}\nnetwork B {\n  input 4x4\n  gmp\n}\n");
    const edge = JSON.parse(cnn("run", file, "--network", "A", "--sample", "edge", "--json").stdout);
    assert.equal(edge.network, "A");
    assert.deepEqual(edge.output.data, [5]); // half the pixels are 10
    const b = JSON.parse(cnn("run", file, "--network", "B", "--sample", "checkerboard", "--json").stdout);
    assert.deepEqual(b.output.data, [1]);
  });

  it("only the first 10,000 output values are written", () => {
    const file = tempCnn("input 128x128x1\nrelu");
    const out = JSON.parse(cnn("run", file, "--json").stdout);
    assert.deepEqual(out.output.shape, [128, 128, 1]);
    assert.equal(out.output.data.length, 10_000);
  });

  it("a file with errors exits 1 with file:line:col messages and runs nothing", () => {
    const file = tempCnn("input 32x32x1\nconv 6 5x5x3\n");
    const r = cnn("run", file, "--json");
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /net\.cnn:2:8: error\[depth-mismatch\]/);
  });

  it("a net past the memory budget is refused with the numbers", () => {
    const r = cnn("run", "examples/vgg16.cnn", "--memory-budget", "100");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /needs [\d.]+ MB to run \(weights [\d.]+ MB \+ activations alive at once [\d.]+ MB \+ scratch [\d.]+ MB\), more than the memory budget of 100 MB/);
  });

  it("bad usage exits 2 with a message", () => {
    assert.equal(cnn("run").status, 2);
    const r = cnn("run", "examples/lenet5.cnn", "--sample", "nope");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--sample takes a sample name/);
    assert.equal(cnn("run", "examples/lenet5.cnn", "--seed", "-1").status, 2);
    assert.match(cnn("run", "examples/lenet5.cnn", "--network", "X").stderr, /no network `X`/);
  });
});

describe("cnn run --threads", function () {
  this.timeout(120_000);
  const net = "input 64x64x16\nconv 32 3x3 pad 1\nrelu\nmaxpool 2\nconv 32 3x3 pad 1\ngap\nfc 10\nsoftmax";

  it("--threads 2 says so, and prints exactly what one thread prints", () => {
    const file = tempCnn(net);
    const two = cnn("run", file, "--threads", "2");
    assert.equal(two.status, 0, two.stderr);
    assert.match(two.stdout, /wasm-simd executor, 2 threads/);
    const one = cnn("run", file, "--threads", "1");
    assert.match(one.stdout, /wasm-simd executor, 1 thread\b/);
    const json2 = JSON.parse(cnn("run", file, "--threads", "2", "--json").stdout);
    const json1 = JSON.parse(cnn("run", file, "--threads", "1", "--json").stdout);
    assert.deepEqual(json2.output, json1.output);
  });

  it("--threads 0 and --threads x are usage errors", () => {
    for (const bad of ["0", "x", "-1"]) {
      const r = cnn("run", "examples/lenet5.cnn", "--threads", bad);
      assert.equal(r.status, 2, `--threads ${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--threads takes a whole number from/);
    }
  });

  it("threads that would pass the budget are cut to fit it, and it says so", () => {
    const file = tempCnn(net);
    // one thread fits 2 MB; four threads' scratch does not
    const r = cnn("run", file, "--threads", "4", "--memory-budget", "2");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\d threads? instead of 4: net needs [\d.]+ MB to run \(.*\+ scratch of 4 threads [\d.]+ (kB|MB)\), more than the memory budget of 2 MB/);
  });
});
