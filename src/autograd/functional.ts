/**
 * @file torch.autograd.functional: jacobian and hessian of functions of tensors, row by row with autograd.grad.
 * Outputs and inputs may each be one tensor or several; the result nests as PyTorch's tuples do.
 */
import { numel } from '../core/shape.js';
import { withGradDisabled } from '../graph/grad-mode.js';
import { TensorImpl } from '../graph/tensor-impl.js';
import { kFull, kZeros } from '../ops/kernels.js';
import { reshape, stack } from '../ops/movement.js';
import { check, checkType } from '../util/assert.js';
import { grad } from './engine.js';

/** Options of jacobian/hessian. @example { createGraph: true } */
export interface JacobianOptions {
  /** Keep the result differentiable (with respect to the inputs too, when they require grad). */
  createGraph?: boolean;
}

/** A function of tensors returning one tensor or several. @example (x, y) => x.mul(y) */
export type Fn = (...xs: TensorImpl[]) => TensorImpl | readonly TensorImpl[];
/** One tensor, one per input or output, or one per (output, input) pair. @example jac[0][1] */
export type Nested = TensorImpl | TensorImpl[] | TensorImpl[][];

/**
 * The inputs the function is differentiated at (PyTorch's _grad_preprocess): under createGraph an input that
 * requires grad is used as is, so that the result stays connected to it; any other is copied into a fresh leaf.
 */
function prepare(fn: string, inputs: TensorImpl | readonly TensorImpl[], createGraph: boolean): TensorImpl[] {
  const list = Array.isArray(inputs) ? [...inputs] : [inputs as TensorImpl];
  check(list.length > 0, () => `${fn}: expected at least one input tensor`);
  return list.map((x, i) => {
    checkType(x instanceof TensorImpl, () => `${fn}: input ${i} must be a Tensor`);
    check(
      x.dtype.isFloatingPoint,
      () => `${fn}: input ${i} must be a floating point tensor to be differentiated (got ${x.dtype})`,
    );
    if (createGraph && x.requiresGrad) return x;
    const d = withGradDisabled(() => kFull(x.shape, 0, x.dtype, x));
    x.storage.backend.copy(d.strided, x.strided, x.shape);
    d._requiresGrad = true;
    return d;
  });
}

function outputsOf(fn: string, r: TensorImpl | readonly TensorImpl[]): TensorImpl[] {
  const outs = Array.isArray(r) ? [...r] : [r as TensorImpl];
  outs.forEach((o, i) => {
    checkType(
      o instanceof TensorImpl,
      () => `${fn}: the function must return a Tensor or an array of Tensors (output ${i} is not a Tensor)`,
    );
  });
  return outs;
}

/** d out / d xs, one tensor per input, each of shape `[...out.shape, ...x.shape]`. */
function jacobianOf(out: TensorImpl, xs: readonly TensorImpl[], createGraph: boolean): TensorImpl[] {
  const m = numel(out.shape);
  const rows: TensorImpl[][] = xs.map(() => []);
  for (let k = 0; k < m; k++) {
    const onehot = kZeros([m], out.dtype, out);
    out.storage.backend.fill({ ...onehot.strided, offset: k }, [], 1);
    const gs = out.requiresGrad
      ? grad([out], xs, {
          gradOutputs: [reshape(onehot, out.shape)],
          retainGraph: true,
          createGraph,
          allowUnused: true,
        })
      : xs.map(() => null);
    gs.forEach((g, j) => {
      rows[j]!.push(g ?? kZeros(xs[j]!.shape, xs[j]!.dtype, xs[j]!));
    });
  }
  return rows.map((r, j) => {
    const shape = [...out.shape, ...xs[j]!.shape];
    return m === 0 ? kZeros(shape, out.dtype, out) : reshape(stack(r, 0), shape);
  });
}

/**
 * The Jacobian of `fn` at `inputs`: for output o and input x, a tensor of shape `[...o.shape, ...x.shape]`.
 * One input and one output give a tensor; several inputs (an array) an array per input; several outputs an array
 * per output (of arrays per input when there are several inputs), as PyTorch's tuples.
 * @example torch.autograd.functional.jacobian((x) => x.pow(2), torch.tensor([1, 2])) // diag([2, 4])
 */
export function jacobian(
  fn: Fn,
  inputs: TensorImpl | readonly TensorImpl[],
  opts: JacobianOptions = {},
): Nested {
  checkType(typeof fn === 'function', 'jacobian: expected a function of tensors as first argument');
  const createGraph = opts.createGraph ?? false;
  const xs = prepare('jacobian', inputs, createGraph);
  const r = fn(...xs);
  const outs = outputsOf('jacobian', r);
  const jac = outs.map((o) => jacobianOf(o, xs, createGraph));
  const perOutput = jac.map((j) => (Array.isArray(inputs) ? j : j[0]!));
  return (Array.isArray(r) ? perOutput : perOutput[0]!) as Nested;
}

/**
 * The Hessian of a function `fn` with one-element output at `inputs`: `[...x.shape, ...x.shape]` for one input,
 * and for several inputs an array of arrays, H[i][j] of shape `[...xi.shape, ...xj.shape]`, as PyTorch.
 * @example torch.autograd.functional.hessian((x) => x.pow(3).sum(), torch.tensor([1, 2])) // diag(6x)
 */
export function hessian(
  fn: Fn,
  inputs: TensorImpl | readonly TensorImpl[],
  opts: JacobianOptions = {},
): Nested {
  checkType(typeof fn === 'function', 'hessian: expected a function of tensors as first argument');
  const many = Array.isArray(inputs);
  // the gradient as a function of the inputs, kept differentiable (createGraph) for the outer jacobian
  const gradient: Fn = (...xs) => {
    const r = fn(...xs);
    checkType(r instanceof TensorImpl, 'The function given to hessian should return a single Tensor');
    const y = r as TensorImpl;
    check(
      numel(y.shape) === 1,
      () =>
        `The Tensor returned by the function given to hessian should contain a single element (got shape ` +
        `[${y.shape.join(', ')}])`,
    );
    const gs = jacobianOf(reshape(y, []), xs, true);
    return many ? gs : gs[0]!;
  };
  return jacobian(gradient, inputs, opts);
}
