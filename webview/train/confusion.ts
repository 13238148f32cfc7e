// The confusion matrix after training: rows are the true classes, columns the predicted
// ones, each cell the count and its share of the row (shaded by it: the diagonal in one
// colour, the mistakes in another); each row ends with its recall, the last row gives
// each column's precision. A table of text (readable, selectable, announced by screen
// readers), not a picture. Clicking a mistake's cell shows only those pictures.

import { h } from "../dom";

export interface ConfusionSummary {
  total: number;
  right: number;
  /** per true class: how many, and the share classified right (null for an empty class) */
  rowTotals: number[];
  recall: (number | null)[];
  /** per predicted class: how many were predicted so, and the share of them right */
  columnTotals: number[];
  precision: (number | null)[];
  /** the largest off-diagonal cells, most first: [true, predicted, count] */
  worst: [number, number, number][];
}

export function summarizeConfusion(matrix: number[][]): ConfusionSummary {
  const k = matrix.length;
  const rowTotals = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const columnTotals = Array.from({ length: k }, (_, c) => matrix.reduce((a, row) => a + row[c], 0));
  const right = matrix.reduce((a, row, i) => a + row[i], 0);
  const worst: [number, number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j && matrix[i][j] > 0) worst.push([i, j, matrix[i][j]]);
  worst.sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]);
  return {
    total: rowTotals.reduce((a, b) => a + b, 0),
    right,
    rowTotals,
    recall: matrix.map((row, i) => (rowTotals[i] ? row[i] / rowTotals[i] : null)),
    columnTotals,
    precision: columnTotals.map((t, c) => (t ? matrix[c][c] / t : null)),
    worst: worst.slice(0, 5),
  };
}

/** the tables stay readable up to this many classes; past it only the worst confusions are listed */
export const MAX_TABLE_CLASSES = 40;

const percent = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)} %`);

/**
 * Renders the matrix into `box`. `onPick(true, predicted)` is called when a cell is
 * clicked (null, null: the "all" link).
 */
export function renderConfusion(box: HTMLElement, matrix: number[][], classes: string[], onPick: (label: number | null, predicted: number | null) => void): void {
  const s = summarizeConfusion(matrix);
  const k = matrix.length;
  const worst = s.worst.length
    ? h("div", { class: "caption" }, "most confused: ", s.worst.map(([i, j, n]) => `${classes[i]} taken for ${classes[j]} ×${n}`).join(" · "))
    : h("div", { class: "caption" }, "no mistakes");
  if (k > MAX_TABLE_CLASSES) {
    box.replaceChildren(h("div", { class: "caption" }, `${k} classes: too many for a table; accuracy ${percent(s.total ? s.right / s.total : null)}`), worst);
    return;
  }
  const table = h("table", { class: "confusion", "data-testid": "confusion" });
  const head = h("tr", {}, h("th", { class: "corner", scope: "col" }, "true ╲ predicted"));
  classes.forEach((c) => head.append(h("th", { scope: "col", title: `predicted ${c}` }, c)));
  head.append(h("th", { scope: "col", title: "the share of each true class classified right" }, "recall"));
  table.append(h("thead", {}, head));
  const body = h("tbody", {});
  for (let i = 0; i < k; i++) {
    const row = h("tr", {}, h("th", { scope: "row", title: `true class ${classes[i]}` }, classes[i]));
    for (let j = 0; j < k; j++) {
      const n = matrix[i][j];
      const share = s.rowTotals[i] ? n / s.rowTotals[i] : 0;
      const cell = h(
        "td",
        {
          class: i === j ? "hit" : n ? "miss" : "zero",
          "data-testid": "confusion-cell",
          "data-true": i,
          "data-predicted": j,
          title: `true ${classes[i]}, predicted ${classes[j]}: ${n} (${percent(s.rowTotals[i] ? share : null)} of the ${classes[i]}s)`,
        },
        String(n),
      );
      cell.style.setProperty("--share", share.toFixed(3));
      if (i !== j && n > 0) {
        cell.tabIndex = 0;
        cell.addEventListener("click", () => onPick(i, j));
        cell.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && onPick(i, j));
      }
      row.append(cell);
    }
    row.append(h("td", { class: "rate" }, percent(s.recall[i])));
    body.append(row);
  }
  const precision = h("tr", {}, h("th", { scope: "row", title: "the share of each predicted class that was right" }, "precision"));
  for (let j = 0; j < k; j++) precision.append(h("td", { class: "rate" }, percent(s.precision[j])));
  precision.append(h("td", { class: "rate total", title: "accuracy" }, percent(s.total ? s.right / s.total : null)));
  body.append(precision);
  table.append(body);
  box.replaceChildren(table, worst);
}
