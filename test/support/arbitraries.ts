// Generated .cnn texts (fast-check): blocks that use earlier blocks (several times, with
// arguments), repeats (up to 10,000 passes), residuals, concats, typos and wrong values.
// The tests check that reuse of elaborations changes nothing; the analysis bench searches
// these for the slowest text of at most 10 kB.

import * as fc from "fast-check";

export interface TextOptions {
  /** blocks defined before the network (each may use the earlier ones) */
  maxBlocks?: number;
  /** nesting of repeat/residual/concat */
  maxDepth?: number;
  /** the largest repeat count */
  maxRepeat?: number;
  /** statements per body */
  maxStatements?: number;
}

const count = (inBlock: boolean): fc.Arbitrary<string> =>
  inBlock ? fc.oneof(fc.constantFrom("k", "k+1", "2*k", "k/2"), fc.integer({ min: 1, max: 64 }).map(String)) : fc.integer({ min: 1, max: 64 }).map(String);

function layer(inBlock: boolean): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("relu", "bn", "maxpool 2", "pad 1", "gap", "flatten", "dropout 0.1", "fc 10", "avgpool 3x3 stride 1 pad 1") },
    {
      weight: 4,
      arbitrary: fc
        .tuple(count(inBlock), fc.constantFrom(1, 3, 5), fc.constantFrom("", " pad 1", " pad same", " stride 2", " stride 2 pad 1 floor"))
        .map(([k, f, rest]) => `conv ${k} ${f}x${f}${rest}`),
    },
    // mistakes: a typo, a wrong value, a misspelt option
    { weight: 1, arbitrary: fc.constantFrom("rel", "conv 0 3x3", "conv 8 3x3 strid 2", "maxpool 9x9", "fc -1") },
  );
}

/** A body of statements; `blocks` names the blocks it may use. */
function body(blocks: string[], inBlock: boolean, depth: number, o: Required<TextOptions>): fc.Arbitrary<string[]> {
  const leaf = layer(inBlock);
  const call = blocks.length
    ? fc.tuple(fc.constantFrom(...blocks), count(inBlock)).map(([b, k]) => `${b}(${k})`)
    : leaf;
  const statement: fc.Arbitrary<string> =
    depth <= 0
      ? fc.oneof({ weight: 3, arbitrary: leaf }, { weight: 2, arbitrary: call })
      : fc.oneof(
          { weight: 3, arbitrary: leaf },
          { weight: 3, arbitrary: call },
          {
            weight: 2,
            arbitrary: fc
              .tuple(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: o.maxRepeat })), body(blocks, inBlock, depth - 1, o))
              .map(([n, b]) => `repeat ${n} { ${b.join("; ")} }`),
          },
          {
            weight: 1,
            arbitrary: fc
              .tuple(body(blocks, inBlock, depth - 1, o), fc.option(body(blocks, inBlock, depth - 1, o), { nil: null }))
              .map(([b, s]) => `residual { ${b.join("; ")} }${s ? ` shortcut { ${s.join("; ")} }` : ""}`),
          },
          {
            weight: 1,
            arbitrary: fc
              .array(body(blocks, inBlock, depth - 1, o), { minLength: 1, maxLength: 3 })
              .map((bs) => `concat { ${bs.map((b) => `branch { ${b.join("; ")} }`).join(" ")} }`),
          },
        );
  return fc.array(statement, { minLength: 1, maxLength: o.maxStatements });
}

/** A file: blocks B0…Bn (each may use the ones before it), then a network that uses them. */
export function cnnText(options: TextOptions = {}): fc.Arbitrary<string> {
  const o: Required<TextOptions> = { maxBlocks: 5, maxDepth: 2, maxRepeat: 10_000, maxStatements: 4, ...options };
  return fc.integer({ min: 0, max: o.maxBlocks }).chain((n) => {
    const names = Array.from({ length: n }, (_, i) => `B${i}`);
    const blocks = names.map((name, i) => body(names.slice(0, i), true, o.maxDepth, o).map((b) => `block ${name}(k) {\n  ${b.join("\n  ")}\n}`));
    const input = fc.tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 8 })).map(([w, h, d]) => `input ${w}x${h}x${d}`);
    return fc.tuple(fc.tuple(...blocks), input, body(names, false, o.maxDepth, o)).map(([bs, inp, net]) => [...bs, "network N {", `  ${inp}`, ...net.map((s) => `  ${s}`), "}", ""].join("\n"));
  });
}

/**
 * Texts built to be slow: a chain of blocks each using the one before it several times
 * (3ⁿ layers), nested repeats (a few with large counts, or many with small ones),
 * growing paddings (no two uses alike), a fault and then a repeat that grows the shape,
 * typos in the leaves.
 */
export function hostileText(): fc.Arbitrary<string> {
  const leaf = fc.constantFrom("relu", "rel", "pad 1", "conv k 3x3 pad 1", "conv 0 3x3", "bn; relu", "maxpool 2 ceil", "conv k 1x1; pad 1");
  const chain = fc
    .tuple(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 2, max: 4 }), leaf, fc.constantFrom("k", "k+1", "2*k"), fc.boolean())
    .map(([n, uses, base, arg, inRepeat]) => {
      const lines = [`block B0(k) { ${base} }`];
      for (let i = 1; i < n; i++) {
        const call = `B${i - 1}(${arg})`;
        lines.push(`block B${i}(k) { ${inRepeat ? `repeat ${uses} { ${call} }` : Array(uses).fill(call).join("; ")} }`);
      }
      return { lines, top: `B${n - 1}(1)` };
    });
  const repeats = fc
    .tuple(fc.array(fc.integer({ min: 2, max: 10_000 }), { minLength: 1, maxLength: 6 }), leaf)
    .map(([ns, base]) => ({ lines: [] as string[], top: ns.reduceRight((inner, n) => `repeat ${n} { ${inner} }`, base.replace(/k/g, "4")) }));
  // (the fuzzer's: 13–20 nested `repeat 2`, tens of thousands of layers expanded)
  const deep = fc
    .tuple(fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 10, maxLength: 20 }), leaf)
    .map(([ns, base]) => ({ lines: [] as string[], top: ns.reduceRight((inner, n) => `repeat ${n} {\n${inner}\n}`, base.replace(/k/g, "4")) }));
  // a fault, then layers that grow the stand-in pass by pass (the fuzzer's convT in a repeat)
  const grown = fc
    .tuple(
      fc.constantFrom("conv 8 3x3 stride 0", "rel", "conv 4 3x3 outpad 9", "fc 10; conv 4 3x3"),
      fc.array(fc.integer({ min: 2, max: 400 }), { minLength: 1, maxLength: 3 }),
      fc.constantFrom("convT 8 20", "pad 3", "upsample 2", "conv 4 3x3 pad 5", "maxpool 2 ceil; pad 2"),
    )
    .map(([fault, ns, body]) => ({ lines: [] as string[], top: `${fault}\n${ns.reduceRight<string>((inner, n) => `repeat ${n} { ${inner} }`, body)}` }));
  return fc
    .tuple(fc.array(fc.oneof(chain, repeats, deep, grown), { minLength: 1, maxLength: 4 }), fc.constantFrom("8x8x1", "32x32x3", "224x224x3"))
    .map(([parts, input]) => {
      const blocks: string[] = [];
      const uses: string[] = [];
      parts.forEach((p, i) => {
        // each part's blocks get names of their own
        const rename = (t: string) => t.replace(/\bB(\d+)\b/g, `P${i}_$1`);
        blocks.push(...p.lines.map(rename));
        uses.push(rename(p.top));
      });
      return [...blocks, `input ${input}`, ...uses, ""].join("\n");
    });
}
