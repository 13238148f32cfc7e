// serializeNetwork / deserializeNetwork: JSON-safe both ways, checked on the way back.

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze } from "../../analysis";
import { deserializeNetwork, serializeNetwork } from "../../analysis/serialize";

const root = join(__dirname, "..", "..", "..");

describe("serializeNetwork / deserializeNetwork", () => {
  for (const file of readdirSync(join(root, "examples")).filter((f) => f.endsWith(".cnn"))) {
    it(`round trip through JSON text: ${file}`, () => {
      for (const network of analyze(readFileSync(join(root, "examples", file), "utf8"), file).networks) {
        // JSON.stringify throws on a bigint: this only works if every one was converted
        const text = JSON.stringify(serializeNetwork(network));
        const back = deserializeNetwork(JSON.parse(text));
        // the same JSON again (keys that held undefined are simply absent), the counts bigints
        assert.deepEqual(JSON.parse(JSON.stringify(serializeNetwork(back))), JSON.parse(text));
        assert.equal(back.params, network.params);
        assert.equal(back.peakActivationBytes, network.peakActivationBytes);
        assert.deepEqual(back.graph.map((n) => n.macs), network.graph.map((n) => n.macs));
        assert.equal(back.statements.filter((s) => s.node).every((s) => s.node === back.graph[s.node!.id]), true);
      }
    });
  }

  it("counts past 2^53 survive exactly", () => {
    const network = analyze("input 4x4\nconv 1 1x1", "t.cnn").networks[0];
    const big = { ...network, params: 2n ** 70n + 1n };
    const back = deserializeNetwork(JSON.parse(JSON.stringify(serializeNetwork(big))));
    assert.equal(back.params, 2n ** 70n + 1n);
  });

  it("receptive fields survive exactly: past 2^53, a fraction after an upsampling, past a float (Infinity)", () => {
    for (const text of ["input 1x1x1\nrepeat 90 { conv 1 3x3 stride 2 pad 1 }\n", "block U { upsample 3\n conv 1 3x3 stride 3 }\ninput 1x1x1\nU\nU\n", "input 1x1x1\nrepeat 2000 { conv 1 1x1 stride 2 }\n"]) {
      const network = analyze(text, "t.cnn").networks[0];
      const back = deserializeNetwork(JSON.parse(JSON.stringify(serializeNetwork(network))));
      assert.deepEqual(back.receptiveField, network.receptiveField, text);
      assert.deepEqual(back.statements.map((s) => s.receptiveField), network.statements.map((s) => s.receptiveField), text);
    }
  });

  it("refuses bad data with the path of the first wrong field", () => {
    const good = serializeNetwork(analyze("input 4x4\nconv 2 3x3\nrelu", "t.cnn").networks[0]);
    const broken = (edit: (n: Record<string, any>) => void) => {
      const copy = JSON.parse(JSON.stringify(good));
      edit(copy);
      return () => deserializeNetwork(copy);
    };
    assert.throws(broken((n) => (n.graph[1].output.w = -3)), /network\.graph\[1\]\.output\.w: expected a whole number > 0/);
    assert.throws(broken((n) => (n.graph[2].inputs = [5])), /network\.graph\[2\]\.inputs: a node may only read earlier nodes/);
    assert.throws(broken((n) => (n.params = 12)), /network\.params: expected decimal digits/);
    assert.throws(broken((n) => (n.graph[1].attrs.kernel = [3])), /network\.graph\[1\]\.attrs\.kernel: expected two numbers/);
    assert.throws(broken((n) => (n.graph[1].id = 7)), /network\.graph\[1\]\.id: expected 1/);
    assert.throws(() => deserializeNetwork("nope"), /network: expected an object/);
  });
});
