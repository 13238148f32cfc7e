// statement start → its occurrences, in the order the statements were first elaborated:
// a Map's behaviour over tables of at most `chunkSize` entries each.
//
// Why not one Map (issue 14, an edit of the 5,000-layer file back to back): V8 gives a
// Map of more than ~4,000 entries (node without pointer compression) a table in the
// large-object space. Alive at a scavenge, such a table moves to the old generation
// whole; once the snapshot that holds it is superseded it is garbage there, but a
// scavenge cannot know that (only a full collection can), so every young object it
// points at — the occurrence lists, and through them the whole analysis of that version
// — is kept and copied out by the next scavenge too. One edit at the 101st layer: the
// scavenge after it copied the new snapshot (7.7 MB) and the previous one again (6.8 MB,
// then garbage in the old generation). Tables of ≤ 2,048 entries are ordinary young
// objects; the index from key to table holds small integers only, so the garbage it
// leaves behind keeps nothing alive.

import type { Occurrence } from "../types";

export class OccurrenceMap implements ReadonlyMap<number, Occurrence[]> {
  /**
   * entries per table: its backing store (3 + 1,024 buckets + 2,048 × 3 slots of 8 bytes,
   * ~57 kB; 115 kB once grown for deletions) stays a regular object (< 128 kB). The tests
   * lower it, so that their small documents fill several tables.
   */
  static chunkSize = 2048;

  /** the tables, in order: every key of one was first set before every key of the next */
  private chunks: Map<number, Occurrence[]>[] = [];
  /** key → the index of its table (small integers: nothing here keeps an object alive) */
  private index = new Map<number, number>();

  get size(): number {
    return this.index.size;
  }

  get(key: number): Occurrence[] | undefined {
    const c = this.index.get(key);
    return c === undefined ? undefined : this.chunks[c].get(key);
  }

  has(key: number): boolean {
    return this.index.has(key);
  }

  /** A new key goes after every key there is (as in a Map); an existing one keeps its place. */
  set(key: number, list: Occurrence[]): this {
    const c = this.index.get(key);
    if (c !== undefined) {
      this.chunks[c].set(key, list);
      return this;
    }
    let last = this.chunks.length - 1;
    if (last < 0 || this.chunks[last].size >= OccurrenceMap.chunkSize) {
      this.chunks.push(new Map());
      last++;
    }
    this.chunks[last].set(key, list);
    this.index.set(key, last);
    return this;
  }

  delete(key: number): boolean {
    const c = this.index.get(key);
    if (c === undefined) return false;
    this.index.delete(key);
    this.chunks[c].delete(key);
    // (the tables emptied at the end go: keys set next fill the last one left, as they would have)
    while (this.chunks.length > 0 && this.chunks[this.chunks.length - 1].size === 0) this.chunks.pop();
    return true;
  }

  /** A copy: tables of its own (setting and deleting in it leaves this one as it is). */
  copy(): OccurrenceMap {
    const out = new OccurrenceMap();
    out.chunks = this.chunks.map((c) => new Map(c));
    out.index = new Map(this.index);
    return out;
  }

  *entries(): IterableIterator<[number, Occurrence[]]> {
    for (const c of this.chunks) yield* c.entries();
  }

  *keys(): IterableIterator<number> {
    for (const c of this.chunks) yield* c.keys();
  }

  *values(): IterableIterator<Occurrence[]> {
    for (const c of this.chunks) yield* c.values();
  }

  [Symbol.iterator](): IterableIterator<[number, Occurrence[]]> {
    return this.entries();
  }

  forEach(callback: (value: Occurrence[], key: number, map: ReadonlyMap<number, Occurrence[]>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}
