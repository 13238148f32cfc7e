// `cnn import`: repeated subgraphs written as blocks with parameters. The importer writes
// every layer as a statement of the network, labelled with its module path
// (`layer1.0.conv1`); this pass finds the network's top-level units — the statements of
// one module (ResNet's `layer1.0`, MobileNetV2's `features.3.conv`): consecutive items whose
// labels share a module path of two parts or more, with the unlabelled statements after
// them — and where two or more units read the same once their filter counts are parameters
// and their labels are taken relative to the unit's path, writes one block and a labelled
// use per unit (`layer1.0: BlockA(64)`). A label on a block use is the prefix of its body's
// labels, so every layer keeps its module path and the weights their names.
//
// The caller keeps the result only when it analyzes to the same params, MACs and output
// and every imported tensor still loads by name (engine/onnx/import.ts); else the flat text.

interface Unit {
  /** the unit's module path (the use's label), or null for statements of no module */
  key: string | null;
  /** its lines, as written in the network (indented two spaces) */
  lines: string[];
}

const LABELLED = /^(\s*)([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*): (.*)$/;

/** the top-level items of a network body: one line, or a structure from `… {` to its `}` */
function items(body: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < body.length; ) {
    const line = body[i];
    if (!line.endsWith("{")) {
      out.push([line]);
      i++;
      continue;
    }
    const indent = /^\s*/.exec(line)![0];
    let j = i + 1;
    while (j < body.length && !(body[j].startsWith(`${indent}}`) && !body[j].endsWith("{"))) j++;
    out.push(body.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

const parts = (path: string) => path.split(".");

function commonPrefix(paths: string[]): string[] {
  let common = parts(paths[0]);
  for (const p of paths.slice(1)) {
    const q = parts(p);
    let k = 0;
    while (k < common.length && k < q.length && common[k] === q[k]) k++;
    common = common.slice(0, k);
  }
  return common;
}

function labelsOf(lines: string[]): string[] {
  return lines.map((l) => LABELLED.exec(l)?.[2]).filter((l): l is string => l !== undefined);
}

/** the module an item belongs to: the common path of its labels (a line's: its label without the last part) */
function itemKey(lines: string[]): string[] | null {
  const labels = labelsOf(lines);
  if (!labels.length) return null;
  const common = commonPrefix(labels);
  return lines.length === 1 || common.length === parts(labels[0]).length ? common.slice(0, Math.min(common.length, parts(labels[0]).length - 1)) : common;
}

function units(body: string[]): Unit[] {
  const out: (Unit & { path: string[] | null })[] = [];
  for (const item of items(body)) {
    const key = itemKey(item);
    const last = out[out.length - 1];
    if (!key) {
      // an unlabelled statement (relu, a pool) goes with the unit before it
      if (last) last.lines.push(...item);
      else out.push({ key: null, path: null, lines: [...item] });
      continue;
    }
    if (last?.path) {
      let k = 0;
      while (k < last.path.length && k < key.length && last.path[k] === key[k]) k++;
      // a line joins the module before it when they share a path of two parts (features.1.conv.0
      // and features.1.conv) or the same one; a structure (a residual, a concat) only the same one
      const same = k === last.path.length && k === key.length;
      if (same || (item.length === 1 && k >= 2)) {
        last.path = last.path.slice(0, k);
        last.lines.push(...item);
        continue;
      }
    }
    out.push({ key: null, path: key.length ? key : null, lines: [...item] });
  }
  return out.map((u) => ({ key: u.path ? u.path.join(".") : null, lines: u.lines }));
}

/** a unit as a block body: labels relative to its path, filter counts as parameters */
function template(unit: Unit): { text: string[]; args: number[] } | null {
  const prefix = `${unit.key}.`;
  const values: number[] = [];
  const text: string[] = [];
  for (const line of unit.lines) {
    const m = LABELLED.exec(line);
    let indent: string, label: string | null, statement: string;
    if (m) {
      if (!m[2].startsWith(prefix)) return null;
      [indent, label, statement] = [m[1], m[2].slice(prefix.length), m[3]];
    } else {
      indent = /^\s*/.exec(line)![0];
      label = null;
      statement = line.slice(indent.length);
    }
    // the filter count of a conv, fc or deconv is the block's parameter
    statement = statement.replace(/^(conv|fc|deconv) (\d+)\b/, (_, kind: string, n: string) => {
      let at = values.indexOf(Number(n));
      if (at < 0) at = values.push(Number(n)) - 1;
      return `${kind} \u0000${at}\u0000`;
    });
    text.push(`${indent}${label !== null ? `${label}: ` : ""}${statement}`);
  }
  return { text, args: values };
}

const blockName = (i: number) => `Block${String.fromCharCode(65 + (i % 26))}${i >= 26 ? Math.floor(i / 26) : ""}`;

/**
 * The network's text with its repeated units as blocks, or null when nothing repeats.
 * `text` is the importer's design: comment lines, `network NAME {`, its body, `}`.
 */
export function withBlocks(text: string): string | null {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^network \S+ \{$/.test(l));
  const end = lines.lastIndexOf("}");
  if (start < 0 || end <= start) return null;
  const [inputLine, ...body] = lines.slice(start + 1, end);
  const all = units(body);
  const shapes = new Map<string, { index: number; uses: number }>();
  const made = all.map((u) => (u.key !== null && u.lines.length > 1 ? template(u) : null));
  made.forEach((t) => {
    if (!t) return;
    const key = t.text.join("\n");
    const seen = shapes.get(key);
    if (seen) seen.uses++;
    else shapes.set(key, { index: -1, uses: 1 });
  });
  // a unit that matches no other may do so without the unlabelled statements after it (the
  // last residual of a ResNet, followed by gap and flatten): those are then the network's own
  const after: string[][] = all.map(() => []);
  all.forEach((u, i) => {
    const t = made[i];
    if (!t || shapes.get(t.text.join("\n"))!.uses > 1) return;
    for (let p = 1; p < u.lines.length && !LABELLED.test(u.lines[u.lines.length - p]) && !/^\s*\}/.test(u.lines[u.lines.length - p]); p++) {
      const peeled = template({ key: u.key, lines: u.lines.slice(0, -p) });
      const seen = peeled && shapes.get(peeled.text.join("\n"));
      if (peeled && seen && seen.uses >= 1) {
        shapes.get(t.text.join("\n"))!.uses--;
        seen.uses++;
        made[i] = peeled;
        after[i] = u.lines.slice(-p);
        u.lines = u.lines.slice(0, -p);
        break;
      }
    }
  });
  let count = 0;
  for (const s of shapes.values()) if (s.uses >= 2) s.index = count++;
  if (!count) return null;
  const blocks: string[] = [];
  const usedBy = new Map<number, string[]>();
  const network: string[] = [inputLine];
  all.forEach((u, i) => {
    const t = made[i];
    const shape = t ? shapes.get(t.text.join("\n")) : undefined;
    if (!t || !shape || shape.index < 0) {
      network.push(...u.lines, ...after[i]);
      return;
    }
    const name = blockName(shape.index);
    if (!usedBy.has(shape.index)) {
      const params = t.args.length === 1 ? ["k"] : t.args.map((_, j) => `k${j + 1}`);
      blocks[shape.index] = [
        `block ${name}(${params.join(", ")}) {`,
        ...t.text.map((l) => l.replace(/\u0000(\d+)\u0000/g, (_, j: string) => params[Number(j)])),
        "}",
      ].join("\n");
      usedBy.set(shape.index, []);
    }
    usedBy.get(shape.index)!.push(u.key!);
    network.push(`  ${u.key}: ${name}(${t.args.join(", ")})`, ...after[i]);
  });
  const blockText = blocks.map((b, i) => {
    const uses = usedBy.get(i)!;
    return `# used ${uses.length} times: ${uses.slice(0, 4).join(", ")}${uses.length > 4 ? ", …" : ""}\n${b}`;
  });
  return [...lines.slice(0, start), ...blockText, "", lines[start], ...network, ...lines.slice(end)].join("\n");
}
