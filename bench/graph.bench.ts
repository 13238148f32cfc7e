// Layout time of the architecture view (target: ResNet-152 under 200 ms). For ResNet-152
// and DenseNet-169, as the view first opens them (`auto`: as many frames open as fit about
// 160 boxes) and with every frame open (`all`, ~500-600 boxes):
//   - build: analysis → diagram (what the server does per edit);
//   - layout cold: a layout with an empty level cache (the first one);
//   - layout edit: after a one-layer edit (the cache kept: what typing costs);
//   - svg: the scene written as SVG text;
//   - and beside them, the peer: the same boxes and edges as one flat dagre graph (what
//     laying out without frames would cost), so the ratio shows what the frames buy.
// Medians of 7 runs after 2 warm-ups, each after a full collection.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Graph as DagreGraph, layout as dagreLayout } from "@dagrejs/dagre";
import { analyze } from "../analysis";
import { buildDiagram } from "../diagram/build";
import { clearLayoutCache, layoutDiagram, type Scene } from "../diagram/layout";
import { sceneToSvg } from "../diagram/svg";

const gc = (globalThis as { gc?: () => void }).gc;
const root = join(__dirname, "..", "..");

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const mins: number[] = [];
function time(runs: number, setup: () => void, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    setup();
    gc?.();
    const t = performance.now();
    fn();
    if (i >= 2) times.push(performance.now() - t);
  }
  mins.push(Math.min(...times));
  return median(times);
}

/** the scene's boxes and edges as one dagre graph: the flat layout a frame-less view would do */
function flatDagre(scene: Scene) {
  const g = new DagreGraph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 22, ranksep: 14 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of scene.boxes) g.setNode(b.key, { width: b.w, height: b.h });
  // an edge through a frame border joins the boxes on either side of it
  const into = new Map<string, string[]>();
  for (const e of scene.edges) if (!g.hasNode(e.to)) into.set(e.to, [...(into.get(e.to) ?? []), e.from]);
  const sources = (k: string): string[] => (g.hasNode(k) ? [k] : (into.get(k) ?? []).flatMap(sources));
  let i = 0;
  for (const e of scene.edges) {
    if (!g.hasNode(e.to)) continue;
    for (const s of sources(e.from)) if (g.hasNode(s)) g.setEdge(s, e.to, { width: e.label ? 60 : 0, height: e.label ? 12 : 0, labelpos: "r" }, String(i++));
  }
  dagreLayout(g);
}

const nets = [
  { file: "resnet152.cnn", name: "ResNet-152" },
  { file: "densenet169.cnn", name: "DenseNet-169" },
];

console.log(`graph: the architecture view's layout (median ms of 7 runs; load average ${(require("node:os") as typeof import("node:os")).loadavg()[0].toFixed(1)} on ${(require("node:os") as typeof import("node:os")).cpus().length} cores)`);
for (const net of nets) {
  const text = readFileSync(join(root, "examples", net.file), "utf8");
  const analysis = analyze(text, net.file);
  // an edit: one more relu at the end of the network
  const editedText = text.replace(/\n  fc 1000\n/, "\n  fc 1000\n  relu\n");
  const edited = analyze(editedText, net.file);
  const network = analysis.networks[0];
  const build = time(7, () => {}, () => buildDiagram(analysis, network));
  const diagram = buildDiagram(analysis, network);
  const editedDiagram = buildDiagram(edited, edited.networks[0]);
  for (const expand of ["auto", "all"] as const) {
    const cold = time(7, clearLayoutCache, () => layoutDiagram(diagram, { expand }));
    const coldMin = mins[mins.length - 1];
    const edit = time(7, () => {
      clearLayoutCache();
      layoutDiagram(diagram, { expand });
    }, () => layoutDiagram(editedDiagram, { expand }));
    const scene = layoutDiagram(diagram, { expand });
    const svg = time(7, () => {}, () => sceneToSvg(scene));
    const flat = time(3, () => {}, () => flatDagre(scene));
    console.log(
      `  ${net.name.padEnd(13)} expand ${expand.padEnd(4)} ${String(scene.boxes.length).padStart(4)} boxes ${String(scene.frames.length).padStart(3)} frames: ` +
        `build ${build.toFixed(1)}, layout cold ${cold.toFixed(1)} (min ${coldMin.toFixed(1)}), after an edit ${edit.toFixed(1)}, svg ${svg.toFixed(1)} | peer: flat dagre ${flat.toFixed(0)} ms (${(flat / cold).toFixed(1)}× ours cold)`,
    );
  }
}
