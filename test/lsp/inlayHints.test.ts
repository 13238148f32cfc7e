// Inlay hints over the real protocol: the spec's texts, their UTF-16 positions (CJK and
// emoji in comments, CRLF line breaks), block uses, network totals and the settings.

import * as assert from "node:assert/strict";
import type { InlayHint } from "vscode-languageserver-protocol";
import { capabilities, TestServer } from "./support/client";
import { example, lineOf, specExample } from "./support/fixtures";

const everything = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };

async function hints(server: TestServer, uri: string, text: string): Promise<InlayHint[]> {
  await server.open(uri, text);
  return server.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: everything });
}

const byLine = (list: InlayHint[]) => list.map((h) => [h.position.line, h.position.character, h.label] as const);

describe("inlay hints", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("LeNet-5: `→ 28×28×6 · 156 params` at the end of each layer line, totals on the network line", async () => {
    const text = specExample("s8_lenet5.cnn");
    const list = await hints(server, "file:///t/lenet5.cnn", text);
    const lines = text.split("\n");
    const networkLine = lines.findIndex((l) => l.startsWith("network LeNet5"));
    const expected: [string, string][] = [
      ["network LeNet5", "→ 10 · 61,706 params · 0.42 MMAC"],
      ["  conv 6 5x5", "→ 28×28×6 · 156 params"],
      ["  avgpool 2x2", "→ 14×14×6"],
      ["  conv 16 5x5", "→ 10×10×16 · 2,416 params"],
      ["  conv 120 5x5", "→ 1×1×120 · 48,120 params"],
      ["  fc 84", "→ 84 · 10,164 params"],
      ["  fc 10", "→ 10 · 850 params"],
    ];
    for (const [start, label] of expected) {
      const line = lines.findIndex((l, i) => i >= networkLine && l.startsWith(start));
      assert.ok(line >= 0, `no line starting ${start}`);
      const hint = list.find((h) => h.position.line === line);
      assert.ok(hint, `no hint on line ${line + 1}: ${lines[line]}`);
      assert.equal(hint.label, label);
      // at the end of the line, after any comment
      assert.equal(hint.position.character, lines[line].length);
      assert.equal(hint.paddingLeft, true);
    }
    // every layer of the network has exactly one hint; `input` has none
    const inputLine = lines.findIndex((l) => l.trim().startsWith("input"));
    assert.equal(list.filter((h) => h.position.line === inputLine).length, 0);
    const softmax = lines.findIndex((l) => l.trim().startsWith("softmax"));
    assert.deepEqual(list.filter((h) => h.position.line === softmax).map((h) => h.label), ["→ 10"]);
  });

  it("labelled layers, and the example file: the same numbers", async () => {
    const text = example("lenet5.cnn");
    const list = await hints(server, "file:///t/lenet5-labelled.cnn", text);
    const line = text.split("\n").findIndex((l) => l.startsWith("  c1: conv 6 5x5"));
    assert.deepEqual(byLine(list.filter((h) => h.position.line === line)), [[line, lineOf(text, line).length, "→ 28×28×6 · 156 params"]]);
  });

  it("positions are UTF-16 code units: CJK and emoji in comments, LF and CRLF", async () => {
    const lines = [
      "# 输入：彩色图像 😀 (an RGB image)",
      "input 32x32x3    # 输入：彩色图像 😀",
      "conv 10 5x5 stride 1 pad 2  # 卷积层 🧠 합성곱",
      "relu             # 활성화 ✅",
    ];
    for (const [eol, name] of [["\n", "lf"], ["\r\n", "crlf"]] as const) {
      const text = lines.join(eol) + eol;
      const list = byLine(await hints(server, `file:///t/cjk-${name}.cnn`, text));
      // "conv 10 5x5 stride 1 pad 2  # 卷积层 🧠 합성곱" is 39 code points but 40 UTF-16 units (🧠 is a surrogate pair)
      assert.equal(lineOf(text, 2).length, 40);
      assert.deepEqual(list, [
        [2, 40, "→ 32×32×10 · 760 params"],
        [3, lineOf(text, 3).length, "→ 32×32×10"],
      ]);
    }
  });

  it("a hint follows its statement when more code shares the line; one-line branches and repeats", async () => {
    const text = [
      "network Inception3a {",
      "  input 28x28x192",
      "  concat {",
      "    branch { conv 64 1x1 }",
      "    branch { conv 96 1x1; relu; conv 128 3x3 pad 1 }",
      "  }",
      "  repeat 2 { conv 224 3x3 pad 1 }",
      "}",
    ].join("\n");
    const list = byLine(await hints(server, "file:///t/inc.cnn", text));
    const line4 = lineOf(text, 4);
    assert.deepEqual(list, [
      [0, 21, "→ 28×28×224 · 980,704 params · 768.29 MMAC"],
      [3, lineOf(text, 3).length, "→ 28×28×64 · 12,352 params"],
      [4, line4.indexOf(";"), "→ 28×28×96 · 18,528 params"],
      [4, line4.lastIndexOf(";"), "→ 28×28×96"],
      [4, line4.length, "→ 28×28×128 · 110,720 params"],
      [5, 3, "→ 28×28×192 · 141,600 params"],
      // a one-line repeat of one statement: one hint, the passes counted (the conv runs
      // twice, 192 then 224 channels in: not alike)
      [6, lineOf(text, 6).length, "→ 28×28×224 · 839,104 params (2 passes)"],
    ]);
  });

  it("a statement in a block body shows its first use, marked, with every use in the tooltip", async () => {
    const text = example("resnet18.cnn");
    const list = await hints(server, "file:///t/resnet18.cnn", text);
    const lines = text.split("\n");
    const first = lines.findIndex((l) => l.trim() === "conv k 3x3 pad 1 nobias");
    const hint = list.find((h) => h.position.line === first)!;
    assert.equal(hint.label, "→ 56×56×64 · 36,864 params (1st of 5)");
    const tooltip = (hint.tooltip as { value: string }).value;
    assert.match(tooltip, /runs 5 times/);
    assert.match(tooltip, /5\. 7×7×512 → 7×7×512 · 2,359,296 params — `Basic` on line 42/);
    const repeat = lines.findIndex((l) => l.includes("layer1: repeat 2 { Basic(64) }"));
    assert.deepEqual(
      list.filter((h) => h.position.line === repeat).map((h) => h.label),
      ["→ 56×56×64 · 147,968 params (2 × 73,984)"],
    );
    const network = lines.findIndex((l) => l.startsWith("network ResNet18"));
    assert.equal(list.find((h) => h.position.line === network)!.label, "→ 1000 · 11,689,512 params · 1.81 GMAC");
    assert.equal(
      (list.find((h) => h.position.line === network)!.tooltip as { value: string }).value,
      "Network `ResNet18`: 224×224×3 → 1000 · 11,689,512 params · 1,814,073,344 MACs (1.81 GMAC)",
    );
    const passes = (list.find((h) => h.position.line === repeat)!.tooltip as { value: string }).value;
    assert.match(passes, /`Basic\(64\)`, pass by pass:\n\n1\. 56×56×64 → 56×56×64 · 73,984 params · 231,211,008 MACs \(231\.21 MMAC\)\n2\. 56×56×64 → 56×56×64 · 73,984 params/);
  });

  it("a block used by two networks: the tooltip says which network each use is in", async () => {
    const text = "block Twice(k) {\n  conv k 3x3 pad 1\n}\nnetwork A {\n  input 8x8x1\n  Twice(2)\n}\nnetwork B {\n  input 8x8x3\n  Twice(4)\n}\n";
    const list = await hints(server, "file:///t/two-networks.cnn", text);
    const hint = list.find((h) => h.position.line === 1)!;
    assert.equal(hint.label, "→ 8×8×2 · 20 params (1st of 2)");
    assert.equal(
      (hint.tooltip as { value: string }).value,
      "This statement runs 2 times (uses); the hint shows the first:\n\n1. 8×8×1 → 8×8×2 · 20 params — `Twice` on line 6 (network `A`)\n2. 8×8×3 → 8×8×4 · 112 params — `Twice` on line 10 (network `B`)",
    );
  });

  it("every hint of every example fits VS Code's default maximum length (43), and its tooltip has the whole", async () => {
    const names = ["lenet5.cnn", "alexnet.cnn", "vgg16.cnn", "resnet18.cnn", "resnet50.cnn", "mobilenetv2.cnn", "inception.cnn", "densenet_block.cnn", "unet_small.cnn"];
    let checked = 0;
    for (const name of names) {
      const text = example(name);
      const list = await hints(server, `file:///t/len-${name}`, text);
      for (const h of list) {
        const label = h.label as string;
        assert.ok([...label].length <= 43, `${name} line ${h.position.line + 1}: \`${label}\` is ${[...label].length} characters`);
        const tooltip = (h.tooltip as { value: string } | undefined)?.value ?? "";
        // the tooltip names the input shape and the exact params (the label leaves the input out)
        assert.match(tooltip, / → /, `${name} line ${h.position.line + 1}: no tooltip`);
        const params = /([\d,]+) params?/.exec(label);
        if (params) assert.ok(tooltip.includes(`${params[1]} param`), `${name}: the tooltip of \`${label}\` lacks its params`);
        checked++;
      }
    }
    assert.ok(checked > 150, `only ${checked} hints`);
  });

  it("only the hints inside the requested range", async () => {
    const text = specExample("s8_lenet5.cnn");
    const uri = "file:///t/range.cnn";
    await server.open(uri, text);
    const list = await server.request<InlayHint[]>("textDocument/inlayHint", {
      textDocument: { uri },
      range: { start: { line: 2, character: 0 }, end: { line: 3, character: 100 } },
    });
    assert.deepEqual(list.map((h) => h.label), ["→ 28×28×6 · 156 params", "→ 14×14×6"]);
  });
});

describe("inlay hint settings: shape format, params, MACs", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start({ settings: { shapeFormat: "CxHxW", inlayHints: { params: false, macs: true } } })));
  after(() => server.stop());

  it("C×H×W as PyTorch prints it, MACs instead of params; back to the defaults when the settings change", async () => {
    const text = specExample("s8_lenet5.cnn");
    const uri = "file:///t/settings.cnn";
    const list = await hints(server, uri, text);
    // conv 6 5x5 on 32×32×1: 150 weights × 28·28 positions = 117,600 MACs
    assert.equal(list.find((h) => h.position.line === 2)!.label, "→ 6×28×28 · 0.12 MMAC");
    assert.equal(list.find((h) => h.position.line === 3)!.label, "→ 6×14×14");
    assert.equal(list.find((h) => h.position.line === 0)!.label, "→ 10 · 0.42 MMAC");

    const republished = server.diagnosticsFor(uri);
    await server.connection.sendNotification("workspace/didChangeConfiguration", { settings: { cnn: {} } });
    await republished;
    const after = await server.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: everything });
    assert.equal(after.find((h) => h.position.line === 2)!.label, "→ 28×28×6 · 156 params");
  });
});

describe("inlay hint tooltips resolved on hover, for a client that resolves them (VS Code's capabilities)", () => {
  // VS Code 1.100 announces these; the hints then come without tooltips (a 5,000-layer
  // document's were ~900 kB with them) and `inlayHint/resolve` adds each as it is shown
  const vscodeInlayHint = { dynamicRegistration: true, resolveSupport: { properties: ["tooltip", "textEdits", "label.tooltip", "label.location", "label.command"] } };
  let eager: TestServer;
  let lazy: TestServer;
  before(async () => {
    eager = await TestServer.start();
    lazy = await TestServer.start({ capabilities: { ...capabilities, textDocument: { ...capabilities.textDocument, inlayHint: vscodeInlayHint } } });
  });
  after(async () => {
    await eager.stop();
    await lazy.stop();
  });

  it("the server says it resolves; every hint of the examples comes without its tooltip and resolves to the one a client without resolve gets", async () => {
    assert.deepEqual(lazy.initialize.capabilities.inlayHintProvider, { resolveProvider: true });
    assert.deepEqual(eager.initialize.capabilities.inlayHintProvider, { resolveProvider: false });
    let resolved = 0;
    for (const name of ["lenet5.cnn", "resnet18.cnn", "inception.cnn", "densenet_block.cnn", "mobilenetv2.cnn"]) {
      const text = example(name);
      const uri = `file:///t/resolve-${name}`;
      const withTooltips = await hints(eager, uri, text);
      const without = await hints(lazy, uri, text);
      assert.deepEqual(without.map((h) => [h.position, h.label]), withTooltips.map((h) => [h.position, h.label]), name);
      for (const [i, h] of without.entries()) {
        assert.equal(h.tooltip, undefined, `${name}: hint ${i} came with its tooltip`);
        const { data, ...full } = await lazy.request<InlayHint>("inlayHint/resolve", h);
        assert.deepEqual(data, h.data);
        assert.deepEqual(full, withTooltips[i], `${name} line ${h.position.line + 1}`);
        resolved++;
      }
    }
    assert.ok(resolved > 100, `${resolved} hints`);
  });

  it("a hint of an older version resolves to itself (the client asks for new hints after an edit)", async () => {
    const text = specExample("s8_lenet5.cnn");
    const uri = "file:///t/resolve-stale.cnn";
    const list = await hints(lazy, uri, text);
    const hint = list.find((h) => h.position.line === 2)!;
    await lazy.change(uri, 2, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: "  relu\n" }]);
    assert.deepEqual(await lazy.request<InlayHint>("inlayHint/resolve", hint), hint);
    // and data that is not a hint's resolves to itself too
    const odd = { position: { line: 0, character: 0 }, label: "x", data: [(hint.data as number[])[0], 2, -5] };
    assert.deepEqual(await lazy.request<InlayHint>("inlayHint/resolve", odd), odd);
  });
});
