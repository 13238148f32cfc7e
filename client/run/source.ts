// Where the run view (and Export ONNX) gets a network: the language server's
// `cnn/network` request (server/protocol.ts: the serialized graph, each node's line, the
// picture the input names). The answer is checked before anyone reads it.

import type { LanguageClient } from "vscode-languageclient/node";
import { count, InvalidDataError, isRecord, list, nullable, record, string } from "../../analysis/check";
import type { SerializedNetwork } from "../../analysis/serialize";
import { networkMethod, type NetworkResponse } from "../../server/protocol";

export type { NetworkResponse };
export type NetworkSource = (uri: string, network?: string) => Promise<NetworkResponse>;

/** the response's own fields checked (the network itself is checked by deserializeNetwork where it is read) */
export function readNetworkResponse(response: unknown): NetworkResponse {
  if (isRecord(response) && typeof response.error === "string") return { error: response.error };
  const r = record(response, "cnn/network");
  const network = record(r.network, "cnn/network.network") as unknown as SerializedNetwork;
  const lines = list(count, 1_000_000)(r.lines, "cnn/network.lines");
  if (!Array.isArray(network.graph) || lines.length !== network.graph.length) throw new InvalidDataError("cnn/network.lines: one line per graph node");
  string(network.name, "cnn/network.network.name");
  // [frame id, line] of each block use; an older server sends none
  const frameLines = r.frameLines === undefined ? [] : list(list(count, 2), 1_000_000)(r.frameLines, "cnn/network.frameLines").filter((p): p is [number, number] => p.length === 2);
  return { network, lines, frameLines, picture: nullable(string)(r.picture, "cnn/network.picture") };
}

export function serverSource(client: LanguageClient): NetworkSource {
  return async (uri, network) => {
    const response: unknown = await client.sendRequest(networkMethod, network === undefined ? { uri } : { uri, network });
    try {
      return readNetworkResponse(response);
    } catch (e) {
      return { error: `the language server's answer to cnn/network was not understood (${(e as Error).message})` };
    }
  };
}
