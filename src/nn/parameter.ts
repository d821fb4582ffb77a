/**
 * @file nn.Parameter: a leaf tensor that a Module registers as trainable (shares the given tensor's storage).
 */

import { empty } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A tensor that is a module parameter: assigning one to a module's property registers it, and it requires grad
 * by default. It shares storage (and version counter) with `data`, as `nn.Parameter(data)` does.
 * @example const w = new nn.Parameter(torch.randn(3, 2)); w.requiresGrad // true
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad = true) {
    const d = data ?? empty(0);
    super(d.storage, d.shape, d.strides, d.offset);
    this.inference = d.inference;
    if (requiresGrad) this.requiresGrad_(true);
  }

  /** PyTorch's printed form: `Parameter containing:` above the tensor. @example String(new nn.Parameter(torch.zeros(1))) */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
