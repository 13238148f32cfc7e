// Weights in and out of .safetensors files, matched to the network's layers.
//
// Tensor names follow PyTorch's state_dict: PREFIX.weight, PREFIX.bias,
// PREFIX.running_mean, PREFIX.running_var (PREFIX.num_batches_tracked is ignored). Which
// prefix goes to which layer is engine/weights-match.ts's rule: by module path (the
// labels) where one names a group exactly, else by an order the names allow, used only
// when it is the only one; every shape is checked, and what cannot be decided is an
// error that names the layers and tensors involved.

import type { GraphNode, NetworkResult } from "../analysis/types";
import type { LayerParams, NetworkWeights } from "./api";
import { elements, paramShapes } from "./init";
import { readSafetensors, writeSafetensors, type NamedTensor } from "./safetensors";
import { dimsText, groupTensors, matchWeights, modulePath, SUFFIX, type WeightsMatch } from "./weights-match";
import { scopeLabels } from "../analysis/paths";

export { WeightsMismatchError } from "./weights-match";

/** features.2 < features.10: digit runs compare as numbers */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x) && /^\d/.test(y);
    if (nx && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function describeDefault(node: GraphNode): string {
  return `${node.label ? `\`${modulePath(node)}\` (${node.op})` : node.op} (node ${node.id})`;
}

export interface LoadedWeights extends Omit<WeightsMatch, "assigned"> {
  weights: NetworkWeights;
  /** the file's __metadata__ (class names, the seed it was made with, …) */
  metadata: Record<string, string>;
}

/**
 * The network's weights from a .safetensors file. `base` supplies what no tensor names
 * (layers with literal weights). `describe` names a layer for messages (with its line).
 * Throws WeightsMismatchError when the match is not sure; `notes` says what was left
 * unused or named nothing.
 */
export function readWeightsFile(bytes: Uint8Array, network: NetworkResult, base: NetworkWeights, describe: (node: GraphNode) => string = describeDefault): LoadedWeights {
  const { tensors, metadata } = readSafetensors(bytes);
  const learners = network.graph.map((node) => ({ node, shapes: paramShapes(node) })).filter((l) => l.shapes.length > 0);
  const match = matchWeights(learners, groupTensors(tensors), describe);
  const weights: NetworkWeights = new Map(base);
  for (const [id, group] of match.assigned) {
    const params: LayerParams = {};
    for (const s of paramShapes(network.graph[id])) params[s.name] = group.tensors.get(SUFFIX[s.name])!.data;
    weights.set(id, params);
  }
  return { weights, byName: match.byName, byOrder: match.byOrder, notes: match.notes, metadata };
}

/** Whether a run without a weights file is on the seeded initialization: some layer learns and has no literal weights. */
export function isUntrained(network: NetworkResult): boolean {
  return network.graph.some((n) => {
    const specs = paramShapes(n);
    return specs.length > 0 && !specs.some((s) => s.init.kind === "values");
  });
}

/** readWeightsFile's weights alone */
export function loadSafetensorsWeights(bytes: Uint8Array, network: NetworkResult, base: NetworkWeights, describe: (node: GraphNode) => string = describeDefault): NetworkWeights {
  return readWeightsFile(bytes, network, base, describe).weights;
}

/**
 * The name prefix a layer's tensors are written under: its module path when no other
 * layer has it (`layer1.0.conv1`), else one the rule reads back to this layer alone —
 * the labels around it, `layers_<node id>`, its own label (`layers_4`, `layer2.layers_7`,
 * `layers_9.conv1`). (`layers_7` rather than `layers.7`: numbered siblings may
 * interleave with the other modules, one `layers` module could not.)
 */
export function tensorPrefix(node: GraphNode, uniquePath: boolean): string {
  const path = modulePath(node);
  if (path && uniquePath) return path;
  return [...scopeLabels(node.scope), `layers_${node.id}`, ...(node.label ? [node.label] : [])].join(".");
}

/** How many learning layers have each module path (a prefix is used as is only when unique). */
function pathCounts(network: NetworkResult): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of network.graph) {
    const p = modulePath(n);
    if (p && paramShapes(n).length) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return counts;
}

/** node id → the prefix its tensors are written under */
export function tensorPrefixes(network: NetworkResult): Map<number, string> {
  const counts = pathCounts(network);
  const out = new Map<number, string>();
  for (const node of network.graph) {
    if (!paramShapes(node).length) continue;
    const p = modulePath(node);
    out.set(node.id, tensorPrefix(node, !!p && counts.get(p) === 1));
  }
  return out;
}

export function weightsToSafetensors(network: NetworkResult, weights: NetworkWeights, metadata: Record<string, string> = {}): Uint8Array {
  const prefixes = tensorPrefixes(network);
  const tensors: NamedTensor[] = [];
  for (const node of network.graph) {
    const params = weights.get(node.id);
    if (!params) continue;
    const prefix = prefixes.get(node.id);
    if (prefix === undefined) continue;
    for (const s of paramShapes(node)) {
      const data = params[s.name];
      if (!data) continue;
      if (data.length !== elements(s.dims)) throw new Error(`${prefix}.${SUFFIX[s.name]} holds ${data.length} values for the shape ${dimsText(s.dims)}`);
      tensors.push({ name: `${prefix}.${SUFFIX[s.name]}`, shape: s.dims, data });
    }
  }
  return writeSafetensors(tensors, { format: "pt", network: network.name, ...metadata });
}

/** a weights file's metadata key naming the ONNX model `cnn import` took it from (beside `network`, engine/train/weights-location.ts) */
export const IMPORTED_FROM_KEY = "imported";
