/**
 * @file Loss modules: thin Modules over nn.functional's losses, holding `reduction` and (as buffers, like PyTorch)
 * class weights.
 */
import type { Tensor } from '../tensor/tensor.js';
import * as F from './functional.js';
import { checkReduction } from './functional-loss.js';
import { Module, pyFloat } from './module.js';

abstract class Loss extends Module {
  readonly reduction: F.Reduction;
  constructor(opts: F.ReductionOptions) {
    super();
    const r = opts.reduction ?? 'mean';
    checkReduction(r);
    this.reduction = r;
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

abstract class WeightedLoss extends Loss {
  /** The per-class weight buffer, or null. */
  declare weight: Tensor | null;
  constructor(opts: F.ReductionOptions & { weight?: Tensor | null }) {
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
  }
}

/**
 * Mean squared error.
 * @example new nn.MSELoss()(pred, y)
 */
export class MSELoss extends Loss {
  constructor(opts: F.ReductionOptions = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean absolute error.
 * @example new nn.L1Loss()(pred, y)
 */
export class L1Loss extends Loss {
  constructor(opts: F.ReductionOptions = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * Negative log-likelihood of int32 class targets under log-probabilities.
 * @example new nn.NLLLoss()(F.logSoftmax(z, 1), y)
 */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(opts: F.NllLossOptions = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
    });
  }
}

/**
 * Cross entropy of logits against int32 class indices or class probabilities, with label smoothing.
 * @example new nn.CrossEntropyLoss({ labelSmoothing: 0.1 })(logits, y)
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(opts: F.CrossEntropyOptions = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
  override extraRepr(): string {
    return this.labelSmoothing ? `label_smoothing=${pyFloat(this.labelSmoothing)}` : '';
  }
}

/**
 * Binary cross entropy between probabilities and targets.
 * @example new nn.BCELoss()(torch.sigmoid(z), y)
 */
export class BCELoss extends WeightedLoss {
  constructor(opts: F.BceOptions = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Binary cross entropy on logits (stable), with optional `posWeight` (the `pos_weight` buffer).
 * @example new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([2]) })(z, y)
 */
export class BCEWithLogitsLoss extends WeightedLoss {
  constructor(opts: F.BceWithLogitsOptions = {}) {
    super(opts);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }
  /** The positive-class weight buffer, or null. @example loss.posWeight */
  get posWeight(): Tensor | null {
    return (this as unknown as { pos_weight?: Tensor | null }).pos_weight ?? null;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.posWeight,
      reduction: this.reduction,
    });
  }
}
