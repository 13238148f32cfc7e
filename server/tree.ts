// Finding things in the syntax tree by offset: which statement the cursor is on, what
// encloses it. The tree may be incomplete after a syntax error; every field is optional.

import type { BlockDefinition, CnnFile, LayerStatement, NetworkDefinition, Span, Statement } from "../grammar";

export type Definition = NetworkDefinition | BlockDefinition;

/** What the body a statement sits in belongs to. */
export type Scope =
  | { kind: "top" }
  | { kind: "network"; node: NetworkDefinition }
  | { kind: "block"; node: BlockDefinition }
  | { kind: "repeat" | "residual" | "shortcut" | "branch"; node: Statement | Span }
  | { kind: "merge"; node: Statement };

const within = (span: Span, offset: number) => span.start <= offset && offset <= span.end;

/** The bodies directly inside a statement (residual: body and shortcut; merges: branches). */
export function childBodies(stmt: Statement): { kind: Scope["kind"]; span: Span; body: Statement[] }[] {
  switch (stmt.type) {
    case "repeat":
      return [{ kind: "repeat", span: stmt, body: stmt.body }];
    case "residual": {
      const out: { kind: Scope["kind"]; span: Span; body: Statement[] }[] = [
        { kind: "residual", span: { start: stmt.keyword.start, end: stmt.shortcutKeyword?.start ?? stmt.end }, body: stmt.body },
      ];
      if (stmt.shortcut && stmt.shortcutKeyword) out.push({ kind: "shortcut", span: { start: stmt.shortcutKeyword.start, end: stmt.end }, body: stmt.shortcut });
      return out;
    }
    case "concat":
    case "add":
    case "mul":
      return stmt.branches.map((b) => ({ kind: "branch" as const, span: b, body: b.body }));
    case "layer":
      // an unknown container (`foo { … }`): its parts, for hover and navigation inside
      return stmt.body ? [...stmt.body.branches.map((b) => ({ kind: "branch" as const, span: b, body: b.body })), ...(stmt.body.statements.length ? [{ kind: "branch" as const, span: stmt.body, body: stmt.body.statements }] : [])] : [];
    default:
      return [];
  }
}

/** Every statement of a body and of the bodies inside it, outer before inner. */
export function forEachStatement(body: Statement[], visit: (stmt: Statement, depth: number) => void, depth = 0): void {
  for (const stmt of body) {
    visit(stmt, depth);
    for (const child of childBodies(stmt)) forEachStatement(child.body, visit, depth + 1);
  }
}

/** The top-level items' statements: networks, blocks and loose statements. */
export function forEachStatementInFile(file: CnnFile, visit: (stmt: Statement, depth: number, owner: Definition | null) => void): void {
  for (const item of file.items) {
    if (item.type === "network" || item.type === "block") forEachStatement(item.body, (s, d) => visit(s, d + 1, item));
    else forEachStatement([item], (s, d) => visit(s, d, null));
  }
}

export interface Location {
  /** the statements containing the offset, outermost first */
  statements: Statement[];
  /** the definition containing the offset, if any */
  definition: Definition | null;
  /** the innermost body the offset is in */
  scope: Scope;
}

export function locate(file: CnnFile, offset: number): Location {
  const statements: Statement[] = [];
  let definition: Definition | null = null;
  let scope: Scope = { kind: "top" };
  let body: Statement[] = [];
  for (const item of file.items) {
    if (!within(item, offset)) continue;
    if (item.type === "network" || item.type === "block") {
      definition = item;
      scope = item.type === "network" ? { kind: "network", node: item } : { kind: "block", node: item };
      body = item.body;
    } else body = [item];
    break;
  }
  for (;;) {
    const stmt = body.find((s) => within(s, offset));
    if (!stmt) break;
    statements.push(stmt);
    const child = childBodies(stmt).find((c) => within(c.span, offset));
    if (!child) {
      if (stmt.type === "concat" || stmt.type === "add" || stmt.type === "mul") scope = { kind: "merge", node: stmt };
      break;
    }
    scope = { kind: child.kind, node: child.kind === "branch" || child.kind === "shortcut" ? child.span : stmt } as Scope;
    body = child.body;
  }
  return { statements, definition, scope };
}

/** The innermost statement at the offset. */
export function statementAt(file: CnnFile, offset: number): Statement | null {
  const found = locate(file, offset).statements;
  return found[found.length - 1] ?? null;
}

export function findBlock(file: CnnFile, name: string): BlockDefinition | null {
  for (const item of file.items) if (item.type === "block" && item.name?.text === name) return item;
  return null;
}

export function optionOf(stmt: LayerStatement, name: string) {
  return stmt.options.find((o) => o.name.text === name) ?? null;
}
