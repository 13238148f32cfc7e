// Definitions and duplicates: networks and blocks share one namespace (spec §4); a block
// may not take a layer kind's name, nor have two parameters of one name.

import type * as A from "../../grammar";
import type { Span } from "../../grammar";
import { layerKind } from "../layers";
import type { BlockResult } from "../types";
import type { Sink } from "./sink";

export interface Definitions {
  /** name → its first definition's name */
  defined: Map<string, Span>;
  blocks: Map<string, A.BlockDefinition>;
  blockResults: BlockResult[];
  /** the statements outside any network or block: the implicit network */
  topLevel: A.Statement[];
  /** statements written in the file, nested ones included (the analysis' work budget grows with it) */
  statementCount: number;
}

function count(body: A.Statement[]): number {
  let n = body.length;
  for (const s of body) {
    if (s.type === "repeat") n += count(s.body);
    else if (s.type === "residual") n += count(s.body) + (s.shortcut ? count(s.shortcut) : 0);
    else if (s.type === "concat" || s.type === "add") for (const b of s.branches) n += count(b.body);
  }
  return n;
}

export function collectDefinitions(file: A.CnnFile, sink: Sink): Definitions {
  const defined = new Map<string, Span>();
  const blocks = new Map<string, A.BlockDefinition>();
  const blockResults: BlockResult[] = [];
  const topLevel: A.Statement[] = [];
  let statementCount = 0;
  for (const item of file.items) {
    statementCount += item.type === "network" || item.type === "block" ? count(item.body) : count([item]);
    if (item.type === "network" || item.type === "block") {
      if (!item.name) continue;
      const name = item.name.text;
      const earlier = defined.get(name);
      if (earlier) {
        sink.report("duplicate-name", item.name, `\`${name}\` is already defined (networks and blocks share one namespace)`, undefined, [
          { ...earlier, message: `first definition of \`${name}\`` },
        ]);
        continue;
      }
      if (item.type === "block" && (layerKind(name) || name === "input")) {
        sink.report("duplicate-name", item.name, `\`${name}\` is a layer kind; give the block another name`);
        continue;
      }
      defined.set(name, item.name);
      if (item.type === "block") {
        const seenParams = new Set<string>();
        for (const p of item.params) {
          if (seenParams.has(p.name.text)) sink.report("duplicate-name", p.name, `block \`${name}\` has two parameters named \`${p.name.text}\``);
          seenParams.add(p.name.text);
        }
        blocks.set(name, item);
        sink.addReference("block", item.name, item.name, name, true);
        blockResults.push({
          name,
          span: item,
          nameSpan: item.name,
          params: item.params.map((p) => ({ name: p.name.text, span: p.name, defaultText: p.defaultValue ? "…" : null })),
        });
      }
    } else {
      topLevel.push(item);
    }
  }
  return { defined, blocks, blockResults, topLevel, statementCount };
}
