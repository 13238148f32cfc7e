// flatten, dropout and droppath: when running, the numbers stay as they are — flatten
// only changes how the shape is read (C×H×W order is already PyTorch's flattened order),
// dropout and droppath (stochastic depth) are the identity outside training. The fast
// executor gives their output the input's buffer. (Their train-mode masks belong in
// `trainForward`: dropout per element, droppath per sample, torchvision's mode "row".)

import type { Op } from "./types";

export const flatten: Op<"flatten"> = {
  kind: "flatten",
  reference: { forward: ({ inputs: [x] }) => x },
  fast: { alias: true },
  onnx: { export: (e) => e.emit("Flatten", [e.inputs[0]], { axis: 1 }) },
};

export const dropout: Op<"dropout"> = {
  kind: "dropout",
  reference: { forward: ({ inputs: [x] }) => x },
  fast: { alias: true },
  onnx: { export: (e) => e.emit("Identity", [e.inputs[0]]) },
};

export const droppath: Op<"droppath"> = {
  kind: "droppath",
  reference: { forward: ({ inputs: [x] }) => x },
  fast: { alias: true },
  onnx: { export: (e) => e.emit("Identity", [e.inputs[0]]) },
};
