// Lays a diagram out: boxes, frames and edges with coordinates. Each open frame (the
// network, an expanded block use or repeat) is one layered graph laid out by dagre, with
// its inner frames as boxes of their own size (bottom-up), and the paths of a residual /
// concat / add / mul laid out inside the frame that holds them, so a skip goes around the
// layers it skips. A frame's layout depends only on what is inside it: an edit moves the
// frames it touches and those below, and identical frames (every ResNet bottleneck of a
// stage) are laid out once — levels are cached by what dagre is given.

import { Graph as DagreGraph, layout as dagreLayout } from "@dagrejs/dagre";
import type { Diagram, Fault, Item, LayerItem, ParallelGroup, SequenceGroup, ShapeArray } from "./model";
import { countsLabel, shapeLabel, textWidth, type ShapeFormat } from "./text";

export type Style = "flow" | "volume";

export interface LayoutOptions {
  style?: Style;
  /** which frames are open: "auto" (as many levels as fit about 160 boxes), "all", "none", or a depth */
  expand?: "auto" | "all" | "none" | number;
  /** frame key → open or not: the view's clicks, over `expand` */
  toggled?: Record<string, boolean>;
  shapeFormat?: ShapeFormat;
}

export interface Point {
  x: number;
  y: number;
}

export interface SceneBox {
  key: string;
  /** top-left corner and size */
  x: number;
  y: number;
  w: number;
  h: number;
  /** layer kind, merge op, or `call` / `repeat` for a closed frame */
  kind: string;
  family: string;
  /** lines of text, top to bottom; the first `bold` ones in bold */
  lines: { text: string; size: number; bold: boolean; muted: boolean }[];
  /** a closed frame: a click opens it */
  closed: boolean;
  merge: boolean;
  fault: Fault | null;
  /** the output shape was not known (a fault above) */
  unknown: boolean;
  output: string;
  start: number;
  end: number;
  line: number;
  node: number | null;
  tooltip: string;
  /** volume style: the drawn cuboid (front face w×h, depth offset) */
  volume?: { face: number; depth: number; thick: number };
}

export interface SceneEdge {
  /** box keys; where an edge meets a frame's border: `<frame key>/in`, `<frame key>/out` (the network's own end: `/out`) */
  from: string;
  to: string;
  points: Point[];
  label: string | null;
  lx: number;
  ly: number;
  /** passes its input by (an identity shortcut, an empty branch) */
  skip: boolean;
}

export interface SceneFrame {
  key: string;
  x: number;
  y: number;
  w: number;
  h: number;
  kind: string;
  title: string;
  counts: string;
  fault: Fault | null;
  start: number;
  end: number;
  line: number;
  depth: number;
}

export interface Scene {
  style: Style;
  width: number;
  height: number;
  boxes: SceneBox[];
  edges: SceneEdge[];
  frames: SceneFrame[];
}

// ---- sizes ----

const TITLE = 12;
const SMALL = 10.5;
const PAD_X = 10;
const LINE = { [TITLE]: 15, [SMALL]: 13 } as Record<number, number>;
const EDGE_LABEL = 10;
const FRAME_TITLE = 22;
const FRAME_PAD = 12;
const AUTO_BUDGET = 160;

// ---- which frames are open ----

function countVisible(items: Item[], depthLimit: number, depth: number): number {
  let n = 0;
  for (const item of items) {
    if (item.type === "layer") n++;
    else if (item.type === "sequence") n += depth < depthLimit ? countVisible(item.children, depthLimit, depth + 1) : 1;
    else {
      for (const p of item.paths) n += countVisible(p, depthLimit, depth);
      n++;
    }
  }
  return n;
}

function maxDepth(items: Item[], depth = 0): number {
  let d = depth;
  for (const item of items) {
    if (item.type === "sequence") d = Math.max(d, maxDepth(item.children, depth + 1));
    else if (item.type === "parallel") for (const p of item.paths) d = Math.max(d, maxDepth(p, depth));
  }
  return d;
}

/** frames open below this depth */
export function openDepth(diagram: Diagram, expand: LayoutOptions["expand"] = "auto"): number {
  if (expand === "all") return Infinity;
  if (expand === "none") return 0;
  if (typeof expand === "number") return expand;
  const deepest = maxDepth(diagram.items);
  let d = 0;
  while (d < deepest && countVisible(diagram.items, d + 1, 0) <= AUTO_BUDGET) d++;
  return d;
}

// ---- one level: what dagre is given ----

interface LevelNode {
  w: number;
  h: number;
  /** left-to-right place among the paths (the text's order), in [0, 1) */
  pos: number;
  /** what it stands for: a box, an inner frame (laid out already), or the entry/exit point */
  box?: SceneBox;
  frame?: Block;
  dummy?: "in" | "out" | "pass";
}

interface LevelEdge {
  v: number;
  w: number;
  label: string | null;
  skip: boolean;
}

/** A laid-out frame or network, in its own coordinates (0,0 top-left). */
interface Block {
  w: number;
  h: number;
  /** where the flow enters (x at the top) and leaves (x at the bottom) */
  entry: number;
  exit: number;
  /** the key of the item whose output leaves the block */
  exitKey: string;
  boxes: SceneBox[];
  edges: SceneEdge[];
  frames: SceneFrame[];
}

interface DagreResult {
  nodes: Point[];
  edges: { points: Point[]; x: number; y: number }[];
}

const cache = new Map<string, DagreResult>();
const CACHE_LIMIT = 2000;

/** Forget every cached level (the bench measures a cold layout with it). */
export function clearLayoutCache(): void {
  cache.clear();
}

/**
 * A level that is one chain (no merge inside: a repeat of closed block uses, a stage)
 * is the straight column dagre gives it; it is stacked directly, without the graph
 * machinery (most of the levels of a large net are such chains).
 */
function chainLayout(nodes: LevelNode[], edges: LevelEdge[], style: Style): DagreResult | null {
  if (edges.length !== nodes.length - 1) return null;
  for (let i = 0; i < edges.length; i++) if (edges[i].v !== i || edges[i].w !== i + 1) return null;
  const volume = style === "volume";
  const across = Math.max(...nodes.map((n) => (volume ? n.h : n.w)));
  const result: DagreResult = { nodes: [], edges: [] };
  let at = 0;
  nodes.forEach((n, i) => {
    const along = volume ? n.w : n.h;
    if (i > 0) at += volume ? 24 : edges[i - 1].label === null ? 14 : 26;
    const center = at + along / 2;
    result.nodes.push(volume ? { x: center, y: across / 2 } : { x: across / 2, y: center });
    at += along;
  });
  edges.forEach((e, i) => {
    const a = result.nodes[e.v];
    const b = result.nodes[e.w];
    const from = volume ? { x: a.x + nodes[e.v].w / 2, y: a.y } : { x: a.x, y: a.y + nodes[e.v].h / 2 };
    const to = volume ? { x: b.x - nodes[e.w].w / 2, y: b.y } : { x: b.x, y: b.y - nodes[e.w].h / 2 };
    const labelW = e.label === null ? 0 : textWidth(e.label, EDGE_LABEL) + 6;
    const mid = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
    result.edges[i] = { points: [from, mid, to], x: volume ? mid.x : mid.x + 4 + labelW / 2, y: volume ? mid.y - EDGE_LABEL : mid.y };
  });
  return result;
}

function runDagre(nodes: LevelNode[], edges: LevelEdge[], style: Style): DagreResult {
  const chain = chainLayout(nodes, edges, style);
  if (chain) return chain;
  const labelH = EDGE_LABEL + 2;
  const signature =
    style +
    "|" +
    nodes.map((n) => `${Math.round(n.w)}x${Math.round(n.h)}${n.dummy ? n.dummy : ""}`).join(",") +
    "|" +
    edges.map((e) => `${e.v}>${e.w}:${e.label === null ? "" : Math.ceil(textWidth(e.label, EDGE_LABEL))}`).join(",") +
    "|" +
    nodes.map((n) => n.pos.toFixed(6)).join(",");
  const hit = cache.get(signature);
  if (hit) return hit;
  const g = new DagreGraph({ multigraph: true });
  const volume = style === "volume";
  g.setGraph({ rankdir: volume ? "LR" : "TB", nodesep: volume ? 28 : 22, ranksep: volume ? 26 : 14, edgesep: 14, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  nodes.forEach((n, i) => g.setNode(String(i), { width: n.w, height: n.h }));
  edges.forEach((e, i) => {
    const label = e.label === null ? {} : { width: textWidth(e.label, EDGE_LABEL) + 6, height: labelH, labelpos: "r" as const, labeloffset: 4 };
    g.setEdge(String(e.v), String(e.w), { ...label, minlen: 1, weight: e.skip ? 1 : 2 }, String(i));
  });
  // paths side by side in the order the text gives them: a series-parallel graph laid in
  // that order has no crossing, so dagre's crossing reduction is replaced by a sort
  const outDegree = new Array<number>(nodes.length).fill(0);
  for (const e of edges) outDegree[e.v]++;
  const posOf = (graph: DagreGraph, v: string): number => {
    const label = graph.node(v) as { edgeObj?: { v: string; w: string } };
    if (label.edgeObj) {
      const from = Number(label.edgeObj.v);
      return outDegree[from] > 1 ? nodes[Number(label.edgeObj.w)].pos : nodes[from].pos;
    }
    return nodes[Number(v)].pos;
  };
  dagreLayout(g, {
    customOrder: (graph: DagreGraph) => {
      const ranks = new Map<number, { v: string; pos: number; i: number }[]>();
      graph.nodes().forEach((v: string, i: number) => {
        const rank = (graph.node(v) as { rank?: number }).rank;
        if (typeof rank !== "number") return;
        if (!ranks.has(rank)) ranks.set(rank, []);
        ranks.get(rank)!.push({ v, pos: posOf(graph, v), i });
      });
      for (const list of ranks.values()) {
        list.sort((a, b) => a.pos - b.pos || a.i - b.i);
        list.forEach((x, order) => ((graph.node(x.v) as { order?: number }).order = order));
      }
    },
  });
  const result: DagreResult = {
    nodes: nodes.map((_, i) => {
      const n = g.node(String(i));
      return { x: n.x, y: n.y };
    }),
    edges: edges.map((e, i) => {
      const l = g.edge({ v: String(e.v), w: String(e.w), name: String(i) }) as { points: Point[]; x?: number; y?: number };
      return { points: l.points.map((p) => ({ x: p.x, y: p.y })), x: l.x ?? 0, y: l.y ?? 0 };
    }),
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(signature, result);
  return result;
}

// ---- the layout ----

export function layoutDiagram(diagram: Diagram, options: LayoutOptions = {}): Scene {
  const style = options.style ?? "flow";
  const format = options.shapeFormat ?? "WxHxD";
  const depthOpen = openDepth(diagram, options.expand);
  const toggled = options.toggled ?? {};
  const isOpen = (g: SequenceGroup, depth: number) => toggled[g.key] ?? depth < depthOpen;
  const shape = (s: ShapeArray | null) => shapeLabel(s, format);

  const leaf = (item: LayerItem, merge: boolean): SceneBox => {
    const lines: SceneBox["lines"] = [];
    if (merge) {
      lines.push({ text: item.kind, size: SMALL, bold: true, muted: false });
    } else if (style === "volume") {
      // the kind above the volume, its shape below: `55×55×96`
      if (item.label) lines.push({ text: item.label, size: SMALL, bold: false, muted: true });
      lines.push({ text: item.detail ? `${item.kind} ${item.detail}` : item.kind, size: SMALL, bold: true, muted: false });
      lines.push({ text: shape(item.output), size: SMALL, bold: false, muted: false });
    } else {
      if (item.label) lines.push({ text: item.label, size: SMALL, bold: false, muted: true });
      const title = item.kind === "input" ? `input ${shape(item.output)}` : item.detail ? `${item.kind} ${item.detail}` : item.kind;
      lines.push({ text: title, size: TITLE, bold: true, muted: false });
      const counts = countsLabel(item.params, item.macs);
      if (counts) lines.push({ text: counts, size: SMALL, bold: false, muted: true });
    }
    return makeBox(item, item.kind, lines, false, merge, style, shape(item.output));
  };

  const closedFrame = (group: SequenceGroup): SceneBox => {
    const lines: SceneBox["lines"] = [];
    if (group.label) lines.push({ text: group.label, size: SMALL, bold: false, muted: true });
    lines.push({ text: frameTitle(group), size: TITLE, bold: true, muted: false });
    lines.push({ text: `→ ${shape(group.output)}`, size: SMALL, bold: false, muted: false });
    const counts = countsLabel(group.params, group.macs);
    if (counts) lines.push({ text: counts, size: SMALL, bold: false, muted: true });
    return makeBox(group, group.kind, lines, true, false, style, shape(group.output));
  };

  /** lays out a frame's items (or the network's) as one dagre graph */
  const level = (items: Item[], depth: number, framed: SequenceGroup | null): Block => {
    const nodes: LevelNode[] = [];
    const edges: LevelEdge[] = [];
    const keys: string[] = [];
    const add = (n: LevelNode, key: string) => {
      nodes.push(n);
      keys.push(key);
      return nodes.length - 1;
    };
    interface Port {
      id: number;
      shape: ShapeArray | null;
      key: string;
    }
    const link = (from: Port[], to: number) => {
      // (in volume style the shape is written under each volume instead)
      for (const p of from) edges.push({ v: p.id, w: to, label: nodes[p.id].dummy || style === "volume" ? null : shape(p.shape), skip: false });
    };
    const startsWithInput = !framed && items[0]?.type === "layer" && items[0].kind === "input";
    let ports: Port[] = [];
    if (!startsWithInput) ports = [{ id: add({ w: 0, h: 0, pos: 0.5, dummy: "in" }, "in"), shape: framed?.input ?? null, key: "" }];

    // [lo, hi): the share of the width a path has, split among the paths of a merge in order
    const sequence = (list: Item[], from: Port[], lo: number, hi: number): Port[] => {
      let current = from;
      for (const item of list) current = [place(item, current, lo, hi)];
      return current;
    };
    const place = (item: Item, from: Port[], lo: number, hi: number): Port => {
      const pos = (lo + hi) / 2;
      if (item.type === "layer") {
        const id = add({ w: 0, h: 0, pos, box: leaf(item, false) }, item.key);
        sizeFromBox(nodes[id]);
        link(from, id);
        return { id, shape: item.output, key: item.key };
      }
      if (item.type === "sequence") {
        if (isOpen(item, depth)) {
          const inner = level(item.children, depth + 1, item);
          const id = add({ w: inner.w, h: inner.h, pos, frame: inner }, item.key);
          link(from, id);
          return { id, shape: item.output, key: inner.exitKey };
        }
        const id = add({ w: 0, h: 0, pos, box: closedFrame(item) }, item.key);
        sizeFromBox(nodes[id]);
        link(from, id);
        return { id, shape: item.output, key: item.key };
      }
      return parallel(item, from, lo, hi);
    };
    const parallel = (item: ParallelGroup, from: Port[], lo: number, hi: number): Port => {
      const ends: Port[] = [];
      const passes = new Set<number>();
      const k = Math.max(1, item.paths.length);
      item.paths.forEach((path, j) => {
        const a = lo + ((hi - lo) * j) / k;
        const b = lo + ((hi - lo) * (j + 1)) / k;
        if (path.length === 0) {
          // an empty path passes its input by: a point of its own, so paths keep the text's order
          const pass = add({ w: 0, h: 0, pos: (a + b) / 2, dummy: "pass" }, "pass");
          link(from, pass);
          passes.add(pass);
          ends.push(...from.map((p) => ({ ...p, id: pass })));
        } else ends.push(...sequence(path, from, a, b));
      });
      const id = add({ w: 0, h: 0, pos: (lo + hi) / 2, box: leaf(item.merge, true) }, item.merge.key);
      sizeFromBox(nodes[id]);
      for (const p of ends) edges.push({ v: p.id, w: id, label: passes.has(p.id) || nodes[p.id].dummy || style === "volume" ? null : shape(p.shape), skip: passes.has(p.id) });
      return { id, shape: item.merge.output, key: item.merge.key };
    };

    const last = sequence(items, ports, 0, 1);
    // the output leaves at the bottom: a frame's edge meets the next box outside; the
    // network's last edge carries its output shape
    const out = add({ w: 0, h: 0, pos: 0.5, dummy: "out" }, "out");
    for (const p of last) edges.push({ v: p.id, w: out, label: framed || nodes[p.id].dummy || style === "volume" ? null : shape(p.shape), skip: false });
    const exitKey = last.length === 1 ? last[0].key : "";

    const laid = runDagre(nodes, edges, style);
    return assemble(nodes, edges, keys, laid, framed, depth, exitKey, style, format);
  };

  const root = level(diagram.items, 0, null);
  const margin = 16;
  const scene: Scene = { style, width: Math.ceil(root.w + 2 * margin), height: Math.ceil(root.h + 2 * margin), boxes: [], edges: [], frames: [] };
  translate(root, margin, margin, scene);
  return scene;
}

function frameTitle(group: SequenceGroup): string {
  if (group.kind === "repeat") {
    // `repeat 6 × DenseLayer()` when every iteration is one use of one block
    const calls = group.children.filter((c) => c.type === "sequence" && c.kind === "call") as SequenceGroup[];
    const names = new Set(calls.map((c) => c.name));
    if (calls.length === group.children.length && names.size === 1 && calls.length > 0) return `${group.name} × ${calls[0].name}`;
  }
  return group.name;
}

function makeBox(item: LayerItem | SequenceGroup, kind: string, lines: SceneBox["lines"], closed: boolean, merge: boolean, style: Style, output: string): SceneBox {
  const tip = [
    `line ${item.line}`,
    item.type === "layer" ? `${item.kind}${item.detail ? " " + item.detail : ""}` : item.name,
    `→ ${output}`,
    item.params !== "0" || item.macs !== "0" ? `${groupDigits(item.params)} params · ${groupDigits(item.macs)} MACs` : "",
    item.fault ? `${item.fault.severity}: ${item.fault.message}` : "",
  ].filter((s) => s !== "");
  return {
    key: item.key,
    x: 0,
    y: 0,
    w: 0,
    h: 0,
    kind,
    family: merge ? "merge" : item.type === "layer" ? item.family : "block",
    lines,
    closed,
    merge,
    fault: item.fault,
    unknown: item.output === null,
    output,
    start: item.start,
    end: item.end,
    line: item.line,
    node: item.type === "layer" ? item.node : null,
    tooltip: tip.join("\n"),
    ...(style === "volume" && !merge ? { volume: volumeOf(item.output, kind) } : {}),
  };
}

function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Volume style (NN-SVG, PlotNeuralNet): the front face grows with W×H, the thickness with D (both on a log scale). */
function volumeOf(output: ShapeArray | null, kind: string): { face: number; depth: number; thick: number } {
  if (!output) return { face: 40, depth: 14, thick: 8 };
  if (output.length === 1) {
    // a vector: a tall thin bar
    const n = output[0];
    return { face: Math.min(180, 24 + 18 * Math.log2(n + 1)), depth: 6, thick: 6 };
  }
  const [w, h, d] = output;
  const side = Math.min(170, 14 + 16 * Math.log2(Math.max(w, h) + 1));
  const thick = Math.min(90, 3 + 6 * Math.log2(d + 1));
  return { face: side, depth: Math.max(6, side * 0.45), thick: kind === "input" ? Math.max(4, thick) : thick };
}

function sizeFromBox(node: LevelNode) {
  const box = node.box!;
  if (box.volume) {
    const v = box.volume;
    const labelW = Math.max(...box.lines.map((l) => textWidth(l.text, l.size, l.bold))) + 4;
    box.w = Math.max(v.thick + v.depth, labelW);
    box.h = v.face + v.depth + 14 * box.lines.length + 16;
  } else {
    const textW = Math.max(...box.lines.map((l) => textWidth(l.text, l.size, l.bold)));
    box.w = Math.ceil(Math.max(box.merge ? 44 : 96, textW + 2 * PAD_X + (box.closed ? 14 : 0)));
    box.h = box.merge ? 22 : 8 + box.lines.reduce((s, l) => s + LINE[l.size], 0) + (box.closed ? 4 : 0);
  }
  node.w = box.w;
  node.h = box.h;
}

function assemble(nodes: LevelNode[], edges: LevelEdge[], keys: string[], laid: DagreResult, framed: SequenceGroup | null, depth: number, exitKey: string, style: Style, format: ShapeFormat): Block {
  // bounds of what is drawn (not the entry and exit points)
  let left = Infinity;
  let right = -Infinity;
  let top = Infinity;
  let bottom = -Infinity;
  const grow = (x0: number, y0: number, x1: number, y1: number) => {
    left = Math.min(left, x0);
    right = Math.max(right, x1);
    top = Math.min(top, y0);
    bottom = Math.max(bottom, y1);
  };
  nodes.forEach((n, i) => {
    if (n.dummy) return;
    const p = laid.nodes[i];
    grow(p.x - n.w / 2, p.y - n.h / 2, p.x + n.w / 2, p.y + n.h / 2);
  });
  laid.edges.forEach((e, i) => {
    for (const p of e.points) grow(p.x, p.y, p.x, p.y);
    const label = edges[i].label;
    if (label !== null) grow(e.x - textWidth(label, EDGE_LABEL) / 2 - 3, e.y - EDGE_LABEL, e.x + textWidth(label, EDGE_LABEL) / 2 + 3, e.y + EDGE_LABEL);
  });
  if (left === Infinity) {
    left = right = top = bottom = 0;
  }
  const inIndex = nodes.findIndex((n) => n.dummy === "in");
  const outIndex = nodes.findIndex((n) => n.dummy === "out");
  let title = "";
  let counts = "";
  let offsetX = 0;
  let offsetY = 0;
  let w = right - left;
  let h = bottom - top;
  let entry = inIndex >= 0 ? laid.nodes[inIndex].x - left : w / 2;
  if (framed) {
    title = `${framed.label ? framed.label + ": " : ""}${frameTitle(framed)}`;
    counts = `${countsLabel(framed.params, framed.macs)}${framed.output ? `${framed.params !== "0" || framed.macs !== "0" ? " · " : ""}→ ${shapeLabel(framed.output, format)}` : ""}`;
    const titleW = textWidth(title, SMALL, true) + 12;
    if (style === "volume") {
      // left to right: the flow enters at the left border, the title above
      offsetX = FRAME_PAD;
      w = Math.max(w + 2 * FRAME_PAD, titleW + 16, textWidth(counts, 10) + 16);
      offsetY = FRAME_TITLE + 8;
      h = h + offsetY + FRAME_PAD + 12;
    } else {
      // the entry in the middle, the title left of it
      const half = Math.max(entry, w - entry, titleW + 8, textWidth(counts, 10) + 16) + FRAME_PAD;
      offsetX = half - entry;
      w = 2 * half;
      entry = half;
      offsetY = FRAME_TITLE + 6;
      h = h + offsetY + FRAME_PAD + 12;
    }
  }
  const dx = offsetX - left;
  const dy = offsetY - top;
  const exit = outIndex >= 0 ? laid.nodes[outIndex].x + dx : entry;
  const block: Block = { w, h, entry, exit, exitKey, boxes: [], edges: [], frames: [] };
  if (framed) {
    block.frames.push({
      key: framed.key,
      x: 0,
      y: 0,
      w,
      h,
      kind: framed.kind,
      title,
      counts,
      fault: framed.fault,
      start: framed.start,
      end: framed.end,
      line: framed.line,
      depth,
    });
  }
  nodes.forEach((n, i) => {
    const p = laid.nodes[i];
    const x = p.x + dx - n.w / 2;
    const y = p.y + dy - n.h / 2;
    if (n.box) block.boxes.push({ ...n.box, x, y });
    else if (n.frame) {
      const inner = n.frame;
      for (const b of inner.boxes) block.boxes.push({ ...b, x: b.x + x, y: b.y + y });
      for (const f of inner.frames) block.frames.push({ ...f, x: f.x + x, y: f.y + y });
      for (const e of inner.edges) block.edges.push(shiftEdge(e, x, y));
    }
  });
  laid.edges.forEach((e, i) => {
    const edge = edges[i];
    const source = nodes[edge.v];
    const target = nodes[edge.w];
    // the two halves of a pass-by (fork → pass point → merge) are one edge
    if (source.dummy === "pass") return;
    let points = e.points.map((p) => ({ x: p.x + dx, y: p.y + dy }));
    let to = edge.w;
    if (target.dummy === "pass") {
      const rest = edges.findIndex((x) => x.v === edge.w);
      if (rest < 0) return;
      points = [...points, ...laid.edges[rest].points.slice(1).map((p) => ({ x: p.x + dx, y: p.y + dy }))];
      to = edges[rest].w;
    }
    const end = nodes[to];
    const sp = laid.nodes[edge.v];
    const tp = laid.nodes[to];
    const vertical = style !== "volume";
    // an edge into or out of an inner frame meets it where its flow enters and leaves
    if (source.frame) {
      const f = source.frame;
      points[0] = vertical ? { x: sp.x + dx - f.w / 2 + f.exit, y: sp.y + dy + f.h / 2 } : { x: sp.x + dx + f.w / 2, y: sp.y + dy };
    }
    if (end.frame) {
      const f = end.frame;
      points[points.length - 1] = vertical ? { x: tp.x + dx - f.w / 2 + f.entry, y: tp.y + dy - f.h / 2 } : { x: tp.x + dx - f.w / 2, y: tp.y + dy };
    }
    if (source.dummy === "in") points[0] = vertical ? { x: sp.x + dx, y: 0 } : { x: 0, y: sp.y + dy };
    if (end.dummy === "out") points[points.length - 1] = vertical ? { x: tp.x + dx, y: h } : { x: w, y: tp.y + dy };
    if (source.dummy === "in" && !framed) return;
    block.edges.push({
      from: source.dummy === "in" ? `${framed?.key ?? ""}/in` : source.frame ? `${keys[edge.v]}/out` : keys[edge.v],
      to: end.dummy === "out" ? `${framed?.key ?? ""}/out` : end.frame ? `${keys[to]}/in` : keys[to],
      points,
      label: edge.label,
      lx: e.x + dx,
      ly: e.y + dy,
      skip: target.dummy === "pass" || edge.skip,
    });
  });
  return block;
}

function shiftEdge(e: SceneEdge, x: number, y: number): SceneEdge {
  return { ...e, points: e.points.map((p) => ({ x: p.x + x, y: p.y + y })), lx: e.lx + x, ly: e.ly + y };
}

function translate(block: Block, x: number, y: number, scene: Scene) {
  for (const b of block.boxes) scene.boxes.push({ ...b, x: b.x + x, y: b.y + y });
  for (const f of block.frames) scene.frames.push({ ...f, x: f.x + x, y: f.y + y });
  for (const e of block.edges) scene.edges.push(shiftEdge(e, x, y));
}
