// `cnn/diagram`: the architecture view's data, from the snapshot the editor sees.

import * as assert from "node:assert/strict";
import { TestServer } from "./support/client";
import { example } from "./support/fixtures";

interface Item {
  type: string;
  kind: string;
  key: string;
  node: number | null;
  output: number[] | null;
  fault: { severity: string; message: string } | null;
  children?: Item[];
  paths?: Item[][];
  merge?: Item;
}
type Response = { diagram: { network: string; networks: string[]; items: Item[]; params: string }; version: number; errors: number; warnings: number } | { error: string };

function layers(items: Item[]): Item[] {
  return items.flatMap((i) => (i.type === "layer" ? [i] : i.type === "sequence" ? layers(i.children!) : [...i.paths!.flatMap(layers), i.merge!]));
}

describe("cnn/diagram", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("the diagram of the inception module: four paths into one concat, every graph node once", async () => {
    const uri = "file:///d/inception.cnn";
    await server.open(uri, example("inception.cnn"));
    const r = await server.request<Response>("cnn/diagram", { uri });
    assert.ok("diagram" in r, JSON.stringify(r));
    assert.equal(r.diagram.network, "Inception3a");
    assert.equal(r.diagram.params, "163696");
    assert.equal(r.version, 1);
    const concat = r.diagram.items[1];
    assert.equal(concat.type, "parallel");
    assert.equal(concat.paths!.length, 4);
    assert.equal(concat.merge!.kind, "concat");
    assert.deepEqual(layers(r.diagram.items).map((l) => l.node), Array.from({ length: 15 }, (_, i) => i));
  });

  it("follows the document: an edit is in the next answer (version and layers), errors drawn and counted", async () => {
    const uri = "file:///d/live.cnn";
    await server.open(uri, "network Live {\n  input 28x28x1\n  conv 6 5x5\n}\n");
    await server.change(uri, 2, [{ range: { start: { line: 2, character: 12 }, end: { line: 2, character: 12 } }, text: "\n  relu\n  fooo 3\n  fc 10" }]);
    const r = await server.request<Response>("cnn/diagram", { uri, network: "Live" });
    assert.ok("diagram" in r, JSON.stringify(r));
    assert.equal(r.version, 2);
    assert.deepEqual(layers(r.diagram.items).map((l) => l.kind), ["input", "conv", "relu", "fooo", "fc"]);
    const typo = layers(r.diagram.items)[3];
    assert.equal(typo.fault?.severity, "error");
    assert.equal(r.errors, 1);
  });

  it("an unknown network or document is an error, not a throw", async () => {
    const uri = "file:///d/two.cnn";
    await server.open(uri, example("course/stride_fit.cnn"));
    const r = await server.request<Response>("cnn/diagram", { uri, network: "Nope" });
    assert.ok("error" in r && /no network `Nope`/.test(r.error));
    const closed = await server.request<Response>("cnn/diagram", { uri: "file:///d/closed.cnn" });
    assert.ok("error" in closed && /not open/.test(closed.error));
    const bad = await server.request<Response>("cnn/diagram", { uri: 42 });
    assert.ok("error" in bad);
  });
});
