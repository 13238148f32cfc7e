// The run view's request `cnn/network`, the summary request and the code lens.

import * as assert from "node:assert/strict";
import type { CodeLens } from "vscode-languageserver-protocol";
import { TestServer } from "./support/client";
import { example, specExample } from "./support/fixtures";

interface SerializedNode {
  id: number;
  op: string;
  inputs: number[];
  output: unknown;
  params: string;
  macs: string;
  span: { start: number; end: number };
  attrs: Record<string, unknown>;
}
interface SerializedStatement {
  kind: string;
  name: string;
  params: string;
  span: { start: number; end: number };
  callSites: { start: number; end: number }[];
}
type NetworkResponse =
  | {
      network: { name: string; params: string; macs: string; input: unknown; output: unknown; graph: SerializedNode[]; statements: SerializedStatement[]; activationBytes: string };
      lines: number[];
      picture: string | null;
    }
  | { error: string };

describe("cnn/network, cnn/summary, code lens", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("code lens on each network: `▶ Run · 61,706 params · 0.42 MMAC` → cnn.run [uri, name], and Summary", async () => {
    const uri = "file:///n/lenet.cnn";
    await server.open(uri, specExample("s8_lenet5.cnn"));
    const lenses = await server.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command!.title, l.command!.command, l.command!.arguments]),
      [
        [0, "▶ Run · 61,706 params · 0.42 MMAC", "cnn.run", [uri, "LeNet5"]],
        // an editor without commands of its own gets the server's (server/commands.ts)
        [0, "Summary", "cnn.summary", [uri, "LeNet5"]],
      ],
    );
    const many = "file:///n/many.cnn";
    await server.open(many, example("course/stride_fit.cnn"));
    const titles = (await server.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri: many } })).filter((l) => l.command!.command === "cnn.run");
    assert.deepEqual(titles.map((l) => l.command!.arguments![1]), ["Stride1", "Stride2", "Stride3", "Padded"]);
    assert.equal(titles[0].command!.title, "▶ Run · 10 params · 225 MACs");
  });

  it("cnn/network: the graph of a named network, counts as exact strings", async () => {
    const uri = "file:///n/resnet18.cnn";
    const text = example("resnet18.cnn");
    await server.open(uri, text);
    const response = await server.request<NetworkResponse>("cnn/network", { uri, network: "ResNet18" });
    assert.ok("network" in response, JSON.stringify(response));
    const net = response.network;
    assert.equal(net.name, "ResNet18");
    assert.equal(net.params, "11689512");
    assert.deepEqual(net.input, { kind: "volume", w: 224, h: 224, d: 3 });
    assert.deepEqual(net.output, { kind: "vector", n: 1000 });
    assert.equal(net.graph[0].op, "input");
    assert.equal(net.graph.reduce((sum, n) => sum + BigInt(n.params), 0n), 11_689_512n);
    const conv1 = net.graph[1];
    assert.equal(conv1.op, "conv");
    assert.deepEqual(conv1.attrs.kernel, [7, 7]);
    // spans are offsets into the text, nothing more
    assert.deepEqual(Object.keys(conv1.span), ["start", "end"]);
    assert.match(text.slice(conv1.span.start, conv1.span.end), /^conv1: conv 64 7x7 stride 2 pad 3 nobias floor/);
    assert.ok(net.graph.some((n) => n.op === "add" && n.inputs.length === 2));
    const layer2 = net.statements.find((s) => s.name === "Down")!;
    assert.equal(layer2.params, "230144");
    assert.equal(typeof net.activationBytes, "string");
    // JSON-safe all the way down: it survives a round trip unchanged
    assert.deepEqual(JSON.parse(JSON.stringify(net)), net);
    // the line of every node, so the editor need not read the graph to show one
    assert.equal(response.lines.length, net.graph.length);
    const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
    assert.deepEqual(response.lines, net.graph.map((n) => lineOf(n.span.start)));
    assert.match(text.split("\n")[response.lines[1] - 1], /conv1: conv 64 7x7/);
    assert.equal(response.picture, null);
  });

  it("cnn/network: the picture the input line names, relative to the file", async () => {
    const uri = "file:///n/picture.cnn";
    await server.open(uri, 'input 8x8x1 sample "digits/seven.png"\nconv 2 3x3\n');
    const response = await server.request<NetworkResponse>("cnn/network", { uri });
    assert.ok("network" in response, JSON.stringify(response));
    assert.equal(response.picture, "digits/seven.png");
    assert.deepEqual(response.lines, [1, 2]);
  });

  it("cnn/network: the first network by default; clear errors for a broken network, an unknown name, a closed file", async () => {
    const uri = "file:///n/two.cnn";
    await server.open(uri, "network A {\n  input 8x8x1\n  conv 2 3x3\n}\nnetwork B {\n  input 8x8x1\n  conv 2 9x9\n}\n");
    const first = await server.request<NetworkResponse>("cnn/network", { uri });
    assert.ok("network" in first && first.network.name === "A");
    const broken = await server.request<NetworkResponse>("cnn/network", { uri, network: "B" });
    assert.ok("error" in broken);
    assert.match(broken.error, /^network `B` cannot run until its errors are fixed: line 7: the 9×9 filter is larger than the padded 8×8 input/);
    const unknown = await server.request<NetworkResponse>("cnn/network", { uri, network: "C" });
    assert.deepEqual(unknown, { error: "no network `C` in two.cnn (networks: A, B)" });
    assert.deepEqual(await server.request("cnn/network", { uri: "file:///n/closed.cnn" }), { error: "file:///n/closed.cnn is not open" });
  });

  it("cnn/summary: the table of `cnn summary`", async () => {
    const uri = "file:///n/summary.cnn";
    await server.open(uri, specExample("s8_lenet5.cnn"));
    const response = await server.request<{ text: string }>("cnn/summary", { uri });
    assert.match(response.text, /^LeNet5 {2}\(summary\.cnn:1\)$/m);
    assert.match(response.text, /^Total params: 61,706$/m);
    assert.match(response.text, /^conv +3 {2}28×28×6 +156 +117,600$/m);
  });
});
