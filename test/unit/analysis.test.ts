// The arithmetic of spec §3 and §6 on small cases, each named by its parameters.

import * as assert from "node:assert/strict";
import { analyze, shapeText, type Analysis, type NetworkResult, type NodeOf } from "../../analysis";

function net(text: string): { a: Analysis; n: NetworkResult } {
  const a = analyze(text, "t.cnn");
  return { a, n: a.networks[0] };
}

function single(input: string, layer: string) {
  const { a, n } = net(`input ${input}\n${layer}\n`);
  return { a, n, out: shapeText(n.output), params: n.params, macs: n.macs, node: n.graph[1] };
}

const codes = (a: Analysis) => a.diagnostics.map((d) => d.code);

describe("spatial arithmetic (spec §3)", () => {
  const shapes: [string, string, string][] = [
    ["7x7x1", "conv 1 3x3 stride 2", "3×3×1"],
    ["7x7x1", "conv 1 3x3 stride 1 pad 1", "7×7×1"],
    ["7x7x1", "conv 1 3x3 dilation 2", "3×3×1"],
    ["10x10x1", "conv 1 5x3", "6×8×1"],
    ["9x7x1", "conv 1 3x3 stride 2x1 pad 1x0 floor", "5×5×1"],
    ["8x8x1", "conv 1 3x3 stride 2 pad same", "4×4×1"],
    ["7x7x1", "conv 1 3x3 stride 2 pad same", "4×4×1"],
    ["7x7x1", "conv 1 3x3 pad valid", "5×5×1"],
    ["6x6x1", "maxpool 3x3 stride 2 ceil", "3×3×1"],
    ["5x5x1", "maxpool 2x2 stride 2 pad 1 ceil", "3×3×1"],
    ["5x5x1", "maxpool 2x2 stride 2 pad 1 floor", "3×3×1"],
    ["112x112x64", "maxpool 3x3 stride 2 pad 1 floor", "56×56×64"],
    ["13x13x1", "maxpool 3x3 stride 2 ceil", "6×6×1"],
    ["14x14x1", "maxpool 3x3 stride 2 ceil", "7×7×1"],
    ["14x14x64", "deconv 32 4x4 stride 2 pad 1", "28×28×32"],
    ["7x7x8", "deconv 4 3x3 stride 2 pad 1 outpad 1", "14×14×4"],
    ["4x4x2", "deconv 2 3x3 dilation 2", "8×8×2"],
    ["8x8x3", "upsample 2", "16×16×3"],
    ["8x6x3", "pad 2", "12×10×3"],
    ["7x7x5", "gap", "1×1×5"],
    ["12x12x5", "adaptiveavgpool 6x6", "6×6×5"],
    ["4x4x2", "flatten", "32"],
    ["4x4x2", "fc 10", "10"],
  ];
  for (const [input, layer, expected] of shapes) {
    it(`${input} → ${layer} = ${expected}`, () => {
      const r = single(input, layer);
      assert.equal(r.out, expected, r.a.diagnostics.map((d) => d.message).join("; "));
    });
  }

  it("a bias written once stays one number, however many filters (`conv 1000000000 1x1 bias 0`)", () => {
    const a = analyze("input 8x8x3\nconv 1000000000 1x1 bias 0\n", "t.cnn");
    const conv = a.networks[0].graph[1] as NodeOf<"conv">;
    assert.equal(conv.op, "conv");
    assert.equal(conv.attrs.biasValue, 0);
    assert.equal(conv.attrs.biasValues, undefined);
  });

  it("pad same puts the smaller half before: 8x8, F=4, S=1 pads 1 left/top, 2 right/bottom", () => {
    const r = single("8x8x1", "conv 1 4x4 pad same");
    assert.equal(r.node.op, "conv");
    assert.deepEqual((r.node as NodeOf<"conv">).attrs.padding, { left: 1, right: 2, top: 1, bottom: 2 });
    assert.deepEqual(codes(r.a), ["even-filter"]);
  });

  it("a stride misfit names the arithmetic and the fits", () => {
    const r = single("7x7x1", "conv 1 3x3 stride 3");
    const d = r.a.diagnostics[0];
    assert.equal(d.code, "stride-misfit");
    assert.equal(d.severity, "warning");
    assert.ok(d.message.startsWith("stride 3 doesn't fit: (7 − 3 + 2·0)/3 + 1 = 2.33"), d.message);
    assert.deepEqual(d.data && d.data.kind === "stride-misfit" ? [d.data.paddings, d.data.strides] : null, [[1], [1, 2]]);
    assert.equal(r.out, "2×2×1");
  });

  it("a misfit of one axis names the axis", () => {
    const r = single("8x7x1", "conv 1 3x3 stride 2");
    assert.match(r.a.diagnostics[0].message, /doesn't fit the width: \(8 − 3 \+ 2·0\)\/2 \+ 1 = 3.5/);
  });

  it("ceil on a conv is refused; floor and ceil together are refused", () => {
    assert.deepEqual(codes(single("7x7x1", "conv 1 3x3 stride 3 ceil").a), ["bad-value"]);
    assert.ok(codes(single("7x7x1", "maxpool 3x3 stride 3 floor ceil").a).includes("bad-value"));
  });

  it("outpad must be smaller than the stride", () => {
    assert.deepEqual(codes(single("8x8x1", "deconv 1 3x3 stride 2 outpad 2").a), ["bad-value"]);
  });
});

describe("counts (spec §6)", () => {
  const counts: [string, string, bigint, bigint][] = [
    ["32x32x3", "conv 10 5x5 stride 1 pad 2", 760n, 750n * 32n * 32n],
    ["227x227x3", "conv 96 11x11 stride 4", 34944n, 105415200n],
    ["16x16x32", "dwconv 3x3 pad 1 nobias", 288n, 288n * 256n],
    ["8x8x3", "dwconv 3x3 pad 1 multiplier 2", 60n, 54n * 64n],
    ["8x8x4", "conv 8 3x3 pad 1 groups 2", 152n, 144n * 64n],
    ["5x5x2", "local 4 3x3", 684n, 648n],
    ["5x5x2", "local 4 3x3 nobias", 648n, 648n],
    ["14x14x64", "deconv 32 4x4 stride 2 pad 1", 32800n, 32768n * 196n],
    ["4x4x8", "deconv 8 3x3 groups 2", 296n, 288n * 16n],
    ["4x4x2", "fc 10", 330n, 320n],
    ["4x4x2", "fc 10 nobias", 320n, 320n],
    ["4x4x6", "bn", 12n, 0n],
    ["4x4x6", "maxpool 2x2", 0n, 0n],
  ];
  for (const [input, layer, params, macs] of counts) {
    it(`${input} → ${layer}: ${params} params, ${macs} MACs`, () => {
      const r = single(input, layer);
      assert.deepEqual(r.a.diagnostics, []);
      assert.equal(r.params, params);
      assert.equal(r.macs, macs);
    });
  }

  it("bn on a vector counts 2·N", () => {
    const { n } = net("input 4x4x1\nfc 6\nbn\n");
    assert.equal(n.params, 16n * 6n + 6n + 12n);
  });

  it("counts past 2^53 stay exact", () => {
    const { a, n } = net("input 100000000x100000000x3\nconv 64 3x3\n");
    assert.deepEqual(a.diagnostics, []);
    assert.equal(n.macs, 64n * 27n * 99999998n * 99999998n);
    assert.ok(n.macs > BigInt(Number.MAX_SAFE_INTEGER));
    assert.equal(n.activationBytes, (100000000n * 100000000n * 3n + 99999998n * 99999998n * 64n) * 4n);
  });

  it("receptive field and jump: r₂ = r₁ + (F'−1)·j₁, j₂ = j₁·S", () => {
    const { n } = net("input 32x32x1\nconv 1 3x3 pad 1\nconv 1 3x3 stride 2 pad 1 floor\nconv 1 3x3 dilation 2 pad 2\n");
    assert.deepEqual(n.receptiveField, { w: 3 + 2 + 4 * 2, h: 13, jumpW: 2, jumpH: 2 });
  });

  it("branches take the largest receptive field", () => {
    const { n } = net("input 16x16x1\nconcat {\n branch { conv 1 1x1 }\n branch { conv 1 5x5 pad 2 }\n}\n");
    assert.equal(n.receptiveField!.w, 5);
  });

  it("peak memory frees what no later layer reads", () => {
    const { n } = net("input 10x10x1\nconv 1 1x1\nconv 1 1x1\nconv 1 1x1\n");
    // at most an input and an output of 100 floats are alive at once
    assert.equal(n.peakActivationBytes, 800n);
  });
});

describe("structure (spec §4)", () => {
  it("concat stacks depth; an empty branch passes its input through", () => {
    const { a, n } = net("input 8x8x16\nconcat {\n branch { }\n branch { conv 8 3x3 pad 1 }\n}\n");
    assert.deepEqual(a.diagnostics, []);
    assert.equal(shapeText(n.output), "8×8×24");
    const merge = n.graph[n.graph.length - 1];
    assert.equal(merge.op, "concat");
    assert.deepEqual(merge.inputs, [0, 1]);
  });

  it("residual depth mismatch suggests a projection with the right stride", () => {
    const { a } = net("input 56x56x64\nresidual {\n  conv 128 3x3 stride 2 pad 1 floor\n}\n");
    const d = a.diagnostics.find((x) => x.code === "depth-mismatch")!;
    assert.match(d.message, /28×28×128 \(the body\) and 56×56×64 \(the shortcut\)/);
    assert.match(d.message, /shortcut \{ conv 128 1x1 stride 2 floor \}/);
    assert.deepEqual(d.data && d.data.kind === "projection" ? [d.data.depth, d.data.stride] : null, [128, 2]);
  });

  it("repeat over a block parameter expression", () => {
    const { a, n } = net("block Stage(k, n) { repeat n { conv k 3x3 pad 1; relu }; maxpool 2 }\ninput 16x16x3\nStage(8, 3)\n");
    assert.deepEqual(a.diagnostics, []);
    assert.equal(shapeText(n.output), "8×8×8");
    assert.equal(n.graph.filter((g) => g.op === "conv").length, 3);
  });

  it("repeat 1000000 is a bad-value; nested repeats past 50,000 layers are exact but cannot run", () => {
    assert.deepEqual(codes(net("input 8x8x1\nrepeat 1000000 { relu }\n").a), ["bad-value"]);
    const { a, n } = net("input 8x8x1\nrepeat 10000 { repeat 10000 { relu } }\n");
    assert.deepEqual(codes(a), ["bad-value"]);
    assert.match(a.diagnostics[0].message, /expands to 100,000,000 layers, more than the 50,000 that can run/);
    assert.equal(shapeText(n.output), "8×8×1");
    assert.equal(n.complete, false);
    assert.ok(n.graph.length <= 50_002);
  });

  it("empty repeats that loop 10^12 times pass their input through, at once", () => {
    const { a, n } = net("input 8x8x1\nrepeat 10000 { repeat 10000 { repeat 10000 { } } }\n");
    assert.deepEqual(a.diagnostics, []);
    assert.equal(shapeText(n.output), "8×8×1");
    assert.equal(n.complete, true);
    // a few hundred passes are copied (until each statement has its 100 occurrences), the rest counted
    assert.ok(a.work < 100_000, `work ${a.work}`);
  });

  it("a block that uses itself is an error, not a stack overflow", () => {
    const { a, n } = net("block A(k) { B(k) }\nblock B(k) { A(k) }\ninput 8x8x1\nA(1)\n");
    assert.deepEqual(codes(a), ["recursive-block", "recursive-block"]);
    assert.equal(n.output, null);
  });

  it("block parameters: defaults, names, exact division", () => {
    const ok = net("block B(k, m = k*2) { conv m/4 1x1 }\ninput 4x4x1\nB(8)\n");
    assert.deepEqual(ok.a.diagnostics, []);
    assert.equal(shapeText(ok.n.output), "4×4×4");
    const bad = net("block B(k) { conv k/3 1x1 }\ninput 4x4x1\nB(8)\n");
    assert.deepEqual(codes(bad.a), ["bad-value"]);
    assert.match(bad.a.diagnostics[0].message, /8\/3/);
  });

  it("an unused block is still checked, once", () => {
    const { a } = net("block Unused(k) { covn k 3x3; conv 0 1x1 }\ninput 4x4x1\n");
    assert.deepEqual(codes(a).sort(), ["bad-value", "unknown-name"]);
  });

  it("diagnostics inside a block point at the block's statement and at the use", () => {
    const text = "block B(s) { conv 1 3x3 stride s }\ninput 7x7x1\nB(3)\n";
    const { a } = net(text);
    const d = a.diagnostics[0];
    assert.equal(d.code, "stride-misfit");
    assert.equal(text.slice(d.start, d.end), "conv 1 3x3 stride s");
    assert.equal(text.slice(d.related![0].start, d.related![0].end), "B");
  });
});

describe("severity settings", () => {
  it("a code can be raised, lowered or silenced", () => {
    const text = "input 7x7x1\nconv 1 3x3 stride 3\n";
    assert.equal(analyze(text, "t.cnn", { severity: { "stride-misfit": "error" } }).diagnostics[0].severity, "error");
    assert.deepEqual(analyze(text, "t.cnn", { severity: { "stride-misfit": "off" } }).diagnostics, []);
  });
});

describe("did you mean", () => {
  const cases: [string, string][] = [
    ["input 8x8x1\ncovn 2 3x3\n", "conv"],
    ["input 8x8x1\nconv 2 3x3 strid 2\n", "stride"],
    ["input 8x8x1\nmaxpol 2\n", "maxpool"],
    ["block Basic(k) { relu }\ninput 8x8x1\nBasc(2)\n", "Basic"],
  ];
  for (const [text, want] of cases) {
    it(`suggests ${want}`, () => {
      const d = analyze(text, "t.cnn").diagnostics.find((x) => x.code === "unknown-name")!;
      assert.match(d.message, new RegExp(`did you mean \`${want}\``));
    });
  }
});

describe("no-input without a network (issue 9 item 6: never a whole-file range)", () => {
  for (const [text, at] of [
    ["repeat 3 {\n  relu\n}\nfc 10\n", "repeat"],
    ["concat { branch { relu } }\n", "concat"],
    ["residual {\n  relu\n}\n", "residual"],
    ["relu\nfc 10\n", "relu"],
  ] as const) {
    it(`${JSON.stringify(text)}: at \`${at}\``, () => {
      const d = analyze(text, "t.cnn").diagnostics.find((x) => x.code === "no-input")!;
      assert.equal(text.slice(d.start, d.end), at);
    });
  }

  it("the fuzzer's `residual u { n`: no diagnostic covers the whole file", () => {
    const text = "residual u\n{\nn";
    for (const d of analyze(text, "t.cnn").diagnostics) assert.ok(!(d.start === 0 && d.end >= text.length - 1), JSON.stringify(d));
  });
});
