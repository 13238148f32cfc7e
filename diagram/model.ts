// The architecture diagram of one network: plain JSON that the language server sends to
// the view, and that the CLI and the view lay out and draw alike. A tree that follows the
// text: a network is a sequence of items; a block use or a repeat is a sequence group (a
// frame, collapsible); residual / concat / add / mul (any merge) is a parallel group: paths
// that start from the group's input and rejoin in its merge node. Data flows down each
// sequence and along each path, so the edges follow from the tree.

import type { LayerFamily } from "../analysis/layers";

/** what a layer box is: the catalog's families, the input, a merge, or a word the catalog does not know */
export type ItemFamily = LayerFamily | "input" | "merge" | "other";
export const ITEM_FAMILIES: readonly ItemFamily[] = ["conv", "pool", "norm", "act", "fc", "reg", "reshape", "input", "merge", "other"];

/** [W, H, D] for a volume, [N] for a vector */
export type ShapeArray = number[];

export interface Fault {
  severity: "error" | "warning";
  message: string;
}

interface ItemBase {
  /** stable from one edit to the next while the structure above stays: indices, not offsets */
  key: string;
  /** the statement (UTF-16 offsets) and its 1-based line */
  start: number;
  end: number;
  line: number;
  label: string | null;
  input: ShapeArray | null;
  output: ShapeArray | null;
  /** exact decimal digits */
  params: string;
  macs: string;
  /** a diagnostic on the statement itself (or, on a group, the first inside it) */
  fault: Fault | null;
}

export interface LayerItem extends ItemBase {
  type: "layer";
  /** canonical kind (`conv`, `relu` …), `input`, a merge op (`add`, `concat`, `mul` …), or the unknown word as written */
  kind: string;
  /** the arguments in short: `64 3×3 /2` */
  detail: string;
  /** the catalog's family of the kind (`conv`, `pool` …), `input`, `merge`, or `other` for a word it does not know */
  family: ItemFamily;
  /** the runnable graph's node id, when the layer has one */
  node: number | null;
}

export interface SequenceGroup extends ItemBase {
  type: "sequence";
  /** `call` (a block use) or `repeat` */
  kind: string;
  /** `Basic(64)`, `repeat 6` */
  name: string;
  children: Item[];
}

export interface ParallelGroup extends ItemBase {
  type: "parallel";
  /** the statement: `residual`, `concat`, `add`, `mul` … */
  kind: string;
  /** each path starts from the group's input; an empty path passes it through */
  paths: Item[][];
  /** `body`, `shortcut`, `branch 1` … */
  pathNames: string[];
  merge: LayerItem;
}

export type Item = LayerItem | SequenceGroup | ParallelGroup;

export interface Diagram {
  file: string;
  network: string;
  networks: string[];
  input: ShapeArray | null;
  output: ShapeArray | null;
  params: string;
  macs: string;
  /** true when the network has no error and every shape is known */
  complete: boolean;
  /** the analysis stopped before the end (too many layers) */
  truncated: boolean;
  items: Item[];
}

/** Every layer item of a diagram (merge nodes included), in flow order. */
export function* layersOf(items: Item[]): Generator<LayerItem> {
  for (const item of items) {
    if (item.type === "layer") yield item;
    else if (item.type === "sequence") yield* layersOf(item.children);
    else {
      for (const p of item.paths) yield* layersOf(p);
      yield item.merge;
    }
  }
}

/** Every group of a diagram, outermost first. */
export function* groupsOf(items: Item[]): Generator<SequenceGroup | ParallelGroup> {
  for (const item of items) {
    if (item.type === "sequence") {
      yield item;
      yield* groupsOf(item.children);
    } else if (item.type === "parallel") {
      yield item;
      for (const p of item.paths) yield* groupsOf(p);
    }
  }
}
