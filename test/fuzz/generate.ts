// The fuzzer's documents: fast-check generators of `.cnn` texts (layers, options, blocks,
// repeats, residuals, networks; huge numbers, Unicode, surrogate pairs, lone surrogates,
// BOMs, control characters, deep nesting, every line ending) and mutations of the seeds
// (the examples and the test fixtures). Everything is drawn from one seed: the same seed,
// the same documents.

import fc from "fast-check";

/** the word after a flag on the command line (`--seed 7` → "7"), if the flag is there */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** A small, fast, seeded generator (mulberry32) for mutations, edits and positions. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const KINDS = ["conv", "dwconv", "local", "deconv", "convT", "maxpool", "avgpool", "gap", "globalavgpool", "fc", "dense", "linear", "flatten", "bn", "batchnorm", "lrn", "dropout", "relu", "relu6", "leakyrelu", "elu", "gelu", "silu", "sigmoid", "tanh", "softmax", "upsample", "pad", "layernorm", "layerscale", "slice", "shuffle", "droppath", "input", "concat", "add", "covn", "Conv", "rel"];
const OPTIONS = ["stride", "pad", "dilation", "groups", "outpad", "nobias", "floor", "ceil", "multiplier", "eps", "init", "bias", "weights", "same", "valid", "sample", "data", "mean", "std", "digits", "shapes", "noise"];
const KEYWORDS = ["network", "block", "repeat", "residual", "shortcut", "input", "{", "}", "(", ")", ",", ";", ":", "x", "×", "[", "]", "#", "//", "=", "\n", "\r\n", "\r"];
/** characters that have tripped editors and servers: BOMs, spaces that are not spaces, line separators, controls, surrogates */
export const ODD = ["\uFEFF", "\u00A0", "\u2028", "\u2029", "\u3000", "\u200B", "\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\t", "\f", "\v", "\r", "😀", "👍🏽", "𝔸", "🇰🇷", "\uD800", "\uDFFF", "\uDBFF\uDFFF", "é", "e\u0301", "卷积", "합성곱", "ℵ", "\u202E", "\u2066", "\u200F", "\u061C", "\\", '"', "'", "`"];
const HUGE = ["1000000000", "4294967296", "9007199254740993", "99999999999999999999999999", "1e9", "1e308", "1e-400", "0.5", "-3", "00", "007", "3.", ".5", "1_000", "0x10", "∞", "NaN", "18446744073709551616", "2147483648"];

const ident = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", "k", "x", "B", "Basic", "Down", "Stem", "layer1", "conv1", "N", "_", "Net") },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/) },
);

const smallNumber = fc.integer({ min: 0, max: 300 }).map(String);
const number = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 64 }).map(String) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: false }).map(String) },
);
const times = fc.constantFrom("x", "x", "x", " x ", "×", "X", "*");
const size = fc.oneof(
  fc.tuple(number, times, number).map((p) => p.join("")),
  fc.tuple(number, times, number, times, number).map((p) => p.join("")),
  number,
);
const list: fc.Arbitrary<string> = fc.letrec<{ list: string }>((tie) => ({
  list: fc.oneof({ maxDepth: 3 }, fc.array(number, { maxLength: 6 }).map((xs) => `[${xs.join(", ")}]`), fc.array(tie("list"), { maxLength: 3 }).map((xs) => `[${xs.join(",")}]`)),
})).list;
const odd = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
);
const comment = fc.tuple(fc.constantFrom("#", "//", "# →", "#"), fc.oneof(fc.string({ unit: "grapheme", maxLength: 30 }), odd, fc.constantFrom(" K=96 F=11 S=4 P=0 → 55×55×96", " 卷积层", " 합성곱 층", " 😀"))).map(([a, b]) => ` ${a}${b}`.replace(/[\r\n]/g, ""));

const option = fc.oneof(
  fc.tuple(fc.constantFrom(...OPTIONS), fc.oneof(number, size, list, fc.constantFrom("same", "valid", '"cat.png"', "digits", ""))).map(([o, v]) => `${o} ${v}`),
  fc.constantFrom("nobias", "floor", "ceil"),
);

const statement = fc
  .tuple(fc.option(ident.map((l) => `${l}: `), { freq: 4 }), fc.constantFrom(...KINDS), fc.array(fc.oneof(number, size), { maxLength: 2 }), fc.array(option, { maxLength: 3 }), fc.option(comment, { freq: 5 }))
  .map(([label, kind, args, options, c]) => `${label ?? ""}${kind}${args.length ? " " + args.join(" ") : ""}${options.length ? " " + options.join(" ") : ""}${c ?? ""}`);

const blockUse = fc.tuple(ident, fc.array(fc.oneof(number, ident), { maxLength: 3 })).map(([n, a]) => `${n}(${a.join(", ")})`);

const bodies = fc.letrec<{ body: string; item: string }>((tie) => ({
  body: fc.tuple(fc.array(tie("item"), { minLength: 1, maxLength: 7 }), fc.constantFrom("\n", "\n", "\n", "; ", "\r\n")).map(([items, sep]) => items.join(sep)),
  item: fc.oneof(
    { maxDepth: 4, depthSize: "small" },
    { weight: 8, arbitrary: statement },
    { weight: 1, arbitrary: blockUse },
    { weight: 1, arbitrary: fc.tuple(smallNumber, tie("body")).map(([n, b]) => `repeat ${n} {\n${b}\n}`) },
    { weight: 1, arbitrary: fc.tuple(tie("body"), fc.option(tie("body"))).map(([b, s]) => `residual {\n${b}\n}${s ? ` shortcut {\n${s}\n}` : ""}`) },
  ),
}));

const definition = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(ident, bodies.body).map(([n, b]) => `network ${n} {\n  input ${"32x32x3"}\n${b}\n}`) },
  { weight: 2, arbitrary: fc.tuple(ident, fc.array(ident, { maxLength: 3 }), bodies.body).map(([n, ps, b]) => `block ${n}(${ps.join(", ")}) {\n${b}\n}`) },
  { weight: 2, arbitrary: bodies.body },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("input 28x28", "input 32x32x3", "input 224x224x3", "input 8x8x1"), bodies.body).map(([i, b]) => `${i}\n${b}`) },
);

/** deep nesting: braces, residuals and repeats opened hundreds deep, closed or not */
const nested = fc.tuple(fc.integer({ min: 10, max: 400 }), fc.constantFrom("residual {\n", "repeat 2 {\n", "{", "network N {\n", "block B(k) {\n", "(", "["), fc.boolean()).map(([depth, open, close]) => {
  const closer = open.startsWith("(") ? ")" : open.startsWith("[") ? "]" : "}";
  return `input 8x8x1\n${open.repeat(depth)}relu\n${close ? closer.repeat(depth) : ""}`;
});

/** A generated document: fast-check's, up to ~10 kB. */
export const documentArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof({ weight: 12, arbitrary: fc.array(definition, { minLength: 1, maxLength: 5 }).map((ds) => ds.join("\n\n")) }, { weight: 1, arbitrary: nested }),
    fc.constantFrom("\n", "\n", "\n", "\r\n", "\r"),
    fc.option(fc.constantFrom("\uFEFF", "\uFEFF\uFEFF", " \n", "\u2028"), { freq: 8 }),
    fc.array(fc.tuple(fc.nat(), odd), { maxLength: 3 }),
  )
  .map(([text, eol, prefix, sprinkles]) => {
    let t = (prefix ?? "") + text.replace(/\r?\n/g, eol);
    for (const [at, s] of sprinkles) {
      const i = at % (t.length + 1);
      t = t.slice(0, i) + s + t.slice(i);
    }
    return t.length > 10_000 ? t.slice(0, 10_000) : t;
  });

export function generated(seed: number): string {
  return fc.sample(documentArbitrary, { seed, numRuns: 1 })[0];
}

/** A seed text mutated: characters and tokens inserted, deleted, replaced; lines moved; numbers blown up. */
export function mutated(seeds: readonly string[], r: Random): string {
  let t = r.pick(seeds);
  const steps = 1 + r.int(6);
  for (let s = 0; s < steps; s++) {
    const at = r.int(t.length + 1);
    switch (r.int(11)) {
      case 0: // delete a run
        t = t.slice(0, at) + t.slice(Math.min(t.length, at + 1 + r.int(40)));
        break;
      case 1: // insert a keyword or punctuation
        t = t.slice(0, at) + r.pick(KEYWORDS) + t.slice(at);
        break;
      case 2: // insert an odd character
        t = t.slice(0, at) + r.pick(ODD) + t.slice(at);
        break;
      case 3: {
        // replace a number by a huge one
        const m = [...t.matchAll(/\d+/g)];
        if (m.length) {
          const hit = r.pick(m);
          t = t.slice(0, hit.index) + r.pick(HUGE) + t.slice(hit.index! + hit[0].length);
        }
        break;
      }
      case 4: {
        // duplicate or move a line
        const lines = t.split("\n");
        const i = r.int(lines.length);
        const j = r.int(lines.length);
        const [line] = r.chance(0.5) ? lines.splice(i, 1) : [lines[i]];
        lines.splice(j, 0, line);
        t = lines.join("\n");
        break;
      }
      case 5: // splice in a part of another seed
        {
          const other = r.pick(seeds);
          const from = r.int(other.length + 1);
          t = t.slice(0, at) + other.slice(from, from + r.int(300)) + t.slice(at);
        }
        break;
      case 6: // change the line endings
        t = t.replace(/\r\n|\r|\n/g, r.pick(["\n", "\r\n", "\r", "\u2028"]));
        break;
      case 7: // truncate
        t = t.slice(0, at);
        break;
      case 8: // a random byte-ish character
        t = t.slice(0, at) + String.fromCharCode(r.int(0x10000)) + t.slice(at);
        break;
      case 9: // wrap a part in a repeat or residual
        {
          const end = Math.min(t.length, at + r.int(200));
          t = t.slice(0, at) + r.pick(["repeat 3 {\n", "residual {\n", "repeat 300 { ", "block Q(k) {\n"]) + t.slice(at, end) + "\n}" + t.slice(end);
        }
        break;
      default: // a generated statement
        t = t.slice(0, at) + "\n" + generated(r.int(2 ** 31)).slice(0, 400) + "\n" + t.slice(at);
    }
  }
  return t.length > 12_000 ? t.slice(0, 12_000) : t;
}

/** A random position in the text: mostly at or near a token, sometimes anywhere on the line. */
export function randomPosition(lines: readonly string[], r: Random): { line: number; character: number } {
  const line = r.int(lines.length);
  const text = lines[line];
  if (text.length === 0 || r.chance(0.3)) return { line, character: r.int(text.length + 1) };
  const words = [...text.matchAll(/[A-Za-z_0-9]+|[^\sA-Za-z_0-9]/g)];
  if (!words.length) return { line, character: r.int(text.length + 1) };
  const w = r.pick(words);
  return { line, character: w.index! + r.int(w[0].length + 1) };
}

/** Text to type in an edit: a piece of the language, an odd character, a line break, or nothing. */
export function typed(r: Random): string {
  switch (r.int(6)) {
    case 0:
      return "";
    case 1:
      return r.pick(KEYWORDS);
    case 2:
      return r.pick(ODD);
    case 3:
      return `${r.pick(KINDS)} ${r.int(64) + 1}${r.chance(0.5) ? ` ${r.int(7) + 1}x${r.int(7) + 1}` : ""}`;
    case 4:
      return r.pick(["\n", "\n  ", "\r\n", " ", "  ", "\t"]);
    default:
      return String.fromCharCode(32 + r.int(95));
  }
}
