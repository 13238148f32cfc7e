// The TextMate grammar knows the same words as the parser and the layer catalog, and
// colours a real line as intended. VS Code loads dist/syntaxes/cnn.tmLanguage.json, which
// the build makes from syntaxes/cnn.tmLanguage.json by writing the catalog's layer names
// and the lexer's option words in for its placeholders.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as oniguruma from "vscode-oniguruma";
import { INITIAL, Registry, parseRawGrammar, type IGrammar } from "vscode-textmate";
import { keywordWords } from "../../grammar";
import { layerNames } from "../../analysis";

const root = join(__dirname, "..", "..", "..");
const grammarPath = join(root, "dist", "syntaxes", "cnn.tmLanguage.json");
const raw = JSON.parse(readFileSync(grammarPath, "utf8"));

/** The words of `\b(?:a|b|c)\b` in a pattern. */
function words(pattern: string, group = /\\b\(\?:([^()]*)\)\\b/): string[] {
  const m = group.exec(pattern);
  assert.ok(m, `no word list in ${pattern}`);
  return m[1].split("|");
}

const sorted = (a: string[]) => [...a].sort();

describe("TextMate grammar: keywords in step with the grammar and the catalog", () => {
  it("structural keywords = grammar/tokens.ts keywordWords.structural", () => {
    assert.deepEqual(sorted(words(raw.repository.structural.match)), sorted(keywordWords.structural));
  });
  it("options = keywordWords.options", () => {
    assert.deepEqual(sorted(words(raw.repository.options.match)), sorted(keywordWords.options));
  });
  it("the grammar VS Code loads is the one the build makes (package.json, the .vsix)", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    assert.deepEqual(pkg.contributes.grammars.map((g: { path: string }) => g.path), ["./dist/syntaxes/cnn.tmLanguage.json"]);
    assert.match(readFileSync(join(root, ".vscodeignore"), "utf8"), /^!dist\/syntaxes\/cnn\.tmLanguage\.json$/m);
    assert.ok(!JSON.stringify(raw).includes("{{"), "every placeholder is filled");
  });
  it("layer kinds = analysis/layers.ts layerNames, anywhere and at a statement's start", () => {
    assert.deepEqual(sorted(words(raw.repository.layers.match)), sorted(layerNames));
    const start = raw.repository["statement-start"].match as string;
    const alternatives = /\(\?:\(input\)\|\(([^()]*)\)\)/.exec(start);
    assert.ok(alternatives, "statement-start lists the layer kinds");
    assert.deepEqual(sorted(alternatives[1].split("|")), sorted(layerNames));
  });
});

describe("TextMate grammar: scopes of a real line", () => {
  let grammar: IGrammar;
  before(async () => {
    const wasm = readFileSync(join(root, "node_modules", "vscode-oniguruma", "release", "onig.wasm"));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
      loadGrammar: async () => parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath),
    });
    grammar = (await registry.loadGrammar("source.cnn"))!;
  });

  /** The innermost scope of each token of the line, keyed by its text. */
  function scopes(line: string): [string, string][] {
    const { tokens } = grammar.tokenizeLine(line, INITIAL);
    return tokens
      .map((t): [string, string] => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]])
      .filter(([text]) => text.trim() !== "");
  }
  const scopeOf = (line: string, text: string) => scopes(line).find(([t]) => t.trim() === text)?.[1];
  /** Every scope over the token holding `text`. */
  const stackOf = (line: string, text: string) => {
    const { tokens } = grammar.tokenizeLine(line, INITIAL);
    return tokens.find((t) => line.slice(t.startIndex, t.endIndex).includes(text))?.scopes ?? [];
  };

  it("label: layer kind, numbers, dimensions, option, comment with CJK", () => {
    const line = "  conv1: conv 6 5x5 pad 1 nobias   # 卷积 😀";
    assert.equal(scopeOf(line, "conv1"), "entity.name.label.cnn");
    assert.equal(scopeOf(line, "conv"), "support.function.layer.cnn");
    assert.equal(scopeOf(line, "6"), "constant.numeric.cnn");
    assert.equal(scopeOf(line, "x"), "keyword.operator.dimension.cnn");
    assert.equal(scopeOf(line, "pad"), "keyword.other.option.cnn");
    assert.equal(scopeOf(line, "nobias"), "keyword.other.option.cnn");
    assert.ok(stackOf(line, "卷积 😀").includes("comment.line.number-sign.cnn"));
    assert.equal(scopeOf(line, "#"), "punctuation.definition.comment.cnn");
  });
  it("`pad` starting a statement is the padding layer; after a layer it is the option", () => {
    assert.equal(scopeOf("  pad 2", "pad"), "support.function.layer.cnn");
    assert.equal(scopeOf("  maxpool 3x3 stride 1 pad 1", "pad"), "keyword.other.option.cnn");
    assert.equal(scopeOf("  conv 6 5x5 pad same", "same"), "constant.language.padding.cnn");
  });
  it("definitions, structures, block calls, strings, // comments", () => {
    assert.equal(scopeOf("network LeNet5 {", "LeNet5"), "entity.name.type.network.cnn");
    assert.equal(scopeOf("block Basic(k, s = 1) {", "Basic"), "entity.name.function.block.cnn");
    assert.equal(scopeOf("  residual {", "residual"), "keyword.control.cnn");
    assert.equal(scopeOf("  Basic(128, s = 2)", "Basic"), "entity.name.function.call.cnn");
    assert.equal(scopeOf('  input 32x32x3 sample "cat#1.png"', '"cat#1.png"'), "string.quoted.double.cnn");
    assert.ok(stackOf("  relu // 激活", "激活").includes("comment.line.double-slash.cnn"));
    assert.ok(!stackOf('  input 32x32x3 sample "cat#1.png"', "1.png").some((s) => s.startsWith("comment")));
  });

  it("the modern vocabulary: `mul` a structure, the new kinds layers, `init` an option", () => {
    assert.equal(scopeOf("  mul {", "mul"), "keyword.control.cnn");
    for (const [line, word] of [["  layernorm eps 1e-6", "layernorm"], ["  layerscale init 1e-6", "layerscale"], ["  slice 0 58", "slice"], ["  shuffle 2", "shuffle"], ["  droppath 0.1", "droppath"]]) {
      assert.equal(scopeOf(line, word), "support.function.layer.cnn", line);
    }
    assert.equal(scopeOf("  layerscale init 1e-6", "init"), "keyword.other.option.cnn");
  });

  /** [text, innermost scope] of every token, white space left out. */
  const pieces = (line: string) => scopes(line).map(([t, scope]) => [t.trim(), scope] as const);
  const numeric = "constant.numeric.cnn";
  const dimension = "keyword.operator.dimension.cnn";

  it("sizes: every number of `32x32x1`, `5x5`, `3x3x64`, `224 x 224 x 3`, `7×7` is one numeric token, each `x` the dimension operator", () => {
    const sizes: [string, string[]][] = [
      ["  input 32x32x1", ["32", "x", "32", "x", "1"]],
      ["  conv 6 5x5", ["5", "x", "5"]],
      ["  conv 64 3x3x64 pad 1", ["3", "x", "3", "x", "64"]],
      ["  input 224 x 224 x 3", ["224", "x", "224", "x", "3"]],
      ["  maxpool 7×7", ["7", "×", "7"]],
      ["  conv 96 11x11 stride 4", ["11", "x", "11"]],
      ["  pad 1x0", ["1", "x", "0"]],
      ["  conv k (k)x3", ["x", "3"]],
    ];
    for (const [line, size] of sizes) {
      const got = pieces(line);
      const start = got.findIndex((_, i) => size.every((s, j) => got[i + j]?.[0] === s));
      assert.ok(start >= 0, `${line}: the size is not tokenized as ${size.join(" ")}: ${JSON.stringify(got)}`);
      size.forEach((text, j) => {
        const scope = got[start + j][1];
        assert.equal(scope, text === "x" || text === "×" ? dimension : numeric, `${line}: \`${text}\` (${j + 1}. piece of the size) is ${scope}`);
      });
    }
  });
  it("a label before a block use or a structure is a label", () => {
    assert.equal(scopeOf("  layer2: Stage(128, 4, 2)", "layer2"), "entity.name.label.cnn");
    assert.equal(scopeOf("  layer2: Stage(128, 4, 2)", "Stage"), "entity.name.function.call.cnn");
    assert.equal(scopeOf("  body: residual {", "body"), "entity.name.label.cnn");
    assert.equal(scopeOf("  conv 6 5x5 pad 1", "pad"), "keyword.other.option.cnn");
  });
  it("numbers: counts, decimals, exponents are numeric whole; digits inside names are not", () => {
    for (const [line, number] of [["  conv 16 5x5", "16"], ["  dropout 0.5", "0.5"], ["  dropout .25", ".25"], ["  bn eps 1e-5", "1e-5"], ["  fc 1000", "1000"], ["  conv 2*k 1x1", "2"]]) {
      assert.ok(pieces(line).some(([t, s]) => t === number && s === numeric), `${line}: \`${number}\` is not one numeric token: ${JSON.stringify(pieces(line))}`);
    }
    for (const [line, name] of [["  conv1: conv 64 7x7", "conv1"], ["  layer2: Stage(128, 4, 2)", "layer2"], ["  c3x3: conv 8 3x3", "c3x3"], ["  Stage2(64)", "Stage2"]]) {
      const got = pieces(line);
      assert.ok(got.some(([t]) => t === name), `${line}: \`${name}\` is split: ${JSON.stringify(got)}`);
      assert.ok(!got.some(([t, s]) => s === numeric && name.includes(t) && !line.includes(` ${t}`)), `${line}: digits of \`${name}\` coloured as a number`);
    }
  });
});
