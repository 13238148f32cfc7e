// Pictures made by the tests and the bench: a small PNG writer for every colour type,
// bit depth, filter and interlacing (pngjs writes only some), JPEG segment surgery, and
// the hostile pictures issue 9 lists — built here, never downloaded.

import { deflateSync } from "node:zlib";
import * as jpeg from "jpeg-js";

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function chunk(type: string, data: Uint8Array, badCrc = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((crc32(Buffer.concat([head.subarray(4), data])) ^ (badCrc ? 1 : 0)) >>> 0);
  return Buffer.concat([head, data, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function ihdr(width: number, height: number, bitDepth = 8, colorType = 2, interlace = 0): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = bitDepth;
  d[9] = colorType;
  d[12] = interlace;
  return chunk("IHDR", d);
}

export function pngFile(chunks: Buffer[]): Buffer {
  return Buffer.concat([PNG_SIGNATURE, ...chunks]);
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

export interface PngSpec {
  width: number;
  height: number;
  colorType: number;
  bitDepth: number;
  interlace?: boolean;
  /** samples per pixel, row-major: samples(colorType) values each, 0 … 2^depth − 1 */
  samples: number[];
  /** the filter of each scanline, cycled (0–4) */
  filters?: number[];
  /** RGB palette entries for colour type 3 */
  palette?: [number, number, number][];
  /** tRNS chunk data */
  transparency?: number[];
}

/** A PNG file of any colour type, depth, filters and interlacing. */
export function encodePng(spec: PngSpec): Buffer {
  const { width, height, colorType, bitDepth } = spec;
  const n = SAMPLES[colorType];
  const bpp = n * bitDepth;
  const stride = Math.max(1, bpp >> 3);
  const filters = spec.filters ?? [0];
  let row = 0;
  const out: number[] = [];
  const passes = spec.interlace ? ADAM7 : [[0, 0, 1, 1]];
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rowBytes = Math.ceil((pw * bpp) / 8);
    let prev = new Uint8Array(rowBytes);
    for (let r = 0; r < ph; r++) {
      const raw = new Uint8Array(rowBytes);
      for (let i = 0; i < pw; i++) {
        const p = (y0 + r * dy) * width + x0 + i * dx;
        for (let s = 0; s < n; s++) {
          const v = spec.samples[p * n + s];
          const k = i * n + s;
          if (bitDepth === 16) {
            raw[2 * k] = v >> 8;
            raw[2 * k + 1] = v & 255;
          } else if (bitDepth === 8) raw[k] = v;
          else {
            const bit = k * bitDepth;
            raw[bit >> 3] |= v << (8 - bitDepth - (bit & 7));
          }
        }
      }
      const f = filters[row++ % filters.length];
      out.push(f);
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= stride ? raw[i - stride] : 0;
        const b = prev[i];
        const c = i >= stride ? prev[i - stride] : 0;
        let pred = 0;
        if (f === 1) pred = a;
        else if (f === 2) pred = b;
        else if (f === 3) pred = (a + b) >> 1;
        else if (f === 4) {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        out.push((raw[i] - pred) & 255);
      }
      prev = raw;
    }
  }
  const chunks = [ihdr(width, height, bitDepth, colorType, spec.interlace ? 1 : 0)];
  if (spec.palette) chunks.push(chunk("PLTE", Buffer.from(spec.palette.flat())));
  if (spec.transparency) chunks.push(chunk("tRNS", Buffer.from(spec.transparency)));
  chunks.push(chunk("IDAT", deflateSync(Buffer.from(out))), chunk("IEND", Buffer.alloc(0)));
  return pngFile(chunks);
}

/** a plain 8-bit RGB PNG, pixel(x, y) → [r, g, b] */
export function rgbPng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const samples: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) samples.push(...pixel(x, y));
  return encodePng({ width, height, colorType: 2, bitDepth: 8, samples });
}

export function rgbJpeg(width: number, height: number, pixel: (x: number, y: number) => [number, number, number], quality = 95): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([...pixel(x, y), 255], (y * width + x) * 4);
  return Buffer.from(jpeg.encode({ data, width, height }, quality).data);
}

/** a JPEG's segments after SOI, up to (not including) the first SOS */
export function jpegSegments(bytes: Buffer): { marker: number; start: number; end: number }[] {
  const out: { marker: number; start: number; end: number }[] = [];
  let at = 2;
  while (at < bytes.length && bytes[at + 1] !== 0xda) {
    const length = bytes.readUInt16BE(at + 2);
    out.push({ marker: bytes[at + 1], start: at, end: at + 2 + length });
    at += 2 + length;
  }
  return out;
}

/** the JPEG with its frame header's marker, size or precision changed */
export function patchSof(bytes: Buffer, patch: { marker?: number; width?: number; height?: number; precision?: number }): Buffer {
  const out = Buffer.from(bytes);
  const sof = jpegSegments(out).find((s) => s.marker >= 0xc0 && s.marker <= 0xcf && s.marker !== 0xc4);
  if (!sof) throw new Error("no SOF");
  if (patch.marker !== undefined) out[sof.start + 1] = patch.marker;
  if (patch.precision !== undefined) out[sof.start + 4] = patch.precision;
  if (patch.height !== undefined) out.writeUInt16BE(patch.height, sof.start + 5);
  if (patch.width !== undefined) out.writeUInt16BE(patch.width, sof.start + 7);
  return out;
}

/** the JPEG with an APP1 Exif segment saying `orientation` right after SOI */
export function withExifOrientation(bytes: Buffer, orientation: number, littleEndian = false): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  if (littleEndian) {
    tiff.write("II", 0, "latin1");
    tiff.writeUInt16LE(42, 2);
    tiff.writeUInt32LE(8, 4);
    tiff.writeUInt16LE(1, 8);
    tiff.writeUInt16LE(0x0112, 10);
    tiff.writeUInt16LE(3, 12);
    tiff.writeUInt32LE(1, 14);
    tiff.writeUInt16LE(orientation, 18);
  } else {
    tiff.write("MM", 0, "latin1");
    tiff.writeUInt16BE(42, 2);
    tiff.writeUInt32BE(8, 4);
    tiff.writeUInt16BE(1, 8);
    tiff.writeUInt16BE(0x0112, 10);
    tiff.writeUInt16BE(3, 12);
    tiff.writeUInt32BE(1, 14);
    tiff.writeUInt16BE(orientation, 18);
  }
  const payload = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([bytes.subarray(0, 2), head, payload, bytes.subarray(2)]);
}

/** A JPEG made of `scans` tiny scans (a progressive "scan bomb"). */
export function manyScansJpeg(scans: number): Buffer {
  const base = rgbJpeg(8, 8, () => [10, 20, 30]);
  const sosAt = base.indexOf(Buffer.from([0xff, 0xda]));
  const eoi = base.length - 2;
  const scan = base.subarray(sosAt, eoi);
  return Buffer.concat([base.subarray(0, sosAt), ...Array.from({ length: scans }, () => scan), base.subarray(eoi)]);
}

/**
 * A zlib stream that inflates to at least `bytes` zeros, written directly (one fixed-Huffman
 * block: a literal 0, then "copy 258 from 1 back" over and over) — 13 bits per 258 bytes,
 * made without compressing the zeros.
 */
export function zeroBomb(bytes: number): Buffer {
  const copies = Math.ceil((bytes - 1) / 258);
  const out = Buffer.alloc(Math.ceil((3 + 8 + copies * 13 + 7) / 8) + 2 + 4 + 1);
  let bit = 0;
  let at = 2;
  const put = (value: number, n: number) => {
    for (let i = 0; i < n; i++) {
      if ((value >> i) & 1) out[at] |= 1 << bit;
      if (++bit === 8) {
        bit = 0;
        at++;
      }
    }
  };
  const huff = (code: number, n: number) => {
    let r = 0;
    for (let i = 0; i < n; i++) r = (r << 1) | ((code >> i) & 1);
    put(r, n);
  };
  out[0] = 0x78;
  out[1] = 0x01;
  put(1, 1); // the last block
  put(1, 2); // fixed Huffman codes
  huff(0b00110000, 8); // literal 0
  for (let i = 0; i < copies; i++) {
    huff(0b11000101, 8); // length 258 (code 285)
    huff(0, 5); // distance 1 (code 0)
  }
  huff(0, 7); // end of block (256)
  if (bit) at++;
  const total = 1 + copies * 258;
  // Adler-32 of `total` zeros: A stays 1, B adds 1 per byte
  out.writeUInt32BE(((total % 65521) << 16 | 1) >>> 0, at);
  return out.subarray(0, at + 4);
}

export interface HostilePicture {
  name: string;
  bytes: Buffer;
  /** what the refusal must say */
  problem: RegExp;
}

let made: HostilePicture[] | null = null;

/** The hostile pictures of issue 9 and their kin (made once). */
export function hostilePictures(): HostilePicture[] {
  made ??= makeHostilePictures();
  return made;
}

function makeHostilePictures(): HostilePicture[] {
  const bomb = zeroBomb(2 ** 28); // 256 MiB of zeros in 1.6 MB: 5 times what the largest picture holds
  const small = rgbPng(16, 16, (x, y) => [x * 16, y * 16, 128]);
  const jpg = rgbJpeg(16, 16, (x, y) => [x * 16, y * 16, 128]);
  const idatCut = small.indexOf(Buffer.from("IDAT")) + 10;
  return [
    { name: "huge-header.png", bytes: pngFile([ihdr(30000, 30000), chunk("IDAT", deflateSync(Buffer.alloc(10))), chunk("IEND", Buffer.alloc(0))]), problem: /too large: 30000×30000/ },
    { name: "wide.png", bytes: pngFile([ihdr(100000, 1), chunk("IDAT", deflateSync(Buffer.alloc(10))), chunk("IEND", Buffer.alloc(0))]), problem: /too large: 100000×1/ },
    { name: "max-header.png", bytes: pngFile([ihdr(0x7fffffff, 0x7fffffff, 16, 6), chunk("IEND", Buffer.alloc(0))]), problem: /too large: 2147483647×2147483647/ },
    { name: "zero.png", bytes: pngFile([ihdr(0, 5), chunk("IEND", Buffer.alloc(0))]), problem: /corrupt header: the picture is 0×5/ },
    { name: "zlib-bomb.png", bytes: pngFile([ihdr(100, 100), chunk("IDAT", bomb), chunk("IEND", Buffer.alloc(0))]), problem: /inflates past the 30100 bytes a 100×100 picture holds/ },
    { name: "zlib-bomb-interlaced.png", bytes: pngFile([ihdr(100, 100, 8, 2, 1), chunk("IDAT", bomb), chunk("IEND", Buffer.alloc(0))]), problem: /inflates past/ },
    { name: "zlib-bomb-at-limit.png", bytes: pngFile([ihdr(4096, 3072, 8, 6), chunk("IDAT", bomb), chunk("IEND", Buffer.alloc(0))]), problem: /inflates past/ },
    { name: "truncated.png", bytes: small.subarray(0, idatCut), problem: /truncated/ },
    { name: "truncated-header.png", bytes: small.subarray(0, 20), problem: /truncated/ },
    { name: "no-iend.png", bytes: small.subarray(0, small.length - 12), problem: /truncated: the file ends before the PNG's IEND chunk/ },
    { name: "short-pixels.png", bytes: pngFile([ihdr(16, 16), chunk("IDAT", deflateSync(Buffer.alloc(100))), chunk("IEND", Buffer.alloc(0))]), problem: /truncated: the pixel data holds 100 of the 784 bytes/ },
    { name: "cut-stream.png", bytes: pngFile([ihdr(16, 16), chunk("IDAT", deflateSync(Buffer.alloc(784, 7)).subarray(0, 6)), chunk("IEND", Buffer.alloc(0))]), problem: /truncated|corrupt data/ },
    { name: "bad-crc.png", bytes: pngFile([ihdr(1, 1), chunk("IDAT", deflateSync(Buffer.alloc(4)), true), chunk("IEND", Buffer.alloc(0))]), problem: /IDAT chunk at byte 33 fails its checksum/ },
    { name: "bad-filter.png", bytes: pngFile([ihdr(1, 1), chunk("IDAT", deflateSync(Buffer.from([9, 0, 0, 0]))), chunk("IEND", Buffer.alloc(0))]), problem: /unknown filter type 9/ },
    { name: "no-palette.png", bytes: pngFile([ihdr(1, 1, 8, 3), chunk("IDAT", deflateSync(Buffer.alloc(2))), chunk("IEND", Buffer.alloc(0))]), problem: /palette picture without its PLTE/ },
    { name: "bad-depth.png", bytes: pngFile([ihdr(1, 1, 3, 2), chunk("IEND", Buffer.alloc(0))]), problem: /RGB pictures have no bit depth 3/ },
    { name: "garbage-deflate.png", bytes: pngFile([ihdr(4, 4), chunk("IDAT", Buffer.from("this is not deflate data at all")), chunk("IEND", Buffer.alloc(0))]), problem: /corrupt data: the compressed pixels do not inflate/ },
    { name: "garbage.png", bytes: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)), problem: /not a PNG or JPEG picture/ },
    { name: "empty.png", bytes: Buffer.alloc(0), problem: /empty/ },
    { name: "gif-named.png", bytes: Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00", "latin1"), problem: /not a PNG or JPEG picture \(it starts with GIF8: a GIF\)/ },
    { name: "text.jpg", bytes: Buffer.from("<!DOCTYPE html><html></html>"), problem: /not a PNG or JPEG picture \(it starts with the text/ },
    { name: "huge-sof.jpg", bytes: patchSof(jpg, { width: 65535, height: 65535 }), problem: /too large: 65535×65535/ },
    { name: "tall-sof.jpg", bytes: patchSof(jpg, { width: 16, height: 60000 }), problem: /too large: 16×60000/ },
    { name: "dnl.jpg", bytes: patchSof(jpg, { height: 0 }), problem: /height is given after the pixels/ },
    { name: "arithmetic.jpg", bytes: patchSof(jpg, { marker: 0xc9 }), problem: /not supported: an arithmetic-coded JPEG/ },
    { name: "lossless.jpg", bytes: patchSof(jpg, { marker: 0xc3 }), problem: /not supported: a lossless JPEG/ },
    { name: "12-bit.jpg", bytes: patchSof(jpg, { precision: 12 }), problem: /not supported: 12-bit samples/ },
    { name: "scan-bomb.jpg", bytes: manyScansJpeg(5000), problem: /too many scans/ },
    { name: "truncated.jpg", bytes: jpg.subarray(0, jpg.length - 40), problem: /truncated/ },
    { name: "truncated-header.jpg", bytes: jpg.subarray(0, 30), problem: /truncated/ },
    { name: "no-eoi.jpg", bytes: jpg.subarray(0, jpg.length - 2), problem: /truncated: the file ends inside the JPEG's pixel data/ },
    { name: "soi-only.jpg", bytes: Buffer.from([0xff, 0xd8]), problem: /truncated/ },
  ];
}
