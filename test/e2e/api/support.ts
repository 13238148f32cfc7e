// Helpers for tests inside the extension host: find the workspace's files, open them, and
// wait on the editor's events (never on time).
import * as vscode from "vscode";
import manifest from "../../../package.json";

export const extensionId = `${manifest.publisher}.${manifest.name}`;

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("the tests need a workspace folder (run.mjs passes a fresh one)");
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Activates the extension (as opening a .cnn file would) and opens the file in an editor. */
export async function openCnn(name: string): Promise<vscode.TextEditor> {
  const extension = vscode.extensions.getExtension(extensionId);
  if (!extension) throw new Error(`${extensionId} is not installed in this VS Code`);
  const document = await vscode.workspace.openTextDocument(workspaceFile(name));
  const editor = await vscode.window.showTextDocument(document);
  await extension.activate();
  return editor;
}

/** Writes a new file into the workspace (tests that edit get their own file). */
export async function writeCnn(name: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

/** Resolves once `accept` holds for the diagnostics of `uri`, checked on every change. */
export function diagnosticsSuch(
  uri: vscode.Uri,
  what: string,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  timeout = 30_000,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const now = vscode.languages.getDiagnostics(uri);
      if (!accept(now)) return false;
      done();
      resolve(now);
      return true;
    };
    const listener = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      done();
      const seen = vscode.languages.getDiagnostics(uri).map(describe).join("; ") || "none";
      reject(new Error(`timed out after ${timeout / 1000} s waiting for ${what}; diagnostics now: ${seen}`));
    }, timeout);
    const done = () => {
      listener.dispose();
      clearTimeout(timer);
    };
    check();
  });
}

export function codeOf(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === "object" ? d.code.value : d.code;
}

export function describe(d: vscode.Diagnostic): string {
  return `${d.range.start.line + 1}:${d.range.start.character + 1} [${codeOf(d)}] ${d.message}`;
}

/**
 * Asks a provider until it answers: right after activation the language client may not have
 * registered its providers yet, and the API then returns an empty list.
 */
export async function answered<T>(what: string, ask: () => Thenable<T[] | undefined>, timeout = 30_000): Promise<T[]> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const result = await ask();
    if (result && result.length > 0) return result;
    if (Date.now() > deadline) throw new Error(`no answer within ${timeout / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The plain text of hover contents (MarkdownString or MarkedString). */
export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === "string" ? c : c.value))
    .join("\n");
}

export function labelText(label: string | vscode.InlayHintLabelPart[]): string {
  return typeof label === "string" ? label : label.map((p) => p.value).join("");
}

/** The 0-based line of the first line containing `text`. */
export function lineOf(document: vscode.TextDocument, text: string): number {
  for (let i = 0; i < document.lineCount; i++) if (document.lineAt(i).text.includes(text)) return i;
  throw new Error(`no line containing "${text}" in ${document.uri.path}`);
}
