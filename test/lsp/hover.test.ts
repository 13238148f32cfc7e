// Hover over the protocol (spec §6): shapes, the formula with the numbers put in,
// weights and biases, sharing, MACs, receptive field and jump, activation memory; a
// block use's expansion; a network's totals; options and parameters.

import * as assert from "node:assert/strict";
import type { Hover, MarkupContent } from "vscode-languageserver-protocol";
import { TestServer, marked, positionOf } from "./support/client";
import { example, slice } from "./support/fixtures";

let counter = 0;

async function hoverAt(server: TestServer, source: string): Promise<{ value: string; range: string; text: string }[]> {
  const { text, offsets } = marked(source);
  const uri = `file:///h/doc${++counter}.cnn`;
  await server.open(uri, text);
  const out: { value: string; range: string; text: string }[] = [];
  for (const offset of offsets) {
    const hover = await server.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position: positionOf(text, offset) });
    assert.ok(hover, `no hover at ${offset}`);
    out.push({ value: (hover.contents as MarkupContent).value, range: hover.range ? slice(text, hover.range) : "", text });
  }
  return out;
}

describe("hover", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("a conv layer: input → output, the formula with its numbers, weights and biases, sharing, MACs, field, memory", async () => {
    const [h] = await hoverAt(server, "network LeNet5 {\n  input 32x32x1\n  co<|>nv 6 5x5   # 卷积 😀\n  relu\n}\n");
    assert.equal(h.range, "conv 6 5x5");
    const lines = h.value.split("\n");
    assert.match(lines[0], /^\*\*conv\*\* — convolution/);
    assert.ok(lines.includes("**32×32×1 → 28×28×6**"), h.value);
    for (const expected of [
      "- **output** W₂ = H₂ = (32 − 5 + 2·0)/1 + 1 = 28",
      "- **params** 6 filters × (5·5·1 + 1) = 6 × 26 = 156",
      "- **weights + biases** 150 + 6 = 156 params",
      "- **sharing** without sharing 4,704 × 26 = 122,304 (one set of weights per output neuron)",
      "- **MACs** 150 weights × 28·28 output positions = 117,600 (0.12 MMAC)",
      "- **receptive field** 5×5 input pixels, jump 1 (each step here moves 1 input pixel)",
      "- **activation** 28×28×6 = 4,704 numbers = 18.82 kB (float32)",
    ]) {
      assert.ok(lines.includes(expected), `missing ${expected} in\n${h.value}`);
    }
  });

  it("AlexNet's first layer: 96 × 364 = 34,944; without sharing 290,400 × 364 = 105,705,600 (spec §6)", async () => {
    const [h] = await hoverAt(server, "network AlexNetConv1 {\n  input 227x227x3\n  conv 96 11x11 stride 4<|>\n}\n");
    assert.match(h.value, /96 filters × \(11·11·3 \+ 1\) = 96 × 364 = 34,944/);
    assert.match(h.value, /without sharing 290,400 × 364 = 105,705,600/);
    assert.match(h.value, /105,415,200 \(105\.42 MMAC\)/);
    assert.match(h.value, /11×11 input pixels, jump 4/);
  });

  it("nobias: the weights alone; a receptive field that grows and jumps", async () => {
    const [h] = await hoverAt(server, "network R {\n  input 64x64x3\n  conv 8 3x3 stride 2 pad 1 nobias floor\n  c<|>onv 8 3x3 pad 1 nobias\n}\n");
    assert.match(h.value, /- \*\*weights\*\* 576, no biases/);
    // r₂ = 3 + (3 − 1)·2 = 7, jump 2
    assert.match(h.value, /7×7 input pixels, jump 2/);
  });

  it("a block use: its call, signature, documentation, totals and expansion", async () => {
    const text = example("resnet18.cnn").replace("  layer2: Down(128)", "  layer2: Do<|>wn(128)");
    const [h] = await hoverAt(server, text);
    assert.equal(h.range, "layer2: Down(128)");
    assert.match(h.value, /^\*\*Down\(128\)\*\* `layer2` — block `Down\(k\)`, line 16/);
    assert.match(h.value, /halves W×H and changes the depth: a 1×1 projection/);
    assert.match(h.value, /\*\*56×56×64 → 28×28×128\*\*/);
    assert.match(h.value, /- \*\*params\*\* 230,144/);
    const table = h.value.slice(h.value.indexOf("```text"));
    assert.match(table, /^residual +28×28×128 +230,144$/m);
    assert.match(table, /^ {2}conv k 3x3 stride 2 pad 1 nobias floor +28×28×128 +73,728$/m);
    assert.match(table, /^ {2}conv k 1x1 stride 2 nobias floor +28×28×128 +8,192$/m);
    assert.match(table, /^relu +28×28×128$/m);
  });

  it("a statement in a block body: its first use, then every use", async () => {
    const text = example("resnet18.cnn").replace("block Basic(k) {                   # identity shortcut: same shape in and out\n  residual {\n    conv k", "block Basic(k) {\n  residual {\n    co<|>nv k");
    const [h] = await hoverAt(server, text);
    assert.match(h.value, /\*\*56×56×64 → 56×56×64\*\*/);
    assert.match(h.value, /Runs 5 times; above: the 1st\./);
    assert.match(h.value, /5\. 7×7×512 → 7×7×512 · 2,359,296 params \(`Basic`, line \d+\)/);
  });

  it("a network name: totals, field, memory", async () => {
    const [h] = await hoverAt(server, example("lenet5.cnn").replace("network LeNet5", "network Le<|>Net5"));
    assert.equal(h.range, "LeNet5");
    for (const expected of ["**network LeNet5**", "**32×32×1 → 10**", "- **params** 61,706 (246.82 kB as float32)", "- **MACs** 416,520 (0.42 MMAC)", "- **layers** 11"]) {
      assert.ok(h.value.includes(expected), `missing ${expected} in\n${h.value}`);
    }
    assert.match(h.value, /- \*\*receptive field\*\* 32×32 input pixels/);
  });

  it("a block definition, a block parameter, an option keyword", async () => {
    const [definition, parameter, option] = await hoverAt(
      server,
      "block Ba<|>sic(k, s = 1) {   # a basic block\n  conv <|>k 3x3 st<|>ride s pad 1 floor\n}\nnetwork N {\n  input 8x8x4\n  Basic(4, s = 2)\n}\n",
    );
    assert.equal(definition.value, "**block Basic(k, s = 1)**\n\na basic block\n\nused 1 time");
    assert.equal(parameter.range, "k");
    assert.equal(parameter.value, "**k** — parameter of block `Basic(k, s = 1)`");
    assert.equal(option.value, "`stride S | stride Sw x Sh`\n\nstep of the filter; default 1 (pools: F)");
  });
  it("a rectangular kernel or padding: which number is the width, and what PyTorch (height first) writes", async () => {
    const [kernel, pad, square] = await hoverAt(server, "network P {\n  input 17x17x8\n  conv 8 7<|>x1 pad 3x0<|>\n  conv 8 3<|>x3 pad 1\n}\n");
    assert.match(kernel.value, /\*\*7×1\*\* — the filter: width 7 × height 1/);
    assert.match(kernel.value, /PyTorch writes height first: `kernel_size=\(1, 7\)`/);
    assert.match(pad.value, /the padding: width 3 × height 0 \(3 columns left and right, 0 rows top and bottom\)/);
    assert.match(pad.value, /`padding=\(0, 3\)`/);
    // a square kernel: the layer's own hover, which says nothing of the order
    assert.match(square.value, /^\*\*conv\*\*/);
    assert.doesNotMatch(square.value, /height first/);
  });

  it("the layer's hover on a rectangular window names torch's arguments in torch's order", async () => {
    const [h] = await hoverAt(server, "network P {\n  input 17x17x8\n  co<|>nv 8 1x7 pad 0x3\n}\n");
    assert.match(h.value, /1×7 is width 1 × height 7 here; PyTorch writes height first: nn\.Conv2d\(…, kernel\\_size=\(7, 1\), padding=\(3, 0\)\)/, h.value);
    // (markdown: the underscore escaped)
  });
  it("a mul: what it does, each branch's shape, the 1×1×D gate multiplying every position; a concat's depth sum", async () => {
    const [mul, concat] = await hoverAt(
      server,
      "network SE {\n  input 8x8x16\n  m<|>ul {\n    branch { }\n    branch { gap; conv 4 1x1; relu; conv 16 1x1; sigmoid }\n  }\n  con<|>cat {\n    branch { conv 8 1x1 }\n    branch { }\n  }\n}\n",
    );
    assert.match(mul.value, /^\*\*mul\*\* — every branch gets the same input; the results are multiplied element by element/);
    assert.ok(mul.value.includes("**8×8×16 → 8×8×16**"), mul.value);
    assert.ok(mul.value.includes("- **branch 1** 8×8×16 (the input itself)"), mul.value);
    assert.ok(mul.value.includes("- **branch 2** 1×1×16 — one factor per channel, multiplying each of the 8×8 positions"), mul.value);
    assert.match(mul.value, /- \*\*MACs\*\* 0 \(an element-wise product/);
    assert.ok(concat.value.includes("- **depth** D = 8 + 16 = 24"), concat.value);
  });
});
