/**
 * @file torch.autograd with Tensor types: the engine, custom Functions, gradcheck, functional, anomaly mode.
 */
import * as engine from '../autograd/engine.js';
import * as fn from '../autograd/functional.js';
import type { Tensor } from './tensor.js';

export type { BackwardOptions, GradOptions } from '../autograd/engine.js';

import { FunctionCtx as BaseCtx } from '../autograd/function.js';
import * as gc from '../autograd/gradcheck.js';

export { Function } from '../autograd/function.js';
export type { GradcheckOptions } from '../autograd/gradcheck.js';

/** The `ctx` of a custom Function, whose `savedTensors` are Tensors. @example static forward(ctx: torch.autograd.FunctionCtx, x: Tensor) {} */
export type FunctionCtx = BaseCtx<Tensor>;
/** The class of `ctx` objects. @example ctx instanceof torch.autograd.FunctionCtx */
export const FunctionCtx = BaseCtx;

type TensorFn = (...xs: Tensor[]) => Tensor | readonly Tensor[];

/**
 * Checks the gradients of `fn` at `inputs` against finite differences (float64 inputs).
 * @example torch.autograd.gradcheck((x) => x.exp(), [torch.randn(3, { dtype: torch.float64, requiresGrad: true })])
 */
export function gradcheck(f: TensorFn, inputs: readonly Tensor[], opts?: gc.GradcheckOptions): boolean {
  return gc.gradcheck(f as never, inputs, opts);
}

/**
 * Checks second derivatives against finite differences of the first.
 * @example torch.autograd.gradgradcheck((x) => x.pow(3), [x64])
 */
export function gradgradcheck(f: TensorFn, inputs: readonly Tensor[], opts?: gc.GradcheckOptions): boolean {
  return gc.gradgradcheck(f as never, inputs, opts);
}
export { detectAnomaly, isAnomalyEnabled } from '../graph/grad-mode.js';

/**
 * Gradients of `outputs` w.r.t. `inputs`, returned instead of accumulated.
 * @example const [dx] = torch.autograd.grad(y, x, { createGraph: true });
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts?: engine.GradOptions,
): (Tensor | null)[] {
  return engine.grad(outputs, inputs, opts) as (Tensor | null)[];
}

/**
 * Accumulates gradients of several roots into the leaves (`grads[i]` for non-scalar roots).
 * @example torch.autograd.backward([a, b], [ga, gb])
 */
export function backward(
  tensors: Tensor | readonly Tensor[],
  grads?: Tensor | readonly (Tensor | null)[] | null,
  opts?: engine.BackwardOptions,
): void {
  const ts = Array.isArray(tensors) ? tensors : [tensors as Tensor];
  const gs = grads === undefined || grads === null ? [] : Array.isArray(grads) ? grads : [grads as Tensor];
  engine.backward(ts, gs, opts);
}

type Fns = (...xs: Tensor[]) => Tensor;
type MultiFn = (...xs: Tensor[]) => readonly Tensor[];

/**
 * The Jacobian of `f` at `inputs` ([...out.shape, ...in.shape]); arrays of inputs or outputs give arrays, nested
 * output-major as PyTorch's tuples.
 * @example jacobian((x) => x.pow(2), torch.tensor([1, 2])) // diag([2, 4])
 */
function jacobian(f: Fns, inputs: Tensor, opts?: fn.JacobianOptions): Tensor;
function jacobian(f: Fns, inputs: readonly Tensor[], opts?: fn.JacobianOptions): Tensor[];
function jacobian(f: MultiFn, inputs: Tensor, opts?: fn.JacobianOptions): Tensor[];
function jacobian(f: MultiFn, inputs: readonly Tensor[], opts?: fn.JacobianOptions): Tensor[][];
function jacobian(f: Fns | MultiFn, inputs: Tensor | readonly Tensor[], opts?: fn.JacobianOptions): unknown {
  return fn.jacobian(f as never, inputs, opts);
}

/**
 * The Hessian of `f` (one-element output) at `inputs`; for an array of inputs, H[i][j] for every pair.
 * @example hessian((x) => x.pow(3).sum(), torch.tensor([1, 2])) // diag([6, 12])
 */
function hessian(f: Fns, inputs: Tensor, opts?: fn.JacobianOptions): Tensor;
function hessian(f: Fns, inputs: readonly Tensor[], opts?: fn.JacobianOptions): Tensor[][];
function hessian(f: Fns, inputs: Tensor | readonly Tensor[], opts?: fn.JacobianOptions): unknown {
  return fn.hessian(f as never, inputs, opts);
}

/** torch.autograd.functional: jacobian and hessian. @example torch.autograd.functional.jacobian(f, x) */
export const functional = { jacobian, hessian };
