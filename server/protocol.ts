// The server's own requests, shared by the server and the VS Code client (and the
// run view). Plain method names and types: both ends already speak JSON-RPC.

import type { SerializedNetwork } from "./serializeNetwork";

export interface NetworkParams {
  uri: string;
  /** the network's name; the first network of the file when absent */
  network?: string;
}

/** `cnn/network`: the runnable graph of one network, for the run view. */
export const networkMethod = "cnn/network";
export type NetworkResponse = { network: SerializedNetwork } | { error: string };

/** `cnn/summary`: the torchinfo-like table of `cnn summary`, as text. */
export const summaryMethod = "cnn/summary";
export type SummaryResponse = { text: string } | { error: string };

export type { SerializedNetwork };
