// The occurrence map (analysis/elaborate/occurrences.ts) is a Map split into small tables,
// and analysis/attached.ts keeps values on their objects instead of in WeakMaps (issue 14:
// what a scavenge has to copy after an edit). Both must be invisible: the map reads as
// the Map it replaces, in the same order, whatever is set and deleted; an attached value
// is seen by nothing that reads the object.

import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { analyze } from "../../analysis";
import { Attached } from "../../analysis/attached";
import { OccurrenceMap } from "../../analysis/elaborate/occurrences";
import type { Occurrence } from "../../analysis/types";

/** a stand-in list per key (the map never reads what it holds) */
const listOf = (key: number, n: number) => [{ key, n } as unknown as Occurrence];

type Op = { set: number } | { del: number } | { copy: true } | { cut: number };

describe("the occurrence map", () => {
  const defaultChunk = OccurrenceMap.chunkSize;
  afterEach(() => (OccurrenceMap.chunkSize = defaultChunk));

  it("reads as a Map after any sequence of sets, deletes and copies (keys in the order first set), across many small tables", () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }).map((k) => ({ set: k })) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 40 }).map((k) => ({ del: k })) },
      { weight: 1, arbitrary: fc.constant({ copy: true as const }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 }).map((n) => ({ cut: n })) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 120 }), (chunk, ops) => {
        OccurrenceMap.chunkSize = chunk;
        let ours = new OccurrenceMap();
        let theirs = new Map<number, Occurrence[]>();
        let n = 0;
        for (const o of ops) {
          if ("set" in o) {
            const list = listOf(o.set, n++);
            ours.set(o.set, list);
            theirs.set(o.set, list);
          } else if ("del" in o) {
            assert.equal(ours.delete(o.del), theirs.delete(o.del));
          } else if ("copy" in o) {
            const before = [...ours.entries()];
            const copy = ours.copy();
            copy.set(1000 + n, listOf(1000 + n, n));
            copy.delete([...copy.keys()][0]);
            // (the copy's changes leave the original as it was)
            assert.deepEqual([...ours.entries()], before);
            ours = ours.copy();
            theirs = new Map(theirs);
          } else {
            // the newest keys taken out (what a restore does)
            const keys = [...theirs.keys()].slice(Math.max(0, theirs.size - o.cut));
            for (const k of keys.reverse()) assert.equal(ours.delete(k), theirs.delete(k));
          }
          assert.equal(ours.size, theirs.size);
        }
        assert.deepEqual([...ours.entries()], [...theirs.entries()]);
        assert.deepEqual([...ours], [...theirs]);
        assert.deepEqual([...ours.keys()], [...theirs.keys()]);
        assert.deepEqual([...ours.values()], [...theirs.values()]);
        for (let k = 0; k <= 41; k++) {
          assert.equal(ours.get(k), theirs.get(k));
          assert.equal(ours.has(k), theirs.has(k));
        }
        const seen: [number, Occurrence[]][] = [];
        ours.forEach((v, k, m) => {
          assert.equal(m, ours);
          seen.push([k, v]);
        });
        assert.deepEqual(seen, [...theirs.entries()]);
      }),
      { numRuns: 500 },
    );
  });

  it("the newest keys taken out and set again: the same tables as when set once (a restored map is the fresh one)", () => {
    OccurrenceMap.chunkSize = 3;
    const fresh = new OccurrenceMap();
    for (let k = 0; k < 10; k++) fresh.set(k, listOf(k, k));
    const restored = new OccurrenceMap();
    for (let k = 0; k < 10; k++) restored.set(k, listOf(k, k));
    for (let k = 9; k >= 4; k--) restored.delete(k);
    for (let k = 4; k < 10; k++) restored.set(k, listOf(k, k));
    assert.deepStrictEqual(restored, fresh);
  });

  it("an analysis' occurrences: statement start → its occurrences, as before (lists in elaboration order, every statement of the network)", () => {
    const lines = ["input 32x32x3"];
    for (let i = 0; i < 5000; i++) lines.push(i % 2 ? "relu" : "conv 8 3x3 pad 1");
    const text = lines.join("\n") + "\n";
    const a = analyze(text, "big.cnn");
    assert.equal(a.occurrences.size, 5001);
    let at = 0;
    const starts = lines.map((l) => {
      const s = at;
      at += l.length + 1;
      return s;
    });
    assert.deepEqual([...a.occurrences.keys()], starts);
    for (const s of starts) assert.equal(a.occurrences.get(s)?.[0].span.start, s);
    assert.equal(a.occurrences.get(starts[4999] + 1), undefined);
  });
});

describe("a value attached to an object", () => {
  it("is had back, and nothing that reads the object sees it (spread, keys, JSON, deep equality)", () => {
    const attached = new Attached<object, { big: number[] }>("test");
    const owner = { a: 1, b: [2] };
    const twin = { a: 1, b: [2] };
    assert.equal(attached.get(owner), undefined);
    const value = { big: [1, 2, 3] };
    attached.set(owner, value);
    assert.equal(attached.get(owner), value);
    assert.equal(attached.get(twin), undefined);
    assert.deepStrictEqual(owner, twin);
    assert.deepStrictEqual({ ...owner }, twin);
    assert.deepEqual(Object.keys(owner), ["a", "b"]);
    assert.equal(JSON.stringify(owner), JSON.stringify(twin));
    // two attachments do not see each other
    const other = new Attached<object, string>("other");
    assert.equal(other.get(owner), undefined);
    other.set(owner, "x");
    assert.equal(attached.get(owner), value);
    assert.equal(other.get(owner), "x");
  });
});
