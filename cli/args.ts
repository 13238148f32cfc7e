// Options of the engine's commands: `--name value` pairs, flags, and the file.

import { UsageError } from "./usage";

export interface ParsedArgs {
  files: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

export function parseArgs(command: string, args: string[], valued: string[], flags: string[]): ParsedArgs {
  const out: ParsedArgs = { files: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) {
      out.files.push(a);
      continue;
    }
    const [name, inline] = a.split(/=(.*)/s, 2) as [string, string | undefined];
    if (valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`cnn ${command}: ${name} needs a value`);
      out.values.set(name, value);
    } else if (flags.includes(name) && inline === undefined) out.flags.add(name);
    else throw new UsageError(`cnn ${command}: unknown option ${a} (it takes ${[...valued.map((v) => `${v} …`), ...flags].join(", ")})`);
  }
  return out;
}

export function integerOption(command: string, args: ParsedArgs, name: string, fallback: number, max = 2 ** 32 - 1): number {
  const text = args.values.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new UsageError(`cnn ${command}: ${name} takes a whole number from 0 to ${max}, not \`${text}\``);
  return n;
}
