// THE layer catalog: one record per kind — its arguments, options, and how it maps
// an input shape to an output shape, params and MACs (spec §2, §3, §6). The checker,
// hover, completion and the engine all read it; no layer arithmetic lives elsewhere.

import type { Span } from "../grammar";
import { grouped, shapeText } from "./format";
import type { OptionName, ResolvedOptions } from "./options";
import type { Report } from "./values";
import type { AttrsByOp, Explanation, FixData, LayerOp, NoAttrs, Padding, Shape, Volume, WindowAttrs } from "./types";
import { deconvAxis, deconvSamePadding, effectiveKernel, fittingChoices, samePadding, slideAxis, slideFormula, type AxisWindow } from "./window";

export type ArgType = "count" | "size" | "kernel" | "probability" | "number";

export interface ArgSpec {
  name: string;
  type: ArgType;
  /** in the user's words, for messages: "the number of filters K" */
  what: string;
  optional?: boolean;
  defaultValue?: number;
  /** what a wrong value of it would move in the output: D, W×H or nothing (default: K and N move D, the rest W×H) */
  moves?: "depth" | "spatial" | null;
  /** a value that fits most inputs, for snippets and tests (`slice 0 2`) */
  example?: string;
}

export interface Kernel {
  w: number;
  h: number;
  /** the depth when written `5x5x3` */
  d: number | null;
  span: Span;
}

export type ArgValue = number | Kernel;

export interface InferContext {
  input: Shape;
  args: Record<string, ArgValue>;
  argSpans: Record<string, Span>;
  options: ResolvedOptions;
  /** the whole statement */
  span: Span;
  report: Report;
}

/** How a layer moves the receptive field (spec §6): r₂ = r₁ + (F'−1)·j₁, j₂ = j₁·S. */
export type FieldStep =
  | { kind: "window"; kernel: [number, number]; stride: [number, number] }
  | { kind: "upscale"; factor: [number, number]; kernel: [number, number] };

export interface LayerOutcome<K extends LayerOp = LayerOp> {
  output: Shape;
  weights: bigint;
  biases: bigint;
  macs: bigint;
  /** every option resolved, defaults included: what the engine runs the layer with */
  attrs: AttrsByOp[K];
  field?: FieldStep;
  /** the formulas with the numbers put in: computed only when someone asks (hover) */
  explain: () => Explanation[];
}

/** what a layer does, in the families a drawing colours by (diagram/) */
export type LayerFamily = "conv" | "pool" | "norm" | "act" | "fc" | "reg" | "reshape";

export interface LayerKind<K extends LayerOp = LayerOp> {
  /** the canonical name: the graph node's `op` and the engine's op (engine/ops) */
  name: K;
  family: LayerFamily;
  /** the resolved arguments in short, for a box of the drawing: `64 3×3 /2` (none: nothing to say) */
  brief?(attrs: AttrsByOp[K]): string;
  aliases: string[];
  /** one line in the course's words, for hover and completion */
  summary: string;
  usage: string;
  args: ArgSpec[];
  options: OptionName[];
  /** needs a W×H×D volume (a `needs-volume` error after the data became a vector) */
  spatial: boolean;
  infer(ctx: InferContext): LayerOutcome<K> | null;
}

/** the bigints of the small counts (a layer's weights and biases, mostly): one each, shared */
const smallBigints: bigint[] = [];
/** BigInt(n) of a non-negative integer; below 2^16 the same bigint every time (a count kept per layer is then no object of its own) */
function big(n: number): bigint {
  if (n >= 0 && n < 65536 && Number.isInteger(n)) return (smallBigints[n] ??= BigInt(n));
  return BigInt(n);
}

/**
 * The exact product of non-negative integers, as a bigint: multiplied as doubles when
 * the result is below 2^53 (then every partial product is exact too), else as bigints.
 * One BigInt made instead of one per factor and per product.
 */
function exactProduct(a: number, b: number, c = 1, d = 1, e = 1, f = 1): bigint {
  const p = a * b * c * d * e * f;
  return Number.isSafeInteger(p) ? big(p) : big(a) * big(b) * big(c) * big(d) * big(e) * big(f);
}
const noExplanation = (): Explanation[] => [];
/** what every layer without weights (pools, activations, reshapes) costs */
const noParams = { weights: 0n, biases: 0n, macs: 0n } as const;

function volume(w: number, h: number, d: number): Volume {
  return { kind: "volume", w, h, d };
}

/** Shapes are never mutated, so a layer that keeps the shape hands on the same object. */
function sameShape(input: Shape): Shape {
  return input;
}

function kernelText(k: { w: number; h: number }): string {
  return `${k.w}×${k.h}`;
}

/** the attrs of every kind without options: one object, never mutated */
const noAttrs: NoAttrs = Object.freeze({});

/** A layer that keeps the shape and learns nothing (activations, dropout): its attrs from its arguments. */
function identityLayer<K extends LayerOp>(
  name: K,
  family: LayerFamily,
  summary: string,
  aliases: string[],
  args: ArgSpec[],
  attrs: (args: Record<string, ArgValue>) => AttrsByOp[K],
  brief?: (attrs: AttrsByOp[K]) => string,
): LayerKind<K> {
  return {
    name,
    family,
    ...(brief ? { brief } : {}),
    aliases,
    summary,
    usage: [name, ...args.map((a) => (a.optional ? `[${a.name}]` : a.name))].join(" "),
    args,
    options: [],
    spatial: false,
    infer: (ctx) => ({
      output: sameShape(ctx.input),
      ...noParams,
      attrs: attrs(ctx.args),
      explain: noExplanation,
    }),
  };
}

/** an activation without parameters */
function activation<K extends LayerOp>(name: K, summary: string, aliases: string[] = []): LayerKind<K> {
  return identityLayer(name, "act", summary, aliases, [], () => noAttrs as AttrsByOp[K]);
}

// ---- a layer in short, for the boxes of a drawing ----

/** `3`, or `3×5` when width and height differ */
const pairText = ([w, h]: [number, number]): string => (w === h ? `${w}` : `${w}×${h}`);
const joinBrief = (...parts: string[]): string => parts.filter((p) => p !== "").join(" ");
/** `3×3 /2` (the stride only when it is not 1) */
const windowBrief = (a: WindowAttrs): string =>
  joinBrief(`${a.kernel[0]}×${a.kernel[1]}`, a.stride[0] !== 1 || a.stride[1] !== 1 ? `/${pairText(a.stride)}` : "");
const dilationBrief = (a: WindowAttrs): string => (a.dilation[0] !== 1 || a.dilation[1] !== 1 ? `d${pairText(a.dilation)}` : "");
/** conv, local, deconv: `64 3×3 /2 d2 g32` */
const filtersBrief = (a: WindowAttrs & { filters: number; groups?: number }): string =>
  joinBrief(`${a.filters}`, windowBrief(a), dilationBrief(a), a.groups !== undefined && a.groups > 1 ? `g${a.groups}` : "");

// ---- sliding windows (conv, dwconv, local, pools) ----

/**
 * A window layer's output size and what it was computed from. Kept (by the layer's
 * explanation) for as long as its analysis, for each window layer of the file: the axes
 * are made again when the formulas are asked for, and the pairs and paddings that recur
 * are shared (never mutated), so a plan is one object.
 */
interface WindowPlan {
  w2: number;
  h2: number;
  stride: [number, number];
  dilation: [number, number];
  padding: Padding;
  /** the input's width and height, the kernel's, and the rounding: the axes' own fields */
  inW: number;
  inH: number;
  kernelW: number;
  kernelH: number;
  rounding: "floor" | "ceil";
}

function planAxis(plan: WindowPlan, which: "w" | "h"): AxisWindow {
  const p = plan.padding;
  return which === "w"
    ? { size: plan.inW, kernel: plan.kernelW, stride: plan.stride[0], dilation: plan.dilation[0], padBefore: p.left, padAfter: p.right, rounding: plan.rounding }
    : { size: plan.inH, kernel: plan.kernelH, stride: plan.stride[1], dilation: plan.dilation[1], padBefore: p.top, padAfter: p.bottom, rounding: plan.rounding };
}

/** `W₂ = H₂ = (32 − 5 + 2·0)/1 + 1 = 28` (one line per axis when they differ) */
function windowFormulas(plan: WindowPlan): string[] {
  const formulaW = slideFormula(planAxis(plan, "w"));
  const formulaH = slideFormula(planAxis(plan, "h"));
  return formulaW === formulaH ? [`W₂ = H₂ = ${formulaW}`] : [`W₂ = ${formulaW}`, `H₂ = ${formulaH}`];
}

/** `[1, 1]`, the default stride and dilation: one array for every layer (shared, never mutated) */
const ones: [number, number] = Object.freeze([1, 1]) as unknown as [number, number];
const noPadding: Padding = Object.freeze({ left: 0, right: 0, top: 0, bottom: 0 });
/** `pad P` and `pad Pw x Ph` of small P: one padding each, shared (never mutated) */
const explicitPaddings = new Map<number, Padding>();
function explicitPadding(w: number, h: number): Padding {
  if (!(w >= 0 && h >= 0 && w < 1024 && h < 1024 && Number.isInteger(w) && Number.isInteger(h))) return { left: w, right: w, top: h, bottom: h };
  const key = w * 1024 + h;
  let padding = explicitPaddings.get(key);
  if (!padding) explicitPaddings.set(key, (padding = Object.freeze({ left: w, right: w, top: h, bottom: h })));
  return padding;
}

interface WindowSpec {
  kernel: { w: number; h: number };
  pool: boolean;
  defaultStride: [number, number];
  depth: number;
}

/** Output size of a sliding window layer, with every report of spec §3. */
function slide(ctx: InferContext, spec: WindowSpec): WindowPlan | null {
  const o = ctx.options;
  const input = ctx.input as Volume;
  const stride = o.stride ?? spec.defaultStride;
  const dilation = o.dilation ?? ones;
  if (o.ceil && !spec.pool) {
    ctx.report("bad-value", o.spans.ceil!, "`ceil` rounds pools only; a convolution rounds down (`floor`), as in PyTorch");
  }
  if (o.ceil && o.floor) ctx.report("bad-value", o.spans.ceil!, "write either `floor` or `ceil`, not both");
  const rounding = o.ceil && spec.pool ? "ceil" : "floor";

  let padding: Padding;
  const pad = o.pad;
  if (pad?.mode === "explicit") padding = explicitPadding(pad.w, pad.h);
  else if (pad?.mode === "same") {
    const [l, r] = samePadding(input.w, spec.kernel.w, stride[0], dilation[0]);
    const [t, b] = samePadding(input.h, spec.kernel.h, stride[1], dilation[1]);
    padding = { left: l, right: r, top: t, bottom: b };
    const even = [spec.kernel.w, spec.kernel.h].some((f) => f % 2 === 0);
    // spec §5: an even F with `pad same` (the padding is uneven at stride 1, and wherever
    // the stride leaves an odd total)
    if (even) {
      const split = `${l}/${r} (left/right), ${t}/${b} (top/bottom)`;
      ctx.report(
        "even-filter",
        o.spans.pad!,
        l !== r || t !== b
          ? `pad same with an even ${kernelText(spec.kernel)} filter pads unevenly: ${split}; an odd F pads (F−1)/2 on each side`
          : `pad same with an even ${kernelText(spec.kernel)} filter: the padding splits evenly here (${l} left, ${r} right, ${t} top, ${b} bottom) only thanks to the stride; at stride 1 an even F always pads unevenly, an odd F pads (F−1)/2 on each side`,
      );
    }
  } else padding = noPadding;
  if (spec.pool && pad?.mode === "explicit") {
    const limitW = Math.floor(effectiveKernel(spec.kernel.w, dilation[0]) / 2);
    const limitH = Math.floor(effectiveKernel(spec.kernel.h, dilation[1]) / 2);
    if (pad.w > limitW || pad.h > limitH) {
      ctx.report("bad-value", o.spans.pad!, `pad ${pad.w === pad.h ? pad.w : `${pad.w}x${pad.h}`} is more than half the ${kernelText(spec.kernel)} window: a pool's P must be at most ${Math.min(limitW, limitH)} (F/2)`);
      return null;
    }
  }

  const axisW: AxisWindow = { size: input.w, kernel: spec.kernel.w, stride: stride[0], dilation: dilation[0], padBefore: padding.left, padAfter: padding.right, rounding };
  const axisH: AxisWindow = { size: input.h, kernel: spec.kernel.h, stride: stride[1], dilation: dilation[1], padBefore: padding.top, padAfter: padding.bottom, rounding };
  const rw = slideAxis(axisW);
  const rh = slideAxis(axisH);

  if (rw.out <= 0 || rh.out <= 0) {
    ctx.report(
      "empty-output",
      ctx.span,
      `the ${kernelText(spec.kernel)} ${spec.pool ? "window" : "filter"} is larger than the padded ${input.w}×${input.h} input: ${slideFormula(rw.out <= 0 ? axisW : axisH)}`,
    );
    return null;
  }

  if ((!rw.fits || !rh.fits) && !o.floor && !o.ceil && pad?.mode !== "same") {
    const formulaW = slideFormula(axisW);
    const formulaH = slideFormula(axisH);
    const misfit: ("width" | "height")[] = [];
    if (!rw.fits) misfit.push("width");
    if (!rh.fits) misfit.push("height");
    const strideText = stride[0] === stride[1] ? `${stride[0]}` : `${stride[0]}x${stride[1]}`;
    const square = formulaW === formulaH;
    const which = misfit.length === 2 || square ? "" : ` the ${misfit[0]}`;
    const shown = misfit.length === 2 && !square ? `${formulaW} (width), ${formulaH} (height)` : misfit[0] === "width" ? formulaW : formulaH;
    const misfitAxes = [axisW, axisH].filter((_, i) => (i === 0 ? !rw.fits : !rh.fits));
    const maxPad = spec.pool ? Math.floor(spec.kernel.w / 2) : Math.max(spec.kernel.w, spec.kernel.h) - 1;
    const choices = fittingChoices(misfitAxes, maxPad);
    const rounded = `${rw.out}×${rh.out}`;
    const fixes: string[] = [];
    if (choices.paddings.length) fixes.push(`pad ${choices.paddings.join(" or ")}`);
    if (choices.strides.length) fixes.push(`stride ${choices.strides.join(", ")}`);
    const fixText = fixes.length ? `; ${fixes.join(" or ")} would fit` : "";
    const accept = spec.pool ? "`floor` or `ceil` accepts it" : "`floor` accepts it";
    const data: FixData = {
      kind: "stride-misfit",
      axis: misfit.length === 2 ? "both" : misfit[0],
      paddings: choices.paddings,
      strides: choices.strides,
      rounding: spec.pool ? ["floor", "ceil"] : ["floor"],
      insertAt: ctx.span.end,
      stride: o.spans.stride,
      pad: o.spans.pad,
    };
    ctx.report(
      "stride-misfit",
      ctx.span,
      `stride ${strideText} doesn't fit${which}: ${shown} — PyTorch rounds ${rounding === "ceil" ? "up" : "down"} to ${rounded}${fixText}; ${accept}`,
      data,
    );
  }
  return { w2: rw.out, h2: rh.out, stride, dilation, padding, inW: input.w, inH: input.h, kernelW: spec.kernel.w, kernelH: spec.kernel.h, rounding };
}

/**
 * PyTorch writes a window's pairs height first, this language width first (spec §2): when a
 * kernel, stride, padding or dilation is not square, the line a porter needs, e.g.
 * `7×1 is width 7 × height 1 here; PyTorch writes height first: nn.Conv2d(…, kernel_size=(1, 7), padding=(0, 3))`.
 */
export function torchOrder(module: string, kernel: { w: number; h: number }, stride: [number, number], padding: Padding, dilation: [number, number]): Explanation[] {
  const pairs: string[] = [];
  const pair = (name: string, w: number, h: number) => {
    if (w !== h) pairs.push(`${name}=(${h}, ${w})`);
  };
  pair("kernel_size", kernel.w, kernel.h);
  pair("stride", stride[0], stride[1]);
  if (padding.left === padding.right && padding.top === padding.bottom) pair("padding", padding.left, padding.top);
  pair("dilation", dilation[0], dilation[1]);
  if (pairs.length === 0) return [];
  const what = kernel.w !== kernel.h ? `${kernel.w}×${kernel.h} is width ${kernel.w} × height ${kernel.h} here` : "pairs are width × height here";
  return [{ title: "PyTorch", text: `${what}; PyTorch writes height first: nn.${module}(…, ${pairs.join(", ")})` }];
}

function windowAttrs<T extends object>(plan: WindowPlan, kernel: { w: number; h: number }, extra: T): WindowAttrs & T {
  return {
    kernel: [kernel.w, kernel.h],
    stride: plan.stride,
    dilation: plan.dilation,
    padding: plan.padding,
    ...extra,
  };
}

function windowField(plan: WindowPlan, kernel: { w: number; h: number }): FieldStep {
  return {
    kind: "window",
    kernel: [effectiveKernel(kernel.w, plan.dilation[0]), effectiveKernel(kernel.h, plan.dilation[1])],
    stride: plan.stride,
  };
}

/** `34,848 weights × 55·55 positions = 105,415,200` */
function macsExplanation(weights: bigint, w: number, h: number, where: string): Explanation {
  return { title: "MACs", text: `${grouped(weights)} weights × ${w}·${h} ${where} = ${grouped(weights * big(w) * big(h))}` };
}

/** `96 × 364 = 34,944; without sharing 290,400 × 364 = 105,705,600` */
function sharingExplanations(units: number, perUnitText: string, perUnit: bigint, neurons: bigint, unitWord: string): Explanation[] {
  return [
    { title: "params", text: `${grouped(units)} ${unitWord} × ${perUnitText} = ${grouped(units)} × ${grouped(perUnit)} = ${grouped(big(units) * perUnit)}` },
    {
      title: "sharing",
      text: `without sharing ${grouped(neurons)} × ${grouped(perUnit)} = ${grouped(neurons * perUnit)} (one set of weights per output neuron)`,
    },
  ];
}

function literalWeights(ctx: InferContext, k: Kernel, depth: number, units: number): { weights?: number[]; biasValues?: number[]; biasValue?: number } {
  const o = ctx.options;
  const out: { weights?: number[]; biasValues?: number[]; biasValue?: number } = {};
  if (o.weights) {
    const dims = o.weights.dims;
    const span = o.spans.weights!;
    if (units !== 1) {
      ctx.report("bad-value", span, `literal \`weights\` describe one filter: K must be 1, not ${units}`);
    } else if (dims.length !== 2 && dims.length !== 3) {
      ctx.report("bad-value", span, `\`weights\` must be a [F_h][F_w] or [D][F_h][F_w] list; this one has ${dims.length} level${dims.length === 1 ? "" : "s"}`);
    } else {
      const d = dims.length === 3 ? dims[0] : 1;
      const [fh, fw] = dims.slice(-2);
      const fits = fh === k.h && fw === k.w;
      if (!fits) ctx.report("bad-value", span, `the weights are ${fw}×${fh} (width×height), the filter ${k.w}×${k.h}`);
      if (d !== depth) {
        ctx.report("depth-mismatch", span, `the weights are ${d} deep, the input ${depth}: a filter always extends the full depth of its input`, {
          kind: "depth",
          expected: depth,
          replace: span,
          text: "",
        });
      } else if (fits) out.weights = o.weights.values;
    }
  }
  if (o.bias) {
    if (o.nobias) ctx.report("bad-value", o.spans.bias!, "`bias` and `nobias` contradict each other");
    // one value for every filter stays one number: K may be in the millions (the engine fills it)
    else if (o.bias.values.length === 1) out.biasValue = o.bias.values[0];
    else if (o.bias.values.length === units) out.biasValues = o.bias.values;
    else ctx.report("bad-value", o.spans.bias!, `\`bias\` has ${o.bias.values.length} values for ${units} filters`);
  }
  return out;
}

// ---- the catalog ----

const K: ArgSpec = { name: "K", type: "count", what: "the number of filters K" };
const F: ArgSpec = { name: "F", type: "kernel", what: "the filter size F" };
const windowOptions: OptionName[] = ["stride", "pad", "dilation", "nobias", "floor", "ceil"];

const conv: LayerKind<"conv"> = {
  name: "conv",
  family: "conv",
  brief: filtersBrief,
  aliases: ["conv2d"],
  summary: "convolution: K filters of F×F×D₁, sliding with stride S over the input padded by P",
  usage: "conv K F [stride S] [pad P|same] [dilation d] [groups G] [nobias]",
  args: [K, F],
  options: [...windowOptions, "groups", "weights", "bias"],
  spatial: true,
  infer(ctx) {
    const input = ctx.input as Volume;
    const k = ctx.args.F as Kernel;
    const units = ctx.args.K as number;
    let groups = ctx.options.groups ?? 1;
    if (input.d % groups !== 0 || units % groups !== 0) {
      const which = input.d % groups !== 0 ? `the input depth D₁ = ${input.d}` : `K = ${units}`;
      ctx.report("groups-indivisible", ctx.options.spans.groups ?? ctx.span, `groups ${groups}: ${which} is not divisible by ${groups}`);
      groups = 1; // the output shape does not depend on G: go on without groups
    }
    const depth = input.d / groups;
    if (k.d !== null && k.d !== depth) {
      const fixed = `${k.w}x${k.h}x${depth}`;
      ctx.report(
        "depth-mismatch",
        k.span,
        `the filter is ${k.d} deep, the input ${groups > 1 ? `${input.d}/${groups} = ${depth}` : depth} (${shapeText(input)}): filters always extend the full depth of the input volume`,
        { kind: "depth", expected: depth, replace: k.span, text: fixed },
      );
    }
    // the literal values are checked even when the output is empty (and only looked at when written)
    const literal = ctx.options.weights || ctx.options.bias;
    const literalValues = literal ? literalWeights(ctx, k, depth, units) : null;
    const plan = slide(ctx, { kernel: k, pool: false, defaultStride: ones, depth });
    if (!plan) return null;
    const bias = !ctx.options.nobias;
    const weights = exactProduct(k.w, k.h, depth, units);
    return {
      output: volume(plan.w2, plan.h2, units),
      weights,
      biases: bias ? big(units) : 0n,
      macs: exactProduct(k.w, k.h, depth, units, plan.w2, plan.h2),
      attrs: literal
        ? windowAttrs(plan, k, { filters: units, groups, bias, ...literalValues })
        : { kernel: [k.w, k.h], stride: plan.stride, dilation: plan.dilation, padding: plan.padding, filters: units, groups, bias },
      field: windowField(plan, k),
      explain: () => [
        ...windowFormulas(plan).map((text) => ({ title: "output", text })),
        ...sharingExplanations(
          units,
          `(${k.w}·${k.h}·${depth}${bias ? " + 1" : ""})`,
          exactProduct(k.w, k.h, depth) + (bias ? 1n : 0n),
          exactProduct(plan.w2, plan.h2, units),
          units === 1 ? "filter" : "filters",
        ),
        macsExplanation(weights, plan.w2, plan.h2, "output positions"),
        ...torchOrder("Conv2d", k, plan.stride, plan.padding, plan.dilation),
      ],
    };
  },
};

const dwconv: LayerKind<"dwconv"> = {
  name: "dwconv",
  family: "conv",
  brief: (a) => joinBrief(windowBrief(a), dilationBrief(a), a.multiplier > 1 ? `×${a.multiplier}` : ""),
  aliases: ["depthwise"],
  summary: "depthwise convolution: one F×F filter per input channel (groups = D₁); `multiplier M` gives D₁·M outputs",
  usage: "dwconv F [multiplier M] [stride S] [pad P|same] [dilation d] [nobias]",
  args: [F],
  options: [...windowOptions, "multiplier"],
  spatial: true,
  infer(ctx) {
    const input = ctx.input as Volume;
    const k = ctx.args.F as Kernel;
    const m = ctx.options.multiplier ?? 1;
    if (k.d !== null && k.d !== 1) {
      ctx.report("depth-mismatch", k.span, `a depthwise filter is 1 deep (one per channel), not ${k.d}`, {
        kind: "depth",
        expected: 1,
        replace: k.span,
        text: `${k.w}x${k.h}`,
      });
    }
    const plan = slide(ctx, { kernel: k, pool: false, defaultStride: ones, depth: 1 });
    if (!plan) return null;
    const units = input.d * m;
    const bias = !ctx.options.nobias;
    const weights = exactProduct(k.w, k.h, units);
    return {
      output: volume(plan.w2, plan.h2, units),
      weights,
      biases: bias ? big(units) : 0n,
      macs: exactProduct(k.w, k.h, units, plan.w2, plan.h2),
      attrs: { kernel: [k.w, k.h], stride: plan.stride, dilation: plan.dilation, padding: plan.padding, filters: units, groups: input.d, multiplier: m, bias },
      field: windowField(plan, k),
      explain: () => [
        ...windowFormulas(plan).map((text) => ({ title: "output", text })),
        { title: "depthwise", text: `${input.d} channels × ${m} = ${units} filters of ${k.w}×${k.h}×1 (groups = D₁ = ${input.d})` },
        ...sharingExplanations(units, `(${k.w}·${k.h}${bias ? " + 1" : ""})`, exactProduct(k.w, k.h) + (bias ? 1n : 0n), exactProduct(plan.w2, plan.h2, units), "filters"),
        macsExplanation(weights, plan.w2, plan.h2, "output positions"),
        ...torchOrder("Conv2d", k, plan.stride, plan.padding, plan.dilation),
      ],
    };
  },
};

const local: LayerKind<"local"> = {
  name: "local",
  family: "conv",
  brief: filtersBrief,
  aliases: ["locallyconnected"],
  summary: "locally connected: like conv, but every output position has its own filters (no parameter sharing)",
  usage: "local K F [stride S] [pad P] [nobias]",
  args: [K, F],
  options: ["stride", "pad", "nobias", "floor", "ceil"],
  spatial: true,
  infer(ctx) {
    const input = ctx.input as Volume;
    const k = ctx.args.F as Kernel;
    const units = ctx.args.K as number;
    if (k.d !== null && k.d !== input.d) {
      ctx.report("depth-mismatch", k.span, `the filter is ${k.d} deep, the input ${input.d} (${shapeText(input)}): filters always extend the full depth of the input volume`, {
        kind: "depth",
        expected: input.d,
        replace: k.span,
        text: `${k.w}x${k.h}x${input.d}`,
      });
    }
    const plan = slide(ctx, { kernel: k, pool: false, defaultStride: ones, depth: input.d });
    if (!plan) return null;
    const bias = !ctx.options.nobias;
    const positions = big(plan.w2) * big(plan.h2);
    const perFilter = big(k.w * k.h) * big(input.d);
    const weights = positions * big(units) * perFilter;
    const biases = bias ? positions * big(units) : 0n;
    return {
      output: volume(plan.w2, plan.h2, units),
      weights,
      biases,
      // each output neuron uses its own weights once
      macs: weights,
      attrs: windowAttrs(plan, k, { filters: units, bias }),
      field: windowField(plan, k),
      explain: () => [
        ...windowFormulas(plan).map((text) => ({ title: "output", text })),
        {
          title: "params",
          text: `${plan.w2}·${plan.h2}·${units} = ${grouped(positions * big(units))} neurons × (${k.w}·${k.h}·${input.d}${bias ? " + 1" : ""}) = ${grouped(weights + biases)} (no sharing)`,
        },
        { title: "sharing", text: `with sharing (a conv) it would be ${grouped(units)} × ${grouped(perFilter + (bias ? 1n : 0n))} = ${grouped(big(units) * (perFilter + (bias ? 1n : 0n)))}` },
      ],
    };
  },
};

const deconv: LayerKind<"deconv"> = {
  name: "deconv",
  family: "conv",
  brief: filtersBrief,
  aliases: ["convT", "convtranspose", "transposedconv"],
  summary: "transposed convolution (\"deconvolution\"): upsamples, W₂ = S·(W₁ − 1) + F − 2P + A",
  usage: "deconv K F [stride S] [pad P|same] [outpad A] [dilation d] [groups G] [nobias]",
  args: [K, F],
  options: ["stride", "pad", "dilation", "groups", "outpad", "nobias"],
  spatial: true,
  infer(ctx) {
    const input = ctx.input as Volume;
    const k = ctx.args.F as Kernel;
    const units = ctx.args.K as number;
    const o = ctx.options;
    const groups = o.groups ?? 1;
    if (input.d % groups !== 0 || units % groups !== 0) {
      const which = input.d % groups !== 0 ? `the input depth D₁ = ${input.d}` : `K = ${units}`;
      ctx.report("groups-indivisible", o.spans.groups ?? ctx.span, `groups ${groups}: ${which} is not divisible by ${groups}`);
      return null;
    }
    if (k.d !== null && k.d !== input.d / groups) {
      ctx.report("depth-mismatch", k.span, `the filter is ${k.d} deep, the input ${input.d / groups}`, {
        kind: "depth",
        expected: input.d / groups,
        replace: k.span,
        text: `${k.w}x${k.h}x${input.d / groups}`,
      });
    }
    const stride = o.stride ?? [1, 1];
    const dilation = o.dilation ?? [1, 1];
    const written = o.outpad ?? [0, 0];
    for (let i = 0; i < 2; i++) {
      if (written[i] >= stride[i] && written[i] >= dilation[i]) {
        ctx.report("bad-value", o.spans.outpad!, `outpad ${written[i]} must be smaller than the stride ${stride[i]} (or the dilation)`);
        return null;
      }
    }
    // padding: P cropped from each side, or TensorFlow's `same` (W₂ = S·W₁)
    let padding: Padding = o.pad?.mode === "explicit" ? { left: o.pad.w, right: o.pad.w, top: o.pad.h, bottom: o.pad.h } : { left: 0, right: 0, top: 0, bottom: 0 };
    let outpad: [number, number] = [written[0], written[1]];
    if (o.pad?.mode === "same") {
      const sw = deconvSamePadding(k.w, stride[0], dilation[0]);
      const sh = deconvSamePadding(k.h, stride[1], dilation[1]);
      padding = { left: sw.before, right: sw.after, top: sh.before, bottom: sh.after };
      outpad = [written[0] + sw.outputPadding, written[1] + sh.outputPadding];
      if (k.w % 2 === 0 || k.h % 2 === 0) {
        ctx.report(
          "even-filter",
          o.spans.pad!,
          sw.before !== sw.after || sh.before !== sh.after
            ? `pad same with an even ${kernelText(k)} filter crops unevenly: ${sw.before}/${sw.after} (left/right), ${sh.before}/${sh.after} (top/bottom)`
            : `pad same with an even ${kernelText(k)} filter: the crop splits evenly here (${sw.before} left, ${sw.after} right, ${sh.before} top, ${sh.after} bottom) only thanks to the stride; at stride 1 an even F always crops unevenly`,
        );
      }
    }
    const asymmetric = padding.left !== padding.right || padding.top !== padding.bottom;
    const rw = deconvAxis({ size: input.w, kernel: k.w, stride: stride[0], dilation: dilation[0], pad: padding.left, ...(asymmetric ? { padAfter: padding.right } : {}), outputPadding: outpad[0] });
    const rh = deconvAxis({ size: input.h, kernel: k.h, stride: stride[1], dilation: dilation[1], pad: padding.top, ...(asymmetric ? { padAfter: padding.bottom } : {}), outputPadding: outpad[1] });
    if (rw.out <= 0 || rh.out <= 0) {
      ctx.report("empty-output", ctx.span, `the output would be empty: ${rw.out <= 0 ? rw.formula : rh.formula}`);
      return null;
    }
    const bias = !o.nobias;
    const weights = (big(k.w * k.h) * big(input.d) * big(units)) / big(groups);
    const biases = bias ? big(units) : 0n;
    const formulas = rw.formula === rh.formula ? [`W₂ = H₂ = ${rw.formula}`] : [`W₂ = ${rw.formula}`, `H₂ = ${rh.formula}`];
    return {
      output: volume(rw.out, rh.out, units),
      weights,
      biases,
      macs: weights * big(input.w) * big(input.h),
      attrs: {
        filters: units,
        kernel: [k.w, k.h],
        stride,
        dilation,
        padding,
        outputPadding: outpad,
        groups,
        bias,
      },
      field: { kind: "upscale", factor: stride, kernel: [effectiveKernel(k.w, dilation[0]), effectiveKernel(k.h, dilation[1])] },
      explain: () => [
        ...formulas.map((text) => ({ title: "output", text })),
        {
          title: "params",
          text: `${k.w}·${k.h}·${input.d}·${units}${groups > 1 ? `/${groups}` : ""}${bias ? ` + ${units}` : ""} = ${grouped(weights + biases)}`,
        },
        macsExplanation(weights, input.w, input.h, "input positions"),
        ...torchOrder("ConvTranspose2d", k, stride, padding, dilation),
      ],
    };
  },
};

function pool<K extends "maxpool" | "avgpool">(name: K, summary: string, aliases: string[]): LayerKind<K> {
  return {
    name,
    family: "pool",
    brief: (a) => joinBrief(windowBrief(a), dilationBrief(a)),
    aliases,
    summary,
    usage: `${name} F [stride S] [pad P] [ceil]`,
    args: [{ name: "F", type: "kernel", what: "the window size F" }],
    options: name === "maxpool" ? ["stride", "pad", "dilation", "floor", "ceil"] : ["stride", "pad", "floor", "ceil"],
    spatial: true,
    infer(ctx) {
      const input = ctx.input as Volume;
      const k = ctx.args.F as Kernel;
      if (k.d !== null) {
        ctx.report("bad-value", k.span, `a pool works on each depth slice alone: write \`${k.w}x${k.h}\`, without a depth`);
      }
      const plan = slide(ctx, { kernel: k, pool: true, defaultStride: [k.w, k.h], depth: input.d });
      if (!plan) return null;
      return {
        output: volume(plan.w2, plan.h2, input.d),
        ...noParams,
        attrs: { kernel: [k.w, k.h], stride: plan.stride, dilation: plan.dilation, padding: plan.padding, ceil: ctx.options.ceil === true },
        field: windowField(plan, k),
        explain: () => [
          ...windowFormulas(plan).map((text) => ({ title: "output", text })),
          ...torchOrder(name === "maxpool" ? "MaxPool2d" : "AvgPool2d", k, plan.stride, plan.padding, plan.dilation),
        ],
      };
    },
  };
}

function globalPool<K extends "gap" | "gmp">(name: K, aliases: string[], summary: string): LayerKind<K> {
  return {
    name,
    family: "pool",
    aliases,
    summary,
    usage: name,
    args: [],
    options: [],
    spatial: true,
    infer(ctx) {
      const input = ctx.input as Volume;
      return {
        output: volume(1, 1, input.d),
        ...noParams,
        attrs: noAttrs,
        field: { kind: "window", kernel: [input.w, input.h], stride: [1, 1] },
        explain: () => [{ title: "output", text: `${input.w}×${input.h}×${input.d} → 1×1×${input.d}: one number per depth slice` }],
      };
    },
  };
}

const adaptivePool: LayerKind<"adaptiveavgpool"> = {
  name: "adaptiveavgpool",
  family: "pool",
  brief: (a) => `${a.outputSize[0]}×${a.outputSize[1]}`,
  aliases: ["adaptivepool"],
  summary: "adaptive average pooling to a fixed W×H (PyTorch AdaptiveAvgPool2d)",
  usage: "adaptiveavgpool WxH",
  args: [{ name: "F", type: "kernel", what: "the output size" }],
  options: [],
  spatial: true,
  infer(ctx) {
    const input = ctx.input as Volume;
    const k = ctx.args.F as Kernel;
    return {
      output: volume(k.w, k.h, input.d),
      ...noParams,
      attrs: { outputSize: [k.w, k.h] },
      field: { kind: "window", kernel: [Math.ceil(input.w / k.w), Math.ceil(input.h / k.h)], stride: [Math.floor(input.w / k.w) || 1, Math.floor(input.h / k.h) || 1] },
      explain: () => [{ title: "output", text: `${input.w}×${input.h} → ${k.w}×${k.h}, ${input.d} deep` }],
    };
  },
};

const fc: LayerKind<"fc"> = {
  name: "fc",
  family: "fc",
  brief: (a) => `${a.features}`,
  aliases: ["dense", "linear"],
  summary: "fully connected: every output neuron sees every input number (a volume is flattened first)",
  usage: "fc N [nobias]",
  args: [{ name: "N", type: "count", what: "the number of outputs N" }],
  options: ["nobias"],
  spatial: false,
  infer(ctx) {
    const n = ctx.args.N as number;
    const input = ctx.input;
    const bias = !ctx.options.nobias;
    const weights = input.kind === "volume" ? exactProduct(input.w, input.h, input.d, n) : exactProduct(input.n, n);
    const biases = bias ? big(n) : 0n;
    return {
      output: { kind: "vector", n },
      weights,
      biases,
      macs: weights,
      attrs: { features: n, bias },
      field: input.kind === "volume" ? { kind: "window", kernel: [input.w, input.h], stride: [1, 1] } : undefined,
      explain: () => {
        const nIn = input.kind === "volume" ? exactProduct(input.w, input.h, input.d) : big(input.n);
        const flat = input.kind === "volume" ? `${input.w}·${input.h}·${input.d} = ${grouped(nIn)}` : grouped(nIn);
        return [
          { title: "output", text: `${n} numbers${input.kind === "volume" ? ` (the ${shapeText(input)} volume is flattened to ${grouped(nIn)} first)` : ""}` },
          { title: "params", text: `${flat} inputs × ${grouped(n)}${bias ? ` + ${grouped(n)} biases` : ""} = ${grouped(weights + biases)}` },
          { title: "MACs", text: `${grouped(nIn)} × ${grouped(n)} = ${grouped(weights)}` },
        ];
      },
    };
  },
};

const flatten: LayerKind<"flatten"> = {
  name: "flatten",
  family: "reshape",
  aliases: [],
  summary: "flatten a W×H×D volume to a vector of W·H·D numbers (in PyTorch's C×H×W order)",
  usage: "flatten",
  args: [],
  options: [],
  spatial: false,
  infer(ctx) {
    const input = ctx.input;
    const n = input.kind === "volume" ? input.w * input.h * input.d : input.n;
    return {
      output: { kind: "vector", n },
      ...noParams,
      attrs: noAttrs,
      explain: () => input.kind === "volume" ? [{ title: "output", text: `${input.w}·${input.h}·${input.d} = ${grouped(n)}` }] : [],
    };
  },
};

const bn: LayerKind<"bn"> = {
  name: "bn",
  family: "norm",
  aliases: ["batchnorm"],
  summary: "batch normalization: per channel, (x − mean)/√(var + eps)·γ + β; 2 params (γ, β) per channel",
  usage: "bn [eps E]",
  args: [],
  options: ["eps"],
  spatial: false,
  infer(ctx) {
    const input = ctx.input;
    const d = input.kind === "volume" ? input.d : input.n;
    const perChannel = big(d); // γ and β: one each per channel
    return {
      output: sameShape(input),
      weights: perChannel,
      biases: perChannel,
      macs: 0n,
      attrs: { eps: ctx.options.eps ?? 1e-5 },
      explain: () => [{ title: "params", text: `2 × ${d} channels = ${grouped(2 * d)} (γ and β; the running mean and variance are not trained)` }],
    };
  },
};

const lrn: LayerKind<"lrn"> = {
  name: "lrn",
  family: "norm",
  brief: (a) => `${a.size}`,
  aliases: ["localresponsenorm"],
  summary: "local response normalization across N neighbouring channels (AlexNet)",
  usage: "lrn N",
  args: [{ name: "N", type: "count", what: "the number of channels N" }],
  options: [],
  spatial: true,
  infer(ctx) {
    return {
      output: sameShape(ctx.input),
      ...noParams,
      attrs: { size: ctx.args.N as number },
      explain: noExplanation,
    };
  },
};

const upsample: LayerKind<"upsample"> = {
  name: "upsample",
  family: "reshape",
  brief: (a) => `×${a.factor}`,
  aliases: [],
  summary: "nearest-neighbour upsampling by a factor S",
  usage: "upsample S",
  args: [{ name: "S", type: "count", what: "the upsampling factor S" }],
  options: [],
  spatial: true,
  infer(ctx) {
    const input = ctx.input as Volume;
    const s = ctx.args.S as number;
    return {
      output: volume(input.w * s, input.h * s, input.d),
      ...noParams,
      attrs: { factor: s },
      field: { kind: "upscale", factor: [s, s], kernel: [1, 1] },
      explain: () => [{ title: "output", text: `${s}·${input.w} × ${s}·${input.h} = ${input.w * s}×${input.h * s}` }],
    };
  },
};

const padLayer: LayerKind<"pad"> = {
  name: "pad",
  family: "reshape",
  brief: (a) => `${a.padding.left}`,
  aliases: ["zeropad"],
  summary: "zero padding: P zeros around each side",
  usage: "pad P",
  args: [{ name: "P", type: "size", what: "the padding P" }],
  options: [],
  spatial: true,
  infer(ctx) {
    const input = ctx.input as Volume;
    const p = ctx.args.P as number;
    return {
      output: volume(input.w + 2 * p, input.h + 2 * p, input.d),
      ...noParams,
      attrs: { padding: { left: p, right: p, top: p, bottom: p } },
      explain: () => [{ title: "output", text: `(${input.w} + 2·${p}) × (${input.h} + 2·${p}) = ${input.w + 2 * p}×${input.h + 2 * p}` }],
    };
  },
};

const dropout = identityLayer(
  "dropout",
  "reg",
  "dropout: zeroes a fraction p of the activations while training; identity when running",
  [],
  [{ name: "p", type: "probability", what: "the dropout probability p", optional: true, defaultValue: 0.5 }],
  (args) => ({ p: args.p as number }),
  (a) => `p ${a.p}`,
);

// ---- the modern vocabulary: normalization over channels, layer scale, channel slicing and shuffling, stochastic depth ----

/** `1e-6` rather than `0.000001`, as the value is written */
function smallNumber(x: number): string {
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x);
}

/** D₁ for a volume, N for a vector: the numbers each position has */
function channelsOf(input: Shape): number {
  return input.kind === "volume" ? input.d : input.n;
}

const layernorm: LayerKind<"layernorm"> = {
  name: "layernorm",
  family: "norm",
  aliases: ["layernorm2d"],
  summary: "layer normalization over the channels: at each position, (x − mean)/√(var + eps)·γ + β over its D values (ConvNeXt's LayerNorm2d); a vector over its N features",
  usage: "layernorm [eps E]",
  args: [],
  options: ["eps"],
  spatial: false,
  infer(ctx) {
    const input = ctx.input;
    const d = channelsOf(input);
    const eps = ctx.options.eps ?? 1e-5;
    const over = input.kind === "volume" ? `the ${d} channels at each of the ${grouped(exactProduct(input.w, input.h))} positions` : `the ${d} features`;
    return {
      output: sameShape(input),
      weights: big(d),
      biases: big(d),
      macs: 0n,
      attrs: { eps },
      explain: () => [
        { title: "normalizes", text: `over ${over}: mean and variance of those ${d} values (not over the batch, as bn does), ε = ${smallNumber(eps)}` },
        { title: "params", text: `2 × ${d} = ${grouped(2 * d)} (γ and β, one each per channel; no running statistics)` },
      ],
    };
  },
};

const layerscale: LayerKind<"layerscale"> = {
  name: "layerscale",
  family: "norm",
  aliases: [],
  summary: "layer scale: multiplies each channel by its own learned factor γ (ConvNeXt, CaiT); γ starts at `init` (1e-6)",
  usage: "layerscale [init v]",
  args: [],
  options: ["init"],
  spatial: false,
  infer(ctx) {
    const input = ctx.input;
    const d = channelsOf(input);
    const init = ctx.options.init ?? 1e-6;
    return {
      output: sameShape(input),
      weights: big(d),
      biases: 0n,
      macs: 0n,
      attrs: { init },
      explain: () => [
        { title: "output", text: `y = γ[c]·x, one factor per channel, γ = ${smallNumber(init)} at the start` },
        { title: "params", text: `${d} (one γ per channel; MACs 0, as torchinfo counts an element-wise product)` },
      ],
    };
  },
};

const slice: LayerKind<"slice"> = {
  name: "slice",
  family: "reshape",
  brief: (a) => `${a.start}:${a.end}`,
  aliases: [],
  summary: "channels A ≤ c < B of the input, 0-based (torch `x[:, A:B]`; ShuffleNet's channel split); a vector: elements A … B−1",
  usage: "slice A B",
  args: [
    { name: "A", type: "size", what: "the first channel A", moves: "depth", example: "0" },
    { name: "B", type: "count", what: "the end B (channels A ≤ c < B)", moves: "depth", example: "2" },
  ],
  options: [],
  spatial: false,
  infer(ctx) {
    const input = ctx.input;
    const a = ctx.args.A as number;
    const b = ctx.args.B as number;
    const d = channelsOf(input);
    const what = input.kind === "volume" ? "channels" : "elements";
    if (b > d) {
      ctx.report("bad-value", ctx.argSpans.B ?? ctx.span, `slice ${a} ${b}: the input has ${d} ${what} (${shapeText(input)}), so B must be at most ${d}`);
      return null;
    }
    if (a >= b) {
      ctx.report("bad-value", ctx.argSpans.A ?? ctx.span, `slice ${a} ${b}: A must be smaller than B (${what} A ≤ c < B; \`slice 0 ${Math.max(1, Math.floor(d / 2))}\` takes the first ${Math.max(1, Math.floor(d / 2))})`);
      return null;
    }
    const n = b - a;
    return {
      output: input.kind === "volume" ? volume(input.w, input.h, n) : { kind: "vector", n },
      ...noParams,
      attrs: { start: a, end: b },
      explain: () => [{ title: "output", text: `${what} ${a} … ${b - 1} of ${d}: ${b} − ${a} = ${n} (torch \`x[:, ${a}:${b}]\`)` }],
    };
  },
};

const shuffle: LayerKind<"shuffle"> = {
  name: "shuffle",
  family: "reshape",
  brief: (a) => `g${a.groups}`,
  aliases: ["channelshuffle"],
  summary: "channel shuffle (ShuffleNet): the D channels as G groups of D/G, transposed, so the next grouped layer sees every group",
  usage: "shuffle G",
  args: [{ name: "G", type: "count", what: "the number of groups G", moves: null, example: "2" }],
  options: [],
  spatial: false,
  infer(ctx) {
    const input = ctx.input;
    const g = ctx.args.G as number;
    const d = channelsOf(input);
    const fits = d % g === 0;
    // the shape does not depend on G: the lines below go on (the network does not run)
    if (!fits) ctx.report("groups-indivisible", ctx.argSpans.G ?? ctx.span, `shuffle ${g}: the input depth D₁ = ${d} is not divisible by ${g}`);
    const per = fits ? d / g : 1;
    const order = Array.from({ length: Math.min(d, 6) }, (_, i) => (i % g) * per + Math.floor(i / g));
    return {
      output: sameShape(input),
      ...noParams,
      attrs: { groups: fits ? g : 1 },
      explain: () => [
        {
          title: "output",
          text: `${d} channels as ${g} groups of ${per}, transposed (torch: view(${g}, ${per}), transpose, flatten): the output takes input channels ${order.join(", ")}${d > order.length ? ", …" : ""}`,
        },
      ],
    };
  },
};

const droppath = identityLayer(
  "droppath",
  "reg",
  "stochastic depth (torchvision StochasticDepth, mode \"row\"): drops a sample's whole branch with probability p while training, scaling the rest by 1/(1 − p); identity when running",
  ["stochasticdepth"],
  [{ name: "p", type: "probability", what: "the drop probability p", example: "0.1" }],
  (args) => ({ p: args.p as number }),
  (a) => `p ${a.p}`,
);

export const catalog: LayerKind[] = [
  conv,
  dwconv,
  local,
  deconv,
  pool("maxpool", "max pooling: the largest value of each F×F window, per depth slice", ["maxpool2d"]),
  pool("avgpool", "average pooling: the mean of each F×F window, per depth slice (padding counts, as in PyTorch)", ["avgpool2d"]),
  globalPool("gap", ["globalavgpool"], "global average pooling: the mean of each depth slice, W×H×D → 1×1×D"),
  globalPool("gmp", ["globalmaxpool"], "global max pooling: the largest value of each depth slice, W×H×D → 1×1×D"),
  adaptivePool,
  fc,
  flatten,
  bn,
  layernorm,
  lrn,
  dropout,
  activation("relu", "ReLU: max(0, x)"),
  activation("relu6", "ReLU6: min(max(0, x), 6) (MobileNet)"),
  identityLayer(
    "leakyrelu",
    "act",
    "leaky ReLU: x if x > 0, else a·x (default a = 0.01)",
    [],
    [{ name: "a", type: "number", what: "the negative slope a", optional: true, defaultValue: 0.01 }],
    (args) => ({ slope: args.a as number }),
  ),
  identityLayer(
    "elu",
    "act",
    "ELU: x if x > 0, else a·(eˣ − 1) (default a = 1)",
    [],
    [{ name: "a", type: "number", what: "alpha", optional: true, defaultValue: 1 }],
    (args) => ({ alpha: args.a as number }),
  ),
  activation("gelu", "GELU: x·Φ(x)"),
  activation("silu", "SiLU (swish): x·σ(x)", ["swish"]),
  activation("sigmoid", "sigmoid: 1/(1 + e⁻ˣ)"),
  activation("tanh", "tanh"),
  activation("hardswish", "hard swish: x·ReLU6(x + 3)/6 (MobileNetV3)"),
  activation("hardsigmoid", "hard sigmoid: ReLU6(x + 3)/6"),
  activation("softmax", "softmax over the depth (channels): probabilities that sum to 1"),
  upsample,
  padLayer,
  layerscale,
  slice,
  shuffle,
  droppath,
];

const byName = new Map<string, LayerKind>();
for (const kind of catalog) {
  byName.set(kind.name, kind);
  for (const alias of kind.aliases) byName.set(alias, kind);
}

export function layerKind(name: string): LayerKind | undefined {
  return byName.get(name);
}

/** every name a layer may be written with */
export const layerNames: string[] = [...byName.keys()];

/** `input W x H [x D]` is not a layer of the catalog but is documented like one. */
export const inputDoc = {
  name: "input",
  summary: "the network's input volume W×H×D (`input W x H` means D = 1)",
  usage: "input W x H x D [sample NAME | sample \"file.png\"] [data [[…]]] [mean […] std […]] [invert] [classes NAME | classes \"names.txt\"]",
  options: ["sample", "data", "mean", "std", "invert", "classes"] as OptionName[],
};
