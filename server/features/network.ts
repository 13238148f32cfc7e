// `cnn/network` and `cnn/summary`: one network of an open document, for the run view
// and the "CNN: Show Summary" command.

import { summaryText } from "../../analysis/summary";
import type { NetworkResult as CnnNetwork, ShapeFormat } from "../../analysis";
import type { NetworkResponse, SummaryResponse } from "../protocol";
import { serializeNetwork } from "../../analysis/serialize";
import { requestedImagePath } from "../../analysis/input";
import type { Snapshot } from "../snapshots";
import { fileNameOf } from "../snapshots";

function pick(snapshot: Snapshot, name: string | undefined): CnnNetwork | string {
  const networks = snapshot.analysis.networks;
  if (networks.length === 0) return `${fileNameOf(snapshot.uri)} defines no network`;
  if (name === undefined || name === null) return networks[0];
  const found = networks.find((n) => n.name === name);
  return found ?? `no network \`${name}\` in ${fileNameOf(snapshot.uri)} (networks: ${networks.map((n) => n.name).join(", ")})`;
}

export function networkFor(snapshot: Snapshot, name: string | undefined): NetworkResponse {
  const network = pick(snapshot, name);
  if (typeof network === "string") return { error: network };
  if (!network.complete) {
    const { positions } = snapshot;
    const inside = snapshot.analysis.diagnostics.find((d) => d.severity === "error" && d.start >= network.span.start && d.start <= network.span.end);
    const first = inside ?? snapshot.analysis.diagnostics.find((d) => d.severity === "error");
    const where = first ? `: line ${positions.lineOf(first.start) + 1}: ${first.message}` : "";
    return { error: `network \`${network.name}\` cannot run until its errors are fixed${where}` };
  }
  const { positions } = snapshot;
  // each frame is once in the answer's table (its nodes name it by index): the answer grows with the graph, not with its nesting
  const serialized = serializeNetwork(network);
  const frameLines = new Map<number, number>();
  for (const f of serialized.frames) if (f.kind === "block" && !frameLines.has(f.id)) frameLines.set(f.id, positions.lineOf(f.span.start) + 1);
  return {
    network: serialized,
    lines: network.graph.map((node) => positions.lineOf(node.span.start) + 1),
    frameLines: [...frameLines],
    picture: requestedImagePath(network.graph[0]),
  };
}

export function summaryFor(snapshot: Snapshot, name: string | undefined, format: ShapeFormat, depth = 1): SummaryResponse {
  let networks = snapshot.analysis.networks;
  if (name !== undefined && name !== null) {
    const network = pick(snapshot, name);
    if (typeof network === "string") return { error: network };
    networks = [network];
  }
  if (networks.length === 0) return { error: `${fileNameOf(snapshot.uri)} defines no network` };
  return { text: summaryText(fileNameOf(snapshot.uri), snapshot.analysis, networks, format, depth) };
}
