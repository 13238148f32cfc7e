// The run view's output card: the top-5 classes after a softmax (the network's own when
// it ends in one), or a pointer to the last layer's maps for a volume.

import type { NetworkResult } from "../analysis/types";
import { shapeText } from "../analysis/format";
import { probabilities, topClasses } from "../engine/top";
import { h } from "./dom";

export function showOutput(top5: HTMLElement, note: HTMLElement, network: NetworkResult, values: Float32Array, length: number): void {
  const shape = network.output!;
  if (shape.kind !== "vector") {
    top5.hidden = true;
    note.textContent = `a ${shapeText(shape)} volume: see the last layer's maps below`;
    return;
  }
  const last = network.graph[network.graph.length - 1];
  const alreadyProbabilities = last.op === "softmax";
  const p = alreadyProbabilities ? Array.from(values) : Array.from(probabilities(values));
  const best = topClasses(p, Math.min(5, length));
  top5.replaceChildren(
    ...best.map((c, rank) => {
      const fill = h("span", { class: "fill" });
      fill.style.width = `${Math.max(0.5, c.value * 100).toFixed(1)}%`;
      return h(
        "div",
        { class: "top5-row", "data-testid": "top5-row" },
        h("span", { class: "rank" }, `${rank + 1}.`),
        h("span", { class: "class" }, `class ${c.index}`),
        h("span", { class: "track" }, fill),
        h("span", { class: "pct" }, `${(c.value * 100).toFixed(2)} %`),
      );
    }),
  );
  top5.hidden = false;
  note.textContent = alreadyProbabilities ? `top ${best.length} of ${length} (the network ends in a softmax)` : `top ${best.length} of ${length} after a softmax of the raw outputs`;
}
