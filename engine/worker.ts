// The run view's engine, in a Web Worker so the editor never waits for it: makes the
// input and the weights, runs the network, and posts a small preview of every layer.

import type { WorkerReply, WorkerRun } from "./worker-protocol";
import { MAX_OUTPUT_VALUES } from "./worker-protocol";
import { networkInput } from "./input";
import { makePreview } from "./preview";
import { createExecutor, defaultExecutorName, executors, runNetwork, RefusedError } from "./run";
import { allocationRefusal, budgetRefusal, isAllocationFailure, threadsWithinBudget } from "./budget";
import { webThreads } from "./fast/threads/web";
import { initWeights } from "./init";
import { loadSafetensorsWeights } from "./weights-file";

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: WorkerReply, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;

function post(reply: WorkerReply): void {
  const buffers: Transferable[] = [];
  if (reply.type === "layer" || reply.type === "input") buffers.push(reply.preview.data.buffer as ArrayBuffer);
  if (reply.type === "done") buffers.push(reply.output.buffer as ArrayBuffer);
  scope.postMessage(reply, buffers);
}

/** "auto" picks the fast executor where WebAssembly SIMD is available, else the reference */
function executorName(wanted: string): string {
  if (wanted !== "auto") return executors[wanted] ? wanted : "reference";
  return defaultExecutorName();
}

async function run(message: WorkerRun): Promise<void> {
  const { runId, network } = message;
  try {
    // budget first: nothing (input, weights, arena) is made for a run past it
    const refusal = budgetRefusal(network, message.budgetMB);
    if (refusal) throw new RefusedError(refusal);
    // threads need shared memory, i.e. a cross-origin isolated page (VS Code's webviews are
    // only when VS Code runs with --enable-coi); each has scratch of its own, within the budget
    const noThreads = webThreads.unavailable();
    const wanted = noThreads ? 1 : webThreads.cores();
    const threads = threadsWithinBudget(network, message.budgetMB, wanted);
    const threadsNote = noThreads
      ? `${noThreads}: more need VS Code started with --enable-coi`
      : threads < wanted
        ? `${wanted} threads would pass the memory budget`
        : null;
    const inputNode = network.graph[0];
    const input = networkInput(
      inputNode,
      {
        ...(message.raster ? { image: { raster: message.raster, name: message.rasterName ?? "picture" } } : message.sample ? { sample: message.sample } : {}),
        ...(message.invert !== undefined ? { invert: message.invert } : {}),
      },
      message.seed,
    );
    post({ type: "input", runId, source: input.source, steps: input.steps, preview: makePreview(input.data, inputNode.output) });
    let weights;
    if (message.weights) {
      try {
        weights = loadSafetensorsWeights(message.weights, network, initWeights(network.graph, message.seed));
      } catch (e) {
        throw new RefusedError(`${message.weightsName ?? "the weights"}: ${(e as Error).message}`);
      }
    }
    const result = await runNetwork({
      network,
      input: input.data,
      weights,
      seed: message.seed,
      budgetMB: message.budgetMB,
      executor: createExecutor(executorName(message.executor), { threads, host: webThreads }),
      onLayer: (trace) => {
        if (trace.node.op === "input") return;
        post({ type: "layer", runId, nodeId: trace.node.id, ms: trace.ms, preview: makePreview(trace.output, trace.node.output) });
      },
    });
    post({
      type: "done",
      runId,
      ms: result.ms,
      executor: result.executor,
      threads: result.threads,
      threadsNote: result.threads === 1 && result.executor !== "reference" ? threadsNote : null,
      output: result.output.slice(0, MAX_OUTPUT_VALUES),
      outputLength: result.output.length,
    });
  } catch (e) {
    if (isAllocationFailure(e)) post({ type: "failed", runId, message: allocationRefusal(network, message.budgetMB, e), refused: true });
    else post({ type: "failed", runId, message: e instanceof Error ? e.message : String(e), refused: e instanceof RefusedError });
  }
}

scope.onmessage = (event: MessageEvent) => {
  const message = event.data as WorkerRun;
  if (message && message.type === "run") void run(message);
};
