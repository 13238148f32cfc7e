// upsample and pad: layers that only move values — nearest-neighbour upsampling by an
// integer factor (PyTorch Upsample mode='nearest') and zero padding (ZeroPad2d).

import type { Floats } from "../api";
import type { Padding } from "../../analysis/types";
import { planesOf, type Planes } from "../tensor";
import { like } from "./shared";
import type { Op } from "./types";
import { trainSlots } from "../train/slots";
import { padKernel, upsampleKernel } from "../train/kernels/layout";

export function upsampleNearest<T extends Floats>(input: T, from: Planes, to: Planes): T {
  const out = like(input, from.channels * to.height * to.width);
  for (let c = 0; c < from.channels; c++) {
    for (let oy = 0; oy < to.height; oy++) {
      const iy = Math.floor((oy * from.height) / to.height);
      for (let ox = 0; ox < to.width; ox++) {
        const ix = Math.floor((ox * from.width) / to.width);
        out[(c * to.height + oy) * to.width + ox] = input[(c * from.height + iy) * from.width + ix];
      }
    }
  }
  return out;
}

export function zeroPad<T extends Floats>(input: T, from: Planes, to: Planes, padding: Padding): T {
  const out = like(input, from.channels * to.height * to.width);
  for (let c = 0; c < from.channels; c++) {
    for (let y = 0; y < from.height; y++) {
      const src = (c * from.height + y) * from.width;
      out.set(input.subarray(src, src + from.width), (c * to.height + y + padding.top) * to.width + padding.left);
    }
  }
  return out;
}

export const upsample: Op<"upsample"> = {
  kind: "upsample",
  reference: { forward: ({ node, inputs: [x] }) => upsampleNearest(x, planesOf(node.input!), planesOf(node.output)), ...trainSlots(upsampleKernel) },
  fast: {
    compile(step, ctx) {
      const i = planesOf(step.head.input!);
      const factor = step.head.attrs.factor;
      return ["upsample", { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.upsample({ dst: output, src: inputs[0], channels: i.channels, height: i.height, width: i.width, factor }) }];
    },
  },
  onnx: {
    export(e) {
      const s = e.node.attrs.factor;
      return e.emit("Resize", [e.inputs[0], "", e.g.floats(`${e.base}.scales`, [4], Float32Array.of(1, 1, s, s))], {
        mode: "nearest",
        coordinate_transformation_mode: "asymmetric",
        nearest_mode: "floor",
      });
    },
  },
};

export const pad: Op<"pad"> = {
  kind: "pad",
  reference: { forward: ({ node, inputs: [x] }) => zeroPad(x, planesOf(node.input!), planesOf(node.output), node.attrs.padding), ...trainSlots(padKernel) },
  fast: {
    compile(step, ctx) {
      const i = planesOf(step.head.input!);
      const o = planesOf(step.head.output);
      const p = step.head.attrs.padding;
      return ["pad", { scratchBytes: 0, run: ({ inputs, output }) => ctx.lib.k.pad({ dst: output, src: inputs[0], channels: i.channels, height: i.height, width: i.width, top: p.top, left: p.left, paddedHeight: o.height, paddedWidth: o.width, value: 0 }) }];
    },
  },
  onnx: {
    export(e) {
      const p = e.node.attrs.padding;
      return e.emit("Pad", [e.inputs[0], e.g.ints(`${e.base}.pads`, [0, 0, p.top, p.left, 0, 0, p.bottom, p.right])], { mode: "constant" });
    },
  },
};
