// The run view's output card: the top-5 classes after a softmax (the network's own when
// it ends in one), named where the names are sure (engine/classes), or a pointer to the
// last layer's maps for a volume; and, when the weights are the seeded initialization,
// a notice that says so in plain words, with the ways to get real ones.

import type { NetworkResult } from "../analysis/types";
import { shapeText } from "../analysis/format";
import { givesProbabilities } from "../engine/ops";
import { probabilities, topClasses } from "../engine/top";
import type { ClassNames } from "../engine/classes";
import { h } from "./dom";

export function showOutput(top5: HTMLElement, note: HTMLElement, network: NetworkResult, values: Float32Array, length: number, classes: ClassNames | null = null): void {
  const shape = network.output!;
  if (shape.kind !== "vector" && !(shape.w === 1 && shape.h === 1)) {
    top5.hidden = true;
    note.textContent = `a ${shapeText(shape)} volume: see the last layer's maps below`;
    return;
  }
  const last = network.graph[network.graph.length - 1];
  const alreadyProbabilities = givesProbabilities(last);
  const p = alreadyProbabilities ? Array.from(values) : Array.from(probabilities(values));
  const best = topClasses(p, Math.min(5, length));
  top5.replaceChildren(
    ...best.map((c, rank) => {
      const fill = h("span", { class: "fill" });
      fill.style.width = `${Math.max(0.5, c.value * 100).toFixed(1)}%`;
      const name = classes ? classes.names[c.index] : `class ${c.index}`;
      return h(
        "div",
        { class: "top5-row", "data-testid": "top5-row", title: classes ? `class ${c.index}` : "" },
        h("span", { class: "rank" }, `${rank + 1}.`),
        h("span", { class: "class", "data-testid": "top5-class" }, name),
        h("span", { class: "track" }, fill),
        h("span", { class: "pct" }, `${(c.value * 100).toFixed(2)} %`),
      );
    }),
  );
  top5.hidden = false;
  const how = alreadyProbabilities ? `top ${best.length} of ${length} (the network ends in a softmax)` : `top ${best.length} of ${length} after a softmax of the raw outputs`;
  note.textContent = classes ? `${how}; names: ${classes.source}` : `${how}; the classes have no names (\`classes\` on the input line gives them)`;
}

/** The notice next to the output when the weights are the seeded initialization (hidden otherwise). */
export function showUntrained(box: HTMLElement, untrained: boolean, seed: number, fileName: string, loadWeights?: () => void): void {
  box.hidden = !untrained;
  if (!untrained) return;
  box.replaceChildren(
    h("strong", {}, `untrained: random weights, seed ${seed}`),
    " — the output does not mean anything yet. To get real weights:",
    h(
      "ul",
      {},
      h("li", {}, "train them here: the Train section below (MNIST, or a folder of pictures), or ", h("code", {}, `cnn train ${fileName} --data mnist`)),
      h(
        "li",
        {},
        "load a weights file: ",
        ...(loadWeights ? [h("button", { type: "button", class: "link", "data-testid": "untrained-load-weights", onclick: () => loadWeights() }, "Load weights…"), " (or "] : []),
        h("code", {}, `cnn run ${fileName} --weights WEIGHTS.safetensors`),
        ...(loadWeights ? [")"] : []),
      ),
      h("li", {}, "import a trained model: ", h("code", {}, "CNN: Import ONNX…"), " (or ", h("code", {}, "cnn import MODEL.onnx"), ")"),
    ),
  );
}
