// Parallel paths joined: a residual's body and shortcut added, `add` branches summed,
// `mul` branches multiplied (a 1×1×D branch broadcast over W×H), `concat` branches
// stacked along depth (spec §4) — or the mismatch named, with both shapes.

import type * as A from "../../grammar";
import type { Span } from "../../grammar";
import { shapeText } from "../format";
import { projectionShortcut } from "../projection";
import type { Shape } from "../types";
import { MAX_VALUE } from "../values";
import { afterMismatch, allDoubt, doubtful, moreDoubt, standIn, unknownFlow, type Doubt, type Flow } from "./doubt";
import { joinFields, type Recorder } from "./graph";
import type { Sink } from "./sink";

/** Add (residual, add) or stack (concat) the results of parallel paths. */
export function join(how: "residual" | "add" | "concat" | "mul", stmt: A.ResidualStatement | A.MergeStatement, outs: Flow[], input: Flow, sink: Sink, records: Recorder): Flow {
  if (outs.some((o) => !o.shape)) return unknownFlow;
  const doubt = outs.reduce<Doubt | undefined>((acc, o) => moreDoubt(acc, o.doubt ?? {}), input.doubt);
  const report = doubtful(sink, doubt);
  const shapes = outs.map((o) => o.shape!);
  const first = shapes[0];
  const span: Span = { start: stmt.start, end: stmt.keyword.end };
  const names = how === "residual" ? ["the body", "the shortcut"] : shapes.map((_, i) => `branch ${i + 1}`);
  let output: Shape;
  if (how === "concat") {
    if (shapes.every((s) => s.kind === "vector")) {
      output = { kind: "vector", n: shapes.reduce((a, s) => a + (s.kind === "vector" ? s.n : 0), 0) };
    } else {
      const bad = shapes.findIndex((s) => s.kind !== "volume" || first.kind !== "volume" || s.w !== first.w || s.h !== first.h);
      if (bad >= 0) {
        report(
          "spatial-mismatch",
          span,
          `concat stacks along depth, so every branch must have the same W×H: ${names[0]} gives ${shapeText(first)}, ${names[bad]} ${shapeText(shapes[bad])}`,
        );
        return afterMismatch(doubt, first.kind === "volume" ? { ...first, d: shapes.reduce((a, s) => a + (s.kind === "volume" ? s.d : 0), 0) } : first);
      }
      output = { kind: "volume", w: (first as { w: number }).w, h: (first as { h: number }).h, d: shapes.reduce((a, s) => a + (s.kind === "volume" ? s.d : 0), 0) };
    }
  } else if (how === "mul") {
    const joined = multiplied(shapes, names, span, report);
    if (!joined.ok) return afterMismatch(doubt, joined.shape);
    output = joined.shape;
  } else {
    for (let i = 1; i < shapes.length; i++) {
      const s = shapes[i];
      if (s.kind !== first.kind) {
        report("spatial-mismatch", span, `${how === "residual" ? "the residual adds" : "add sums"} ${shapeText(first)} (${names[0]}) and ${shapeText(s)} (${names[i]}): a volume and a vector cannot be added`);
        return afterMismatch(doubt, first);
      }
      if (s.kind === "vector" && first.kind === "vector") {
        if (s.n !== first.n) {
          report("depth-mismatch", span, `${how === "residual" ? "the residual adds" : "add sums"} ${s.n} numbers (${names[i]}) to ${first.n} (${names[0]})`);
          return afterMismatch(doubt, first);
        }
        continue;
      }
      const a = first as Extract<Shape, { kind: "volume" }>;
      const b = s as Extract<Shape, { kind: "volume" }>;
      const verb = how === "residual" ? "the residual adds" : "add sums";
      const both = `${shapeText(a)} (${names[0]}) and ${shapeText(b)} (${names[i]})`;
      if (a.d !== b.d) {
        // a 1×1 projection on the shortcut brings it to the body's shape (analysis/projection.ts)
        const inputShape = input.shape;
        const projection = how === "residual" && inputShape?.kind === "volume"
          ? projectionShortcut(stmt as A.ResidualStatement, inputShape, a, sink.callStack.length > 0)
          : null;
        const fix = projection ? `; add a 1×1 projection shortcut: \`shortcut { ${projection.layers.join("; ")} }\`` : "";
        report("depth-mismatch", span, `${verb} ${both}: depths ${a.d} and ${b.d} differ${fix}`, projection
          ? {
              kind: "projection",
              depth: a.d,
              stride: projection.stride,
              layers: projection.layers,
              residual: { start: stmt.start, end: stmt.end },
              shortcut: (stmt as A.ResidualStatement).shortcut ? { start: (stmt as A.ResidualStatement).shortcutKeyword!.start, end: stmt.end } : null,
            }
          : undefined);
        return afterMismatch(doubt, first);
      }
      if (a.w !== b.w || a.h !== b.h) {
        report("spatial-mismatch", span, `${verb} ${both}: W×H must agree`);
        return afterMismatch(doubt, first);
      }
    }
    output = first.kind === "volume" ? { ...first } : { ...first };
  }
  // (stacking doubles a depth each pass of a repeat: 2^1000 is no size)
  if (output.kind === "volume" ? output.d > MAX_VALUE : output.n > MAX_VALUE) {
    if (!doubt) report("bad-value", span, `${how} gives ${shapeText(output)}: too large`);
    return afterMismatch(allDoubt, first);
  }
  if (doubt || outs.some((o) => o.node === null)) return { shape: standIn(output, doubt), node: null, field: null, doubt };
  const node = records.addNode(how === "residual" ? "add" : how, outs.map((o) => o.node!), input.shape, output, {}, 0n, 0n, stmt);
  const field = joinFields(outs);
  return { shape: output, node, field };
}


const isPoint = (s: Shape) => s.kind === "volume" && s.w === 1 && s.h === 1;

/**
 * `mul`: the element-wise product. A 1×1×D branch multiplies every position of the
 * others (squeeze-and-excitation); otherwise the shapes agree as for `add`. The output
 * is the shape of the branches that are not 1×1 (1×1×D when all are).
 */
function multiplied(shapes: Shape[], names: string[], span: Span, report: ReturnType<typeof doubtful>): { ok: boolean; shape: Shape } {
  const full = shapes.findIndex((s) => !isPoint(s));
  const at = full >= 0 ? full : 0;
  const target = shapes[at];
  const depthOf = (s: Shape) => (s.kind === "volume" ? s.d : s.n);
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i];
    if (i === at) continue;
    const both = `${shapeText(target)} (${names[at]}) and ${shapeText(s)} (${names[i]})`;
    if (s.kind !== target.kind && !(isPoint(s) && target.kind === "volume")) {
      report("spatial-mismatch", span, `mul multiplies ${both}: a volume and a vector cannot be multiplied (a 1×1×D branch multiplies every position of a W×H×D one)`);
      return { ok: false, shape: target };
    }
    if (depthOf(s) !== depthOf(target)) {
      const what = target.kind === "vector" ? "sizes" : "depths";
      report("depth-mismatch", span, `mul multiplies ${both}: ${what} ${depthOf(target)} and ${depthOf(s)} differ; every branch gives one factor per channel`);
      return { ok: false, shape: target };
    }
    if (s.kind === "volume" && target.kind === "volume" && !isPoint(s) && (s.w !== target.w || s.h !== target.h)) {
      report("spatial-mismatch", span, `mul multiplies ${both}: W×H must agree, or one branch be 1×1×${target.d} (multiplying every position)`);
      return { ok: false, shape: target };
    }
  }
  return { ok: true, shape: target };
}
