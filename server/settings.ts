// The user's settings (package.json `contributes.configuration`, section `cnn`), read
// from whatever the client sends and checked field by field: a wrong value falls back to
// the default rather than reaching a feature.

import { diagnosticCodes, type AnalysisSettings, type DiagnosticCode, type Severity, type ShapeFormat } from "../analysis";

export type SeveritySetting = Severity | "off";

export interface HintSettings {
  /** the output shape, `→ 28×28×6` */
  shape: boolean;
  /** `· 456 params` (only when non-zero) */
  params: boolean;
  /** `· 0.35 MMAC` (only when non-zero) */
  macs: boolean;
}

export interface ServerSettings {
  severity: Partial<Record<DiagnosticCode, SeveritySetting>>;
  hints: HintSettings;
  shapeFormat: ShapeFormat;
  codeLens: boolean;
  /** `cnn.summary.depth`: torchinfo's depth, 1 = the network's own statements */
  summaryDepth: number;
  /** `cnn.run.memoryBudgetMB` (null: the command line's default) and `cnn.run.seed`, for `cnn.run` run by the server */
  run: { budgetMB: number | null; seed: number };
}

export const defaultSettings: ServerSettings = {
  severity: {},
  hints: { shape: true, params: true, macs: false },
  shapeFormat: "WxHxD",
  codeLens: true,
  summaryDepth: 1,
  run: { budgetMB: null, seed: 0 },
};

const severityWords: Record<string, SeveritySetting> = {
  error: "error",
  warning: "warning",
  information: "info",
  info: "info",
  hint: "hint",
  off: "off",
  none: "off",
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const flag = (v: unknown, fallback: boolean) => (typeof v === "boolean" ? v : fallback);

/** A summary depth from a setting or a command argument: a whole number 1–999, else null. */
export function depthValue(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 999 ? v : null;
}

/**
 * The `cnn` section as a client sends it. Accepted shapes: VS Code's `{cnn: {…}}` (the
 * `settings` of `initializationOptions` and of `workspace/didChangeConfiguration`), the
 * section itself (`{inlayHints: …}`, what `workspace/configuration` answers for section
 * `cnn`), and dotted keys (`{"cnn.inlayHints.params": false}`, `{"inlayHints.params": …}`).
 */
export function cnnSection(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const section: Record<string, unknown> = {};
  const put = (path: string[], value: unknown) => {
    let at = section;
    for (const part of path.slice(0, -1)) {
      if (!isObject(at[part])) at[part] = {};
      at = at[part] as Record<string, unknown>;
    }
    const last = path[path.length - 1];
    if (isObject(value)) for (const [k, v] of Object.entries(value)) put([...path, ...k.split(".")], v);
    else at[last] = value;
  };
  const base = isObject(raw.cnn) ? raw.cnn : raw;
  for (const [key, value] of Object.entries(base)) if (key !== "cnn") put(key.replace(/^cnn\./, "").split("."), value);
  if (base !== raw) for (const [key, value] of Object.entries(raw)) if (key.startsWith("cnn.")) put(key.slice(4).split("."), value);
  return section;
}

/** The `cnn` section as a client sends it (nested objects), or undefined for defaults. */
export function readSettings(given: unknown): ServerSettings {
  const raw = cnnSection(given);
  if (!isObject(raw)) return defaultSettings;
  const severity: ServerSettings["severity"] = {};
  const diagnostics = raw.diagnostics;
  const table = isObject(diagnostics) ? diagnostics.severity : undefined;
  if (isObject(table)) {
    for (const code of diagnosticCodes) {
      const word = table[code];
      if (typeof word === "string" && severityWords[word.toLowerCase()]) severity[code] = severityWords[word.toLowerCase()];
    }
  }
  const hints = isObject(raw.inlayHints) ? raw.inlayHints : {};
  const lens = isObject(raw.codeLens) ? raw.codeLens : {};
  const run = isObject(raw.run) ? raw.run : {};
  return {
    severity,
    hints: {
      shape: flag(hints.shape, defaultSettings.hints.shape),
      params: flag(hints.params, defaultSettings.hints.params),
      macs: flag(hints.macs, defaultSettings.hints.macs),
    },
    shapeFormat: raw.shapeFormat === "CxHxW" ? "CxHxW" : "WxHxD",
    codeLens: flag(lens.enabled, defaultSettings.codeLens),
    summaryDepth: depthValue(isObject(raw.summary) ? raw.summary.depth : undefined) ?? defaultSettings.summaryDepth,
    run: {
      budgetMB: typeof run.memoryBudgetMB === "number" && Number.isFinite(run.memoryBudgetMB) && run.memoryBudgetMB >= 1 ? Math.min(1_000_000, Math.floor(run.memoryBudgetMB)) : null,
      seed: typeof run.seed === "number" && Number.isInteger(run.seed) && run.seed >= 0 && run.seed <= 4294967295 ? run.seed : 0,
    },
  };
}

export function analysisSettings(settings: ServerSettings): AnalysisSettings {
  return { severity: settings.severity };
}
