// The benchmarked networks: the project's own examples, analyzed as the editor does, so
// every engine runs exactly the graph a user's file describes.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze, type NetworkResult } from "../../analysis";

export const benchNets: Record<string, string> = {
  lenet5: "lenet5.cnn",
  alexnet: "alexnet.cnn",
  vgg16: "vgg16.cnn",
  resnet18: "resnet18.cnn",
  mobilenetv2: "mobilenetv2.cnn",
  inception: "inception.cnn",
  unet: "unet_small.cnn",
  // the modern vocabulary (issue 13: mul, layernorm, layerscale, slice, shuffle); tfjs is not
  // given these kinds, so: --engines ours,ort-web
  efficientnet_b0: "efficientnet_b0.cnn",
  mobilenetv3_large: "mobilenetv3_large.cnn",
  mobilenetv3_small: "mobilenetv3_small.cnn",
  shufflenetv2: "shufflenetv2.cnn",
  convnext_tiny: "convnext_tiny.cnn",
  regnety_400mf: "regnety_400mf.cnn",
};

export const defaultNets = ["lenet5", "alexnet", "vgg16", "resnet18", "mobilenetv2"];

/** the same seed for every engine's weights and input */
export const SEED = 2024;

export function benchNetwork(name: string, root: string): NetworkResult {
  const file = benchNets[name];
  if (!file) throw new Error(`unknown net ${name} (there are: ${Object.keys(benchNets).join(", ")})`);
  const analysis = analyze(readFileSync(join(root, "examples", file), "utf8"), file);
  const net = analysis.networks[0];
  if (!net?.complete) throw new Error(`${file} does not analyze completely`);
  return net;
}
