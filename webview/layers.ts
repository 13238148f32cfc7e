// The layer list of the run view: one card per layer as it finishes — its line, its path
// in the network (`layer2 › Bottleneck 2 of 3 › bn`, webview/paths.ts), output shape,
// time, and what it computed: a heatmap grid of its depth slices, or for a vector one
// labelled bar per index (webview/vector.ts), with the colour legend. Cards inside a
// block use are grouped in a collapsible section per use (nested as the uses are).
// Values under the mouse; one depth slice enlarged on a click.

import type { GraphNode, ScopeFrame } from "../analysis/types";
import { shapeText } from "../analysis/format";
import { float32Text } from "../engine/numbers";
import type { Preview } from "../engine/preview";
import { colourScale } from "./colormap";
import { h } from "./dom";
import { describeHit, drawGrid, gridSize, hitTest, layoutGrid, type Grid } from "./heatmap";
import { significant } from "./numbers";
import { LayerPaths } from "./paths";
import { describeBar, drawVector, layoutVector, vectorHit } from "./vector";

type BlockFrame = Extract<ScopeFrame, { kind: "block" }>;

interface LayerCard {
  timeBar: HTMLElement;
  ms: number;
}

interface Group {
  frame: BlockFrame;
  details: HTMLDetailsElement;
  body: HTMLElement;
  stat: HTMLElement;
  layers: number;
  ms: number;
}

export class LayerList {
  private cards: LayerCard[] = [];
  private paths = new LayerPaths([]);
  private frameLines = new Map<number, number>();
  private groups: Group[] = [];
  private allGroups: Group[] = [];
  private readonly tooltip = h("div", { class: "tooltip", hidden: true });
  private readonly zoomCanvas = h("canvas", { class: "zoom-canvas" });
  private readonly zoomCaption = h("div", { class: "caption", "data-testid": "zoom-caption" });
  readonly zoom = h("div", { class: "zoom", hidden: true, role: "dialog", "aria-label": "one activation map" });
  private readonly toolbar = h(
    "div",
    { class: "layers-toolbar", hidden: true },
    h("button", { type: "button", class: "link", "data-testid": "collapse-blocks", onclick: () => this.openAll(false) }, "Collapse every block use"),
    h("button", { type: "button", class: "link", "data-testid": "expand-blocks", onclick: () => this.openAll(true) }, "Expand all"),
  );

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
    box.before(this.toolbar);
    document.body.append(this.zoom, this.tooltip);
  }

  /** A new run: its graph names the paths; `frameLines` the line of each block use. */
  clear(graph: readonly GraphNode[] = [], frameLines: readonly (readonly [number, number])[] = []): void {
    this.box.replaceChildren();
    this.cards = [];
    this.groups = [];
    this.allGroups = [];
    this.paths = new LayerPaths(graph);
    this.frameLines = new Map(frameLines);
    this.toolbar.hidden = true;
  }

  private openAll(open: boolean): void {
    for (const g of this.allGroups) g.details.open = open;
  }

  /** The section of the innermost block use around the layer (made as the run reaches it). */
  private containerFor(blocks: BlockFrame[]): HTMLElement {
    let keep = 0;
    while (keep < this.groups.length && keep < blocks.length && this.groups[keep].frame.id === blocks[keep].id) keep++;
    this.groups.length = keep;
    for (let i = keep; i < blocks.length; i++) {
      const frame = blocks[i];
      const line = this.frameLines.get(frame.id);
      const stat = h("span", { class: "group-stat" });
      const summary = h(
        "summary",
        { title: this.paths.blockTitle(frame) },
        h("span", { class: "group-name" }, this.paths.blockName(frame)),
        frame.label ? h("span", { class: "group-block" }, frame.block) : null,
        line ? h("button", { type: "button", class: "link line", title: "show this line", onclick: (e: Event) => (e.preventDefault(), this.reveal(line)) }, `line ${line}`) : null,
        stat,
      );
      const body = h("div", { class: "group-body" });
      const details = h("details", { class: "block-use", open: true, "data-testid": "block-use", "data-frame": frame.id }, summary, body);
      (i === 0 ? this.box : this.groups[i - 1].body).append(details);
      const group: Group = { frame, details, body, stat, layers: 0, ms: 0 };
      this.groups.push(group);
      this.allGroups.push(group);
      this.toolbar.hidden = false;
    }
    return this.groups.length ? this.groups[this.groups.length - 1].body : this.box;
  }

  add(node: GraphNode, line: number | undefined, ms: number, preview: Preview): void {
    const path = this.paths.of(node);
    const container = this.containerFor(path.blocks);
    for (const g of this.groups) {
      g.layers++;
      g.ms += ms;
      g.stat.textContent = `${g.layers} layer${g.layers === 1 ? "" : "s"} · ${g.ms.toFixed(2)} ms`;
    }
    const name = path.leaf;
    const pathText = h(
      "span",
      { class: "layer-path", "data-testid": "layer-path", title: [...path.segments.map((s) => s.title), name].join(" › ") },
      ...path.segments.flatMap((s) => [h("span", { class: "segment" }, s.text), h("span", { class: "sep" }, " › ")]),
      h("span", { class: "layer-name" }, name),
    );
    const timeBar = h("div", { class: "time-bar" });
    const head = h(
      "div",
      { class: "layer-head" },
      h("button", { type: "button", class: "link line", title: "show this line", onclick: () => line && this.reveal(line) }, line ? `line ${line}` : ""),
      pathText,
      h("span", { class: "shape" }, `→ ${shapeText(node.output)}`),
      h("span", { class: "ms" }, `${ms.toFixed(2)} ms`),
    );
    // styles go through the CSSOM: the CSP forbids style attributes
    const ramp = h("span", { class: "ramp" });
    ramp.style.background = colourScale(preview.min, preview.max).gradient;
    const width = Math.max(200, this.box.clientWidth - 24);
    let picture: Element;
    let note = "";
    if (preview.wrapped) {
      // a vector: one bar per index, labelled
      const n = preview.width;
      const values = preview.data.subarray(0, n);
      const layout = layoutVector(n, width, preview.min, preview.max);
      const svg = drawVector(values, layout, preview.min, preview.max, (v) => significant(v, 3), (v) => float32Text(Math.fround(v)));
      svg.setAttribute("data-testid", "layer-vector");
      svg.setAttribute("data-node", String(node.id));
      svg.setAttribute("aria-label", `the ${n} values of ${name}`);
      svg.addEventListener("mousemove", (e) => {
        const bar = vectorHit(layout, svg, e.clientX);
        this.showTooltip(bar === null ? null : describeBar(values, layout, bar, this.format), e);
      });
      svg.addEventListener("mouseleave", () => (this.tooltip.hidden = true));
      picture = svg;
      if (layout.per > 1) note = ` · ${n} values in ${layout.bars} bars of ${layout.per}`;
    } else {
      const grid = layoutGrid(preview, width);
      const canvas = h("canvas", { class: "heatmap", "data-testid": "layer-heatmap", "data-node": node.id, "aria-label": `activation maps of ${name}` });
      drawGrid(canvas, grid);
      canvas.style.width = `${gridSize(grid).width}px`;
      canvas.addEventListener("mousemove", (e) => this.hover(grid, canvas, e));
      canvas.addEventListener("mouseleave", () => (this.tooltip.hidden = true));
      canvas.addEventListener("click", (e) => {
        const hit = hitTest(grid, canvas, e.clientX, e.clientY);
        if (hit) this.enlarge(name, preview, hit.channel);
      });
      picture = canvas;
      if (preview.shown < preview.channels) note += ` · the first ${preview.shown} of ${preview.channels} depth slices`;
      if (preview.factor > 1) note += ` · averaged ${preview.factor}×${preview.factor}`;
    }
    const legend = h("div", { class: "legend" }, h("span", {}, this.format(preview.min)), ramp, h("span", {}, this.format(preview.max)), h("span", { class: "note" }, note));
    container.append(h("article", { class: "layer", "data-testid": "layer-row" }, head, timeBar, picture, legend));
    this.cards.push({ timeBar, ms });
  }

  /** the time bars as a fraction of the slowest layer's */
  scaleTimeBars(): void {
    const slowest = Math.max(...this.cards.map((c) => c.ms), 1e-9);
    for (const c of this.cards) c.timeBar.style.width = `${Math.max(0.5, (c.ms / slowest) * 100)}%`;
  }

  private showTooltip(text: string | null, e: MouseEvent): void {
    if (text === null) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.textContent = text;
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${e.clientX + 12}px`;
    this.tooltip.style.top = `${e.clientY + 12}px`;
  }

  /** `channel`: the depth slice a one-slice grid (the enlarged map) shows */
  private hover(grid: Grid, canvas: HTMLCanvasElement, e: MouseEvent, channel?: number): void {
    const hit = hitTest(grid, canvas, e.clientX, e.clientY);
    this.showTooltip(hit ? describeHit(grid.preview, channel === undefined ? hit : { ...hit, channel }, this.format) : null, e);
  }

  private enlarge(name: string, preview: Preview, channel: number): void {
    const plane = preview.tileWidth * preview.tileHeight;
    const one: Preview = { ...preview, shown: 1, data: preview.data.slice(channel * plane, (channel + 1) * plane) };
    const side = Math.max(one.tileWidth, one.tileHeight);
    const grid = layoutGrid(one, 480, Math.min(480, Math.max(side, 320)));
    // the same colours as in the layer's grid
    drawGrid(this.zoomCanvas, grid, preview.min, preview.max);
    this.zoomCanvas.style.width = `${gridSize(grid).width}px`;
    this.zoomCaption.textContent = zoomCaption(name, preview, channel);
    this.zoomCanvas.onmousemove = (e) => this.hover(grid, this.zoomCanvas, e, channel);
    this.zoomCanvas.onmouseleave = () => (this.tooltip.hidden = true);
    this.zoom.hidden = false;
  }
}

/** `c1 (conv) · depth slice 4 (of 0–5) · 28×28`: numbered from 0, as the hover and PyTorch number channels. */
export function zoomCaption(name: string, preview: Preview, channel: number): string {
  return `${name} · depth slice ${channel} (of 0–${preview.channels - 1}) · ${preview.width}×${preview.height}`;
}
