// What helps while typing: completion of layer kinds and of the options a layer takes,
// and the outline (document symbols).
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { answered, openCnn, writeCnn } from "./support";

const labels = (list: vscode.CompletionList) => list.items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));

async function completionsAt(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const items = await answered(`completions at ${position.line + 1}:${position.character + 1}`, async () =>
    labels(await vscode.commands.executeCommand<vscode.CompletionList>("vscode.executeCompletionItemProvider", uri, position)),
  );
  return items;
}

describe("completion", () => {
  it("offers layer kinds at the start of a statement", async () => {
    const uri = await writeCnn("draft_kinds.cnn", "network Draft {\n  input 32x32x3\n  \n}\n");
    await openCnn("draft_kinds.cnn");
    const offered = await completionsAt(uri, new vscode.Position(2, 2));
    for (const kind of ["conv", "dwconv", "maxpool", "avgpool", "fc", "bn", "relu", "softmax", "residual", "repeat"]) {
      assert.ok(offered.includes(kind), `"${kind}" offered; got ${offered.join(", ")}`);
    }
    assert.ok(!offered.includes("stride"), "no option where a statement starts");
  });

  it("offers the options of the layer being written, and only those", async () => {
    const uri = await writeCnn("draft_options.cnn", "network Draft {\n  input 32x32x3\n  conv 8 3x3 \n}\n");
    await openCnn("draft_options.cnn");
    const offered = await completionsAt(uri, new vscode.Position(2, 13));
    for (const option of ["stride", "pad", "dilation", "groups", "nobias"]) {
      assert.ok(offered.includes(option), `conv option "${option}" offered; got ${offered.join(", ")}`);
    }
    assert.ok(!offered.includes("outpad"), `outpad belongs to deconv; got ${offered.join(", ")}`);
  });
});

describe("outline", () => {
  it("lists LeNet5 with its totals and every statement in order (labelled ones by their label)", async () => {
    const { document } = await openCnn("lenet5.cnn");
    const symbols = await answered("document symbols of lenet5.cnn", () =>
      vscode.commands.executeCommand<vscode.DocumentSymbol[]>("vscode.executeDocumentSymbolProvider", document.uri),
    );
    assert.deepEqual(symbols.map((s) => s.name), ["LeNet5"]);
    const [network] = symbols;
    assert.equal(network.kind, vscode.SymbolKind.Class);
    assert.ok(network.detail.includes("61,706"), `network detail: ${network.detail}`);
    assert.deepEqual(network.children.map((c) => c.name), ["input 32x32x1 sample digits", "c1", "s2", "sigmoid", "c3", "s4", "sigmoid", "c5", "f6", "sigmoid", "out", "softmax"]);
    const c1 = network.children[1];
    assert.equal(c1.range.start.line, 4);
    assert.ok(c1.detail.includes("28×28×6"), `c1 detail: ${c1.detail}`);
  });
});
