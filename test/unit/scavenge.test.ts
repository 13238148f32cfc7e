// A superseded analysis is garbage to a scavenge too (issue 14: edits of the 5,000-layer
// file back to back). With a WeakMap holding each analysis' resumable elaboration, or a
// Map of more than ~4,000 entries (a large object, in the old generation once it has
// survived once), the scavenge after an edit kept the previous version's young objects
// alive and copied them into the old generation: ~6.5 MB more per edit at the 101st
// layer (its inlay hints, in a WeakMap too: 1.7 MB more), then garbage there until a
// full collection. Measured in a process started with
// the server's own flags (server/protocol.ts): after each edit, one scavenge, and how
// much the old generation grew by it.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { getHeapSpaceStatistics } from "node:v8";
import { inlayHints } from "../../server/features/inlayHints";
import { serverNodeFlags } from "../../server/protocol";
import { defaultSettings } from "../../server/settings";
import { SnapshotCache } from "../../server/snapshots";

function generated(layers: number): string {
  const lines = ["network Big {", "  input 224x224x3"];
  for (let i = 0; i < layers; i++) lines.push(i % 5 === 0 ? `  c${i}: conv 16 3x3 pad 1   # a comment` : i % 5 === 1 ? "  bn" : i % 5 === 2 ? "  relu" : i % 5 === 3 ? "  conv 16 1x1 nobias" : "  dropout 0.1");
  lines.push("}");
  return lines.join("\n") + "\n";
}

/**
 * In the child: edits at the 101st layer through the server's snapshot cache, the whole
 * document's inlay hints after each (as an editor asks), then one scavenge; the old
 * generation's growth per scavenge (MB).
 */
function child(): void {
  const gc = (globalThis as { gc?: (o: { type: "minor" }) => void }).gc!;
  const text = generated(5000);
  const at = text.indexOf("c100: conv 16 3x3 pad 1") + "c100: conv 16 3x3 pad 1".length;
  const edited = text.slice(0, at) + " stride 2" + text.slice(at);
  const old = () => getHeapSpaceStatistics().find((s) => s.space_name === "old_space")!.space_used_size;
  const cache = new SnapshotCache({});
  const state = { i: 0, growth: [] as number[] };
  const document = { uri: "file:///big.cnn", version: 1, getText: () => (document.version % 2 === 0 ? edited : text) };
  cache.get(document);
  const step = () => {
    document.version++;
    const hints = inlayHints(cache.get(document), null, defaultSettings, true);
    if (hints.length < 5000) throw new Error(`${hints.length} hints`);
    state.i++;
    // (each step in a turn of its own: no frame of the loop holds an analysis)
    setImmediate(() => {
      const before = old();
      gc({ type: "minor" });
      if (state.i > 6) state.growth.push((old() - before) / 1e6);
      if (state.i < 16) setImmediate(step);
      else process.stdout.write(JSON.stringify(state.growth));
    });
  };
  step();
}

if (process.env.CNN_SCAVENGE_CHILD === "1") child();
else
  describe("a superseded analysis and the scavenge", function () {
    this.timeout(120_000);
    it("the scavenge after an edit at the 101st of 5,000 layers keeps the new snapshot only: nothing of the previous one (its analysis, its inlay hints) goes to the old generation", () => {
      const r = spawnSync(process.execPath, [...serverNodeFlags, "--expose-gc", __filename], { env: { ...process.env, CNN_SCAVENGE_CHILD: "1" }, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const growth = JSON.parse(r.stdout) as number[];
      assert.equal(growth.length, 10);

      // (the previous analysis' young objects were 6.4–6.8 MB of it, the hints kept in a WeakMap 1.7; now a few kB)
      for (const mb of growth) assert.ok(mb < 0.5, `the old generation grew by ${growth.map((x) => x.toFixed(1)).join(", ")} MB in the scavenges after the edits`);
    });
  });
