// Recursion (spec §4): found on the call graph of the blocks, before any expansion.

import type * as A from "../../grammar";
import { layerKind } from "../layers";
import type { Sink } from "./sink";

interface Call {
  callee: string;
  site: A.Name;
}

function callsIn(body: A.Statement[], blocks: Map<string, A.BlockDefinition>, out: Call[]) {
  for (const s of body) {
    if (s.type === "call") out.push({ callee: s.callee.text, site: s.callee });
    else if (s.type === "layer" && !layerKind(s.op.text) && blocks.has(s.op.text)) out.push({ callee: s.op.text, site: s.op });
    else if (s.type === "repeat") callsIn(s.body, blocks, out);
    else if (s.type === "residual") {
      callsIn(s.body, blocks, out);
      if (s.shortcut) callsIn(s.shortcut, blocks, out);
    } else if (s.type === "concat" || s.type === "add" || s.type === "mul") for (const b of s.branches) callsIn(b.body, blocks, out);
    if (s.type === "layer" && s.body) {
      for (const b of s.body.branches) callsIn(b.body, blocks, out);
      callsIn(s.body.statements, blocks, out);
    }
  }
}

/** Reports each call that closes a cycle; returns those calls' start offsets (they are never expanded). */
export function findRecursion(blocks: Map<string, A.BlockDefinition>, sink: Sink): Set<number> {
  const recursive = new Set<number>();
  const edges = new Map<string, Call[]>();
  for (const [name, block] of blocks) {
    const calls: Call[] = [];
    callsIn(block.body, blocks, calls);
    edges.set(name, calls.filter((c) => blocks.has(c.callee)));
  }
  // a call A → B is recursive when A is reachable from B
  const reach = (from: string, to: string): string[] | null => {
    const prev = new Map<string, string>();
    const queue = [from];
    const visited = new Set([from]);
    while (queue.length) {
      const cur = queue.shift()!;
      if (cur === to) {
        const path = [to];
        let p = to;
        while (prev.has(p)) {
          p = prev.get(p)!;
          path.unshift(p);
        }
        return path;
      }
      for (const e of edges.get(cur) ?? []) {
        if (!visited.has(e.callee)) {
          visited.add(e.callee);
          prev.set(e.callee, cur);
          queue.push(e.callee);
        }
      }
    }
    return null;
  };
  for (const [caller, calls] of edges) {
    for (const call of calls) {
      const path = reach(call.callee, caller);
      if (path) {
        recursive.add(call.site.start);
        const cycle = [caller, ...path].join(" → ");
        sink.report(
          "recursive-block",
          call.site,
          call.callee === caller ? `block \`${caller}\` uses itself: a block cannot contain itself` : `block \`${caller}\` uses itself through ${cycle}: a block cannot contain itself`,
        );
      }
    }
  }
  return recursive;
}
