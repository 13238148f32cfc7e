// A value kept with an object, as a WeakMap would keep it — but on the object itself
// (a property of its own, not enumerable, under a symbol: no spread, JSON, deep
// comparison or `for … in` sees it).
//
// Why not a WeakMap (issue 14, edits of the 5,000-layer file back to back): a long-lived
// WeakMap's table is in the old generation, and V8's scavenge keeps alive every young
// value in it whatever became of its key (only a full collection clears the entries of
// dead keys). The resumable elaboration of each superseded analysis — the whole of its
// elaboration, ~7 MB at the 101st layer — was kept and copied out by the next scavenge,
// and then garbage in the old generation: each scavenge copied two snapshots, not one.
// On the object, the value dies with it, and a scavenge never sees it.

export class Attached<K extends object, V> {
  private readonly key: symbol;

  constructor(description: string) {
    this.key = Symbol(description);
  }

  get(owner: K): V | undefined {
    return (owner as Record<symbol, V | undefined>)[this.key];
  }

  /** Once per owner (the value cannot be replaced: writable false, as what it describes never changes). */
  set(owner: K, value: V): void {
    Object.defineProperty(owner, this.key, { value, enumerable: false, writable: false, configurable: false });
  }
}
