// A superseded analysis is garbage to a scavenge too (issue 14: edits of the 5,000-layer
// file back to back). With a WeakMap holding each analysis' resumable elaboration, or a
// Map of more than ~4,000 entries (a large object, in the old generation once it has
// survived once), the scavenge after an edit kept the previous version's young objects
// alive and copied them into the old generation: ~6.5 MB more per edit at the 101st
// layer, then garbage there until a full collection. Measured in a process started with
// the server's own flags (server/protocol.ts): after each edit, one scavenge, and how
// much the old generation grew by it.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { getHeapSpaceStatistics } from "node:v8";
import { analyze, type Analysis } from "../../analysis";
import { serverNodeFlags } from "../../server/protocol";

function generated(layers: number): string {
  const lines = ["network Big {", "  input 224x224x3"];
  for (let i = 0; i < layers; i++) lines.push(i % 5 === 0 ? `  c${i}: conv 16 3x3 pad 1   # a comment` : i % 5 === 1 ? "  bn" : i % 5 === 2 ? "  relu" : i % 5 === 3 ? "  conv 16 1x1 nobias" : "  dropout 0.1");
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** In the child: edits at the 101st layer, one scavenge after each; the old generation's growth per scavenge (MB). */
function child(): void {
  const gc = (globalThis as { gc?: (o: { type: "minor" }) => void }).gc!;
  const text = generated(5000);
  const at = text.indexOf("c100: conv 16 3x3 pad 1") + "c100: conv 16 3x3 pad 1".length;
  const edited = text.slice(0, at) + " stride 2" + text.slice(at);
  const old = () => getHeapSpaceStatistics().find((s) => s.space_name === "old_space")!.space_used_size;
  const state: { previous: Analysis; i: number; growth: number[] } = { previous: analyze(text, "big.cnn"), i: 0, growth: [] };
  const step = () => {
    state.previous = analyze(state.i % 2 === 0 ? edited : text, "big.cnn", {}, state.previous);
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
    it("the scavenge after an edit at the 101st of 5,000 layers keeps the new analysis only: nothing of the previous one goes to the old generation", () => {
      const r = spawnSync(process.execPath, [...serverNodeFlags, "--expose-gc", __filename], { env: { ...process.env, CNN_SCAVENGE_CHILD: "1" }, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const growth = JSON.parse(r.stdout) as number[];
      assert.equal(growth.length, 10);
      // (the previous analysis' young objects are ~6.5 MB; what may move is a few stragglers)
      for (const mb of growth) assert.ok(mb < 1.5, `the old generation grew by ${growth.map((x) => x.toFixed(1)).join(", ")} MB in the scavenges after the edits`);
    });
  });
