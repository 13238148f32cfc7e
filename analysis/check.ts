// Checking plain data that crossed a boundary (a JSON-RPC response, a webview message):
// small readers that either return the typed value or throw with the path that was wrong.

export class InvalidDataError extends Error {
  override name = "InvalidDataError";
}

export type Reader<T> = (value: unknown, path: string) => T;

function fail(path: string, what: string, value: unknown): never {
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : Array.isArray(value) ? "a list" : value === null ? "null" : typeof value;
  throw new InvalidDataError(`${path}: expected ${what}, got ${shown}`);
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const string: Reader<string> = (v, p) => (typeof v === "string" ? v : fail(p, "a string", v));
export const boolean: Reader<boolean> = (v, p) => (typeof v === "boolean" ? v : fail(p, "true or false", v));
export const number: Reader<number> = (v, p) => (typeof v === "number" && Number.isFinite(v) ? v : fail(p, "a finite number", v));
export const integer: Reader<number> = (v, p) => (Number.isSafeInteger(v) ? (v as number) : fail(p, "a whole number", v));
export const count: Reader<number> = (v, p) => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fail(p, "a whole number ≥ 0", v));
export const positive: Reader<number> = (v, p) => (Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : fail(p, "a whole number > 0", v));
/** a bigint written as decimal digits */
export const decimalBigint: Reader<bigint> = (v, p) => (typeof v === "string" && /^-?\d{1,40}$/.test(v) ? BigInt(v) : fail(p, "decimal digits", v));

export function record(v: unknown, p: string): Record<string, unknown> {
  return isRecord(v) ? v : fail(p, "an object", v);
}

export function list<T>(item: Reader<T>, max = 10_000_000): Reader<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) fail(p, "a list", v);
    if (v.length > max) throw new InvalidDataError(`${p}: more than ${max} items`);
    return v.map((x, i) => item(x, `${p}[${i}]`));
  };
}

export function optional<T>(item: Reader<T>): Reader<T | undefined> {
  return (v, p) => (v === undefined ? undefined : item(v, p));
}

export function nullable<T>(item: Reader<T>): Reader<T | null> {
  return (v, p) => (v === null ? null : item(v, p));
}

export function oneOf<T extends string>(...values: T[]): Reader<T> {
  return (v, p) => (typeof v === "string" && (values as string[]).includes(v) ? (v as T) : fail(p, values.map((x) => JSON.stringify(x)).join(" or "), v));
}

export function pair(item: Reader<number>): Reader<[number, number]> {
  return (v, p) => {
    const xs = list(item, 2)(v, p);
    if (xs.length !== 2) fail(p, "two numbers", v);
    return [xs[0], xs[1]];
  };
}
