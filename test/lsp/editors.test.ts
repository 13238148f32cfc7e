// Any editor (issue 14, item 2), over the protocol: settings in VS Code's shape from
// initializationOptions, didChangeConfiguration and workspace/configuration; the code
// lens's commands through workspace/executeCommand (cnn.summary answers the table,
// cnn.run runs in a child process: budget first, cancellable, never holding the server).

import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CancellationTokenSource, type CodeLens, type Hover, type InlayHint } from "vscode-languageserver-protocol";
import { capabilities, TestServer } from "./support/client";
import { example } from "./support/fixtures";
import { analyze } from "../../analysis";
import { IMAGENET_CLASSES } from "../../engine/classes";
import { initWeights } from "../../engine/init";
import { TRAINED_NETWORK_KEY } from "../../engine/train/weights-location";
import { weightsToSafetensors } from "../../engine/weights-file";

const everything = { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } };
const lenet = example("lenet5.cnn");
const c1Line = lenet.split("\n").findIndex((l) => l.includes("c1: conv 6 5x5"));

async function c1Hint(server: TestServer, uri: string, text = lenet): Promise<string> {
  await server.open(uri, text);
  const hints = await server.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: everything });
  return hints.find((h) => h.position.line === c1Line)!.label as string;
}

describe("settings from any editor", () => {
  it("initializationOptions in VS Code's shape {settings: {cnn: {…}}} are applied", async () => {
    const server = await TestServer.start({ initializationOptions: { settings: { cnn: { inlayHints: { params: false }, shapeFormat: "CxHxW" } } } });
    try {
      assert.equal(await c1Hint(server, "file:///e/init-vscode.cnn"), "→ 6×28×28");
    } finally {
      await server.stop();
    }
  });

  it("so are the bare section {settings: {inlayHints: …}}, {cnn: {…}} and dotted keys", async () => {
    for (const initializationOptions of [
      { settings: { inlayHints: { params: false } } },
      { cnn: { inlayHints: { params: false } } },
      { settings: { "cnn.inlayHints.params": false } },
    ]) {
      const server = await TestServer.start({ initializationOptions });
      try {
        assert.equal(await c1Hint(server, "file:///e/init-other.cnn"), "→ 28×28×6", JSON.stringify(initializationOptions));
      } finally {
        await server.stop();
      }
    }
  });

  it("workspace/didChangeConfiguration {settings: {cnn: {…}}} from a client that offers no workspace/configuration", async () => {
    const server = await TestServer.start();
    try {
      const uri = "file:///e/change.cnn";
      assert.equal(await c1Hint(server, uri), "→ 28×28×6 · 156 params");
      const republished = server.diagnosticsFor(uri);
      await server.connection.sendNotification("workspace/didChangeConfiguration", { settings: { cnn: { inlayHints: { macs: true, params: false } } } });
      await republished;
      const hints = await server.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: everything });
      assert.equal(hints.find((h) => h.position.line === c1Line)!.label, "→ 28×28×6 · 0.12 MMAC");
    } finally {
      await server.stop();
    }
  });

  it("pulled with workspace/configuration when the client offers it; a client with nothing for `cnn` (null) keeps the others", async () => {
    const asked: unknown[] = [];
    const server = await TestServer.start({
      capabilities: { ...capabilities, workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } },
      initializationOptions: { settings: { cnn: { shapeFormat: "CxHxW" } } },
      configuration: (params) => {
        asked.push(params);
        return [null];
      },
    });
    try {
      const uri = "file:///e/pull-null.cnn";
      assert.equal(await c1Hint(server, uri), "→ 6×28×28 · 156 params");
      assert.deepEqual(asked, [{ items: [{ section: "cnn" }] }]);
    } finally {
      await server.stop();
    }
    const pulled = await TestServer.start({
      capabilities: { ...capabilities, workspace: { configuration: true } },
      configuration: () => [{ inlayHints: { shape: true, params: false, macs: false } }],
    });
    try {
      const uri = "file:///e/pull.cnn";
      await pulled.open(uri, lenet);
      // the pull answers after `initialized`: wait for the hint to change
      let label = "";
      for (let i = 0; i < 100 && label !== "→ 28×28×6"; i++) {
        label = (await pulled.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: everything })).find((h) => h.position.line === c1Line)!.label as string;
        if (label !== "→ 28×28×6") await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(label, "→ 28×28×6");
    } finally {
      await pulled.stop();
    }
  });
});

describe("workspace/executeCommand: the code lens in any editor", () => {
  let server: TestServer;
  const messages: { type: number; message: string }[] = [];
  let folder: string;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), "cnn-editors-"));
    server = await TestServer.start({ capabilities: { ...capabilities, window: { showDocument: { support: true } } }, initializationOptions: { settings: { cnn: { run: { memoryBudgetMB: 300 } } } } });
    server.connection.onNotification("window/showMessage", (m: { type: number; message: string }) => void messages.push(m));
  });
  after(async () => {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  /** A saved file and its open document. */
  async function saved(name: string, text: string): Promise<string> {
    const path = join(folder, name);
    writeFileSync(path, text);
    const uri = pathToFileURL(path).toString();
    await server.open(uri, text);
    return uri;
  }

  it("announces cnn.summary and cnn.run, and the lens names them", async () => {
    assert.deepEqual(server.initialize.capabilities.executeCommandProvider, { commands: ["cnn.summary", "cnn.run"] });
    const uri = await saved("lens.cnn", lenet);
    const lenses = await server.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
    assert.deepEqual(lenses.map((l) => l.command!.command), ["cnn.run", "cnn.summary"]);
  });

  it("the VS Code extension keeps its own commands: the server does not announce them (its client would register them twice)", async () => {
    const vscode = await TestServer.start({ initializationOptions: { clientCommands: ["cnn.run", "cnn.showSummary"] } });
    try {
      assert.deepEqual(vscode.initialize.capabilities.executeCommandProvider, { commands: ["cnn.summary"] });
      const uri = "file:///e/vscode-lens.cnn";
      await vscode.open(uri, lenet);
      const lenses = await vscode.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
      assert.deepEqual(lenses.map((l) => l.command!.command), ["cnn.run", "cnn.showSummary"]);
    } finally {
      await vscode.stop();
    }
  });

  it("cnn.summary returns the table (the lens's arguments, or {uri, network, depth}) and shows it as a document", async () => {
    const uri = await saved("summary.cnn", example("resnet18.cnn"));
    const shown: { uri: string }[] = [];
    server.connection.onRequest("window/showDocument", (p: { uri: string }) => {
      shown.push(p);
      return { success: true };
    });
    const lens = (await server.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } })).find((l) => l.command!.command === "cnn.summary")!;
    const table = await server.request<{ text: string }>("workspace/executeCommand", { command: "cnn.summary", arguments: lens.command!.arguments });
    assert.match(table.text, /^ResNet18 {2}\(summary\.cnn:30\)$/m);
    assert.match(table.text, /^Total params: 11,689,512$/m);
    assert.equal(shown.length, 1);
    assert.equal(readFileSync(fileURLToPath(shown[0].uri), "utf8"), table.text);
    // torchinfo's depth: the block uses' bodies too
    const deep = await server.request<{ text: string }>("workspace/executeCommand", { command: "cnn.summary", arguments: [{ uri, network: "ResNet18", depth: 3 }] });
    assert.ok(deep.text.split("\n").length > table.text.split("\n").length + 20);
    assert.match(deep.text, /^layer1 \(repeat 2\) +36 +56×56×64 +147,968/m);
    assert.match(deep.text, /^├─Basic\(64\) +36 +56×56×64 +73,984/m);
    assert.match(deep.text, /^│ ├─residual +6 +56×56×64 +73,984/m);
    // no arguments (Helix's :lsp-workspace-command): the document opened or edited last
    const bare = await server.request<{ text: string }>("workspace/executeCommand", { command: "cnn.summary" });
    assert.match(bare.text, /^ResNet18 {2}\(summary\.cnn:30\)$/m);
    const bad = await server.request<{ error: string }>("workspace/executeCommand", { command: "cnn.summary", arguments: [uri, "Nope"] });
    assert.match(bad.error, /no network `Nope`/);
  });

  it("cnn.run runs the saved file in a child process and answers the top-5 and the JSON's path", async () => {
    const uri = await saved("lenet5.cnn", lenet);
    const result = await server.request<{ network: string; top5: { index: number; name: string | null; probability: number }[]; softmax: boolean; untrained: boolean; ms: number; json: string; output: number[] }>(
      "workspace/executeCommand",
      { command: "cnn.run", arguments: [uri, "LeNet5"] },
    );
    assert.equal(result.network, "LeNet5");
    assert.deepEqual(result.output, [10]);
    assert.equal(result.softmax, true);
    assert.equal(result.top5.length, 5);
    const p = result.top5.map((c) => c.probability);
    assert.deepEqual([...p].sort((a, b) => b - a), p);
    assert.ok(p.reduce((a, b) => a + b, 0) <= 1 + 1e-6);
    const json = JSON.parse(readFileSync(result.json, "utf8"));
    assert.equal(json.network, "LeNet5");
    assert.equal(json.output.data.length, 10);
    // the top-5 are the JSON's own values
    assert.equal(Math.fround(json.output.data[result.top5[0].index]), Math.fround(result.top5[0].probability));
    // a 10-way output on a digit sample: the classes are the digits, named as cnn run names them
    assert.deepEqual(result.top5.map((c) => c.name), result.top5.map((c) => String(c.index)));
    assert.equal(result.untrained, true);
    assert.ok(messages.some((m) => /^LeNet5 ran in [\d.]+ ms · top 5: (\d [\d.]+ % \(class \d\), ){4}\d [\d.]+ % \(class \d\) · untrained: random weights, seed 0 — the output does not mean anything yet/.test(m.message)), JSON.stringify(messages));
  });

  it("cnn.run names the classes as cnn run does: ImageNet's for a 1,000-way output, a classes file the input line names; not untrained with weights beside the design", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cnn-run-classes-"));
    writeFileSync(join(dir, "pets.txt"), "cat\ndog\nfish\n");
    const named = pathToFileURL(join(dir, "pets.cnn")).toString();
    const petsText = 'network Pets {\n  input 8x8x3 sample noise classes "pets.txt"\n  conv 4 3x3\n  fc 3\n}\n';
    writeFileSync(fileURLToPath(named), petsText);
    await server.open(named, petsText);
    const pets = await server.request<{ top5: { index: number; name: string | null }[]; untrained: boolean }>("workspace/executeCommand", { command: "cnn.run", arguments: [named] });
    assert.deepEqual(pets.top5.map((c) => c.name), pets.top5.map((c) => ["cat", "dog", "fish"][c.index]));
    assert.equal(pets.top5.length, 3);
    const wideText = "network Wide {\n  input 4x4x3 sample noise\n  conv 8 3x3\n  fc 1000\n}\n";
    const wide = pathToFileURL(join(dir, "wide.cnn")).toString();
    writeFileSync(fileURLToPath(wide), wideText);
    await server.open(wide, wideText);
    const imagenet = await server.request<{ top5: { index: number; name: string | null }[] }>("workspace/executeCommand", { command: "cnn.run", arguments: [wide] });
    assert.equal(imagenet.top5.length, 5);
    for (const c of imagenet.top5) assert.equal(c.name, IMAGENET_CLASSES[c.index]);
    // the design's own weights file beside it (metadata `network` names it): trained, not untrained
    const network = analyze(petsText, "pets.cnn").networks[0];
    writeFileSync(join(dir, "pets.safetensors"), weightsToSafetensors(network, initWeights(network.graph, 5), { [TRAINED_NETWORK_KEY]: "Pets" }));
    const trained = await server.request<{ untrained: boolean }>("workspace/executeCommand", { command: "cnn.run", arguments: [named] });
    assert.equal(trained.untrained, false);
    assert.ok(!messages.at(-1)!.message.includes("untrained"), messages.at(-1)!.message);
  });

  it("cnn.run refuses what it cannot run honestly: unsaved changes, errors, past the memory budget", async () => {
    const uri = await saved("unsaved.cnn", lenet);
    await server.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "# edited\n" }]);
    const unsaved = await server.request<{ error: string }>("workspace/executeCommand", { command: "cnn.run", arguments: [uri] });
    assert.match(unsaved.error, /^save .*unsaved\.cnn first/);
    const broken = await saved("broken.cnn", "network B {\n  input 8x8x1\n  conv 4 3x3x2\n}\n");
    assert.match((await server.request<{ error: string }>("workspace/executeCommand", { command: "cnn.run", arguments: [broken] })).error, /cannot run until its errors are fixed/);
    // VGG-16's weights alone are 553 MB, more than the 300 MB budget of the settings: refused with the numbers, at once
    const vgg = await saved("vgg16.cnn", example("vgg16.cnn"));
    const started = Date.now();
    const refused = await server.request<{ error: string }>("workspace/executeCommand", { command: "cnn.run", arguments: [vgg] });
    assert.match(refused.error, /VGG16 needs [\d.]+ MB to run .*more than the memory budget of 300 MB/);
    assert.ok(Date.now() - started < 10_000);
  });

  it("while a run goes on the server answers other requests; cancelling the request stops the run", async () => {
    // ResNet-18 on 448×448 (7 GMAC): seconds of work, within the budget
    const big = await saved("resnet18-448.cnn", example("resnet18.cnn").replace("224x224x3", "448x448x3"));
    const other = "file:///e/other.cnn";
    await server.open(other, lenet);
    const source = new CancellationTokenSource();
    const started = Date.now();
    const run = server.connection.sendRequest("workspace/executeCommand", { command: "cnn.run", arguments: [big] }, source.token).then(
      (r) => ({ r }),
      (e: Error) => ({ e }),
    );
    await new Promise((r) => setTimeout(r, 400));
    const hoverStarted = Date.now();
    const hover = await server.request<Hover | null>("textDocument/hover", { textDocument: { uri: other }, position: { line: c1Line, character: 7 } });
    assert.ok(hover, "a hover");
    assert.ok(Date.now() - hoverStarted < 1000, `the hover took ${Date.now() - hoverStarted} ms during the run`);
    source.cancel();
    const outcome = (await run) as { r?: { error?: string }; e?: Error };
    assert.ok(Date.now() - started < 20_000, `the cancelled run answered after ${Date.now() - started} ms`);
    // answered as cancelled (a response error) or with the run's own "not run to the end"
    if (outcome.r) assert.match(String(outcome.r.error), /not run to the end: the request was cancelled/);
    else assert.ok(outcome.e);
  });
});
