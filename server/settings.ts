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
}

export const defaultSettings: ServerSettings = {
  severity: {},
  hints: { shape: true, params: true, macs: false },
  shapeFormat: "WxHxD",
  codeLens: true,
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

/** The `cnn` section as a client sends it (nested objects), or undefined for defaults. */
export function readSettings(raw: unknown): ServerSettings {
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
  return {
    severity,
    hints: {
      shape: flag(hints.shape, defaultSettings.hints.shape),
      params: flag(hints.params, defaultSettings.hints.params),
      macs: flag(hints.macs, defaultSettings.hints.macs),
    },
    shapeFormat: raw.shapeFormat === "CxHxW" ? "CxHxW" : "WxHxD",
    codeLens: flag(lens.enabled, defaultSettings.codeLens),
  };
}

export function analysisSettings(settings: ServerSettings): AnalysisSettings {
  return { severity: settings.severity };
}
