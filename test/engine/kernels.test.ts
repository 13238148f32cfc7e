// Hand-computed results for every kernel, through .cnn text and the reference executor.
// Test names encode the case: x = input W×H×D, f = filter W×H, s = stride, p = padding,
// d = dilation. Non-square filters and strides are included (width and height must never
// be swapped: tensorflow/tfjs#649).

import * as assert from "node:assert/strict";
import { assertClose, f32, run } from "./nets";

const grid4 = "[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]";
const grid5 = "[[1,2,3,4,5],[6,7,8,9,10],[11,12,13,14,15],[16,17,18,19,20],[21,22,23,24,25]]";
const ones = (w: number, h: number) => `[${Array(h).fill(`[${Array(w).fill(1).join(",")}]`).join(",")}]`;

describe("engine kernels: convolution (PyTorch Conv2d)", () => {
  it("spec edge example: x=6×6×1 f=3×3 s=1 p=0 → every row 0 30 30 0", async () => {
    const out = await run(`input 6x6x1 data [[10,10,10,0,0,0],[10,10,10,0,0,0],[10,10,10,0,0,0],[10,10,10,0,0,0],[10,10,10,0,0,0],[10,10,10,0,0,0]]
conv 1 3x3 weights [[1,0,-1],[1,0,-1],[1,0,-1]] bias 0`);
    assert.deepEqual(out, [0, 30, 30, 0, 0, 30, 30, 0, 0, 30, 30, 0, 0, 30, 30, 0]);
  });

  it("cross-correlation, not convolution: x=4×4×1 f=3×3 asymmetric filter s=1 p=0", async () => {
    // (0,0): 1·1 + 2·2 − 11 = −6; a flipped filter would give 30
    const out = await run(`input 4x4 data ${grid4}\nconv 1 3x3 weights [[1,2,0],[0,0,0],[0,0,-1]] bias 0`);
    assert.deepEqual(out, [-6, -4, 2, 4]);
  });

  it("bias is added to every position: x=4×4×1 f=3×3 bias 5", async () => {
    const out = await run(`input 4x4 data ${grid4}\nconv 1 3x3 weights [[1,2,0],[0,0,0],[0,0,-1]] bias 5`);
    assert.deepEqual(out, [-1, 1, 7, 9]);
  });

  it("literal weights without a bias get bias 0, not a random one", async () => {
    const out = await run(`input 4x4 data ${grid4}\nconv 1 3x3 weights [[1,2,0],[0,0,0],[0,0,-1]]`, [], 7);
    assert.deepEqual(out, [-6, -4, 2, 4]);
  });

  it("zero padding counts as zeros: x=5×5×1 f=3×3 s=2 p=1, all ones", async () => {
    const out = await run(`input 5x5 data ${ones(5, 5)}\nconv 1 3x3 stride 2 pad 1 weights ${ones(3, 3)} bias 0`);
    assert.deepEqual(out, [4, 6, 4, 6, 9, 6, 4, 6, 4]);
  });

  it("dilation: x=5×5×1 f=3×3 d=2 (effective 5×5) sums rows and columns 0, 2, 4", async () => {
    const out = await run(`input 5x5 data ${grid5}\nconv 1 3x3 dilation 2 weights ${ones(3, 3)} bias 0`);
    assert.deepEqual(out, [117]);
  });

  it("stride misfit rounds down as PyTorch: x=7×7×1 f=3×3 s=3 → 2×2 (centre taps)", async () => {
    const rows = Array.from({ length: 7 }, (_, y) => `[${Array.from({ length: 7 }, (_, x) => y * 7 + x + 1).join(",")}]`).join(",");
    const out = await run(`input 7x7 data [${rows}]\nconv 1 3x3 stride 3 floor weights [[0,0,0],[0,1,0],[0,0,0]] bias 0`);
    assert.deepEqual(out, [9, 12, 30, 33]);
  });

  it("non-square filter: x=4×2×1 f=3×1 (width 3, height 1)", async () => {
    const out = await run(`input 4x2 data [[1,2,4,8],[16,32,64,128]]\nconv 1 3x1 weights [[1,0,-1]] bias 0`);
    assert.deepEqual(out, [-3, -6, -48, -96]);
  });

  it("non-square stride: x=5×2×1 f=3×1 s=2×1 (width 2, height 1)", async () => {
    const out = await run(`input 5x2 data [[1,2,3,4,5],[10,20,30,40,50]]\nconv 1 3x1 stride 2x1 weights [[1,1,1]] bias 0`);
    assert.deepEqual(out, [6, 12, 60, 120]);
  });

  it("tall filter, tall stride: x=2×5×1 f=1×3 s=1×2", async () => {
    const out = await run(`input 2x5 data [[1,2],[3,4],[5,6],[7,8],[9,10]]\nconv 1 1x3 stride 1x2 weights [[1],[2],[3]] bias 0`);
    assert.deepEqual(out, [22, 28, 46, 52]);
  });

  it("pad same with an even filter pads right/bottom: x=4×4×1 f=2×2 p=same (0 left, 1 right)", async () => {
    const out = await run(`input 4x4 data ${ones(4, 4)}\nconv 1 2x2 pad same weights ${ones(2, 2)} bias 0`);
    assert.deepEqual(out, [4, 4, 4, 2, 4, 4, 4, 2, 4, 4, 4, 2, 2, 2, 2, 1]);
  });

  it("a filter spans the full depth: x=3×3×2 f=2×2×2", async () => {
    const out = await run(`input 3x3x2 data [[[1,2,3],[4,5,6],[7,8,9]],[[9,8,7],[6,5,4],[3,2,1]]]
conv 1 2x2 weights [[[1,0],[0,0]],[[0,0],[0,10]]] bias 0`);
    assert.deepEqual(out, [51, 42, 24, 15]);
  });

  it("groups 2: x=1×1×4 f=1×1 K=2, each filter sees its half of the depth", async () => {
    const out = await run(`input 1x1x4 data [[[1]],[[2]],[[3]],[[4]]]\nconv 2 1x1 groups 2`, [{ weight: f32([1, 10, 100, 1000]), bias: f32([0, 0]) }]);
    assert.deepEqual(out, [21, 4300]);
  });

  it("several filters, each with its bias: x=2×1×1 f=1×1 K=3", async () => {
    const out = await run(`input 2x1 data [[1,2]]\nconv 3 1x1`, [{ weight: f32([1, -1, 10]), bias: f32([0, 1, 2]) }]);
    assert.deepEqual(out, [1, 2, 0, -1, 12, 22]);
  });

  it("depthwise with multiplier 2: x=2×1×2 f=1×1 → 4 channels, output k reads channel ⌊k/2⌋", async () => {
    const out = await run(`input 2x1x2 data [[[1,2]],[[3,4]]]\ndwconv 1x1 multiplier 2`, [{ weight: f32([1, 2, 3, 4]), bias: f32([0, 0, 0, 0]) }]);
    assert.deepEqual(out, [1, 2, 2, 4, 9, 12, 12, 16]);
  });

  it("depthwise 3×3 p=1 on x=3×3×2 sums each channel's own neighbourhood", async () => {
    const out = await run(`input 3x3x2 data [[[1,1,1],[1,1,1],[1,1,1]],[[2,2,2],[2,2,2],[2,2,2]]]\ndwconv 3x3 pad 1 nobias`, [
      { weight: f32([...Array(9).fill(1), ...Array(9).fill(1)]) },
    ]);
    assert.deepEqual(out, [4, 6, 4, 6, 9, 6, 4, 6, 4, 8, 12, 8, 12, 18, 12, 8, 12, 8]);
  });

  it("relu after conv: negative sums become 0", async () => {
    const out = await run(`input 2x2 data [[1,-2],[3,-4]]\nconv 1 1x1 weights [[-1]] bias 0.5\nrelu`);
    assert.deepEqual(out, [0, 2.5, 0, 4.5]);
  });

  it("locally connected: x=3×1×1 f=2×1, one filter per position", async () => {
    const out = await run(`input 3x1 data [[1,2,3]]\nlocal 1 2x1`, [{ weight: f32([1, 1, 1, -1]), bias: f32([0, 100]) }]);
    assert.deepEqual(out, [3, 99]);
  });
});

describe("engine kernels: transposed convolution (PyTorch ConvTranspose2d)", () => {
  it("x=2×2×1 f=2×2 s=2 p=0: each pixel stamps the filter", async () => {
    const out = await run(`input 2x2 data [[1,2],[3,4]]\ndeconv 1 2x2 stride 2 nobias`, [{ weight: f32([1, 10, 100, 1000]) }]);
    assert.deepEqual(out, [1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000]);
  });

  it("x=2×2×1 f=3×3 s=2 p=1 outpad 1 → 4×4, overlaps added, P cropped", async () => {
    const out = await run(`input 2x2 data [[1,2],[3,4]]\ndeconv 1 3x3 stride 2 pad 1 outpad 1 nobias`, [{ weight: f32(Array(9).fill(1)) }]);
    assert.deepEqual(out, [1, 3, 2, 2, 4, 10, 6, 6, 3, 7, 4, 4, 3, 7, 4, 4]);
  });

  it("x=1×1×2 f=1×1 K=2: weight is [C_in][K] (ConvTranspose2d's layout), plus bias", async () => {
    const out = await run(`input 1x1x2 data [[[1]],[[2]]]\ndeconv 2 1x1`, [{ weight: f32([1, 10, 100, 1000]), bias: f32([0.5, -0.5]) }]);
    assert.deepEqual(out, [201.5, 2009.5]); // 1·1 + 2·100 + 0.5, 1·10 + 2·1000 − 0.5
  });
});

describe("engine kernels: pooling", () => {
  it("maxpool x=5×5 f=2×2 s=2 ceil: the last window hangs over the edge", async () => {
    const out = await run(`input 5x5 data ${grid5}\nmaxpool 2x2 ceil`);
    assert.deepEqual(out, [7, 9, 10, 17, 19, 20, 22, 24, 25]);
  });

  it("maxpool x=5×5 f=2×2 s=2 floor drops the last row and column", async () => {
    const out = await run(`input 5x5 data ${grid5}\nmaxpool 2x2 floor`);
    assert.deepEqual(out, [7, 9, 17, 19]);
  });

  it("maxpool padding is never chosen: x=2×2 all negative f=2×2 s=1 p=1", async () => {
    const out = await run(`input 2x2 data [[-1,-2],[-3,-4]]\nmaxpool 2x2 stride 1 pad 1`);
    assert.deepEqual(out, [-1, -1, -2, -1, -1, -2, -3, -3, -4]);
  });

  it("maxpool non-square f=2×1 s=2×1 on x=4×2", async () => {
    const out = await run(`input 4x2 data [[1,5,2,0],[7,3,3,9]]\nmaxpool 2x1 stride 2x1`);
    assert.deepEqual(out, [5, 2, 7, 9]);
  });

  it("avgpool counts the zero padding: x=5×5 ones f=3×3 s=2 p=1", async () => {
    const out = await run(`input 5x5 data ${ones(5, 5)}\navgpool 3x3 stride 2 pad 1`);
    assertClose(out, [4 / 9, 6 / 9, 4 / 9, 6 / 9, 1, 6 / 9, 4 / 9, 6 / 9, 4 / 9]);
  });

  it("avgpool ceil with padding: the divisor stops at the padded edge (x=4×4 ones f=3×3 s=2 p=1 ceil)", async () => {
    // per axis: windows [−1,2) [1,4) [3,5) → sizes 3, 3, 2 holding 2, 3, 1 real cells
    const out = await run(`input 4x4 data ${ones(4, 4)}\navgpool 3x3 stride 2 pad 1 ceil`);
    assertClose(out, [4 / 9, 6 / 9, 2 / 6, 6 / 9, 1, 3 / 6, 2 / 6, 3 / 6, 1 / 4]);
  });

  it("avgpool x=4×4 f=2×2 s=2 averages each block", async () => {
    const out = await run(`input 4x4 data ${grid4}\navgpool 2x2`);
    assert.deepEqual(out, [3.5, 5.5, 11.5, 13.5]);
  });

  it("gap and gmp: one number per channel (x=2×2×2)", async () => {
    assert.deepEqual(await run(`input 2x2x2 data [[[1,2],[3,4]],[[5,6],[7,9]]]\ngap`), [2.5, 6.75]);
    assert.deepEqual(await run(`input 2x2x2 data [[[1,2],[3,4]],[[5,6],[7,9]]]\ngmp`), [4, 9]);
  });

  it("adaptiveavgpool x=5×1 → 3×1: bins [0,2) [1,4) [3,5) overlap", async () => {
    assert.deepEqual(await run(`input 5x1 data [[1,2,3,4,5]]\nadaptiveavgpool 3x1`), [1.5, 3, 4.5]);
  });
});

describe("engine kernels: fully connected, normalization, activations", () => {
  it("fc N=2 on x=3×1: out = W·x + b", async () => {
    const out = await run(`input 3x1 data [[1,2,3]]\nfc 2`, [{ weight: f32([1, 0, -1, 0.5, 0.5, 0.5]), bias: f32([10, 0]) }]);
    assert.deepEqual(out, [8, 3]);
  });

  it("fc flattens a volume in C×H×W order: x=2×2×2, input 4 is channel 1 row 0 column 0", async () => {
    const out = await run(`input 2x2x2 data [[[1,2],[3,4]],[[5,6],[7,8]]]\nfc 1 nobias`, [{ weight: f32([0, 0, 0, 0, 1, 0, 0, 0]) }]);
    assert.deepEqual(out, [5]);
  });

  it("bn in inference mode: (x − mean)/√(var + eps)·γ + β", async () => {
    const out = await run(`input 1x1x2 data [[[3]],[[5]]]\nbn`, [{ weight: f32([2, 1]), bias: f32([1, 0]), runningMean: f32([1, 5]), runningVar: f32([4, 1]) }]);
    assertClose(out, [Math.fround((2 / Math.sqrt(4 + 1e-5)) * 2 + 1), 0]);
  });

  it("lrn 2 uses PyTorch's window [c − 1, c] (α = 1e-4, β = 0.75, k = 1)", async () => {
    const out = await run(`input 1x1x3 data [[[10]],[[20]],[[30]]]\nlrn 2`);
    // channel 0: 10²; channel 1: 10² + 20²; channel 2: 20² + 30²
    assertClose(out, [10 / Math.pow(1 + (1e-4 / 2) * 100, 0.75), 20 / Math.pow(1 + (1e-4 / 2) * 500, 0.75), 30 / Math.pow(1 + (1e-4 / 2) * 1300, 0.75)]);
  });

  it("softmax over the channels at each position of a volume (x=2×1×2)", async () => {
    const out = await run(`input 2x1x2 data [[[0,1]],[[0,2]]]\nsoftmax`);
    assertClose(out, [0.5, 1 / (1 + Math.E), 0.5, Math.E / (1 + Math.E)]);
  });

  const activation = async (layer: string, x: number) => (await run(`input 1x1 data [[${x}]]\n${layer}`))[0];
  const cases: [string, number, number][] = [
    ["relu", -3, 0],
    ["relu6", 7, 6],
    ["relu6", 2.5, 2.5],
    ["leakyrelu", -2, -0.02],
    ["leakyrelu 0.2", -2, -0.4],
    ["elu", -1, -0.6321205588],
    ["gelu", 1, 0.8413447461],
    ["gelu", -3, -0.0040496299],
    ["silu", 1, 0.7310585786],
    ["sigmoid", 0, 0.5],
    ["tanh", 0.5, 0.4621171573],
    ["hardswish", 1, 2 / 3],
    ["hardswish", -4, 0],
    ["hardsigmoid", 1, 2 / 3],
    ["dropout 0.5", 3, 3],
  ];
  for (const [layer, x, y] of cases) {
    it(`${layer}(${x}) = ${y}`, async () => assertClose([await activation(layer, x)], [y], 1e-7));
  }
});

describe("engine kernels: moving and merging", () => {
  it("upsample 2 copies each value into a 2×2 block", async () => {
    assert.deepEqual(await run(`input 2x2 data [[1,2],[3,4]]\nupsample 2`), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it("pad 1 surrounds with zeros", async () => {
    assert.deepEqual(await run(`input 2x2 data [[1,2],[3,4]]\npad 1`), [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
  });

  it("flatten keeps C×H×W order", async () => {
    assert.deepEqual(await run(`input 2x1x2 data [[[1,2]],[[3,4]]]\nflatten`), [1, 2, 3, 4]);
  });

  it("residual adds the body to the input: x + relu(x)", async () => {
    assert.deepEqual(await run(`input 2x1 data [[-1,2]]\nresidual { relu }`), [-1, 4]);
  });

  it("concat stacks branches in depth; an empty branch passes the input", async () => {
    assert.deepEqual(await run(`input 2x1 data [[-1,2]]\nconcat {\n  branch { }\n  branch { relu }\n}`), [-1, 2, 0, 2]);
  });

  it("add sums every branch", async () => {
    assert.deepEqual(await run(`input 2x1 data [[-1,2]]\nadd {\n  branch { relu }\n  branch { }\n  branch { }\n}`), [-2, 6]);
  });
});
