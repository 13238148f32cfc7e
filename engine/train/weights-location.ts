// Where a design's trained weights live, the one rule `cnn train`, `cnn run` and the run
// view follow: beside the .cnn file, under its name with `.safetensors` (lenet5.cnn →
// lenet5.safetensors), the file's metadata naming the network they were trained for.
// A run without --weights uses that file when it names the network being run; a file
// that names it but no longer fits the design is refused (with the mismatch), never
// silently replaced by seeded weights. `--untrained` (the run view: "Untrained") runs the
// seeded weights instead.

export const TRAINED_NETWORK_KEY = "network";

/** lenet5.cnn → lenet5.safetensors (any other name: name + .safetensors) */
export function trainedWeightsName(cnnFile: string): string {
  return /\.cnn$/i.test(cnnFile) ? cnnFile.replace(/\.cnn$/i, ".safetensors") : `${cnnFile}.safetensors`;
}

/** What a trained file's metadata says about its training (`trained`, JSON). */
export interface TrainedInfo {
  /** `mnist`, or the picture folder's name */
  data: string;
  /** the class names, in class order */
  classes: string[];
  steps: number;
  optimizer: string;
  lr: number;
  batch: number;
  seed: number;
}

/** The metadata of a trained weights file, as `cnn train` and the run view's "Save weights" write it. */
export function trainedMetadata(network: string, info: TrainedInfo): Record<string, string> {
  const { data, classes, steps, optimizer, lr, batch, seed } = info;
  return { [TRAINED_NETWORK_KEY]: network, trained: JSON.stringify({ data, classes, steps, optimizer, lr, batch, seed }) };
}
