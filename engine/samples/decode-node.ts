// PNG and JPEG files decoded in Node (the command line and tests) with pure-JS decoders;
// the run view decodes in the browser instead.

import { PNG } from "pngjs";
import * as jpeg from "jpeg-js";
import { rasterFromRgba, type Raster } from "./raster";

export function decodeImage(bytes: Uint8Array, name: string): Raster {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 8 && buffer.readUInt32BE(0) === 0x89504e47) {
    const png = PNG.sync.read(buffer);
    return rasterFromRgba(png.data, png.width, png.height);
  }
  if (buffer.length >= 3 && buffer[0] === 0xff && buffer[1] === 0xd8 && buffer[2] === 0xff) {
    const img = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
    return rasterFromRgba(img.data, img.width, img.height);
  }
  throw new Error(`${name} is neither a PNG nor a JPEG picture`);
}
