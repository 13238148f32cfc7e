// The architecture view: the network as a graph, live as the document changes. The host
// sends the diagram the language server built (checked here); the page lays it out with
// the same code as `cnn graph`, draws it as SVG (parsed as XML, never run), and keeps the
// user's zoom, pan and open frames from one edit to the next. A click shows the line.

import { readHostMessage, readViewState, type HostMessage, type ViewMessage, type ViewState } from "./protocol";
import type { Diagram } from "../model";
import { layoutDiagram, type Scene } from "../layout";
import { sceneToSvg } from "../svg";
import { countsLabel, shapeLabel, type ShapeFormat } from "../text";

// (webview/vscode-webview.d.ts declares it)
const vscode = acquireVsCodeApi<ViewMessage, ViewState>();
let state: ViewState = readViewState(vscode.getState());

let diagram: Diagram | null = null;
let shapeFormat: ShapeFormat = "WxHxD";
let scene: Scene | null = null;
let cursor: number | null = null;
let counts = { errors: 0, warnings: 0 };
// the view: content translated by (x, y), then scaled by `zoom`
const view = { x: 0, y: 0, zoom: 1, fitted: false };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// ---- the page ----

const toolbar = el("div", { class: "toolbar" });
const title = el("span", { class: "title", "data-testid": "arch-title" });
const status = el("span", { class: "status", "data-testid": "arch-status" });
const networkPick = el("select", { "aria-label": "Network", "data-testid": "arch-network" });
const styleSelect = el("select", { "aria-label": "Style" });
for (const [v, t] of [
  ["flow", "Flow"],
  ["volume", "Volumes"],
]) styleSelect.append(el("option", { value: v }, t));
const button = (text: string, tip: string, onClick: () => void, testid?: string) => {
  const b = el("button", { title: tip, ...(testid ? { "data-testid": testid } : {}) }, text);
  b.addEventListener("click", onClick);
  return b;
};
const viewport = el("div", { class: "viewport", "data-testid": "arch-viewport", tabindex: "0" });
const content = el("div", { class: "content" });
viewport.append(content);
const message = el("div", { class: "message", "data-testid": "arch-message" });
message.hidden = true;

toolbar.append(
  title,
  networkPick,
  styleSelect,
  button("Fit", "Fit the whole network in the view", () => fit(), "arch-fit"),
  button("−", "Zoom out", () => zoomAt(1 / 1.25)),
  button("+", "Zoom in", () => zoomAt(1.25)),
  button("Expand all", "Open every block use and repeat", () => setExpand("all"), "arch-expand-all"),
  button("Collapse all", "Close every block use and repeat", () => setExpand("none"), "arch-collapse-all"),
  button("Export Figure…", "Save the figure as drawn, as SVG (for a paper or slides)", () => exportSvg(), "arch-export"),
  button("PNG…", "Save the figure as drawn, as PNG", () => void exportPng(), "arch-export-png"),
  status,
);
document.body.append(toolbar, message, viewport);
styleSelect.value = state.style;

function save() {
  vscode.setState(state);
}

networkPick.addEventListener("change", () => {
  state = { ...state, network: networkPick.value, toggled: {} };
  save();
  vscode.postMessage({ type: "network", name: networkPick.value });
});
styleSelect.addEventListener("change", () => {
  state = { ...state, style: styleSelect.value === "volume" ? "volume" : "flow" };
  save();
  view.fitted = false;
  render(null);
});

function setExpand(expand: "all" | "none") {
  state = { ...state, expand, toggled: {} };
  save();
  render(null);
}

// ---- drawing ----

function applyView() {
  content.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`;
}

function boxElement(key: string): SVGGElement | null {
  return content.querySelector(`g.box[data-key="${CSS.escape(key)}"]`);
}

/** the key of what the view is anchored on: the cursor's box, else the box nearest the middle */
function anchorKey(): string | null {
  const current = content.querySelector<SVGGElement>("g.box.current");
  if (current) return current.dataset.key ?? null;
  const r = viewport.getBoundingClientRect();
  const cx = r.left + r.width / 2;
  const cy = r.top + r.height / 2;
  let best: string | null = null;
  let bestD = Infinity;
  for (const g of Array.from(content.querySelectorAll<SVGGElement>("g.box"))) {
    const b = g.getBoundingClientRect();
    const d = Math.hypot(b.left + b.width / 2 - cx, b.top + b.height / 2 - cy);
    if (d < bestD) {
      bestD = d;
      best = g.dataset.key ?? null;
    }
  }
  return best;
}

/** Draws the diagram again; the anchor box (if still there) keeps its place on screen. */
function render(anchor: string | null) {
  if (!diagram) return;
  const before = anchor ? boxElement(anchor)?.getBoundingClientRect() : undefined;
  scene = layoutDiagram(diagram, { style: state.style, expand: state.expand, toggled: state.toggled, shapeFormat });
  const svg = sceneToSvg(scene, { transparent: true });
  const parsed = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = parsed.documentElement;
  if (root.nodeName !== "svg") {
    showMessage("The figure could not be drawn.");
    return;
  }
  content.replaceChildren(document.importNode(root, true));
  highlight(false);
  if (!view.fitted) {
    fit();
    view.fitted = true;
  } else if (anchor && before) {
    const after = boxElement(anchor)?.getBoundingClientRect();
    if (after) {
      view.x += before.left - after.left;
      view.y += before.top - after.top;
      applyView();
    }
  }
}

function fit() {
  if (!scene) return;
  const r = viewport.getBoundingClientRect();
  const zoom = Math.min(1.5, Math.max(0.05, Math.min((r.width - 24) / scene.width, (r.height - 24) / scene.height)));
  // a tall network: fit its width and start at the top, rather than shrink it to a line
  const readable = Math.max(zoom, Math.min(1, (r.width - 24) / scene.width, 0.6));
  view.zoom = readable;
  view.x = Math.max(12, (r.width - scene.width * readable) / 2);
  view.y = 12;
  applyView();
}

function zoomAt(factor: number, clientX?: number, clientY?: number) {
  const r = viewport.getBoundingClientRect();
  const px = (clientX ?? r.left + r.width / 2) - r.left;
  const py = (clientY ?? r.top + r.height / 2) - r.top;
  const zoom = Math.min(4, Math.max(0.03, view.zoom * factor));
  const k = zoom / view.zoom;
  view.x = px - (px - view.x) * k;
  view.y = py - (py - view.y) * k;
  view.zoom = zoom;
  applyView();
}

/** the cursor's statement: the innermost box (and frame) whose statement holds it */
function highlight(follow: boolean) {
  content.querySelectorAll(".current").forEach((e) => e.classList.remove("current"));
  if (cursor === null) return;
  let best: { start: number; end: number } | null = null;
  const spans: SVGGElement[] = Array.from(content.querySelectorAll<SVGGElement>("g.box, g.frame"));
  for (const g of spans) {
    const start = Number(g.dataset.start);
    const end = Number(g.dataset.end ?? g.dataset.start);
    if (start <= cursor && cursor <= end && (!best || end - start < best.end - best.start)) best = { start, end };
  }
  if (!best) return;
  let first: SVGGElement | null = null;
  for (const g of spans) {
    if (Number(g.dataset.start) === best.start && Number(g.dataset.end ?? g.dataset.start) === best.end) {
      g.classList.add("current");
      if (!first && g.classList.contains("box")) first = g;
    }
  }
  if (follow && first) {
    // follow the cursor: a box out of sight is brought to the middle
    const r = viewport.getBoundingClientRect();
    const b = first.getBoundingClientRect();
    if (b.bottom < r.top || b.top > r.bottom || b.right < r.left || b.left > r.right) {
      view.x += r.left + r.width / 2 - (b.left + b.width / 2);
      view.y += r.top + r.height / 2 - (b.top + b.height / 2);
      applyView();
    }
  }
}

function showMessage(text: string | null) {
  message.hidden = text === null;
  message.textContent = text ?? "";
}

function updateHeader() {
  if (!diagram) return;
  title.textContent = diagram.network;
  networkPick.replaceChildren(...diagram.networks.map((n) => el("option", { value: n }, n)));
  networkPick.value = diagram.network;
  networkPick.hidden = diagram.networks.length < 2;
  const layers = diagram.items.length;
  void layers;
  const parts = [`${shapeLabel(diagram.input, shapeFormat)} → ${shapeLabel(diagram.output, shapeFormat)}`, countsLabel(diagram.params, diagram.macs)];
  if (counts.errors) parts.push(`${counts.errors} error${counts.errors === 1 ? "" : "s"}: drawn up to where it can be, the faulty layers marked`);
  else if (counts.warnings) parts.push(`${counts.warnings} warning${counts.warnings === 1 ? "" : "s"}`);
  if (diagram.truncated) parts.push("the analysis stopped early: the network is too large");
  status.textContent = parts.filter((p) => p).join(" · ");
  status.classList.toggle("has-errors", counts.errors > 0);
}

// ---- interaction ----

let drag: { x: number; y: number; vx: number; vy: number; moved: boolean } | null = null;
viewport.addEventListener("pointerdown", (e) => {
  if (e.button !== 0) return;
  drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
});
viewport.addEventListener("pointermove", (e) => {
  if (!drag) return;
  const dx = e.clientX - drag.x;
  const dy = e.clientY - drag.y;
  if (!drag.moved && Math.hypot(dx, dy) < 4) return;
  if (!drag.moved) viewport.setPointerCapture(e.pointerId);
  drag.moved = true;
  view.x = drag.vx + dx;
  view.y = drag.vy + dy;
  applyView();
});
const endDrag = () => {
  setTimeout(() => (drag = null), 0);
};
viewport.addEventListener("pointerup", endDrag);
viewport.addEventListener("pointercancel", endDrag);
viewport.addEventListener(
  "wheel",
  (e) => {
    e.preventDefault();
    if (e.ctrlKey || e.metaKey || Math.abs(e.deltaY) > Math.abs(e.deltaX) * 2) zoomAt(Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.002)), e.clientX, e.clientY);
    else {
      view.x -= e.deltaX;
      view.y -= e.deltaY;
      applyView();
    }
  },
  { passive: false },
);

function toggle(key: string, open: boolean) {
  const anchor = key;
  state = { ...state, toggled: { ...state.toggled, [key]: open } };
  save();
  render(anchor);
  // after opening, the first box inside is where the closed one was
  if (open) {
    const first = scene?.boxes.find((b) => b.key.startsWith(`${key}/`));
    if (first && !boxElement(key)) render(first.key);
  }
}

viewport.addEventListener("click", (e) => {
  if (drag?.moved) return;
  const target = e.target as Element;
  const box = target.closest<SVGGElement>("g.box");
  if (box) {
    const key = box.dataset.key!;
    const r = box.getBoundingClientRect();
    if (box.classList.contains("closed") && (target.closest(".toggle") || e.clientX > r.right - 22 * view.zoom)) {
      toggle(key, true);
      return;
    }
    vscode.postMessage({ type: "reveal", start: Number(box.dataset.start), end: Number(box.dataset.end) });
    return;
  }
  const frame = target.closest<SVGGElement>("g.frame");
  if (frame) {
    const r = frame.getBoundingClientRect();
    if (target.closest(".frame-title") || e.clientY < r.top + 22 * view.zoom) toggle(frame.dataset.key!, false);
    else vscode.postMessage({ type: "reveal", start: Number(frame.dataset.start), end: Number(frame.dataset.start) });
  }
});
viewport.addEventListener("dblclick", (e) => {
  const box = (e.target as Element).closest<SVGGElement>("g.box.closed");
  if (box) toggle(box.dataset.key!, true);
});
viewport.addEventListener("keydown", (e) => {
  if (e.key === "+" || e.key === "=") zoomAt(1.25);
  else if (e.key === "-") zoomAt(1 / 1.25);
  else if (e.key === "0") fit();
  else return;
  e.preventDefault();
});
window.addEventListener("resize", () => {
  if (!view.fitted) fit();
});

// ---- export ----

function exportSvg() {
  vscode.postMessage({ type: "export", format: "svg", style: state.style, expand: state.expand, toggled: state.toggled });
}

/** the figure as drawn, in its print colours, rasterised at twice its size */
async function exportPng() {
  if (!scene) return;
  const svg = sceneToSvg(scene);
  const image = new Image();
  const loaded = new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error("the figure could not be rasterised"));
  });
  image.src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;
  try {
    await loaded;
    const scale = Math.min(2, Math.sqrt(60_000_000 / Math.max(1, scene.width * scene.height)));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(scene.width * scale));
    canvas.height = Math.max(1, Math.round(scene.height * scale));
    const ctx = canvas.getContext("2d")!;
    ctx.scale(scale, scale);
    ctx.drawImage(image, 0, 0);
    const url = canvas.toDataURL("image/png");
    vscode.postMessage({ type: "export", format: "png", base64: url.slice(url.indexOf(",") + 1) });
  } catch (e) {
    showMessage((e as Error).message);
  }
}

// ---- messages ----

window.addEventListener("message", (event: MessageEvent) => {
  let m: HostMessage;
  try {
    m = readHostMessage(event.data);
  } catch (e) {
    console.warn(`CNN architecture view: ignored a malformed message: ${(e as Error).message}`);
    return;
  }
  switch (m.type) {
    case "diagram": {
      const anchor = diagram ? anchorKey() : null;
      const switched = !diagram || diagram.network !== m.diagram.network || diagram.file !== m.diagram.file;
      if (switched) {
        view.fitted = false;
        if (diagram) state = { ...state, toggled: {} };
      }
      diagram = m.diagram;
      shapeFormat = m.shapeFormat;
      counts = { errors: m.errors, warnings: m.warnings };
      state = { ...state, network: m.diagram.network };
      save();
      showMessage(null);
      updateHeader();
      render(switched ? null : anchor);
      document.body.dataset.version = String(m.version);
      return;
    }
    case "cursor":
      cursor = m.offset;
      highlight(true);
      return;
    case "error":
      showMessage(m.message);
      return;
  }
});

vscode.postMessage({ type: "ready" });
