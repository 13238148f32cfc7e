// The snapshot cache: one analysis per version, a new one after new settings, and a
// readable diagnostic (not a dead server) should analyze() ever throw.

import * as assert from "node:assert/strict";
import { analyze } from "../../analysis";
import { SnapshotCache, fileNameOf } from "../../server/snapshots";

const doc = (text: string, version: number) => ({ uri: "file:///notes/%E7%BB%83%E4%B9%A0%201.cnn", version, getText: () => text });

describe("snapshot cache", () => {
  it("analyzes each version once; new settings make every snapshot stale", () => {
    let calls = 0;
    const counting: typeof analyze = (...args) => {
      calls++;
      return analyze(...args);
    };
    const cache = new SnapshotCache({}, undefined, counting);
    const text = "input 7x7x1\nconv 1 3x3 stride 3\n";
    const first = cache.get(doc(text, 1));
    assert.equal(cache.get(doc(text, 1)), first);
    assert.equal(calls, 1);
    assert.equal(first.analysis.networks[0].name, "练习 1");
    assert.equal(first.analysis.diagnostics[0].severity, "warning");
    cache.get(doc(text, 2));
    assert.equal(calls, 2);
    cache.setSettings({ severity: { "stride-misfit": "error" } });
    const strict = cache.get(doc(text, 2));
    assert.equal(calls, 3);
    assert.equal(strict.analysis.diagnostics[0].severity, "error");
    assert.equal(cache.peek(doc(text, 2).uri, 2), strict);
    assert.equal(cache.peek(doc(text, 2).uri, 1), undefined);
  });

  it("should analyze() throw, the document gets a snapshot with one explanatory error, and the failure is logged", () => {
    const logged: string[] = [];
    const cache = new SnapshotCache({}, (m) => logged.push(m), () => {
      throw new RangeError("Maximum call stack size exceeded");
    });
    const snapshot = cache.get(doc("network N {\n  relu\n}\n", 1));
    assert.deepEqual(snapshot.analysis.networks, []);
    assert.deepEqual(
      snapshot.analysis.diagnostics.map((d) => [d.code, d.severity, d.message, d.start, d.end]),
      [["syntax", "error", "this file nests too deeply to analyze: flatten some of its `{ … }`", 0, 11]],
    );
    assert.match(logged[0], /^analyze\(练习 1\.cnn\) threw: RangeError/);
    const other = new SnapshotCache({}, () => undefined, () => {
      throw new Error("boom");
    });
    assert.match(other.get(doc("relu", 1)).analysis.diagnostics[0].message, /^the analysis failed on this file \(boom\); please report it$/);
  });

  it("file names from URIs: decoded, without query or fragment", () => {
    assert.equal(fileNameOf("file:///a/b/lenet5.cnn"), "lenet5.cnn");
    assert.equal(fileNameOf("vscode-vfs://github/me/repo/nets/%ED%95%9C%EA%B5%AD.cnn?ref=main"), "한국.cnn");
    assert.equal(fileNameOf("untitled:Untitled-1"), "Untitled-1");
    assert.equal(fileNameOf("file:///a/%E0%A4%A.cnn"), "%E0%A4%A.cnn");
  });
});
