// The modern vocabulary (spec §2, §4): layernorm, layerscale, slice, shuffle, droppath,
// the `mul` container and its broadcast rule, `repeat 0` — shapes, params, MACs and the
// diagnostics with their codes, each case written from the spec. And the porter's
// messages of issue 13: options after a block use, an unknown container, a stray word.

import * as assert from "node:assert/strict";
import { analyze, shapeText, type Analysis, type NetworkResult, type NodeOf } from "../../analysis";

function net(text: string): { a: Analysis; n: NetworkResult } {
  const a = analyze(text, "t.cnn");
  return { a, n: a.networks[0] };
}

const codes = (a: Analysis) => a.diagnostics.map((d) => d.code);
const errors = (a: Analysis) => a.diagnostics.filter((d) => d.severity === "error");
/** the text a diagnostic covers */
const covered = (a: Analysis, i = 0) => a.text.slice(a.diagnostics[i].start, a.diagnostics[i].end);

describe("vocabulary: the new layer kinds (spec §2)", () => {
  const cases: [string, string, string, bigint][] = [
    // input, layer, output, params
    ["56x56x96", "layernorm", "56×56×96", 192n],
    ["56x56x96", "layernorm eps 1e-6", "56×56×96", 192n],
    ["56x56x96", "layernorm2d", "56×56×96", 192n],
    ["7x7x768", "layerscale", "7×7×768", 768n],
    ["7x7x768", "layerscale init 0.5", "7×7×768", 768n],
    ["28x28x116", "slice 0 58", "28×28×58", 0n],
    ["28x28x116", "slice 58 116", "28×28×58", 0n],
    ["28x28x116", "shuffle 2", "28×28×116", 0n],
    ["28x28x116", "channelshuffle 4", "28×28×116", 0n],
    ["14x14x80", "droppath 0.2", "14×14×80", 0n],
    ["14x14x80", "stochasticdepth 0", "14×14×80", 0n],
  ];
  for (const [input, layer, output, params] of cases) {
    it(`${input} → ${layer} = ${output}, ${params} params, 0 MACs`, () => {
      const { a, n } = net(`input ${input}\n${layer}\n`);
      assert.deepEqual(a.diagnostics, []);
      assert.equal(shapeText(n.output), output);
      assert.equal(n.params, params);
      assert.equal(n.macs, 0n);
      assert.equal(n.complete, true);
    });
  }

  it("on a vector: layernorm over N (2·N params), layerscale N, slice elements, shuffle", () => {
    for (const [layer, out, params] of [["layernorm", "12", 24n], ["layerscale", "12", 12n], ["slice 2 5", "3", 0n], ["shuffle 3", "12", 0n], ["droppath 0.5", "12", 0n]] as const) {
      const { a, n } = net(`input 2x2x1\nfc 12 nobias\n${layer}\n`);
      assert.deepEqual(a.diagnostics, [], layer);
      assert.equal(shapeText(n.output), out, layer);
      assert.equal(n.params - 48n, params, layer);
    }
  });

  it("the engine's attributes: every default filled in by the catalog", () => {
    const graph = net("input 4x4x8\nlayernorm\nlayernorm eps 1e-6\nlayerscale\nlayerscale init 2\nslice 2 6\nshuffle 2\ndroppath 0.3\n").n.graph;
    assert.deepEqual(graph.slice(1).map((g) => [g.op, g.attrs]), [
      ["layernorm", { eps: 1e-5 }],
      ["layernorm", { eps: 1e-6 }],
      ["layerscale", { init: 1e-6 }],
      ["layerscale", { init: 2 }],
      ["slice", { start: 2, end: 6 }],
      ["shuffle", { groups: 2 }],
      ["droppath", { p: 0.3 }],
    ]);
  });

  it("slice: bad-value unless 0 ≤ A < B ≤ D₁, at the argument", () => {
    for (const [layer, word] of [["slice 0 9", "9"], ["slice 4 4", "4"], ["slice 5 3", "5"], ["slice -1 3", "-1"], ["slice 0 0", "0"]]) {
      const { a, n } = net(`input 4x4x8\n${layer}\nconv 2 1x1\n`);
      assert.deepEqual(codes(a), ["bad-value"], `${layer}: ${a.diagnostics.map((d) => d.message)}`);
      assert.equal(covered(a), word, layer);
      assert.equal(n.complete, false);
    }
    const { a } = net("input 4x4x8\nslice 0 9\n");
    assert.match(a.diagnostics[0].message, /8 channels/);
  });

  it("shuffle: groups-indivisible when G does not divide D₁; the line below keeps its shape", () => {
    const { a, n } = net("input 4x4x6\nshuffle 4\nconv 2 1x1\n");
    assert.deepEqual(codes(a), ["groups-indivisible"]);
    assert.equal(covered(a), "4");
    assert.match(a.diagnostics[0].message, /D₁ = 6 is not divisible by 4/);
    assert.equal(shapeText(n.statements[1].output), "4×4×2");
  });

  it("droppath: 0 ≤ p < 1 (bad-value); p is required", () => {
    assert.deepEqual(codes(net("input 4x4x2\ndroppath 1\n").a), ["bad-value"]);
    assert.deepEqual(codes(net("input 4x4x2\ndroppath -0.1\n").a), ["bad-value"]);
    assert.deepEqual(codes(net("input 4x4x2\ndroppath\n").a), ["bad-value"]);
  });

  it("layerscale init and layernorm eps: a value each, of the right kind", () => {
    assert.deepEqual(codes(net("input 4x4x2\nlayerscale init\n").a), ["syntax"]);
    assert.deepEqual(codes(net("input 4x4x2\nlayernorm eps 0\n").a), ["bad-value"]);
    assert.deepEqual(codes(net("input 4x4x2\nlayerscale eps 1e-6\n").a), ["unknown-name"]);
    assert.deepEqual(codes(net("input 4x4x2\nlayernorm init 1\n").a), ["unknown-name"]);
  });

  it("hover's arithmetic: what layernorm normalizes over, what slice and shuffle take", () => {
    const { a } = net("input 7x7x96\nlayernorm\nslice 10 20\nshuffle 2\nlayerscale\n");
    const explain = (line: number) => a.networks[0].statements[line].explain().map((e) => `${e.title}: ${e.text}`).join("\n");
    assert.match(explain(0), /96 channels at each of the 49 positions/);
    assert.match(explain(0), /2 × 96 = 192/);
    assert.match(explain(1), /channels 10 … 19 of 96: 20 − 10 = 10/);
    assert.match(explain(2), /10 channels as 2 groups of 5, transposed .*input channels 0, 5, 1, 6, 2, 7, …/);
    assert.match(explain(3), /γ = 1e-6 at the start/);
    assert.match(explain(3), /params: 10 /);
  });
});

describe("vocabulary: `mul { branch … }` (spec §4)", () => {
  it("torchvision's SqueezeExcitation: 1×1×D gates multiply every position; params of the branches only", () => {
    const { a, n } = net("input 14x14x64\nmul { branch { } branch { gap; conv 16 1x1; relu; conv 64 1x1; sigmoid } }\n");
    assert.deepEqual(a.diagnostics, []);
    assert.equal(shapeText(n.output), "14×14×64");
    assert.equal(n.params, 64n * 16n + 16n + 16n * 64n + 64n);
    assert.equal(n.macs, 64n * 16n + 16n * 64n);
    const node = n.graph[n.graph.length - 1] as NodeOf<"mul">;
    assert.equal(node.op, "mul");
    assert.equal(node.params, 0n);
    assert.equal(node.macs, 0n);
    assert.deepEqual(node.inputs, [0, n.graph.length - 2]);
    assert.equal(n.complete, true);
  });

  it("the 1×1×D branch may come first, or all may be full size, or all 1×1", () => {
    for (const [text, out] of [
      ["input 8x8x4\nmul { branch { gap } branch { } }", "8×8×4"],
      ["input 8x8x4\nmul { branch { relu } branch { sigmoid } branch { } }", "8×8×4"],
      ["input 8x8x4\ngap\nmul { branch { } branch { sigmoid } }", "1×1×4"],
      ["input 2x2x1\nfc 6\nmul { branch { } branch { sigmoid } }", "6"],
      ["input 8x8x4\nmul { branch { } }", "8×8×4"],
    ]) {
      const { a, n } = net(`${text}\n`);
      assert.deepEqual(a.diagnostics, [], text);
      assert.equal(shapeText(n.output), out, text);
    }
  });

  it("depths must agree: depth-mismatch, naming both shapes", () => {
    const { a } = net("input 8x8x4\nmul { branch { } branch { gap; conv 3 1x1 } }\n");
    assert.deepEqual(codes(a), ["depth-mismatch"]);
    assert.match(a.diagnostics[0].message, /8×8×4 \(branch 1\) and 1×1×3 \(branch 2\)/);
    assert.equal(covered(a), "mul");
  });

  it("widths and heights agree or are 1×1: spatial-mismatch", () => {
    const { a } = net("input 8x8x4\nmul { branch { } branch { maxpool 2 } }\n");
    assert.deepEqual(codes(a), ["spatial-mismatch"]);
    assert.match(a.diagnostics[0].message, /8×8×4 \(branch 1\) and 4×4×4 \(branch 2\)/);
    const vector = net("input 8x8x4\nmul { branch { } branch { flatten } }\n").a;
    assert.deepEqual(codes(vector), ["spatial-mismatch"]);
  });

  it("the lines after a mismatch are still checked against the full-size shape", () => {
    const { a, n } = net("input 8x8x4\nmul { branch { } branch { gap; conv 3 1x1 } }\nconv 2 3x3x5\n");
    assert.deepEqual(codes(a), ["depth-mismatch", "depth-mismatch"]);
    assert.equal(n.complete, false);
  });

  it("a labelled mul in a block: scopes name its branches, the node sits outside them", () => {
    const { a, n } = net("block SE(c, s) { se: mul { branch { } branch { gap; conv s 1x1; relu; conv c 1x1; sigmoid } } }\ninput 8x8x16\nSE(16, 4)\nSE(16, 4)\n");
    assert.deepEqual(a.diagnostics, []);
    const muls = n.graph.filter((g) => g.op === "mul");
    assert.equal(muls.length, 2);
    assert.deepEqual(muls[0].scope.map((f) => f.kind), ["block"]);
    const gap = n.graph.find((g) => g.op === "gap")!;
    const frame = gap.scope[gap.scope.length - 1];
    assert.ok(frame.kind === "branch" && frame.merge === "mul" && frame.branch === 2 && frame.branches === 2 && frame.label === "se");
  });

  it("`Mul {` is read as the keyword, reported once as a case error", () => {
    const { a, n } = net("input 8x8x4\nMul { branch { } branch { gap } }\n");
    assert.deepEqual(codes(a), ["syntax"]);
    assert.match(a.diagnostics[0].message, /lower case: `mul`/);
    assert.equal(shapeText(n.output), "8×8×4");
  });
});

describe("vocabulary: `repeat 0` (spec §4)", () => {
  it("passes its input through: a stage `first; repeat n - 1 { … }` serves n = 1", () => {
    const text = "block Stage(k, n) { conv k 3x3 pad 1; repeat n - 1 { conv k 3x3 pad 1 } }\ninput 8x8x3\nStage(4, 1)\nStage(4, 3)\n";
    const { a, n } = net(text);
    assert.deepEqual(a.diagnostics, []);
    assert.equal(n.graph.filter((g) => g.op === "conv").length, 1 + 3);
    assert.equal(n.complete, true);
  });

  it("repeat 0 at the top level: same shape, no params; its body is still read for names and values", () => {
    const ok = net("input 8x8x3\nrepeat 0 { conv 4 3x3 }\nrelu\n");
    assert.deepEqual(ok.a.diagnostics, []);
    assert.equal(shapeText(ok.n.output), "8×8×3");
    assert.equal(ok.n.params, 0n);
    const typo = net("input 8x8x3\nrepeat 0 { cnov 4 3x3 }\n");
    assert.deepEqual(codes(typo.a), ["unknown-name"]);
    // what depends on the data is not reported: the body never sees it
    assert.deepEqual(net("input 8x8x3\nrepeat 0 { conv 4 3x3x7 }\n").a.diagnostics, []);
  });

  it("a negative count is still a bad-value, and so is a count past 10,000", () => {
    assert.deepEqual(codes(net("input 8x8x3\nrepeat -1 { relu }\n").a), ["bad-value"]);
    assert.deepEqual(codes(net("input 8x8x3\nrepeat 10001 { relu }\n").a), ["bad-value"]);
  });
});

describe("vocabulary: messages that help the porter (issue 13)", () => {
  const blocks = "block B(k) { conv k 3x3 pad 1 }\nblock BasicConv(k, f, p) { conv k f x f pad p nobias; bn; relu }\nblock Fire(s, e1, e3) { conv s 1x1; relu; concat { branch { conv e1 1x1 } branch { conv e3 3x3 pad 1 } } }\n";

  it("`BasicConv(64, 7, 3) stride 2`: one error at the options, saying how to pass a stride (a parameter)", () => {
    const { a, n } = net(`${blocks}input 32x32x3\nBasicConv(64, 7, 3) stride 2\nconv 8 3x3\n`);
    assert.equal(a.diagnostics.length, 1, a.diagnostics.map((d) => d.message).join("\n"));
    assert.equal(covered(a), "stride 2");
    const message = a.diagnostics[0].message;
    assert.match(message, /block uses take no options/);
    assert.match(message, /block BasicConv\(k, f, p, s = 1\)/);
    assert.match(message, /BasicConv\(…, s = 2\)/);
    // the use keeps its shape, and so do the lines below
    assert.equal(shapeText(n.statements[0].output), "32×32×64");
    assert.equal(shapeText(n.statements[1].output), "30×30×8");
  });

  it("`B(8) nobias`: one error; a flag is written on the block's layers", () => {
    const { a } = net(`${blocks}input 32x32x3\nB(8) nobias\n`);
    assert.equal(a.diagnostics.length, 1);
    assert.equal(covered(a), "nobias");
    assert.match(a.diagnostics[0].message, /block uses take no options.*`nobias`.*inside `block B`/);
  });

  it("a block used without parentheses with an option: the same message", () => {
    const { a } = net(`${blocks}input 32x32x3\nB 8 stride 2\n`);
    assert.equal(a.diagnostics.length, 1);
    assert.match(a.diagnostics[0].message, /block uses take no options/);
  });

  it("a parameter of the option's name already there: pass it as an argument", () => {
    const { a } = net("block C(k, s = 1) { conv k 3x3 stride s pad 1 floor }\ninput 32x32x3\nC(8) stride 2\n");
    assert.match(a.diagnostics[0].message, /C\(…, s = 2\)/);
    assert.doesNotMatch(a.diagnostics[0].message, /give the block a parameter/);
  });

  it("`Fire(16,64,64) bogus`: one error at the word; the shapes below are kept", () => {
    const { a, n } = net(`${blocks}input 32x32x8\nFire(16,64,64) bogus\nconv 8 3x3\nrelu\n`);
    assert.equal(a.diagnostics.length, 1);
    assert.equal(a.diagnostics[0].code, "syntax");
    assert.equal(covered(a), "bogus");
    assert.deepEqual(n.statements.map((s) => shapeText(s.output)), ["32×32×128", "30×30×8", "30×30×8"]);
    assert.equal(n.complete, false);
  });

  it("`foo { branch … }`: one error at the word, the body still checked, no false no-input", () => {
    const { a } = net("network N {\n  input 32x32x8\n  foo {\n    branch { }\n    branch { gap; conv 8 1x1; sigmoid }\n  }\n  conv 8 3x3\n}\n");
    assert.equal(a.diagnostics.length, 1, a.diagnostics.map((d) => d.message).join("\n"));
    assert.equal(a.diagnostics[0].code, "unknown-name");
    assert.equal(covered(a), "foo");
    assert.match(a.diagnostics[0].message, /unknown container `foo`/);
    assert.match(a.diagnostics[0].message, /`mul/);
    // the body is checked: an error inside is found
    const inner = net("network N {\n  input 32x32x8\n  foo {\n    branch { conv 8 3x3x5 }\n  }\n}\n").a;
    assert.deepEqual(codes(inner), ["unknown-name", "depth-mismatch"]);
  });

  it("a word between a container keyword and its `{` (`residual u { … }`) loses nothing: the `{` recovery puts in is not an unknown container's", () => {
    for (const [text, keyword] of [
      ["input 8x8x1\nresidual u { relu }\nconv 2 1x1\n", "residual"],
      ["input 8x8x1\nrepeat 2 u { relu }\nconv 2 1x1\n", "2"],
      ["input 8x8x1\nresidual { relu } shortcut u { relu }\nconv 2 1x1\n", "shortcut"],
      ["input 8x8x1\nconcat u { branch { relu } }\nconv 2 1x1\n", "concat"],
    ]) {
      const a = analyze(text, "t.cnn");
      const syntax = a.diagnostics.filter((d) => d.code === "syntax");
      assert.equal(syntax.length, 1, `${text}: ${syntax.map((d) => d.message).join("; ")}`);
      assert.match(syntax[0].message, new RegExp(`expected \`\\{\` after \`${keyword}\`, found \`u\``));
      // the input and every statement after the broken one are still there
      assert.equal(a.parse.file.items.length, 3, text);
    }
    const noInput = analyze("residual u\n{\nn", "t.cnn").diagnostics.filter((d) => d.code === "no-input");
    assert.equal(noInput.length, 1, "a file of statements without input says so");
  });

  it("a near miss of a container (`mull`) is elaborated as that container, with a rename fix", () => {
    const { a, n } = net("input 8x8x4\nmull { branch { } branch { gap; sigmoid } }\n");
    assert.deepEqual(codes(a), ["unknown-name"]);
    assert.match(a.diagnostics[0].message, /did you mean `mul`/);
    const fix = a.diagnostics[0].data as { kind: string; replace: { start: number; end: number }; candidates: string[] };
    assert.deepEqual([fix.kind, fix.replace.start, fix.replace.end, fix.candidates], ["rename", 12, 16, ["mul"]]);
    assert.equal(shapeText(n.output), "8×8×4");
  });

  it("a layer or a block with a body: one error at its name", () => {
    const layer = net("input 8x8x4\nconv 4 3x3 { relu }\n").a;
    assert.equal(errors(layer).length, 1);
    assert.match(layer.diagnostics[0].message, /`conv` is a layer: it takes no `\{ … \}`/);
    const block = net("block B(k) { relu }\ninput 8x8x4\nB { relu }\n").a;
    assert.equal(errors(block).length, 1);
    assert.match(block.diagnostics[0].message, /`B` is a block: use it as `B\(…\)`/);
  });
});
