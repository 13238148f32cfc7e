// uri + version → the analysis of that text, computed once. Every feature reads a
// Snapshot; nothing else calls analyze().

import { analyze, type Analysis, type AnalysisSettings } from "../analysis";
import { Positions } from "./positions";

export interface Snapshot {
  uri: string;
  version: number;
  analysis: Analysis;
  positions: Positions;
}

export interface SourceDocument {
  uri: string;
  version: number;
  getText(): string;
}

/** `file:///notes/lenet5.cnn` → `lenet5.cnn` (the implicit network is named after it). */
export function fileNameOf(uri: string): string {
  const path = uri.replace(/[?#].*$/, "").replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, "");
  const last = path.slice(path.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(last) || "main.cnn";
  } catch {
    return last || "main.cnn";
  }
}

/** `CNN_LSP_INCREMENTAL=0`: every version analyzed whole (for the bench's side-by-side figures) */
const incremental = process.env.CNN_LSP_INCREMENTAL !== "0";

export class SnapshotCache {
  private readonly entries = new Map<string, { snapshot: Snapshot; generation: number }>();
  private generation = 0;
  /** analyses made up after analyze() threw */
  private readonly explained = new WeakSet<Analysis>();

  constructor(
    private settings: AnalysisSettings,
    /** told when analyze() throws, for the server's log */
    private readonly onFailure?: (message: string) => void,
    private readonly analyzer: typeof analyze = analyze,
  ) {}

  /** New settings: every snapshot is stale. */
  setSettings(settings: AnalysisSettings): void {
    this.settings = settings;
    this.generation++;
  }

  /** The snapshot of this version of the document, analyzing it if needed. */
  get(document: SourceDocument): Snapshot {
    const cached = this.entries.get(document.uri);
    if (cached && cached.snapshot.version === document.version && cached.generation === this.generation) return cached.snapshot;
    const text = document.getText();
    // the previous version's analysis, same settings: what the edit did not touch is reused
    // (never one made up after a failure: its empty tree is not the parse of its text)
    const previous = incremental && cached && cached.generation === this.generation && !this.explained.has(cached.snapshot.analysis) ? cached.snapshot.analysis : undefined;
    const analysis = this.analyzeOrExplain(text, fileNameOf(document.uri), previous);
    const snapshot: Snapshot = { uri: document.uri, version: document.version, analysis, positions: new Positions(text) };
    this.entries.set(document.uri, { snapshot, generation: this.generation });
    return snapshot;
  }

  /**
   * analyze() is built never to throw; should it, the document still gets a snapshot:
   * no networks, and one diagnostic that says what happened (the features then answer
   * with empty results instead of failing on every request).
   */
  private analyzeOrExplain(text: string, fileName: string, previous?: Analysis): Analysis {
    try {
      return this.analyzer(text, fileName, this.settings, previous);
    } catch (error) {
      const tooDeep = error instanceof RangeError && /call stack/i.test(error.message);
      const message = tooDeep
        ? "this file nests too deeply to analyze: flatten some of its `{ … }`"
        : `the analysis failed on this file (${error instanceof Error ? error.message : String(error)}); please report it`;
      this.onFailure?.(`analyze(${fileName}) threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      const firstLineEnd = text.search(/\r|\n|$/);
      const explained: Analysis = {
        fileName,
        text,
        parse: { file: { items: [] }, errors: [], comments: [], tokens: [] },
        networks: [],
        blocks: [],
        diagnostics: [{ code: "syntax", severity: "error", message, start: 0, end: Math.max(0, firstLineEnd) }],
        occurrences: new Map(),
        unrecordedUses: new Map(),
        references: [],
        work: 0,
      };
      this.explained.add(explained);
      return explained;
    }
  }

  /** The snapshot of exactly this version, if it was already computed. */
  peek(uri: string, version: number): Snapshot | undefined {
    const cached = this.entries.get(uri);
    return cached && cached.snapshot.version === version && cached.generation === this.generation ? cached.snapshot : undefined;
  }

  forget(uri: string): void {
    this.entries.delete(uri);
  }
}
