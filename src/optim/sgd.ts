/**
 * @file SGD with momentum, dampening, Nesterov and weight decay (PyTorch's `_single_tensor_sgd`, op for op).
 */
import type { TensorImpl } from '../graph/tensor-impl.js';
import { kContiguous } from '../ops/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import { check } from '../util/assert.js';
import { assign, axpy, axpyInto, mulS, Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';

/** SGD hyperparameters. @example { lr: 0.1, momentum: 0.9, nesterov: true } */
export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * Stochastic gradient descent: `p ← p − lr·d` with `d` the gradient plus weight decay, through a momentum buffer
 * when `momentum > 0`.
 * @example const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, opts: Partial<SGDOptions> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts });
  }
  protected override validate(g: ParamGroup<SGDOptions>): void {
    super.validate(g);
    check(g.momentum >= 0, () => `Invalid momentum value: ${g.momentum}`);
    check(g.weightDecay >= 0, () => `Invalid weight_decay value: ${g.weightDecay}`);
    check(
      !g.nesterov || (g.momentum > 0 && g.dampening === 0),
      'Nesterov momentum requires a momentum and zero dampening',
    );
  }
  protected update(g: ParamGroup<SGDOptions>): void {
    for (const p of g.params) {
      if (p.grad === null) continue;
      let d: TensorImpl = g.maximize ? mulS(p.grad, -1) : p.grad;
      if (g.weightDecay !== 0) d = axpy(d, p, g.weightDecay);
      if (g.momentum !== 0) {
        const s = this.stateOf(p);
        let buf = s.momentumBuffer as Tensor | undefined;
        if (buf === undefined) {
          buf = kContiguous(d, true) as Tensor;
          s.momentumBuffer = buf;
        } else assign(buf, axpy(mulS(buf, g.momentum), d, 1 - g.dampening));
        d = g.nesterov ? axpy(d, buf, g.momentum) : buf;
      }
      axpyInto(p, d, -g.lr);
    }
  }
}
