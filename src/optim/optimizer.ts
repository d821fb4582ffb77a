/**
 * @file The Optimizer base class (parameter groups, per-parameter state, zeroGrad, state dicts) and the in-place
 * update kernels the optimizers share, each rounding as PyTorch's vectorised CPU kernels do (Note [Update rounding]).
 */
import { float32, float64 } from '../core/dtype.js';
import { enableGrad, noGrad } from '../graph/grad-mode.js';
import type { TensorImpl } from '../graph/tensor-impl.js';
import { kBinary, kCopyInto, kUnary, scalarLike } from '../ops/kernels.js';
import { Tensor } from '../tensor/tensor.js';
import { check, checkType } from '../util/assert.js';

type T = TensorImpl;

/**
 * Note [Update rounding]: PyTorch's optimizers are sequences of in-place ops, and its AVX2 CPU kernels round them in
 * a fixed way: `add_(b, alpha)` is one fused multiply-add, `addcmul_`/`addcdiv_` compute `self + (value·t1)·t2` and
 * `self + (value·t1)/t2` with a rounding after each step, and scalars are rounded to the tensor's dtype first. The
 * helpers below reproduce that order so trajectories agree with PyTorch's to float32 rounding.
 */
const scalar = (v: number, like: T): T => scalarLike(like.dtype === float32 ? Math.fround(v) : v, like);

/**
 * `dst ← value`, bumping the version counter as an in-place op does.
 * @example assign(p, mulS(p, 0.5))
 */
export function assign(dst: T, value: T): void {
  kCopyInto(dst, value);
  dst.storage.version++;
}

/**
 * `a·s` (s rounded to a's dtype).
 * @example mulS(expAvg, beta1)
 */
export const mulS = (a: T, s: number): T => kBinary('mul', a, scalar(s, a), a.dtype);

/**
 * `a + s` (s rounded to a's dtype).
 * @example addS(denom, eps)
 */
export const addS = (a: T, s: number): T => kBinary('add', a, scalar(s, a), a.dtype);

/**
 * `a / s` (s rounded to a's dtype).
 * @example divS(sqrtV, biasCorrection2Sqrt)
 */
export const divS = (a: T, s: number): T => kBinary('div', a, scalar(s, a), a.dtype);

/**
 * `dst ← dst + alpha·x` in place in one pass, rounded as `axpy`, bumping the version counter (`add_(x, alpha=…)`).
 * @example axpyInto(p, grad, -lr)
 */
export function axpyInto(dst: T, x: T, alpha: number): void {
  dst.storage.backend.axpy(
    dst.strided,
    x.strided,
    dst.dtype === float32 ? Math.fround(alpha) : alpha,
    dst.shape,
  );
  dst.storage.version++;
}

/**
 * `a + alpha·b` rounded once (a fused multiply-add, as `add_(b, alpha=…)` on AVX2).
 * @example axpy(p, grad, -lr)
 */
export function axpy(a: T, b: T, alpha: number): T {
  if (alpha === 1) return kBinary('add', a, b, a.dtype);
  const prod = kBinary('mul', b, scalar(alpha, a), float64, float64); // exact for float32 operands
  return kBinary('add', a, prod, float64, a.dtype);
}

/**
 * `a + (value·t1)·t2` with the last multiply-add fused, as `addcmul_`.
 * @example addcmul(v, g, g, 1 - beta2)
 */
export function addcmul(a: T, t1: T, t2: T, value: number): T {
  const prod = kBinary('mul', value === 1 ? t1 : mulS(t1, value), t2, float64, float64); // exact for float32 operands
  return kBinary('add', a, prod, float64, a.dtype);
}

/**
 * `a + (value·t1)/t2`, as `addcdiv_`.
 * @example addcdiv(p, m, denom, -stepSize)
 */
export const addcdiv = (a: T, t1: T, t2: T, value: number): T =>
  kBinary('add', a, kBinary('div', value === 1 ? t1 : mulS(t1, value), t2, a.dtype), a.dtype);

/**
 * Elementwise square root.
 * @example sqrtT(v)
 */
export const sqrtT = (a: T): T => kUnary('sqrt', a);

/**
 * Elementwise maximum.
 * @example maxT(vmax, v)
 */
export const maxT = (a: T, b: T): T => kBinary('maximum', a, b, a.dtype);

/**
 * A parameter group: its parameters and its hyperparameters (the optimizer's defaults filled in).
 * @example optimizer.paramGroups[0].lr = 0.01
 */
export type ParamGroup<O> = O & { params: Tensor[] };

/** What an optimizer accepts: parameters, or groups of parameters with their own hyperparameters. @example [{ params: a }, { params: b, lr: 1e-3 }] */
export type ParamsArg<O> = Iterable<Tensor> | Iterable<{ params: Iterable<Tensor> } & Partial<O>>;

/** A per-parameter state entry: tensors (moments, buffers) and numbers (step counts). @example { step: 3, expAvg: t } */
export type ParamState = Record<string, Tensor | number>;

/** An optimizer's state dict: per-parameter state by index, and the groups' hyperparameters with parameter indices. @example opt.stateDict().paramGroups[0].lr */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** Options of `zeroGrad`. @example { setToNone: false } */
export interface ZeroGradOptions {
  setToNone?: boolean;
}

/**
 * Base class of optimizers: holds parameter groups and per-parameter state; subclasses implement `update`.
 * @example
 * class PlainSGD extends Optimizer<{ lr: number }> {
 *   constructor(params: Iterable<Tensor>, lr: number) { super(params, { lr }); }
 *   protected update(group: ParamGroup<{ lr: number }>) { for (const p of group.params) if (p.grad) axpyInto(p, p.grad, -group.lr); }
 * }
 */
export abstract class Optimizer<O extends { lr: number }> {
  /** The groups, each with its parameters and hyperparameters (schedulers change `lr` here). */
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (moment estimates, momentum buffers, step counts). */
  state: Map<Tensor, ParamState> = new Map();
  /** Hyperparameters that groups without their own values use. */
  readonly defaults: O;

  constructor(params: ParamsArg<O>, defaults: O) {
    this.defaults = defaults;
    checkType(
      params !== null &&
        typeof params === 'object' &&
        Symbol.iterator in params &&
        !(params instanceof Tensor),
      () =>
        `params argument given to the optimizer should be an iterable of Tensors or objects, but got ${params instanceof Tensor ? 'a Tensor' : typeof params}`,
    );
    const list = [...(params as Iterable<unknown>)];
    check(list.length > 0, 'optimizer got an empty parameter list');
    const groups =
      list[0] instanceof Tensor
        ? [{ params: list as Tensor[] }]
        : (list as ({ params: Iterable<Tensor> } & Partial<O>)[]);
    for (const g of groups) this.addParamGroup(g as { params: Iterable<Tensor> } & Partial<O>);
  }

  /**
   * Adds a group of parameters (e.g. layers unfrozen later), filling in the defaults.
   * @example opt.addParamGroup({ params: head.parameters(), lr: 1e-3 })
   */
  addParamGroup(group: { params: Iterable<Tensor> | Tensor } & Partial<O>): void {
    checkType(typeof group === 'object' && group !== null, 'param group must be an object');
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      checkType(
        p instanceof Tensor,
        () => `optimizer can only optimize Tensors, but one of the params is ${typeof p}`,
      );
      check(p.isLeaf, "can't optimize a non-leaf Tensor");
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    check(
      new Set(params).size === params.length,
      'optimizer contains a parameter group with duplicate parameters',
    );
    check(!params.some((p) => seen.has(p)), 'some parameters appear in more than one parameter group');
    const full = { ...this.defaults, ...group, params } as ParamGroup<O>;
    for (const [k, v] of Object.entries(full))
      check(
        v !== undefined,
        () => `parameter group didn't specify a value of required optimization parameter ${k}`,
      );
    this.validate(full);
    this.paramGroups.push(full);
  }

  /** Checks a group's hyperparameters (PyTorch's "Invalid learning rate" errors). */
  protected validate(group: ParamGroup<O>): void {
    check(group.lr >= 0, () => `Invalid learning rate: ${group.lr}`);
  }

  /**
   * Clears every parameter's gradient: to null by default (as PyTorch 2), or to zeros with `setToNone: false`.
   * @example optimizer.zeroGrad()
   */
  zeroGrad(opts: ZeroGradOptions = {}): void {
    for (const g of this.paramGroups)
      for (const p of g.params) {
        const grad = p.grad;
        if (grad === null) continue;
        if (opts.setToNone ?? true) p.grad = null;
        else {
          if (grad.gradFn !== null) grad.detach_();
          else grad.requiresGrad_(false);
          grad.zero_();
        }
      }
  }

  /**
   * One update of every parameter that has a gradient. `closure` (re-evaluating the loss) runs first with grad
   * enabled; its loss is returned.
   * @example loss.backward(); optimizer.step();
   */
  step<R = unknown>(closure?: () => R): R | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const g of this.paramGroups) this.update(g);
    });
    return loss;
  }

  /** Updates the parameters of one group (grad mode is off). */
  protected abstract update(group: ParamGroup<O>): void;

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * A snapshot of the optimizer: state per parameter index and each group's hyperparameters.
   * @example const sd = opt.stateDict(); later.loadStateDict(sd);
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return {
        ...structuredCloneHyper(hyper),
        params: params.map((p) => {
          if (!index.has(p)) index.set(p, index.size);
          return index.get(p)!;
        }),
      };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(
        Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? v.clone() : v]),
      );
    }
    return { state, paramGroups };
  }

  /**
   * Restores a snapshot from `stateDict()`: group hyperparameters and per-parameter state (tensors copied and
   * cast to each parameter's dtype).
   * @example opt.loadStateDict(saved)
   */
  loadStateDict(sd: OptimizerStateDict): void {
    check(
      sd.paramGroups.length === this.paramGroups.length,
      'loaded state dict has a different number of parameter groups',
    );
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((g, i) => {
      check(
        g.params.length === this.paramGroups[i]!.params.length,
        "loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
      );
      g.params.forEach((idx, j) => {
        byIndex.set(idx, this.paramGroups[i]!.params[j]!);
      });
    });
    this.state = new Map();
    for (const [k, s] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(k));
      if (!p) continue;
      const copy: ParamState = {};
      for (const [name, v] of Object.entries(s))
        copy[name] =
          v instanceof Tensor ? (v.isFloatingPoint() ? v.detach().to(p.dtype).clone() : v.clone()) : v;
      this.state.set(p, copy);
    }
    sd.paramGroups.forEach((g, i) => {
      const { params: _ignored, ...hyper } = g;
      Object.assign(this.paramGroups[i]!, structuredCloneHyper(hyper));
    });
  }

  /** PyTorch's printed form: the class name and each group's hyperparameters. @example String(opt) */
  toString(): string {
    const lines = [`${this.constructor.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      for (const k of Object.keys(g).sort())
        if (k !== 'params') lines.push(`    ${k}: ${fmtValue((g as Record<string, unknown>)[k])}`);
    });
    lines.push(')');
    return lines.join('\n');
  }
}

function structuredCloneHyper<H extends object>(h: H): H {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) as H;
}

function fmtValue(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `(${v.join(', ')})`;
  if (v === null || v === undefined) return 'None';
  return String(v);
}
