// `cnn/diagram`: the architecture diagram of one network of an open document, for the
// "CNN: Show Architecture" view — built from the same snapshot the editor's hints come
// from, so the view and the editor never disagree. A network with errors is sent too
// (drawn up to where it can be).

import type { CancellationToken } from "vscode-languageserver";
import { buildDiagram } from "../../diagram/build";
import type { Feature } from "../context";
import { guard } from "../guard";
import type { NetworkParams } from "../protocol";
import type { Diagram } from "../../diagram/model";
import type { Snapshot } from "../snapshots";
import { fileNameOf } from "../snapshots";

/** `cnn/diagram`: params { uri, network? } */
export const diagramMethod = "cnn/diagram";
export type DiagramResponse = { diagram: Diagram; version: number; errors: number; warnings: number } | { error: string };

export function diagramFor(snapshot: Snapshot, name: string | undefined | null): DiagramResponse {
  const networks = snapshot.analysis.networks;
  if (networks.length === 0) return { error: `${fileNameOf(snapshot.uri)} defines no network` };
  const network = name === undefined || name === null ? networks[0] : networks.find((n) => n.name === name);
  if (!network) return { error: `no network \`${name}\` in ${fileNameOf(snapshot.uri)} (networks: ${networks.map((n) => n.name).join(", ")})` };
  // its own lines, and those of the blocks it uses (a diagnostic there names the use)
  const within = (at: number) => at >= network.span.start && at <= network.span.end;
  const inside = snapshot.analysis.diagnostics.filter((d) => within(d.start) || (d.related ?? []).some((r) => within(r.start)));
  return {
    diagram: buildDiagram(snapshot.analysis, network),
    version: snapshot.version,
    errors: inside.filter((d) => d.severity === "error").length,
    warnings: inside.filter((d) => d.severity === "warning").length,
  };
}

export const diagramFeature: Feature = {
  name: "cnn/diagram",
  register(ctx) {
    const handler = guard<NetworkParams | null, DiagramResponse>(ctx.log, diagramMethod, { error: "the server failed to draw the network (see its log)" }, (p) => {
      const s = ctx.snapshotOf(p?.uri);
      return s ? diagramFor(s, typeof p?.network === "string" ? p.network : undefined) : { error: `${String(p?.uri)} is not open` };
    });
    ctx.connection.onRequest(diagramMethod, handler as (params: unknown, token: CancellationToken) => unknown);
  },
};
