// `cnn.run` outside VS Code: the network run by the command line (`cnn run FILE --json`)
// in a child process, never in the server's own thread — so hover, hints and
// diagnostics keep answering while it runs, and what the run allocates is not the
// server's. The command line checks the memory budget before it builds anything
// (engine/budget.ts) and refuses with the numbers; the child's heap is capped a little
// above the budget; the run is killed when the request is cancelled, when another run
// starts, or after RUN_TIMEOUT_MS. It runs the file as saved (pictures next to it are
// found as `cnn run` finds them): unsaved changes are refused, not silently ignored.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CancellationToken } from "vscode-languageserver";
import type { Log } from "./guard";
import type { ServerSettings } from "./settings";
import type { Snapshot } from "./snapshots";
import { networkFor } from "./features/network";
import { tempFile } from "./temp";

export type RunResponse =
  | {
      network: string;
      /** the output's shape, [W, H, D] or [N] */
      output: number[];
      /**
       * the five most likely classes, when the output is a vector (after a softmax when the
       * network has none), named where `cnn run` is sure of the names (docs/ENGINE.md "Class
       * names"), else name null
       */
      top5?: { index: number; name: string | null; probability: number }[];
      /** the weights are the seeded initialization: the output does not mean anything yet */
      untrained: boolean;
      seed: number;
      /** the network ends in a softmax: top5 are its own probabilities */
      softmax: boolean;
      ms: number;
      /** `cnn run --json`'s output, written to a file: every layer's time and the output values */
      json: string;
    }
  | { error: string };

export const RUN_TIMEOUT_MS = 300_000;
/** the command line's own default (engine/budget.ts DEFAULT_BUDGET_MB), for the heap cap */
const DEFAULT_BUDGET_MB = 1536;
/** what `--json` prints is at most 10,000 values: a few hundred kB */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** The command line next to the server's bundle (dist/server → dist/cli). */
export function cliPath(): string {
  return join(__dirname, "..", "cli", "cnn.js");
}

let running: { child: ChildProcess; network: string } | null = null;

function topFive(values: number[], softmax: boolean): { index: number; name: string | null; probability: number }[] {
  let p = values;
  if (!softmax) {
    const max = Math.max(...values);
    const e = values.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    p = e.map((v) => v / sum);
  }
  return p
    .map((probability, index) => ({ index, name: null, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, 5);
}

export async function runInServer(snapshot: Snapshot, name: string | undefined, settings: ServerSettings["run"], token: CancellationToken, log: Log): Promise<RunResponse> {
  if (!snapshot.uri.startsWith("file:")) return { error: `cnn.run runs saved files; ${snapshot.uri} is not a file` };
  const path = fileURLToPath(snapshot.uri);
  let saved: string;
  try {
    saved = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    return { error: `cnn.run: cannot read ${path}: ${(e as Error).message}` };
  }
  if (saved !== snapshot.analysis.text.replace(/^\uFEFF/, "")) return { error: `save ${path} first: cnn.run runs the file as saved` };
  const checked = networkFor(snapshot, name);
  if ("error" in checked) return { error: checked.error };
  const network = checked.network.name;
  const cli = cliPath();
  if (!existsSync(cli)) return { error: `cnn.run needs the command line next to the server (${cli}); run \`npm run build\`` };

  running?.child.kill("SIGKILL");
  const budget = settings.budgetMB ?? DEFAULT_BUDGET_MB;
  const args = [
    `--max-old-space-size=${Math.min(budget + 512, 64 * 1024)}`,
    cli,
    "run",
    path,
    "--json",
    "--network",
    network,
    "--seed",
    String(settings.seed),
    ...(settings.budgetMB !== null ? ["--memory-budget", String(settings.budgetMB)] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const mine = { child, network };
  running = mine;
  let stdout = "";
  let stderr = "";
  let why: string | null = null;
  const stop = (reason: string) => {
    why ??= reason;
    child.kill("SIGKILL");
  };
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d;
    if (stdout.length > MAX_OUTPUT_BYTES) stop("its output was larger than expected");
  });
  child.stderr!.on("data", (d: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  const timer = setTimeout(() => stop(`it took longer than ${RUN_TIMEOUT_MS / 1000} s`), RUN_TIMEOUT_MS);
  const cancel = token.onCancellationRequested(() => stop("the request was cancelled"));
  const code = await new Promise<number | null>((resolve) => {
    child.on("error", (e) => {
      why ??= e.message;
      resolve(null);
    });
    child.on("close", (c) => resolve(c));
  });
  clearTimeout(timer);
  cancel.dispose();
  if (running === mine) running = null;
  else why ??= "another run started";
  if (why) return { error: `${network} was not run to the end: ${why}` };
  if (code !== 0) {
    const message = stderr.trim().split(/\r?\n/).filter((l) => l.trim() !== "").slice(0, 3).join(" · ");
    log(`cnn run ${path} exited ${code}: ${stderr}`);
    return { error: message || `cnn run exited with ${code}` };
  }
  let result: {
    network: string;
    output: { shape: number[]; data: (number | null)[] };
    ms: number;
    untrained?: boolean;
    probabilities?: boolean;
    top5?: { index: number; name: string | null; score: number | null }[];
  };
  try {
    result = JSON.parse(stdout);
  } catch {
    return { error: "cnn run printed something that is not JSON (see the server's log)" };
  }
  const json = tempFile(snapshot.uri, network, "run", "json", stdout);
  // the command line knows which ops give probabilities (engine/ops: Op.probabilities)
  const softmax = result.probabilities === true;
  const vector = result.output.shape.length === 1;
  const values = result.output.data.map((v) => (v === null ? Number.NaN : v));
  // the command line's own ranking carries the class names (ImageNet's, the digits, a classes file)
  const ranked = Array.isArray(result.top5) && result.top5.length && result.top5.every((c) => typeof c.score === "number" && Number.isFinite(c.score))
    ? result.top5.map((c) => ({ index: c.index, name: typeof c.name === "string" ? c.name : null, probability: c.score as number }))
    : null;
  return {
    network: result.network,
    output: result.output.shape,
    ...(ranked ? { top5: ranked } : vector && values.length > 0 && values.every(Number.isFinite) ? { top5: topFive(values, softmax) } : {}),
    softmax,
    untrained: result.untrained === true,
    seed: settings.seed,
    ms: result.ms,
    json,
  };
}
