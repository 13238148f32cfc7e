// Diagnostics are pushed as soon as an edit is in: no timer, no debounce. An edit is
// analyzed once the connection has handled the messages it has already read (a few
// turns of the event loop, microseconds), so the changes of one burst — sent together,
// or typed while the last analysis ran — are analyzed once, for their last version.
// The analysis is synchronous: at most one runs at a time. After it, the server's idle
// work (server/idle.ts: a garbage collection, the JIT's warm-up) waits for a quiet
// moment, so the next edit does not pay for the last one's garbage. New settings
// republish every open document.

import type { Feature, ServerContext } from "./context";
import { diagnostics } from "./features/diagnostics";
import { analysisSettings } from "./settings";
import { warmup } from "./warmup";

/**
 * A document this long (lines) is worth warming the JIT up for: its edits take tens of
 * milliseconds cold (a small file's take a few even cold, and the tests' servers never warm up).
 */
const warmUpFromLines = 500;

/**
 * Runs `task(key)` once the changes of `key` have settled: after two turns in a row in which
 * no change of that key came in (the connection handles one message per turn, so the first
 * turn can come before the next queued message). A key that keeps changing still runs after
 * `maxTurns` turns. `turn` is the event loop's next turn (setImmediate; a test passes its own).
 */
export class Settle<K> {
  private readonly pending = new Map<K, { changes: number; seen: number; quiet: number; turns: number }>();

  constructor(
    private readonly task: (key: K) => void,
    private readonly turn: (callback: () => void) => void = (callback) => void setImmediate(callback),
    private readonly maxTurns = 64,
  ) {}

  /** A change of `key` came in. */
  changed(key: K): void {
    const entry = this.pending.get(key);
    if (entry) {
      entry.changes++;
      return;
    }
    const fresh = { changes: 1, seen: 1, quiet: 0, turns: 0 };
    this.pending.set(key, fresh);
    this.turn(() => this.step(key, fresh));
  }

  /** Forget a pending run (the document closed). */
  cancel(key: K): void {
    this.pending.delete(key);
  }

  isPending(key: K): boolean {
    return this.pending.has(key);
  }

  private step(key: K, entry: { changes: number; seen: number; quiet: number; turns: number }): void {
    if (this.pending.get(key) !== entry) return; // cancelled (or replaced after a cancel)
    entry.turns++;
    if (entry.changes !== entry.seen) {
      entry.seen = entry.changes;
      entry.quiet = 0;
    } else {
      entry.quiet++;
    }
    if (entry.quiet >= 2 || entry.turns >= this.maxTurns) {
      this.pending.delete(key);
      this.task(key);
      return;
    }
    this.turn(() => this.step(key, entry));
  }
}

export const publishDiagnostics: Feature = {
  name: "diagnostics",
  register(ctx: ServerContext) {
    const { connection, documents, cache, log, idle } = ctx;

    const publish = (uri: string) => {
      const document = documents.get(uri);
      if (!document) return;
      try {
        const snapshot = cache.get(document);
        void connection.sendDiagnostics({ uri, version: snapshot.version, diagnostics: diagnostics(snapshot) });
      } catch (error) {
        log(`diagnostics failed for ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      idle.worked();
      if (document.lineCount >= warmUpFromLines) idle.warmUp(warmup(() => analysisSettings(ctx.settings)));
    };
    const settle = new Settle<string>(publish);
    const changed = (uri: string) => {
      idle.touch();
      settle.changed(uri);
    };

    documents.onDidOpen((e) => changed(e.document.uri));
    documents.onDidChangeContent((e) => changed(e.document.uri));
    documents.onDidClose((e) => {
      settle.cancel(e.document.uri);
      cache.forget(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    ctx.onSettingsChanged(() => {
      for (const document of documents.all()) publish(document.uri);
    });
  },
};
