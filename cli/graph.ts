// `cnn graph FILE [--network N] [--svg OUT.svg] [--png OUT.png] [--style flow|volume]
// [--expand auto|all|none|DEPTH] [--chw]`: the architecture as a figure. Without --svg or
// --png the SVG goes to standard output. A network with errors is drawn up to where it
// can be, its faulty layers marked; the diagnostics go to standard error and the exit
// status is 1, as `cnn summary`.

import { writeFileSync } from "node:fs";
import type { Analysis } from "../analysis";
import { diagnosticLines } from "./report";
import { buildDiagram } from "../diagram/build";
import { layoutDiagram, type LayoutOptions, type Style } from "../diagram/layout";
import { sceneToSvg } from "../diagram/svg";
import { svgToPng } from "../diagram/png";

export const graphUsage = `cnn graph FILE [--network NAME] [--svg OUT.svg] [--png OUT.png] [--style flow|volume]
            [--expand auto|all|none|DEPTH] [--chw] [--scale S]
                                      the architecture as a figure (SVG on stdout without --svg/--png)`;

class GraphUsage extends Error {}

interface GraphArgs {
  file: string;
  network?: string;
  svg?: string;
  png?: string;
  style: Style;
  expand: LayoutOptions["expand"];
  chw: boolean;
  scale: number;
}

const valued = ["--network", "--svg", "--png", "--style", "--expand", "--scale"];
const flags = ["--chw", "--volume"];

function parse(argv: string[]): GraphArgs {
  const files: string[] = [];
  const values = new Map<string, string>();
  const set = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--") || a === "-") {
      files.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (valued.includes(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new GraphUsage(`cnn graph: ${name} needs a value`);
      values.set(name, value);
    } else if (flags.includes(name) && eq < 0) set.add(name);
    else throw new GraphUsage(`cnn graph: unknown option ${a} (it takes ${[...valued.map((v) => `${v} …`), ...flags].join(", ")})`);
  }
  if (files.length !== 1) throw new GraphUsage("cnn graph: name one .cnn file");
  const styleText = values.get("--style") ?? (set.has("--volume") ? "volume" : "flow");
  if (styleText !== "flow" && styleText !== "volume") throw new GraphUsage(`cnn graph: --style is flow or volume, not \`${styleText}\``);
  const expandText = values.get("--expand") ?? "auto";
  let expand: LayoutOptions["expand"];
  if (expandText === "auto" || expandText === "all" || expandText === "none") expand = expandText;
  else if (/^\d{1,3}$/.test(expandText)) expand = Number(expandText);
  else throw new GraphUsage(`cnn graph: --expand is auto, all, none or a depth (0, 1, 2 …), not \`${expandText}\``);
  const scaleText = values.get("--scale") ?? "2";
  const scale = Number(scaleText);
  if (!/^\d+(\.\d+)?$/.test(scaleText) || !(scale > 0 && scale <= 8)) throw new GraphUsage(`cnn graph: --scale takes a number above 0 and at most 8 (PNG pixels per SVG unit), not \`${scaleText}\``);
  return { file: files[0], network: values.get("--network"), svg: values.get("--svg"), png: values.get("--png"), style: styleText, expand, chw: set.has("--chw"), scale };
}

async function graph(argv: string[], load: (file: string) => Analysis): Promise<number> {
  let args: GraphArgs;
  try {
    args = parse(argv);
  } catch (e) {
    if (e instanceof GraphUsage) {
      process.stderr.write(`${e.message}\n\nusage: ${graphUsage}\n`);
      return 2;
    }
    throw e;
  }
  const analysis = load(args.file);
  const networks = analysis.networks;
  const network = args.network === undefined ? networks[0] : networks.find((n) => n.name === args.network);
  if (!network) {
    const which = args.network === undefined ? `${args.file} defines no network` : `no network \`${args.network}\` in ${args.file} (it has: ${networks.map((n) => n.name).join(", ") || "none"})`;
    process.stderr.write(`cnn graph: ${which}\n`);
    return 2;
  }
  const diagram = buildDiagram(analysis, network);
  const scene = layoutDiagram(diagram, { style: args.style, expand: args.expand, shapeFormat: args.chw ? "CxHxW" : "WxHxD" });
  const svg = sceneToSvg(scene, { title: `${network.name} (${args.file})` });
  const errors = analysis.diagnostics.filter((d) => d.severity === "error").length;
  for (const line of diagnosticLines(args.file, analysis)) process.stderr.write(line + "\n");
  try {
    if (args.svg !== undefined) {
      if (args.svg === "-") process.stdout.write(svg);
      else writeFileSync(args.svg, svg);
    }
    if (args.png !== undefined) {
      const png = await svgToPng(svg, args.scale);
      if (args.png === "-") process.stdout.write(png);
      else writeFileSync(args.png, png);
    }
  } catch (e) {
    process.stderr.write(`cnn graph: ${(e as Error).message}\n`);
    return 1;
  }
  if (args.svg === undefined && args.png === undefined) process.stdout.write(svg);
  return errors > 0 ? 1 : 0;
}

export const graphCommand = {
  name: "graph",
  usage: graphUsage,
  run: (args: string[], load: (file: string) => Analysis): Promise<number> => graph(args, load),
};
