// A Diagram received from elsewhere (the language server, through the extension host) is
// checked whole before anything reads it: every field of the expected type, sizes bounded.

import { count, InvalidDataError, isRecord, list, nullable, oneOf, record, string, type Reader } from "../analysis/check";
import { ITEM_FAMILIES, type Diagram, type Fault, type Item, type LayerItem, type ShapeArray } from "./model";

/** at most this many items in a diagram, this deep */
export const MAX_ITEMS = 400_000;
export const MAX_DEPTH = 300;

const digits: Reader<string> = (v, p) => {
  if (typeof v === "string" && /^\d{1,40}$/.test(v)) return v;
  throw new InvalidDataError(`${p}: expected decimal digits`);
};
const shape: Reader<ShapeArray> = (v, p) => {
  const xs = list(count, 3)(v, p);
  if (xs.length !== 1 && xs.length !== 3) throw new InvalidDataError(`${p}: a shape is [N] or [W, H, D]`);
  return xs;
};
const short = (max: number): Reader<string> => (v, p) => {
  const s = string(v, p);
  if (s.length > max) throw new InvalidDataError(`${p}: longer than ${max} characters`);
  return s;
};
const fault: Reader<Fault> = (v, p) => {
  const r = record(v, p);
  return { severity: oneOf("error", "warning")(r.severity, `${p}.severity`), message: short(2000)(r.message, `${p}.message`) };
};

export function readDiagram(value: unknown): Diagram {
  let items = 0;
  const base = (r: Record<string, unknown>, p: string) => {
    if (++items > MAX_ITEMS) throw new InvalidDataError(`${p}: more than ${MAX_ITEMS} items`);
    return {
      key: short(2000)(r.key, `${p}.key`),
      start: count(r.start, `${p}.start`),
      end: count(r.end, `${p}.end`),
      line: count(r.line, `${p}.line`),
      label: nullable(short(200))(r.label, `${p}.label`),
      input: nullable(shape)(r.input, `${p}.input`),
      output: nullable(shape)(r.output, `${p}.output`),
      params: digits(r.params, `${p}.params`),
      macs: digits(r.macs, `${p}.macs`),
      fault: nullable(fault)(r.fault, `${p}.fault`),
    };
  };
  const layer = (v: unknown, p: string): LayerItem => {
    const r = record(v, p);
    if (r.type !== "layer") throw new InvalidDataError(`${p}.type: expected "layer"`);
    return { type: "layer", ...base(r, p), kind: short(100)(r.kind, `${p}.kind`), detail: short(200)(r.detail, `${p}.detail`), family: oneOf(...ITEM_FAMILIES)(r.family, `${p}.family`), node: nullable(count)(r.node, `${p}.node`) };
  };
  const itemList = (v: unknown, p: string, depth: number): Item[] => {
    if (!Array.isArray(v)) throw new InvalidDataError(`${p}: expected a list`);
    return v.map((x, i) => item(x, `${p}[${i}]`, depth));
  };
  const item = (v: unknown, p: string, depth: number): Item => {
    if (depth > MAX_DEPTH) throw new InvalidDataError(`${p}: nested more than ${MAX_DEPTH} deep`);
    if (!isRecord(v)) throw new InvalidDataError(`${p}: expected an object`);
    switch (v.type) {
      case "layer":
        return layer(v, p);
      case "sequence":
        return { type: "sequence", ...base(v, p), kind: short(100)(v.kind, `${p}.kind`), name: short(200)(v.name, `${p}.name`), children: itemList(v.children, `${p}.children`, depth + 1) };
      case "parallel": {
        if (!Array.isArray(v.paths)) throw new InvalidDataError(`${p}.paths: expected a list`);
        return {
          type: "parallel",
          ...base(v, p),
          kind: short(100)(v.kind, `${p}.kind`),
          paths: v.paths.map((path, j) => itemList(path, `${p}.paths[${j}]`, depth + 1)),
          pathNames: list(short(100))(v.pathNames, `${p}.pathNames`),
          merge: layer(v.merge, `${p}.merge`),
        };
      }
      default:
        throw new InvalidDataError(`${p}.type: expected "layer", "sequence" or "parallel"`);
    }
  };
  const r = record(value, "diagram");
  return {
    file: short(4000)(r.file, "diagram.file"),
    network: short(400)(r.network, "diagram.network"),
    networks: list(short(400), 10_000)(r.networks, "diagram.networks"),
    input: nullable(shape)(r.input, "diagram.input"),
    output: nullable(shape)(r.output, "diagram.output"),
    params: digits(r.params, "diagram.params"),
    macs: digits(r.macs, "diagram.macs"),
    complete: r.complete === true,
    truncated: r.truncated === true,
    items: itemList(r.items, "diagram.items", 0),
  };
}
