// The run view's training thread (a Node worker_thread of the extension host, bundled as
// dist/client/train-worker.js): it inspects a picture folder or runs one training
// session (engine/train/session.ts) and posts what happens to the host.

import { parentPort } from "node:worker_threads";
import { inspectFolder, runSession } from "../../engine/train/session";
import { enableRelaxedSimd } from "../../engine/wasm/relaxed-node";
import type { SessionMessage, SessionRequest } from "../../engine/train/session-protocol";

// the kernels `cnn train` takes (the fused multiply-add where this Node has it behind a
// flag), so that the view's weights are the bytes `cnn train` writes; before any kernel is compiled
enableRelaxedSimd();

const port = parentPort;
if (!port) throw new Error("the training thread runs as a worker_thread");

const post = (message: SessionMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on("message", (request: SessionRequest) => {
  if (request.type === "inspect") post(inspectFolder(request.path));
  else if (request.type === "train") void runSession(request, post).finally(() => port.close());
});
