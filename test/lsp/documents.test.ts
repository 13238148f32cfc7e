// Issue 9 item 2: no document holds up another. Documents are analyzed one per turn of
// the event loop (server/publish.ts OneAtATime), edits before republishes, and a version
// superseded while it waits is never analyzed; a request analyzes its own document and
// is answered between two other documents' analyses. Asserted on order, never on time.

import * as assert from "node:assert/strict";
import type { Hover } from "vscode-languageserver-protocol";
import { OneAtATime } from "../../server/publish";
import { TestServer } from "./support/client";

/** A hand-cranked event loop: `turn` queues, `spin` runs what the previous turn queued. */
function handLoop() {
  let queue: (() => void)[] = [];
  return {
    turn: (f: () => void) => void queue.push(f),
    spin() {
      const now = queue;
      queue = [];
      for (const f of now) f();
    },
  };
}

describe("one document per turn (issue 9 item 2)", () => {
  it("the first task runs at once, each next in a turn of its own", () => {
    const l = handLoop();
    const ran: string[] = [];
    const q = new OneAtATime<string>((k) => ran.push(k), l.turn);
    q.add("a");
    q.add("b");
    q.add("c");
    assert.deepEqual(ran, ["a"]);
    l.spin();
    assert.deepEqual(ran, ["a", "b"]);
    l.spin();
    l.spin();
    assert.deepEqual(ran, ["a", "b", "c"]);
    assert.equal(q.waiting, 0);
  });

  it("after a background task, two turns before the next: what the connection read meanwhile is handled in the first, its answer written in the second", () => {
    const l = handLoop();
    const ran: string[] = [];
    const q = new OneAtATime<string>((k) => ran.push(k), l.turn);
    for (const k of ["s1", "s2", "s3"]) q.add(k, false);
    assert.deepEqual(ran, ["s1"]);
    l.spin();
    assert.deepEqual(ran, ["s1"]);
    l.spin();
    assert.deepEqual(ran, ["s1", "s2"]);
    // an edit coming in meanwhile: at its own turn, as before
    q.add("edit");
    l.spin();
    assert.deepEqual(ran, ["s1", "s2"]);
    l.spin();
    assert.deepEqual(ran, ["s1", "s2", "edit"]);
    l.spin();
    assert.deepEqual(ran, ["s1", "s2", "edit", "s3"]);
  });

  it("edits go before the background; a key added twice runs once; a dropped key never runs", () => {
    const l = handLoop();
    const ran: string[] = [];
    const q = new OneAtATime<string>((k) => ran.push(k), l.turn);
    q.add("x");
    for (const k of ["s1", "s2", "s3"]) q.add(k, false);
    q.add("edit");
    q.add("edit");
    q.add("s2"); // an edit of a document waiting in the background: it moves up
    q.drop("s3"); // changed again: this version is superseded
    for (let i = 0; i < 6; i++) l.spin();
    assert.deepEqual(ran, ["x", "edit", "s2", "s1"]);
  });

  it("a task that throws does not stop the ones after it", () => {
    const l = handLoop();
    const ran: string[] = [];
    const q = new OneAtATime<string>((k) => {
      ran.push(k);
      if (k === "bad") throw new Error("boom");
    }, l.turn);
    assert.throws(() => q.add("bad"));
    q.add("good");
    l.spin();
    assert.deepEqual(ran, ["bad", "good"]);
  });
});

/** A text that uses up one analysis' whole work budget (every use of P0 sees a wider input). */
function slowText(n: number): string {
  const lines = ["block P0(k) { pad 1 }"];
  for (let i = 1; i <= 30; i++) lines.push(`block P${i}(k) { P${i - 1}(k); P${i - 1}(k) }`);
  return `# slow ${n}\n${lines.join("\n")}\ninput 8x8x1\nP30(1)\n`;
}

describe("a slow document holds up no other (issue 9 item 2)", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start({ capabilities: { workspace: {} } })));
  after(() => server.stop());

  it("new settings republish the slow documents one per turn: a hover on a small one is answered between them", async function () {
    this.timeout(120_000);
    const small = "file:///d/small.cnn";
    await server.open(small, "network Small {\n  input 8x8x1\n  conv 2 3x3\n}\n");
    const slow = [1, 2, 3, 4].map((i) => `file:///d/slow${i}.cnn`);
    const opened = await Promise.all(slow.map((uri, i) => server.open(uri, slowText(i))));
    for (const p of opened) assert.match(p.diagnostics.map((d) => d.message).join("\n"), /expands to more than one analysis can check/);
    const before = slow.map((uri) => server.published(uri).length);
    const republished = slow.map((uri) => server.diagnosticsFor(uri, undefined));
    // new settings (each slow document analyzed again), then at once a hover on the small one
    await server.connection.sendNotification("workspace/didChangeConfiguration", { settings: { cnn: { diagnostics: { severity: { "even-filter": "off" } } } } });
    const hover = await server.request<Hover | null>("textDocument/hover", { textDocument: { uri: small }, position: { line: 2, character: 3 } });
    const done = slow.filter((uri, i) => server.published(uri).length > before[i]).length;
    assert.ok(hover && JSON.stringify(hover.contents).includes("6×6×2"), JSON.stringify(hover));
    // (analyzed in one go, as before, all four came first)
    assert.ok(done <= 2, `${done} of the 4 slow documents were analyzed before the hover was answered`);
    await Promise.all(republished);
  });

  it("an edit of a small document is published while the slow ones are still being republished", async function () {
    this.timeout(120_000);
    const small = "file:///d/typed.cnn";
    await server.open(small, "network Typed {\n  input 8x8x1\n  conv 2 3x3\n}\n");
    const slow = [5, 6, 7].map((i) => `file:///d/slow${i}.cnn`);
    await Promise.all(slow.map((uri, i) => server.open(uri, slowText(10 + i))));
    // the four of the test before are open too: seven slow documents
    const all = [1, 2, 3, 4, 5, 6, 7].map((i) => `file:///d/slow${i}.cnn`);
    const before = all.map((uri) => server.published(uri).length);
    const republished = all.map((uri, i) => new Promise<void>((resolve) => {
      const check = () => (server.published(uri).length > before[i] ? resolve() : setTimeout(check, 20));
      check();
    }));
    await server.connection.sendNotification("workspace/didChangeConfiguration", { settings: { cnn: { diagnostics: { severity: { "even-filter": "warning" } } } } });
    const edited = await server.change(small, 2, [{ range: { start: { line: 2, character: 7 }, end: { line: 2, character: 8 } }, text: "4" }]);
    assert.deepEqual(edited.diagnostics, []);
    const waiting = all.filter((uri, i) => server.published(uri).length === before[i]).length;
    // (analyzed in one go, as before, the edit came after all seven)
    assert.ok(waiting >= 1, "the edit was published only after every slow document");
    await Promise.all(republished);
  });
});
