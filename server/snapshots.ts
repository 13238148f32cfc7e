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
  const path = uri.replace(/[?#].*$/, "");
  const last = path.slice(path.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(last) || "main.cnn";
  } catch {
    return last || "main.cnn";
  }
}

export class SnapshotCache {
  private readonly entries = new Map<string, { snapshot: Snapshot; generation: number }>();
  private generation = 0;
  /** how long the last analysis took, per document (for the debounce) */
  readonly lastMilliseconds = new Map<string, number>();

  constructor(private settings: AnalysisSettings) {}

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
    const started = performance.now();
    const analysis = analyze(text, fileNameOf(document.uri), this.settings);
    this.lastMilliseconds.set(document.uri, performance.now() - started);
    const snapshot: Snapshot = { uri: document.uri, version: document.version, analysis, positions: new Positions(text) };
    this.entries.set(document.uri, { snapshot, generation: this.generation });
    return snapshot;
  }

  /** The snapshot of exactly this version, if it was already computed. */
  peek(uri: string, version: number): Snapshot | undefined {
    const cached = this.entries.get(uri);
    return cached && cached.snapshot.version === version && cached.generation === this.generation ? cached.snapshot : undefined;
  }

  forget(uri: string): void {
    this.entries.delete(uri);
    this.lastMilliseconds.delete(uri);
  }
}
