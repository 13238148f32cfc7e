// The Train section's styles (webview/train), in the run view's nonce'd style sheet:
// VS Code's theme variables only, so light, dark and high-contrast themes all read.

export const TRAIN_STYLE = `
details.train { margin: 12px 0 16px; border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #8884)); padding: 8px 10px; }
details.train > summary { cursor: pointer; }
details.train > summary .inline { display: inline; }
h3 { font-size: 1em; margin: 0 0 6px; font-weight: 600; }
button.secondary { background: var(--vscode-button-secondaryBackground, var(--vscode-button-background)); color: var(--vscode-button-secondaryForeground, var(--vscode-button-foreground)); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground, var(--vscode-button-hoverBackground)); }
.over { color: var(--vscode-errorForeground); }
.plots { display: flex; gap: 16px; flex-wrap: wrap; margin: 8px 0; }
.plot-box { margin: 0; flex: 1 1 320px; min-width: 260px; max-width: 560px; }
.plot-box figcaption { font-weight: 600; margin-bottom: 2px; }
canvas.plot { width: 100%; height: 200px; display: block; }
.plot-legend { flex-wrap: wrap; gap: 12px; }
.legend-item { display: inline-flex; align-items: center; gap: 4px; }
.swatch { display: inline-block; width: 14px; height: 3px; }
table.epochs { border-collapse: collapse; margin: 4px 0 10px; font-variant-numeric: tabular-nums; }
table.epochs th, table.epochs td { padding: 1px 10px 1px 0; text-align: right; }
table.epochs th { color: var(--vscode-descriptionForeground); font-weight: normal; }
.weights-line { margin-top: 4px; }
.train-results { display: flex; gap: 16px; flex-wrap: wrap; margin-top: 8px; }
.train-results .card { flex: 1 1 300px; overflow-x: auto; }
.train-results .card.wide { flex: 0 1 auto; }
table.confusion { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 6px 0; }
table.confusion th, table.confusion td { padding: 2px 5px; text-align: right; min-width: 2.2em; }
table.confusion th { color: var(--vscode-descriptionForeground); font-weight: normal; }
table.confusion th.corner { font-size: 0.85em; }
table.confusion td.hit { background: color-mix(in srgb, var(--vscode-charts-green, #388a34) calc(var(--share, 0) * 70%), transparent); }
table.confusion td.miss { background: color-mix(in srgb, var(--vscode-charts-red, #e51400) calc(min(1, var(--share, 0) * 4) * 70%), transparent); cursor: pointer; }
table.confusion td.zero { color: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); }
table.confusion td.rate { color: var(--vscode-descriptionForeground); }
table.confusion td.total { font-weight: 600; color: var(--vscode-foreground); }
.mistakes { display: flex; flex-wrap: wrap; gap: 6px; max-height: 420px; overflow: auto; }
.mistake { margin: 0; text-align: center; font-size: 0.85em; font-variant-numeric: tabular-nums; }
.mistake-picture { height: 56px; width: auto; image-rendering: pixelated; display: block; border: 1px solid var(--vscode-panel-border, #8884); }
canvas.filters { image-rendering: pixelated; display: block; margin-top: 6px; max-width: 100%; }
`;
