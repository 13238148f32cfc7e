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
