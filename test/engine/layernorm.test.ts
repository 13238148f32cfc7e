// layernorm by hand (torchvision's LayerNorm2d: over the channels at each position).

import { assertClose, f32, run } from "./nets";

describe("engine kernels: layernorm (ConvNeXt's LayerNorm2d)", () => {
  it("x=1×1×4 [1,2,3,4]: mean 2.5, var 1.25 → ±1.342, ±0.447", async () => {
    const out = await run("input 1x1x4 data [[[1]],[[2]],[[3]],[[4]]]\nlayernorm");
    const s = Math.sqrt(1.25 + 1e-5);
    assertClose(out, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]);
  });

  it("each position on its own, with γ and β: x=2×1×2, γ=[2,1], β=[0,10]", async () => {
    // position 0: channels (1, 3) → (−1, 1); position 1: channels (5, 5) → (0, 0)
    const out = await run("input 2x1x2 data [[[1,5]],[[3,5]]]\nlayernorm eps 1e-12", [{ weight: f32([2, 1]), bias: f32([0, 10]) }]);
    assertClose(out, [-2, 0, 11, 10]);
  });

  it("a vector is one position: fc 3 then layernorm", async () => {
    const out = await run("input 1x1x2 data [[[1]],[[1]]]\nfc 3 nobias\nlayernorm eps 1e-12", [{ weight: f32([1, 0, 0, 1, 2, 2]) }]);
    // fc gives (1, 1, 4): mean 2, var 2 → (−1, −1, 2)/√2
    assertClose(out, [-1 / Math.SQRT2, -1 / Math.SQRT2, 2 / Math.SQRT2]);
  });
});
