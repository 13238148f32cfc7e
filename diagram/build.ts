// The diagram of a network, from its analysis. The analysis records one occurrence per
// time a statement was elaborated, in that order (analysis.occurrences); walking the
// syntax tree the way the elaborator does and taking each statement's next occurrence
// gives every elaborated layer its place in the tree — block uses, repeats, branches —
// including the layers that failed (they have no graph node) and those below them.
// The graph nodes themselves come from the occurrences (layers) and, for a merge, from
// the node made right after its paths (`GraphNode.span` is the merge statement itself).

import type * as A from "../grammar";
import { LineIndex } from "../grammar";
import { layerKind, shapeArray, type Analysis, type Diagnostic, type GraphNode, type NetworkResult, type Occurrence, type Shape } from "../analysis";
import type { Diagram, Fault, Item, ItemFamily, LayerItem, ParallelGroup, SequenceGroup } from "./model";

export function buildDiagram(analysis: Analysis, network: NetworkResult): Diagram {
  const order = elaborationOrder(analysis);
  const replay = new Replay(analysis);
  let items: Item[] = [];
  let truncated = false;
  for (const { result, body } of order) {
    replay.startNetwork(result);
    const built = replay.network(body);
    if (result === network) {
      items = built;
      truncated = replay.stopped;
    }
  }
  return {
    file: analysis.fileName,
    network: network.name,
    networks: analysis.networks.map((n) => n.name),
    input: shapeArray(network.input),
    output: shapeArray(network.output),
    params: network.params.toString(),
    macs: network.macs.toString(),
    complete: network.complete,
    truncated,
    items,
  };
}

/** The networks as the elaborator runs them: named ones in file order, then the implicit one. */
function elaborationOrder(analysis: Analysis): { result: NetworkResult; body: A.Statement[] }[] {
  const defs = new Map<number, A.NetworkDefinition>();
  const topLevel: A.Statement[] = [];
  for (const item of analysis.parse.file.items) {
    if (item.type === "network") defs.set(item.start, item);
    else if (item.type !== "block") topLevel.push(item);
  }
  const out: { result: NetworkResult; body: A.Statement[] }[] = [];
  let implicit: { result: NetworkResult; body: A.Statement[] } | null = null;
  for (const result of analysis.networks) {
    if (result.implicit) implicit = { result, body: topLevel };
    else {
      const def = defs.get(result.span.start);
      if (def) out.push({ result, body: def.body });
    }
  }
  if (implicit) out.push(implicit);
  return out;
}

const noFault: Fault | null = null;

class Replay {
  private readonly cursors = new Map<number, number>();
  private readonly blocks = new Map<string, A.BlockDefinition>();
  private readonly lines: LineIndex;
  /** errors and warnings, by start */
  private readonly diagnostics: Diagnostic[];
  private callSites: number[] = [];
  private graph: GraphNode[] = [];
  private nextNode = 0;
  stopped = false;

  constructor(private readonly analysis: Analysis) {
    this.lines = new LineIndex(analysis.text);
    this.diagnostics = analysis.diagnostics.filter((d) => d.severity === "error" || d.severity === "warning");
    // the blocks the elaborator knows: the first definition of a name not taken by a network, not a layer kind
    const defined = new Set<string>();
    for (const item of analysis.parse.file.items) {
      if ((item.type !== "network" && item.type !== "block") || !item.name) continue;
      const name = item.name.text;
      if (defined.has(name)) continue;
      if (item.type === "block" && (layerKind(name) || name === "input")) continue;
      defined.add(name);
      if (item.type === "block") this.blocks.set(name, item);
    }
  }

  startNetwork(result: NetworkResult) {
    this.graph = result.graph;
    this.nextNode = 0;
    this.callSites = [];
    this.stopped = false;
  }

  network(body: A.Statement[]): Item[] {
    const items: Item[] = [];
    for (let i = 0; i < body.length && !this.stopped; i++) {
      const stmt = body[i];
      if (isInput(stmt)) {
        // only a first `input` is elaborated (others are reported where they stand)
        if (i === 0) {
          const item = this.layer(stmt, `${i}`);
          if (item) items.push(item);
        }
        continue;
      }
      const item = this.statement(stmt, `${i}`);
      if (item) items.push(item);
    }
    return items;
  }

  // ---- occurrences ----

  private peek(stmt: A.Statement): Occurrence | undefined {
    return this.analysis.occurrences.get(stmt.start)?.[this.cursors.get(stmt.start) ?? 0];
  }

  private next(stmt: A.Statement): Occurrence | undefined {
    const occ = this.peek(stmt);
    if (!occ) {
      // the elaboration stopped (too many layers): nothing after this was recorded
      this.stopped = true;
      return undefined;
    }
    this.cursors.set(stmt.start, (this.cursors.get(stmt.start) ?? 0) + 1);
    return occ;
  }

  private sequence(body: A.Statement[], prefix: string): Item[] {
    const items: Item[] = [];
    for (let i = 0; i < body.length && !this.stopped; i++) {
      const stmt = body[i];
      if (isInput(stmt)) continue;
      const item = this.statement(stmt, `${prefix}${i}`);
      if (item) items.push(item);
    }
    return items;
  }

  private statement(stmt: A.Statement, key: string): Item | null {
    switch (stmt.type) {
      case "layer":
        return this.peek(stmt)?.kind === "call" ? this.call(stmt, stmt.op, key) : this.layer(stmt, key);
      case "call":
        return this.call(stmt, stmt.callee, key);
      case "repeat":
        return this.repeat(stmt, key);
      case "residual":
        return this.parallel(stmt, key, [stmt.body, stmt.shortcut ?? []], ["body", "shortcut"], "add");
      default: {
        // concat, add and any other merge of branches (`mul`): drawn alike, named by the data
        const merge = stmt as A.MergeStatement;
        const branches = merge.branches ?? [];
        return this.parallel(merge, key, branches.map((b) => b.body), branches.map((_, i) => `branch ${i + 1}`), merge.type);
      }
    }
  }

  private layer(stmt: A.LayerStatement, key: string): LayerItem | null {
    const occ = this.next(stmt);
    if (!occ) return null;
    const node = occ.node;
    if (node) this.nextNode = node.id + 1;
    return {
      type: "layer",
      key,
      ...this.base(stmt, occ, this.faultOn(stmt.start, stmt.end, occ)),
      kind: occ.name,
      detail: node ? detailOf(node) : sourceDetail(this.analysis.text, stmt),
      family: familyOf(occ.name),
      node: node ? node.id : null,
    };
  }

  private call(stmt: A.Statement, callee: A.Name, key: string): SequenceGroup | null {
    const occ = this.next(stmt);
    if (!occ) return null;
    const block = this.blocks.get(callee.text);
    let children: Item[] = [];
    if (block && this.bodyWasElaborated(block.body, callee)) {
      this.callSites.push(callee.start);
      children = this.sequence(block.body, `${key}/`);
      this.callSites.pop();
    }
    const own = this.faultOn(stmt.start, stmt.end, occ);
    return {
      type: "sequence",
      key,
      ...this.base(stmt, occ, own ?? firstFault(children)),
      kind: "call",
      name: callText(this.analysis.text, stmt, callee),
      children,
    };
  }

  /** Whether the elaborator went into the block for this use (a use with bad arguments or a recursive one is not). */
  private bodyWasElaborated(body: A.Statement[], callee: A.Name): boolean {
    const first = body.find((s) => !isInput(s));
    if (!first) return false;
    const sites = this.peek(first)?.callSites;
    if (!sites || sites.length !== this.callSites.length + 1) return false;
    for (let i = 0; i < this.callSites.length; i++) if (sites[i].start !== this.callSites[i]) return false;
    return sites[sites.length - 1].start === callee.start;
  }

  private repeat(stmt: A.RepeatStatement, key: string): SequenceGroup | null {
    const occ = this.peek(stmt);
    const count = occ ? /^repeat (\d+)$/.exec(occ.name) : null;
    // a count that could not be evaluated: the body was checked once
    const n = count ? Number(count[1]) : 1;
    const children: Item[] = [];
    for (let i = 0; i < n && !this.stopped; i++) children.push(...this.sequence(stmt.body, `${key}/${i}:`));
    const own = this.next(stmt);
    if (!own) return null;
    const headerEnd = stmt.body[0]?.start ?? stmt.end;
    return {
      type: "sequence",
      key,
      ...this.base(stmt, own, this.faultOn(stmt.start, headerEnd, own) ?? firstFault(children)),
      kind: "repeat",
      name: count ? `repeat ${n}` : "repeat",
      children,
    };
  }

  private parallel(stmt: A.ResidualStatement | A.MergeStatement, key: string, bodies: A.Statement[][], names: string[], mergeKind: string): ParallelGroup | null {
    const paths = bodies.map((b, p) => this.sequence(b, `${key}/p${p}/`));
    const occ = this.next(stmt);
    if (!occ) return null;
    const candidate = this.graph[this.nextNode];
    const node = candidate && candidate.span === stmt ? candidate : null;
    if (node) this.nextNode = node.id + 1;
    const headerFault = this.faultOn(stmt.start, stmt.keyword.end, occ);
    const line = this.lines.lineOf(stmt.start) + 1;
    const merge: LayerItem = {
      type: "layer",
      key: `${key}/m`,
      start: stmt.start,
      end: stmt.end,
      line,
      label: null,
      input: null,
      output: node ? shapeArray(node.output) : shapeArray(occ.output),
      params: "0",
      macs: "0",
      fault: headerFault,
      kind: node ? node.op : mergeKind,
      detail: "",
      family: "merge",
      node: node ? node.id : null,
    };
    return {
      type: "parallel",
      key,
      ...this.base(stmt, occ, headerFault ?? firstFault(paths.flat())),
      kind: stmt.type,
      paths,
      pathNames: names,
      merge,
    };
  }

  // ---- records ----

  private base(stmt: A.Statement, occ: Occurrence, fault: Fault | null) {
    return {
      start: stmt.start,
      end: stmt.end,
      line: this.lines.lineOf(stmt.start) + 1,
      label: stmt.label?.text ?? null,
      input: shapeArray(occ.input),
      output: shapeArray(occ.output),
      params: occ.params.toString(),
      macs: occ.macs.toString(),
      fault,
    };
  }

  /**
   * The first error or warning in [start, end). A statement inside a block is shared by
   * every use: an error there marks the uses whose output it left unknown (and every use
   * outside blocks); a warning marks them all.
   */
  private faultOn(start: number, end: number, occ: Occurrence): Fault | null {
    const list = this.diagnostics;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].start < start) lo = mid + 1;
      else hi = mid;
    }
    let warning: Fault | null = noFault;
    for (let i = lo; i < list.length && list[i].start < end; i++) {
      const d = list[i];
      if (d.end > end && d.start !== start) continue;
      if (d.severity === "error" && (occ.output === null || occ.callSites.length === 0)) return { severity: "error", message: d.message };
      if (d.severity === "warning" && !warning) warning = { severity: "warning", message: d.message };
    }
    return warning;
  }
}

function isInput(stmt: A.Statement): stmt is A.LayerStatement {
  return stmt.type === "layer" && stmt.op.text === "input";
}

/** the first error inside (else the first warning), for a group's frame */
function firstFault(items: Item[]): Fault | null {
  let warning: Fault | null = null;
  const visit = (list: Item[]): Fault | null => {
    for (const item of list) {
      if (item.fault?.severity === "error") return item.fault;
      if (item.fault && !warning) warning = item.fault;
      if (item.type === "sequence") {
        const f = visit(item.children);
        if (f) return f;
      } else if (item.type === "parallel") {
        for (const p of item.paths) {
          const f = visit(p);
          if (f) return f;
        }
        if (item.merge.fault?.severity === "error") return item.merge.fault;
      }
    }
    return null;
  };
  const error = visit(items);
  if (error) return error;
  return warning;
}

/** `Basic(64)`, `Down(128)` as written (spaces squeezed), or `Basic 64` for a use without parentheses */
function callText(text: string, stmt: A.Statement, callee: A.Name): string {
  const written = text.slice(callee.start, stmt.end).replace(/\s+/g, " ").trim();
  return written.length <= 40 ? written : `${callee.text}(…)`;
}

/** The layer's arguments in short, from the resolved attributes: `64 3×3 /2` (the catalog's brief). */
export function detailOf(node: GraphNode): string {
  const kind = node.op === "input" ? undefined : layerKind(node.op);
  return kind?.brief ? kind.brief(node.attrs as never) : "";
}

/** The family a box is coloured by: the catalog's, or `input`, or `other` for a word the catalog does not know. */
export function familyOf(kind: string): ItemFamily {
  if (kind === "input") return "input";
  return layerKind(kind)?.family ?? "other";
}

/** For a layer that could not be analyzed: what follows its kind, as written. */
function sourceDetail(text: string, stmt: A.LayerStatement): string {
  const written = text.slice(stmt.op.end, stmt.end).replace(/\s+/g, " ").trim();
  return written.length <= 24 ? written : written.slice(0, 23) + "…";
}

export type { Shape };
