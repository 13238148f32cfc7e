// The server's own requests, shared by the server and the VS Code client (and the
// run view). Plain method names and types: both ends already speak JSON-RPC.

import type { SerializedNetwork } from "../analysis/serialize";

export interface NetworkParams {
  uri: string;
  /** the network's name; the first network of the file when absent */
  network?: string;
  /** `cnn/summary` only: torchinfo's depth (1: the network's own statements; default: the `cnn.summary.depth` setting) */
  depth?: number;
}

/**
 * `cnn/network`: the runnable graph of one network, for the run view, with what the editor
 * needs around it: the 1-based line of each graph node (in graph order) and the picture
 * the input line names (`sample "cat.png"`, relative to the file), if any. Each structure
 * (scope frame) is in `network.frames` once; nodes name their innermost frame by index.
 */
export const networkMethod = "cnn/network";
/** `lines`: each node's 1-based line; `frameLines`: [scope frame id, line] of each block use */
export type NetworkResponse = { network: SerializedNetwork; lines: number[]; frameLines: [number, number][]; picture: string | null } | { error: string };

/** `cnn/summary`: the torchinfo-like table of `cnn summary`, as text. */
export const summaryMethod = "cnn/summary";
export type SummaryResponse = { text: string } | { error: string };

export type { SerializedNetwork };

/**
 * Node flags the server runs with (the VS Code client, `npm run lsp` and the tests use
 * them alike):
 * - a 64 MB young generation, because an analysis allocates many short-lived objects and
 *   the default one makes the collector run several times per analysis — measured on a
 *   5,000-layer file, the analysis is about a third faster;
 * - no pretenuring: the server scavenges in the quiet moment after each publish
 *   (idle.ts), when the snapshot just made is all alive, so V8 learnt that the
 *   analysis' allocation sites always survive and allocated their objects in the old
 *   generation from then on — slower to make and to write into (a write barrier per
 *   field), and the mutator of an edit at the 101st of 5,000 layers took 15–16 ms
 *   instead of 9–12 (in process, no collection inside). Through the bench's stdio
 *   client that edit, typing, went from p50 21.8 / p95 41.1 ms to 10.9 / 18.7 (and
 *   14.5 / 48.7 to 13.1 / 21.6 in a second pair, interleaved, load 3–4).
 */
export const serverNodeFlags = ["--max-semi-space-size=64", "--no-allocation-site-pretenuring"];
