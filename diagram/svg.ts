// A laid-out scene as SVG text: self-contained (no external reference, no script, no
// style attribute — colours are presentation attributes, so the view's stylesheet can
// re-colour them by class for the editor's theme), generic font families, a light
// background for print. The CLI writes it to a file; the view puts it in its page.

import type { Point, Scene, SceneBox, SceneEdge, SceneFrame } from "./layout";

export const FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";

interface Colours {
  fill: string;
  stroke: string;
}

/** light, print-safe colours per family (the view re-colours by class) */
export const palette: Record<string, Colours> = {
  conv: { fill: "#dce9f9", stroke: "#4a7fc1" },
  pool: { fill: "#fde7cf", stroke: "#d9822b" },
  norm: { fill: "#e3f2dc", stroke: "#5a9e46" },
  act: { fill: "#f1e4f5", stroke: "#9c5bb5" },
  fc: { fill: "#fff1bf", stroke: "#b8921a" },
  reg: { fill: "#ececec", stroke: "#8f8f8f" },
  reshape: { fill: "#dff1ef", stroke: "#3d9a8f" },
  input: { fill: "#ffffff", stroke: "#4d4d4d" },
  merge: { fill: "#ffffff", stroke: "#4d4d4d" },
  block: { fill: "#eceff6", stroke: "#5b6b8c" },
  other: { fill: "#f3f3f3", stroke: "#888888" },
};

const TEXT = "#1f2328";
const MUTED = "#5c6370";
const EDGE = "#6b7280";
const ERROR = "#d1242f";
const WARNING = "#c08000";
const FRAME_STROKE = "#aab2c0";
const FRAME_FILL = "#f7f8fa";

export interface SvgOptions {
  /** a title for the figure (the SVG's <title>) */
  title?: string;
  /** leave out the background (the view draws its own) */
  transparent?: boolean;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const n = (x: number) => (Math.round(x * 10) / 10).toString();

/** a smooth path through the points (a uniform cubic B-spline, clamped at both ends) */
export function edgePath(points: Point[]): string {
  if (points.length === 0) return "";
  if (points.length === 2) return `M${n(points[0].x)},${n(points[0].y)}L${n(points[1].x)},${n(points[1].y)}`;
  let d = `M${n(points[0].x)},${n(points[0].y)}`;
  const p = [points[0], ...points, points[points.length - 1]];
  d += `L${n((5 * p[0].x + p[1].x) / 6)},${n((5 * p[0].y + p[1].y) / 6)}`;
  for (let i = 1; i < p.length - 2; i++) {
    const a = p[i - 1];
    const b = p[i];
    const c = p[i + 1];
    void a;
    const c1 = { x: (2 * b.x + c.x) / 3, y: (2 * b.y + c.y) / 3 };
    const c2 = { x: (b.x + 2 * c.x) / 3, y: (b.y + 2 * c.y) / 3 };
    const next = p[i + 2];
    const end = { x: (b.x + 4 * c.x + next.x) / 6, y: (b.y + 4 * c.y + next.y) / 6 };
    d += `C${n(c1.x)},${n(c1.y)} ${n(c2.x)},${n(c2.y)} ${n(end.x)},${n(end.y)}`;
  }
  const last = points[points.length - 1];
  d += `L${n(last.x)},${n(last.y)}`;
  return d;
}

function arrowHead(points: Point[]): string {
  const tip = points[points.length - 1];
  let from = points[points.length - 2];
  for (let i = points.length - 2; i >= 0; i--) {
    from = points[i];
    if (Math.hypot(tip.x - from.x, tip.y - from.y) > 0.5) break;
  }
  const len = Math.hypot(tip.x - from.x, tip.y - from.y) || 1;
  const ux = (tip.x - from.x) / len;
  const uy = (tip.y - from.y) / len;
  const size = 6;
  const bx = tip.x - ux * size;
  const by = tip.y - uy * size;
  return `M${n(tip.x)},${n(tip.y)}L${n(bx - uy * size * 0.5)},${n(by + ux * size * 0.5)}L${n(bx + uy * size * 0.5)},${n(by - ux * size * 0.5)}Z`;
}

function frameSvg(f: SceneFrame): string {
  const fault = f.fault ? ` data-fault="${f.fault.severity}"` : "";
  const stroke = f.fault?.severity === "error" ? ERROR : FRAME_STROKE;
  return (
    `<g class="frame frame-${escapeXml(f.kind)}" data-key="${escapeXml(f.key)}" data-start="${f.start}" data-line="${f.line}"${fault}>` +
    `<title>${escapeXml(`line ${f.line}: ${f.title}${f.counts ? "\n" + f.counts : ""}${f.fault ? `\n${f.fault.severity}: ${f.fault.message}` : ""}`)}</title>` +
    `<rect class="frame-border" x="${n(f.x)}" y="${n(f.y)}" width="${n(f.w)}" height="${n(f.h)}" rx="6" fill="${FRAME_FILL}" fill-opacity="0.6" stroke="${stroke}" stroke-dasharray="4 3"/>` +
    `<text class="frame-title" x="${n(f.x + 8)}" y="${n(f.y + 14)}" font-size="10.5" font-weight="bold" fill="${MUTED}">` +
    `<tspan class="toggle">− </tspan>${escapeXml(f.title)}</text>` +
    (f.counts ? `<text class="frame-counts muted" x="${n(f.x + 8)}" y="${n(f.y + f.h - 6)}" font-size="10" fill="${MUTED}">${escapeXml(f.counts)}</text>` : "") +
    `</g>`
  );
}

function edgeSvg(e: SceneEdge): string {
  if (e.points.length < 2) return "";
  const cls = `edge${e.skip ? " skip" : ""}`;
  let out = `<g class="${cls}" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}"${e.label !== null ? ` data-shape="${escapeXml(e.label)}"` : ""}>`;
  out += `<path class="edge-line" d="${edgePath(e.points)}" fill="none" stroke="${EDGE}" stroke-width="1.3"/>`;
  out += `<path class="edge-head" d="${arrowHead(e.points)}" fill="${EDGE}"/>`;
  if (e.label !== null) {
    out += `<text class="edge-label" x="${n(e.lx)}" y="${n(e.ly + 3.5)}" font-size="10" text-anchor="middle" fill="${MUTED}" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">${escapeXml(e.label)}</text>`;
  }
  return out + `</g>`;
}

function boxSvg(b: SceneBox): string {
  const colours = palette[b.family] ?? palette.other;
  const classes = [`box`, `fam-${b.family}`, `kind-${b.kind}`];
  if (b.closed) classes.push("closed");
  if (b.merge) classes.push("merge");
  if (b.unknown) classes.push("unknown");
  if (b.fault) classes.push(`fault-${b.fault.severity}`);
  const stroke = b.fault?.severity === "error" ? ERROR : b.fault?.severity === "warning" ? WARNING : colours.stroke;
  const width = b.fault ? 2 : 1.2;
  const dash = b.unknown && !b.fault ? ` stroke-dasharray="4 2"` : "";
  const node = b.node !== null ? ` data-node="${b.node}"` : "";
  let out = `<g class="${escapeXml(classes.join(" "))}" data-key="${escapeXml(b.key)}" data-start="${b.start}" data-end="${b.end}" data-line="${b.line}"${node} data-output="${escapeXml(b.output)}">`;
  out += `<title>${escapeXml(b.tooltip)}</title>`;
  if (b.volume) out += volumeSvg(b, colours, stroke, width, dash);
  else {
    if (b.closed) {
      // a closed frame: a second outline behind it, a stack of layers
      out += `<rect class="box-stack" x="${n(b.x + 3)}" y="${n(b.y + 3)}" width="${n(b.w)}" height="${n(b.h)}" rx="4" fill="${colours.fill}" stroke="${stroke}" stroke-width="${width}"${dash}/>`;
    }
    const rx = b.merge ? b.h / 2 : 4;
    out += `<rect class="box-shape" x="${n(b.x)}" y="${n(b.y)}" width="${n(b.w)}" height="${n(b.h)}" rx="${n(rx)}" fill="${b.unknown ? "#ffffff" : colours.fill}" stroke="${stroke}" stroke-width="${width}"${dash}/>`;
    let y = b.y + (b.merge ? 15 : 5);
    for (const line of b.lines) {
      y += b.merge ? 0 : line.size === 12 ? 13 : 11.5;
      const weight = line.bold ? ` font-weight="bold"` : "";
      out += `<text class="${line.muted ? "muted" : "text"}" x="${n(b.x + b.w / 2 - (b.closed ? 6 : 0))}" y="${n(y)}" font-size="${line.size}" text-anchor="middle"${weight} fill="${line.muted || b.unknown ? MUTED : TEXT}">${escapeXml(line.text)}</text>`;
      y += b.merge ? 0 : line.size === 12 ? 2 : 1.5;
    }
    if (b.closed) out += `<text class="toggle" x="${n(b.x + b.w - 10)}" y="${n(b.y + 14)}" font-size="12" font-weight="bold" text-anchor="middle" fill="${MUTED}">+</text>`;
  }
  if (b.fault) {
    const colour = b.fault.severity === "error" ? ERROR : WARNING;
    out += `<circle class="fault-badge" cx="${n(b.x + b.w)}" cy="${n(b.y)}" r="6.5" fill="${colour}"/><text class="fault-mark" x="${n(b.x + b.w)}" y="${n(b.y + 3.5)}" font-size="10" font-weight="bold" text-anchor="middle" fill="#ffffff">!</text>`;
  }
  return out + `</g>`;
}

function volumeSvg(b: SceneBox, colours: Colours, stroke: string, width: number, dash: string): string {
  const v = b.volume!;
  const cx = b.x + b.w / 2;
  const x0 = cx - (v.thick + v.depth) / 2;
  const top = b.y + 14 * (b.lines.length - 1) + 6 + v.depth;
  const face = `M${n(x0)},${n(top)}h${n(v.thick)}v${n(v.face)}h${n(-v.thick)}Z`;
  const lid = `M${n(x0)},${n(top)}l${n(v.depth)},${n(-v.depth)}h${n(v.thick)}l${n(-v.depth)},${n(v.depth)}Z`;
  const side = `M${n(x0 + v.thick)},${n(top)}l${n(v.depth)},${n(-v.depth)}v${n(v.face)}l${n(-v.depth)},${n(v.depth)}Z`;
  const attrs = `stroke="${stroke}" stroke-width="${width}" stroke-linejoin="round"${dash}`;
  let out = `<path class="box-shape" d="${face}" fill="${colours.fill}" ${attrs}/>`;
  out += `<path class="box-side" d="${lid}" fill="${colours.fill}" fill-opacity="0.75" ${attrs}/>`;
  out += `<path class="box-side" d="${side}" fill="${colours.stroke}" fill-opacity="0.35" ${attrs}/>`;
  // the kind above, the shape below: `55×55×96`
  let y = b.y + 10;
  for (const line of b.lines.slice(0, -1)) {
    out += `<text class="${line.muted ? "muted" : "text"}" x="${n(cx)}" y="${n(y)}" font-size="${line.size}" text-anchor="middle"${line.bold ? ` font-weight="bold"` : ""} fill="${line.muted ? MUTED : TEXT}">${escapeXml(line.text)}</text>`;
    y += 14;
  }
  const last = b.lines[b.lines.length - 1];
  out += `<text class="text volume-shape" x="${n(cx)}" y="${n(top + v.face + 14)}" font-size="${last.size}" text-anchor="middle" fill="${TEXT}">${escapeXml(last.text)}</text>`;
  return out;
}

export function sceneToSvg(scene: Scene, options: SvgOptions = {}): string {
  const w = Math.max(1, scene.width);
  const h = Math.max(1, scene.height);
  const parts: string[] = [];
  parts.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="cnn-diagram style-${scene.style}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${escapeXml(FONT_FAMILY)}">`,
  );
  if (options.title) parts.push(`<title>${escapeXml(options.title)}</title>`);
  if (!options.transparent) parts.push(`<rect class="background" x="0" y="0" width="${w}" height="${h}" fill="#ffffff"/>`);
  // outer frames first, so inner ones are drawn over them
  const frames = [...scene.frames].sort((a, b) => a.depth - b.depth);
  parts.push(`<g class="frames">${frames.map(frameSvg).join("")}</g>`);
  parts.push(`<g class="edges">${scene.edges.map(edgeSvg).join("")}</g>`);
  parts.push(`<g class="boxes">${scene.boxes.map(boxSvg).join("")}</g>`);
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}
