// What the output's classes are called (docs/ENGINE.md, "Class names"). Only where the
// product can be sure: the input line's `classes`, else the names a weights file carries
// (`cnn train` writes them), else ImageNet's for a 1,000-way output; otherwise "class 3".

import type { NetworkResult } from "../../analysis/types";
import { IMAGENET_CLASSES } from "./imagenet";
import { inputAttrs } from "../input";

export { IMAGENET_CLASSES };

export const DIGIT_CLASSES: readonly string[] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** the key under which a .safetensors header's __metadata__ holds the class names (a JSON list) */
export const CLASSES_METADATA_KEY = "classes";

export interface ClassNames {
  names: readonly string[];
  /** where they come from, for people: `digits (the input's classes)`, `classes.txt`, `ImageNet's classes` */
  source: string;
}

/** the output's number of classes: a vector's N, or a 1×1×N volume's N; null otherwise */
export function classCount(network: NetworkResult): number | null {
  const out = network.output;
  if (!out) return null;
  if (out.kind === "vector") return out.n;
  return out.w === 1 && out.h === 1 ? out.d : null;
}

/** a classes file above this is refused (ImageNet-21k's 21,841 names are about 400 kB) */
export const MAX_CLASSES_BYTES = 2_000_000;

/**
 * A classes file's bytes as its names (parseClassNames), or an Error saying why not: too
 * large, not UTF-8 text (UTF-16 is named as such), a NUL byte (not a text file).
 */
export function classNamesFromBytes(bytes: Uint8Array): string[] {
  if (bytes.length > MAX_CLASSES_BYTES) throw new Error(`it is ${(bytes.length / 1e6).toFixed(1)} MB; a classes file is read up to ${MAX_CLASSES_BYTES / 1e6} MB`);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw new Error("it is UTF-16 text; save it as UTF-8");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error("it is not UTF-8 text");
  }
  const nul = text.indexOf("\u0000");
  if (nul >= 0) throw new Error(`it is not a text file (a NUL character at ${nul})`);
  return parseClassNames(text);
}

/** A classes file: one name a line (UTF-8); blank lines at the end and a BOM are ignored, names trimmed. */
export function parseClassNames(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/).map((l) => l.trim());
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The text of a classes file (what `cnn train` on an ImageFolder writes beside its weights). */
export function classNamesText(names: readonly string[]): string {
  for (const n of names) if (/[\r\n]/.test(n)) throw new Error(`a class name cannot hold a line break: ${JSON.stringify(n)}`);
  return names.join("\n") + "\n";
}

/** The class names a weights file's metadata carries, or null (not there, not a list of strings). */
export function classNamesFromMetadata(metadata: Record<string, string> | undefined): string[] | null {
  const list = (v: unknown): string[] | null => (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string") ? v : null);
  const parsed = (text: string | undefined): unknown => {
    if (typeof text !== "string") return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  // a list under `classes`, else `cnn train`'s record: `trained` = { classes: […], … }
  const direct = list(parsed(metadata?.[CLASSES_METADATA_KEY]));
  if (direct) return direct;
  const trained = parsed(metadata?.[TRAINED_METADATA_KEY]);
  return trained && typeof trained === "object" ? list((trained as { classes?: unknown }).classes) : null;
}

/** the key under which `cnn train` records how the weights were trained (JSON with `classes`) */
export const TRAINED_METADATA_KEY = "trained";

export interface ClassSources {
  /** the names in the file the input's `classes "…"` names, once read */
  file?: { name: string; names: string[] };
  /** the names the weights file carries */
  weights?: { name: string; names: string[] };
}

/**
 * The output's class names, or null when nothing makes them sure. `notes` gets what
 * people should know (a list of the wrong length is not used, and is said).
 */
export function classNamesFor(network: NetworkResult, sources: ClassSources = {}, notes: string[] = []): ClassNames | null {
  const n = classCount(network);
  if (n === null) return null;
  const fits = (names: readonly string[], what: string) => {
    if (names.length === n) return true;
    notes.push(`${what} has ${names.length} class name${names.length === 1 ? "" : "s"}, the output ${n}: the classes are shown by number`);
    return false;
  };
  const said = inputAttrs(network).classes;
  if (said && "name" in said) {
    const names = said.name === "digits" ? DIGIT_CLASSES : IMAGENET_CLASSES;
    return fits(names, `\`classes ${said.name}\``) ? { names, source: said.name === "digits" ? "the digits (`classes digits`)" : "ImageNet's classes (`classes imagenet`)" } : null;
  }
  if (said && "path" in said) {
    if (!sources.file) return null;
    return fits(sources.file.names, sources.file.name) ? { names: sources.file.names, source: sources.file.name } : null;
  }
  if (sources.weights && fits(sources.weights.names, `the weights file ${sources.weights.name}`)) return { names: sources.weights.names, source: `the weights file ${sources.weights.name}` };
  // a 10-way net whose input line takes an MNIST digit (`sample digits`, `sample digit3`): its classes are the digits
  const sample = inputAttrs(network).sample;
  if (n === 10 && sample && "name" in sample && /^digit(s|\d(_\d+)?)$/.test(sample.name)) return { names: DIGIT_CLASSES, source: "the digits (a 10-way output on a digit sample; `classes` on the input line says otherwise)" };
  if (n === 1000) return { names: IMAGENET_CLASSES, source: "ImageNet's classes (a 1,000-way output; `classes` on the input line says otherwise)" };
  return null;
}

/** `7 (seven)` style label of class i: its name, or `class i` */
export function className(names: ClassNames | null, index: number): string {
  return names ? names.names[index] : `class ${index}`;
}
