// Pictures from outside — a file a .cnn names, one picked in the run view, a training
// folder's — are untrusted bytes. Before anything is decoded, their structure is walked
// and their size read from the header: a picture past the limits, truncated, of another
// format or with a broken structure is refused here, naming the source and what is wrong.
// Pure (no Node, no DOM): the command line, the extension host and the run view's page
// all call it. The Node decoder (decode-node.ts) decodes what this lets through.

/** at most this many pixels on a side */
export const MAX_PICTURE_SIDE = 16384;
/**
 * at most this many pixels in all: 4096 × 3072 (12.6 megapixels; a 12-megapixel phone
 * photo, 4032 × 3024, fits). At the limit a JPEG decodes in a few seconds and a few
 * hundred MB on the command line (jpeg-js is pure JavaScript).
 */
export const MAX_PICTURE_PIXELS = 4096 * 3072;
/** at most this many bytes in the file */
export const MAX_PICTURE_BYTES = 50_000_000;
/** a progressive JPEG is decoded once per scan: at most this many (encoders write ≤ 12) */
export const MAX_JPEG_SCANS = 64;

export const pictureLimitsText = `at most ${MAX_PICTURE_SIDE} pixels on a side and ${grouped(MAX_PICTURE_PIXELS)} pixels (4096×3072) in all`;

/** A picture that will not be read: `source` names it, `problem` says what is wrong. */
export class PictureError extends Error {
  override name = "PictureError";
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
  }
}

export interface PngInfo {
  format: "png";
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  /** the IDAT chunks' data, as [start, end) offsets into the bytes */
  idat: [number, number][];
  /** the PLTE and tRNS chunks' data, where present */
  palette?: [number, number];
  transparency?: [number, number];
  /** how many bytes the compressed pixels must inflate to, exactly */
  inflatedBytes: number;
}

export interface JpegInfo {
  format: "jpeg";
  width: number;
  height: number;
  components: number;
  progressive: boolean;
  scans: number;
  /** EXIF orientation, 1 (as stored) … 8; what cameras write for a turned phone */
  orientation: number;
}

export type PictureInfo = PngInfo | JpegInfo;

/** The picture's format and size, after its whole structure has been checked. Throws PictureError. */
export function probePicture(bytes: Uint8Array, source: string): PictureInfo {
  const fail = (problem: string): never => {
    throw new PictureError(source, problem);
  };
  if (bytes.length === 0) fail("the file is empty, not a PNG or JPEG picture");
  if (bytes.length > MAX_PICTURE_BYTES) fail(`the file is too large: ${megabytes(bytes.length)}; pictures are read up to ${megabytes(MAX_PICTURE_BYTES)}`);
  if (startsWith(bytes, PNG_SIGNATURE)) return probePng(bytes, fail);
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8) return probeJpeg(bytes, fail);
  if (PNG_SIGNATURE.every((b, i) => i >= bytes.length || bytes[i] === b)) fail("truncated: the file ends inside the PNG signature");
  if (bytes.length === 1 && bytes[0] === 0xff) fail("truncated: the file ends inside the JPEG signature");
  return fail(`not a PNG or JPEG picture (it starts with ${describeStart(bytes)})`);
}

/** Refuses a size past the limits. */
export function checkPictureSize(width: number, height: number, fail: (problem: string) => never): void {
  if (width === 0 || height === 0) fail(`corrupt header: the picture is ${width}×${height} pixels`);
  if (width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE || width * height > MAX_PICTURE_PIXELS) {
    fail(`too large: ${width}×${height} pixels (${megapixels(width * height)}); pictures are read ${pictureLimitsText} — scale it down first`);
  }
}

// ---- PNG ----

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** bit depths allowed for each colour type (PNG spec, table 11.1), and samples per pixel */
const PNG_TYPES: Record<number, { depths: number[]; samples: number; name: string }> = {
  0: { depths: [1, 2, 4, 8, 16], samples: 1, name: "gray" },
  2: { depths: [8, 16], samples: 3, name: "RGB" },
  3: { depths: [1, 2, 4, 8], samples: 1, name: "palette" },
  4: { depths: [8, 16], samples: 2, name: "gray and alpha" },
  6: { depths: [8, 16], samples: 4, name: "RGBA" },
};

function probePng(bytes: Uint8Array, fail: (problem: string) => never): PngInfo {
  let at = 8;
  let header: Omit<PngInfo, "idat" | "inflatedBytes"> | null = null;
  const idat: [number, number][] = [];
  let palette: [number, number] | undefined;
  let transparency: [number, number] | undefined;
  let idatEnded = false;
  for (;;) {
    if (at === bytes.length) fail(header ? "truncated: the file ends before the PNG's IEND chunk" : "truncated: the file ends before the PNG's header");
    if (at + 12 > bytes.length) fail(`truncated: the file ends inside a chunk header at byte ${at}`);
    const length = u32(bytes, at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`corrupt data: not a PNG chunk at byte ${at}`);
    if (length > 0x7fffffff) fail(`corrupt data: the ${type} chunk at byte ${at} claims ${length} bytes`);
    const data = at + 8;
    const end = data + length;
    if (end + 4 > bytes.length) fail(`truncated: the ${type} chunk at byte ${at} needs ${length} bytes, the file ends ${bytes.length - data < 0 ? 0 : bytes.length - data} bytes in`);
    if (crc32(bytes, at + 4, end) !== u32(bytes, end)) fail(`corrupt data: the ${type} chunk at byte ${at} fails its checksum`);
    if (!header) {
      if (type !== "IHDR" || length !== 13) fail("corrupt header: a PNG starts with a 13-byte IHDR chunk");
      const width = u32(bytes, data);
      const height = u32(bytes, data + 4);
      const bitDepth = bytes[data + 8];
      const colorType = bytes[data + 9];
      const kind = PNG_TYPES[colorType];
      if (!kind) fail(`corrupt header: colour type ${colorType} does not exist`);
      if (!kind.depths.includes(bitDepth)) fail(`corrupt header: ${kind.name} pictures have no bit depth ${bitDepth}`);
      if (bytes[data + 10] !== 0 || bytes[data + 11] !== 0) fail("corrupt header: unknown compression or filter method");
      if (bytes[data + 12] > 1) fail(`corrupt header: unknown interlace method ${bytes[data + 12]}`);
      checkPictureSize(width, height, fail);
      header = { format: "png", width, height, bitDepth, colorType, interlaced: bytes[data + 12] === 1 };
    } else if (type === "IHDR") {
      fail("corrupt data: a second IHDR chunk");
    } else if (type === "PLTE") {
      if (length === 0 || length % 3 !== 0 || length > 768) fail(`corrupt data: a palette of ${length} bytes`);
      palette = [data, end];
    } else if (type === "tRNS") {
      transparency = [data, end];
    } else if (type === "IDAT") {
      if (idatEnded) fail("corrupt data: the IDAT chunks are not consecutive");
      if (length > 0) idat.push([data, end]);
    } else if (type === "IEND") {
      break;
    }
    if (type !== "IDAT" && idat.length > 0) idatEnded = true;
    at = end + 4;
  }
  if (!header) return fail("corrupt data: no IHDR chunk");
  if (header.colorType === 3 && !palette) fail("corrupt data: a palette picture without its PLTE chunk");
  if (idat.length === 0) fail("corrupt data: no pixel data (IDAT chunk)");
  if (transparency) {
    // one that does not fit the colour type is ignored, as libpng and browsers ignore it
    const n = transparency[1] - transparency[0];
    const fits = header.colorType === 0 ? n === 2 : header.colorType === 2 ? n === 6 : header.colorType === 3 ? n <= (palette![1] - palette![0]) / 3 : false;
    if (!fits) transparency = undefined;
  }
  return { ...header, idat, palette: header.colorType === 3 ? palette : undefined, transparency, inflatedBytes: pngInflatedBytes(header.width, header.height, header.bitDepth * PNG_TYPES[header.colorType].samples, header.interlaced) };
}

/** Adam7 interlacing: seven passes over an 8×8 grid (start x, start y, step x, step y) */
export const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** the filtered scanlines' size: a filter byte per row, then the row's bits rounded up to bytes */
export function pngInflatedBytes(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  const rows = (w: number, h: number) => (w === 0 || h === 0 ? 0 : h * (1 + Math.ceil((w * bitsPerPixel) / 8)));
  if (!interlaced) return rows(width, height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) total += rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy));
  return total;
}

let crcTable: Uint32Array | null = null;

/** PNG's CRC-32 of bytes[start, end) (also what the file fuzzer writes its chunks with) */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---- JPEG ----

const SOF_NAMES: Record<number, string> = {
  0xc3: "lossless",
  0xc5: "hierarchical",
  0xc6: "hierarchical progressive",
  0xc7: "hierarchical lossless",
  0xc9: "arithmetic-coded",
  0xca: "arithmetic-coded progressive",
  0xcb: "arithmetic-coded lossless",
  0xcd: "arithmetic-coded hierarchical",
  0xce: "arithmetic-coded hierarchical progressive",
  0xcf: "arithmetic-coded hierarchical lossless",
};

function probeJpeg(bytes: Uint8Array, fail: (problem: string) => never): JpegInfo {
  let at = 2;
  let frame: { width: number; height: number; components: number; progressive: boolean } | null = null;
  let scans = 0;
  let orientation = 1;
  let huffman = false;
  let quantization = false;
  for (;;) {
    if (at >= bytes.length) fail(frame ? "truncated: the file ends before the JPEG's end-of-image marker" : "truncated: the file ends before the JPEG's frame header");
    if (bytes[at] !== 0xff) fail(`corrupt data: no JPEG marker at byte ${at}`);
    while (at < bytes.length && bytes[at] === 0xff) at++; // fill bytes
    if (at >= bytes.length) fail("truncated: the file ends inside a JPEG marker");
    const marker = bytes[at++];
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8) fail("corrupt data: a second start-of-image marker");
    if (marker === 0x00 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) fail(`corrupt data: a stray marker 0xFF${hex(marker)} at byte ${at - 2}`);
    if (at + 2 > bytes.length) fail("truncated: the file ends inside a JPEG segment's length");
    const length = (bytes[at] << 8) | bytes[at + 1];
    if (length < 2) fail(`corrupt data: a JPEG segment at byte ${at - 2} is ${length} bytes long`);
    const data = at + 2;
    const end = at + length;
    if (end > bytes.length) fail(`truncated: the JPEG segment 0xFF${hex(marker)} at byte ${at - 2} needs ${length} bytes, the file ends first`);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (frame) fail("corrupt data: a second frame header (only single-frame JPEGs are read)");
      if (SOF_NAMES[marker]) fail(`not supported: ${/^[aeiou]/.test(SOF_NAMES[marker]) ? "an" : "a"} ${SOF_NAMES[marker]} JPEG (baseline and progressive JPEGs are read)`);
      if (length < 8) fail("corrupt header: the JPEG frame header is too short");
      const precision = bytes[data];
      const height = (bytes[data + 1] << 8) | bytes[data + 2];
      const width = (bytes[data + 3] << 8) | bytes[data + 4];
      const components = bytes[data + 5];
      if (precision !== 8) fail(`not supported: ${precision}-bit samples (8-bit JPEGs are read)`);
      if (height === 0) fail("not supported: the height is given after the pixels (a DNL marker)");
      if (![1, 3, 4].includes(components)) fail(`corrupt header: ${components} colour components (1, 3 or 4 are read)`);
      if (length !== 8 + 3 * components) fail("corrupt header: the JPEG frame header's length does not match its components");
      for (let c = 0; c < components; c++) {
        const sampling = bytes[data + 7 + 3 * c];
        const h = sampling >> 4;
        const v = sampling & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4) fail(`corrupt header: component ${c + 1} has sampling factors ${h}×${v}`);
        if (bytes[data + 8 + 3 * c] > 3) fail(`corrupt header: component ${c + 1} uses quantization table ${bytes[data + 8 + 3 * c]}`);
      }
      checkPictureSize(width, height, fail);
      frame = { width, height, components, progressive: marker === 0xc2 };
    } else if (marker === 0xc4) {
      huffman = true;
    } else if (marker === 0xdb) {
      quantization = true;
    } else if (marker === 0xe1 && scans === 0) {
      const o = exifOrientation(bytes, data, end);
      if (o) orientation = o;
    } else if (marker === 0xda) {
      if (!frame) fail("corrupt data: pixel data (a scan) before the frame header");
      if (!huffman) fail("corrupt data: pixel data (a scan) before any Huffman table");
      if (!quantization) fail("corrupt data: pixel data (a scan) before any quantization table");
      if (++scans > MAX_JPEG_SCANS) fail(`too many scans: more than ${MAX_JPEG_SCANS} (encoders write at most a dozen)`);
      // the entropy-coded data runs to the next marker that is not a stuffed 0 or a restart
      let i = end;
      while (i + 1 < bytes.length && !(bytes[i] === 0xff && bytes[i + 1] !== 0x00 && !(bytes[i + 1] >= 0xd0 && bytes[i + 1] <= 0xd7) && bytes[i + 1] !== 0xff)) i++;
      if (i + 1 >= bytes.length) fail("truncated: the file ends inside the JPEG's pixel data");
      at = i;
      continue;
    }
    at = end;
  }
  if (!frame) return fail("corrupt data: a JPEG without a frame header");
  if (scans === 0) fail("corrupt data: a JPEG without pixel data (no scan)");
  return { format: "jpeg", ...frame, scans, orientation };
}

/** the Orientation tag (0x0112) of an APP1 Exif segment, or 0 */
function exifOrientation(bytes: Uint8Array, start: number, end: number): number {
  // "Exif\0\0", then a TIFF header: II (little-endian) or MM, 42, the offset of IFD0
  if (end - start < 14 || String.fromCharCode(...bytes.subarray(start, start + 4)) !== "Exif" || bytes[start + 4] !== 0 || bytes[start + 5] !== 0) return 0;
  const tiff = start + 6;
  const little = bytes[tiff] === 0x49 && bytes[tiff + 1] === 0x49;
  if (!little && !(bytes[tiff] === 0x4d && bytes[tiff + 1] === 0x4d)) return 0;
  const u16 = (i: number) => (i + 2 > end ? -1 : little ? bytes[i] | (bytes[i + 1] << 8) : (bytes[i] << 8) | bytes[i + 1]);
  const u32at = (i: number) => (i + 4 > end ? -1 : little ? (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16)) + bytes[i + 3] * 2 ** 24 : u32(bytes, i));
  if (u16(tiff + 2) !== 42) return 0;
  const ifd = u32at(tiff + 4);
  if (ifd < 0 || tiff + ifd + 2 > end) return 0;
  const entries = u16(tiff + ifd);
  for (let e = 0; e < entries; e++) {
    const entry = tiff + ifd + 2 + e * 12;
    if (entry + 12 > end) return 0;
    if (u16(entry) === 0x0112 && u16(entry + 2) === 3) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 0;
    }
  }
  return 0;
}

// ---- helpers ----

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}

function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 8);
  const text = String.fromCharCode(...head);
  if (/^GIF8/.test(text)) return "GIF8: a GIF";
  if (/^RIFF/.test(text) && String.fromCharCode(...bytes.subarray(8, 12)) === "WEBP") return "RIFF…WEBP: a WebP";
  if (/^BM/.test(text)) return "BM: a BMP";
  if (/^[\x20-\x7e]+$/.test(text)) return `the text “${text}”`;
  return Array.from(head, (b) => hex(b)).join(" ");
}

function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(1)} megapixels`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
