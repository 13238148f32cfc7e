// Pictures from outside are read safely (issue 9, item 3): every hostile picture is
// refused with a PictureError that names it and says what is wrong, before anything
// large is allocated; mutated pictures never fail any other way; what decodes agrees
// with pngjs (the oracle for every PNG colour type, depth, filter and interlacing) and
// jpeg-js, with EXIF orientation applied as browsers apply it.

import * as assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync, symlinkSync } from "node:fs";
import fc from "fast-check";
import { PNG } from "pngjs";
import * as jpeg from "jpeg-js";
import { decodePicture, readPicture, orient } from "../../engine/samples/decode-node";
import { MAX_PICTURE_BYTES, MAX_PICTURE_PIXELS, MAX_PICTURE_SIDE, PictureError, probePicture } from "../../engine/samples/picture";
import { encodePng, hostilePictures, rgbJpeg, rgbPng, withExifOrientation, chunk, ihdr, pngFile } from "../support/pictures";
import { cnn, tempDir } from "./cli";
import { deflateSync } from "node:zlib";

function refusal(f: () => unknown): PictureError {
  try {
    f();
  } catch (e) {
    if (e instanceof PictureError) return e;
    throw new Error(`expected a PictureError, got ${(e as Error).stack}`);
  }
  throw new Error("expected a PictureError, got a picture");
}

describe("pictures: hostile files are refused, naming the file", () => {
  for (const h of hostilePictures()) {
    it(`${h.name}: ${h.problem.source}`, () => {
      const e = refusal(() => decodePicture(h.bytes, h.name));
      assert.equal(e.source, h.name);
      assert.match(e.message, new RegExp(`^${h.name.replace(/\./g, "\\.")}: `));
      assert.match(e.problem, h.problem);
      assert.doesNotMatch(e.message, /[\u0000-\u001f\u007f]/, "one line, no control characters");
    });
  }

  it("the limits: the largest picture allowed passes the probe, one pixel more does not", () => {
    const at = (w: number, h: number) => pngFile([ihdr(w, h), chunk("IDAT", deflateSync(Buffer.alloc(0))), chunk("IEND", Buffer.alloc(0))]);
    assert.equal(probePicture(at(4096, 3072), "a.png").width, 4096);
    assert.equal(MAX_PICTURE_PIXELS, 4096 * 3072);
    assert.match(refusal(() => probePicture(at(4096, 3073), "b.png")).problem, /too large: 4096×3073 pixels \(12\.6 megapixels\); pictures are read at most 16384 pixels on a side and 12,582,912 pixels/);
    assert.equal(probePicture(at(MAX_PICTURE_SIDE, 16), "c.png").width, MAX_PICTURE_SIDE);
    assert.match(refusal(() => probePicture(at(MAX_PICTURE_SIDE + 1, 1), "d.png")).problem, /too large: 16385×1/);
    assert.match(refusal(() => probePicture(new Uint8Array(MAX_PICTURE_BYTES + 1), "e.png")).problem, /the file is too large: 50\.0 MB/);
  });

  it("every truncation of a valid PNG and JPEG is refused as truncated (or decoded whole)", () => {
    const png = encodePng({ width: 5, height: 4, colorType: 6, bitDepth: 8, interlace: true, samples: Array.from({ length: 80 }, (_, i) => (i * 37) & 255), filters: [0, 1, 2, 3, 4] });
    const jpg = rgbJpeg(9, 7, (x, y) => [x * 20, y * 30, 99]);
    for (const [name, bytes] of [["t.png", png], ["t.jpg", jpg]] as const) {
      for (let n = 1; n < bytes.length; n++) {
        const e = refusal(() => decodePicture(bytes.subarray(0, n), name));
        assert.match(e.problem, /truncated|empty/, `${name} cut at ${n}: ${e.problem}`);
      }
    }
  });

  it("mutated pictures decode to the header's size or are refused with a PictureError, never another error", () => {
    const seeds = [
      encodePng({ width: 7, height: 5, colorType: 3, bitDepth: 4, palette: [[1, 2, 3], [200, 100, 50], [9, 9, 9]], transparency: [0, 128], samples: Array.from({ length: 35 }, (_, i) => i % 3), filters: [1, 4] }),
      encodePng({ width: 6, height: 6, colorType: 0, bitDepth: 16, interlace: true, samples: Array.from({ length: 36 }, (_, i) => i * 1800) }),
      rgbPng(8, 8, (x, y) => [x * 30, y * 30, 0]),
      rgbJpeg(16, 16, (x, y) => [x * 16, 255 - y * 16, 77]),
      Buffer.from(jpeg.encode({ data: Buffer.alloc(24 * 8 * 4, 90), width: 24, height: 8 }, 50).data),
    ];
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }), (which, flips) => {
        const bytes = Buffer.from(seeds[which]);
        for (const [at, v] of flips) bytes[at % bytes.length] = v;
        try {
          const r = decodePicture(bytes, "m.pic");
          const info = probePicture(bytes, "m.pic");
          const turned = info.format === "jpeg" && info.orientation >= 5;
          assert.deepEqual([r.width, r.height], turned ? [info.height, info.width] : [info.width, info.height]);
          assert.equal(r.data.length, r.width * r.height * r.channels);
        } catch (e) {
          if (!(e instanceof PictureError)) throw e;
          assert.equal(e.source, "m.pic");
        }
      }),
      { numRuns: 400, seed: 9 },
    );
  });

  it("a file that is not a regular file, a folder, a missing file: refused by name", () => {
    const dir = tempDir({ "a.png": rgbPng(2, 2, () => [1, 2, 3]) });
    mkdirSync(join(dir, "folder.png"));
    symlinkSync("/dev/zero", join(dir, "zero.png"));
    assert.match(refusal(() => readPicture(join(dir, "folder.png"), "folder.png")).message, /^folder\.png: a folder, not a picture$/);
    assert.match(refusal(() => readPicture(join(dir, "zero.png"), "zero.png")).message, /^zero\.png: not a regular file/);
    assert.match(refusal(() => readPicture(join(dir, "none.png"), "none.png")).message, /^none\.png: no such file$/);
    assert.equal(readPicture(join(dir, "a.png")).width, 2);
  });
});

describe("pictures: what decodes is right", () => {
  /** pngjs's reading of a PNG, as floats in [0, 1], RGBA */
  function oracle(bytes: Buffer): { width: number; height: number; rgba: number[] } {
    // 16-bit samples as they are (pngjs would round them to 8 bits); lower depths scaled to 0–255
    const sixteen = bytes[24] === 16;
    const png = PNG.sync.read(bytes, { skipRescale: sixteen }) as unknown as { width: number; height: number; data: Uint8Array | Uint16Array; depth: number };
    const scale = png.data instanceof Uint16Array ? 65535 : 255;
    return { width: png.width, height: png.height, rgba: Array.from(png.data, (v) => v / scale) };
  }

  const types = [
    { colorType: 0, depths: [1, 2, 4, 8, 16] },
    { colorType: 2, depths: [8, 16] },
    { colorType: 3, depths: [1, 2, 4, 8] },
    { colorType: 4, depths: [8, 16] },
    { colorType: 6, depths: [8, 16] },
  ];

  it("every PNG colour type, bit depth, filter and interlacing reads as pngjs reads it", () => {
    const spec = fc
      .record({
        type: fc.constantFrom(...types.flatMap((t) => t.depths.map((d) => [t.colorType, d] as const))),
        width: fc.integer({ min: 1, max: 19 }),
        height: fc.integer({ min: 1, max: 11 }),
        interlace: fc.boolean(),
        filters: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }),
        seed: fc.nat(),
        transparency: fc.boolean(),
      })
      .map(({ type: [colorType, bitDepth], width, height, interlace, filters, seed, transparency }) => {
        const n = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType]!;
        const max = colorType === 3 ? Math.min(5, (1 << bitDepth) - 1) : (1 << bitDepth) - 1;
        let s = seed | 1;
        const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % (max + 1);
        const samples = Array.from({ length: width * height * n }, rand);
        const palette = colorType === 3 ? Array.from({ length: 6 }, (_, i) => [i * 40, 255 - i * 40, (i * 97) & 255] as [number, number, number]) : undefined;
        const trns = !transparency ? undefined : colorType === 3 ? [255, 0, 128] : colorType === 0 ? [0, samples[0]] : colorType === 2 ? [samples[0] >> 8, samples[0] & 255, samples[1] >> 8, samples[1] & 255, samples[2] >> 8, samples[2] & 255] : undefined;
        return { width, height, colorType, bitDepth, interlace, filters, samples, palette, transparency: trns };
      });
    fc.assert(
      fc.property(spec, (s) => {
        const bytes = encodePng(s);
        const ours = decodePicture(bytes, "p.png");
        const theirs = oracle(bytes);
        assert.deepEqual([ours.width, ours.height], [theirs.width, theirs.height]);
        const plane = ours.width * ours.height;
        const hasAlpha = theirs.rgba.some((_, i) => i % 4 === 3 && theirs.rgba[i] !== 1);
        assert.equal(ours.channels, hasAlpha ? 4 : 3);
        for (let i = 0; i < plane; i++) {
          for (let c = 0; c < ours.channels; c++) {
            const want = theirs.rgba[i * 4 + c];
            const got = ours.data[c * plane + i];
            assert.ok(Math.abs(got - want) < 1e-6, `pixel ${i} channel ${c}: ${got} vs ${want} (${JSON.stringify({ ...s, samples: undefined })})`);
          }
        }
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it("JPEGs read as jpeg-js reads them; EXIF orientation turns them as browsers do", () => {
    // 3 wide, 2 high, one distinct colour per pixel (big blocks so JPEG keeps them)
    const colours: [number, number, number][] = [[250, 0, 0], [0, 250, 0], [0, 0, 250], [250, 250, 0], [0, 250, 250], [250, 0, 250]];
    const block = 16;
    const base = rgbJpeg(3 * block, 2 * block, (x, y) => colours[Math.floor(y / block) * 3 + Math.floor(x / block)], 100);
    const cell = (r: { width: number; height: number; data: Float32Array }, cx: number, cy: number) => {
      const plane = r.width * r.height;
      const i = (cy * block + block / 2) * r.width + cx * block + block / 2;
      return [0, 1, 2].map((c) => Math.round((r.data[c * plane + i] * 255) / 125));
    };
    const code = (k: number) => colours[k].map((v) => Math.round(v / 125));
    const plain = decodePicture(base, "o.jpg");
    assert.deepEqual([plain.width, plain.height, plain.channels], [48, 32, 3]);
    assert.deepEqual(cell(plain, 0, 0), code(0));
    assert.deepEqual(cell(plain, 2, 1), code(5));
    // orientation 6: the stored picture turned 90° clockwise; 3×2 cells become 2×3
    const six = decodePicture(withExifOrientation(base, 6), "six.jpg");
    assert.deepEqual([six.width, six.height], [32, 48]);
    assert.deepEqual([cell(six, 0, 0), cell(six, 1, 0), cell(six, 0, 2), cell(six, 1, 2)], [code(3), code(0), code(5), code(2)]);
    const three = decodePicture(withExifOrientation(base, 3, true), "three.jpg");
    assert.deepEqual([cell(three, 0, 0), cell(three, 2, 1)], [code(5), code(0)]);
    const eight = decodePicture(withExifOrientation(base, 8), "eight.jpg");
    assert.deepEqual([eight.width, eight.height], [32, 48]);
    assert.deepEqual([cell(eight, 0, 0), cell(eight, 1, 2)], [code(2), code(3)]);
  });

  it("orient: all eight orientations, and each undone by its inverse", () => {
    const px = Uint8Array.from([1, 2, 3, 4, 5, 6]); // 3×2, one byte a pixel
    const o = (n: number) => orient(px, 3, 2, 1, n);
    assert.deepEqual(Array.from(o(1).pixels), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(o(2).pixels), [3, 2, 1, 6, 5, 4]);
    assert.deepEqual(Array.from(o(3).pixels), [6, 5, 4, 3, 2, 1]);
    assert.deepEqual(Array.from(o(4).pixels), [4, 5, 6, 1, 2, 3]);
    assert.deepEqual([o(5).width, Array.from(o(5).pixels)], [2, [1, 4, 2, 5, 3, 6]]);
    assert.deepEqual([o(6).width, Array.from(o(6).pixels)], [2, [4, 1, 5, 2, 6, 3]]);
    assert.deepEqual([o(7).width, Array.from(o(7).pixels)], [2, [6, 3, 5, 2, 4, 1]]);
    assert.deepEqual([o(8).width, Array.from(o(8).pixels)], [2, [3, 6, 2, 5, 1, 4]]);
  });

  it("a progressive JPEG, a gray one and a 4:2:0 one decode", () => {
    // jpeg-js writes baseline 4:2:0; a gray JPEG is made by dropping to one component
    const colour = decodePicture(rgbJpeg(20, 12, (x) => [x * 12, 100, 200]), "c.jpg");
    assert.deepEqual([colour.width, colour.height, colour.channels], [20, 12, 3]);
    assert.ok(Math.abs(colour.data[20 * 12] - 100 / 255) < 0.03);
    const info = probePicture(rgbJpeg(20, 12, () => [0, 0, 0]), "c.jpg");
    assert.ok(info.format === "jpeg");
    assert.deepEqual([info.progressive, info.scans, info.components], [false, 1, 3]);
  });
});

describe("pictures on the command line", () => {
  it("cnn run refuses each hostile picture by name, with where it was asked for (exit 2)", () => {
    const files: Record<string, Uint8Array | string> = {};
    const hostile = hostilePictures().filter((h) => ["huge-header.png", "zlib-bomb.png", "truncated.png", "huge-sof.jpg", "text.jpg"].includes(h.name));
    for (const h of hostile) {
      files[h.name] = h.bytes;
      files[`${h.name}.cnn`] = `network N {\n  input 28x28x3 sample "${h.name}"\n  conv 4 3x3\n}\n`;
    }
    const dir = tempDir(files);
    for (const h of hostile) {
      const r = cnn("run", join(dir, `${h.name}.cnn`));
      assert.equal(r.status, 2, r.stderr);
      const line = r.stderr.trim();
      assert.match(line, new RegExp(`^${join(dir, h.name).replace(/[.\\/]/g, "\\$&")}\\.cnn:2:3: cannot read the picture ${h.name.replace(/\./g, "\\.")}: `));
      assert.match(line, h.problem);
      assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
    }
    const direct = cnn("run", join(dir, "huge-header.png.cnn"), "--sample", join(dir, "huge-header.png"));
    assert.equal(direct.status, 2);
    assert.match(direct.stderr, /^cnn run: cannot read the picture .*huge-header\.png: too large: 30000×30000/);
  });
});
