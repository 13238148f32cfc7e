// The trained weights a design finds beside it (engine/train/weights-location.ts): the
// .safetensors file named after the .cnn file, when its metadata names the network run.

import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import type { NetworkResult } from "../analysis";
import { readSafetensors } from "../engine/safetensors";
import { TRAINED_NETWORK_KEY, trainedWeightsName } from "../engine/train/weights-location";

export interface TrainedWeights {
  path: string;
  /** for people: the file's name */
  name: string;
  bytes: Uint8Array;
}

export function trainedWeightsFor(cnnFile: string, network: NetworkResult): TrainedWeights | null {
  const path = trainedWeightsName(cnnFile);
  if (!existsSync(path)) return null;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
    if (readSafetensors(bytes).metadata[TRAINED_NETWORK_KEY] !== network.name) return null;
  } catch {
    // not a weights file of ours: the design does not claim it
    return null;
  }
  return { path, name: basename(path), bytes };
}
