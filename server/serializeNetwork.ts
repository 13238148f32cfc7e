// A network as plain JSON for the run view: every bigint as its decimal digits, every
// span as its offsets, Maps and functions left out — the same shape as the engine's
// engine/serialize.ts (Serialized<NetworkResult>), which replaces this stand-in once
// it is on main; the `cnn/network` response then comes from there.

import type { NetworkResult } from "../analysis";

type Plain<T> = T extends bigint
  ? string
  : T extends Map<unknown, unknown> | ((...args: never[]) => unknown)
    ? never
    : T extends (infer U)[]
      ? Plain<U>[]
      : T extends object
        ? { [K in keyof T as T[K] extends Map<unknown, unknown> | ((...args: never[]) => unknown) ? never : K]: Plain<T[K]> }
        : T;

export type SerializedNetwork = Plain<NetworkResult>;

const spanKeys = new Set(["span", "nameSpan"]);

function plain(value: unknown, key = ""): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map((v) => plain(v, key === "callSites" ? "span" : ""));
  if (value === null || typeof value !== "object" || value instanceof Map) return value instanceof Map ? undefined : value;
  const record = value as Record<string, unknown>;
  // a span is often a whole syntax node: its offsets are all the run view needs
  if (spanKeys.has(key)) return { start: record.start, end: record.end };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (typeof v === "function" || v instanceof Map) continue;
    out[k] = plain(v, k);
  }
  return out;
}

export function serializeNetwork(network: NetworkResult): SerializedNetwork {
  return plain(network) as SerializedNetwork;
}
