// flatten and dropout: when running, the numbers stay as they are — flatten only changes
// how the shape is read (C×H×W order is already PyTorch's flattened order), and dropout
// is the identity outside training. The fast executor gives their output the input's
// buffer. (Dropout's train-mode mask belongs in `trainForward`.)

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
