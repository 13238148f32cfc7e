// PNG and JPEG pictures decoded in Node (the command line, training folders, tests); the
// run view's page decodes with the browser instead, after the same probe.
//
// One entry point each: `readPicture(path)` for a file, `decodePicture(bytes, source)` for
// bytes. Both refuse with a PictureError naming the source and what is wrong, and never
// spend more than the limits allow: the probe (picture.ts) checks the structure and the
// size from the header first; the PNG's pixel data is inflated with an output cap of
// exactly what its header promises (a zlib bomb stops there) and decoded by png.ts;
// jpeg-js gets a resolution and memory cap as a second guard.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { inflateSync } from "node:zlib";
import * as jpeg from "jpeg-js";
import { MAX_PICTURE_BYTES, MAX_PICTURE_PIXELS, PictureError, probePicture, type JpegInfo, type PngInfo } from "./picture";
import { rasterFromPixels, type Raster } from "./raster";
import { pngPixels } from "./png";

export { PictureError } from "./picture";

/** The picture file at `path` (shown as `shown`), decoded; a PictureError if it can't be. */
export function readPicture(path: string, shown = path): Raster {
  return decodePicture(readPictureBytes(path, shown), shown);
}

/** A picture file's bytes: only a regular file, and only up to MAX_PICTURE_BYTES. */
export function readPictureBytes(path: string, shown = path): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PictureError(shown, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not a picture" : `cannot be read (${code ?? (e as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new PictureError(shown, "a folder, not a picture");
    if (!stat.isFile()) throw new PictureError(shown, "not a regular file (a device, pipe or socket is not read)");
    if (stat.size > MAX_PICTURE_BYTES) throw new PictureError(shown, `the file is too large: ${(stat.size / 1e6).toFixed(1)} MB; pictures are read up to ${(MAX_PICTURE_BYTES / 1e6).toFixed(1)} MB`);
    const bytes = Buffer.alloc(stat.size);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read);
  } catch (e) {
    if (e instanceof PictureError) throw e;
    throw new PictureError(shown, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/** PNG or JPEG bytes → a raster; `source` (a file name) is what the errors name. */
export function decodePicture(bytes: Uint8Array, source: string): Raster {
  const info = probePicture(bytes, source);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return info.format === "png" ? decodePng(buffer, info, source) : decodeJpeg(buffer, info, source);
}

/** the name the command line and the tests have used */
export const decodeImage = decodePicture;

function decodePng(buffer: Buffer, info: PngInfo, source: string): Raster {
  const { width, height } = info;
  const compressed = Buffer.concat(info.idat.map(([start, end]) => buffer.subarray(start, end)));
  let inflated: Buffer;
  try {
    inflated = inflateSync(compressed, { maxOutputLength: info.inflatedBytes });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE") {
      throw new PictureError(source, `corrupt data: the pixel data inflates past the ${info.inflatedBytes} bytes a ${width}×${height} picture holds (a decompression bomb?)`);
    }
    if (code === "Z_BUF_ERROR" || /unexpected end/i.test((e as Error).message)) throw new PictureError(source, "truncated: the compressed pixel data ends early");
    throw new PictureError(source, `corrupt data: the compressed pixels do not inflate (${(e as Error).message})`);
  }
  if (inflated.length !== info.inflatedBytes) {
    throw new PictureError(source, `truncated: the pixel data holds ${inflated.length} of the ${info.inflatedBytes} bytes a ${width}×${height} picture needs`);
  }
  try {
    return pngPixels(buffer, info, inflated);
  } catch (e) {
    throw new PictureError(source, (e as Error).message);
  }
}

function decodeJpeg(buffer: Buffer, info: JpegInfo, source: string): Raster {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(buffer, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: Math.ceil(MAX_PICTURE_PIXELS / 1e6),
      // what jpeg-js keeps (coefficients, component planes, the RGB output) for a picture at the limit
      maxMemoryUsageInMB: 1024,
    });
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    throw new PictureError(source, `corrupt data: ${message.replace(/[\u0000-\u001f\u007f]/g, " ")}`);
  }
  if (img.width !== info.width || img.height !== info.height || img.data.length !== info.width * info.height * 3) throw new PictureError(source, "corrupt data: the decoder disagrees with the header");
  const turned = orient(img.data, img.width, img.height, 3, info.orientation);
  return rasterFromPixels(turned.pixels, turned.width, turned.height, 3);
}

/**
 * The pixels as they are meant to be seen: EXIF orientation 2–8 mirrors and/or turns the
 * stored pixels (a phone held upright stores them turned), as browsers show them.
 */
export function orient(pixels: Uint8Array, width: number, height: number, bytesPerPixel: number, orientation: number): { pixels: Uint8Array; width: number; height: number } {
  if (orientation < 2 || orientation > 8) return { pixels, width, height };
  const swap = orientation >= 5;
  const w = swap ? height : width;
  const h = swap ? width : height;
  const out = new Uint8Array(pixels.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: sx = width - 1 - x; sy = y; break;
        case 3: sx = width - 1 - x; sy = height - 1 - y; break;
        case 4: sx = x; sy = height - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = height - 1 - x; break;
        case 7: sx = width - 1 - y; sy = height - 1 - x; break;
        default: sx = width - 1 - y; sy = x; break;
      }
      const from = (sy * width + sx) * bytesPerPixel;
      const to = (y * w + x) * bytesPerPixel;
      for (let c = 0; c < bytesPerPixel; c++) out[to + c] = pixels[from + c];
    }
  }
  return { pixels: out, width: w, height: h };
}
