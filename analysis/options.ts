// Option values (`stride 2`, `pad same`, `weights [[…]]`, …) resolved to numbers.
// Which layer accepts which option is the catalog's business (layers.ts); how each
// option's value is written and checked is here, once for every layer.

import type { OptionNode, Span } from "../grammar";
import { printable } from "../grammar";
import { isSampleName, patternSamples, pictureExtensions, sampleCatalog } from "./samples";
import { suggest } from "./suggest";
import { evaluate, evaluateDims, evaluateInt, flattenList, singleExpr, type NestedList, type Report, type Scope } from "./values";

export type PadSetting = { mode: "explicit"; w: number; h: number } | { mode: "same" } | { mode: "valid" };

export interface ResolvedOptions {
  stride?: [number, number];
  pad?: PadSetting;
  dilation?: [number, number];
  groups?: number;
  outpad?: [number, number];
  multiplier?: number;
  eps?: number;
  init?: number;
  nobias: boolean;
  floor: boolean;
  ceil: boolean;
  weights?: NestedList;
  bias?: NestedList;
  data?: NestedList;
  sample?: { name: string } | { path: string };
  /** input: per-channel normalization, (x − mean)/std */
  mean?: number[];
  std?: number[];
  /** input: a picture's values as 1 − x (dark ink on light paper, read as MNIST's light on dark) */
  invert: boolean;
  /** input: what the output's classes are called */
  classes?: { name: string } | { path: string };
  /** the span of each option as written */
  spans: Partial<Record<OptionName, Span>>;
  /** options whose value is not known here: an error reported, or a block parameter checked on its own */
  failed: OptionName[];
}

export type OptionName =
  | "stride"
  | "pad"
  | "dilation"
  | "groups"
  | "outpad"
  | "multiplier"
  | "eps"
  | "init"
  | "nobias"
  | "floor"
  | "ceil"
  | "weights"
  | "bias"
  | "data"
  | "sample"
  | "mean"
  | "std"
  | "invert"
  | "classes";

/** One line of documentation per option, for hover and completion. */
export const optionDocs: Record<OptionName, { usage: string; doc: string }> = {
  stride: { usage: "stride S | stride Sw x Sh", doc: "step of the filter; default 1 (pools: F)" },
  pad: { usage: "pad P | pad Pw x Ph | pad same | pad valid", doc: "zero padding; `same` keeps W₂ = ⌈W₁/S⌉ (TensorFlow), `valid` is 0" },
  dilation: { usage: "dilation d", doc: "spacing between filter taps: F' = d·(F−1)+1" },
  groups: { usage: "groups G", doc: "split depth into G groups; D₁ and K must be divisible by G" },
  outpad: { usage: "outpad A", doc: "extra rows/columns on one side of a transposed conv's output; A < S" },
  multiplier: { usage: "multiplier M", doc: "depthwise: M filters per input channel, K = D₁·M" },
  eps: { usage: "eps E", doc: "the ε added to the variance (bn, layernorm); default 1e-5" },
  init: { usage: "init v", doc: "layerscale: the value every factor starts at; default 1e-6 (ConvNeXt)" },
  nobias: { usage: "nobias", doc: "no bias terms (as `bias=False` in PyTorch)" },
  floor: { usage: "floor", doc: "accept a stride that doesn't fit: round the output size down (PyTorch's default)" },
  ceil: { usage: "ceil", doc: "pools: round the output size up (PyTorch `ceil_mode=True`)" },
  weights: { usage: "weights [[…]]", doc: "literal filter values [F_h][F_w] or [D][F_h][F_w], for K = 1" },
  bias: { usage: "bias v", doc: "literal bias value(s)" },
  data: { usage: "data [[…]]", doc: "literal input values [H][W] or [D][H][W], top row first" },
  sample: { usage: "sample NAME | sample \"file.png\"", doc: "which sample input the run view uses" },
  mean: { usage: "mean [m₁, …] | mean m", doc: "a picture is normalized as (x − mean)/std after scaling to [0, 1] (torchvision's Normalize); one value per channel or one for all" },
  std: { usage: "std [s₁, …] | std s", doc: "see `mean`; ImageNet: `mean [0.485, 0.456, 0.406] std [0.229, 0.224, 0.225]`" },
  invert: { usage: "invert", doc: "a picture is read as 1 − x: dark digits on white paper become MNIST's white on black" },
  classes: { usage: "classes digits | classes imagenet | classes \"names.txt\"", doc: "what the output's classes are called: the 10 digits, ImageNet's 1,000 classes, or a file of one name a line" },
};

const pair = (v: (number | null)[] | null): [number, number] | null | undefined =>
  v === null ? null : v.includes(null) ? null : v.length === 1 ? [v[0]!, v[0]!] : [v[0]!, v[1]!];

/** An option written without its value is reported; true when so. */
function missing(option: OptionNode, name: OptionName, report: Report): boolean {
  if (!option.value) report("bad-value", option, `\`${name}\` needs a value: ${optionDocs[name].usage}`);
  return !option.value;
}

/** What a layer written without options has: shared, never written to. */
const noOptions: ResolvedOptions = Object.freeze({ nobias: false, floor: false, ceil: false, invert: false, spans: Object.freeze({}), failed: Object.freeze([]) as unknown as OptionName[] });

export function resolveOptions(options: OptionNode[], scope: Scope, report: Report): ResolvedOptions {
  if (options.length === 0) return noOptions;
  const out: ResolvedOptions = { nobias: false, floor: false, ceil: false, invert: false, spans: {}, failed: [] };
  for (const option of options) {
    const name = option.name.text as OptionName;
    if (out.spans[name]) {
      report("bad-value", option, `\`${name}\` is given twice`);
      continue;
    }
    out.spans[name] = option;
    const value = option.value;
    switch (name) {
      case "nobias":
      case "floor":
      case "ceil":
      case "invert":
        out[name] = true;
        break;
      case "mean":
      case "std": {
        if (missing(option, name, report)) break;
        let values: number[] | null = null;
        if (value!.type === "list") {
          const list = flattenList(value!, report, `\`${name}\``);
          if (list && list.dims.length !== 1) report("bad-value", value!, `\`${name}\` takes one number per channel, \`${name} [a, b, c]\`, or one for all`);
          else if (list) values = list.values;
        } else {
          const expr = singleExpr(value);
          const v = expr ? evaluate(expr, scope, report) : null;
          if (!expr) report("bad-value", value!, `\`${name}\` takes a number or a list, e.g. \`${name} [0.485, 0.456, 0.406]\``);
          else if (v !== null) values = [v];
        }
        if (values && name === "std" && values.some((v) => !(v > 0))) {
          report("bad-value", value!, `\`std\` values divide: each must be positive, not ${values.find((v) => !(v > 0))}`);
          values = null;
        }
        if (values && values.some((v) => !Number.isFinite(v))) values = null;
        if (values) out[name] = values;
        else out.failed.push(name);
        break;
      }
      case "classes": {
        if (missing(option, name, report)) break;
        if (value!.type === "string") {
          const path = value!.value;
          if (path.trim() === "") report("bad-value", value!, "`classes` names a text file of class names, one a line");
          else out.classes = { path };
          break;
        }
        const expr = singleExpr(value);
        if (expr && expr.type === "ref" && (expr.name === "digits" || expr.name === "imagenet")) out.classes = { name: expr.name };
        else {
          const close = expr && expr.type === "ref" ? suggest(expr.name, ["digits", "imagenet"]) : null;
          report("bad-value", value!, `\`classes\` takes \`digits\`, \`imagenet\` or a file of names in quotes (\`classes "names.txt"\`)${close ? `; did you mean \`${close}\`?` : ""}`);
        }
        break;
      }
      case "stride":
      case "dilation": {
        if (missing(option, name, report)) break;
        const what = name === "stride" ? "the stride S" : "the dilation d";
        const v = pair(evaluateDims(value, scope, report, { what, min: 1, minParts: 1, maxParts: 2, example: `\`${name} 2\` or \`${name} 2x1\`` }));
        if (v) out[name] = v;
        else out.failed.push(name);
        break;
      }
      case "outpad": {
        if (missing(option, name, report)) break;
        const v = pair(evaluateDims(value, scope, report, { what: "the output padding A", min: 0, minParts: 1, maxParts: 2, example: "`outpad 1`" }));
        if (v) out.outpad = v;
        else out.failed.push(name);
        break;
      }
      case "pad": {
        if (missing(option, name, report)) break;
        const only = singleExpr(value);
        if (only && only.type === "ref" && (only.name === "same" || only.name === "valid") && !scope.values.has(only.name)) {
          out.pad = { mode: only.name };
          break;
        }
        const v = pair(evaluateDims(value, scope, report, { what: "the padding P", min: 0, minParts: 1, maxParts: 2, example: "`pad 1`, `pad 1x2`, `pad same` or `pad valid`" }));
        if (v) out.pad = { mode: "explicit", w: v[0], h: v[1] };
        else out.failed.push(name);
        break;
      }
      case "groups":
      case "multiplier": {
        if (missing(option, name, report)) break;
        const what = name === "groups" ? "the number of groups G" : "the depth multiplier M";
        const v = evaluateInt(singleExpr(value) ?? null, scope, report, { what, min: 1 });
        if (!singleExpr(value)) report("bad-value", value!, `${what} must be one whole number`);
        if (v !== null) out[name] = v;
        else out.failed.push(name);
        break;
      }
      case "eps": {
        if (missing(option, name, report)) break;
        const expr = singleExpr(value);
        const v = expr ? evaluate(expr, scope, report) : null;
        if (!expr) report("bad-value", value!, "eps must be a number, e.g. `eps 1e-5`");
        else if (v !== null && !(v > 0)) report("bad-value", value!, `eps must be positive, not ${v}`);
        else if (v !== null) out.eps = v;
        if (v === null) out.failed.push(name);
        break;
      }
      case "init": {
        if (missing(option, name, report)) break;
        const expr = singleExpr(value);
        const v = expr ? evaluate(expr, scope, report) : null;
        if (!expr) report("bad-value", value!, "init must be a number, e.g. `init 1e-6`");
        else if (v !== null && !Number.isFinite(v)) report("bad-value", value!, `init must be a finite number, not ${v}`);
        else if (v !== null) out.init = v;
        if (v === null) out.failed.push(name);
        break;
      }
      case "weights":
      case "data": {
        if (missing(option, name, report)) break;
        if (value!.type !== "list") {
          report("bad-value", value!, `\`${name}\` takes a nested list, e.g. \`${name} [[1,0,-1],[1,0,-1],[1,0,-1]]\``);
          break;
        }
        const list = flattenList(value as Extract<typeof value, { type: "list" }>, report, `\`${name}\``);
        if (list) out[name] = list;
        break;
      }
      case "bias": {
        if (missing(option, name, report)) break;
        if (value!.type === "list") {
          const list = flattenList(value!, report, "`bias`");
          if (list && list.dims.length !== 1) report("bad-value", value!, "`bias` takes a number or a flat list, one value per filter");
          else if (list) out.bias = list;
          break;
        }
        const expr = singleExpr(value);
        const v = expr ? evaluate(expr, scope, report) : null;
        if (!expr) report("bad-value", value!, "`bias` takes a number, e.g. `bias 0`");
        else if (v !== null) out.bias = { dims: [1], values: [v] };
        else out.failed.push(name);
        break;
      }
      case "sample": {
        if (missing(option, name, report)) break;
        if (value!.type === "string") {
          const path = value!.value;
          if (pictureExtensions.some((ext) => path.toLowerCase().endsWith(ext))) out.sample = { path };
          else report("bad-value", value!, `a sample picture is a ${pictureExtensions.join(", ")} file, not \`${printable(path)}\``);
        } else {
          const expr = singleExpr(value);
          if (expr && expr.type === "ref" && isSampleName(expr.name)) out.sample = { name: expr.name };
          else if (expr && expr.type === "ref") {
            const names = sampleCatalog().map((x) => x.name);
            const close = suggest(expr.name, names);
            report(
              "unknown-name",
              expr,
              `unknown sample \`${expr.name}\`${close ? `; did you mean \`${close}\`?` : ""} (samples: digits, digit0 … digit9, ${patternSamples.map((x) => x.name).join(", ")}, or a picture file in quotes)`,
              close ? { kind: "rename", replace: expr, candidates: [close] } : undefined,
            );
          } else report("bad-value", value!, "`sample` takes a sample name (`sample digits`) or a file (`sample \"cat.png\"`)");
        }
        break;
      }
    }
  }
  return out;
}
