// The WebAssembly kernels against the reference kernels (the naive loops, themselves
// checked against onnxruntime in onnx-diff.test.ts), one small network per case, named
// by its parameters. Each runs fused (the bench's path) and traced (every layer, the run
// view's path); sizes are chosen to hit the kernels' edges: partial register tiles,
// Kd past one KC block, N past one NC block, partial Winograd tiles, odd row lengths.

import * as assert from "node:assert/strict";
import type { NetworkWeights } from "../../engine/api";
import { FastExecutor } from "../../engine/fast/executor";
import { FastNetwork } from "../../engine/fast/network";
import { fromMap } from "../../engine/fast/sources";
import { initWeights } from "../../engine/init";
import { networkInput } from "../../engine/input";
import { ReferenceExecutor } from "../../engine/reference";
import { network } from "./nets";

/** |fast − ref| ≤ 2e-5 · max(1, max |ref|) over every value */
function assertNear(fast: Float32Array, ref: Float32Array, what: string): void {
  assert.equal(fast.length, ref.length, `${what}: length`);
  let top = 0;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < ref.length; i++) {
    top = Math.max(top, Math.abs(ref[i]));
    const d = Math.abs(fast[i] - ref[i]);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  assert.ok(worst <= 2e-5 * Math.max(1, top), `${what}: value ${at} is ${fast[at]}, the reference ${ref[at]} (max |ref| ${top})`);
}

async function compare(text: string, kernel: string | null): Promise<void> {
  const net = network(text);
  const weights: NetworkWeights = initWeights(net.graph, 5);
  const input = networkInput(net.graph[0], { sample: "noise" }, 5).data;
  const refLayers = new Map<number, Float32Array>();
  const ref = await new ReferenceExecutor().run(net.graph, weights, input, { onLayer: (t) => refLayers.set(t.node.id, t.output) });
  const fast = new FastExecutor();
  assertNear(await fast.run(net.graph, weights, input), ref, "fused");
  const seen: number[] = [];
  const traced = await fast.run(net.graph, weights, input, {
    onLayer: (t) => {
      seen.push(t.node.id);
      assertNear(t.output, refLayers.get(t.node.id)!, `layer ${t.node.id} (${t.node.op})`);
    },
  });
  assertNear(traced, ref, "traced");
  assert.deepEqual(seen, net.graph.map((n) => n.id), "every layer is traced once, in order");
  if (kernel) {
    const prepared = await FastNetwork.prepare(net.graph, fromMap(weights));
    assert.ok(prepared.kernels.includes(kernel), `runs on the ${kernel} kernel (got ${prepared.kernels.join(", ")})`);
  }
}

const cases: [string, string, string | null][] = [
  ["conv 5×5 over a 5×5×16 input (one window: the fc kernel)", "input 5x5x16\nconv 120 5x5\nbn\nrelu", "fc"],
  ["conv x=9×7×3 f=5×3 K=4 s=2×1 p=2×1", "input 9x7x3\nconv 4 5x3 stride 2x1 pad 2x1 floor", "gemm"],
  ["conv x=11×10×5 f=3×2 K=7 s=3×2 d=2×1 (dilation, non-square stride)", "input 11x10x5\nconv 7 3x2 stride 3x2 dilation 2x1 floor", "gemm"],
  ["conv x=12×10×4 f=4×4 K=6 groups=2 pad same (even filter)", "input 12x10x4\nconv 6 4x4 groups 2 pad same", "gemm"],
  ["conv x=6×5×30 f=3×3 K=9 p=1 groups=3 s=2: Kd per group past the tile", "input 6x5x30\nconv 9 3x3 groups 3 stride 2 pad 1 floor", "gemm"],
  ["conv x=7×5×30 f=3×3 K=5 s=2: Kd = 270 > KC = 256", "input 7x5x30\nconv 5 3x3 stride 2 floor", "gemm"],
  ["conv x=23×21×3 f=3×3 K=6 p=1: N = 483 > NC, 3 channels (im2col, not Winograd)", "input 23x21x3\nconv 6 3x3 pad 1", "gemm"],
  ["conv 1×1 x=13×11×20 K=37 s=1: B read in place, partial tiles", "input 13x11x20\nconv 37 1x1", "gemm"],
  ["conv 1×1 x=13×11×20 K=6 s=2", "input 13x11x20\nconv 6 1x1 stride 2 floor", "gemm"],
  ["winograd x=10×7×16 f=3×3 K=20 p=1: partial tiles on both axes", "input 10x7x16\nconv 20 3x3 pad 1", "winograd"],
  ["winograd x=13×9×32 f=3×3 K=16 p=0 nobias", "input 13x9x32\nconv 16 3x3 nobias", "winograd"],
  ["winograd x=37×35×16 f=3×3 K=17 p=1: more than one block of tiles", "input 37x35x16\nconv 17 3x3 pad 1\nrelu", "winograd"],
  ["winograd + bn + residual + relu (a basic block)", "input 9x9x16\nresidual {\n  conv 16 3x3 pad 1 nobias\n  bn\n  relu\n  conv 16 3x3 pad 1 nobias\n  bn\n}\nrelu", "winograd"],
  ["conv + bn + residual with projection + relu6", "input 10x10x8\nresidual {\n  conv 12 3x3 stride 2 pad 1 floor\n  bn\n} shortcut {\n  conv 12 1x1 stride 2 floor\n  bn\n}\nrelu6", "gemm"],
  ["dwconv x=13×11×5 f=3×3 s=1 p=1 + bn + relu6", "input 13x11x5\ndwconv 3x3 pad 1 nobias\nbn\nrelu6", "depthwise"],
  ["dwconv x=14×9×6 f=3×3 s=2 p=1 floor", "input 14x9x6\ndwconv 3x3 stride 2 pad 1 floor", "depthwise"],
  ["dwconv x=11×11×3 f=3×3 M=2 s=2 p=1 nobias", "input 11x11x3\ndwconv 3x3 multiplier 2 stride 2 pad 1 nobias", "depthwise"],
  ["dwconv x=15×12×4 f=5×3 s=3×1 d=2 p=2", "input 15x12x4\ndwconv 5x3 stride 3x1 dilation 2 pad 2 floor", "depthwise"],
  ["maxpool x=10×9×2 f=3×3 s=2 p=1 d=2 ceil", "input 10x9x2\nmaxpool 3x3 stride 2 pad 1 dilation 2 ceil", "pool"],
  ["maxpool x=13×11×3 f=2×3 s=3×2 (generic stride)", "input 13x11x3\nmaxpool 2x3 stride 3x2 floor", "pool"],
  ["avgpool x=10×10×2 f=3×3 s=2 p=1 ceil (divisor counts padding)", "input 10x10x2\navgpool 3x3 stride 2 pad 1 ceil", "pool"],
  ["avgpool x=7×7×2 f=2×2 ceil without padding", "input 7x7x2\navgpool 2x2 ceil", "pool"],
  ["maxpool and avgpool x=3×3 f=2 s=2 p=1 ceil (a window would start in the padding)", "input 3x3x2\nconcat {\n  branch { maxpool 2x2 pad 1 ceil }\n  branch { avgpool 2x2 pad 1 ceil }\n}", "concat"],
  ["gap, gmp x=6×5×3", "input 6x5x3\nconcat {\n  branch { gap }\n  branch { gmp }\n}", "global-pool"],
  ["adaptiveavgpool 7×5 → 3×2", "input 7x5x3\nadaptiveavgpool 3x2", "adaptive-pool"],
  ["fc on a volume 4×3×2 → 7 nobias, bn on a vector, fc 3, softmax", "input 4x3x2\nfc 7 nobias\nbn\nfc 3\nsoftmax", "fc"],
  ["fc 3×3×1 → 5 (rows not a multiple of 4, 9 inputs: past the vectors) + relu, fc 6", "input 3x3\nfc 5\nrelu\nfc 6", "fc"],
  ["bn alone on a volume + relu, bn eps 1e-3", "input 6x6x7\nmaxpool 1x1\nbn eps 0.001\nrelu", "affine"],
  ["every activation", "input 8x8x2\nconv 4 3x3 pad 1\nrelu6\nconv 4 1x1\nleakyrelu 0.1\nconv 4 1x1\nelu 0.7\nconv 4 1x1\ngelu\nconv 4 1x1\nsilu\nconv 4 1x1\nhardswish\nconv 4 1x1\nhardsigmoid\nconv 4 1x1\ntanh\nconv 4 1x1\nsigmoid\ndropout 0.3\nsoftmax", "activation"],
  ["softmax over the depth of a 5×3×6 volume", "input 5x3x6\nsoftmax", "softmax"],
  ["upsample 3, pad 2", "input 4x3x2\nupsample 3\npad 2", "upsample"],
  ["add of three + relu, concat of vectors", "input 8x8x3\nadd {\n  branch { relu }\n  branch { }\n  branch { conv 3 1x1 }\n}\nrelu\nflatten\nconcat {\n  branch { fc 5 }\n  branch { fc 3\n    softmax }\n}", "add"],
  ["local, deconv, lrn fall back to the reference kernels", "input 9x8x2\nlocal 3 3x2 stride 2 floor\ndeconv 4 3x3 stride 2 pad 1 outpad 1\nlrn 3", "reference"],
];

describe("WebAssembly kernels vs the reference kernels", function () {
  this.timeout(60_000);
  for (const [label, text, kernel] of cases) it(label, () => compare(text, kernel));
});
