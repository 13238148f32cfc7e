// The .cnn grammar (chevrotain, embedded actions, error recovery on). It builds the
// typed AST of ./ast.ts directly; one parser instance is reused for every parse.

import { EmbeddedActionsParser, EOF, type IOrAlt, type IToken, type TokenType, type IParserErrorMessageProvider } from "chevrotain";
import * as T from "./tokens";
import { endOf } from "./tokens";
import type * as A from "./ast";
import { printable } from "./printable";


function describeToken(tok: IToken | undefined): string {
  if (!tok || tok.tokenType === EOF) return "the end of the file";
  if (tok.tokenType === T.Newline) return "the end of the line";
  return `\`${printable(tok.image)}\``;
}

function label(type: TokenType): string {
  if (type === EOF) return "the end of the file";
  return type.LABEL ?? type.name;
}

const statementStart =
  "a layer (`conv 6 5x5`), a block use (`Name(…)`), `repeat`, `residual`, `concat`, `add` or `mul`";

const ruleWords: Record<string, string> = {
  statement: statementStart,
  topLevel: "`network`, `block` or " + statementStart,
  argumentValue: "a number, a name, `WxH`, a list `[…]` or a string",
  primary: "a number or a name",
  listItem: "a number or a list `[…]`",
  mergeBody: "`branch { … }`",
  containerBody: "`branch { … }` or a statement",
  optionClause: "an option",
};

/**
 * A `=` where none can stand (`conv 16 3x3 stride = 2`, ` =` typed at a line's end): what
 * the user may have meant, instead of the token the parser wanted there (`}`, the end of
 * the file), which says nothing to someone who did not mean to end anything.
 */
const strayEquals =
  "unexpected `=`: an option takes its value after a space (`stride 2`, not `stride = 2`); `=` only names an argument of a block use, `Basic(128, s = 2)`, or gives a block parameter its default, `block Basic(k, s = 1)`";

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    if (actual.tokenType === T.Equals) return strayEquals;
    // "after" a line break says nothing the position does not (and the break itself is not
    // shown); nor does a token "after" itself (chevrotain's previous token, after a recovery)
    const after = previous && previous.image && previous.tokenType !== T.Newline && previous.startOffset !== actual.startOffset ? ` after ${describeToken(previous)}` : "";
    return `expected ${label(expected)}${after}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    if (firstRedundant.tokenType === T.Equals) return strayEquals;
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    if (actual[0]?.tokenType === T.Equals && (ruleName === "statement" || ruleName === "topLevel" || ruleName === "optionClause" || ruleName === "argumentValue")) return strayEquals;
    const want = ruleWords[ruleName] ?? "something else";
    return `expected ${want}, found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ actual, ruleName }) {
    const want = ruleWords[ruleName] ?? "something else";
    return `expected ${want}, found ${describeToken(actual[0])}`;
  },
};

const isReal = (tok: IToken | undefined): tok is IToken =>
  tok !== undefined && tok.tokenType !== EOF && !tok.isInsertedInRecovery && Number.isFinite(tok.startOffset);

/**
 * A token's offsets, as small integers. (chevrotain's recording-phase token holds -1 as a
 * heap number: the first node each literal below builds, while the grammar is recorded,
 * would give its start and end fields a boxed double representation for the life of the
 * process — a heap number more per node, and slower reads and map lookups by offset.)
 */
const startOf = (tok: IToken): number => tok.startOffset | 0;
const endAt = (tok: IToken): number => endOf(tok) | 0;

function nameOf(tok: IToken): A.Name {
  return { text: tok.image, start: startOf(tok), end: endAt(tok) };
}

function spanOf(tok: IToken): A.Span {
  return { start: startOf(tok), end: endAt(tok) };
}

export class CnnParser extends EmbeddedActionsParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  /**
   * The token recovery inserts (`block S(k, )` lacks a name): chevrotain gives it NaN
   * offsets, which would reach the protocol as `null`. It is placed, empty, where the
   * last real token ended, so every span made from it is a real, empty one.
   */
  override getTokenToInsert(type: TokenType): IToken {
    const at = this.lastEnd();
    return { image: "", tokenType: type, tokenTypeIdx: type.tokenTypeIdx!, startOffset: at, endOffset: at - 1, isInsertedInRecovery: true } as IToken;
  }

  /** Start offset of the next token, or of the end of the last one when none is left. */
  private here(): number {
    const next = this.LA(1);
    if (isReal(next)) return startOf(next);
    return this.lastEnd();
  }

  /** End offset of the last real token consumed. */
  private lastEnd(): number {
    for (let k = 0; k > -1000; k--) {
      const tok = this.LA(k);
      if (tok.tokenType === EOF) return 0;
      if (isReal(tok)) return (tok as IToken & { virtual?: boolean }).virtual ? startOf(tok) : endAt(tok);
    }
    return 0;
  }

  // Alternatives are built once and reused (chevrotain's advice for speed): they
  // return values instead of writing to the enclosing rule's locals.
  private fileItems?: IOrAlt<A.TopLevelItem | null>[];
  private bodyItems?: IOrAlt<A.Statement | null>[];
  private statementKinds?: IOrAlt<A.Statement>[];
  private layerItems?: IOrAlt<A.Value | A.OptionNode>[];
  private valueKinds?: IOrAlt<A.Value>[];
  private additive?: IOrAlt<IToken>[];
  private multiplicative?: IOrAlt<IToken>[];
  private unaryKinds?: IOrAlt<A.Expr>[];
  private primaryKinds?: IOrAlt<A.Expr>[];
  private optionKinds?: IOrAlt<A.OptionNode>[];
  private opKinds?: IOrAlt<IToken>[];
  private labelKinds?: IOrAlt<IToken>[];
  private afterOp?: IOrAlt<A.LayerStatement | A.CallStatement>[];
  private partKinds?: IOrAlt<A.Expr>[];

  public file = this.RULE("file", (): A.CnnFile => {
    const items: A.TopLevelItem[] = [];
    this.MANY(() => {
      const item = this.OR(
        (this.fileItems ??= [
          { ALT: () => (this.CONSUME(T.Newline), null) },
          { ALT: () => (this.CONSUME(T.Semicolon), null) },
          { ALT: () => this.SUBRULE(this.networkDefinition) },
          { ALT: () => this.SUBRULE(this.blockDefinition) },
          { ALT: () => this.SUBRULE(this.statement) },
        ]),
      );
      if (item) items.push(item);
    });
    return { items };
  });

  private networkDefinition = this.RULE("networkDefinition", (): A.NetworkDefinition => {
    const start = this.here();
    const keyword = this.CONSUME(T.Network);
    let name: A.Name | null = null;
    this.OPTION(() => {
      const tok = this.CONSUME(T.Identifier);
      name = isReal(tok) ? nameOf(tok) : null;
    });
    const body = this.SUBRULE(this.braceBody);
    return { type: "network", keyword: spanOf(keyword), name, body, start, end: this.lastEnd() };
  });

  private blockDefinition = this.RULE("blockDefinition", (): A.BlockDefinition => {
    const start = this.here();
    const keyword = this.CONSUME(T.Block);
    let name: A.Name | null = null;
    const params: A.BlockParameter[] = [];
    this.OPTION(() => {
      const tok = this.CONSUME(T.Identifier);
      name = isReal(tok) ? nameOf(tok) : null;
    });
    this.OPTION2(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({
        SEP: T.Comma,
        DEF: () => {
          const param = this.SUBRULE(this.blockParameter);
          if (param) params.push(param);
        },
      });
      this.CONSUME(T.RParen);
    });
    const body = this.SUBRULE(this.braceBody);
    return { type: "block", keyword: spanOf(keyword), name, params, body, start, end: this.lastEnd() };
  });

  private blockParameter = this.RULE("blockParameter", (): A.BlockParameter | null => {
    const tok = this.CONSUME(T.Identifier);
    let defaultValue: A.Expr | null = null;
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      defaultValue = this.SUBRULE(this.expression) ?? null;
    });
    // a name recovery had to supply (`block S(k, )`) is no parameter: the error says what is missing
    if (!isReal(tok)) return null;
    return { name: nameOf(tok), defaultValue, start: startOf(tok), end: this.lastEnd() };
  });

  // The bodies of the hot repetitions and options are made once, as fields, and
  // collect into the lists below: as closures over a rule's locals they were new
  // functions on every rule call (5,000 layers: ~20,000 of them), and chevrotain's
  // optimized code for them died with them at each full GC. A layer's arguments and
  // options and a value's parts (which do not nest) are gathered in reused lists and
  // copied out at their size: an array grown by push from empty reserves 17 slots.
  private bodyStatements: A.Statement[] = [];
  /** inside a body whose `{` recovery inserted (braceBody) */
  private recoveredBody = false;
  private readonly layerArgs: A.Value[] = [];
  private layerArgCount = 0;
  private readonly layerOptions: A.OptionNode[] = [];
  private layerOptionCount = 0;
  private readonly dimsParts: A.Expr[] = [];
  private dimsPartCount = 0;

  /** `{ statements }` */
  private braceBody = this.RULE("braceBody", (): A.Statement[] => {
    const body: A.Statement[] = [];
    const open = this.CONSUME(T.LBrace);
    const outer = this.bodyStatements; // bodies nest: `repeat 2 { … }`
    const outerRecovered = this.recoveredBody;
    this.bodyStatements = body;
    // `residual u { … }`: the `{` was put in by recovery; `u { … }` is then not read as an
    // unknown container, so the real `}` closes this body (else it is missing at the end
    // and the whole file was lost)
    this.recoveredBody = open.isInsertedInRecovery === true;
    try {
      this.MANY(this.bodyItem);
    } finally {
      this.bodyStatements = outer;
      this.recoveredBody = outerRecovered;
    }
    this.CONSUME(T.RBrace);
    return body;
  }, { recoveryValueFunc: () => [] });

  private bodyItem = () => {
    const stmt = this.OR(
      (this.bodyItems ??= [
        { ALT: () => (this.CONSUME(T.Newline), null) },
        { ALT: () => (this.CONSUME(T.Semicolon), null) },
        { ALT: () => this.SUBRULE(this.statement) },
      ]),
    );
    if (stmt) this.bodyStatements.push(stmt);
  };

  /** `name:` (or a module path, `layer1.0.conv1:`) before a statement */
  private labelPrefix = (): A.Name => {
    const tok = this.OR9((this.labelKinds ??= [{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.PathName) }]));
    this.CONSUME(T.Colon);
    return nameOf(tok);
  };

  public statement = this.RULE("statement", (): A.Statement => {
    const start = this.here();
    const label: A.Name | null = this.OPTION(this.labelPrefix) ?? null;
    const stmt: A.Statement = this.OR(
      (this.statementKinds ??= [
        { ALT: () => this.SUBRULE(this.repeatStatement) },
        { ALT: () => this.SUBRULE(this.residualStatement) },
        { ALT: () => this.SUBRULE(this.mergeStatement) },
        { ALT: () => this.SUBRULE(this.layerOrCall) },
      ]),
    );
    if (!this.RECORDING_PHASE && stmt) {
      // (what ACTION does, without a closure per statement)
      stmt.label = label;
      stmt.start = start;
    }
    return stmt;
  });

  private repeatStatement = this.RULE("repeatStatement", (): A.RepeatStatement => {
    const keyword = this.CONSUME(T.Repeat);
    let count: A.Expr | null = null;
    this.OPTION(() => {
      count = this.SUBRULE(this.expression) ?? null;
    });
    const body = this.SUBRULE(this.braceBody);
    return { type: "repeat", label: null, keyword: spanOf(keyword), count, body, start: startOf(keyword), end: this.lastEnd() };
  });

  private residualStatement = this.RULE("residualStatement", (): A.ResidualStatement => {
    const keyword = this.CONSUME(T.Residual);
    const body = this.SUBRULE(this.braceBody);
    let shortcut: A.Statement[] | null = null;
    let shortcutKeyword: A.Span | null = null;
    this.OPTION(() => {
      const tok = this.CONSUME(T.Shortcut);
      shortcutKeyword = spanOf(tok);
      shortcut = this.SUBRULE2(this.braceBody);
    });
    return {
      type: "residual",
      label: null,
      keyword: spanOf(keyword),
      body,
      shortcut,
      shortcutKeyword,
      start: startOf(keyword),
      end: this.lastEnd(),
    };
  });

  private mergeStatement = this.RULE("mergeStatement", (): A.MergeStatement => {
    const keyword = this.OR([{ ALT: () => this.CONSUME(T.Concat) }, { ALT: () => this.CONSUME(T.Add) }, { ALT: () => this.CONSUME(T.Mul) }]);
    const branches: A.Branch[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR2([
        { ALT: () => this.CONSUME(T.Newline) },
        { ALT: () => this.CONSUME(T.Semicolon) },
        {
          ALT: () => {
            const branch = this.SUBRULE(this.mergeBody);
            if (branch) branches.push(branch);
          },
        },
      ]);
    });
    this.CONSUME(T.RBrace);
    return {
      // by the token, not its image: a miscased `Add {` is read as the keyword (tokens.ts)
      type: keyword.tokenType === T.Add ? "add" : keyword.tokenType === T.Mul ? "mul" : "concat",
      label: null,
      keyword: spanOf(keyword),
      branches,
      start: startOf(keyword),
      end: this.lastEnd(),
    };
  });

  private mergeBody = this.RULE("mergeBody", (): A.Branch => {
    const keyword = this.CONSUME(T.Branch);
    const body = this.SUBRULE(this.braceBody);
    return { keyword: spanOf(keyword), body, start: startOf(keyword), end: this.lastEnd() };
  });

  private layerOrCall = this.RULE("layerOrCall", (): A.LayerStatement | A.CallStatement => {
    if (this.decided() && this.LA(1).tokenType === T.Identifier) this.CONSUME(T.Identifier);
    else this.OR((this.opKinds ??= [{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.PadKeyword) }]));
    // no `(` right after the name: a layer, as the gated choice below would decide
    if (this.decided() && !this.callFollows()) return this.SUBRULE(this.layerRest);
    return this.OR2(
      (this.afterOp ??= [
        {
          // `Name(` with no space: a block use (LA(0) is the name just read)
          GATE: () => this.callFollows(),
          IGNORE_AMBIGUITIES: true,
          ALT: () => this.SUBRULE(this.callRest),
        },
        { ALT: () => this.SUBRULE(this.layerRest) },
      ]),
    );
  });

  /** `(args)` after a block name */
  private callRest = this.RULE("callRest", (): A.CallStatement => {
    const op = nameOf(this.LA(0));
    const args: A.CallArgument[] = [];
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        const arg = this.SUBRULE(this.callArgument);
        if (arg) args.push(arg);
      },
    });
    this.CONSUME(T.RParen);
    const end = this.lastEnd();
    const trailing = this.decided() ? this.trailingWords() : null;
    return { type: "call", label: null, callee: op, args, trailing, start: op.start, end: trailing ? trailing.end : end };
  });

  /**
   * Words after a block use's `)` on its line (`B(8) nobias`, `Fire(16, 64, 64) bogus`):
   * taken whole here, so the analysis reports them once and the statement, and the
   * lines after it, keep their shapes. Stops at the end of the line, `;`, a brace.
   */
  private trailingWords(): A.Trailing | null {
    let first: A.Name | null = null;
    const options: A.Trailing["options"] = [];
    let end = 0;
    const ends = (tok: IToken) => !isReal(tok) || tok.tokenType === T.Newline || tok.tokenType === T.Semicolon || tok.tokenType === T.LBrace || tok.tokenType === T.RBrace;
    while (!ends(this.LA(1))) {
      const tok = this.LA(1);
      this.SKIP_TOKEN();
      const name = nameOf(tok);
      first ??= name;
      if (Object.hasOwn(T.optionArity, tok.image)) {
        const after = this.LA(1);
        options.push({ name, value: T.optionArity[tok.image] === 1 && !ends(after) && !Object.hasOwn(T.optionArity, after.image) ? after.image : null });
      }
      end = name.end;
    }
    return first ? { first, options, start: first.start, end } : null;
  }

  /** the arguments and options after a layer kind */
  private layerRest = this.RULE("layerRest", (): A.LayerStatement => {
    const op = nameOf(this.LA(0));
    this.layerArgCount = 0;
    this.layerOptionCount = 0;
    this.MANY(this.layerItem);
    const args = copyOut(this.layerArgs, this.layerArgCount);
    const options = copyOut(this.layerOptions, this.layerOptionCount);
    // `foo { … }`: a container the language does not have (checked in the analysis)
    let body: A.ContainerBody | null = null;
    if (!this.decided() || (this.LA(1).tokenType === T.LBrace && !this.recoveredBody)) body = this.OPTION(() => this.SUBRULE(this.containerBody)) ?? null;
    return { type: "layer", label: null, op, args, options, body, start: op.start, end: this.lastEnd() };
  });

  /** The `{ … }` of an unknown container: `branch { … }` parts and plain statements, both kept. */
  private containerBody = this.RULE("containerBody", (): A.ContainerBody => {
    const open = this.CONSUME(T.LBrace);
    const branches: A.Branch[] = [];
    const statements: A.Statement[] = [];
    const outer = this.bodyStatements;
    this.bodyStatements = statements;
    try {
      this.MANY(() => {
        this.OR([
          { ALT: () => this.CONSUME(T.Newline) },
          { ALT: () => this.CONSUME(T.Semicolon) },
          {
            ALT: () => {
              const branch = this.SUBRULE(this.mergeBody);
              if (branch) branches.push(branch);
            },
          },
          { ALT: () => this.bodyItemStatement() },
        ]);
      });
    } finally {
      this.bodyStatements = outer;
    }
    this.CONSUME(T.RBrace);
    return { branches, statements, start: startOf(open), end: this.lastEnd() };
  });

  private bodyItemStatement = () => {
    const stmt = this.SUBRULE(this.statement);
    if (stmt) this.bodyStatements.push(stmt);
  };

  private layerItem = () => {
    const item = this.OR3((this.layerItems ??= [{ ALT: () => this.SUBRULE(this.argumentValue) }, { ALT: () => this.SUBRULE(this.optionClause) }]));
    if (item) {
      if ("type" in item) this.layerArgs[this.layerArgCount++] = item;
      else this.layerOptions[this.layerOptionCount++] = item;
    }
  };

  private callArgument = this.RULE("callArgument", (): A.CallArgument => {
    const start = this.here();
    let name: A.Name | null = null;
    this.OPTION(() => {
      const tok = this.CONSUME(T.Identifier);
      this.CONSUME(T.Equals);
      name = nameOf(tok);
    });
    const value = this.SUBRULE(this.expression) ?? null;
    return { name, value, start, end: this.lastEnd() };
  });

  private optionClause = this.RULE("optionClause", (): A.OptionNode => {
    return this.OR((this.optionKinds ??= [
      {
        ALT: (): A.OptionNode => {
          const tok = this.CONSUME(T.FlagOption);
          return { name: nameOf(tok), value: null, start: startOf(tok), end: endAt(tok) };
        },
      },
      {
        ALT: (): A.OptionNode => {
          const tok = this.CONSUME(T.ValueOption);
          const value = this.SUBRULE(this.argumentValue) ?? null;
          return { name: nameOf(tok), value, start: startOf(tok), end: this.lastEnd() };
        },
      },
    ]));
  });

  /** an argument or option value */
  private argumentValue = this.RULE("argumentValue", (): A.Value => {
    return this.OR((this.valueKinds ??= [
      { ALT: () => this.SUBRULE(this.list) },
      {
        ALT: (): A.StringValue => {
          const tok = this.CONSUME(T.StringLiteral);
          const closed = tok.image.length >= 2 && tok.image.endsWith('"');
          return {
            type: "string",
            value: tok.image.slice(1, closed ? -1 : undefined),
            start: startOf(tok),
            end: endAt(tok),
          };
        },
      },
      { ALT: () => this.SUBRULE(this.dims) },
    ]));
  });

  /** `a x b x c` */
  private dims = this.RULE("dims", (): A.DimsValue => {
    const start = this.here();
    const first = this.SUBRULE(this.dimensionPart);
    if (this.decided() && this.LA(1).tokenType !== T.Cross) {
      // one part (most values): the repetition below would take no turn, and as it
      // ends the rule, it would not try to recover either
      return { type: "dims", parts: first ? [first] : [], start, end: this.lastEnd() };
    }
    this.dimsPartCount = 0;
    if (first) this.dimsParts[this.dimsPartCount++] = first;
    this.MANY(this.nextDimension);
    return { type: "dims", parts: copyOut(this.dimsParts, this.dimsPartCount), start, end: this.lastEnd() };
  });

  private nextDimension = () => {
    this.CONSUME(T.Cross);
    const next = this.SUBRULE2(this.dimensionPart);
    if (next) this.dimsParts[this.dimsPartCount++] = next;
  };

  /** The number or name ahead is a whole dimension part, not the start of `2*k`. */
  private partAlone = (): boolean => !arithmetic.has(this.LA(2).tokenType);

  /** `Name(` with no space: a block use (LA(0) is the name just read) */
  private callFollows(): boolean {
    const next = this.LA(1);
    return next.tokenType === T.LParen && next.startOffset === endOf(this.LA(0));
  }

  /**
   * True when the parser runs (not while chevrotain records the grammar): then a rule
   * may take the alternative that the token ahead makes certain, as chevrotain's own
   * choice would, without its machinery, or skip a repetition that would take no turn.
   * A choice among gated alternatives costs an array and a closure per call in
   * chevrotain: in dimensionPart and layerOrCall it came to a sixth of the parse.
   * Every other case (and the recording) still goes through OR and MANY.
   */
  private decided(): boolean {
    return !this.RECORDING_PHASE;
  }

  /**
   * One part of `a x b x c`. A lone number or name (nearly every part ever written)
   * is taken directly; only a real expression goes through the expression rules, which
   * cost four rule calls per number.
   */
  private dimensionPart = this.RULE("dimensionPart", (): A.Expr => {
    const alone = this.partAlone;
    if (this.decided() && alone()) {
      const next = this.LA(1).tokenType;
      if (next === T.NumberLiteral) return numberExpr(this.CONSUME(T.NumberLiteral));
      if (next === T.Identifier) return refExpr(this.CONSUME(T.Identifier));
    }
    return this.OR(
      (this.partKinds ??= [
        { GATE: alone, IGNORE_AMBIGUITIES: true, ALT: () => numberExpr(this.CONSUME(T.NumberLiteral)) },
        { GATE: alone, IGNORE_AMBIGUITIES: true, ALT: () => refExpr(this.CONSUME(T.Identifier)) },
        { ALT: () => this.SUBRULE(this.expression) },
      ]),
    );
  });

  private list = this.RULE("list", (): A.ListValue => {
    const open = this.CONSUME(T.LBracket);
    const items: A.ListItem[] = [];
    this.OPTION(() => {
      const first = this.SUBRULE(this.listItem);
      if (first) items.push(first);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.OPTION2(() => {
          const item = this.SUBRULE2(this.listItem);
          if (item) items.push(item);
        });
      });
    });
    this.CONSUME(T.RBracket);
    return { type: "list", items, start: startOf(open), end: this.lastEnd() };
  });

  private listItem = this.RULE("listItem", (): A.ListItem => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.list) },
      {
        ALT: (): A.ListNumber => {
          const start = this.here();
          let sign = 1;
          this.OPTION(() => {
            this.OR2([
              { ALT: () => { this.CONSUME(T.Minus); sign = -1; } },
              { ALT: () => this.CONSUME(T.Plus) },
            ]);
          });
          const tok = this.OR3([{ ALT: () => this.CONSUME(T.NumberLiteral) }, { ALT: () => this.CONSUME(T.BadNumber) }]);
          const value = tok.tokenType === T.NumberLiteral ? sign * Number(tok.image) : NaN;
          return { type: "number", value, start, end: this.lastEnd() };
        },
      },
    ]);
  });

  public expression = this.RULE("expression", (): A.Expr => {
    let left = this.SUBRULE(this.term);
    this.MANY(() => {
      const op = this.OR((this.additive ??= [{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]));
      const right = this.SUBRULE2(this.term);
      left = this.ACTION(() => binary(op.tokenType === T.Plus ? "+" : "-", left, right));
    });
    return left;
  });

  private term = this.RULE("term", (): A.Expr => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR((this.multiplicative ??= [{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }]));
      const right = this.SUBRULE2(this.unary);
      left = this.ACTION(() => binary(op.tokenType === T.Star ? "*" : "/", left, right));
    });
    return left;
  });

  private unary = this.RULE("unary", (): A.Expr => {
    return this.OR((this.unaryKinds ??= [
      {
        ALT: (): A.Expr => {
          const minus = this.CONSUME(T.Minus);
          const operand = this.SUBRULE(this.unary);
          return this.ACTION(() => ({
            type: "negate" as const,
            operand,
            start: startOf(minus),
            end: operand ? operand.end : endAt(minus),
          }));
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]));
  });

  private primary = this.RULE("primary", (): A.Expr => {
    return this.OR((this.primaryKinds ??= [
      {
        ALT: (): A.Expr => numberExpr(this.CONSUME(T.NumberLiteral)),
      },
      {
        ALT: (): A.Expr => {
          const tok = this.CONSUME(T.BadNumber);
          return { type: "number", value: NaN, text: tok.image, isInteger: false, start: startOf(tok), end: endAt(tok) };
        },
      },
      {
        ALT: (): A.Expr => refExpr(this.CONSUME(T.Identifier)),
      },
      {
        ALT: (): A.Expr => {
          const open = this.CONSUME(T.LParen);
          const inner = this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
          return this.ACTION(() => (inner ? { ...inner, start: startOf(open), end: this.lastEnd() } : inner));
        },
      },
    ]));
  });
}

const arithmetic = new Set<TokenType>([T.Plus, T.Minus, T.Star, T.Slash]);

/** The first `count` items of a reused list, in an array of their size. */
function copyOut<T>(list: T[], count: number): T[] {
  if (count === 0) return [];
  if (count === 1) return [list[0]];
  if (count === 2) return [list[0], list[1]];
  return list.slice(0, count);
}

function numberExpr(tok: IToken): A.NumberExpr {
  const image = tok.image ?? "";
  return { type: "number", value: Number(image), text: image, isInteger: isDigits(image), start: startOf(tok), end: endAt(tok) };
}

function isDigits(image: string): boolean {
  if (image.length === 0) return false;
  for (let i = 0; i < image.length; i++) {
    const c = image.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function refExpr(tok: IToken): A.RefExpr {
  return { type: "ref", name: tok.image, start: startOf(tok), end: endAt(tok) };
}

function binary(op: A.BinaryExpr["op"], left: A.Expr, right: A.Expr): A.Expr {
  if (!left) return right;
  if (!right) return left;
  return { type: "binary", op, left, right, start: left.start, end: right.end };
}
