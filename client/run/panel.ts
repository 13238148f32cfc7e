// The run view's panel: one at a time, shown beside the editor. It asks the language
// server for the network (`cnn/network`), hands it to the page, and answers the page's
// requests (run again, pick a picture, show a line). Every message is checked.

import * as vscode from "vscode";
import { deserializeNetwork } from "../../analysis/serialize";
import { budgetRefusal } from "../../engine/budget";
import { inputAttrs } from "../../engine/input";
import { budgetSetting, seedSetting } from "../settings";
import { isTrainViewType, readViewMessage, readViewState, type HostMessage, type RunTarget, type TrainViewMessage, type ViewMessage } from "../../webview/protocol";
import { PanelTraining } from "../train/panel-training";
import { runViewHtml } from "./html";
import { boundedMessage } from "../../grammar/printable";
import { readClassNames, readInputPicture, readPicture } from "./picture";
import type { NetworkSource } from "./source";
import { pickWeightsFile, readWeightsFor, targetKey, weightsMessage, type LoadedWeights } from "./weights";

export class RunPanel {
  static readonly viewType = "cnn.run";
  private static current: RunPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private runId = 0;
  /** the Train section's host side (client/train) */
  private readonly training: PanelTraining;
  /** the file "Load weights…" picked, for the target it was picked for */
  private loaded: LoadedWeights | null = null;

  static createOrShow(extensionUri: vscode.Uri, source: NetworkSource, target: RunTarget): RunPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (RunPanel.current) {
      RunPanel.current.target = target;
      RunPanel.current.panel.reveal(column, true);
      void RunPanel.current.refresh();
      return RunPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(RunPanel.viewType, "CNN Run", { viewColumn: column, preserveFocus: true }, RunPanel.options(extensionUri));
    RunPanel.current = new RunPanel(panel, extensionUri, source, target);
    return RunPanel.current;
  }

  /** a panel VS Code restores after a reload, with the state the page saved */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, source: NetworkSource, state: unknown): void {
    const target = readViewState(state).target;
    panel.webview.options = RunPanel.options(extensionUri);
    RunPanel.current?.dispose();
    RunPanel.current = new RunPanel(panel, extensionUri, source, target);
  }

  static get active(): RunPanel | undefined {
    return RunPanel.current;
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist")] };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly source: NetworkSource,
    private target: RunTarget | null,
  ) {
    this.training = new PanelTraining(extensionUri, { post: (m) => this.post(m), target: () => this.target, source, refresh: () => this.refresh() });
    const webview = panel.webview;
    webview.html = runViewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview", "main.js")).toString(),
      workerUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview", "worker.js")).toString(),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((raw) => this.receive(raw)),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (this.target && doc.uri.toString() === this.target.uri && vscode.workspace.getConfiguration("cnn.run").get<boolean>("rerunOnSave", true)) void this.refresh();
      }),
    );
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    let message: ViewMessage;
    try {
      message = readViewMessage(raw);
    } catch (e) {
      console.warn(`CNN run view: ignored a malformed message: ${(e as Error).message}`);
      return;
    }
    if (isTrainViewType(message.type)) {
      this.training.receive(message as TrainViewMessage);
      return;
    }
    switch (message.type) {
      case "ready":
        this.training.replay();
        void this.refresh();
        return;
      case "rerun":
        void this.refresh();
        return;
      case "pickPicture":
        void this.pickPicture();
        return;
      case "loadWeights":
        void this.loadWeights();
        return;
      case "reveal":
        void this.reveal(message.line);
        return;
      case "status":
        // the page shows its own state; a failure also goes to the extension host's log
        if (message.state === "failed" && message.message) console.warn(`CNN run view: ${message.message}`);
    }
  }

  /** Asks the server for the network again and sends it to the page to run. */
  async refresh(): Promise<void> {
    const target = this.target;
    if (!target) {
      this.post({ type: "error", message: "Open a .cnn file and run “CNN: Run Network”." });
      return;
    }
    const id = ++this.runId;
    const uri = vscode.Uri.parse(target.uri);
    const fileName = uri.path.split("/").pop() ?? target.uri;
    try {
      const response = await this.source(target.uri, target.network);
      if (id !== this.runId) return;
      if ("error" in response) {
        this.post({ type: "error", message: response.error });
        return;
      }
      const network = deserializeNetwork(response.network);
      this.panel.title = `Run: ${network.name}`;
      // budget first: a run past it is refused with the numbers before its picture is read
      const refusal = budgetRefusal(network, budgetSetting());
      if (refusal) {
        this.post({ type: "error", message: `Not run: ${refusal}` });
        return;
      }
      // the lines of the nodes and the picture the input names come with the network
      const picture = response.picture ? await readInputPicture(uri, response.picture) : undefined;
      const classesSaid = inputAttrs(network).classes;
      const classes = classesSaid && "path" in classesSaid ? await readClassNames(uri, classesSaid.path) : undefined;
      const settings = vscode.workspace.getConfiguration("cnn.run");
      // the weights trained in this view while they are kept, else a file "Load weights…" picked
      // for this network, else the design's trained file (as `cnn run`)
      const fromView = await this.training.weightsFor(target, network.name);
      if (id !== this.runId) return;
      const loaded = this.loaded && this.loaded.key === targetKey(target) && fromView?.origin !== "trained" ? this.loaded : null;
      const weights = loaded ? weightsMessage(loaded) : fromView;
      this.post({
        type: "run",
        runId: id,
        target,
        fileName,
        network: response.network,
        lines: response.lines,
        frameLines: response.frameLines,
        seed: seedSetting(),
        budgetMB: budgetSetting(),
        executor: settings.get<string>("executor", "auto"),
        ...(picture ? { picture } : {}),
        ...(weights ? { weights } : {}),
        ...(classes ? { classes } : {}),
      });
      this.training.postWeights();
      // the Train section says which weights the run uses: the loaded file's name
      if (loaded) this.post({ type: "trainWeights", weights: { state: "file", name: loaded.name } });
    } catch (e) {
      if (id === this.runId) this.post({ type: "error", message: boundedMessage(`${fileName}: ${(e as Error).message}`) });
    }
  }

  /** "Load weights…": a .safetensors file, checked against the network, used by this view's runs of it */
  async loadWeights(): Promise<void> {
    const target = this.target;
    if (!target) {
      this.post({ type: "error", message: "Open a .cnn file and run “CNN: Run Network” first: the weights are checked against its network." });
      return;
    }
    const uri = await pickWeightsFile(target);
    if (!uri) return;
    const name = uri.path.split("/").pop() ?? uri.path;
    try {
      const response = await this.source(target.uri, target.network);
      if ("error" in response) throw new Error(response.error);
      const network = deserializeNetwork(response.network);
      this.loaded = await readWeightsFor(uri, target, network);
      if (this.loaded.notes.length) void vscode.window.showWarningMessage(`${this.loaded.name}: ${this.loaded.notes.join("; ")}`);
    } catch (e) {
      // refused: the weights used before stay, and the view says why
      this.post({ type: "error", message: boundedMessage(`Not loaded: ${name}: ${(e as Error).message}`) });
      return;
    }
    await this.refresh();
  }

  private async pickPicture(): Promise<void> {
    const folder = this.target ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(this.target.uri)) : undefined;
    const chosen = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: "Use as input",
      filters: { Pictures: ["png", "jpg", "jpeg"] },
      ...(folder ? { defaultUri: folder.uri } : {}),
    });
    if (!chosen?.[0]) return;
    try {
      this.post({ type: "picture", picture: await readPicture(chosen[0]) });
    } catch (e) {
      void vscode.window.showErrorMessage(boundedMessage((e as Error).message));
    }
  }

  private async reveal(line: number): Promise<void> {
    if (!this.target) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.target.uri));
    const at = new vscode.Position(Math.min(line - 1, document.lineCount - 1), 0);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.target!.uri);
    await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: new vscode.Range(at, at) });
  }

  dispose(): void {
    if (RunPanel.current === this) RunPanel.current = undefined;
    this.training.dispose();
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
