// The run view's Train section: choose the data (the shipped MNIST digits or a picture
// folder picked in the host's dialog), epochs, batch, optimizer and learning rate; Start,
// Pause/Resume and Stop; live curves of the loss (per few batches) and the accuracies
// (the running training accuracy, and train/test per epoch), samples/s and ETA; after
// training, the confusion matrix, the misclassified pictures and the first layer's
// filters, and the trained weights the run now uses, with "Save weights".
//
// Training runs in the extension host's training thread (client/train): this page only
// draws what it is told and says what the user asked. Pause and Stop are answered at
// once here ("pausing after this batch"); the status then says when the thread took them,
// measured from the click.

import type { NetworkResult } from "../../analysis/types";
import { bytesText, grouped } from "../../analysis/format";
import { MNIST_DIGITS } from "../../engine/train/data";
import { trainingMemory } from "../../engine/train/memory";
import { optimizerSettings } from "../../engine/train/optim";
import type { EpochReport, TrainProgress } from "../../engine/train/trainer";
import { sizeOf } from "../../engine/tensor";
import { h } from "../dom";
import { renderConfusion } from "./confusion";
import { drawPlot, smooth, themeOf, type Point, type Series } from "./plot";
import { renderFilters, renderMistakes } from "./pictures";
import {
  DEFAULT_SETTINGS,
  SETTING_LIMITS,
  type FolderInfo,
  type FolderRole,
  type TrainHostMessage,
  type TrainSettings,
  type TrainStarted,
  type TrainViewMessage,
  type TrainViewState,
  type ViewResult,
  type WeightsState,
} from "./protocol";

export interface TrainHost {
  send(message: TrainViewMessage): void;
  /** the network the run view shows (null before the first run message) */
  network(): NetworkResult | null;
  seed(): number;
  budgetMB(): number;
  save(state: TrainViewState): void;
  reveal(line: number): void;
  format(v: number): string;
}

type Phase = "idle" | "starting" | "running" | "pausing" | "paused" | "resuming" | "stopping" | "scoring";

export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–:––";
  const s = Math.round(seconds);
  const hours = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? "—" : `${(x * 100).toFixed(1)} %`);

/** The text of the progress line: `epoch 1/5 · batch 120/282 · loss 0.5321 · train 83.1 % · 4,112 samples/s · ETA 0:03` */
export function progressText(p: TrainProgress): string {
  return (
    `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} · loss ${Number.isFinite(p.meanLoss) ? p.meanLoss.toFixed(4) : "NaN"} · ` +
    `train ${pct(p.accuracy)} · ${Number.isFinite(p.samplesPerSecond) ? grouped(Math.round(p.samplesPerSecond)) : "—"} samples/s · ETA ${clock(p.etaSeconds)}`
  );
}

export class TrainSection {
  readonly element: HTMLElement;
  private settings: TrainSettings;
  private dataKind: "mnist" | "folder";
  private folders: Record<FolderRole, FolderInfo | null> = { train: null, test: null };
  private phase: Phase = "idle";
  private started: TrainStarted | null = null;
  private losses: Point[] = [];
  private running: Point[] = [];
  private epochs: EpochReport[] = [];
  private last: TrainProgress | null = null;
  private result: ViewResult | null = null;
  private weights: WeightsState = { state: "seeded" };
  private clickedAt = 0;
  /** the host's last refusal or failure, shown until the form changes or training starts again */
  private hostError: string | null = null;
  private drawQueued = false;

  // the form
  private readonly details: HTMLDetailsElement;
  private readonly dataSelect = h("select", { "data-testid": "train-data", "aria-label": "training data" });
  private readonly folderButton = h("button", { type: "button", class: "secondary", "data-testid": "train-folder-pick" }, "Choose folder…");
  private readonly folderText = h("span", { class: "caption", "data-testid": "train-folder" });
  private readonly testButton = h("button", { type: "button", class: "secondary", "data-testid": "train-test-pick" }, "Test folder…");
  private readonly testClear = h("button", { type: "button", class: "link", hidden: true }, "none");
  private readonly testText = h("span", { class: "caption", "data-testid": "train-test" });
  private readonly epochsInput = numberInput("train-epochs", "epochs", SETTING_LIMITS.epochs.min, SETTING_LIMITS.epochs.max, 1);
  private readonly batchInput = numberInput("train-batch", "batch size", SETTING_LIMITS.batch.min, SETTING_LIMITS.batch.max, 1);
  private readonly optimizerSelect = h("select", { "data-testid": "train-optimizer", "aria-label": "optimizer" }, h("option", { value: "adam" }, "Adam"), h("option", { value: "sgd" }, "SGD"));
  private readonly lrInput = numberInput("train-lr", "learning rate", 0, SETTING_LIMITS.lr.max, "any");
  private readonly momentumInput = numberInput("train-momentum", "momentum", 0, 0.999999, "any");
  private readonly momentumLabel: HTMLElement;
  private readonly decayInput = numberInput("train-weight-decay", "weight decay", 0, SETTING_LIMITS.weightDecay.max, "any");
  private readonly startFrom = h("select", { "data-testid": "train-start-from", "aria-label": "start from" });
  private readonly startButton = h("button", { type: "button", "data-testid": "train-start" }, "Start");
  private readonly pauseButton = h("button", { type: "button", class: "secondary", "data-testid": "train-pause", disabled: true }, "Pause");
  private readonly stopButton = h("button", { type: "button", class: "secondary", "data-testid": "train-stop", disabled: true }, "Stop");
  private readonly memoryText = h("div", { class: "caption", "data-testid": "train-memory" });
  private readonly formError = h("div", { class: "error", role: "alert", "data-testid": "train-error", hidden: true });
  // while training
  private readonly progressBar = h("div", { class: "bar" });
  private readonly progressLine = h("span", { class: "progress-text" }, "not trained yet");
  private readonly progress = h("div", { class: "progress", "data-testid": "train-progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": 0 }, this.progressBar, this.progressLine);
  private readonly statusLine = h("div", { class: "caption", "data-testid": "train-status", "aria-live": "polite" });
  private readonly lossCanvas = h("canvas", { class: "plot", "data-testid": "train-loss-plot", "aria-label": "training loss" });
  private readonly accuracyCanvas = h("canvas", { class: "plot", "data-testid": "train-accuracy-plot", "aria-label": "accuracy" });
  private readonly lossLegend = h("div", { class: "legend plot-legend" });
  private readonly accuracyLegend = h("div", { class: "legend plot-legend" });
  private readonly epochTable = h("table", { class: "epochs", "data-testid": "train-epochs-table", hidden: true });
  // after training
  private readonly resultsBox = h("div", { class: "train-results", "data-testid": "train-results", hidden: true });
  private readonly confusionBox = h("div", {});
  private readonly confusionCaption = h("div", { class: "caption" });
  private readonly mistakesBox = h("div", { class: "mistakes", "data-testid": "mistakes" });
  private readonly mistakesCaption = h("div", { class: "caption" });
  private readonly filtersBox = h("div", {});
  private readonly weightsText = h("span", { "data-testid": "train-weights" });
  private readonly saveButton = h("button", { type: "button", "data-testid": "train-save", hidden: true }, "Save weights");
  private readonly discardButton = h("button", { type: "button", class: "link", "data-testid": "train-discard", hidden: true }, "run untrained");

  constructor(
    private readonly host: TrainHost,
    saved: TrainViewState | undefined,
  ) {
    this.settings = { ...DEFAULT_SETTINGS, ...(saved?.settings ?? {}) };
    this.dataKind = saved?.data ?? "mnist";
    this.momentumLabel = h("label", {}, "Momentum ", this.momentumInput);
    this.dataSelect.append(h("option", { value: "mnist" }, `MNIST (${grouped(MNIST_DIGITS)} digits, shipped)`), h("option", { value: "folder" }, "a picture folder"));
    this.details = h(
      "details",
      { class: "train", "data-testid": "train-section", ...(saved?.open ? { open: true } : {}) },
      h("summary", {}, h("h2", { class: "inline" }, "Train"), " ", h("span", { class: "caption" }, "fit the weights to labelled pictures, on this computer's CPU")),
      h(
        "div",
        { class: "controls" },
        h("label", {}, "Data ", this.dataSelect),
        this.folderButton,
        this.folderText,
        this.testButton,
        this.testText,
        this.testClear,
      ),
      h(
        "div",
        { class: "controls" },
        h("label", {}, "Epochs ", this.epochsInput),
        h("label", {}, "Batch ", this.batchInput),
        h("label", {}, "Optimizer ", this.optimizerSelect),
        h("label", {}, "Learning rate ", this.lrInput),
        this.momentumLabel,
        h("label", {}, "Weight decay ", this.decayInput),
        h("label", {}, "Start from ", this.startFrom),
      ),
      h("div", { class: "controls" }, this.startButton, this.pauseButton, this.stopButton, this.memoryText),
      this.formError,
      this.progress,
      this.statusLine,
      h(
        "div",
        { class: "plots" },
        h("figure", { class: "plot-box" }, h("figcaption", {}, "loss"), this.lossCanvas, this.lossLegend),
        h("figure", { class: "plot-box" }, h("figcaption", {}, "accuracy"), this.accuracyCanvas, this.accuracyLegend),
      ),
      this.epochTable,
      h("div", { class: "controls weights-line" }, h("span", {}, "Weights the run uses: "), this.weightsText, this.saveButton, this.discardButton),
      this.resultsBox,
    );
    this.resultsBox.append(
      h("div", { class: "card wide" }, h("h3", {}, "Confusion matrix"), this.confusionCaption, this.confusionBox),
      h("div", { class: "card" }, h("h3", {}, "Misclassified"), this.mistakesCaption, this.mistakesBox),
      h("div", { class: "card" }, h("h3", {}, "First layer's learned filters"), this.filtersBox),
    );
    this.element = this.details;
    this.fillForm();
    this.wire();
    this.showWeights();
    this.updateControls();
    this.schedule();
  }

  // ---- the form ----

  private fillForm(): void {
    const s = this.settings;
    this.dataSelect.value = this.dataKind;
    this.epochsInput.value = String(s.epochs);
    this.batchInput.value = String(s.batch);
    this.optimizerSelect.value = s.optimizer;
    this.lrInput.value = String(s.lr);
    this.momentumInput.value = String(s.momentum);
    this.decayInput.value = String(s.weightDecay);
    this.fillStartFrom();
  }

  private fillStartFrom(): void {
    const keep = this.startFrom.value;
    this.startFrom.replaceChildren(h("option", { value: "seeded" }, `seeded weights (seed ${this.host.seed()})`));
    if (this.weights.state === "trained") this.startFrom.append(h("option", { value: "trained" }, "the trained weights (go on training)"));
    this.startFrom.value = keep === "trained" && this.weights.state === "trained" ? "trained" : "seeded";
  }

  private wire(): void {
    const changed = () => {
      this.hostError = null;
      this.readForm();
      this.updateControls();
    };
    for (const el of [this.epochsInput, this.batchInput, this.lrInput, this.momentumInput, this.decayInput]) el.addEventListener("input", changed);
    this.optimizerSelect.addEventListener("change", changed);
    this.dataSelect.addEventListener("change", () => {
      this.dataKind = this.dataSelect.value === "folder" ? "folder" : "mnist";
      if (this.dataKind === "folder" && !this.folders.train) this.host.send({ type: "pickTrainFolder", role: "train" });
      changed();
    });
    this.folderButton.addEventListener("click", () => this.host.send({ type: "pickTrainFolder", role: "train" }));
    this.testButton.addEventListener("click", () => this.host.send({ type: "pickTrainFolder", role: "test" }));
    this.testClear.addEventListener("click", () => this.host.send({ type: "clearTrainFolder", role: "test" }));
    this.details.addEventListener("toggle", () => {
      this.persist();
      this.schedule();
    });
    this.startButton.addEventListener("click", () => this.start());
    this.pauseButton.addEventListener("click", () => this.pauseOrResume());
    this.stopButton.addEventListener("click", () => this.stop());
    this.saveButton.addEventListener("click", () => this.host.send({ type: "saveWeights" }));
    this.discardButton.addEventListener("click", () => this.host.send({ type: "discardWeights" }));
    // theme changes swap VS Code's CSS variables and the body's class: redraw in the new colours
    new MutationObserver(() => this.schedule()).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => this.schedule()).observe(this.lossCanvas);
  }

  /** the form's values, or the first problem with them */
  private readForm(): string | null {
    const L = SETTING_LIMITS;
    const whole = (el: HTMLInputElement, name: string, min: number, max: number) => {
      const n = Number(el.value);
      return el.value.trim() !== "" && Number.isInteger(n) && n >= min && n <= max ? n : `${name} takes a whole number from ${min} to ${grouped(max)}`;
    };
    const real = (el: HTMLInputElement, name: string, ok: (n: number) => boolean, what: string) => {
      const n = Number(el.value);
      return el.value.trim() !== "" && Number.isFinite(n) && ok(n) ? n : `${name} takes ${what}`;
    };
    const epochs = whole(this.epochsInput, "Epochs", L.epochs.min, L.epochs.max);
    const batch = whole(this.batchInput, "Batch", L.batch.min, L.batch.max);
    const lr = real(this.lrInput, "The learning rate", (n) => n > 0 && n <= L.lr.max, `a number above 0, up to ${L.lr.max}`);
    const momentum = real(this.momentumInput, "Momentum", (n) => n >= 0 && n < 1, "a number from 0 to below 1");
    const weightDecay = real(this.decayInput, "Weight decay", (n) => n >= 0 && n <= L.weightDecay.max, `a number from 0 to ${L.weightDecay.max}`);
    const problem = [epochs, batch, lr, momentum, weightDecay].find((v): v is string => typeof v === "string");
    if (problem) return problem;
    this.settings = { epochs: epochs as number, batch: batch as number, optimizer: this.optimizerSelect.value === "sgd" ? "sgd" : "adam", lr: lr as number, momentum: momentum as number, weightDecay: weightDecay as number };
    this.persist();
    return null;
  }

  private persist(): void {
    this.host.save({ settings: this.settings, data: this.dataKind, open: this.details.open });
  }

  /** the memory the training would need, as engine/train/memory counts it; null without a network */
  memoryNeed(): { text: string; over: boolean } | null {
    const network = this.host.network();
    if (!network || !network.complete || network.graph[0]?.op !== "input") return null;
    const pictures = this.dataKind === "mnist" ? MNIST_DIGITS : this.folders.train ? this.folders.train.pictures + (this.folders.test?.pictures ?? 0) : null;
    if (pictures === null) return null;
    const optimizer = optimizerSettings({ kind: this.settings.optimizer, lr: this.settings.lr, momentum: this.settings.optimizer === "sgd" ? this.settings.momentum : 0, weightDecay: this.settings.weightDecay });
    const need = trainingMemory(network, this.settings.batch, optimizer, pictures * sizeOf(network.graph[0].output));
    const budget = BigInt(Math.floor(this.host.budgetMB() * 1e6));
    const over = need.total > budget;
    return {
      over,
      text: over
        ? `needs ${bytesText(need.total)}: more than the ${bytesText(budget)} budget (cnn.run.memoryBudgetMB); a smaller batch needs less`
        : `needs ${bytesText(need.total)} of the ${bytesText(budget)} memory budget`,
    };
  }

  private busy(): boolean {
    return this.phase !== "idle";
  }

  private updateControls(): void {
    const problem = this.readForm();
    const busy = this.busy();
    for (const el of [this.dataSelect, this.epochsInput, this.batchInput, this.optimizerSelect, this.lrInput, this.momentumInput, this.decayInput, this.startFrom, this.folderButton, this.testButton]) el.disabled = busy;
    this.momentumLabel.hidden = this.settings.optimizer !== "sgd";
    const folder = this.dataKind === "folder";
    this.folderButton.hidden = !folder;
    this.testButton.hidden = !folder;
    this.folderText.hidden = !folder;
    this.testText.hidden = !folder;
    this.testClear.hidden = !folder || !this.folders.test || busy;
    const f = this.folders.train;
    this.folderText.textContent = f ? `${f.name}/ · ${f.classes.length} classes · ${grouped(f.pictures)} pictures` : "no folder chosen";
    const t = this.folders.test;
    this.testText.textContent = t ? `test: ${t.name}/ · ${grouped(t.pictures)} pictures` : "no test folder: the mistakes are counted on the training pictures";
    const need = this.memoryNeed();
    this.memoryText.textContent = need ? need.text : "";
    this.memoryText.classList.toggle("over", !!need?.over);
    const ready = !problem && !(folder && !f) && !need?.over && !!this.host.network();
    this.startButton.disabled = busy || !ready;
    this.pauseButton.disabled = !(this.phase === "running" || this.phase === "paused");
    this.pauseButton.textContent = this.phase === "paused" || this.phase === "resuming" ? "Resume" : "Pause";
    this.stopButton.disabled = !(this.phase === "starting" || this.phase === "running" || this.phase === "paused" || this.phase === "pausing" || this.phase === "resuming");
    if (!busy) this.showError(problem ?? this.hostError);
  }

  private showError(text: string | null): void {
    this.formError.hidden = text === null;
    this.formError.textContent = text ?? "";
  }

  networkChanged(): void {
    this.fillStartFrom();
    this.updateControls();
  }

  // ---- commands ----

  private start(): void {
    const problem = this.readForm();
    if (problem) return this.showError(problem);
    this.hostError = null;
    this.reset();
    this.phase = "starting";
    this.setStatus("starting: reading the data…");
    this.updateControls();
    this.host.send({ type: "trainStart", data: this.dataKind, settings: this.settings, start: this.startFrom.value === "trained" ? "trained" : "seeded", seed: this.host.seed() });
  }

  /** the time one batch takes, as measured so far (ms), or null */
  private batchMs(): number | null {
    const rate = this.last?.samplesPerSecond;
    return rate && Number.isFinite(rate) && rate > 0 ? (this.settings.batch / rate) * 1000 : null;
  }

  private afterBatch(): string {
    const ms = this.batchMs();
    return ms === null ? "after the current batch" : ms < 100 ? `after the current batch (${ms.toFixed(0)} ms a batch)` : `after the current batch — one takes about ${ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`}`;
  }

  private pauseOrResume(): void {
    this.clickedAt = performance.now();
    if (this.phase === "paused") {
      this.phase = "resuming";
      this.setStatus("resuming…");
      this.host.send({ type: "trainControl", command: "resume" });
    } else if (this.phase === "running") {
      this.phase = "pausing";
      this.setStatus(`pausing ${this.afterBatch()}…`);
      this.host.send({ type: "trainControl", command: "pause" });
    }
    this.updateControls();
  }

  private stop(): void {
    this.clickedAt = performance.now();
    if (this.phase === "starting") {
      // nothing trained yet: the host ends the thread
      this.phase = "stopping";
      this.setStatus("cancelling: nothing has been trained yet…");
      this.host.send({ type: "trainControl", command: "stop" });
      this.updateControls();
      return;
    }
    this.phase = "stopping";
    this.setStatus(`stopping ${this.afterBatch()}, then scoring ${this.started?.testDescription ?? "the pictures"}; the weights reached are kept…`);
    this.host.send({ type: "trainControl", command: "stop" });
    this.updateControls();
  }

  private setStatus(text: string, latencyMs?: number): void {
    this.statusLine.textContent = text;
    if (latencyMs === undefined) delete this.statusLine.dataset.latencyMs;
    else this.statusLine.dataset.latencyMs = latencyMs.toFixed(1);
  }

  private reset(): void {
    this.started = null;
    this.losses = [];
    this.running = [];
    this.epochs = [];
    this.last = null;
    this.result = null;
    this.resultsBox.hidden = true;
    this.epochTable.hidden = true;
    this.epochTable.replaceChildren();
    this.showError(null);
    this.setProgress(0, "starting…");
    this.schedule();
  }

  // ---- messages from the host ----

  receive(m: TrainHostMessage): void {
    switch (m.type) {
      case "trainFolder":
        this.folders[m.role] = m.folder;
        if (m.role === "train" && !m.folder && this.dataKind === "folder" && !this.busy()) this.dataKind = "mnist";
        this.dataSelect.value = this.dataKind;
        this.updateControls();
        return;
      case "trainStarted":
        if (this.phase === "idle") this.reset(); // a replay after the page was reloaded
        this.started = m;
        // a Stop clicked while the data was read stays a stop
        if (this.phase !== "stopping") this.phase = "running";
        this.setStatus(`${m.network} · ${m.description}${m.testDescription ? `, tested on ${m.testDescription}` : ""} · ${m.engine} engine · ${m.memory}`);
        this.setProgress(0, `epoch 1/${m.epochs} · batch 0/${m.batchesPerEpoch}`);
        this.updateControls();
        this.schedule();
        return;
      case "trainProgress": {
        for (const p of m.points) this.losses.push([p.step, p.loss]);
        const p = m.progress;
        this.last = p;
        if (this.started) this.running.push([p.step / this.started.batchesPerEpoch, p.accuracy]);
        this.setProgress(p.steps ? p.step / p.steps : 0, progressText(p));
        this.schedule();
        return;
      }
      case "trainEpoch":
        this.epochs.push(m.report);
        this.showEpochs();
        this.schedule();
        return;
      case "trainState": {
        const latency = this.clickedAt ? performance.now() - this.clickedAt : undefined;
        const after = latency !== undefined ? ` — ${latency.toFixed(0)} ms after the click` : "";
        if (m.state === "paused") {
          this.phase = "paused";
          this.setStatus(`paused at step ${grouped(m.step)}${after}`, latency);
        } else if (m.state === "running") {
          this.phase = "running";
          this.setStatus(`running again from step ${grouped(m.step)}${after}`, latency);
        } else {
          this.phase = "scoring";
          this.setStatus(`stopped at step ${grouped(m.step)}${after}; scoring ${this.started?.testDescription ?? "the pictures"}…`, latency);
        }
        this.clickedAt = 0;
        this.updateControls();
        return;
      }
      case "trainDone":
        this.phase = "idle";
        this.result = m.result;
        this.setProgress(1, this.doneText(m.result));
        if (!m.result.stopped) this.setStatus("");
        else this.statusLine.textContent += " done.";
        this.showResults();
        this.updateControls();
        this.schedule();
        return;
      case "trainFailed":
        this.phase = "idle";
        this.setProgress(0, m.refused ? "not trained" : "training failed");
        this.setStatus("");
        this.hostError = m.line ? `line ${m.line}: ${m.message}` : m.message;
        this.updateControls();
        return;
      case "trainWeights":
        this.weights = m.weights;
        this.showWeights();
        this.fillStartFrom();
        return;
    }
  }

  private doneText(r: ViewResult): string {
    const lastEpoch = r.epochs[r.epochs.length - 1];
    return `${r.stopped ? "stopped" : "done"}: ${grouped(r.steps)} steps in ${r.epochs.length} epoch${r.epochs.length === 1 ? "" : "s"} at ${grouped(Math.round(r.samplesPerSecond))} samples/s${lastEpoch?.testAccuracy != null ? ` · test accuracy ${pct(lastEpoch.testAccuracy)}` : ` · accuracy ${pct(r.accuracy)} on the training pictures`}`;
  }

  private setProgress(fraction: number, text: string): void {
    const f = Math.max(0, Math.min(1, fraction));
    this.progressBar.style.width = `${Math.round(f * 100)}%`;
    this.progress.setAttribute("aria-valuenow", String(Math.round(f * 100)));
    this.progressLine.textContent = text;
  }

  private showEpochs(): void {
    this.epochTable.hidden = this.epochs.length === 0;
    this.epochTable.replaceChildren(
      h("tr", {}, h("th", {}, "epoch"), h("th", {}, "loss"), h("th", {}, "train"), h("th", {}, "test"), h("th", {}, "time")),
      ...this.epochs.map((e) =>
        h("tr", { "data-testid": "train-epoch-row" }, h("td", {}, String(e.epoch)), h("td", {}, Number.isFinite(e.loss) ? e.loss.toFixed(4) : "NaN"), h("td", {}, pct(e.trainAccuracy)), h("td", {}, pct(e.testAccuracy)), h("td", {}, `${(e.ms / 1000).toFixed(1)} s`)),
      ),
    );
  }

  private showWeights(): void {
    const w = this.weights;
    if (w.state === "seeded") {
      this.weightsText.textContent = `seeded, untrained (seed ${this.host.seed()})`;
      this.saveButton.hidden = true;
      this.discardButton.hidden = true;
      return;
    }
    if (w.state === "file") {
      this.weightsText.textContent = `${w.name}, beside the design (as cnn run uses it)`;
      this.saveButton.hidden = true;
      this.discardButton.hidden = false;
      return;
    }
    this.weightsText.textContent = w.saved ? `${w.summary} · saved as ${w.saved}` : `${w.summary} · not saved`;
    this.saveButton.hidden = false;
    this.saveButton.textContent = w.saved ? "Save weights again" : "Save weights";
    this.discardButton.hidden = false;
  }

  private showResults(): void {
    const r = this.result;
    if (!r) return;
    this.resultsBox.hidden = false;
    this.confusionCaption.textContent = `${r.evaluatedOn}: ${grouped(r.evaluatedSize - r.wrong)} of ${grouped(r.evaluatedSize)} right (${pct(r.accuracy)}). Rows: the true class; columns: what the network said. Click a mistake's count to see those pictures.`;
    renderConfusion(this.confusionBox, r.confusion, r.classes, (label, predicted) => this.showMistakes(label === null || predicted === null ? null : { label, predicted }));
    this.showMistakes(null);
    const filters = r.filters;
    renderFilters(this.filtersBox, filters, this.host.format);
  }

  private showMistakes(only: { label: number; predicted: number } | null): void {
    const r = this.result;
    if (!r) return;
    const n = renderMistakes(this.mistakesBox, r.misclassified, r.classes, only);
    const all = h("button", { type: "button", class: "link", onclick: () => this.showMistakes(null) }, "show all");
    if (only) this.mistakesCaption.replaceChildren(`${n} shown: true ${r.classes[only.label]}, predicted ${r.classes[only.predicted]}${n < r.confusion[only.label][only.predicted] ? ` (of ${r.confusion[only.label][only.predicted]}; the most confident mistakes are kept)` : ""} · `, all);
    else if (r.wrong === 0) this.mistakesCaption.textContent = "none: every picture was classified right";
    else this.mistakesCaption.textContent = `${grouped(r.wrong)} of ${grouped(r.evaluatedSize)} wrong${r.wrong > n ? `; the ${n} most confident mistakes` : ""} · true → predicted · the predicted class's probability`;
  }

  // ---- the plots ----

  private schedule(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      if (this.details.open) this.draw();
    });
  }

  private draw(): void {
    const theme = themeOf(document.body);
    const [blue, orange, green] = theme.series;
    const started = this.started;
    // once done (or stopped), the axes cover what was trained
    const total = this.result ? Math.max(1, this.result.steps) : (started?.steps ?? 1);
    const marks = started ? Array.from({ length: started.epochs - 1 }, (_, i) => (i + 1) * started.batchesPerEpoch) : [];
    const loss: Series[] = [
      { label: "loss (mean of a few batches)", points: this.losses, color: blue, width: 1, alpha: 0.35 },
      { label: "smoothed", points: smooth(this.losses, 0.9), color: blue, width: 2 },
    ];
    drawPlot(this.lossCanvas, loss, { xLabel: "step", yLabel: "loss", xMin: 0, xMax: total, yMin: 0, marks }, theme);
    this.lossCanvas.dataset.points = String(this.losses.length);
    legend(this.lossLegend, loss);
    const epochs = this.result ? Math.max(1, this.result.epochs.length) : (started?.epochs ?? 1);
    const accuracy: Series[] = [
      { label: "train (running, this epoch)", points: this.running, color: orange, width: 1, alpha: 0.5 },
      { label: "train (epoch)", points: this.epochs.map((e) => [e.epoch, e.trainAccuracy]), color: orange, width: 2, dots: true },
      { label: "test (epoch)", points: this.epochs.filter((e) => e.testAccuracy !== null).map((e) => [e.epoch, e.testAccuracy as number]), color: green, width: 2, dots: true },
    ];
    drawPlot(this.accuracyCanvas, accuracy, { xLabel: "epoch", yLabel: "accuracy", xMin: 0, xMax: epochs, yMin: 0, yMax: 1, yFormat: (v) => `${Math.round(v * 100)} %` }, theme);
    this.accuracyCanvas.dataset.points = String(this.epochs.length);
    legend(this.accuracyLegend, accuracy);
  }
}

function numberInput(testid: string, label: string, min: number, max: number, step: number | "any"): HTMLInputElement {
  return h("input", { type: "number", min, max, step, "data-testid": testid, "aria-label": label });
}

function legend(box: HTMLElement, series: Series[]): void {
  box.replaceChildren(
    ...series.map((s) => {
      const swatch = h("span", { class: "swatch" });
      swatch.style.background = s.color;
      swatch.style.opacity = String(s.alpha ?? 1);
      return h("span", { class: "legend-item" }, swatch, s.label);
    }),
  );
}
