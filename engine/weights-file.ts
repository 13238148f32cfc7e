// Weights in and out of .safetensors files, matched to the network's layers.
//
// Tensor names follow PyTorch's state_dict: PREFIX.weight, PREFIX.bias,
// PREFIX.running_mean, PREFIX.running_var (PREFIX.num_batches_tracked is ignored).
// A layer labelled `conv1:` takes the tensors under the prefix `conv1`. The others are
// matched by order: the remaining prefixes sorted as people number them (features.2
// before features.10), each layer taking the first one whose shapes fit. Every shape is
// checked, and anything left over on either side is an error, as PyTorch's strict
// load_state_dict would have it.

import type { GraphNode, NetworkResult } from "../analysis/types";
import type { LayerParams, NetworkWeights } from "./api";
import { elements, paramShapes, type TensorShape } from "./init";
import { readSafetensors, writeSafetensors, type NamedTensor } from "./safetensors";

const SUFFIX: Record<keyof LayerParams, string> = { weight: "weight", bias: "bias", runningMean: "running_mean", runningVar: "running_var" };
const IGNORED = new Set(["num_batches_tracked"]);

export class WeightsMismatchError extends Error {
  override name = "WeightsMismatchError";
}

type Group = { prefix: string; tensors: Map<string, NamedTensor> };

function splitName(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? ["", name] : [name.slice(0, dot), name.slice(dot + 1)];
}

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

function dimsText(dims: number[]): string {
  return `[${dims.join(", ")}]`;
}

/** the first difference between what a layer needs and what a group holds, or null */
function misfit(expected: TensorShape[], group: Group): string | null {
  for (const s of expected) {
    const t = group.tensors.get(SUFFIX[s.name]);
    if (!t) return `${group.prefix}.${SUFFIX[s.name]} is missing`;
    if (t.shape.length !== s.dims.length || t.shape.some((d, i) => d !== s.dims[i])) {
      return `${t.name} is ${dimsText(t.shape)}, the layer needs ${dimsText(s.dims)}`;
    }
  }
  const wanted = new Set(expected.map((s) => SUFFIX[s.name]));
  for (const suffix of group.tensors.keys()) if (!wanted.has(suffix)) return `${group.prefix}.${suffix} has no place in this layer (it takes ${[...wanted].join(", ")})`;
  return null;
}

function describeDefault(node: GraphNode): string {
  return `${node.label ? `\`${node.label}\` (${node.op})` : node.op} (node ${node.id})`;
}

/**
 * The network's weights from a .safetensors file. `base` supplies what no tensor names
 * (layers with literal weights). `describe` names a layer for messages (with its line).
 */
export function loadSafetensorsWeights(bytes: Uint8Array, network: NetworkResult, base: NetworkWeights, describe: (node: GraphNode) => string = describeDefault): NetworkWeights {
  const { tensors } = readSafetensors(bytes);
  const byPrefix = new Map<string, Group>();
  for (const t of tensors) {
    const [prefix, suffix] = splitName(t.name);
    if (IGNORED.has(suffix)) continue;
    let g = byPrefix.get(prefix);
    if (!g) byPrefix.set(prefix, (g = { prefix, tensors: new Map() }));
    g.tensors.set(suffix, t);
  }
  const learners = network.graph.filter((n) => paramShapes(n).length > 0);
  const labelCount = new Map<string, number>();
  for (const n of learners) if (n.label) labelCount.set(n.label, (labelCount.get(n.label) ?? 0) + 1);
  const assigned = new Map<number, Group>();
  const used = new Set<string>();
  for (const node of learners) {
    if (!node.label || labelCount.get(node.label) !== 1) continue;
    const group = byPrefix.get(node.label);
    if (!group) continue;
    const why = misfit(paramShapes(node), group);
    if (why) throw new WeightsMismatchError(`${describe(node)}: ${why}`);
    assigned.set(node.id, group);
    used.add(group.prefix);
  }
  const remaining = [...byPrefix.values()].filter((g) => !used.has(g.prefix)).sort((a, b) => naturalCompare(a.prefix, b.prefix));
  for (const node of learners) {
    if (assigned.has(node.id)) continue;
    const expected = paramShapes(node);
    const at = remaining.findIndex((g) => misfit(expected, g) === null);
    if (at < 0) {
      if (expected.some((s) => s.init.kind === "values")) continue; // literal weights written in the file
      const next = remaining[0];
      const needs = expected.map((s) => `${SUFFIX[s.name]} ${dimsText(s.dims)}`).join(", ");
      throw new WeightsMismatchError(
        next
          ? `${describe(node)} needs ${needs}; no tensors left in the file fit (the next in order: ${misfit(expected, next)})`
          : `${describe(node)} needs ${needs}; the file has no tensors left for it`,
      );
    }
    assigned.set(node.id, remaining[at]);
    remaining.splice(at, 1);
  }
  if (remaining.length) {
    const names = remaining.flatMap((g) => [...g.tensors.values()].map((t) => `${t.name} ${dimsText(t.shape)}`));
    throw new WeightsMismatchError(`the file has tensors no layer takes: ${names.slice(0, 6).join(", ")}${names.length > 6 ? `, … (${names.length} in all)` : ""}`);
  }
  const out: NetworkWeights = new Map(base);
  for (const [id, group] of assigned) {
    const params: LayerParams = {};
    for (const s of paramShapes(network.graph[id])) params[s.name] = group.tensors.get(SUFFIX[s.name])!.data;
    out.set(id, params);
  }
  return out;
}

/** The name prefix a layer's tensors are written under: its label, else layers.<node id>. */
export function tensorPrefix(node: GraphNode, uniqueLabel: boolean): string {
  return node.label && uniqueLabel ? node.label : `layers.${node.id}`;
}

export function weightsToSafetensors(network: NetworkResult, weights: NetworkWeights, metadata: Record<string, string> = {}): Uint8Array {
  const labelCount = new Map<string, number>();
  for (const n of network.graph) if (n.label && paramShapes(n).length) labelCount.set(n.label, (labelCount.get(n.label) ?? 0) + 1);
  const tensors: NamedTensor[] = [];
  for (const node of network.graph) {
    const params = weights.get(node.id);
    if (!params) continue;
    const prefix = tensorPrefix(node, !!node.label && labelCount.get(node.label) === 1);
    for (const s of paramShapes(node)) {
      const data = params[s.name];
      if (!data) continue;
      if (data.length !== elements(s.dims)) throw new Error(`${prefix}.${SUFFIX[s.name]} holds ${data.length} values for the shape ${dimsText(s.dims)}`);
      tensors.push({ name: `${prefix}.${SUFFIX[s.name]}`, shape: s.dims, data });
    }
  }
  return writeSafetensors(tensors, { format: "pt", network: network.name, ...metadata });
}
