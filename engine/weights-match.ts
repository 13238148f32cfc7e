// Which tensors of a weights file go to which layer (docs/ENGINE.md, "Weights files").
//
// Tensors are grouped by module path, as a PyTorch state_dict names them
// (`layer1.0.conv1` for `layer1.0.conv1.weight`). A layer's module path is made of its
// labels (the labelled structures of GraphNode.scope, then its own: analysis/paths.ts).
// The rule, in two steps:
//
// 1. By name: a layer whose module path is exactly a group's name takes that group (its
//    shapes must fit, else an error names both).
// 2. By order, for the rest: the layers, in the design's order, must take the groups in
//    an order the file's names allow — every module's tensors in one run (a module is
//    registered whole), and siblings that differ only in a trailing number (`conv1`,
//    `conv2`; `0`, `1`, `10`; `Mixed_5b`, `Mixed_5c`; `a`, `b`) in that number's order.
//    Siblings with unrelated names (`branch1x1`, `branch5x5_1`) may come in any order.
//    A module's run may not cut across a structure of the design (a block use, a
//    residual's body or shortcut, a branch, a repeat or one of its iterations): the two
//    nest or stay apart, as a design written after the PyTorch code has them.
//    Every shape must fit, and a labelled layer only takes a group whose name contains
//    its labels (`conv1` → `….conv1`; in `layer2: Stage(…)`, `layer2.….conv1`). The
//    assignment is used only when it is the only one these constraints allow; when
//    there is none or more than one, the error lists the layers and tensors involved.
//
// Groups no layer takes are reported (a warning), layers no group fits are an error.

import type { GraphNode } from "../analysis/types";
import type { LayerParams } from "./api";
import type { TensorShape } from "./init";
import type { ParamSpec } from "./ops/types";
import type { NamedTensor } from "./safetensors";
import { modulePathOf, scopeLabels } from "../analysis/paths";
import { mix } from "./random";

export const SUFFIX: Record<keyof LayerParams, string> = { weight: "weight", bias: "bias", runningMean: "running_mean", runningVar: "running_var" };
/** state_dict entries that are not weights (BatchNorm's step counter, int64) */
export const IGNORED_SUFFIXES = new Set(["num_batches_tracked"]);

export class WeightsMismatchError extends Error {
  override name = "WeightsMismatchError";
}

export interface TensorGroup {
  /** the module path: the tensors' names without their last part */
  prefix: string;
  segments: string[];
  tensors: Map<string, NamedTensor>;
}

export interface Learner {
  node: GraphNode;
  shapes: ParamSpec[];
}

export interface WeightsMatch {
  /** node id → its group */
  assigned: Map<number, TensorGroup>;
  byName: number;
  byOrder: number;
  /** what people should know: tensors left unused, labels that name nothing */
  notes: string[];
}

/** the last names of a module's own tensors in a state_dict */
const MODULE_SUFFIXES = new Set<string>(Object.values(SUFFIX));

/**
 * Groups the tensors by module path (`a.b.weight` → `a.b`); num_batches_tracked is left out.
 * A tensor with another last name is a bare nn.Parameter of the module around it (ConvNeXt's
 * `features.1.0.layer_scale`): it is the weight of a layer at its own path (`….layer_scale`).
 */
export function groupTensors(tensors: NamedTensor[]): Map<string, TensorGroup> {
  const groups = new Map<string, TensorGroup>();
  for (const t of tensors) {
    const dot = t.name.lastIndexOf(".");
    const last = t.name.slice(dot + 1);
    if (IGNORED_SUFFIXES.has(last)) continue;
    const bare = !MODULE_SUFFIXES.has(last);
    const prefix = bare ? t.name : dot < 0 ? "" : t.name.slice(0, dot);
    const suffix = bare ? SUFFIX.weight : last;
    let g = groups.get(prefix);
    if (!g) groups.set(prefix, (g = { prefix, segments: prefix === "" ? [] : prefix.split("."), tensors: new Map() }));
    const taken = g.tensors.get(suffix);
    if (taken) throw new WeightsMismatchError(`${taken.name} and ${t.name} both name the weight of \`${prefix}\`: the file is ambiguous`);
    g.tensors.set(suffix, t);
  }
  return groups;
}

/** A node's module path: its scope and label joined (`layer1.0.conv1`), or null without a label. */
export function modulePath(node: GraphNode): string | null {
  return modulePathOf(node.scope, node.label);
}

/**
 * The design's structures around a node, as keys: each frame of its scope (one block use,
 * one repeat iteration, one residual path, one branch) and each whole statement around it
 * (a whole repeat, a residual with both paths, a concat with all branches).
 */
function structureKeys(node: GraphNode): string[] {
  const keys: string[] = [];
  let parent = "top";
  for (const f of node.scope) {
    keys.push(`f${f.id}`, `s${parent}:${f.span.start}`);
    parent = String(f.id);
  }
  return keys;
}

/**
 * Whether a tensor of shape `a` holds what a layer of shape `b` needs, element for element:
 * the same shape once trailing 1s are dropped — torchvision's layer scale [C, 1, 1] for a
 * layerscale's [C], an nn.Linear's [O, I] for a 1×1 conv's [O, I, 1, 1]. The data is the same
 * in the same order, so nothing is reinterpreted.
 */
export function sameLayout(a: readonly number[], b: readonly number[]): boolean {
  const core = (d: readonly number[]) => {
    let n = d.length;
    while (n > 1 && d[n - 1] === 1) n--;
    return d.slice(0, n);
  };
  const x = core(a);
  const y = core(b);
  return x.length === y.length && x.every((d, i) => d === y[i]);
}

const layoutKey = (dims: readonly number[]) => {
  let n = dims.length;
  while (n > 1 && dims[n - 1] === 1) n--;
  return dims.slice(0, n).join("x");
};

export function dimsText(dims: number[]): string {
  return `[${dims.join(", ")}]`;
}

/** the first difference between what a layer needs and what a group holds, or null */
export function misfit(expected: TensorShape[], group: TensorGroup): string | null {
  for (const s of expected) {
    const t = group.tensors.get(SUFFIX[s.name]);
    const name = group.prefix ? `${group.prefix}.${SUFFIX[s.name]}` : SUFFIX[s.name];
    if (!t) return `${name} is missing`;
    if (!sameLayout(t.shape, s.dims)) return `${t.name} is ${dimsText(t.shape)}, the layer needs ${dimsText(s.dims)}`;
  }
  if (group.tensors.size !== expected.length) {
    const wanted = new Set(expected.map((s) => SUFFIX[s.name]));
    for (const suffix of group.tensors.keys()) if (!wanted.has(suffix)) return `${group.prefix ? `${group.prefix}.` : ""}${suffix} has no place in this layer (it takes ${[...wanted].join(", ")})`;
  }
  return null;
}

function needsText(shapes: TensorShape[]): string {
  return shapes.map((s) => `${SUFFIX[s.name]} ${dimsText(s.dims)}`).join(", ");
}

function signature(shapes: { suffix: string; dims: number[] }[]): string {
  return shapes
    .map((s) => `${s.suffix}:${layoutKey(s.dims)}`)
    .sort()
    .join(" ");
}

const learnerSignature = (shapes: TensorShape[]) => signature(shapes.map((s) => ({ suffix: SUFFIX[s.name], dims: s.dims })));
const groupSignature = (g: TensorGroup) => signature([...g.tensors.values()].map((t) => ({ suffix: t.name.slice(t.name.lastIndexOf(".") + 1), dims: t.shape })));

// ---- where a label may point ----

/** whether `part` occurs in `whole` as consecutive segments starting at or after `from`; returns the index after it or -1 */
function findRun(whole: string[], part: string[], from: number, anchoredEnd: boolean): number {
  if (anchoredEnd) {
    const at = whole.length - part.length;
    if (at < from) return -1;
    for (let k = 0; k < part.length; k++) if (whole[at + k] !== part[k]) return -1;
    return whole.length;
  }
  for (let at = from; at + part.length <= whole.length; at++) {
    let k = 0;
    while (k < part.length && whole[at + k] === part[k]) k++;
    if (k === part.length) return at + part.length;
  }
  return -1;
}

/** A layer's labels as a pattern on group names: each label's parts in a run, in order, its own label last. */
interface Pattern {
  scope: string[][];
  own: string[] | null;
}

function matchesPattern(p: Pattern, segments: string[]): boolean {
  let from = 0;
  const limit = p.own ? segments.length - p.own.length : segments.length;
  for (const part of p.scope) {
    const end = findRun(segments.slice(0, limit), part, from, false);
    if (end < 0) return false;
    from = end;
  }
  return p.own ? findRun(segments, p.own, from, true) >= 0 : true;
}

// ---- the order of siblings the names give ----

interface ChainKey {
  stem: string;
  number: number;
  letter: string;
}

/** `conv2` → (conv, 2); `Mixed_5b` → (Mixed_, 5, b); `10` → (#, 10); `a` → (#letter, a); others stand alone */
function chainKey(segment: string): ChainKey {
  if (/^\d+$/.test(segment)) return { stem: "\u0000#", number: Number(segment), letter: "" };
  if (/^[a-z]$/.test(segment)) return { stem: "\u0000letter", number: 0, letter: segment };
  const m = /^(.*?)(\d+)([a-z]?)$/.exec(segment);
  if (m && m[1] !== "") return { stem: m[1], number: Number(m[2]), letter: m[3] };
  return { stem: `\u0000=${segment}`, number: 0, letter: "" };
}

interface TreeNode {
  /** the group named exactly by this path (a leaf, or a module holding tensors of its own) */
  group: TensorGroup | null;
  /** the group index (for hashing) */
  groupIndex: number;
  children: Map<string, TreeNode>;
  leaves: number;
  id: number;
  /** children in chains: each chain ordered, chains unordered */
  chains?: TreeNode[][];
}

// ---- counting assignments (at most two are kept: one is the answer, two an ambiguity) ----

type WitnessList = { pos: number; group: number } | { left: WitnessList; right: WitnessList } | null;
interface Witness {
  h1: number;
  h2: number;
  list: WitnessList;
}
/** one or two distinct assignments */
type Ways = [Witness] | [Witness, Witness];

const none: Witness = { h1: 0, h2: 0, list: null };
const emptyWays: Ways = [none];

function single(pos: number, group: number): Ways {
  const key = pos * 65599 + group * 7 + 1;
  return [{ h1: mix(key), h2: mix(key ^ 0x5bd1e995), list: { pos, group } }];
}

function same(a: Witness, b: Witness): boolean {
  return a.h1 === b.h1 && a.h2 === b.h2;
}

function union(a: Ways | undefined, b: Ways): Ways {
  if (!a) return b;
  if (a.length === 2) return a;
  for (const w of b) if (!same(a[0], w)) return [a[0], w];
  return a;
}

function join(a: Witness, b: Witness): Witness {
  if (!a.list) return b;
  if (!b.list) return a;
  return { h1: (a.h1 + b.h1) >>> 0, h2: (a.h2 + b.h2) >>> 0, list: { left: a.list, right: b.list } };
}

function product(a: Ways, b: Ways): Ways {
  let out: Ways | undefined;
  for (const x of a) for (const y of b) out = union(out, [join(x, y)]);
  return out!;
}

function flatten(list: WitnessList, out: Map<number, number>): Map<number, number> {
  const stack: WitnessList[] = [list];
  while (stack.length) {
    const l = stack.pop()!;
    if (!l) continue;
    if ("pos" in l) out.set(l.pos, l.group);
    else stack.push(l.left, l.right);
  }
  return out;
}

class TooHardError extends Error {}

const MAX_STATES = 200_000;
const MAX_WORK = 30_000_000;

/** The order step: every assignment of `learners` (in order) to leaves of the tree the constraints allow, up to two. */
class OrderSearch {
  private memo = new Map<number, Map<number, Ways>>();
  private work = 0;

  constructor(
    private readonly root: TreeNode,
    private readonly n: number,
    private readonly fits: (pos: number, group: number) => boolean,
    /**
     * How many groups may stay unused: whole top-level modules only (an auxiliary head, a
     * classifier the design leaves out). null: any group anywhere, to find how far an
     * order gets.
     */
    private readonly maxSkipped: number | null,
    private readonly nodeCount: number,
    /** whether positions [start, end) cut across a structure of the design */
    private readonly crosses: (start: number, end: number) => boolean,
  ) {}

  run(): Map<number, Ways> {
    return this.place(this.root, 0);
  }

  /** the ways to place node's subtree from `start`: end position → ways */
  private place(node: TreeNode, start: number): Map<number, Ways> {
    const key = start * this.nodeCount + node.id;
    const known = this.memo.get(key);
    if (known) return known;
    const out = node.children.size === 0 ? this.placeLeaf(node, start) : this.placeModule(node, start);
    this.memo.set(key, out);
    return out;
  }

  private placeLeaf(node: TreeNode, start: number): Map<number, Ways> {
    const out = new Map<number, Ways>();
    if (this.maxSkipped === null) out.set(start, emptyWays);
    if (start < this.n && this.fits(start, node.groupIndex)) out.set(start + 1, single(start, node.groupIndex));
    return out;
  }

  private placeModule(node: TreeNode, start: number): Map<number, Ways> {
    const chains = node.chains!;
    const radix: number[] = [];
    let states = 1;
    for (const c of chains) {
      radix.push(states);
      states *= c.length + 1;
      if (states > MAX_STATES) throw new TooHardError();
    }
    // leaves consumed at each state, to bound the skipped groups
    const table: (Map<number, Ways> | undefined)[] = new Array(states);
    table[0] = new Map([[start, emptyWays]]);
    const consumed = new Int32Array(states);
    for (let s = 0; s < states; s++) {
      const here = table[s];
      if (!here) continue;
      table[s] = undefined;
      if (s === states - 1) {
        table[s] = here;
        break;
      }
      let rest = s;
      for (let i = chains.length - 1; i >= 0; i--) {
        const v = Math.floor(rest / radix[i]);
        rest -= v * radix[i];
        if (v >= chains[i].length) continue;
        const child = chains[i][v];
        const next = s + radix[i];
        consumed[next] = consumed[s] + child.leaves;
        const skipWhole = node === this.root && this.maxSkipped !== null && this.maxSkipped >= child.leaves;
        for (const [pos, ways] of here) {
          const placed = this.place(child, pos);
          const options = skipWhole && !placed.has(pos) ? [...placed, [pos, emptyWays] as [number, Ways]] : placed;
          for (const [end, childWays] of options) {
            if (++this.work > MAX_WORK) throw new TooHardError();
            if (this.maxSkipped !== null && consumed[next] - (end - start) > this.maxSkipped) continue;
            let target = table[next];
            if (!target) table[next] = target = new Map();
            target.set(end, union(target.get(end), product(ways, childWays)));
          }
        }
      }
    }
    const out = table[states - 1] ?? new Map<number, Ways>();
    for (const end of out.keys()) if (this.crosses(start, end)) out.delete(end);
    return out;
  }
}

/**
 * The design's structures (structureKeys) as intervals of positions, and a test of
 * whether [start, end) cuts across one of them (starts outside and ends inside, or the
 * reverse): range maxima and minima over sparse tables, O(1) a test.
 */
function structureTest(nests: string[][]): (start: number, end: number) => boolean {
  const n = nests.length;
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  nests.forEach((nest, pos) => {
    for (const id of nest) {
      if (!first.has(id)) first.set(id, pos);
      last.set(id, pos);
    }
  });
  // at each position c: the farthest end of a structure starting at c; at each d: the earliest start of one ending (exclusive) at d
  const maxEnd = new Int32Array(n + 1).fill(-1);
  const minStart = new Int32Array(n + 1).fill(n + 1);
  for (const [id, a] of first) {
    const b = last.get(id)! + 1;
    maxEnd[a] = Math.max(maxEnd[a], b);
    minStart[b] = Math.min(minStart[b], a);
  }
  const table = (base: Int32Array, pick: (x: number, y: number) => number) => {
    const levels = [base];
    for (let k = 1; 1 << k <= base.length; k++) {
      const prev = levels[k - 1];
      const next = new Int32Array(base.length - (1 << k) + 1);
      for (let i = 0; i < next.length; i++) next[i] = pick(prev[i], prev[i + (1 << (k - 1))]);
      levels.push(next);
    }
    return (lo: number, hi: number) => {
      const k = 31 - Math.clz32(hi - lo + 1);
      return pick(levels[k][lo], levels[k][hi - (1 << k) + 1]);
    };
  };
  const maxEndIn = table(maxEnd, Math.max);
  const minStartIn = table(minStart, Math.min);
  return (start, end) => end - start > 1 && (maxEndIn(start + 1, end - 1) > end || minStartIn(start + 1, end - 1) < start);
}

function buildTree(groups: TensorGroup[]): { root: TreeNode; count: number } {
  let count = 0;
  const make = (): TreeNode => ({ group: null, groupIndex: -1, children: new Map(), leaves: 0, id: count++ });
  const root = make();
  groups.forEach((g, index) => {
    let node = root;
    for (const seg of g.segments) {
      let child = node.children.get(seg);
      if (!child) node.children.set(seg, (child = make()));
      node = child;
    }
    node.group = g;
    node.groupIndex = index;
  });
  const finish = (node: TreeNode): number => {
    if (node.children.size === 0) return (node.leaves = node.group ? 1 : 0);
    const byStem = new Map<string, { key: ChainKey; node: TreeNode }[]>();
    for (const [seg, child] of node.children) {
      finish(child);
      const key = chainKey(seg);
      let chain = byStem.get(key.stem);
      if (!chain) byStem.set(key.stem, (chain = []));
      chain.push({ key, node: child });
    }
    const chains = [...byStem.values()].map((c) => c.sort((a, b) => a.key.number - b.key.number || (a.key.letter < b.key.letter ? -1 : a.key.letter > b.key.letter ? 1 : 0)).map((x) => x.node));
    if (node.group) {
      // tensors of the module itself (beside its children's): a leaf of its own, in any place
      const self = make();
      self.group = node.group;
      self.groupIndex = node.groupIndex;
      self.leaves = 1;
      chains.push([self]);
      node.group = null;
    }
    node.chains = chains;
    return (node.leaves = chains.reduce((a, c) => a + c.reduce((b, x) => b + x.leaves, 0), 0));
  };
  finish(root);
  return { root, count };
}

/** The maximal module paths of which no tensor is used: `AuxLogits.*` rather than its 15 tensors. */
function unusedSummary(groups: TensorGroup[], used: Set<TensorGroup>): string[] {
  const unused = groups.filter((g) => !used.has(g));
  if (!unused.length) return [];
  const usedPaths = new Set<string>();
  for (const g of used) for (let k = 0; k <= g.segments.length; k++) usedPaths.add(g.segments.slice(0, k).join("."));
  const shown = new Map<string, number>();
  for (const g of unused) {
    // the shortest prefix of its path that no used group shares
    let k = 1;
    while (k <= g.segments.length && usedPaths.has(g.segments.slice(0, k).join("."))) k++;
    const path = g.segments.slice(0, Math.min(k, g.segments.length)).join(".");
    const head = k < g.segments.length ? `${path}.*` : `${path || "(top)"}.*`;
    shown.set(head, (shown.get(head) ?? 0) + g.tensors.size);
  }
  return [...shown].map(([p, n]) => `${p} (${n} tensor${n === 1 ? "" : "s"})`);
}

/**
 * Matches the learning layers to the file's groups by the rule above; throws a
 * WeightsMismatchError naming the layers and tensors when it cannot be sure.
 * `describe` names a layer for people (file:line: statement). Layers with literal
 * weights are matched by name only.
 */
export function matchWeights(learners: Learner[], groupMap: Map<string, TensorGroup>, describe: (node: GraphNode) => string): WeightsMatch {
  const groups = [...groupMap.values()];
  const assigned = new Map<number, TensorGroup>();
  const used = new Set<TensorGroup>();
  const notes: string[] = [];
  const where = (l: Learner) => {
    const path = modulePath(l.node);
    const scope = scopeLabels(l.node.scope).join(".");
    return `${describe(l.node)}${!path && scope ? ` (in ${scope})` : ""}`;
  };

  // 1. by name
  const pathCount = new Map<string, number>();
  for (const l of learners) {
    const p = modulePath(l.node);
    if (p) pathCount.set(p, (pathCount.get(p) ?? 0) + 1);
  }
  const rest: Learner[] = [];
  for (const l of learners) {
    const p = modulePath(l.node);
    const group = p && pathCount.get(p) === 1 ? groupMap.get(p) : undefined;
    if (group) {
      const why = misfit(l.shapes, group);
      if (why) throw new WeightsMismatchError(`${where(l)}: ${why}`);
      assigned.set(l.node.id, group);
      used.add(group);
    } else if (!l.shapes.some((s) => s.init.kind === "values")) rest.push(l);
  }
  const byName = assigned.size;
  const pool = groups.filter((g) => !used.has(g));
  if (rest.length === 0) {
    const unused = unusedSummary(groups, used);
    if (unused.length) notes.push(`not used by any layer: ${unused.join(", ")}`);
    return { assigned, byName, byOrder: 0, notes };
  }

  // 2. by order: the labels as constraints, those that name nothing left out (and said)
  const allSegments = groups.map((g) => g.segments);
  const namesSomething = new Map<string, boolean>();
  const check = (part: string[], own: boolean) => {
    const key = `${own ? "=" : "~"}${part.join(".")}`;
    let ok = namesSomething.get(key);
    if (ok === undefined) namesSomething.set(key, (ok = allSegments.some((s) => findRun(s, part, 0, own) >= 0)));
    return ok;
  };
  const silentLabels = new Set<string>();
  const patterns = rest.map((l): Pattern => {
    const scope: string[][] = [];
    for (const entry of scopeLabels(l.node.scope)) {
      const part = entry.split(".");
      if (check(part, false)) scope.push(part);
      else silentLabels.add(entry.replace(/\.\d+$/, ""));
    }
    let own: string[] | null = null;
    if (l.node.label) {
      const part = l.node.label.split(".");
      if (check(part, true)) own = part;
      else silentLabels.add(l.node.label);
    }
    return { scope, own };
  });
  if (silentLabels.size) {
    const list = [...silentLabels];
    notes.push(`label${list.length === 1 ? "" : "s"} ${list.slice(0, 8).map((x) => `\`${x}\``).join(", ")}${list.length > 8 ? `, … (${list.length} in all)` : ""} name${list.length === 1 ? "s" : ""} no tensors in the file; ${list.length === 1 ? "its layers were" : "their layers were"} matched by order`);
  }

  // what each layer could take: shapes that fit and names its labels allow
  const bySignature = new Map<string, number[]>();
  pool.forEach((g, i) => {
    const s = groupSignature(g);
    let list = bySignature.get(s);
    if (!list) bySignature.set(s, (list = []));
    list.push(i);
  });
  const candidates: Set<number>[] = rest.map((l, pos) => new Set((bySignature.get(learnerSignature(l.shapes)) ?? []).filter((gi) => matchesPattern(patterns[pos], pool[gi].segments))));
  const homeless = rest.map((l, pos) => ({ l, pos })).filter((x) => candidates[x.pos].size === 0);
  if (homeless.length) {
    const lines = homeless.slice(0, 6).map(({ l, pos }) => {
      const p = patterns[pos];
      const labels = [...p.scope, ...(p.own ? [p.own] : [])].map((x) => x.join("."));
      const named = labels.length ? pool.filter((g) => matchesPattern(p, g.segments)) : [];
      const near = named.length ? named : pool.filter((g) => g.tensors.has("weight") && g.tensors.get("weight")!.shape.length === l.shapes[0].dims.length);
      const hint = near.length ? ` (${named.length ? `the names its labels ${labels.map((x) => `\`${x}\``).join(", ")} allow` : "closest by kind"}: ${near.slice(0, 3).map((g) => misfit(l.shapes, g) ?? g.prefix).join("; ")}${near.length > 3 ? "; …" : ""})` : "";
      return `  ${where(l)} needs ${needsText(l.shapes)}; no tensor group left in the file fits it${hint}`;
    });
    const more = homeless.length > 6 ? `\n  … and ${homeless.length - 6} more layers` : "";
    throw new WeightsMismatchError(`${homeless.length === 1 ? "a layer gets" : `${homeless.length} layers get`} no weights from the file:\n${lines.join("\n")}${more}`);
  }
  if (pool.length < rest.length) {
    throw new WeightsMismatchError(`the file has ${pool.length} tensor groups for the ${rest.length} layers left to match by order (${byName} matched by name): it holds a smaller network`);
  }

  const { root, count } = buildTree(pool);
  const fits = (pos: number, gi: number) => candidates[pos].has(gi);
  const crosses = structureTest(rest.map((l) => structureKeys(l.node)));
  let result: Map<number, Ways>;
  try {
    result = new OrderSearch(root, rest.length, fits, pool.length - rest.length, count, crosses).run();
  } catch (e) {
    if (!(e instanceof TooHardError)) throw e;
    throw new WeightsMismatchError(`the file's names leave too many orders to try for the ${rest.length} layers without a matching name: label the layers with the file's module paths (e.g. \`layer1.0: Basic(64)\`, \`conv1: conv …\`)`);
  }
  const complete = result.get(rest.length);
  if (!complete) throw new WeightsMismatchError(noOrderMessage(rest, pool, patterns, candidates, root, count, crosses, where));
  if (complete.length === 2) throw new WeightsMismatchError(ambiguityMessage(rest, pool, complete, where));
  const chosen = flatten(complete[0].list, new Map());
  for (const [pos, gi] of chosen) {
    assigned.set(rest[pos].node.id, pool[gi]);
    used.add(pool[gi]);
  }
  const unused = unusedSummary(groups, used);
  if (unused.length) notes.push(`not used by any layer: ${unused.join(", ")}`);
  return { assigned, byName, byOrder: chosen.size, notes };
}

function ambiguityMessage(rest: Learner[], pool: TensorGroup[], ways: Ways, where: (l: Learner) => string): string {
  const a = flatten(ways[0].list, new Map());
  const b = flatten(ways[1]!.list, new Map());
  const lines: string[] = [];
  let differing = 0;
  for (let pos = 0; pos < rest.length; pos++) {
    if (a.get(pos) === b.get(pos)) continue;
    differing++;
    if (lines.length < 8) lines.push(`  ${where(rest[pos])}: ${pool[a.get(pos)!].prefix} or ${pool[b.get(pos)!].prefix}`);
  }
  const usedA = new Set(a.values());
  const usedB = new Set(b.values());
  const skipped = [...usedA].filter((g) => !usedB.has(g)).concat([...usedB].filter((g) => !usedA.has(g)));
  const skipNote = skipped.length ? `\n  (the file has more tensors than the layers take, and which to leave out is not sure either: ${skipped.slice(0, 4).map((g) => pool[g].prefix).join(", ")}${skipped.length > 4 ? ", …" : ""})` : "";
  return (
    `the weights fit these layers in more than one way (the shapes agree and the file's names do not say which is which), so none is loaded:\n${lines.join("\n")}` +
    `${differing > lines.length ? `\n  … and ${differing - lines.length} more layers` : ""}${skipNote}\n` +
    `label the layers with the file's module paths (e.g. \`${pool[a.get([...a.keys()].find((p) => a.get(p) !== b.get(p))!)!].prefix}: …\`, or a block use's label as the prefix of its body's labels) so that each names its tensors`
  );
}

function noOrderMessage(
  rest: Learner[],
  pool: TensorGroup[],
  patterns: Pattern[],
  candidates: Set<number>[],
  root: TreeNode,
  count: number,
  crosses: (start: number, end: number) => boolean,
  where: (l: Learner) => string,
): string {
  // how far an order gets when any tensor may be left out: the first layer it cannot place
  let reach = 0;
  let witness: Map<number, number> | null = null;
  try {
    const partial = new OrderSearch(root, rest.length, (p, g) => candidates[p].has(g), null, count, crosses).run();
    for (const [end, ways] of partial) {
      if (end > reach) {
        reach = end;
        witness = flatten(ways[0].list, new Map());
      }
    }
  } catch (e) {
    if (!(e instanceof TooHardError)) throw e;
  }
  if (reach === rest.length && witness) {
    // every layer finds its tensors, but what is left over is not whole top-level modules
    return (
      `the file has ${pool.length} tensor groups for the ${rest.length} layers matched by order, and what would be left over is not whole top-level modules ` +
      `(only those may stay unused: an auxiliary head, a classifier the design leaves out)\n` +
      `(the design lacks layers the file has, or has fewer blocks); label the layers with the file's module paths so that each names its tensors`
    );
  }
  const stuck = rest[reach];
  const options = [...candidates[reach]].map((g) => pool[g].prefix);
  const labelled = patterns[reach].own || patterns[reach].scope.length;
  const before = reach > 0 && witness ? ` after ${where(rest[reach - 1])} took ${pool[witness.get(reach - 1)!].prefix}` : "";
  return (
    `the layers cannot take the file's tensors in an order its names allow: ${where(stuck)} fits ${options.slice(0, 4).join(", ")}${options.length > 4 ? ", …" : ""} by shape${labelled ? " and label" : ""}, but none of them can come next${before}\n` +
    `(the design's order of layers differs from the file's, or a layer is missing or extra); label the layers with the file's module paths so that each names its tensors`
  );
}
