// The run view: what every layer of the network sees. The extension host sends the
// network (checked here), the engine runs in a Worker, and each layer's activation maps
// appear as heatmaps while it runs; the output shows the top-5 after a softmax.

import type { NetworkResult, Shape } from "../analysis/types";
import { grouped, shapeText } from "../analysis/format";
import { deserializeNetwork } from "../engine/serialize";
import { sampleCatalog } from "../engine/samples";
import { float32Text } from "../engine/numbers";
import { probabilities, topClasses } from "../engine/top";
import type { Preview } from "../engine/preview";
import type { WorkerReply, WorkerRun } from "../engine/worker-protocol";
import type { Raster } from "../engine/samples/raster";
import { readHostMessage, readViewState, type HostMessage, type Picture, type RunMessage, type ViewMessage, type ViewState } from "./protocol";
import { h } from "./dom";
import { colourScale } from "./colormap";
import { describeHit, drawGrid, gridSize, hitTest, layoutGrid, type Grid } from "./heatmap";
import { decodePicture, DrawingPad } from "./picture";

interface VsCodeApi {
  postMessage(message: ViewMessage): void;
  getState(): unknown;
  setState(state: ViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
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
const format = (v: number) => float32Text(Math.fround(v));

// ---- the page ----

const inputSelect = h("select", { id: "input-choice", "aria-label": "input" });
const seedInput = h("input", { id: "seed", type: "number", min: 0, max: 4294967295, step: 1, "aria-label": "seed" });
const runButton = h("button", { id: "run", type: "button" }, "Run");
const cancelButton = h("button", { id: "cancel", type: "button", "data-testid": "run-cancel", disabled: true }, "Cancel");
const progressBar = h("div", { class: "bar" });
const progressText = h("span", { class: "progress-text" }, "waiting for the network…");
const progress = h("div", { class: "progress", "data-testid": "run-progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": 0 }, progressBar, progressText);
const errorBox = h("div", { class: "error", "data-testid": "run-error", role: "alert", hidden: true });
const title = h("h1", {}, "CNN run");
const meta = h("div", { class: "meta" });
const inputCanvas = h("canvas", { class: "input-picture", "aria-label": "the input" });
const inputSource = h("div", { class: "caption" });
const padCanvas = h("canvas", { class: "pad", "aria-label": "draw a digit here" });
const padBox = h(
  "div",
  { class: "pad-box", hidden: true },
  padCanvas,
  h("div", { class: "caption" }, "Draw a digit; the network runs when you lift the pen. ", h("button", { type: "button", class: "link", onclick: () => clearDrawing() }, "Clear")),
);
const top5 = h("div", { class: "top5", "data-testid": "top5", hidden: true });
const outputNote = h("div", { class: "caption" });
const totalMs = h("div", { class: "total" });
const layersBox = h("section", { class: "layers", "aria-label": "layers" });
const zoomCanvas = h("canvas", { class: "zoom-canvas" });
const zoomCaption = h("div", { class: "caption" });
const zoom = h("div", { class: "zoom", hidden: true, role: "dialog", "aria-label": "one activation map" }, h("div", { class: "zoom-box" }, zoomCaption, zoomCanvas, h("div", { class: "caption" }, "Esc or click outside to close")));
const tooltip = h("div", { class: "tooltip", hidden: true });

document.body.append(
  h(
    "header",
    {},
    h("div", { class: "titles" }, title, meta),
    h("div", { class: "controls" }, h("label", {}, "Input ", inputSelect), h("label", {}, "Seed ", seedInput), runButton, cancelButton),
    progress,
    errorBox,
  ),
  h(
    "section",
    { class: "top" },
    h("div", { class: "card" }, h("h2", {}, "Input"), inputCanvas, inputSource, padBox),
    h("div", { class: "card" }, h("h2", {}, "Output"), top5, outputNote, totalMs),
  ),
  layersBox,
  zoom,
  tooltip,
);

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
  inputSelect.value = state.input === "picture" && !picked ? "file" : state.input;
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
runButton.addEventListener("click", () => send({ type: "rerun" }));
cancelButton.addEventListener("click", () => cancel());
zoom.addEventListener("click", (e) => {
  if (e.target === zoom) zoom.hidden = true;
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") zoom.hidden = true;
});
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
  switch (message.type) {
    case "error":
      cancel(false);
      current = null;
      layersBox.replaceChildren();
      top5.hidden = true;
      showError(message.message);
      setProgress(0, "not running");
      return;
    case "picture":
      try {
        picked = { picture: message.picture, raster: await decodePicture(message.picture.base64) };
      } catch (e) {
        showError(`cannot decode ${message.picture.name}: ${(e as Error).message}`);
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
      saveState();
      if (state.seed === null) seedInput.value = String(message.seed);
      else seedInput.value = String(state.seed);
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
  layersBox.replaceChildren();
  cards.clear();
  setProgress(0, `running 0 / ${totalLayers()} layers…`);
  const run: WorkerRun = {
    type: "run",
    runId: id,
    // the engine needs the graph; the statements (with their explanations) stay here
    network: { ...network, statements: [] },
    seed: state.seed ?? message.seed,
    budgetMB: message.budgetMB,
    executor: message.executor,
  };
  try {
    const input = await inputFor(message);
    Object.assign(run, input);
  } catch (e) {
    failed(`the input could not be made: ${(e as Error).message}`);
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

async function inputFor(message: RunMessage): Promise<Partial<WorkerRun>> {
  switch (state.input) {
    case "file":
      if (message.picture) return { raster: await decodePicture(message.picture.base64), rasterName: message.picture.name };
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
      drawInput(reply.preview);
      return;
    case "layer":
      layersDone++;
      addLayer(reply.nodeId, reply.ms, reply.preview);
      setProgress(progressFraction(), `running ${layersDone} / ${totalLayers()} layers…`);
      return;
    case "done":
      worker?.terminate();
      worker = null;
      cancelButton.disabled = true;
      setProgress(1, `done: ${totalLayers()} layers in ${reply.ms.toFixed(1)} ms (${reply.executor} executor, ${(performance.now() - started).toFixed(0)} ms with drawing)`);
      showOutput(reply.output, reply.outputLength);
      totalMs.replaceChildren(h("span", { "data-testid": "run-total-ms" }, `total ${reply.ms.toFixed(1)} ms`), ` · ${reply.executor} executor · seed ${state.seed ?? current!.message.seed}`);
      scaleTimeBars();
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

interface LayerCard {
  grid: Grid;
  canvas: HTMLCanvasElement;
  timeBar: HTMLElement;
  ms: number;
}
const cards = new Map<number, LayerCard>();

function layerName(nodeId: number): string {
  const node = current!.network.graph[nodeId];
  return node.label ? `${node.label} (${node.op})` : node.op;
}

function addLayer(nodeId: number, ms: number, preview: Preview): void {
  const node = current!.network.graph[nodeId];
  const line = current!.message.lines[nodeId];
  const width = Math.max(200, layersBox.clientWidth - 24);
  const grid = layoutGrid(preview, width);
  const canvas = h("canvas", { class: "heatmap", "data-testid": "layer-heatmap", "data-node": nodeId, "aria-label": `activation maps of ${layerName(nodeId)}` });
  drawGrid(canvas, grid);
  const size = gridSize(grid);
  canvas.style.width = `${size.width}px`;
  const scale = colourScale(preview.min, preview.max);
  const timeBar = h("div", { class: "time-bar" });
  const shownNote = preview.shown < preview.channels ? ` · the first ${preview.shown} of ${preview.channels} depth slices` : "";
  const factorNote = preview.factor > 1 ? ` · averaged ${preview.factor}×${preview.factor}` : "";
  const head = h(
    "div",
    { class: "layer-head" },
    h("button", { type: "button", class: "link line", title: "show this line", onclick: () => line && send({ type: "reveal", line }) }, line ? `line ${line}` : ""),
    h("span", { class: "layer-name" }, layerName(nodeId)),
    h("span", { class: "shape" }, `→ ${shapeText(node.output)}`),
    h("span", { class: "ms" }, `${ms.toFixed(2)} ms`),
  );
  // styles go through the CSSOM: the CSP forbids style attributes
  const ramp = h("span", { class: "ramp" });
  ramp.style.background = scale.gradient;
  const legend = h("div", { class: "legend" }, h("span", {}, format(preview.min)), ramp, h("span", {}, format(preview.max)), h("span", { class: "note" }, `${shownNote}${factorNote}`));
  canvas.addEventListener("mousemove", (e) => hover(grid, canvas, e));
  canvas.addEventListener("mouseleave", () => (tooltip.hidden = true));
  canvas.addEventListener("click", (e) => {
    const hit = hitTest(grid, canvas, e.clientX, e.clientY);
    if (hit && !preview.wrapped) enlarge(nodeId, preview, hit.channel);
  });
  layersBox.append(h("article", { class: "layer" }, head, timeBar, canvas, legend));
  cards.set(nodeId, { grid, canvas, timeBar, ms });
}

function scaleTimeBars(): void {
  const slowest = Math.max(...[...cards.values()].map((c) => c.ms), 1e-9);
  for (const c of cards.values()) c.timeBar.style.width = `${Math.max(0.5, (c.ms / slowest) * 100)}%`;
}

function hover(grid: Grid, canvas: HTMLCanvasElement, e: MouseEvent): void {
  const hit = hitTest(grid, canvas, e.clientX, e.clientY);
  if (!hit) {
    tooltip.hidden = true;
    return;
  }
  tooltip.textContent = describeHit(grid.preview, hit, format);
  tooltip.hidden = false;
  tooltip.style.left = `${e.clientX + 12}px`;
  tooltip.style.top = `${e.clientY + 12}px`;
}

function enlarge(nodeId: number, preview: Preview, channel: number): void {
  const plane = preview.tileWidth * preview.tileHeight;
  const one: Preview = { ...preview, shown: 1, data: preview.data.slice(channel * plane, (channel + 1) * plane) };
  const side = Math.max(one.tileWidth, one.tileHeight);
  const grid = layoutGrid(one, 480, Math.min(480, Math.max(side, 320)));
  // the same colours as in the layer's grid
  drawGrid(zoomCanvas, grid, preview.min, preview.max);
  zoomCanvas.style.width = `${gridSize(grid).width}px`;
  zoomCaption.textContent = `${layerName(nodeId)} · depth slice ${channel} of ${preview.channels} · ${preview.width}×${preview.height}`;
  zoomCanvas.onmousemove = (e) => {
    const hit = hitTest(grid, zoomCanvas, e.clientX, e.clientY);
    if (hit) hover(grid, zoomCanvas, e);
  };
  zoomCanvas.onmouseleave = () => (tooltip.hidden = true);
  zoom.hidden = false;
}

function showOutput(values: Float32Array, length: number): void {
  const network = current!.network;
  const shape: Shape = network.output!;
  const last = network.graph[network.graph.length - 1];
  if (shape.kind !== "vector") {
    outputNote.textContent = `a ${shapeText(shape)} volume: see the last layer's maps below`;
    return;
  }
  const alreadyProbabilities = last.op === "softmax";
  const p = alreadyProbabilities ? Array.from(values) : Array.from(probabilities(values));
  const best = topClasses(p, Math.min(5, length));
  top5.replaceChildren(
    ...best.map((c, rank) => {
      const fill = h("span", { class: "fill" });
      fill.style.width = `${Math.max(0.5, c.value * 100).toFixed(1)}%`;
      return h(
        "div",
        { class: "top5-row", "data-testid": "top5-row" },
        h("span", { class: "rank" }, `${rank + 1}.`),
        h("span", { class: "class" }, `class ${c.index}`),
        h("span", { class: "track" }, fill),
        h("span", { class: "pct" }, `${(c.value * 100).toFixed(2)} %`),
      );
    }),
  );
  top5.hidden = false;
  outputNote.textContent = alreadyProbabilities ? `top ${best.length} of ${length} (the network ends in a softmax)` : `top ${best.length} of ${length} after a softmax of the raw outputs`;
}

send({ type: "ready" });
