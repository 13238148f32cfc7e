// The optimizers of spec §9, in torch.optim's order of operations (its single-tensor
// CPU path), one state per parameter tensor:
//
// sgd  (torch.optim.SGD, dampening 0, no Nesterov):
//        d = g + wd·p;  buf = d on the first step, else buf = momentum·buf + d (when momentum ≠ 0);
//        p = p − lr·buf (or − lr·d without momentum)
// adam (torch.optim.Adam, amsgrad off):
//        t += 1;  d = g + wd·p;  m = β₁·m + (1 − β₁)·d;  v = β₂·v + (1 − β₂)·d²;
//        p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
//
// Weight decay applies to every parameter (biases and bn's γ, β included), as it does to
// model.parameters() in PyTorch. Each value is computed in double and stored as float32.

export type OptimizerKind = "sgd" | "adam";

export interface OptimizerSettings {
  kind: OptimizerKind;
  lr: number;
  momentum: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const OPTIMIZER_DEFAULTS: OptimizerSettings = { kind: "adam", lr: 1e-3, momentum: 0, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export function optimizerSettings(partial: Partial<OptimizerSettings> = {}): OptimizerSettings {
  return { ...OPTIMIZER_DEFAULTS, ...partial };
}

/** float32 tensors an optimizer keeps per parameter value (momentum buffer; Adam's two moments) */
export function stateTensors(s: OptimizerSettings): number {
  return s.kind === "adam" ? 2 : s.momentum !== 0 ? 1 : 0;
}

/** One parameter tensor's optimizer state. */
export class ParamState {
  step = 0;
  private first: Float32Array | null = null;
  private second: Float32Array | null = null;

  constructor(
    readonly size: number,
    private readonly s: OptimizerSettings,
  ) {}

  /** updates `p` in place from its gradient `g` */
  update(p: Float32Array, g: ArrayLike<number>): void {
    const s = this.s;
    const wd = s.weightDecay;
    this.step++;
    if (s.kind === "sgd") {
      if (s.momentum === 0) {
        for (let i = 0; i < p.length; i++) p[i] = p[i] - s.lr * (g[i] + wd * p[i]);
        return;
      }
      const buf = this.first;
      if (!buf) {
        const b = (this.first = new Float32Array(p.length));
        for (let i = 0; i < p.length; i++) {
          b[i] = g[i] + wd * p[i];
          p[i] = p[i] - s.lr * b[i];
        }
        return;
      }
      for (let i = 0; i < p.length; i++) {
        buf[i] = s.momentum * buf[i] + (g[i] + wd * p[i]);
        p[i] = p[i] - s.lr * buf[i];
      }
      return;
    }
    const m = (this.first ??= new Float32Array(p.length));
    const v = (this.second ??= new Float32Array(p.length));
    adamUpdate(p, g as Float32Array, m, v, s.beta1, s.beta2, s.eps, wd, s.lr / (1 - s.beta1 ** this.step), Math.sqrt(1 - s.beta2 ** this.step));
  }

  /** the state's tensors, for tests and saving: SGD's momentum buffer, Adam's m and v */
  get tensors(): Float32Array[] {
    return [this.first, this.second].filter((t): t is Float32Array => t !== null);
  }
}

/** Adam's update of one tensor, every constant in a local (a hot loop: about 60,000 values a step for LeNet-5) */
function adamUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, beta1: number, beta2: number, eps: number, wd: number, stepSize: number, bc2Sqrt: number): void {
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    const d = Math.fround(g[i] + wd * pi);
    // the moments as stored (float32), as the original reads them back
    const mi = Math.fround(beta1 * m[i] + c1 * d);
    const vi = Math.fround(beta2 * v[i] + c2 * d * d);
    m[i] = mi;
    v[i] = vi;
    p[i] = pi - (stepSize * mi) / (Math.fround(Math.sqrt(vi) / bc2Sqrt) + eps);
  }
}
