// Diagnostics are pushed: right after an edit, at most one analysis per document in
// flight. A single edit is analyzed at once; while the user types faster than the
// analysis takes, edits are coalesced: the next analysis waits as long as the last one
// took. New settings republish every open document.

import type { Feature, ServerContext } from "./context";
import { diagnostics } from "./features/diagnostics";

export const publishDiagnostics: Feature = {
  name: "diagnostics",
  register(ctx: ServerContext) {
    const { connection, documents, cache, log } = ctx;
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const finishedAt = new Map<string, number>();

    const publish = (uri: string) => {
      timers.delete(uri);
      const document = documents.get(uri);
      if (!document) return;
      try {
        const snapshot = cache.get(document);
        void connection.sendDiagnostics({ uri, version: snapshot.version, diagnostics: diagnostics(snapshot) });
      } catch (error) {
        log(`diagnostics failed for ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      finishedAt.set(uri, performance.now());
    };

    const schedule = (uri: string) => {
      if (timers.has(uri)) return;
      const took = cache.lastMilliseconds.get(uri) ?? 0;
      const idle = performance.now() - (finishedAt.get(uri) ?? -Infinity);
      const delay = idle >= took ? 0 : Math.min(250, took - idle);
      timers.set(uri, setTimeout(() => publish(uri), delay));
    };

    documents.onDidOpen((e) => publish(e.document.uri));
    documents.onDidChangeContent((e) => schedule(e.document.uri));
    documents.onDidClose((e) => {
      const timer = timers.get(e.document.uri);
      if (timer) clearTimeout(timer);
      timers.delete(e.document.uri);
      finishedAt.delete(e.document.uri);
      cache.forget(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    ctx.onSettingsChanged(() => {
      for (const document of documents.all()) publish(document.uri);
    });
  },
};
