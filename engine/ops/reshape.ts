// flatten and dropout: when running, the numbers stay as they are — flatten only changes
// how the shape is read (C×H×W order is already PyTorch's flattened order), and dropout
// is the identity outside training. The fast executor gives their output the input's
// buffer. Training: dropout's seeded mask is its `trainForward` (engine/train/kernels/layout.ts).

import type { Op } from "./types";
import { trainSlots } from "../train/slots";
import { dropoutKernel, flattenKernel } from "../train/kernels/layout";

export const flatten: Op<"flatten"> = {
  kind: "flatten",
  reference: { forward: ({ inputs: [x] }) => x, ...trainSlots(flattenKernel) },
  fast: { alias: true },
  onnx: { export: (e) => e.emit("Flatten", [e.inputs[0]], { axis: 1 }) },
};

export const dropout: Op<"dropout"> = {
  kind: "dropout",
  reference: { forward: ({ inputs: [x] }) => x, ...trainSlots(dropoutKernel) },
  fast: { alias: true },
  onnx: { export: (e) => e.emit("Identity", [e.inputs[0]]) },
};
