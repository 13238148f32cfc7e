// Every request handler runs inside a guard: a cancelled request answers "cancelled"
// at once, and a feature that throws is logged and answers its empty result — one
// failing feature never takes the server down.

import { LSPErrorCodes, ResponseError, type CancellationToken } from "vscode-languageserver";

export type Log = (message: string) => void;

export function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, "request cancelled");
}

export function guard<P, R>(log: Log, name: string, fallback: R, handler: (params: P, token: CancellationToken) => R) {
  return (params: P, token: CancellationToken): R | ResponseError<void> => {
    if (token?.isCancellationRequested) return cancelled();
    try {
      const result = handler(params, token);
      // the work is synchronous: if cancelled meanwhile, the client no longer wants it
      if (token?.isCancellationRequested) return cancelled();
      return result;
    } catch (error) {
      log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  };
}
