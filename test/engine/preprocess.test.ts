// From a picture to a tensor as torchvision makes one (docs/ENGINE.md): PIL's convert and
// resize((W, H), BILINEAR) on 8-bit values, ToTensor's ÷ 255, invert, Normalize. The
// reference values were computed by Pillow (test/engine/fixtures/make-pil-resize.py).

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { analyze } from "../../analysis";
import { networkInput, pictureTensor } from "../../engine/input";
import { convertChannels, resize, type Raster } from "../../engine/samples/raster";
import { network } from "./nets";
import { cnn, tempDir } from "./cli";

interface Case {
  width: number;
  height: number;
  channels: number;
  toWidth: number;
  toHeight: number;
  hwc: number[];
  resized: number[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, "../../../test/engine/fixtures/pil-resize.json"), "utf8")) as { resize: Case[]; luma: { width: number; height: number; hwc: number[]; gray: number[] } };

/** H×W×C bytes (as numpy holds a PIL image) → an 8-bit raster */
function raster(width: number, height: number, channels: number, hwc: number[]): Raster {
  const plane = width * height;
  const data = new Float32Array(plane * channels);
  for (let i = 0; i < plane; i++) for (let c = 0; c < channels; c++) data[c * plane + i] = hwc[i * channels + c] / 255;
  return { width, height, channels, data, eightBit: true };
}

function hwcBytes(r: Raster): number[] {
  const plane = r.width * r.height;
  const out: number[] = [];
  for (let i = 0; i < plane; i++) for (let c = 0; c < r.channels; c++) out.push(Math.round(r.data[c * plane + i] * 255));
  return out;
}

describe("from a picture to a tensor", () => {
  for (const k of fixture.resize) {
    it(`resizes ${k.width}×${k.height} ${k.channels === 1 ? "gray" : "RGB"} to ${k.toWidth}×${k.toHeight} exactly as PIL's resize(BILINEAR)`, () => {
      const out = resize(raster(k.width, k.height, k.channels, k.hwc), k.toWidth, k.toHeight);
      assert.deepEqual(hwcBytes(out), k.resized);
    });
  }

  it("turns RGB into gray exactly as PIL's convert(\"L\"); alpha is dropped for RGB, kept for RGBA", () => {
    const { width, height, hwc, gray } = fixture.luma;
    assert.deepEqual(hwcBytes(convertChannels(raster(width, height, 3, hwc), 1)), gray);
    const rgba = raster(1, 1, 4, [10, 20, 30, 40]);
    assert.deepEqual(hwcBytes(convertChannels(rgba, 3)), [10, 20, 30]);
    assert.deepEqual(hwcBytes(convertChannels(raster(1, 1, 3, [10, 20, 30]), 4)), [10, 20, 30, 255]);
  });

  it("mean/std normalize per channel in float32, as ToTensor then Normalize; invert is 1 − x before it", () => {
    const net = network("input 2x1x3 mean [0.485, 0.456, 0.406] std [0.229, 0.224, 0.225]\ngap");
    const picture = raster(2, 1, 3, [0, 128, 255, 10, 20, 30]);
    const { data, steps } = pictureTensor(picture, net.graph[0]);
    const expect = (v: number, m: number, s: number) => Math.fround(Math.fround(Math.fround(v / 255) - Math.fround(m)) / Math.fround(s));
    assert.deepEqual(Array.from(data), [expect(0, 0.485, 0.229), expect(10, 0.485, 0.229), expect(128, 0.456, 0.224), expect(20, 0.456, 0.224), expect(255, 0.406, 0.225), expect(30, 0.406, 0.225)].map(Math.fround));
    assert.deepEqual(steps, ["2×1 RGB", "÷ 255 → [0, 1]", "(x − mean)/std, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]"]);
    const inverted = pictureTensor(raster(1, 1, 1, [51]), network("input 1x1 invert mean 0.5 std 0.5\ngap").graph[0]);
    assert.deepEqual(Array.from(inverted.data), [Math.fround(Math.fround(Math.fround(1 - Math.fround(51 / 255)) - 0.5) / 0.5)]);
    assert.deepEqual(inverted.steps.slice(-2), ["inverted: 1 − x", "(x − mean)/std, mean 0.5, std 0.5"]);
  });

  it("a picture of another size is converted first, then resized; the steps say so", () => {
    const net = network("input 4x4\ngap");
    const big = raster(8, 8, 3, Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 37) % 256));
    const { data, steps } = pictureTensor(big, net.graph[0]);
    assert.deepEqual(Array.from(data), Array.from(resize(convertChannels(big, 1), 4, 4).data));
    assert.deepEqual(steps, ["8×8 RGB", "to gray (PIL's luminance: 0.299 R + 0.587 G + 0.114 B)", "resized to 4×4 (PIL's bilinear, antialiased)", "÷ 255 → [0, 1]"]);
  });

  it("built-in samples are pictures too (inverted, normalized); literal data is used as written", () => {
    const plain = networkInput(network("input 28x28\ngap").graph[0], { sample: "digit3" }, 0).data;
    const inv = networkInput(network("input 28x28 invert\ngap").graph[0], { sample: "digit3" }, 0).data;
    assert.ok(plain.every((v, i) => Math.abs(inv[i] - (1 - v)) < 1e-7));
    const literal = networkInput(network("input 2x1 data [[3, 4]] mean 1 std 2\ngap").graph[0], {}, 0);
    assert.deepEqual(Array.from(literal.data), [3, 4]);
    assert.match(literal.steps[0], /used as written/);
    // the run's choice wins over the file's
    const chosen = networkInput(network("input 28x28 invert\ngap").graph[0], { sample: "digit3", invert: false }, 0).data;
    assert.deepEqual(Array.from(chosen), Array.from(plain));
  });

  it("mean and std are checked: one per channel or one for all, std positive", () => {
    const codes = (text: string) => analyze(text, "t.cnn").diagnostics.map((d) => d.message);
    assert.deepEqual(codes("input 4x4x3 mean [0.5, 0.5] std 0.5\ngap"), ["`mean` has 2 values and the input 3 channels: one value per channel, or one for all"]);
    assert.match(codes("input 4x4x3 std [1, 0, 1]\ngap")[0], /each must be positive, not 0/);
    assert.match(codes("input 4x4\nconv 2 3x3 invert")[0], /`conv` has no option `invert`/);
  });

  it("cnn run prints how the picture became the tensor, and takes --invert", () => {
    const png = new PNG({ width: 6, height: 6 });
    for (let i = 0; i < 36; i++) png.data.set([200, 200, 200, 255], i * 4);
    const dir = tempDir({ "net.cnn": "input 3x3 mean 0.5 std 0.25\nflatten", "p.png": PNG.sync.write(png) });
    const r = cnn("run", join(dir, "net.cnn"), "--sample", join(dir, "p.png"), "--invert", "--json");
    assert.equal(r.status, 0, r.stderr);
    const v = Math.fround(Math.fround(Math.fround(1 - Math.fround(200 / 255)) - 0.5) / 0.25);
    const data = JSON.parse(r.stdout).output.data as number[];
    assert.equal(data.length, 9);
    for (const x of data) assert.equal(Math.fround(x), v);
    const text = cnn("run", join(dir, "net.cnn"), "--sample", join(dir, "p.png"));
    assert.match(text.stdout, /input: 6×6 RGB → to gray \(PIL's luminance: 0\.299 R \+ 0\.587 G \+ 0\.114 B\) → resized to 3×3 \(PIL's bilinear, antialiased\) → ÷ 255 → \[0, 1\] → \(x − mean\)\/std, mean 0\.5, std 0\.25/);
  });
});
