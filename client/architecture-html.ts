// The architecture view's page: a strict CSP with a fresh nonce (scripts and styles only
// with it), nothing remote, the bundle from dist/webview, styles from the theme.

import { nonce, webviewPage } from "./webview-page";

/** The page: a strict CSP with a fresh nonce (scripts and styles only with it), nothing remote; images only from data: (the PNG export draws the SVG). */
export function architectureHtml(cspSource: string, scriptUri: string, n = nonce()): string {
  return webviewPage({ title: "CNN architecture", scriptUri, style: STYLE, directives: ["img-src data:", `font-src ${cspSource}`] }, n);
}

// The page's styles: the figure's colours come from the theme (classes over the SVG's own
// print colours).
const STYLE = `
html, body { height: 100%; }
body { margin: 0; padding: 0; display: flex; flex-direction: column; overflow: hidden; font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground, #333333); background: var(--vscode-editor-background, #ffffff); }
.toolbar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; padding: 6px 10px; border-bottom: 1px solid var(--vscode-panel-border, transparent); }
.toolbar .title { font-weight: 600; margin-right: 4px; }
.toolbar .status { color: var(--vscode-descriptionForeground, #717171); font-size: 0.9em; font-variant-numeric: tabular-nums; }
.toolbar .status.has-errors { color: var(--vscode-errorForeground, #e51400); }
select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, transparent); font: inherit; padding: 1px 4px; }
button { background: var(--vscode-button-secondaryBackground, var(--vscode-button-background)); color: var(--vscode-button-secondaryForeground, var(--vscode-button-foreground)); border: none; padding: 3px 9px; cursor: pointer; font: inherit; }
button:hover { background: var(--vscode-button-secondaryHoverBackground, var(--vscode-button-hoverBackground)); }
[hidden] { display: none !important; }
:focus-visible { outline: 1px solid var(--vscode-focusBorder, #0078d4); }
.message { padding: 8px 12px; border-bottom: 1px solid var(--vscode-inputValidation-errorBorder, red); background: var(--vscode-inputValidation-errorBackground, transparent); white-space: pre-wrap; }
.viewport { position: relative; flex: 1; overflow: hidden; cursor: grab; touch-action: none; }
.viewport:active { cursor: grabbing; }
.content { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
.content svg { display: block; overflow: visible; }
svg text { fill: var(--vscode-foreground, #333333); }
svg text.muted, svg .frame-title, svg .frame-counts, svg .edge-label { fill: var(--vscode-descriptionForeground, #717171); }
svg .edge-label { stroke: var(--vscode-editor-background, #ffffff); }
svg .edge-line { stroke: var(--vscode-editorLineNumber-foreground, #8a8a8a); }
svg .edge-head { fill: var(--vscode-editorLineNumber-foreground, #8a8a8a); }
svg .edge.skip .edge-line { stroke-dasharray: 5 3; }
svg .frame-border { fill: var(--vscode-editor-background, #ffffff); fill-opacity: 1; stroke: var(--vscode-panel-border, var(--vscode-descriptionForeground, #717171)); }
svg .frame .frame-title { cursor: pointer; }
svg g.box { cursor: pointer; }
svg .box-shape, svg .box-stack, svg .box-side { fill-opacity: 0.22; }
svg .fam-conv .box-shape, svg .fam-conv .box-stack, svg .fam-conv .box-side { fill: var(--vscode-charts-blue, #4a7fc1); stroke: var(--vscode-charts-blue, #4a7fc1); }
svg .fam-pool .box-shape, svg .fam-pool .box-stack, svg .fam-pool .box-side { fill: var(--vscode-charts-orange, #d9822b); stroke: var(--vscode-charts-orange, #d9822b); }
svg .fam-norm .box-shape, svg .fam-norm .box-stack, svg .fam-norm .box-side { fill: var(--vscode-charts-green, #5a9e46); stroke: var(--vscode-charts-green, #5a9e46); }
svg .fam-act .box-shape, svg .fam-act .box-stack, svg .fam-act .box-side { fill: var(--vscode-charts-purple, #9c5bb5); stroke: var(--vscode-charts-purple, #9c5bb5); }
svg .fam-fc .box-shape, svg .fam-fc .box-stack, svg .fam-fc .box-side { fill: var(--vscode-charts-yellow, #b8921a); stroke: var(--vscode-charts-yellow, #b8921a); }
svg .fam-reg .box-shape, svg .fam-reg .box-stack, svg .fam-other .box-shape, svg .fam-reshape .box-shape { fill: var(--vscode-descriptionForeground, #717171); stroke: var(--vscode-descriptionForeground, #717171); }
svg .fam-input .box-shape, svg .fam-merge .box-shape, svg .fam-block .box-shape, svg .fam-block .box-stack { fill: var(--vscode-editor-background, #ffffff); fill-opacity: 1; stroke: var(--vscode-foreground, #333333); }
svg .box.unknown .box-shape { fill-opacity: 0.05; }
svg .box.fault-error .box-shape, svg .box.fault-error .box-stack, svg .frame[data-fault="error"] .frame-border { stroke: var(--vscode-editorError-foreground, var(--vscode-errorForeground, #e51400)); }
svg .box.fault-warning .box-shape { stroke: var(--vscode-editorWarning-foreground, #bf8803); }
svg .fault-badge { fill: var(--vscode-editorError-foreground, var(--vscode-errorForeground, #e51400)); }
svg .fault-warning .fault-badge { fill: var(--vscode-editorWarning-foreground, #bf8803); }
svg .fault-mark { fill: var(--vscode-editor-background, #ffffff); }
svg g.box.current .box-shape { stroke: var(--vscode-focusBorder, #0078d4); stroke-width: 3; }
svg g.frame.current .frame-border { stroke: var(--vscode-focusBorder, #0078d4); stroke-width: 2; }
svg g.box:hover .box-shape { stroke-width: 2.2; }
`;
