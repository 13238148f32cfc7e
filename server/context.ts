// What every registration of the language server shares: the connection, the open
// documents, the snapshot cache, the settings in force and the client's capabilities.
// Built once by startServer (server/start.ts); each feature registers itself on it.

import {
  TextDocuments,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
  type ServerCapabilities,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { guard, type Log } from "./guard";
import { analysisSettings, defaultSettings, type ServerSettings } from "./settings";
import { SnapshotCache, type Snapshot } from "./snapshots";
import { IdleWork } from "./idle";

export class ServerContext {
  readonly documents = new TextDocuments(TextDocument);
  readonly log: Log;
  readonly cache: SnapshotCache;
  /** work for quiet moments: a collection after analyses, the JIT's warm-up (server/idle.ts) */
  readonly idle = new IdleWork();
  /** what the client announced in `initialize` (empty until then) */
  client: ClientCapabilities = {};
  /** commands the client runs itself (`initializationOptions.clientCommands`: the VS Code extension's) */
  clientCommands: Set<string> = new Set();
  private current: ServerSettings = defaultSettings;
  private readonly settingsListeners: ((settings: ServerSettings) => void)[] = [];

  constructor(readonly connection: Connection) {
    this.log = (message) => connection.console.error(message);
    this.cache = new SnapshotCache(analysisSettings(this.current), this.log);
  }

  /** The settings in force. */
  get settings(): ServerSettings {
    return this.current;
  }

  /**
   * New settings: every snapshot is stale, and every listener is told (true). The same settings
   * again (a client answering workspace/configuration with what it sent at start) change
   * nothing (false): no document is analyzed again for them.
   */
  setSettings(settings: ServerSettings): boolean {
    if (sameJson(settings, this.current)) return false;
    this.current = settings;
    this.cache.setSettings(analysisSettings(settings));
    for (const listener of this.settingsListeners) listener(settings);
    return true;
  }

  onSettingsChanged(listener: (settings: ServerSettings) => void): void {
    this.settingsListeners.push(listener);
  }

  /** The snapshot of the document's current version, or null when it is not open. */
  snapshotOf(uri: unknown): Snapshot | null {
    if (typeof uri !== "string") return null;
    const document = this.documents.get(uri);
    return document ? this.cache.get(document) : null;
  }

  /**
   * A request about one open document: guarded (cancelled → "cancelled", a throw →
   * logged and `fallback`), and answered with `fallback` when the document is not open.
   */
  onDocument<P extends { textDocument?: { uri?: unknown } } | null, R>(
    name: string,
    fallback: R,
    handler: (snapshot: Snapshot, params: NonNullable<P>, token: CancellationToken) => R,
  ) {
    return guard<P, R>(this.log, name, fallback, (params, token) => {
      this.idle.touch();
      const snapshot = this.snapshotOf(params?.textDocument?.uri);
      return snapshot ? handler(snapshot, params as NonNullable<P>, token) : fallback;
    });
  }
}

/** Equal as JSON values (settings are plain data: objects, arrays, strings, numbers, booleans). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * One feature of the server: what it announces in `initialize`, and the handlers it
 * registers on the connection. `initialize` runs when the client's `initialize` arrives
 * (before any other request), `initialized` on the client's `initialized` (the
 * connection keeps one handler per notification, so the wiring owns it), `register`
 * once, before the connection listens.
 */
export interface Feature {
  name: string;
  /** announced in `initialize`; a function is asked after every feature's `initialize` ran */
  capabilities?: ServerCapabilities | ((ctx: ServerContext) => ServerCapabilities);
  initialize?(ctx: ServerContext, params: InitializeParams): void;
  initialized?(ctx: ServerContext): void;
  register(ctx: ServerContext): void;
}
