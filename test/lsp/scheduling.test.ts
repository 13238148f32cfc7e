// When the server analyzes and publishes (issue 14 item 3): an edit is analyzed as soon as
// the messages already read are handled — no timer, no debounce — and a burst is analyzed
// once; garbage is collected and the JIT warmed up only in quiet moments; the same
// settings sent again analyze nothing. (Speed itself is measured by bench/lsp.bench.ts.)

import * as assert from "node:assert/strict";
import { Settle } from "../../server/publish";
import { collector, IdleWork, type Collector } from "../../server/idle";
import { warmEditPath, warmup, warmupText } from "../../server/warmup";
import { analyze } from "../../analysis";
import { reuseCounts } from "../../analysis/analyze";
import { TestServer } from "./support/client";

/** A hand-cranked event loop: `turn` queues, `spin` runs what the previous turn queued. */
function loop() {
  let queue: (() => void)[] = [];
  return {
    turn: (f: () => void) => void queue.push(f),
    spin(times = 1) {
      for (let i = 0; i < times; i++) {
        const now = queue;
        queue = [];
        for (const f of now) f();
      }
    },
    get queued() {
      return queue.length;
    },
  };
}

describe("publishing: settled changes, no timer", () => {
  it("a lone change runs its task after two quiet turns of the event loop", () => {
    const l = loop();
    const ran: string[] = [];
    const settle = new Settle<string>((k) => ran.push(k), l.turn);
    settle.changed("a");
    l.spin();
    assert.deepEqual(ran, [], "the first turn may come before a queued message: not yet");
    l.spin();
    assert.deepEqual(ran, ["a"]);
    assert.equal(l.queued, 0, "nothing left scheduled");
    assert.equal(settle.isPending("a"), false);
  });

  it("changes handled between the turns (a burst read together) run the task once, after the last", () => {
    const l = loop();
    const ran: string[] = [];
    const settle = new Settle<string>((k) => ran.push(k), l.turn);
    settle.changed("a");
    for (let i = 0; i < 5; i++) {
      l.spin();
      settle.changed("a"); // the connection handles the next queued didChange
    }
    l.spin();
    assert.deepEqual(ran, [], "a change came in the last turn");
    l.spin(2);
    assert.deepEqual(ran, ["a"]);
  });

  it("documents settle independently; a closed one never runs", () => {
    const l = loop();
    const ran: string[] = [];
    const settle = new Settle<string>((k) => ran.push(k), l.turn);
    settle.changed("a");
    settle.changed("b");
    settle.changed("c");
    settle.cancel("b");
    l.spin(2);
    assert.deepEqual(ran, ["a", "c"]);
  });

  it("a document that never stops changing still runs after maxTurns", () => {
    const l = loop();
    const ran: number[] = [];
    const settle = new Settle<number>((k) => ran.push(k), l.turn, 8);
    settle.changed(1);
    for (let i = 0; i < 7; i++) {
      l.spin();
      settle.changed(1);
    }
    assert.deepEqual(ran, []);
    l.spin();
    assert.deepEqual(ran, [1]);
  });
});

/** A collector that counts, with an old generation the test sets. */
function fakeCollector() {
  const c = { minor: 0, major: 0, old: 10e6 };
  const collector: Collector = {
    minor: () => void c.minor++,
    major: () => {
      c.major++;
      c.old = 10e6;
    },
    oldBytes: () => c.old,
  };
  return { c, collector };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, condition: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await pause(2);
  }
}

describe("idle work: only in quiet moments", () => {
  it("after an analysis, a scavenge once the client is quiet; a full collection once the old generation grew majorAfterMB", async () => {
    let now = 0;
    const { c, collector } = fakeCollector();
    const idle = new IdleWork({ quietMs: 1, collect: collector, majorAfterMB: 40, now: () => now });
    try {
      idle.worked();
      await pause(20);
      assert.deepEqual([c.minor, c.major], [0, 0], "the (fake) clock has not moved: not quiet yet");
      now = 5;
      await until("a scavenge", () => c.minor === 1);
      await pause(10);
      assert.deepEqual([c.minor, c.major], [1, 0], "one collection per batch of analyses");
      c.old += 50e6;
      idle.worked();
      now = 10;
      await until("a full collection", () => c.major === 1);
      assert.equal(c.minor, 1);
    } finally {
      idle.dispose();
    }
  });

  it("the growth that calls for a full collection counts from the lowest the old generation has been (V8 collects on its own too)", async () => {
    let now = 0;
    const { c, collector } = fakeCollector();
    const idle = new IdleWork({ quietMs: 1, collect: collector, majorAfterMB: 40, now: () => now });
    /** an analysis with the old generation at `oldMB`, then a quiet moment: the collection it is given */
    const analyzedAt = async (oldMB: number) => {
      const before = c.minor + c.major;
      c.old = oldMB * 1e6;
      idle.worked();
      now += 5;
      await until("a collection", () => c.minor + c.major === before + 1);
      return c.major > 0 ? "full" : "scavenge";
    };
    try {
      // the first, after a cold open (a large old generation); then V8's own full collection
      // brought it down to 20 MB: 30 MB above that is below majorAfterMB, 45 MB is past it
      // (though less than the first collection saw)
      assert.deepEqual([await analyzedAt(100), await analyzedAt(20), await analyzedAt(50), await analyzedAt(65)], ["scavenge", "scavenge", "scavenge", "full"]);
    } finally {
      idle.dispose();
    }
  });

  it("a message puts idle work off until the client has been quiet for quietMs again", async () => {
    let now = 0;
    const { c, collector } = fakeCollector();
    const idle = new IdleWork({ quietMs: 10, collect: collector, now: () => now });
    try {
      idle.worked();
      now = 8;
      idle.touch(); // a request at 8 ms
      now = 15; // 15 ms after the analysis, but only 7 after the request
      await pause(40);
      assert.equal(c.minor, 0);
      now = 18;
      await until("the scavenge", () => c.minor === 1);
    } finally {
      idle.dispose();
    }
  });

  it("work found due waits for the input of that turn to be read: a message read then puts it off (Neovim's first edit waited a scavenge)", async () => {
    let now = 0;
    const { c, collector } = fakeCollector();
    const deferred: (() => void)[] = [];
    const idle = new IdleWork({ quietMs: 10, collect: collector, now: () => now, defer: (callback) => void deferred.push(callback) });
    try {
      idle.worked();
      now = 20;
      await until("the timer to find the work due", () => deferred.length === 1);
      assert.equal(c.minor, 0, "nothing runs before the input is read");
      idle.touch(); // the message that was waiting in the pipe, read by the poll phase
      deferred.shift()!();
      assert.equal(c.minor, 0, "the message put the work off");
      now = 35;
      await until("the work due again", () => deferred.length === 1);
      deferred.shift()!();
      assert.equal(c.minor, 1, "quiet since: the scavenge runs");
    } finally {
      idle.dispose();
    }
  });

  it("warm-up pieces run one by one in quiet moments, then the collection; a second warm-up is ignored", async () => {
    const { c, collector } = fakeCollector();
    const idle = new IdleWork({ quietMs: 1, collect: collector });
    const pieces: number[] = [];
    function* three() {
      for (let i = 0; i < 3; i++) {
        pieces.push(c.minor);
        yield;
      }
    }
    try {
      idle.warmUp(three());
      idle.warmUp(three());
      await until("the collection after the warm-up", () => c.minor === 1);
      assert.deepEqual(pieces, [0, 0, 0], "three pieces, all before the collection");
      assert.equal(idle.counts.warmups, 3);
    } finally {
      idle.dispose();
    }
  });

  it("during a warm-up, a document's garbage is collected before the next piece, and the pieces' own every 8", async () => {
    const { c, collector } = fakeCollector();
    const idle = new IdleWork({ quietMs: 1, collect: collector });
    const seen: number[] = [];
    function* twenty() {
      for (let i = 0; i < 20; i++) {
        seen.push(c.minor);
        yield;
      }
    }
    try {
      idle.worked(); // the open's analysis
      idle.warmUp(twenty());
      await until("the warm-up and its last collection", () => seen.length === 20 && c.minor === 4);
      // the open's garbage before piece 1, then after pieces 8 and 16, and after the last
      assert.deepEqual(seen, [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3]);
    } finally {
      idle.dispose();
    }
  });

  it("V8's collector can be had without --expose-gc, and both kinds run", () => {
    const gc = collector();
    assert.ok(gc, "no collector");
    gc.minor();
    gc.major();
    assert.ok(gc.oldBytes() > 0);
  });

  it("the edit path warmed on a document just opened: an incremental analysis from it, the document's analysis left as it was", () => {
    const lines = ["network Big {", "  input 64x64x3"];
    for (let i = 0; i < 600; i++) lines.push(i % 2 ? "  relu" : `  c${i}: conv 8 3x3 pad 1   # same size`);
    lines.push("}", "");
    const text = lines.join("\r\n");
    const opened = analyze(text, "big.cnn");
    const before = JSON.stringify([opened.diagnostics, opened.networks.map((n) => [n.output, String(n.params), n.graph.length]), [...opened.occurrences.keys()]]);
    const resumes = reuseCounts.resumes;
    warmEditPath(opened, {});
    assert.equal(reuseCounts.resumes, resumes + 1, "the elaboration resumed, as an edit's");
    assert.equal(JSON.stringify([opened.diagnostics, opened.networks.map((n) => [n.output, String(n.params), n.graph.length]), [...opened.occurrences.keys()]]), before);
    // a text without a statement line: nothing to do
    warmEditPath(analyze("input 8x8x1\n", "s.cnn"), {});
  });

  it("the warm-up text analyzes as real files do: one network, a stride misfit and a misspelt option, nothing else", () => {
    const analysis = analyze(warmupText(), "warmup.cnn");
    assert.equal(analysis.networks.length, 1);
    assert.deepEqual(analysis.diagnostics.map((d) => d.code).sort(), ["stride-misfit", "unknown-name"]);
    assert.match(analysis.diagnostics.find((d) => d.code === "unknown-name")!.message, /strid/);
    let steps = 0;
    for (const _ of warmup(() => ({}), 4)) steps++;
    assert.equal(steps, 4);
  });
});

describe("settings sent again", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start({ settings: { cnn: { inlayHints: { macs: true } } }, capabilities: { workspace: {} } })));
  after(() => server.stop());

  it("the same settings again analyze and publish nothing; different ones republish", async () => {
    const uri = "file:///s/again.cnn";
    await server.open(uri, "network A {\n  input 8x8x1\n  conv 2 3x3\n}\n", 1);
    const before = server.published(uri).length;
    await server.connection.sendNotification("workspace/didChangeConfiguration", { settings: { cnn: { inlayHints: { macs: true } } } });
    // a request after it: by its answer the notification has been handled
    await server.request("textDocument/documentSymbol", { textDocument: { uri } });
    assert.equal(server.published(uri).length, before, "a republish for the same settings");
    const next = server.diagnosticsFor(uri);
    await server.connection.sendNotification("workspace/didChangeConfiguration", { settings: { cnn: { diagnostics: { severity: { "even-filter": "off" } } } } });
    await next;
    assert.equal(server.published(uri).length, before + 1);
  });
});
