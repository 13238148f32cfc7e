// Where the run view gets a network: the language server's `cnn/network` request
// (params { uri, network? }; result { network: SerializedNetwork } | { error }).

import type { LanguageClient } from "vscode-languageclient/node";
import type { SerializedNetwork } from "../../analysis/serialize";
import { isRecord } from "../../analysis/check";

export type NetworkResponse = { network: SerializedNetwork } | { error: string };
export type NetworkSource = (uri: string, network?: string) => Promise<NetworkResponse>;

export const networkMethod = "cnn/network";

export function serverSource(client: LanguageClient): NetworkSource {
  return async (uri, network) => {
    const response: unknown = await client.sendRequest(networkMethod, network === undefined ? { uri } : { uri, network });
    if (isRecord(response) && typeof response.error === "string") return { error: response.error };
    if (isRecord(response) && isRecord(response.network)) return { network: response.network as unknown as SerializedNetwork };
    return { error: "the language server's answer to cnn/network was not understood" };
  };
}
