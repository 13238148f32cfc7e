// The run panel's training, on the extension host's side: the folder dialogs, the
// training thread (thread.ts) and what it reports, relayed to the page; the trained
// weights the run then uses (kept here until saved or discarded); "Save weights" beside
// the design, asking before it replaces a file. The page names no path: only folders the
// user picked in the dialog are read, and only the file the user saves is written.
// A page that was hidden and shown again is sent the training so far (`replay`).

import * as vscode from "vscode";
import { deserializeNetwork } from "../../analysis/serialize";
import type { NetworkResult } from "../../analysis/types";
import { readSafetensors } from "../../engine/safetensors";
import { TRAINED_NETWORK_KEY, trainedWeightsName } from "../../engine/train/weights-location";
import type { SessionMessage } from "../../engine/train/session-protocol";
import { MAX_WEIGHTS_BYTES, type FolderInfo, type FolderRole, type HostMessage, type RunTarget, type TrainHostMessage, type TrainViewMessage, type WeightsMessage } from "../../webview/protocol";
import { budgetSetting } from "../settings";
import type { NetworkSource } from "../run/source";
import { hostMessage } from "./relay";
import { inspectFolderIn, TrainingThread } from "./thread";

export interface PanelHooks {
  post(message: HostMessage): void;
  target(): RunTarget | null;
  source: NetworkSource;
  /** runs the network again (with the weights `weightsFor` gives) */
  refresh(): Promise<void>;
}

interface Trained {
  /** the document and network the weights were trained for */
  key: string;
  network: string;
  bytes: Uint8Array;
  summary: string;
  saved: string | null;
}

/** past this many messages, progress reports are merged for the replay */
const HISTORY = 1000;

const keyOf = (target: RunTarget) => `${target.uri}#${target.network ?? ""}`;

export class PanelTraining {
  private thread: TrainingThread | null = null;
  /** the thread has said "started" (the data is read; steps are being taken) */
  private trainingBegan = false;
  /** how many threads were started (or cancelled): each one's reports carry its number */
  private sessions = 0;
  private folders: Record<FolderRole, { uri: vscode.Uri; info: FolderInfo } | null> = { train: null, test: null };
  private trained: Trained | null = null;
  private history: TrainHostMessage[] = [];
  private finished = false;
  private readonly workerFile: string;
  /** the trained file beside the design the last run used, if it used one */
  private beside: { key: string; name: string } | null = null;
  /** "run untrained" was chosen for this target: the file beside it is not used until training here again */
  private discarded: string | null = null;

  constructor(
    extensionUri: vscode.Uri,
    private readonly hooks: PanelHooks,
  ) {
    this.workerFile = vscode.Uri.joinPath(extensionUri, "dist", "client", "train-worker.js").fsPath;
  }

  /**
   * The weights the run uses for this target: the ones trained here while they are kept;
   * else FILE.safetensors beside FILE.cnn when its metadata names the network (the rule of
   * `cnn run`, engine/train/weights-location.ts); else none (seeded).
   */
  async weightsFor(target: RunTarget, network: string): Promise<WeightsMessage | undefined> {
    this.beside = null;
    if (this.trained && this.trained.key === keyOf(target)) {
      return { name: this.trained.saved ?? "trained in this view", origin: "trained", base64: Buffer.from(this.trained.bytes).toString("base64") };
    }
    if (this.discarded === keyOf(target)) return undefined;
    const found = await besideWeights(vscode.Uri.parse(target.uri), network);
    if (!found) return undefined;
    this.beside = { key: keyOf(target), name: found.name };
    return { name: found.name, origin: "file", base64: Buffer.from(found.bytes).toString("base64") };
  }

  /** a fresh page: what it should show of the folders, the weights and the training so far */
  replay(): void {
    for (const role of ["train", "test"] as const) if (this.folders[role]) this.hooks.post({ type: "trainFolder", role, folder: this.folders[role]!.info });
    for (const m of this.history) this.hooks.post(m);
    this.postWeights();
  }

  receive(message: TrainViewMessage): void {
    switch (message.type) {
      case "pickTrainFolder":
        void this.pickFolder(message.role);
        return;
      case "clearTrainFolder":
        this.folders[message.role] = null;
        this.hooks.post({ type: "trainFolder", role: message.role, folder: null });
        return;
      case "trainStart":
        void this.start(message);
        return;
      case "trainControl":
        if (message.command === "stop" && this.thread && !this.trainingBegan) {
          // still reading the data: nothing to keep, the thread ends at once
          const thread = this.thread;
          this.thread = null;
          this.finished = true;
          this.sessions++;
          void thread.terminate();
          this.failed("cancelled while reading the data: nothing was trained");
          return;
        }
        this.thread?.command(message.command);
        return;
      case "saveWeights":
        void this.save();
        return;
      case "discardWeights": {
        const target = this.hooks.target();
        this.discarded = target ? keyOf(target) : null;
        this.trained = null;
        this.postWeights();
        void this.hooks.refresh();
        return;
      }
    }
  }

  private post(message: TrainHostMessage): void {
    const last = this.history[this.history.length - 1];
    if (message.type === "trainProgress" && last?.type === "trainProgress" && this.history.length > HISTORY) {
      this.history[this.history.length - 1] = { ...message, points: [...last.points, ...message.points] };
    } else this.history.push(message);
    this.hooks.post(message);
  }

  private failed(message: string, refused = true, line?: number): void {
    this.post({ type: "trainFailed", message, refused, ...(line !== undefined ? { line } : {}) });
  }

  /** tells the page which weights the run uses (after a run message: the target may have changed) */
  postWeights(): void {
    const target = this.hooks.target();
    const t = this.trained && target && this.trained.key === keyOf(target) ? this.trained : null;
    const file = !t && target && this.beside?.key === keyOf(target) ? this.beside.name : null;
    this.hooks.post({ type: "trainWeights", weights: t ? { state: "trained", summary: t.summary, saved: t.saved } : file ? { state: "file", name: file } : { state: "seeded" } });
  }

  private async pickFolder(role: FolderRole): Promise<void> {
    const target = this.hooks.target();
    const folder = target ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(target.uri)) : undefined;
    const chosen = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: role === "train" ? "Train on this folder" : "Test on this folder",
      title: role === "train" ? "A picture folder: one sub-folder of pictures per class (as torchvision's ImageFolder)" : "The test pictures: the same class folders as the training folder",
      ...(folder ? { defaultUri: folder.uri } : {}),
    });
    const uri = chosen?.[0];
    if (!uri) {
      this.hooks.post({ type: "trainFolder", role, folder: this.folders[role]?.info ?? null });
      return;
    }
    if (uri.scheme !== "file") {
      this.failed(`${uri.toString()}: training reads picture folders on this computer's disk (this one is on ${uri.scheme})`);
      this.hooks.post({ type: "trainFolder", role, folder: this.folders[role]?.info ?? null });
      return;
    }
    const answer = await inspectFolderIn(this.workerFile, uri.fsPath).catch((e: Error) => ({ type: "failed", message: e.message, refused: true }) as SessionMessage);
    if (answer.type !== "folder") {
      this.failed(answer.type === "failed" ? answer.message : "the folder could not be read");
      this.hooks.post({ type: "trainFolder", role, folder: this.folders[role]?.info ?? null });
      return;
    }
    const info: FolderInfo = { name: answer.name, classes: answer.classes, pictures: answer.pictures };
    this.folders[role] = { uri, info };
    this.hooks.post({ type: "trainFolder", role, folder: info });
    const train = this.folders.train?.info;
    const test = this.folders.test?.info;
    if (train && test && train.classes.join("\n") !== test.classes.join("\n")) {
      this.failed(`the test folder's classes (${test.classes.join(", ")}) are not the training folder's (${train.classes.join(", ")}): class numbers would not match`);
    }
  }

  private async start(message: Extract<TrainViewMessage, { type: "trainStart" }>): Promise<void> {
    if (this.thread) {
      this.failed("training is already running: stop it first");
      return;
    }
    const target = this.hooks.target();
    if (!target) return this.failed("open a .cnn file and run “CNN: Run Network” first");
    this.history = [];
    this.finished = false;
    this.trainingBegan = false;
    let network: NetworkResult;
    let lines: number[];
    let serialized;
    try {
      const response = await this.hooks.source(target.uri, target.network);
      if ("error" in response) return this.failed(response.error);
      serialized = response.network;
      network = deserializeNetwork(serialized);
      lines = response.lines;
    } catch (e) {
      return this.failed(`the network could not be read: ${(e as Error).message}`);
    }
    if (message.data === "folder" && !this.folders.train) return this.failed("choose a picture folder first");
    const initial = message.start === "trained" ? (this.trained?.key === keyOf(target) ? this.trained.bytes : null) : undefined;
    if (initial === null) return this.failed("there are no trained weights of this network to go on from");
    const data = message.data === "mnist" ? ({ kind: "mnist" } as const) : { kind: "folder" as const, path: this.folders.train!.uri.fsPath, ...(this.folders.test ? { test: this.folders.test.uri.fsPath } : {}) };
    const key = keyOf(target);
    const dataName = message.data === "mnist" ? "mnist" : this.folders.train!.info.name;
    const lineOf = (nodeId: number | undefined) => (nodeId !== undefined ? lines[nodeId] : undefined);
    // a thread ended by Stop or by closing may still report: only the current one is heard
    const session = ++this.sessions;
    try {
      this.thread = new TrainingThread(
        this.workerFile,
        { network: serialized, data, settings: message.settings, seed: message.seed, budgetMB: budgetSetting(), ...(initial ? { initial } : {}) },
        (m) => {
          if (session === this.sessions) this.onSession(m, { key, network, dataName, lineOf });
        },
        (error) => {
          if (session !== this.sessions) return;
          this.thread = null;
          if (error && !this.finished) this.failed(`${error.message}; nothing was trained`, false);
        },
      );
    } catch (e) {
      this.thread = null;
      this.failed(`the training thread could not start: ${(e as Error).message}`, false);
    }
  }

  private onSession(m: SessionMessage, run: { key: string; network: NetworkResult; dataName: string; lineOf: (id: number | undefined) => number | undefined }): void {
    if (m.type === "started") this.trainingBegan = true;
    if (m.type === "failed" || m.type === "done") this.finished = true;
    if (m.type === "done") {
      const r = m.result;
      const last = r.epochs[r.epochs.length - 1];
      const score = last?.testAccuracy != null ? `test ${(last.testAccuracy * 100).toFixed(1)} %` : `${(r.accuracy * 100).toFixed(1)} % of the training pictures`;
      this.discarded = null;
      this.trained = { key: run.key, network: run.network.name, bytes: r.weights, summary: `trained here: ${r.steps.toLocaleString("en-US")} steps on ${run.dataName}, ${score}`, saved: null };
    }
    const message = hostMessage(m, run.lineOf);
    if (message) this.post(message);
    if (m.type === "done") {
      this.postWeights();
      void this.hooks.refresh();
    }
  }

  private async save(): Promise<void> {
    const target = this.hooks.target();
    const trained = this.trained;
    if (!target || !trained || trained.key !== keyOf(target)) return;
    const document = vscode.Uri.parse(target.uri);
    const docName = document.path.split("/").pop() ?? document.path;
    let dest: vscode.Uri | undefined = document.scheme === "untitled" ? undefined : document.with({ path: trainedWeightsName(document.path) });
    if (dest && (await exists(dest))) {
      const name = dest.path.split("/").pop();
      const choice = await vscode.window.showWarningMessage(
        `${name} already exists beside ${docName}. Replace it with the weights trained here?`,
        { modal: true, detail: `cnn run and the run view use ${name} for ${trained.network} (when its metadata names that network). The file now there will be lost.` },
        "Replace",
        "Save As…",
      );
      if (choice === undefined) return;
      if (choice === "Save As…") dest = undefined;
    }
    if (!dest) {
      dest = await vscode.window.showSaveDialog({
        defaultUri: document.scheme === "untitled" ? undefined : document.with({ path: trainedWeightsName(document.path) }),
        filters: { "Weights (safetensors)": ["safetensors"] },
        saveLabel: "Save weights",
        title: `${trained.network}'s trained weights`,
      });
      if (!dest) return;
    }
    try {
      await vscode.workspace.fs.writeFile(dest, trained.bytes);
    } catch (e) {
      void vscode.window.showErrorMessage(`The weights could not be saved to ${dest.fsPath || dest.path}: ${(e as Error).message}`);
      return;
    }
    const name = dest.path.split("/").pop() ?? dest.path;
    trained.saved = name;
    this.postWeights();
    const beside = document.scheme !== "untitled" && dest.toString() === document.with({ path: trainedWeightsName(document.path) }).toString();
    void vscode.window.showInformationMessage(
      beside
        ? `${trained.network}'s trained weights → ${name} (cnn run ${docName} and the run view use them)`
        : `${trained.network}'s trained weights → ${name} (not beside the design under its name: cnn run uses them with --weights ${name})`,
    );
  }

  dispose(): void {
    void this.thread?.terminate();
    this.thread = null;
  }
}

/** FILE.safetensors beside FILE.cnn when its metadata names `network`; null when there is none or it is not one of ours */
async function besideWeights(document: vscode.Uri, network: string): Promise<{ name: string; bytes: Uint8Array } | null> {
  if (document.scheme === "untitled") return null;
  const uri = document.with({ path: trainedWeightsName(document.path) });
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_WEIGHTS_BYTES) return null;
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (readSafetensors(bytes).metadata[TRAINED_NETWORK_KEY] !== network) return null;
    return { name: uri.path.split("/").pop() ?? uri.path, bytes };
  } catch {
    // no such file, or not a weights file: the design does not claim it
    return null;
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
