// The run view's pure parts, without a browser: how values are written (four
// significant digits), the enlarged map's caption and hover (the slice shown, not 0),
// the rows' paths (ResNet-50: `layer2 › Bottleneck 1 of 3 › bn`) and the vector bars'
// layout (indices written, bins past 256 values). test/engine/webview.test.ts checks
// the same page in Chromium.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze } from "../../analysis";
import { makePreview } from "../../engine/preview";
import { describeHit } from "../../webview/heatmap";
import { zoomCaption } from "../../webview/layers";
import { significant } from "../../webview/numbers";
import { LayerPaths } from "../../webview/paths";
import { barRange, describeBar, layoutVector, MAX_BARS } from "../../webview/vector";

const root = join(__dirname, "..", "..", "..");
const example = (name: string) => readFileSync(join(root, "examples", name), "utf8");

describe("run view: numbers, to four significant digits", () => {
  it("the legends of the issue and their kin", () => {
    assert.equal(significant(-2.9967885), "−2.997");
    assert.equal(significant(0.073058665), "0.07306");
    assert.equal(significant(14), "14");
    assert.equal(significant(-1), "−1");
    assert.equal(significant(0), "0");
    assert.equal(significant(123456), "123456");
    assert.equal(significant(1234567.8), "1.235e6");
    assert.equal(significant(0.0000123456), "1.235e-5");
    assert.equal(significant(0.5), "0.5");
    assert.equal(significant(99.99949), "100");
    assert.equal(significant(Number.NaN), "NaN");
    assert.equal(significant(-Infinity), "−∞");
    assert.equal(significant(0.18656, 3), "0.187");
  });
  it("never more than four significant digits, and the value read back within half a unit of the fourth", () => {
    for (let i = 0; i < 2000; i++) {
      const v = (Math.random() - 0.5) * 10 ** (Math.floor(Math.random() * 14) - 7);
      const text = significant(v);
      const mantissa = text.replace("−", "").split("e")[0].replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
      assert.ok(mantissa.length <= 4 || Number.isInteger(v), `${v} → ${text}`);
      const back = Number(text.replace("−", "-"));
      assert.ok(Math.abs(back - v) <= Math.abs(v) * 5e-4 + 1e-300, `${v} → ${text}`);
    }
  });
});

describe("run view: the enlarged depth slice", () => {
  // 3 slices of 2×2: slice c holds 4c+1 … 4c+4
  const values = Float32Array.from({ length: 12 }, (_, i) => i + 1);
  const preview = makePreview(values, { kind: "volume", w: 2, h: 2, d: 3 });
  it("the caption numbers the slice from 0, as the hover does", () => {
    assert.equal(zoomCaption("relu", preview, 1), "relu · depth slice 1 (of 0–2) · 2×2");
  });
  it("the hover names the slice enlarged and its value, not slice 0", () => {
    // the enlarged map is a one-slice grid: its hit says channel 0; the view passes the slice
    const hit = { channel: 0, x: 1, y: 0, value: 6 };
    assert.equal(describeHit(preview, { ...hit, channel: 1 }, significant), "depth 1 · x 1, y 0 · 6");
  });
});

describe("run view: each row's path in the network", () => {
  const net = analyze(example("resnet50.cnn"), "resnet50.cnn").networks[0];
  const paths = new LayerPaths(net.graph);
  const texts = net.graph.map((n) => paths.text(n));

  it("ResNet-50: stage by label, the block use numbered within it, the shortcut named", () => {
    assert.equal(texts[1], "conv1 (conv)");
    assert.equal(texts[2], "bn");
    // layer2's first Bottleneck (after its projecting block) and its bn
    const first = texts.findIndex((t) => t.startsWith("layer2 › Bottleneck 1 of 3 › "));
    assert.ok(first > 0);
    assert.equal(texts[first + 1], "layer2 › Bottleneck 1 of 3 › bn");
    assert.ok(texts.includes("layer2 › Project › shortcut › bn"));
    assert.ok(texts.includes("layer3 › Bottleneck 5 of 5 › relu"));
    assert.ok(!texts.some((t) => t.includes("Bottleneck 4 of 3") || t.includes("pass")));
    // every layer of a block use carries the same prefix, and the prefixes tell the 16 uses apart
    const uses = new Set(net.graph.map((n) => paths.of(n).blocks.map((b) => b.id).join(",")).filter((k) => k.includes(",")));
    assert.equal(uses.size, 16);
  });

  it("the full use in the title: which of the network's uses it is", () => {
    const node = net.graph.find((n) => paths.text(n) === "layer2 › Bottleneck 1 of 3 › bn")!;
    const bottleneck = paths.of(node).segments[1];
    assert.equal(bottleneck.title, "Bottleneck, use 3 of 12 in the network");
    assert.equal(paths.of(node).segments[0].title, "layer2: Stage, use 2 of 4 in the network");
  });

  it("a repeat's pass is named when no block use inside it names it; branches too", () => {
    const vgg = analyze(example("vgg16.cnn"), "vgg16.cnn").networks[0];
    const p = new LayerPaths(vgg.graph);
    assert.equal(p.text(vgg.graph[3]), "Convs 1 of 5 › pass 2 of 2 › conv");
    const inception = analyze("network I {\n  input 28x28x8\n  concat {\n    branch { conv 4 1x1 }\n    branch { conv 4 3x3 pad 1; relu }\n  }\n}\n", "i.cnn").networks[0];
    const q = new LayerPaths(inception.graph);
    assert.deepEqual(inception.graph.map((n) => q.text(n)), ["input", "branch 1 of 2 › conv", "branch 2 of 2 › conv", "branch 2 of 2 › relu", "concat"]);
  });
});

describe("run view: vector bars", () => {
  it("ten values: ten bars, every index written, the values over the bars", () => {
    const layout = layoutVector(10, 600, -1, 1);
    assert.equal(layout.bars, 10);
    assert.equal(layout.per, 1);
    assert.deepEqual(layout.ticks, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(layout.valueLabels, true);
    assert.ok(layout.width <= 600);
  });
  it("a thousand values: bins of consecutive indices, round ticks and the last, the bin's extremes on hover", () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i === 7 ? -3 : i === 8 ? 2 : 0));
    const layout = layoutVector(1000, 800, -3, 2);
    assert.ok(layout.bars <= MAX_BARS);
    assert.equal(layout.per, 4);
    assert.equal(layout.ticks[0], 0);
    assert.equal(layout.ticks.at(-1), 999);
    const steps = layout.ticks.slice(1, -1).map((t, i) => t - layout.ticks[i]);
    assert.ok(steps.every((s) => s === steps[0] && /^[125]0*$/.test(String(s))), layout.ticks.join(" "));
    // indices 4–7 and 8–11: a bin is drawn to its value farthest from 0
    assert.deepEqual(barRange(values, layout, 1), { first: 4, last: 7, min: -3, max: 0, shown: -3 });
    assert.equal(describeBar(values, layout, 2, significant), "indices 8–11 · 0 to 2");
    assert.equal(describeBar(values, layoutVector(10, 600, -3, 2), 7, significant), "index 7 · −3");
  });
});
