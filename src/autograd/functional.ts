/**
 * @file torch.autograd.functional: jacobian and hessian of functions of tensors, row by row with autograd.grad.
 */
import { numel } from '../core/shape.js';
import { withGradDisabled } from '../graph/grad-mode.js';
import type { TensorImpl } from '../graph/tensor-impl.js';
import { kFull, kZeros } from '../ops/kernels.js';
import { reshape, stack } from '../ops/movement.js';
import { check } from '../util/assert.js';
import { grad } from './engine.js';

/** Options of jacobian/hessian. @example { createGraph: true } */
export interface JacobianOptions {
  createGraph?: boolean;
}

type Fn = (...xs: TensorImpl[]) => TensorImpl;

function prepare(inputs: TensorImpl | readonly TensorImpl[]): [TensorImpl[], boolean] {
  const list = Array.isArray(inputs) ? [...inputs] : [inputs as TensorImpl];
  const fresh = list.map((x) => {
    const d = withGradDisabled(() => kFull(x.shape, 0, x.dtype, x));
    x.storage.backend.copy(d.strided, x.strided, x.shape);
    d._requiresGrad = true;
    return d;
  });
  return [fresh, Array.isArray(inputs)];
}

/**
 * The Jacobian of `fn` at `inputs`: shape `[...out.shape, ...in.shape]` (an array per input for several inputs).
 * @example torch.autograd.functional.jacobian((x) => x.pow(2), torch.tensor([1, 2])) // diag([2, 4])
 */
export function jacobian(
  fn: Fn,
  inputs: TensorImpl | readonly TensorImpl[],
  opts: JacobianOptions = {},
): TensorImpl | TensorImpl[] {
  const [xs, many] = prepare(inputs);
  const out = fn(...xs);
  const m = numel(out.shape);
  const rows: TensorImpl[][] = xs.map(() => []);
  for (let k = 0; k < m; k++) {
    const onehot = kZeros([m], out.dtype, out);
    out.storage.backend.fill({ ...onehot.strided, offset: k }, [], 1);
    const gs = out.requiresGrad
      ? grad([out], xs, {
          gradOutputs: [reshape(onehot, out.shape)],
          retainGraph: true,
          createGraph: opts.createGraph ?? false,
          allowUnused: true,
        })
      : xs.map(() => null);
    gs.forEach((g, j) => {
      rows[j]!.push(g ?? kZeros(xs[j]!.shape, xs[j]!.dtype, xs[j]!));
    });
  }
  const jac = rows.map((r, j) =>
    m === 0
      ? kZeros([...out.shape, ...xs[j]!.shape], out.dtype, out)
      : reshape(stack(r, 0), [...out.shape, ...xs[j]!.shape]),
  );
  return many ? jac : jac[0]!;
}

/**
 * The Hessian of a scalar function `fn` at `inputs` (shape `[...in.shape, ...in.shape]`).
 * @example torch.autograd.functional.hessian((x) => x.pow(3).sum(), torch.tensor([1, 2]))
 */
export function hessian(
  fn: Fn,
  inputs: TensorImpl | readonly TensorImpl[],
  opts: JacobianOptions = {},
): TensorImpl | TensorImpl[] {
  const many = Array.isArray(inputs);
  const list = many ? [...(inputs as readonly TensorImpl[])] : [inputs as TensorImpl];
  check(list.length === 1 || !many || list.length >= 1, 'hessian expects tensors');
  const gradFn: Fn = (...xs) => {
    const y = fn(...xs);
    check(
      numel(y.shape) === 1,
      () =>
        `The function given to hessian should return a single element Tensor, got shape [${y.shape.join(', ')}]`,
    );
    const [g] = grad([y], [xs[0]!], { createGraph: true, allowUnused: true });
    return g ?? kZeros(xs[0]!.shape, xs[0]!.dtype, xs[0]!);
  };
  check(list.length === 1, 'hessian of several inputs: pass one tensor (concatenate inputs first)');
  return jacobian(gradFn, many ? list : list[0]!, opts);
}
