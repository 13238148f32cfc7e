// "CNN: Export ONNX…" run as the palette runs it, with a target file instead of the save
// dialog (the command's third argument). The file is read back and decoded: an ONNX model
// of LeNet5 whose weights are the run view's for the seed in the settings.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { onnx } from "onnx-proto";
import manifest from "../../../package.json";
import { analyze } from "../../../analysis";
import { initWeights } from "../../../engine/init";
import { openCnn, workspaceFile, writeCnn } from "./support";

const command = "cnn.exportOnnx";

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

/** sets a `cnn.run` setting for the user for the length of `body` */
async function withRunSetting<T>(key: string, value: unknown, body: () => Thenable<T>): Promise<T> {
  const settings = vscode.workspace.getConfiguration("cnn.run");
  await settings.update(key, value, vscode.ConfigurationTarget.Global);
  try {
    return await body();
  } finally {
    await settings.update(key, undefined, vscode.ConfigurationTarget.Global);
  }
}

describe("CNN: Export ONNX…", () => {
  it("is offered in the palette and the editor title of .cnn files", async () => {
    await openCnn("lenet5.cnn");
    assert.ok((await vscode.commands.getCommands(true)).includes(command), `${command} is registered once the extension is active`);
    const contributed = manifest.contributes.commands.find((c) => c.command === command);
    assert.equal(contributed?.title, "Export ONNX…");
    assert.equal(contributed?.category, "CNN");
    const menus = manifest.contributes.menus as Record<string, { command: string; when?: string }[]>;
    assert.ok(menus.commandPalette.some((m) => m.command === command && m.when === "editorLangId == cnn"));
    assert.ok(menus["editor/title"].some((m) => m.command === command && m.when === "resourceLangId == cnn"));
  });

  it("writes LeNet5 as ONNX with the weights of the seed in cnn.run.seed", async () => {
    const { document } = await openCnn("lenet5.cnn");
    const target = workspaceFile("LeNet5-seed3.onnx");
    const written = await withRunSetting("seed", 3, () => vscode.commands.executeCommand<vscode.Uri | undefined>(command, document.uri, "LeNet5", target));
    assert.equal(written?.toString(), target.toString(), "the command resolves to the file it wrote");
    const bytes = await vscode.workspace.fs.readFile(target);

    const network = analyze(document.getText(), "lenet5.cnn").networks[0];
    const weightBytes = Number(network.params) * 4;
    assert.ok(bytes.length > weightBytes && bytes.length < weightBytes + 64_000, `${bytes.length} bytes for ${weightBytes} bytes of weights`);
    // a ModelProto starts with field 1 (ir_version) as a varint: tag byte 0x08
    assert.equal(bytes[0], 0x08, "the protobuf header of an ONNX model");
    const model = onnx.ModelProto.decode(bytes);
    assert.equal(Number(model.irVersion), 8);
    assert.deepEqual(model.opsetImport?.map((o) => [o.domain ?? "", Number(o.version)]), [["", 17]]);
    const graph = model.graph!;
    assert.equal(graph.name, "LeNet5");
    const dims = (v: onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue));
    assert.deepEqual(graph.input!.map((i) => [i.name, dims(i)]), [["input", [1, 1, 32, 32]]]);
    assert.deepEqual(graph.output!.map((o) => [o.name, dims(o)]), [["output", [1, 10]]]);

    // the c1 filters are the run view's for seed 3, not seed 0's
    const c1 = network.graph.find((n) => n.label === "c1")!;
    const expected = (seed: number) => {
      const w = initWeights(network.graph, seed).get(c1.id)!.weight!;
      return Buffer.from(w.buffer, w.byteOffset, w.byteLength);
    };
    const stored = Buffer.from(graph.initializer!.find((t) => t.name === "c1.weight")!.rawData!);
    assert.ok(stored.equals(expected(3)), "c1.weight holds seed 3's weights");
    assert.ok(!stored.equals(expected(0)), "and not seed 0's");
  });

  it("writes nothing for a network with errors", async () => {
    const uri = await writeCnn("broken_export.cnn", "network Broken {\n  input 8x8x1\n  conv 4 9x9\n}\n");
    await openCnn("broken_export.cnn");
    const target = workspaceFile("Broken.onnx");
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>(command, uri, "Broken", target);
    assert.equal(written, undefined);
    assert.equal(await exists(target), false, "no file for a network with errors");
  });

  it("writes nothing for a network past the memory budget", async () => {
    const { document } = await openCnn("vgg16.cnn");
    const target = workspaceFile("VGG16.onnx");
    const written = await withRunSetting("memoryBudgetMB", 100, () => vscode.commands.executeCommand<vscode.Uri | undefined>(command, document.uri, "VGG16", target));
    assert.equal(written, undefined);
    assert.equal(await exists(target), false, "no file past the budget");
  });
});
