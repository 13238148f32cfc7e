// "CNN: Show Architecture": a panel beside the editor drawing the network as a graph,
// live as the document changes. The diagram comes from the language server (`cnn/diagram`,
// the snapshot the hints come from); the page lays it out and draws it. The host follows
// the editor's cursor, shows the line of a clicked box, and saves the figure (SVG drawn
// here with the same code as `cnn graph`, or the page's PNG). Every message is checked.

import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { isRecord } from "../analysis/check";
import { readDiagram } from "../diagram/read";
import type { Diagram } from "../diagram/model";
import { layoutDiagram } from "../diagram/layout";
import { sceneToSvg } from "../diagram/svg";
import { readViewMessage, readViewState, type HostMessage, type ViewMessage, type ViewState } from "../diagram/view/protocol";
import { networkTarget } from "./target";
import { architectureHtml } from "./architecture-html";

export const diagramMethod = "cnn/diagram";
export type DiagramSource = (uri: string, network?: string) => Promise<{ diagram: unknown; version: number; errors: number; warnings: number } | { error: string }>;

export function serverDiagrams(client: LanguageClient): DiagramSource {
  return async (uri, network) => {
    const response: unknown = await client.sendRequest(diagramMethod, network === undefined ? { uri } : { uri, network });
    if (isRecord(response) && typeof response.error === "string") return { error: response.error };
    if (isRecord(response) && isRecord(response.diagram) && typeof response.version === "number") {
      return { diagram: response.diagram, version: response.version, errors: Number(response.errors) || 0, warnings: Number(response.warnings) || 0 };
    }
    return { error: "the language server's answer to cnn/diagram was not understood" };
  };
}

interface Target {
  uri: string;
  network?: string;
}

export function registerArchitectureView(context: vscode.ExtensionContext, client: LanguageClient): void {
  const source = serverDiagrams(client);
  context.subscriptions.push(
    vscode.commands.registerCommand("cnn.showArchitecture", async (uri?: unknown, network?: unknown) => {
      const target = await networkTarget(uri, network);
      if (!target) {
        void vscode.window.showInformationMessage("Open a .cnn file to see its architecture.");
        return;
      }
      ArchitecturePanel.createOrShow(context.extensionUri, source, target);
    }),
    vscode.window.registerWebviewPanelSerializer(ArchitecturePanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => ArchitecturePanel.revive(panel, context.extensionUri, source, readViewState(state)),
    }),
    { dispose: () => ArchitecturePanel.current?.dispose() },
  );
}

export class ArchitecturePanel {
  static readonly viewType = "cnn.architecture";
  static current: ArchitecturePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private requestId = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private diagram: Diagram | null = null;

  static createOrShow(extensionUri: vscode.Uri, source: DiagramSource, target: Target): ArchitecturePanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const existing = ArchitecturePanel.current;
    if (existing) {
      existing.target = target;
      existing.panel.reveal(column, true);
      void existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(ArchitecturePanel.viewType, "Architecture", { viewColumn: column, preserveFocus: true }, ArchitecturePanel.options(extensionUri));
    ArchitecturePanel.current = new ArchitecturePanel(panel, extensionUri, source, target);
    return ArchitecturePanel.current;
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, source: DiagramSource, state: ViewState): void {
    panel.webview.options = ArchitecturePanel.options(extensionUri);
    ArchitecturePanel.current?.dispose();
    const target = state.uri ? { uri: state.uri, ...(state.network ? { network: state.network } : {}) } : null;
    ArchitecturePanel.current = new ArchitecturePanel(panel, extensionUri, source, target);
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist")] };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly source: DiagramSource,
    private target: Target | null,
  ) {
    const webview = panel.webview;
    webview.html = architectureHtml(webview.cspSource, webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview", "architecture.js")).toString());
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((raw) => this.receive(raw)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.target && e.document.uri.toString() === this.target.uri) this.schedule();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (this.target && e.textEditor.document.uri.toString() === this.target.uri) this.postCursor(e.textEditor);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // the view follows the .cnn file being edited
        if (editor && editor.document.languageId === "cnn" && editor.document.uri.toString() !== this.target?.uri) {
          this.target = { uri: editor.document.uri.toString() };
          void this.refresh();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("cnn.shapeFormat")) void this.refresh();
      }),
    );
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private postCursor(editor: vscode.TextEditor): void {
    this.post({ type: "cursor", offset: editor.document.offsetAt(editor.selection.active) });
  }

  /** one request per pause in typing */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 120);
  }

  private receive(raw: unknown): void {
    let message: ViewMessage;
    try {
      message = readViewMessage(raw);
    } catch (e) {
      console.warn(`CNN architecture view: ignored a malformed message: ${(e as Error).message}`);
      return;
    }
    switch (message.type) {
      case "ready":
        void this.refresh();
        return;
      case "reveal":
        void this.reveal(message.start);
        return;
      case "network":
        if (this.target) {
          this.target = { uri: this.target.uri, network: message.name };
          void this.refresh();
        }
        return;
      case "export":
        void (message.format === "svg" ? this.exportSvg(message) : this.exportPng(message.base64));
        return;
    }
  }

  async refresh(): Promise<void> {
    const target = this.target;
    if (!target) {
      this.post({ type: "error", message: "Open a .cnn file and run “CNN: Show Architecture”." });
      return;
    }
    const id = ++this.requestId;
    try {
      const response = await this.source(target.uri, target.network);
      if (id !== this.requestId) return;
      if ("error" in response) {
        this.post({ type: "error", message: response.error });
        return;
      }
      const diagram = readDiagram(response.diagram);
      this.diagram = diagram;
      this.panel.title = `Architecture: ${diagram.network}`;
      const shapeFormat = vscode.workspace.getConfiguration("cnn").get<string>("shapeFormat") === "CxHxW" ? "CxHxW" : "WxHxD";
      this.post({ type: "diagram", diagram, version: response.version, shapeFormat, errors: response.errors, warnings: response.warnings });
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.uri);
      if (editor) this.postCursor(editor);
    } catch (e) {
      if (id === this.requestId) this.post({ type: "error", message: (e as Error).message });
    }
  }

  private async reveal(start: number): Promise<void> {
    if (!this.target) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.target.uri));
    const at = document.positionAt(Math.min(start, document.getText().length));
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.target!.uri);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: new vscode.Range(at, at), preserveFocus: false });
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private defaultUri(extension: string): vscode.Uri | undefined {
    if (!this.target || !this.diagram) return undefined;
    const uri = vscode.Uri.parse(this.target.uri);
    if (uri.scheme !== "file") return undefined;
    return vscode.Uri.joinPath(uri, "..", `${this.diagram.network}.${extension}`);
  }

  private async exportSvg(options: { style: "flow" | "volume"; expand: "auto" | "all" | "none"; toggled: Record<string, boolean> }): Promise<void> {
    if (!this.diagram) return;
    const shapeFormat = vscode.workspace.getConfiguration("cnn").get<string>("shapeFormat") === "CxHxW" ? "CxHxW" : "WxHxD";
    const svg = sceneToSvg(layoutDiagram(this.diagram, { ...options, shapeFormat }), { title: `${this.diagram.network} (${this.diagram.file})` });
    await this.saveFile(new TextEncoder().encode(svg), "svg", "SVG figure");
  }

  private async exportPng(base64: string): Promise<void> {
    const bytes = Buffer.from(base64, "base64");
    if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x89504e47) {
      void vscode.window.showErrorMessage("The figure's PNG was not understood.");
      return;
    }
    await this.saveFile(bytes, "png", "PNG picture");
  }

  private async saveFile(bytes: Uint8Array, extension: string, what: string): Promise<void> {
    const defaultUri = this.defaultUri(extension);
    const uri = await vscode.window.showSaveDialog({ filters: { [what]: [extension] }, saveLabel: "Export Figure", ...(defaultUri ? { defaultUri } : {}) });
    if (!uri) return;
    try {
      await vscode.workspace.fs.writeFile(uri, bytes);
      void vscode.window.showInformationMessage(`Figure saved: ${uri.fsPath || uri.toString()}`);
    } catch (e) {
      void vscode.window.showErrorMessage(`The figure could not be saved: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    if (ArchitecturePanel.current === this) ArchitecturePanel.current = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
