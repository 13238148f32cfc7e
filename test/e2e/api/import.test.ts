// "CNN: Import ONNX…" run as the palette runs it, with the model named (the command's first
// argument; the palette asks with the open dialog). The model is LeNet-5 as `cnn export`
// writes it; the design written beside it opens in an editor with the language server's
// hints, its weights beside it are the model's; a model the language cannot express is
// refused and nothing is written.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { onnx } from "onnx-proto";
import manifest from "../../../package.json";
import { analyze } from "../../../analysis";
import { initWeights } from "../../../engine/init";
import { exportOnnx } from "../../../engine/onnx/export";
import { readSafetensors } from "../../../engine/safetensors";
import { answered, labelText, lineOf, openCnn, workspaceFile } from "./support";

const command = "cnn.importOnnx";

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

describe("CNN: Import ONNX…", () => {
  it("is offered in the palette everywhere and on .onnx files in the Explorer", async () => {
    await openCnn("lenet5.cnn");
    assert.ok((await vscode.commands.getCommands(true)).includes(command));
    const contributed = manifest.contributes.commands.find((c) => c.command === command);
    assert.equal(contributed?.title, "Import ONNX…");
    assert.equal(contributed?.category, "CNN");
    const menus = manifest.contributes.menus as Record<string, { command: string; when?: string }[]>;
    assert.ok(menus.commandPalette.some((m) => m.command === command && m.when === undefined));
    assert.ok(menus["explorer/context"].some((m) => m.command === command && m.when === "resourceExtname == .onnx"));
  });

  it("writes the design and its weights beside the model and opens it with its hints", async () => {
    const { document: lenet } = await openCnn("lenet5.cnn");
    const network = analyze(lenet.getText(), "lenet5.cnn").networks[0];
    const weights = initWeights(network.graph, 5);
    const model = workspaceFile("lenet_from_onnx.onnx");
    await vscode.workspace.fs.writeFile(model, exportOnnx(network, weights));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>(command, model);
    const design = workspaceFile("lenet_from_onnx.cnn");
    assert.equal(written?.toString(), design.toString());
    // the design is the active editor
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), design.toString());
    const document = vscode.window.activeTextEditor!.document;
    assert.equal(document.languageId, "cnn");
    const line = lineOf(document, "c1: conv 6 5");
    const whole = new vscode.Range(0, 0, document.lineCount, 0);
    const hints = await answered("inlay hints for the imported design", () =>
      vscode.commands.executeCommand<vscode.InlayHint[]>("vscode.executeInlayHintProvider", document.uri, whole),
    );
    assert.deepEqual(
      hints.filter((h) => h.position.line === line).map((h) => labelText(h.label).trim()),
      ["→ 28×28×6 · 156 params"],
    );
    // the weights beside it are the model's, under the design's labels
    const file = readSafetensors(await vscode.workspace.fs.readFile(workspaceFile("lenet_from_onnx.safetensors")));
    const c1 = network.graph.find((n) => n.label === "c1")!;
    const stored = file.tensors.find((t) => t.name === "c1.weight")!;
    assert.deepEqual(Array.from(stored.data), Array.from(weights.get(c1.id)!.weight!));
    assert.equal(file.metadata.network, "lenet_from_onnx");
  });

  it("refuses a model with an operator the language lacks, naming the node, and writes nothing", async () => {
    const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
    const bytes = onnx.ModelProto.encode(
      onnx.ModelProto.fromObject({
        irVersion: 8,
        opsetImport: [{ domain: "", version: 17 }],
        graph: { name: "g", node: [{ opType: "Erf", name: "/act/Erf", input: ["input"], output: ["output"] }], input: [vi("input", [1, 3, 4, 4])], output: [vi("output", [1, 3, 4, 4])] },
      }),
    ).finish();
    const model = workspaceFile("erf.onnx");
    await vscode.workspace.fs.writeFile(model, bytes);
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>(command, model);
    assert.equal(written, undefined);
    assert.ok(!(await exists(workspaceFile("erf.cnn"))));
    assert.ok(!(await exists(workspaceFile("erf.safetensors"))));
  });
});
