// The typed syntax tree of a .cnn file. Every node carries its source span as
// UTF-16 offsets into the text ([start, end)). Trees built after a syntax error
// may be incomplete: optional parts are null and later stages must tolerate that.

export interface Span {
  start: number;
  end: number;
}

export interface Name extends Span {
  text: string;
}

export type Expr =
  | NumberExpr
  | RefExpr
  | BinaryExpr
  | NegateExpr;

export interface NumberExpr extends Span {
  type: "number";
  value: number;
  /** the literal as written, e.g. "0.5" or "1e-5" */
  text: string;
  isInteger: boolean;
}

export interface RefExpr extends Span {
  type: "ref";
  name: string;
}

export interface BinaryExpr extends Span {
  type: "binary";
  op: "+" | "-" | "*" | "/";
  left: Expr;
  right: Expr;
}

export interface NegateExpr extends Span {
  type: "negate";
  operand: Expr;
}

/** One argument or option value as written: `32x32x3`, `k`, `[[1,0],[0,1]]`, `"cat.png"`. */
export type Value = DimsValue | ListValue | StringValue;

/** `a x b x c`: one or more expressions joined by `x`/`×`. */
export interface DimsValue extends Span {
  type: "dims";
  parts: Expr[];
}

export interface ListValue extends Span {
  type: "list";
  items: ListItem[];
}

export type ListItem = ListValue | ListNumber;

export interface ListNumber extends Span {
  type: "number";
  value: number;
}

export interface StringValue extends Span {
  type: "string";
  value: string;
}

export interface OptionNode extends Span {
  name: Name;
  value: Value | null;
}

export interface LayerStatement extends Span {
  type: "layer";
  label: Name | null;
  /** the layer kind (or a block name used without parentheses) */
  op: Name;
  args: Value[];
  options: OptionNode[];
  /**
   * `{ … }` written after a layer or an unknown word (`foo { branch {…} }`, a container
   * the language does not have): kept, so the analysis reports it once at the word and
   * still checks what is inside; null in every well-formed file
   */
  body?: ContainerBody | null;
}

/** What an unknown container holds: its `branch { … }` parts and its plain statements. */
export interface ContainerBody extends Span {
  branches: Branch[];
  statements: Statement[];
}

export interface CallArgument extends Span {
  /** `s = 2` names the parameter; positional when null */
  name: Name | null;
  value: Expr | null;
}

export interface CallStatement extends Span {
  type: "call";
  label: Name | null;
  callee: Name;
  args: CallArgument[];
  /**
   * What follows the `)` on the same line (`B(8) nobias`, `Fire(16, 64, 64) bogus`):
   * block uses take nothing after their arguments; null when nothing follows
   */
  trailing?: Trailing | null;
}

export interface Trailing extends Span {
  /** the option keywords among the words (`stride`, `nobias`), in order, with the word after a valued one */
  options: { name: Name; value: string | null }[];
  /** the first word or token, as written */
  first: Name;
}

export interface RepeatStatement extends Span {
  type: "repeat";
  label: Name | null;
  keyword: Span;
  count: Expr | null;
  body: Statement[];
}

export interface ResidualStatement extends Span {
  type: "residual";
  label: Name | null;
  keyword: Span;
  body: Statement[];
  shortcut: Statement[] | null;
  shortcutKeyword: Span | null;
}

export interface Branch extends Span {
  keyword: Span;
  body: Statement[];
}

/** `concat { branch {…} … }`, `add { branch {…} … }` or `mul { branch {…} … }` */
export interface MergeStatement extends Span {
  type: "concat" | "add" | "mul";
  label: Name | null;
  keyword: Span;
  branches: Branch[];
}

export type Statement =
  | LayerStatement
  | CallStatement
  | RepeatStatement
  | ResidualStatement
  | MergeStatement;

export interface NetworkDefinition extends Span {
  type: "network";
  keyword: Span;
  name: Name | null;
  body: Statement[];
}

export interface BlockParameter extends Span {
  name: Name;
  defaultValue: Expr | null;
}

export interface BlockDefinition extends Span {
  type: "block";
  keyword: Span;
  name: Name | null;
  params: BlockParameter[];
  body: Statement[];
}

export type TopLevelItem = NetworkDefinition | BlockDefinition | Statement;

export interface CnnFile {
  items: TopLevelItem[];
}

export interface SyntaxError extends Span {
  message: string;
  /** the cause the others on its line follow from (the nesting limit): it is the one kept */
  primary?: boolean;
}
