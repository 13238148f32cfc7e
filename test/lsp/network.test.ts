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
  scope: number | null;
}
interface SerializedFrame {
  kind: string;
  id: number;
  parent: number | null;
  span: { start: number; end: number };
  iteration?: number;
  block?: string;
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
      network: { name: string; params: string; macs: string; input: unknown; output: unknown; frames: SerializedFrame[]; graph: SerializedNode[]; statements: SerializedStatement[]; activationBytes: string };
      lines: number[];
      frameLines: [number, number][];
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

  it("cnn/network: each structure once — the answer grows with the graph, not with its nesting", async () => {
    // `repeat 2` nested d deep: 2^d relu nodes (and the input), 2^(d+1) − 2 passes of a repeat.
    // Sent once per node (as before), the frames made ~1,560 bytes per node at d = 14 (25.6 MB), more the deeper.
    for (const d of [4, 7, 10]) {
      const uri = `file:///n/nested${d}.cnn`;
      const text = "input 8x8x1\n" + "repeat 2 { ".repeat(d) + "relu" + " }".repeat(d) + "\n";
      await server.open(uri, text);
      const response = await server.request<NetworkResponse>("cnn/network", { uri });
      assert.ok("network" in response, JSON.stringify(response).slice(0, 300));
      const { graph, frames } = response.network;
      assert.equal(graph.length, 2 ** d + 1);
      assert.equal(frames.length, 2 ** (d + 1) - 2, "one frame per pass of a repeat, once");
      assert.equal(new Set(frames.map((f) => f.id)).size, frames.length);
      const bytes = JSON.stringify(response).length;
      assert.ok(bytes <= 500 * 2 ** d + 2000, `d = ${d}: ${bytes} bytes for ${graph.length} nodes (bound ${500 * 2 ** d + 2000})`);
      // every node's scope rebuilt from the table: d frames, outermost first, parents before children
      const paths = new Set<string>();
      for (const node of graph.slice(1)) {
        const chain: SerializedFrame[] = [];
        for (let at = node.scope; at !== null; at = frames[at].parent) {
          assert.ok(frames[at].parent === null || frames[at].parent! < at);
          chain.unshift(frames[at]);
        }
        assert.equal(chain.length, d);
        assert.deepEqual(chain.map((f) => text.slice(f.span.start, f.span.start + 8)), Array(d).fill("repeat 2"));
        paths.add(chain.map((f) => f.iteration).join("/"));
      }
      assert.equal(paths.size, 2 ** d, "each relu is in its own passes");
      assert.equal(graph[0].scope, null);
    }
  });

  it("cnn/network: frameLines name each block use's line once; its frame is in the table", async () => {
    const uri = "file:///n/blocks.cnn";
    const text = "block B {\n  relu\n}\ninput 8x8x1\nB\nrepeat 2 {\n  B\n}\n";
    await server.open(uri, text);
    const response = await server.request<NetworkResponse>("cnn/network", { uri });
    assert.ok("network" in response, JSON.stringify(response));
    const uses = response.network.frames.filter((f) => f.kind === "block");
    assert.deepEqual(uses.map((f) => f.block), ["B", "B", "B"]);
    assert.deepEqual(response.frameLines, uses.map((f) => [f.id, text.slice(0, f.span.start).split("\n").length]));
    assert.deepEqual(response.frameLines.map(([, line]) => line), [5, 7, 7]);
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
