// Completion and signature help over the protocol, at `<|>` markers.

import * as assert from "node:assert/strict";
import type { CompletionItem, CompletionList, SignatureHelp } from "vscode-languageserver-protocol";
import { TestServer, marked, positionOf } from "./support/client";

let counter = 0;

async function complete(server: TestServer, source: string, trigger?: string): Promise<CompletionItem[]> {
  const { text, offsets } = marked(source);
  const uri = `file:///c/doc${++counter}.cnn`;
  await server.open(uri, text);
  const list = await server.request<CompletionList | null>("textDocument/completion", {
    textDocument: { uri },
    position: positionOf(text, offsets[0]),
    context: trigger ? { triggerKind: 2, triggerCharacter: trigger } : { triggerKind: 1 },
  });
  return list?.items ?? [];
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

const header = "block Basic(k, s = 1) {   # a ResNet basic block\n  conv k 3x3 stride s pad 1 floor\n}\n";

describe("completion", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  it("at the start of a statement: layer kinds with their summaries, blocks with a parameter snippet, structures", async () => {
    const items = await complete(server, `${header}network N {\n  input 8x8x4\n  <|>\n}\n`);
    const names = labels(items);
    for (const word of ["conv", "dwconv", "maxpool", "fc", "bn", "relu", "softmax", "Basic", "repeat", "residual", "concat", "add", "dense"]) {
      assert.ok(names.includes(word), `missing ${word}`);
    }
    for (const word of ["network", "block", "stride", "nobias", "branch", "shortcut", "input"]) assert.ok(!names.includes(word), `unexpected ${word}`);
    // a network without its input yet: `input` is offered first
    const empty = await complete(server, "network N {\n  <|>\n}\n");
    assert.equal(empty.find((i) => i.label === "input")?.detail, "input W x H x D [sample NAME | sample \"file.png\"] [data [[…]]] [mean […] std […]] [invert] [classes NAME | classes \"names.txt\"]");
    const conv = items.find((i) => i.label === "conv")!;
    assert.equal(conv.detail, "conv K F [stride S] [pad P|same] [dilation d] [groups G] [nobias]");
    assert.match((conv.documentation as { value: string }).value, /^convolution: K filters of F×F×D₁/);
    assert.equal(conv.insertText, "conv ${1:64} ${2:3x3}");
    assert.equal(conv.insertTextFormat, 2);
    const block = items.find((i) => i.label === "Basic")!;
    assert.equal(block.detail, "block Basic(k, s = 1)");
    assert.equal(block.insertText, "Basic(${1:k})");
    assert.equal((block.documentation as { value: string }).value, "a ResNet basic block");
    const relu = items.find((i) => i.label === "relu")!;
    assert.equal(relu.insertText, "relu");
  });

  it("at the top level: network and block too; inside concat: only branch", async () => {
    const top = labels(await complete(server, "<|>\n"));
    assert.ok(top.includes("network") && top.includes("block") && top.includes("conv") && top.includes("input"));
    assert.deepEqual(labels(await complete(server, "network N {\n  input 8x8x4\n  concat {\n    <|>\n  }\n}\n")), ["branch"]);
  });

  it("after a layer: only the options that layer takes, without those already written", async () => {
    const after = async (line: string) => labels(await complete(server, `network N {\n  input 8x8x4\n  ${line}<|>\n}\n`, " "));
    assert.deepEqual(await after("conv 6 5x5 "), ["stride", "pad", "dilation", "nobias", "floor", "ceil", "groups", "weights", "bias"]);
    assert.deepEqual(await after("conv 6 5x5 stride 2 "), ["pad", "dilation", "nobias", "floor", "ceil", "groups", "weights", "bias"]);
    assert.deepEqual(await after("maxpool 2x2 "), ["stride", "pad", "dilation", "floor", "ceil"]);
    assert.deepEqual(await after("fc 10 "), ["nobias"]);
    assert.deepEqual(await after("relu "), []);
    assert.deepEqual(await after("conv "), []);
    assert.deepEqual(await after("conv 6 5x5 pad "), ["same", "valid"]);
    assert.deepEqual(await after("l1: dwconv 3x3 "), ["stride", "pad", "dilation", "nobias", "floor", "ceil", "multiplier"]);
  });

  it("typing a word: the statement-start list (the client filters by the prefix)", async () => {
    const names = labels(await complete(server, "network N {\n  input 8x8x4\n  co<|>\n}\n"));
    assert.ok(names.includes("conv") && names.includes("concat"));
  });

  it("in a block body: its parameters where a value goes; in a call: the parameters not given yet", async () => {
    assert.deepEqual(labels(await complete(server, "block B(k, s = 1) {\n  conv <|>\n}\n")), ["k", "s"]);
    assert.deepEqual(labels(await complete(server, `${header}network N {\n  input 8x8x4\n  Basic(64, <|>)\n}\n`)), ["s ="]);
    assert.deepEqual(labels(await complete(server, `${header}network N {\n  input 8x8x4\n  Basic(<|>)\n}\n`)), ["k =", "s ="]);
  });

  it("the modern vocabulary (issue 13): its kinds with a filled-in snippet, and `mul` with a squeeze-and-excitation body", async () => {
    const items = await complete(server, `network N {\n  input 8x8x64\n  <|>\n}\n`);
    for (const word of ["layernorm", "layerscale", "slice", "shuffle", "droppath", "mul"]) assert.ok(labels(items).includes(word), `missing ${word}`);
    const slice = items.find((i) => i.label === "slice")!;
    assert.equal(slice.detail, "slice A B");
    assert.equal(slice.insertText, "slice ${1:0} ${2:2}");
    assert.match((slice.documentation as { value: string }).value, /channels A ≤ c < B/);
    assert.equal(items.find((i) => i.label === "droppath")!.insertText, "droppath ${1:0.1}");
    const mul = items.find((i) => i.label === "mul")!;
    assert.match(mul.insertText!, /^mul \{\n\tbranch \{ \$1 \}\n\tbranch \{ \$\{2:gap; conv 16 1x1; relu; conv 64 1x1; sigmoid\} \}\n\}$/);
    // inside mul, as inside concat: only branch
    assert.deepEqual(labels(await complete(server, "network N {\n  input 8x8x4\n  mul {\n    <|>\n  }\n}\n")), ["branch"]);
    // after layerscale: its option
    assert.deepEqual(labels(await complete(server, "network N {\n  input 8x8x4\n  layerscale <|>\n}\n", " ")), ["init"]);
  });

  it("nothing in a comment", async () => {
    assert.deepEqual(await complete(server, "network N {\n  input 8x8x4   # conv <|>\n}\n"), []);
  });
});

describe("signature help", () => {
  let server: TestServer;
  before(async () => (server = await TestServer.start()));
  after(() => server.stop());

  async function help(source: string): Promise<SignatureHelp | null> {
    const { text, offsets } = marked(source);
    const uri = `file:///c/sig${++counter}.cnn`;
    await server.open(uri, text);
    return server.request<SignatureHelp | null>("textDocument/signatureHelp", { textDocument: { uri }, position: positionOf(text, offsets[0]) });
  }

  it("the block's parameters, the one being written active (by position or by name)", async () => {
    const first = await help(`${header}network N {\n  input 8x8x4\n  Basic(<|>\n}\n`);
    assert.ok(first);
    assert.equal(first.signatures[0].label, "Basic(k, s = 1)");
    assert.deepEqual(first.signatures[0].parameters!.map((p) => p.label), [[6, 7], [9, 14]]);
    assert.deepEqual(first.signatures[0].parameters!.map((p) => p.documentation), ["required", "default 1"]);
    assert.equal(first.activeParameter, 0);
    assert.equal((await help(`${header}network N {\n  input 8x8x4\n  Basic(64, <|>\n}\n`))!.activeParameter, 1);
    assert.equal((await help(`${header}network N {\n  input 8x8x4\n  Basic(s = 2<|>, 64)\n}\n`))!.activeParameter, 1);
  });

  it("after a layer kind: the kind's usage, the argument being written active, none once the options begin", async () => {
    const conv = await help(`${header}network N {\n  input 8x8x4\n  conv 6 <|>3x3\n}\n`);
    assert.ok(conv);
    assert.equal(conv.signatures[0].label, "conv K F [stride S] [pad P|same] [dilation d] [groups G] [nobias]");
    assert.equal(conv.activeParameter, 1, "K written, F next");
    const slice = await help(`${header}network N {\n  input 8x8x4\n  slice 0<|>\n}\n`);
    assert.ok(slice);
    assert.match(slice.signatures[0].label, /^slice A B/);
    assert.equal(slice.activeParameter, 0, "the cursor at the end of A: A is being written");
    assert.equal((await help(`${header}network N {\n  input 8x8x4\n  slice 0 <|>\n}\n`))!.activeParameter, 1);
    assert.equal((await help(`${header}network N {\n  input 8x8x4\n  conv 6 3x3 stride 2 <|>\n}\n`))!.activeParameter, null);
  });

  it("none in a comment, on a word that is not a layer kind, or on a kind without arguments", async () => {
    assert.equal(await help(`${header}network N {\n  input 8x8x4  # conv 6 <|>\n}\n`), null);
    assert.equal(await help(`${header}network N {\n  input 8x8x4\n  bogus 6 <|>\n}\n`), null);
    assert.equal(await help(`${header}network N {\n  input 8x8x4\n  relu <|>\n}\n`), null);
  });
});
