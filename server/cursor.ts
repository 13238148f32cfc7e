// What the cursor is in while the user types: the tokens of the current statement
// before it, and the block call `Name(…)` it sits in. Completion and signature help
// share this; both read the tokens the parser already produced.

import type { IToken } from "chevrotain";
import * as T from "../grammar/tokens";
import { endOf } from "../grammar/tokens";

const boundaries = new Set([T.Newline, T.Semicolon, T.LBrace, T.RBrace]);

export interface CallContext {
  callee: string;
  /** the callee token's start */
  calleeStart: number;
  /** parameters already given by name */
  named: Set<string>;
  /** the cursor is where a parameter name could go (after `(` or `,`) */
  expectsName: boolean;
  /** arguments before the cursor: positional count, and the name of the one being written if named */
  positionalBefore: number;
  current: string | null;
}

/** The tokens of the statement being typed, before `offset` (after its label). */
export function statementTokens(tokens: IToken[], before: number): { prior: IToken[]; previous: IToken | null } {
  // binary search: the last token ending at or before `before`
  let lo = 0;
  let hi = tokens.length - 1;
  let last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (endOf(tokens[mid]) <= before) {
      last = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const prior: IToken[] = [];
  for (let i = last; i >= 0 && !boundaries.has(tokens[i].tokenType); i--) prior.unshift(tokens[i]);
  const boundary = last - prior.length >= 0 ? tokens[last - prior.length] : null;
  if (prior.length >= 2 && prior[1].tokenType === T.Colon && (prior[0].tokenType === T.Identifier || prior[0].tokenType === T.PathName)) prior.splice(0, 2);
  return { prior, previous: boundary };
}

export function inCall(prior: IToken[]): CallContext | null {
  let depth = 0;
  for (let i = prior.length - 1; i >= 0; i--) {
    const t = prior[i].tokenType;
    if (t === T.RParen) depth++;
    else if (t === T.LParen) {
      if (depth === 0) {
        const callee = prior[i - 1];
        if (!callee || callee.tokenType !== T.Identifier) return null;
        const inside = prior.slice(i + 1);
        const named = new Set<string>();
        inside.forEach((tok, j) => {
          if (tok.tokenType === T.Identifier && inside[j + 1]?.tokenType === T.Equals) named.add(tok.image);
        });
        const lastTok = inside[inside.length - 1];
        const expectsName = !lastTok || lastTok.tokenType === T.Comma;
        // split the arguments at commas outside nested parentheses
        const args: IToken[][] = [[]];
        let nested = 0;
        for (const tok of inside) {
          if (tok.tokenType === T.LParen) nested++;
          else if (tok.tokenType === T.RParen) nested--;
          if (tok.tokenType === T.Comma && nested === 0) args.push([]);
          else args[args.length - 1].push(tok);
        }
        const isNamed = (a: IToken[]) => a.length >= 2 && a[0].tokenType === T.Identifier && a[1].tokenType === T.Equals;
        const positionalBefore = args.slice(0, -1).filter((a) => !isNamed(a)).length;
        const currentArg = args[args.length - 1];
        return { callee: callee.image, calleeStart: callee.startOffset, named, expectsName, positionalBefore, current: isNamed(currentArg) ? currentArg[0].image : null };
      }
      depth--;
    }
  }
  return null;
}

