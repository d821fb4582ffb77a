/**
 * @file Adam and AdamW (with AMSGrad), op for op as PyTorch's `_single_tensor_adam` / `_single_tensor_adamw`.
 */
import type { TensorImpl } from '../graph/tensor-impl.js';
import { kZeros } from '../ops/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import { check } from '../util/assert.js';
import {
  addcdiv,
  addcmul,
  addS,
  assign,
  axpy,
  divS,
  maxT,
  mulS,
  Optimizer,
  type ParamGroup,
  type ParamsArg,
  sqrtT,
} from './optimizer.js';

/** Adam/AdamW hyperparameters. @example { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 } */
export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;
  protected override validate(g: ParamGroup<AdamOptions>): void {
    super.validate(g);
    check(g.eps >= 0, () => `Invalid epsilon value: ${g.eps}`);
    check(g.betas[0] >= 0 && g.betas[0] < 1, () => `Invalid beta parameter at index 0: ${g.betas[0]}`);
    check(g.betas[1] >= 0 && g.betas[1] < 1, () => `Invalid beta parameter at index 1: ${g.betas[1]}`);
    check(g.weightDecay >= 0, () => `Invalid weight_decay value: ${g.weightDecay}`);
  }
  protected update(g: ParamGroup<AdamOptions>): void {
    const [beta1, beta2] = g.betas;
    for (const p of g.params) {
      if (p.grad === null) continue;
      let grad: TensorImpl = g.maximize ? mulS(p.grad, -1) : p.grad;
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.expAvg = kZeros(p.shape, p.dtype, p) as Tensor;
        s.expAvgSq = kZeros(p.shape, p.dtype, p) as Tensor;
        if (g.amsgrad) s.maxExpAvgSq = kZeros(p.shape, p.dtype, p) as Tensor;
      }
      const step = (s.step as number) + 1;
      s.step = step;
      if (this.decoupled) assign(p, mulS(p, 1 - g.lr * g.weightDecay));
      else if (g.weightDecay !== 0) grad = axpy(grad, p, g.weightDecay);
      const m = s.expAvg as Tensor;
      const v = s.expAvgSq as Tensor;
      assign(m, axpy(mulS(m, beta1), grad, 1 - beta1));
      assign(v, addcmul(mulS(v, beta2), grad, grad, 1 - beta2));
      const bc1 = 1 - beta1 ** step;
      const bc2 = 1 - beta2 ** step;
      const stepSize = g.lr / bc1;
      const bc2Sqrt = Math.sqrt(bc2);
      let second: TensorImpl = v;
      if (g.amsgrad) {
        const vmax = s.maxExpAvgSq as Tensor;
        assign(vmax, maxT(vmax, v));
        second = vmax;
      }
      const denom = addS(divS(sqrtT(second), bc2Sqrt), g.eps);
      assign(p, addcdiv(p, m, denom, -stepSize));
    }
  }
}

/**
 * Adam: adaptive moment estimation, with L2 weight decay added to the gradient and optional AMSGrad.
 * @example const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      ...opts,
    });
  }
}

/**
 * AdamW: Adam with decoupled weight decay (`p ← p·(1 − lr·wd)` before the update; default wd 0.01).
 * @example const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05, amsgrad: true });
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
      ...opts,
    });
  }
}
