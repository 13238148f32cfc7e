// The stride misfit of the course ("a 3×3 filter on a 7×7 input with stride 3 doesn't fit"):
// a warning with the arithmetic, and quick fixes that each make it go away.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { codeOf, diagnosticsSuch, lineOf, openCnn, workspaceFile, writeCnn } from "./support";

const misfitLine = "conv 1 3x3 stride 3";

describe("stride-misfit", () => {
  it("is reported on the Stride3 conv, with the arithmetic", async () => {
    const { document } = await openCnn("stride_fit.cnn");
    const line = lineOf(document, misfitLine);
    const diagnostics = await diagnosticsSuch(document.uri, "a stride-misfit", (ds) => ds.some((d) => codeOf(d) === "stride-misfit"));
    const misfits = diagnostics.filter((d) => codeOf(d) === "stride-misfit");
    assert.equal(misfits.length, 1, "exactly one misfit in stride_fit.cnn");
    const [misfit] = misfits;
    assert.equal(misfit.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(misfit.range.start.line, line);
    assert.equal(misfit.range.end.line, line, "the range stays on the statement");
    assert.ok(misfit.message.includes("(7 − 3 + 2·0)/3 + 1 = 2.33"), misfit.message);
  });

  it("offers fixes, and each one applied removes the diagnostic", async () => {
    const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile("stride_fit.cnn")));
    const titles = await fixTitles("stride_fit.cnn");
    assert.ok(titles.length >= 2, `fixes offered: ${JSON.stringify(titles)}`);
    for (const [i, title] of titles.entries()) {
      // each fix on a fresh copy, so one fix's edit never hides another's
      const name = `stride_fit_fix${i}.cnn`;
      const uri = await writeCnn(name, original);
      const { document } = await openCnn(name);
      const misfit = (await diagnosticsSuch(uri, "a stride-misfit", (ds) => ds.some((d) => codeOf(d) === "stride-misfit")))
        .find((d) => codeOf(d) === "stride-misfit")!;
      const action = (await quickFixes(uri, misfit.range)).find((a) => a.title === title);
      assert.ok(action, `fix "${title}" offered again on ${name}`);
      await apply(action);
      await diagnosticsSuch(uri, `no stride-misfit after "${title}"`, (ds) => !ds.some((d) => codeOf(d) === "stride-misfit"));
      const before = original.split(/\r?\n/)[misfit.range.start.line];
      assert.notEqual(document.lineAt(misfit.range.start.line).text, before, `"${title}" edits the misfit line`);
      await vscode.commands.executeCommand("workbench.action.files.save");
      await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
    }
  });
});

async function fixTitles(name: string): Promise<string[]> {
  const uri = workspaceFile(name);
  const misfit = vscode.languages.getDiagnostics(uri).find((d) => codeOf(d) === "stride-misfit");
  assert.ok(misfit, "the misfit is reported before asking for fixes");
  return (await quickFixes(uri, misfit.range)).map((a) => a.title);
}

/** The quick fixes at a range, resolved (a server may send edits only on resolve). The
 * command drops `diagnostics` from its results, so the misfit's range is what ties them. */
async function quickFixes(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const kind = vscode.CodeActionKind.QuickFix;
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", uri, range, kind.value, 50);
  return actions.filter((a) => a.kind && kind.contains(a.kind));
}

async function apply(action: vscode.CodeAction): Promise<void> {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `edit of "${action.title}" applied`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}
