// Inlay hints and hover on LeNet-5 (examples/lenet5.cnn), asked through VS Code's own API.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { answered, hoverText, labelText, lineOf, openCnn } from "./support";

describe("LeNet-5 in the editor", () => {
  let document: vscode.TextDocument;
  before(async () => {
    document = (await openCnn("lenet5.cnn")).document;
  });

  it("shows → 28×28×6 · 156 params at the end of the c1 conv line", async () => {
    const line = lineOf(document, "c1: conv 6 5x5");
    const whole = new vscode.Range(0, 0, document.lineCount, 0);
    const hints = await answered("inlay hints for lenet5.cnn", () =>
      vscode.commands.executeCommand<vscode.InlayHint[]>("vscode.executeInlayHintProvider", document.uri, whole),
    );
    const onLine = hints.filter((h) => h.position.line === line).map((h) => labelText(h.label).trim());
    assert.deepEqual(onLine, ["→ 28×28×6 · 156 params"]);
    const hint = hints.find((h) => h.position.line === line)!;
    const code = document.lineAt(line).text.replace(/\s*#.*$/, "");
    assert.ok(hint.position.character >= code.length, `the hint sits after the code (at ${hint.position.character}, code ends at ${code.length})`);
  });

  it("hover on conv shows the formula with the numbers put in", async () => {
    const line = lineOf(document, "c1: conv 6 5x5");
    const at = new vscode.Position(line, document.lineAt(line).text.indexOf("conv") + 1);
    const hovers = await answered("a hover on the c1 conv", () =>
      vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", document.uri, at),
    );
    const text = hoverText(hovers);
    assert.ok(text.includes("(32 − 5 + 2·0)/1 + 1 = 28"), `hover text:\n${text}`);
  });
});
