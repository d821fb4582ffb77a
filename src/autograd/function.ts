/**
 * @file Custom differentiable functions (torch.autograd.Function): a static forward and backward and a ctx that
 * saves tensors with the same version checks as built-in ops.
 */
import { isAnomalyEnabled, isGradEnabled, withGradDisabled } from '../graph/grad-mode.js';
import { type Grad, Node, SavedTensor } from '../graph/node.js';
import { TensorImpl } from '../graph/tensor-impl.js';
import { gradientEdge } from '../ops/define.js';
import { kView, kZeros } from '../ops/kernels.js';
import { check } from '../util/assert.js';
import { rebase } from './inplace.js';

/**
 * The `ctx` of a custom Function: save tensors for backward, read which inputs need gradients.
 * @example static forward(ctx, x) { ctx.saveForBackward(x); return x.mul(2); }
 */
export class FunctionCtx<T extends TensorImpl = TensorImpl> {
  /** For each forward argument: is it a tensor that requires grad? */
  needsInputGrad: boolean[] = [];
  /** Whether null output gradients are replaced by zeros before `backward` runs (default true). */
  materializeGrads = true;
  private saved: SavedTensor[] = [];
  private pending: TensorImpl[] = [];
  /** @internal set by the node */
  nodeName = 'Function';
  /** @internal tensors marked non-differentiable */
  nonDifferentiable = new Set<TensorImpl>();

  /** Saves tensors for backward (checked for in-place changes when read). @example ctx.saveForBackward(x, w) */
  saveForBackward(...tensors: (TensorImpl | null)[]): void {
    this.pending = tensors.filter((t): t is TensorImpl => t !== null);
  }
  /** The saved tensors, as saved. @example const [x, w] = ctx.savedTensors; */
  get savedTensors(): T[] {
    return this.saved.map((s) => s.unpack(this.nodeName) as T);
  }
  /** Marks outputs that are not differentiable (e.g. indices). @example ctx.markNonDifferentiable(idx) */
  markNonDifferentiable(...tensors: TensorImpl[]): void {
    for (const t of tensors) this.nonDifferentiable.add(t);
  }
  /**
   * Marks inputs that forward modified in place (and returns): they take the Function's node as their history.
   * @example static forward(ctx, x) { x.mul_(2); ctx.markDirty(x); return x; }
   */
  markDirty(...tensors: TensorImpl[]): void {
    for (const t of tensors) this.dirty.add(t);
  }
  /** @internal tensors modified in place by forward */
  dirty = new Set<TensorImpl>();
  /** Whether null gradients reach backward as zeros (true) or as null (false). @example ctx.setMaterializeGrads(false) */
  setMaterializeGrads(flag: boolean): void {
    this.materializeGrads = flag;
  }
  /** @internal */
  commitSaved(): void {
    this.saved = this.pending.map((t) => new SavedTensor(t));
    this.pending = [];
  }
  /** @internal */
  release(): void {
    for (const s of this.saved) s.release();
  }
}

type FunctionClass = {
  name: string;
  forward(ctx: FunctionCtx, ...args: never[]): unknown;
  backward(ctx: FunctionCtx, ...grads: never[]): unknown;
};

class CustomNode extends Node {
  readonly name: string;
  constructor(
    private readonly fnClass: FunctionClass,
    readonly ctx: FunctionCtx,
    private readonly tensorArgIndex: number[],
    private readonly argCount: number,
    edges: ReturnType<typeof gradientEdge>[],
  ) {
    super();
    this.name = `${fnClass.name}Backward`;
    this.nextFunctions = edges;
    if (isAnomalyEnabled()) this.anomalyTrace = new Error(`forward of ${this.name}`).stack ?? null;
  }
  override apply(grads: Grad[]): Grad[] {
    const gs = grads.map((g, i) => {
      if (g !== null || !this.ctx.materializeGrads) return g;
      const m = this.outputMeta[i]!;
      const like = grads.find((x) => x !== null)!;
      return kZeros(m.shape, m.dtype, like);
    });
    const res = (this.fnClass.backward as (ctx: FunctionCtx, ...g: Grad[]) => unknown)(this.ctx, ...gs);
    let list = Array.isArray(res) ? (res as unknown[]) : [res];
    // as PyTorch: extra trailing nulls are allowed (and dropped)
    if (list.length > this.argCount && list.slice(this.argCount).every((g) => g === null || g === undefined))
      list = list.slice(0, this.argCount);
    check(
      list.length === this.argCount,
      () =>
        `function ${this.name} returned an incorrect number of gradients (expected ${this.argCount}, got ${list.length}). ` +
        'Return one gradient per forward argument (null for non-tensor arguments).',
    );
    list.forEach((g, ai) => {
      check(
        g === null || g === undefined || this.tensorArgIndex.includes(ai),
        () =>
          `function ${this.name} returned a gradient different than null at position ${ai + 1}, but the corresponding ` +
          'forward input was not a Tensor. Return null for arguments that are not tensors.',
      );
    });
    return this.tensorArgIndex.map((ai) => {
      const g = list[ai];
      check(
        g === null || g === undefined || g instanceof TensorImpl,
        () => `function ${this.name} returned a ${typeof g} as gradient ${ai}; expected a Tensor or null`,
      );
      return (g as TensorImpl | null | undefined) ?? null;
    });
  }
  override releaseVariables(): void {
    this.ctx.release();
  }
}

/**
 * Base class of custom differentiable functions; subclass with static `forward(ctx, ...args)` and
 * `backward(ctx, ...grads)`, then call `MyFn.apply(...args)`.
 * @example
 * class Exp extends torch.autograd.Function {
 *   static forward(ctx, x) { const r = x.exp(); ctx.saveForBackward(r); return r; }
 *   static backward(ctx, g) { const [r] = ctx.savedTensors; return g.mul(r); }
 * }
 * const y = Exp.apply(x);
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: PyTorch's name, torch.autograd.Function
export class Function {
  /** Computes the outputs (runs with recording off). @example static forward(ctx, x) { return x.mul(2); } */
  static forward(_ctx: FunctionCtx, ..._args: never[]): unknown {
    throw new Error(
      `${this.name}.forward is not defined: subclasses of torch.autograd.Function must define static forward(ctx, ...args)`,
    );
  }
  /** Gradients of the inputs from the gradients of the outputs. @example static backward(ctx, g) { return g.mul(2); } */
  static backward(_ctx: FunctionCtx, ..._grads: never[]): unknown {
    throw new Error(
      `${this.name}.backward is not defined: subclasses of torch.autograd.Function must define static backward(ctx, ...grads)`,
    );
  }
  /**
   * Runs forward and records one node named `${ClassName}Backward` when an input requires grad.
   * @example const y = MyFn.apply(x, 2);
   */
  static apply<R>(
    this: { forward(ctx: FunctionCtx, ...args: never[]): R } & FunctionClass,
    ...args: unknown[]
  ): R {
    const ctx = new FunctionCtx();
    ctx.nodeName = `${this.name}Backward`;
    ctx.needsInputGrad = args.map((a) => a instanceof TensorImpl && a.requiresGrad);
    const record = isGradEnabled() && ctx.needsInputGrad.some(Boolean);
    const tensorArgIndex = args.flatMap((a, i) => (a instanceof TensorImpl ? [i] : []));
    // the edges of the inputs' histories as they are before forward (which may modify them: markDirty)
    const edges = record ? tensorArgIndex.map((i) => gradientEdge(args[i] as TensorImpl)) : [];
    const out = withGradDisabled(() =>
      (this.forward as (c: FunctionCtx, ...a: unknown[]) => unknown)(ctx, ...args),
    );
    ctx.commitSaved();
    const outs = Array.isArray(out) ? (out as unknown[]) : [out];
    for (const d of ctx.dirty)
      check(
        args.includes(d) && outs.includes(d),
        () =>
          `${this.name}: a tensor marked dirty must be an input that forward modified in place and returns as an ` +
          'output. Return it, or do not mark it.',
      );
    for (const d of ctx.dirty) d.storage.version++; // as PyTorch: marking dirty counts as one more in-place change
    if (!record) return out as R;
    for (const d of ctx.dirty)
      check(
        d.gradFn !== null || !d._requiresGrad,
        `a leaf Variable that requires grad has been used in an in-place operation (${this.name}). Pass a clone() ` +
          'of it, or call the Function inside torch.noGrad(() => ...).',
      );
    for (const d of ctx.dirty)
      check(
        d.base === null || (outs.length === 1 && args[tensorArgIndex[0]!] === d),
        `${this.name}: Functions which modify views in-place must return a single Variable, and take the view as ` +
          'their first tensor argument.',
      );
    const node = new CustomNode(this, ctx, tensorArgIndex, args.length, edges);
    const wrapped = outs.map((o, i) => {
      if (!(o instanceof TensorImpl)) return o;
      node.outputMeta[i] = { shape: o.shape, dtype: o.dtype };
      const differentiable = o.dtype.isFloatingPoint && !ctx.nonDifferentiable.has(o);
      if (ctx.dirty.has(o)) {
        // modified in place: the input itself takes the new history, as after any in-place op
        if (differentiable) rebase(o, node, i);
        return o;
      }
      // an input returned as-is becomes a new tensor sharing its storage, as PyTorch does
      const t = args.includes(o) ? kView(o, o.shape, o.strides, o.offset) : o;
      if (differentiable) {
        t.gradFn = node;
        t.outputNr = i;
      }
      return t;
    });
    return (Array.isArray(out) ? wrapped : wrapped[0]) as R;
  }
}
