// What the training thread reports (engine/train/session-protocol.ts), as the run view's
// page is told it (webview/train/protocol.ts): the weights stay with the host; pictures
// and filters become plain data; a layer is named by its line in the .cnn file.

import type { SessionMessage, SessionResult } from "../../engine/train/session-protocol";
import type { TrainHostMessage, ViewResult } from "../../webview/protocol";

export type LineOf = (nodeId: number | undefined) => number | undefined;

export function hostMessage(m: SessionMessage, lineOf: LineOf): TrainHostMessage | null {
  switch (m.type) {
    case "started": {
      const { type: _type, ...rest } = m;
      return { type: "trainStarted", ...rest };
    }
    case "progress":
      return { type: "trainProgress", points: m.points, progress: m.progress };
    case "epoch":
      return { type: "trainEpoch", report: m.report };
    case "state":
      return { type: "trainState", state: m.state, step: m.step };
    case "failed": {
      const line = lineOf(m.nodeId);
      return { type: "trainFailed", message: m.message, refused: m.refused, ...(line !== undefined ? { line } : {}) };
    }
    case "done":
      return { type: "trainDone", result: viewResult(m.result, lineOf) };
    case "folder":
      return null;
  }
}

/** the session's result as the page gets it: no weights, pictures and filters as plain data */
export function viewResult(r: SessionResult, lineOf: (nodeId: number | undefined) => number | undefined): ViewResult {
  const { weights: _weights, filters, misclassified, ...rest } = r;
  const line = filters ? lineOf(filters.nodeId) : undefined;
  return {
    ...rest,
    misclassified: misclassified.map((m) => ({ ...m, picture: { width: m.picture.width, height: m.picture.height, channels: m.picture.channels, base64: Buffer.from(m.picture.pixels).toString("base64") } })),
    filters: filters
      ? { layer: filters.layer, count: filters.count, channels: filters.channels, height: filters.height, width: filters.width, values: Array.from(filters.values), ...(line !== undefined ? { line } : {}) }
      : null,
  };
}
