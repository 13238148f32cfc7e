// The run view's page: a strict CSP with a fresh nonce (scripts and styles only with it;
// WebAssembly allowed for faster kernels; the engine Worker from a blob: URL), the
// bundle from dist/webview, and styles from VS Code's theme variables.

import { randomBytes } from "node:crypto";
import { TRAIN_STYLE } from "./train-style";

export interface PageParts {
  cspSource: string;
  scriptUri: string;
  workerUri: string;
}

export function nonce(): string {
  return randomBytes(18).toString("base64").replace(/[^A-Za-z0-9]/g, "");
}

function attribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

export function runViewHtml(parts: PageParts, n = nonce()): string {
  const csp = [
    "default-src 'none'",
    `img-src ${parts.cspSource} data: blob:`,
    `style-src 'nonce-${n}'`,
    `script-src 'nonce-${n}' 'wasm-unsafe-eval'`,
    "worker-src blob:",
    `connect-src ${parts.cspSource}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>CNN run</title>
<style nonce="${n}">${STYLE}${TRAIN_STYLE}</style>
</head>
<body data-worker="${attribute(parts.workerUri)}">
<script nonce="${n}" src="${attribute(parts.scriptUri)}"></script>
</body>
</html>`;
}

const STYLE = `
:root {
  /* a track (progress, top-5 bars) that shows in dark, light and high-contrast themes alike:
     the scrollbar's translucent grey, not the input background (white on white in light themes) */
  --cnn-track: var(--vscode-scrollbarSlider-background, rgba(128, 128, 128, 0.3));
  --cnn-track-edge: var(--vscode-contrastBorder, var(--vscode-widget-border, rgba(128, 128, 128, 0.45)));
}
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); margin: 0; padding: 12px 16px 40px; }
h1 { font-size: 1.3em; margin: 0; }
h2 { font-size: 1em; margin: 0 0 8px; font-weight: 600; }
header { position: sticky; top: 0; z-index: 2; background: var(--vscode-editor-background); padding-bottom: 8px; border-bottom: 1px solid var(--vscode-panel-border, transparent); }
.titles { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
.meta, .caption, .note { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.controls { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
select, input { background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 2px 4px; font: inherit; }
input[type=number] { width: 7em; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; cursor: pointer; font: inherit; }
button:hover { background: var(--vscode-button-hoverBackground); }
button:disabled { opacity: 0.5; cursor: default; }
button.link { background: none; color: var(--vscode-textLink-foreground); padding: 0; }
button.link:hover { text-decoration: underline; }
:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.progress { position: relative; height: 18px; background: var(--cnn-track); overflow: hidden; }
.progress .bar { position: absolute; left: 0; top: 0; bottom: 0; width: 0; background: var(--vscode-progressBar-background); opacity: 0.6; transition: width 0.1s; }
.progress .progress-text { position: relative; padding-left: 6px; font-size: 0.9em; }
.error { margin-top: 8px; padding: 6px 8px; border: 1px solid var(--vscode-inputValidation-errorBorder, red); background: var(--vscode-inputValidation-errorBackground, transparent); white-space: pre-wrap; }
.top { display: flex; gap: 16px; flex-wrap: wrap; margin: 12px 0; }
.card { border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #8884)); padding: 10px; min-width: 260px; }
.input-picture { width: 140px; image-rendering: pixelated; display: block; }
.pad { width: 224px; height: 224px; image-rendering: pixelated; touch-action: none; cursor: crosshair; border: 1px solid var(--vscode-focusBorder); display: block; margin-top: 8px; }
.top5 { display: grid; gap: 4px; margin-bottom: 6px; }
.top5-row { display: grid; grid-template-columns: 1.6em minmax(5.5em, 14em) 160px 5em; align-items: center; gap: 6px; }
.top5-row .class { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.untrained { margin: 0 0 8px; padding: 6px 8px; border-left: 3px solid var(--vscode-editorWarning-foreground, orange); background: var(--vscode-textBlockQuote-background, transparent); }
.untrained ul { margin: 4px 0 0; padding-left: 1.2em; }
.top5-row .track { height: 10px; background: var(--cnn-track); box-shadow: inset 0 0 0 1px var(--cnn-track-edge); }
.top5-row .fill { display: block; height: 100%; background: var(--vscode-charts-blue, var(--vscode-progressBar-background)); }
.top5-row .pct { text-align: right; font-variant-numeric: tabular-nums; }
.total { margin-top: 6px; font-weight: 600; }
.layers { display: grid; gap: 14px; }
.layer-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.layer-name { font-weight: 600; }
.layer-path .segment, .layer-path .sep { color: var(--vscode-descriptionForeground); }
.layers-toolbar { display: flex; gap: 14px; margin: 0 0 6px; font-size: 0.9em; }
details.block-use { border-left: 2px solid var(--cnn-track); padding-left: 8px; margin: 2px 0 4px; }
details.block-use > summary { cursor: pointer; display: flex; gap: 10px; align-items: baseline; padding: 2px 0; list-style: none; }
details.block-use > summary::-webkit-details-marker { display: none; }
details.block-use > summary::before { content: "▸"; width: 0.8em; color: var(--vscode-descriptionForeground); }
details.block-use[open] > summary::before { content: "▾"; }
details.block-use > summary .group-name { font-weight: 600; }
details.block-use > summary .group-block, details.block-use > summary .group-stat { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.group-body { display: grid; gap: 14px; padding: 4px 0 6px; }
svg.vector { display: block; max-width: 100%; overflow: visible; }
svg.vector .zero { stroke: var(--vscode-descriptionForeground); stroke-width: 1; opacity: 0.6; }
svg.vector .tick, svg.vector .value { fill: var(--vscode-descriptionForeground); font-size: 10px; font-family: var(--vscode-font-family); font-variant-numeric: tabular-nums; }
svg.vector .value { fill: var(--vscode-foreground); }
.shape, .ms { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.time-bar { height: 3px; width: 0; background: var(--vscode-charts-orange, var(--vscode-progressBar-background)); margin: 3px 0 5px; }
.heatmap { image-rendering: pixelated; cursor: zoom-in; display: block; max-width: 100%; }
.legend { display: flex; gap: 6px; align-items: center; font-size: 0.85em; margin-top: 3px; font-variant-numeric: tabular-nums; }
.legend .ramp { display: inline-block; width: 90px; height: 8px; }
.zoom { position: fixed; inset: 0; background: rgba(0, 0, 0, 0.55); display: flex; align-items: center; justify-content: center; z-index: 5; }
.zoom[hidden], [hidden] { display: none !important; }
.zoom-box { background: var(--vscode-editor-background); padding: 12px; border: 1px solid var(--vscode-focusBorder); }
.zoom-canvas { image-rendering: pixelated; display: block; margin: 8px 0; }
.tooltip { position: fixed; z-index: 10; pointer-events: none; background: var(--vscode-editorHoverWidget-background); color: var(--vscode-editorHoverWidget-foreground, inherit); border: 1px solid var(--vscode-editorHoverWidget-border); padding: 2px 6px; font-size: 0.9em; font-variant-numeric: tabular-nums; }
`;
