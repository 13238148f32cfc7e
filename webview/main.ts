// The run view: what every layer of the network sees. The extension host sends the
// network (checked here), the engine runs in a Worker, and each layer's activation maps
// appear as heatmaps while it runs; the output shows the top-5 after a softmax.

import type { NetworkResult } from "../analysis/types";
import { grouped, shapeText } from "../analysis/format";
import { deserializeNetwork } from "../analysis/serialize";
import { sampleCatalog } from "../engine/samples";
import { significant } from "./numbers";
import type { Preview } from "../engine/preview";
import type { WorkerReply, WorkerRun } from "../engine/worker-protocol";
import type { Raster } from "../engine/samples/raster";
import { readHostMessage, readViewState, type HostMessage, type Picture, type RunMessage, type ViewMessage, type ViewState } from "./protocol";
import { h } from "./dom";
import { oneLine } from "../grammar/printable";
import { drawGrid, layoutGrid } from "./heatmap";
import { LayerList } from "./layers";
import { showOutput, showUntrained } from "./output";
import { classNamesFor } from "../engine/classes";
import { inputAttrs } from "../engine/input";
import { isUntrained } from "../engine/weights-file";
import { decodePicture, DrawingPad } from "./picture";
import { PictureError } from "../engine/samples/picture";
import { budgetRefusal } from "../engine/budget";
import { isTrainHostType, type TrainHostMessage } from "./protocol";
import { TrainSection } from "./train/view";
import { base64Bytes } from "./train/bytes";

// (webview/vscode-webview.d.ts declares it)
const vscode = acquireVsCodeApi<ViewMessage, ViewState>();
let state: ViewState = readViewState(vscode.getState());

interface Current {
  message: RunMessage;
  network: NetworkResult;
}
let current: Current | null = null;
let picked: { picture: Picture; raster: Raster } | null = null;
let worker: Worker | null = null;
let workerUrl: Promise<string> | null = null;
let runId = 0;
let layersDone = 0;
let started = 0;

const send = (message: ViewMessage) => vscode.postMessage(message);
const saveState = () => vscode.setState(state);
// four significant digits (webview/numbers.ts): legends and hovers are read, not copied
const format = (v: number) => significant(Math.fround(v));

// ---- the page ----

const inputSelect = h("select", { id: "input-choice", "aria-label": "input" });
const seedInput = h("input", { id: "seed", type: "number", min: 0, max: 4294967295, step: 1, "aria-label": "seed" });
const runButton = h("button", { id: "run", type: "button" }, "Run");
const cancelButton = h("button", { id: "cancel", type: "button", "data-testid": "run-cancel", disabled: true }, "Cancel");
/** "Load weights…": the host picks a .safetensors file and sends the run again with it */
const loadWeights = () => send({ type: "loadWeights" });
const loadWeightsButton = h("button", { type: "button", "data-testid": "load-weights", title: "Run with the weights of a .safetensors file (a state_dict saved under torch's names, cnn train's or cnn import's)", onclick: loadWeights }, "Load weights…");
const progressBar = h("div", { class: "bar" });
const progressText = h("span", { class: "progress-text" }, "waiting for the network…");
const progress = h("div", { class: "progress", "data-testid": "run-progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": 0 }, progressBar, progressText);
const errorBox = h("div", { class: "error", "data-testid": "run-error", role: "alert", hidden: true });
const title = h("h1", {}, "CNN run");
const meta = h("div", { class: "meta" });
const inputCanvas = h("canvas", { class: "input-picture", "aria-label": "the input" });
const inputSource = h("div", { class: "caption" });
// how the picture became the tensor (docs/ENGINE.md), and the choice to invert it
const inputSteps = h("div", { class: "caption", "data-testid": "input-steps" });
const invertBox = h("input", { type: "checkbox", id: "invert", "data-testid": "input-invert" });
const invertLabel = h("label", { class: "caption", title: "read the picture as 1 − x: dark digits on white paper become MNIST's white on black" }, invertBox, " invert (dark ink on light paper)");
const padCanvas = h("canvas", { class: "pad", "aria-label": "draw a digit here" });
const padBox = h(
  "div",
  { class: "pad-box", hidden: true },
  padCanvas,
  h("div", { class: "caption" }, "Draw a digit; the network runs when you lift the pen. ", h("button", { type: "button", class: "link", onclick: () => clearDrawing() }, "Clear")),
);
const top5 = h("div", { class: "top5", "data-testid": "top5", hidden: true });
const outputNote = h("div", { class: "caption" });
const untrainedBox = h("div", { class: "untrained", "data-testid": "untrained-notice", role: "note", hidden: true });
const totalMs = h("div", { class: "total" });
const layersBox = h("section", { class: "layers", "aria-label": "layers" });

document.body.append(
  h(
    "header",
    {},
    h("div", { class: "titles" }, title, meta),
    h("div", { class: "controls" }, h("label", {}, "Input ", inputSelect), h("label", {}, "Seed ", seedInput), runButton, cancelButton, loadWeightsButton),
    progress,
    errorBox,
  ),
  h(
    "section",
    { class: "top" },
    h("div", { class: "card" }, h("h2", {}, "Input"), inputCanvas, inputSource, inputSteps, invertLabel, padBox),
    h("div", { class: "card" }, h("h2", {}, "Output"), untrainedBox, top5, outputNote, totalMs),
  ),
  layersBox,
);
const layers = new LayerList(layersBox, format, (line) => send({ type: "reveal", line }));

// the Train section (webview/train): training runs in the extension host; the run uses what it trained
const training = new TrainSection(
  {
    send,
    network: () => current?.network ?? null,
    seed: () => state.seed ?? current?.message.seed ?? 0,
    budgetMB: () => current?.message.budgetMB ?? 1536,
    save: (train) => {
      state.train = train;
      saveState();
    },
    reveal: (line) => send({ type: "reveal", line }),
    format,
  },
  state.train,
);
layersBox.before(training.element);

const pad = new DrawingPad(padCanvas, () => {
  state.drawing = pad.levels();
  saveState();
  if (state.input === "drawing") start();
});
pad.load(state.drawing);

function fillInputChoices(): void {
  inputSelect.replaceChildren(
    h("option", { value: "file" }, "as the file says"),
    ...sampleCatalog().map((s) => h("option", { value: s.name, title: s.description }, `sample ${s.name}`)),
    h("option", { value: "drawing" }, "my drawing"),
    h("option", { value: "picture" }, picked ? `picture ${picked.picture.name}` : "a picture…"),
  );
  // a choice this version does not offer (an older saved state) falls back to the file's
  const offered = Array.from(inputSelect.options).some((o) => o.value === state.input);
  if (!offered || (state.input === "picture" && !picked)) state.input = "file";
  inputSelect.value = state.input;
}
fillInputChoices();

inputSelect.addEventListener("change", () => {
  const choice = inputSelect.value;
  if (choice === "picture" && !picked) {
    send({ type: "pickPicture" });
    inputSelect.value = state.input;
    return;
  }
  state.input = choice;
  saveState();
  padBox.hidden = choice !== "drawing";
  start();
});
seedInput.addEventListener("change", () => {
  const n = Number(seedInput.value);
  if (!Number.isInteger(n) || n < 0 || n > 4294967295) {
    seedInput.value = String(state.seed ?? 0);
    return;
  }
  state.seed = n;
  saveState();
  start();
});
invertBox.addEventListener("change", () => {
  state.invert = invertBox.checked;
  saveState();
  start();
});
runButton.addEventListener("click", () => send({ type: "rerun" }));
cancelButton.addEventListener("click", () => cancel());
padBox.hidden = state.input !== "drawing";

function clearDrawing(): void {
  pad.clear();
  state.drawing = null;
  saveState();
}

// ---- messages from the host ----

window.addEventListener("message", (event: MessageEvent) => {
  let message: HostMessage;
  try {
    message = readHostMessage(event.data);
  } catch (e) {
    showError(`ignored a malformed message: ${(e as Error).message}`);
    return;
  }
  void receive(message);
});

async function receive(message: HostMessage): Promise<void> {
  if (isTrainHostType(message.type)) {
    training.receive(message as TrainHostMessage);
    return;
  }
  switch (message.type) {
    case "error":
      cancel(false);
      current = null;
      layers.clear();
      top5.hidden = true;
      showError(message.message);
      setProgress(0, "not running");
      return;
    case "picture":
      try {
        picked = { picture: message.picture, raster: await decodePicture(message.picture.base64, message.picture.name) };
      } catch (e) {
        showError(pictureProblem(message.picture.name, e));
        return;
      }
      state.input = "picture";
      saveState();
      fillInputChoices();
      padBox.hidden = true;
      start();
      return;
    case "run": {
      let network: NetworkResult;
      try {
        network = deserializeNetwork(message.network);
      } catch (e) {
        showError(`the network could not be read: ${(e as Error).message}`);
        return;
      }
      current = { message, network };
      state.target = message.target;
      invertBox.checked = state.invert ?? !!inputAttrs(network).invert;
      saveState();
      if (state.seed === null) seedInput.value = String(message.seed);
      else seedInput.value = String(state.seed);
      training.networkChanged();
      start();
    }
  }
}

// ---- running ----

async function makeWorker(): Promise<Worker> {
  // a webview may not start a Worker from its resource URL (another origin): load the
  // bundle's text and start it from a blob: URL, which the CSP allows
  workerUrl ??= fetch(document.body.dataset.worker ?? "")
    .then((r) => {
      if (!r.ok) throw new Error(`the engine could not be loaded (${r.status})`);
      return r.text();
    })
    .then((code) => URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
  return new Worker(await workerUrl);
}

function cancel(report = true): void {
  if (!worker) return;
  worker.terminate();
  worker = null;
  cancelButton.disabled = true;
  if (report) {
    setProgress(progressFraction(), `cancelled after ${layersDone} of ${totalLayers()} layers`);
    send({ type: "status", state: "cancelled" });
  }
}

function totalLayers(): number {
  return current ? current.network.graph.length - 1 : 0;
}

function progressFraction(): number {
  const total = totalLayers();
  return total ? layersDone / total : 0;
}

function setProgress(fraction: number, text: string): void {
  progressBar.style.width = `${Math.round(fraction * 100)}%`;
  progress.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
  progressText.textContent = text;
}

function showError(message: string | null): void {
  errorBox.hidden = message === null;
  errorBox.textContent = message ?? "";
}

async function start(): Promise<void> {
  if (!current) return;
  cancel(false);
  const { message, network } = current;
  const id = ++runId;
  layersDone = 0;
  showError(null);
  top5.hidden = true;
  top5.replaceChildren();
  outputNote.textContent = "";
  totalMs.replaceChildren();
  title.textContent = network.name;
  meta.textContent = `${message.fileName} · input ${shapeText(network.input)} → output ${shapeText(network.output)} · ${grouped(network.params)} params · ${grouped(network.macs)} MACs`;
  layers.clear(network.graph, message.frameLines ?? []);
  setProgress(0, `running 0 / ${totalLayers()} layers…`);
  const run: WorkerRun = {
    type: "run",
    runId: id,
    // the engine needs the graph; the statements (with their explanations) stay here
    network: { ...network, statements: [] },
    seed: state.seed ?? message.seed,
    budgetMB: message.budgetMB,
    executor: message.executor,
    ...(typeof state.invert === "boolean" ? { invert: state.invert } : {}),
  };
  // budget first: a run past it is refused with the numbers before a picture is decoded
  const refusal = budgetRefusal(network, message.budgetMB);
  if (refusal) {
    failed(`Not run: ${refusal}`);
    return;
  }
  if (message.weights) {
    run.weights = base64Bytes(message.weights.base64);
    run.weightsName = message.weights.origin === "trained" ? "the weights trained in this view" : message.weights.name;
  }
  try {
    const input = await inputFor(message);
    Object.assign(run, input);
  } catch (e) {
    failed(e instanceof PictureError ? pictureProblem(e.source, e) : `the input could not be made: ${(e as Error).message}`);
    return;
  }
  if (id !== runId) return;
  try {
    worker = await makeWorker();
  } catch (e) {
    failed((e as Error).message);
    return;
  }
  if (id !== runId) return;
  const mine = worker;
  mine.onmessage = (event: MessageEvent<WorkerReply>) => {
    if (worker !== mine || event.data.runId !== runId) return;
    onReply(event.data);
  };
  mine.onerror = (event) => {
    if (worker === mine) failed(`the engine stopped: ${event.message}`);
  };
  cancelButton.disabled = false;
  started = performance.now();
  send({ type: "status", state: "running" });
  try {
    mine.postMessage(run);
  } catch (e) {
    failed(`the engine could not be started: ${(e as Error).message}`);
  }
}

function pictureProblem(name: string, e: unknown): string {
  // a file name may hold a RIGHT-TO-LEFT OVERRIDE or a line break: named, never shown raw
  return oneLine(e instanceof PictureError ? `cannot read the picture ${e.source}: ${e.problem}` : `cannot decode ${name}: ${(e as Error).message}`);
}

async function inputFor(message: RunMessage): Promise<Partial<WorkerRun>> {
  switch (state.input) {
    case "file":
      if (message.picture) return { raster: await decodePicture(message.picture.base64, message.picture.name), rasterName: message.picture.name };
      return {};
    case "drawing":
      return { raster: pad.raster(), rasterName: pad.isEmpty() ? "an empty drawing" : "my drawing" };
    case "picture":
      return picked ? { raster: picked.raster, rasterName: picked.picture.name } : {};
    default:
      return { sample: state.input };
  }
}

function failed(text: string): void {
  worker?.terminate();
  worker = null;
  cancelButton.disabled = true;
  showError(text);
  setProgress(progressFraction(), "stopped");
  send({ type: "status", state: "failed", message: text });
}

function onReply(reply: WorkerReply): void {
  switch (reply.type) {
    case "input":
      inputSource.textContent = `${shapeText(current!.network.input)} from ${reply.source}`;
      inputSteps.textContent = reply.steps.length ? reply.steps.join(" → ") : "";
      drawInput(reply.preview);
      return;
    case "layer":
      layersDone++;
      layers.add(current!.network.graph[reply.nodeId], current!.message.lines[reply.nodeId], reply.ms, reply.preview);
      setProgress(progressFraction(), `running ${layersDone} / ${totalLayers()} layers…`);
      return;
    case "done":
      worker?.terminate();
      worker = null;
      cancelButton.disabled = true;
      setProgress(1, `done: ${totalLayers()} layers in ${reply.ms.toFixed(1)} ms (${reply.executor} executor, ${(performance.now() - started).toFixed(0)} ms with drawing)`);
      const used = current!.message.weights;
      showOutput(top5, outputNote, current!.network, reply.output, reply.outputLength, classNamesFor(current!.network, current!.message.classes ? { file: current!.message.classes } : {}));
      // weights sent with the run (trained in the view, or the design's trained file) are not the seeded ones
      showUntrained(untrainedBox, !used && isUntrained(current!.network), state.seed ?? current!.message.seed, current!.message.fileName, loadWeights);
      totalMs.replaceChildren(
        h("span", { "data-testid": "run-total-ms" }, `total ${reply.ms.toFixed(1)} ms`),
        ` · ${reply.executor} executor · `,
        h("span", { "data-testid": "run-threads", title: reply.threadsNote ?? "" }, threadsText(reply.threads, reply.threadsNote)),
        used
          ? h("span", { "data-testid": "run-weights" }, ` · weights: ${used.origin === "trained" ? "trained in this view" : `from ${used.name}`}`)
          : ` · seed ${state.seed ?? current!.message.seed}`,
      );
      layers.scaleTimeBars();
      send({ type: "status", state: "done", ms: reply.ms });
      return;
    case "failed":
      failed(reply.refused ? `Not run: ${reply.message}` : `The run failed: ${reply.message}`);
  }
}

// ---- drawing ----

function drawInput(p: Preview): void {
  const ctx = inputCanvas.getContext("2d");
  if (!ctx) return;
  if (p.shown >= 3 && !p.wrapped) {
    // colour: the first three depth slices as red, green, blue
    inputCanvas.width = p.tileWidth;
    inputCanvas.height = p.tileHeight;
    const image = ctx.createImageData(p.tileWidth, p.tileHeight);
    const plane = p.tileWidth * p.tileHeight;
    const span = p.max - p.min || 1;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) image.data[i * 4 + c] = Math.round(((p.data[c * plane + i] - p.min) / span) * 255);
      image.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    return;
  }
  const g = layoutGrid({ ...p, shown: Math.min(p.shown, 4) }, 280, 140);
  drawGrid(inputCanvas, g);
}

send({ type: "ready" });

/** "2 threads", or "1 thread (why not more)" */
function threadsText(threads: number, note: string | null): string {
  return threads === 1 ? `1 thread${note ? ` (${note})` : ""}` : `${threads} threads`;
}
