// Tokens of the .cnn language (chevrotain lexer).
//
// Layer kinds are plain identifiers, resolved by the analysis against the layer
// catalog, so that an unknown kind gets a "did you mean …" rather than a parse error.
// Option names are keywords: their value syntax is known here (`optionArity`), which
// lets the parser tell `conv k 3x3 stride s` apart without knowing block parameters.

import { createToken, Lexer, type TokenType, type CustomPatternMatcherFunc, type IToken, type ILexingResult } from "chevrotain";

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isIdentChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\f\v\u00a0\u2000-\u200b\u2028\u2029\u3000\ufeff]+/,
  group: Lexer.SKIPPED,
});

export const Newline = createToken({
  name: "Newline",
  pattern: /\r\n|\r|\n/,
  line_breaks: true,
  label: "end of line",
});

export const Comment = createToken({
  name: "Comment",
  pattern: /(?:#|\/\/)[^\r\n]*/,
  group: "comments",
});

export const StringLiteral = createToken({
  name: "StringLiteral",
  // an unterminated string stops at the end of the line; the parser reports it
  pattern: /"[^"\r\n]*"?/,
  label: "string",
});

/**
 * A number glued to letters or a second dot (`12abc`, `3.5.2`, `1e`): not lexed
 * directly but made by `tokenize` from adjacent pieces, so it is reported once, whole.
 */
export const BadNumber = createToken({ name: "BadNumber", pattern: Lexer.NA, label: "number" });

export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: "number",
});

/**
 * `x` or `×` between dimensions. A lower-case `x` is a separator right after a
 * number or `)` (`32x32`, `(k)x3`) or when it stands alone (`32 x 32`); elsewhere
 * it starts an identifier.
 */
const matchCross: CustomPatternMatcherFunc = (text, offset) => {
  const c = text[offset];
  if (c === "×") return ["×"] as unknown as RegExpExecArray;
  if (c !== "x") return null;
  const prev = offset > 0 ? text[offset - 1] : undefined;
  const next = text[offset + 1];
  if (isDigit(prev) || prev === ")") return ["x"] as unknown as RegExpExecArray;
  if (!isIdentChar(prev) && !isIdentChar(next)) return ["x"] as unknown as RegExpExecArray;
  return null;
};

export const Cross = createToken({
  name: "Cross",
  pattern: { exec: matchCross },
  start_chars_hint: ["x", "×"],
  line_breaks: false,
  label: "x",
});

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: "name",
});

/**
 * A label written as a module path, as PyTorch names its modules: dotted parts, each of
 * letters, digits and `_` (`features.0`, `layer1.0.conv1`, `0`). Not lexed directly:
 * `tokenize` makes it from the pieces right before a `:` (a plain `conv1:` stays an
 * identifier).
 */
export const PathName = createToken({ name: "PathName", pattern: Lexer.NA, label: "label" });

/** A lone `.`: only inside a module-path label, which `tokenize` glues; elsewhere it is reported and dropped. */
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "`.`" });

/** word → keyword token: keywords are lexed as identifiers and looked up here (see tokenize). */
const keywordByWord = new Map<string, TokenType>();

function keyword(word: string, categories?: TokenType[]): TokenType {
  const type = createToken({
    name: word[0].toUpperCase() + word.slice(1),
    pattern: Lexer.NA,
    label: `\`${word}\``,
    ...(categories ? { categories } : {}),
  });
  keywordByWord.set(word, type);
  return type;
}

export const Network = keyword("network");
export const Block = keyword("block");
export const Repeat = keyword("repeat");
export const Residual = keyword("residual");
export const Shortcut = keyword("shortcut");
export const Concat = keyword("concat");
export const Add = keyword("add");
export const Mul = keyword("mul");
export const Branch = keyword("branch");

/** Category of every option keyword. */
export const OptionKeyword = createToken({ name: "OptionKeyword", pattern: Lexer.NA, label: "option" });

/**
 * Option keywords and how many values each takes. Which layer accepts which option
 * is the layer catalog's business (analysis/layers.ts); this is only their syntax.
 */
export const optionArity: Record<string, 0 | 1> = {
  stride: 1,
  pad: 1,
  dilation: 1,
  groups: 1,
  outpad: 1,
  multiplier: 1,
  eps: 1,
  init: 1,
  weights: 1,
  bias: 1,
  data: 1,
  sample: 1,
  mean: 1,
  std: 1,
  classes: 1,
  nobias: 0,
  invert: 0,
  floor: 0,
  ceil: 0,
};

/** Options that take a value (`stride 2`) and flags (`nobias`). */
export const ValueOption = createToken({ name: "ValueOption", pattern: Lexer.NA, categories: [OptionKeyword], label: "option" });
export const FlagOption = createToken({ name: "FlagOption", pattern: Lexer.NA, categories: [OptionKeyword], label: "option" });

export const optionKeywords: TokenType[] = Object.entries(optionArity).map(([w, arity]) =>
  keyword(w, [OptionKeyword, arity === 1 ? ValueOption : FlagOption]),
);
/** `pad` is also a layer kind (a zero-padding layer). */
export const PadKeyword = optionKeywords.find((t) => t.name === "Pad")!;

export const LBrace = createToken({ name: "LBrace", pattern: /\{/, label: "`{`" });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/, label: "`}`" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "`(`" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "`)`" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "`[`" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "`]`" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "`,`" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "`=`" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "`:`" });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/, label: "`;`" });
export const Plus = createToken({ name: "Plus", pattern: /\+/, label: "`+`" });
export const Minus = createToken({ name: "Minus", pattern: /[-−]/, label: "`-`" });
export const Star = createToken({ name: "Star", pattern: /[*·]/, label: "`*`" });
export const Slash = createToken({ name: "Slash", pattern: /\//, label: "`/`" });

export const structuralKeywords = [Network, Block, Repeat, Residual, Shortcut, Concat, Add, Mul, Branch];

export const allTokens: TokenType[] = [
  WhiteSpace,
  Newline,
  Comment,
  StringLiteral,
  BadNumber,
  PathName,
  NumberLiteral,
  Dot,
  Cross,
  ...structuralKeywords,
  OptionKeyword,
  ValueOption,
  FlagOption,
  ...optionKeywords,
  Identifier,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Equals,
  Colon,
  Semicolon,
  Plus,
  Minus,
  Star,
  Slash,
];

/** The keywords a TextMate grammar or a completion list should know (kept in step by a test). */
export const keywordWords = {
  structural: [...keywordByWord.keys()].filter((w) => !(w in optionArity)),
  options: Object.keys(optionArity),
};

const cnnLexer = new Lexer(allTokens, { ensureOptimizations: true, positionTracking: "onlyOffset" });

function retype(tok: IToken, type: TokenType): void {
  tok.tokenType = type;
  tok.tokenTypeIdx = type.tokenTypeIdx!;
}

/**
 * Lexes the text, then turns identifiers that are keywords into keyword tokens (one
 * map lookup instead of a regex per keyword), glues a module-path label (`layer1.0.conv1:`)
 * into one PathName token, and a number to the letters or digits right after it into
 * one BadNumber token.
 */
export function tokenize(text: string): ILexingResult {
  const result = cnnLexer.tokenize(text);
  const tokens = result.tokens;
  let out = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const pathEnd = tok.tokenType === Identifier || tok.tokenType === NumberLiteral ? modulePathEnd(tokens, i, text) : -1;
    if (pathEnd >= 0) {
      // `features.0:`, `layer1.0.conv1:`, `0:` → one label token
      const end = endOf(tokens[pathEnd]);
      retype(tok, PathName);
      tok.image = text.slice(tok.startOffset, end);
      tok.endOffset = end - 1;
      tokens[out++] = tok;
      i = pathEnd;
      continue;
    }
    if (tok.tokenType === Dot) {
      // a dot outside a module-path label is not a token of the language (as before it was lexed)
      result.errors.push({ offset: tok.startOffset, length: 1, line: undefined, column: undefined, message: "unexpected character `.`" });
      continue;
    }
    if (tok.tokenType === Identifier) {
      const kw = keywordByWord.get(tok.image);
      if (kw) retype(tok, kw);
    } else if (tok.tokenType === NumberLiteral) {
      let end = endOf(tok);
      let j = i + 1;
      while (j < tokens.length && tokens[j].startOffset === end && (tokens[j].tokenType === Identifier || tokens[j].tokenType === NumberLiteral)) {
        end = endOf(tokens[j]);
        j++;
      }
      if (j > i + 1) {
        retype(tok, BadNumber);
        tok.image = text.slice(tok.startOffset, end);
        tok.endOffset = end - 1;
        i = j - 1;
      }
    }
    tokens[out++] = tok;
  }
  tokens.length = out;
  return result;
}

const structuralWords = new Set(["network", "block", "repeat", "residual", "shortcut", "concat", "add", "mul", "branch"]);

/**
 * Keywords are lower case (spec §1). A structural keyword written otherwise where only
 * the keyword fits (`Network A {`, `Residual {`) is read as the keyword, so the rest
 * of the file parses, and reported once at the word; a user's block named `Add` and
 * used as `Add(3)` is not touched.
 */
export function miscasedKeywords(tokens: IToken[]): { start: number; end: number; message: string }[] {
  const errors: { start: number; end: number; message: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok.tokenType !== Identifier) continue;
    const word = tok.image.toLowerCase();
    if (word === tok.image || !structuralWords.has(word)) continue;
    // `network Residual {` names a network
    const before = tokens[i - 1]?.tokenType;
    if (before === Network || before === Block) continue;
    const next = tokens[i + 1]?.tokenType;
    let fits: boolean;
    if (word === "network" || word === "block") {
      const after = tokens[i + 2]?.tokenType;
      fits = next === Identifier && (after === LBrace || after === LParen);
    } else if (word === "repeat") {
      fits = false;
      for (let j = i + 1; j < tokens.length && tokens[j].tokenType !== Newline && tokens[j].tokenType !== Semicolon; j++) {
        if (tokens[j].tokenType === LBrace) {
          fits = j > i + 1;
          break;
        }
      }
    } else fits = next === LBrace;
    if (!fits) continue;
    retype(tok, keywordByWord.get(word)!);
    errors.push({ start: tok.startOffset, end: endOf(tok), message: `keywords are lower case: \`${word}\`, not \`${tok.image}\`` });
  }
  return errors;
}

const modulePath = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;

/**
 * The last token of a module-path label starting at tokens[i]: touching names, numbers
 * and dots (`layer1` `.0` `.` `conv1`) that spell dotted parts of letters, digits and
 * `_`, with a `:` next. A lone name stays an identifier; a lone whole number (`0:`) or
 * `1.0:` is a path. Returns -1 when there is none.
 */
function modulePathEnd(tokens: IToken[], i: number, text: string): number {
  let j = i;
  while (j + 1 < tokens.length && tokens[j + 1].startOffset === endOf(tokens[j])) {
    const type = tokens[j + 1].tokenType;
    // (a lone `x` part is lexed as the dimension cross: `stage.x:`)
    if (type !== Identifier && type !== NumberLiteral && type !== Dot && type !== Cross) break;
    j++;
  }
  if (tokens[j + 1]?.tokenType !== Colon) return -1;
  if (j === i && tokens[i].tokenType === Identifier) return -1;
  return modulePath.test(text.slice(tokens[i].startOffset, endOf(tokens[j]))) ? j : -1;
}

/** The offset just past a token (its end, exclusive). */
export function endOf(tok: { startOffset: number; image: string }): number {
  return tok.startOffset + (tok.image ?? "").length;
}
