/**
 * @file RMSprop (centered and with momentum) and Adagrad, op for op as PyTorch's single-tensor implementations.
 */
import type { TensorImpl } from '../graph/tensor-impl.js';
import { kFull, kZeros } from '../ops/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import { check } from '../util/assert.js';
import {
  addcdiv,
  addcmul,
  addS,
  assign,
  axpy,
  axpyInto,
  mulS,
  Optimizer,
  type ParamGroup,
  type ParamsArg,
  sqrtT,
} from './optimizer.js';

/** RMSprop hyperparameters. @example { lr: 0.01, alpha: 0.99, momentum: 0.9, centered: true } */
export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * RMSprop: divides the gradient by a running root mean square (centered: by the running standard deviation).
 * @example const opt = new optim.RMSprop(model.parameters(), { lr: 0.01 });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super(params, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...opts,
    });
  }
  protected override validate(g: ParamGroup<RMSpropOptions>): void {
    super.validate(g);
    check(g.eps >= 0, () => `Invalid epsilon value: ${g.eps}`);
    check(g.momentum >= 0, () => `Invalid momentum value: ${g.momentum}`);
    check(g.weightDecay >= 0, () => `Invalid weight_decay value: ${g.weightDecay}`);
    check(g.alpha >= 0, () => `Invalid alpha value: ${g.alpha}`);
  }
  protected update(g: ParamGroup<RMSpropOptions>): void {
    for (const p of g.params) {
      if (p.grad === null) continue;
      let grad: TensorImpl = g.maximize ? mulS(p.grad, -1) : p.grad;
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.squareAvg = kZeros(p.shape, p.dtype, p) as Tensor;
        if (g.momentum > 0) s.momentumBuffer = kZeros(p.shape, p.dtype, p) as Tensor;
        if (g.centered) s.gradAvg = kZeros(p.shape, p.dtype, p) as Tensor;
      }
      s.step = (s.step as number) + 1;
      if (g.weightDecay !== 0) grad = axpy(grad, p, g.weightDecay);
      const sq = s.squareAvg as Tensor;
      assign(sq, addcmul(mulS(sq, g.alpha), grad, grad, 1 - g.alpha));
      let avg: TensorImpl;
      if (g.centered) {
        const ga = s.gradAvg as Tensor;
        assign(ga, axpy(mulS(ga, g.alpha), grad, 1 - g.alpha));
        avg = sqrtT(addcmul(sq, ga, ga, -1));
      } else avg = sqrtT(sq);
      avg = addS(avg, g.eps);
      if (g.momentum > 0) {
        const buf = s.momentumBuffer as Tensor;
        assign(buf, addcdiv(mulS(buf, g.momentum), grad, avg, 1));
        axpyInto(p, buf, -g.lr);
      } else assign(p, addcdiv(p, grad, avg, -g.lr));
    }
  }
}

/** Adagrad hyperparameters. @example { lr: 0.01, lrDecay: 0, initialAccumulatorValue: 0.1 } */
export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/**
 * Adagrad: per-coordinate steps scaled by the root of the sum of squared gradients so far.
 * @example const opt = new optim.Adagrad(model.parameters(), { lr: 0.1 });
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super(params, {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
      ...opts,
    });
    // PyTorch creates the state eagerly
    for (const group of this.paramGroups)
      for (const p of group.params) {
        const s = this.stateOf(p);
        s.step = 0;
        s.sum = kFull(p.shape, group.initialAccumulatorValue, p.dtype, p) as Tensor;
      }
  }
  protected override validate(g: ParamGroup<AdagradOptions>): void {
    super.validate(g);
    check(g.lrDecay >= 0, () => `Invalid lr_decay value: ${g.lrDecay}`);
    check(g.weightDecay >= 0, () => `Invalid weight_decay value: ${g.weightDecay}`);
    check(
      g.initialAccumulatorValue >= 0,
      () => `Invalid initial_accumulator_value value: ${g.initialAccumulatorValue}`,
    );
    check(g.eps >= 0, () => `Invalid epsilon value: ${g.eps}`);
  }
  protected update(g: ParamGroup<AdagradOptions>): void {
    for (const p of g.params) {
      if (p.grad === null) continue;
      const s = this.stateOf(p);
      s.sum ??= kFull(p.shape, g.initialAccumulatorValue, p.dtype, p) as Tensor;
      const step = ((s.step as number | undefined) ?? 0) + 1;
      s.step = step;
      let grad: TensorImpl = g.maximize ? mulS(p.grad, -1) : p.grad;
      if (g.weightDecay !== 0) grad = axpy(grad, p, g.weightDecay);
      const clr = g.lr / (1 + (step - 1) * g.lrDecay);
      const sum = s.sum as Tensor;
      assign(sum, addcmul(sum, grad, grad, 1));
      const std = addS(sqrtT(sum), g.eps);
      assign(p, addcdiv(p, grad, std, -clr));
    }
  }
}
