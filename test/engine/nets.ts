// Helpers for engine tests: analyze a small .cnn text and run it on the reference executor.

import * as assert from "node:assert/strict";
import { analyze, type NetworkResult } from "../../analysis";
import type { LayerParams, NetworkWeights } from "../../engine/api";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";

export function network(text: string, name?: string): NetworkResult {
  const analysis = analyze(text, "test.cnn");
  const errors = analysis.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors.map((d) => d.message), [], "the test network must have no errors");
  const net = name ? analysis.networks.find((n) => n.name === name) : analysis.networks[0];
  assert.ok(net && net.complete, "the network must be complete");
  return net;
}

/** Runs `text`; `params` replaces the weights of the n-th learning node (in graph order). */
export async function run(text: string, params: LayerParams[] = [], seed = 0): Promise<number[]> {
  const net = network(text);
  const weights: NetworkWeights = initWeights(net.graph, seed);
  const learners = [...weights.keys()];
  params.forEach((p, i) => weights.set(learners[i], p));
  const input = networkInput(net.graph[0], {}, seed);
  const out = await new ReferenceExecutor().run(net.graph, weights, input.data);
  return Array.from(out);
}

export function f32(values: number[]): Float32Array {
  return Float32Array.from(values);
}

/** equal within float32 rounding: |a − b| ≤ tol · max(1, |b|) */
export function assertClose(actual: number[], expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length, `length ${actual.length}, expected ${expected.length}`);
  const bad = actual.findIndex((a, i) => !(Math.abs(a - expected[i]) <= tol * Math.max(1, Math.abs(expected[i]))));
  assert.ok(bad < 0, `value ${bad}: ${actual[bad]}, expected ${expected[bad]}\nactual:   ${actual.join(", ")}\nexpected: ${expected.join(", ")}`);
}
