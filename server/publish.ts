// Diagnostics are pushed as soon as an edit is in: no timer, no debounce. An edit is
// analyzed once the connection has handled the messages it has already read (a few
// turns of the event loop, microseconds), so the changes of one burst — sent together,
// or typed while the last analysis ran — are analyzed once, for their last version.
// The analysis is synchronous: at most one runs at a time, and one document is analyzed
// per turn of the event loop (OneAtATime): between two, the connection reads and answers
// what came in — a hover on another document waits for one analysis at most, and an
// analysis is bounded by its work (issue 9: ≤ 200 ms for any text of ≤ 10 kB). A request
// analyzes its own document when it needs to (the snapshot cache), never behind the queue.
// A document that changes again while it waits is taken out of the queue: its superseded
// version is never analyzed. Edits go before the background (opens are edits too; new
// settings republish every open document in the background, one per turn). After an
// analysis, the server's idle work (server/idle.ts: a garbage collection, the JIT's
// warm-up) waits for a quiet moment, so the next edit does not pay for the last one's
// garbage.
//
// Why not a worker thread: a snapshot is the AST and the analysis together (its graph
// nodes and occurrences point at the statements), which a copy into another thread would
// have to rebuild on every edit — for the 5,000-layer file more than the analysis costs
// (issue 14: an edit within 25 ms); and with the work bounded, what a worker would take
// off the main thread is at most one bounded analysis.

import type { Feature, ServerContext } from "./context";
import { diagnostics } from "./features/diagnostics";
import { analysisSettings } from "./settings";
import { warmEditPath, warmup } from "./warmup";

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

/**
 * Runs `task(key)` for each key added, one per turn of the event loop: the first at
 * once when no task ran in this turn, the others each in a turn of its own (two after a
 * background one). Urgent keys (edits) go before the others (background: a republish); a
 * key dropped before its turn is not run.
 */
export class OneAtATime<K> {
  private readonly urgent = new Set<K>();
  private readonly later = new Set<K>();
  /** a task ran in this turn: the next waits for the next turn */
  private taken = false;

  constructor(
    private readonly task: (key: K) => void,
    private readonly turn: (callback: () => void) => void = (callback) => void setImmediate(callback),
  ) {}

  add(key: K, urgent = true): void {
    if (urgent) {
      this.later.delete(key);
      this.urgent.add(key);
    } else if (!this.urgent.has(key)) this.later.add(key);
    this.next();
  }

  drop(key: K): void {
    this.urgent.delete(key);
    this.later.delete(key);
  }

  /** keys waiting for their turn */
  get waiting(): number {
    return this.urgent.size + this.later.size;
  }

  private next(): void {
    if (this.taken) return;
    const queue = this.urgent.size > 0 ? this.urgent : this.later;
    const first = queue.values().next();
    if (first.done) return;
    const key = first.value;
    queue.delete(key);
    this.taken = true;
    const release = () => {
      this.taken = false;
      this.next();
    };
    // after a background task, two turns: a request read in the first is handled there, and
    // its answer — which the connection writes in a turn of its own — goes out in the second,
    // before the next background analysis (in one turn, a hover read while one ran was
    // answered only after the next two)
    this.turn(queue === this.later ? () => this.turn(release) : release);
    this.task(key);
  }
}

export const publishDiagnostics: Feature = {
  name: "diagnostics",
  register(ctx: ServerContext) {
    const { connection, documents, cache, log, idle } = ctx;

    /** opened, not published yet: their first publish warms the edit path (warmup.ts warmEditPath) */
    const opening = new Set<string>();
    const publish = (uri: string) => {
      const document = documents.get(uri);
      if (!document) return;
      try {
        const snapshot = cache.get(document);
        // (a long document just opened: the edit path runs once before the client can edit)
        if (opening.delete(uri) && document.lineCount >= warmUpFromLines && idle.warming) warmEditPath(snapshot.analysis, analysisSettings(ctx.settings));
        void connection.sendDiagnostics({ uri, version: snapshot.version, diagnostics: diagnostics(snapshot) });
      } catch (error) {
        log(`diagnostics failed for ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      idle.worked();
      if (document.lineCount >= warmUpFromLines) idle.warmUp(warmup(() => analysisSettings(ctx.settings)));
    };
    const queue = new OneAtATime<string>(publish);
    const settle = new Settle<string>((uri) => queue.add(uri));
    const changed = (uri: string) => {
      idle.touch();
      // (a version waiting for its turn is superseded: the new one comes once settled)
      queue.drop(uri);
      settle.changed(uri);
    };

    documents.onDidOpen((e) => {
      opening.add(e.document.uri);
      changed(e.document.uri);
    });
    documents.onDidChangeContent((e) => changed(e.document.uri));
    documents.onDidClose((e) => {
      settle.cancel(e.document.uri);
      opening.delete(e.document.uri);
      queue.drop(e.document.uri);
      cache.forget(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    ctx.onSettingsChanged(() => {
      for (const document of documents.all()) queue.add(document.uri, false);
    });
  },
};
