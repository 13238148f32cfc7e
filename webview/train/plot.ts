// Line plots on a canvas, drawn by hand: the loss per few batches and the accuracies.
// No charting library: two small plots of at most a few thousand points each need
// scales, round ticks, lines and dots — about what a library's options would take to set,
// without another bundle to review for the webview's CSP (no inline styles, no eval) and
// with the theme's own colours. The geometry (`layoutPlot`, `niceTicks`, `smooth`) is pure
// and tested without a browser; `drawPlot` only paints what the layout says.

export type Point = [number, number];

export interface Series {
  label: string;
  points: Point[];
  /** a CSS colour */
  color: string;
  /** line width in CSS pixels (0: dots only) */
  width?: number;
  /** draw a dot at every point */
  dots?: boolean;
  /** 0–1 */
  alpha?: number;
}

export interface PlotOptions {
  xLabel: string;
  yLabel: string;
  /** the x axis spans [xMin, xMax] at least (e.g. every step to come) */
  xMin?: number;
  xMax?: number;
  /** the y axis spans [yMin, yMax] at least; without yMax, the data's largest value (rounded up) */
  yMin?: number;
  yMax?: number;
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** faint vertical lines (epoch boundaries) */
  marks?: number[];
}

export interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  font: string;
}

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
}

export interface Layout {
  /** the plotting area in CSS pixels */
  left: number;
  top: number;
  right: number;
  bottom: number;
  x: Axis;
  y: Axis;
  px(x: number): number;
  py(y: number): number;
}

/** Round tick values (1, 2 or 5 × 10ⁿ apart) covering [lo, hi], about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/** the smallest round number ≥ v (1, 2, 2.5, 5 × 10ⁿ) */
export function roundUp(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * power >= v * (1 - 1e-12)) return m * power;
  return 10 * power;
}

/** An exponential moving average, bias-corrected as TensorBoard's smoothing (weight 0…1). */
export function smooth(points: Point[], weight: number): Point[] {
  const out: Point[] = [];
  let last = 0;
  let debias = 0;
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) {
      out.push([x, y]);
      continue;
    }
    last = last * weight + (1 - weight) * y;
    debias = debias * weight + (1 - weight);
    out.push([x, last / debias]);
  }
  return out;
}

const MARGIN = { left: 46, right: 12, top: 10, bottom: 34 };

/** Where everything goes on a width × height plot (CSS pixels). */
export function layoutPlot(series: Series[], options: PlotOptions, width: number, height: number): Layout {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (Number.isFinite(x)) xs.push(x);
      if (Number.isFinite(y)) ys.push(y);
    }
  }
  let xMin = Math.min(options.xMin ?? Infinity, ...xs);
  let xMax = Math.max(options.xMax ?? -Infinity, ...xs);
  if (!Number.isFinite(xMin)) xMin = 0;
  if (!Number.isFinite(xMax)) xMax = 1;
  if (xMax === xMin) xMax = xMin + 1;
  let yMin = Math.min(options.yMin ?? Infinity, ...ys);
  if (!Number.isFinite(yMin)) yMin = 0;
  let yMax = options.yMax ?? (ys.length ? roundUp(Math.max(...ys)) : 1);
  if (ys.length && options.yMax !== undefined) yMax = Math.max(yMax, ...ys);
  if (yMax <= yMin) yMax = yMin + 1;
  const left = MARGIN.left;
  const top = MARGIN.top;
  const right = Math.max(left + 1, width - MARGIN.right);
  const bottom = Math.max(top + 1, height - MARGIN.bottom);
  const px = (x: number) => left + ((x - xMin) / (xMax - xMin)) * (right - left);
  const py = (y: number) => bottom - ((y - yMin) / (yMax - yMin)) * (bottom - top);
  const xTarget = Math.max(2, Math.floor((right - left) / 70));
  const yTarget = Math.max(2, Math.floor((bottom - top) / 30));
  return { left, top, right, bottom, x: { min: xMin, max: xMax, ticks: niceTicks(xMin, xMax, xTarget) }, y: { min: yMin, max: yMax, ticks: niceTicks(yMin, yMax, yTarget) }, px, py };
}

/** The lines of a series in CSS pixels: broken where a value is not finite (a diverged loss). */
export function seriesPaths(series: Series, layout: Layout): Point[][] {
  const paths: Point[][] = [];
  let current: Point[] = [];
  for (const [x, y] of series.points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (current.length) paths.push(current);
      current = [];
      continue;
    }
    current.push([layout.px(x), layout.py(y)]);
  }
  if (current.length) paths.push(current);
  return paths;
}

const plain = (v: number) => String(Number(v.toPrecision(4)));

/** Paints the plot onto the canvas at its CSS size (sharp on high-DPI screens). */
export function drawPlot(canvas: HTMLCanvasElement, series: Series[], options: PlotOptions, theme: Theme): Layout {
  const width = canvas.clientWidth || 360;
  const height = canvas.clientHeight || 200;
  const ratio = globalThis.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const layout = layoutPlot(series, options, width, height);
  const ctx = canvas.getContext("2d");
  if (!ctx) return layout;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = theme.font;
  ctx.lineWidth = 1;
  // grid and ticks
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const yFormat = options.yFormat ?? plain;
  const xFormat = options.xFormat ?? plain;
  for (const t of layout.y.ticks) {
    const y = Math.round(layout.py(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(layout.left, y);
    ctx.lineTo(layout.right, y);
    ctx.stroke();
    ctx.fillText(yFormat(t), layout.left - 5, y);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of layout.x.ticks) {
    const x = Math.round(layout.px(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, layout.bottom);
    ctx.lineTo(x, layout.bottom + 4);
    ctx.stroke();
    ctx.fillText(xFormat(t), x, layout.bottom + 6);
  }
  ctx.setLineDash([2, 3]);
  // marks closer than a few pixels would fill the plot (a thousand epochs): then none
  const marks = (options.marks ?? []).filter((m) => m > layout.x.min && m < layout.x.max);
  const crowded = marks.length > 1 && (layout.right - layout.left) / (marks.length + 1) < 6;
  for (const m of crowded ? [] : marks) {
    if (m <= layout.x.min || m >= layout.x.max) continue;
    const x = Math.round(layout.px(m)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, layout.top);
    ctx.lineTo(x, layout.bottom);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.strokeStyle = theme.muted;
  ctx.beginPath();
  ctx.moveTo(layout.left + 0.5, layout.top);
  ctx.lineTo(layout.left + 0.5, layout.bottom + 0.5);
  ctx.lineTo(layout.right, layout.bottom + 0.5);
  ctx.stroke();
  // axis names
  ctx.fillStyle = theme.muted;
  ctx.textAlign = "right";
  ctx.textBaseline = "bottom";
  ctx.fillText(options.xLabel, layout.right, height - 1);
  ctx.save();
  ctx.translate(11, layout.top);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  ctx.fillText(options.yLabel, 0, 0);
  ctx.restore();
  // the series, clipped to the plotting area
  ctx.save();
  ctx.beginPath();
  ctx.rect(layout.left, layout.top - 4, layout.right - layout.left + 4, layout.bottom - layout.top + 8);
  ctx.clip();
  for (const s of series) {
    ctx.globalAlpha = s.alpha ?? 1;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = s.width ?? 1.5;
    ctx.lineJoin = "round";
    for (const path of seriesPaths(s, layout)) {
      if ((s.width ?? 1.5) > 0 && path.length > 1) {
        ctx.beginPath();
        ctx.moveTo(path[0][0], path[0][1]);
        for (let i = 1; i < path.length; i++) ctx.lineTo(path[i][0], path[i][1]);
        ctx.stroke();
      }
      if (s.dots || path.length === 1) {
        for (const [x, y] of path) {
          ctx.beginPath();
          ctx.arc(x, y, 3, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
  }
  ctx.restore();
  ctx.globalAlpha = 1;
  return layout;
}

/** The theme's colours, read from VS Code's CSS variables on the page. */
export function themeOf(element: Element): Theme & { series: string[] } {
  const style = getComputedStyle(element);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    foreground: v("--vscode-foreground", "#ccc"),
    muted: v("--vscode-descriptionForeground", "#999"),
    grid: v("--vscode-editorWidget-border", v("--vscode-panel-border", "#8884")),
    background: v("--vscode-editor-background", "#1e1e1e"),
    font: `${v("--vscode-font-size", "12px").replace(/^(\d+)$/, "$1px")} ${v("--vscode-font-family", "sans-serif")}`.replace(/^(\d+(\.\d+)?px)/, (m) => `${Math.max(10, parseFloat(m) - 1)}px`),
    series: [v("--vscode-charts-blue", "#3794ff"), v("--vscode-charts-orange", "#d18616"), v("--vscode-charts-green", "#89d185"), v("--vscode-charts-red", "#f14c4c"), v("--vscode-charts-purple", "#b180d7")],
  };
}
