// Where a layer sits in its network, for the run view's rows: `layer2 › Bottleneck 2 of 3
// › conv` — read from the scope frames every graph node carries (analysis/types.ts
// ScopeFrame). A block use is named by its label, else by its block and which use it is
// among the uses of that block inside the same enclosing use (torchvision's `layer2.2`:
// the 2nd Bottleneck of layer2); a repeat's pass shows only when no block use inside it
// names the pass already; a residual's shortcut and a merge's branches are named, the
// residual's body is the plain path. Pure: tested without a browser.

import type { GraphNode, ScopeFrame } from "../analysis/types";

type BlockFrame = Extract<ScopeFrame, { kind: "block" }>;

export interface Segment {
  text: string;
  /** the block use this segment names (rows are grouped by it) */
  block?: BlockFrame;
  /** what the segment means in full, for a tooltip */
  title: string;
}

export interface LayerPath {
  segments: Segment[];
  /** the layer itself: `bn`, `conv1 (conv)` */
  leaf: string;
  /** the block uses around the layer, outermost first */
  blocks: BlockFrame[];
}

export class LayerPaths {
  /** block frame id → [its number, how many] among the same block's uses inside the same enclosing use */
  private readonly relative = new Map<number, [number, number]>();

  constructor(graph: readonly GraphNode[]) {
    const siblings = new Map<string, Set<number>>();
    const seen = new Set<number>();
    for (const node of graph) {
      let parent = -1;
      for (const frame of node.scope ?? []) {
        if (frame.kind !== "block") continue;
        if (!seen.has(frame.id)) {
          seen.add(frame.id);
          const key = `${parent}|${frame.block}`;
          const set = siblings.get(key) ?? new Set<number>();
          set.add(frame.id);
          siblings.set(key, set);
        }
        parent = frame.id;
      }
    }
    for (const set of siblings.values()) {
      const ids = [...set].sort((a, b) => a - b);
      ids.forEach((id, i) => this.relative.set(id, [i + 1, ids.length]));
    }
  }

  /** `Bottleneck 2 of 3`, `layer2`, `Project` (the only one). */
  blockName(frame: BlockFrame): string {
    if (frame.label) return frame.label;
    const [i, n] = this.relative.get(frame.id) ?? [frame.use, frame.uses];
    return n > 1 ? `${frame.block} ${i} of ${n}` : frame.block;
  }

  /** The block use in full: `layer2: Stage, use 2 of 4 in the network`. */
  blockTitle(frame: BlockFrame): string {
    return `${frame.label ? `${frame.label}: ` : ""}${frame.block}, use ${frame.use} of ${frame.uses} in the network`;
  }

  of(node: GraphNode): LayerPath {
    const scope = node.scope ?? [];
    const segments: Segment[] = [];
    const blocks: BlockFrame[] = [];
    scope.forEach((frame, i) => {
      switch (frame.kind) {
        case "block":
          blocks.push(frame);
          segments.push({ text: this.blockName(frame), block: frame, title: this.blockTitle(frame) });
          return;
        case "repeat": {
          // a block use inside the pass already says which pass it is
          if (scope.slice(i + 1).some((f) => f.kind === "block")) return;
          const pass = `pass ${frame.iteration} of ${frame.count ?? "?"}`;
          segments.push({ text: frame.label ? `${frame.label} ${pass}` : pass, title: `repeat: ${pass}` });
          return;
        }
        case "residual":
          if (frame.path === "shortcut") segments.push({ text: "shortcut", title: "the residual's shortcut" });
          return;
        case "branch":
          segments.push({ text: `branch ${frame.branch} of ${frame.branches}`, title: `${frame.merge}: branch ${frame.branch} of ${frame.branches}` });
      }
    });
    return { segments, leaf: node.label ? `${node.label} (${node.op})` : node.op, blocks };
  }

  /** The whole path as one line: `layer2 › Bottleneck 2 of 3 › bn`. */
  text(node: GraphNode): string {
    const p = this.of(node);
    return [...p.segments.map((s) => s.text), p.leaf].join(" › ");
  }
}
