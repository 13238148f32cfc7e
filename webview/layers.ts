// The layer list of the run view: one card per layer as it finishes (its line, kind,
// output shape, time, a heatmap grid of its depth slices and the colour legend), values
// under the mouse, and one depth slice enlarged on a click.

import type { GraphNode } from "../analysis/types";
import { shapeText } from "../analysis/format";
import type { Preview } from "../engine/preview";
import { colourScale } from "./colormap";
import { h } from "./dom";
import { describeHit, drawGrid, gridSize, hitTest, layoutGrid, type Grid } from "./heatmap";

interface LayerCard {
  timeBar: HTMLElement;
  ms: number;
}

export class LayerList {
  private cards: LayerCard[] = [];
  private readonly tooltip = h("div", { class: "tooltip", hidden: true });
  private readonly zoomCanvas = h("canvas", { class: "zoom-canvas" });
  private readonly zoomCaption = h("div", { class: "caption" });
  readonly zoom = h("div", { class: "zoom", hidden: true, role: "dialog", "aria-label": "one activation map" });

  constructor(
    readonly box: HTMLElement,
    private readonly format: (v: number) => string,
    private readonly reveal: (line: number) => void,
  ) {
    this.zoom.append(h("div", { class: "zoom-box" }, this.zoomCaption, this.zoomCanvas, h("div", { class: "caption" }, "Esc or click outside to close")));
    this.zoom.addEventListener("click", (e) => {
      if (e.target === this.zoom) this.zoom.hidden = true;
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.zoom.hidden = true;
    });
    document.body.append(this.zoom, this.tooltip);
  }

  clear(): void {
    this.box.replaceChildren();
    this.cards = [];
  }

  add(node: GraphNode, line: number | undefined, ms: number, preview: Preview): void {
    const name = node.label ? `${node.label} (${node.op})` : node.op;
    const grid = layoutGrid(preview, Math.max(200, this.box.clientWidth - 24));
    const canvas = h("canvas", { class: "heatmap", "data-testid": "layer-heatmap", "data-node": node.id, "aria-label": `activation maps of ${name}` });
    drawGrid(canvas, grid);
    canvas.style.width = `${gridSize(grid).width}px`;
    const timeBar = h("div", { class: "time-bar" });
    const shownNote = preview.shown < preview.channels ? ` · the first ${preview.shown} of ${preview.channels} depth slices` : "";
    const factorNote = preview.factor > 1 ? ` · averaged ${preview.factor}×${preview.factor}` : "";
    const head = h(
      "div",
      { class: "layer-head" },
      h("button", { type: "button", class: "link line", title: "show this line", onclick: () => line && this.reveal(line) }, line ? `line ${line}` : ""),
      h("span", { class: "layer-name" }, name),
      h("span", { class: "shape" }, `→ ${shapeText(node.output)}`),
      h("span", { class: "ms" }, `${ms.toFixed(2)} ms`),
    );
    // styles go through the CSSOM: the CSP forbids style attributes
    const ramp = h("span", { class: "ramp" });
    ramp.style.background = colourScale(preview.min, preview.max).gradient;
    const legend = h("div", { class: "legend" }, h("span", {}, this.format(preview.min)), ramp, h("span", {}, this.format(preview.max)), h("span", { class: "note" }, `${shownNote}${factorNote}`));
    canvas.addEventListener("mousemove", (e) => this.hover(grid, canvas, e));
    canvas.addEventListener("mouseleave", () => (this.tooltip.hidden = true));
    canvas.addEventListener("click", (e) => {
      const hit = hitTest(grid, canvas, e.clientX, e.clientY);
      if (hit && !preview.wrapped) this.enlarge(name, preview, hit.channel);
    });
    this.box.append(h("article", { class: "layer" }, head, timeBar, canvas, legend));
    this.cards.push({ timeBar, ms });
  }

  /** the time bars as a fraction of the slowest layer's */
  scaleTimeBars(): void {
    const slowest = Math.max(...this.cards.map((c) => c.ms), 1e-9);
    for (const c of this.cards) c.timeBar.style.width = `${Math.max(0.5, (c.ms / slowest) * 100)}%`;
  }

  private hover(grid: Grid, canvas: HTMLCanvasElement, e: MouseEvent): void {
    const hit = hitTest(grid, canvas, e.clientX, e.clientY);
    if (!hit) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.textContent = describeHit(grid.preview, hit, this.format);
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${e.clientX + 12}px`;
    this.tooltip.style.top = `${e.clientY + 12}px`;
  }

  private enlarge(name: string, preview: Preview, channel: number): void {
    const plane = preview.tileWidth * preview.tileHeight;
    const one: Preview = { ...preview, shown: 1, data: preview.data.slice(channel * plane, (channel + 1) * plane) };
    const side = Math.max(one.tileWidth, one.tileHeight);
    const grid = layoutGrid(one, 480, Math.min(480, Math.max(side, 320)));
    // the same colours as in the layer's grid
    drawGrid(this.zoomCanvas, grid, preview.min, preview.max);
    this.zoomCanvas.style.width = `${gridSize(grid).width}px`;
    this.zoomCaption.textContent = `${name} · depth slice ${channel} of ${preview.channels} · ${preview.width}×${preview.height}`;
    this.zoomCanvas.onmousemove = (e) => this.hover(grid, this.zoomCanvas, e);
    this.zoomCanvas.onmouseleave = () => (this.tooltip.hidden = true);
    this.zoom.hidden = false;
  }
}
