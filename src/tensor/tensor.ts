/**
 * @file The fluent Tensor: TensorImpl plus one-line methods onto ops, autograd entry points, reads and printing.
 * Ops never import this file; they build results with `makeTensor`, which this class registers itself with.
 */

import * as engine from '../autograd/engine.js';
import { inplace, writeInplace } from '../autograd/inplace.js';
import { getBackend } from '../backend/devices.js';
import { bool, DType, float32, float64, int32, type TypedArray } from '../core/dtype.js';
import { defaultGenerator, type Generator } from '../core/random.js';
import { broadcastShapes, normalizeDim, numel, sameShape } from '../core/shape.js';
import { isInferenceModeEnabled } from '../graph/grad-mode.js';
import type { TensorHook } from '../graph/node.js';
import { makeTensor, registerTensorClass, Storage, TensorImpl } from '../graph/tensor-impl.js';
import { logSoftmax, softmax } from '../ops/activation.js';
import { applyOp, type OpSpec } from '../ops/define.js';
import * as ew from '../ops/elementwise.js';
import { kContiguous, kCopyInto, kFill } from '../ops/kernels.js';
import { bmm, dot, matmul, mm, mv } from '../ops/matmul.js';
import * as mv_ from '../ops/movement.js';
import type { Operand } from '../ops/operands.js';
import * as red from '../ops/reduce.js';
import * as sortOps from '../ops/sort.js';
import { check, checkType } from '../util/assert.js';
import { type FormatDtype, formatTensor } from './format.js';
import { fromData, type NestedData } from './from-data.js';

/** A number, or a tensor, wherever PyTorch accepts a Python scalar or a tensor. @example const o: TensorOrNumber = 2; */
export type TensorOrNumber = Tensor | number;
/** Nested JS arrays as returned by `tolist()`. @example const l: NestedList = [[1, 2], [3, 4]]; */
export type NestedList = number | boolean | NestedList[];
/** Options of `Tensor.backward`. @example { retainGraph: true } */
export type BackwardOptions = engine.BackwardOptions;
/** `{ values, indices }` of max/min/sort/topk along a dim. @example const { values, indices } = x.max(1); */
export type ValuesIndices = { values: Tensor; indices: Tensor };

let warnedNonLeafGrad = false;

const asT = (t: TensorImpl): Tensor => t as Tensor;

function sizesOf(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args as number[];
}

/**
 * A multi-dimensional array with autograd, as torch.Tensor. `new Tensor([2])` makes a float32 tensor like
 * `torch.Tensor([2])`; most tensors come from `torch.tensor`, creation functions and ops.
 * @example const x = new torch.Tensor([2]); x.mul(3).toString() // 'tensor([6.])'
 */
export class Tensor extends TensorImpl {
  constructor(
    data: NestedData | Storage,
    shape?: readonly number[],
    strides?: readonly number[],
    offset = 0,
  ) {
    if (data instanceof Storage) super(data, shape!, strides, offset);
    else {
      const t = fromData(data, float32, getBackend('cpu'));
      super(t.storage, t.shape, t.strides, t.offset);
      this.inference = isInferenceModeEnabled();
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // metadata

  /** Whether gradients flow to this tensor; settable on leaves. @example w.requiresGrad = true */
  override get requiresGrad(): boolean {
    return this._requiresGrad || this.gradFn !== null;
  }
  override set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }
  /** The accumulated gradient, or null. Non-leaf tensors keep none unless `retainGrad()` was called. @example w.grad */
  get grad(): Tensor | null {
    if (this._grad === null && !this.isLeaf && !this.retainsGrad && !warnedNonLeafGrad) {
      warnedNonLeafGrad = true;
      console.warn(
        'UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad ' +
          "attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be " +
          'populated for a non-leaf Tensor, use .retainGrad() on the non-leaf Tensor. If you access the non-leaf ' +
          'Tensor by mistake, make sure you access the leaf Tensor instead.',
      );
    }
    return this._grad as Tensor | null;
  }
  set grad(g: Tensor | null) {
    if (g !== null) {
      check(g instanceof TensorImpl, 'assigned grad expected to be a Tensor or null');
      check(
        sameShape(g.shape, this.shape),
        () =>
          `assigned grad has data of a different size (${JSON.stringify(g.shape)} vs ${JSON.stringify(this.shape)})`,
      );
      check(
        g.dtype === this.dtype,
        () => `assigned grad has data of a different type (${g.dtype} vs ${this.dtype})`,
      );
    }
    this._grad = g;
  }
  /** Size of every dim, or of one dim. @example x.size() // [2, 3]; x.size(1) // 3 */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normalizeDim(dim, this.shape.length)] ?? 1;
  }
  /** Number of dims. @example x.dim() // 2 */
  dim(): number {
    return this.shape.length;
  }
  /** Number of elements. @example x.numel() // 6 */
  numel(): number {
    return numel(this.shape);
  }
  /** Bytes per element. @example x.elementSize() // 4 */
  elementSize(): number {
    return this.dtype.itemsize;
  }
  /** Element strides. @example x.stride() // [3, 1] */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number | number[] {
    return dim === undefined ? this.strides.slice() : this.strides[normalizeDim(dim, this.strides.length)]!;
  }
  /** Offset of the first element in the storage. @example x.storageOffset() // 0 */
  storageOffset(): number {
    return this.offset;
  }
  /** True when row-major contiguous. @example x.t().isContiguous() // false */
  isContiguous(): boolean {
    return this.denseRowMajor;
  }
  /** True for tensors made in inference mode (they can never join a graph). @example torch.inferenceMode(() => torch.ones(1)).isInference() // true */
  isInference(): boolean {
    return this.inference;
  }
  /** True for float32/float64. @example x.isFloatingPoint() // true */
  isFloatingPoint(): boolean {
    return this.dtype.isFloatingPoint;
  }
  /** The tensor this one views, or null. @example x.view(6)._base === x */
  get _base(): Tensor | null {
    return this.base as Tensor | null;
  }
  /** The transpose (dims reversed), like `x.T`. @example w.T */
  get T(): Tensor {
    return this.permute(...this.shape.map((_, i) => this.shape.length - 1 - i));
  }
  /** The last two dims swapped, like `x.mT`. @example x.mT */
  get mT(): Tensor {
    return this.transpose(-2, -1);
  }

  // -------------------------------------------------------------------------------------------------------------
  // reads

  private hostData(): TypedArray {
    const be = this.storage.backend;
    if (!be.readSync)
      throw new Error(
        `Cannot read a ${this.device} tensor synchronously. Use await t.toArrayAsync() (or itemAsync/tolistAsync) instead.`,
      );
    const c = kContiguous(this);
    const data = be.readSync(c.storage.buf, c.dtype);
    return c.offset === 0 && data.length === numel(c.shape)
      ? data
      : data.subarray(c.offset, c.offset + numel(c.shape));
  }
  /** The single value of a one-element tensor (bool tensors give 1 or 0). @example torch.tensor([3]).item() // 3 */
  item(): number {
    check(
      this.numel() === 1,
      () =>
        `a Tensor with ${this.numel()} elements cannot be converted to Scalar: only one element tensors can be converted to numbers. Use tolist() or toArray() to read them all.`,
    );
    return this.hostData()[0]!;
  }
  /** Nested arrays of numbers (booleans for bool tensors). @example torch.eye(2).tolist() // [[1, 0], [0, 1]] */
  tolist(): NestedList {
    return toNested(this.hostData(), this.shape, this.dtype === bool);
  }
  /** A flat copy of the values in a typed array (Float32Array for float32…). @example x.toArray() */
  toArray(): TypedArray {
    return this.hostData().slice();
  }
  /** `item()` for every device. @example await x.sum().itemAsync() */
  async itemAsync(): Promise<number> {
    check(
      this.numel() === 1,
      () =>
        `a Tensor with ${this.numel()} elements cannot be converted to Scalar: only one element tensors can be converted to numbers. Use tolist() or toArray() to read them all.`,
    );
    return (await this.toArrayAsync())[0]!;
  }
  /** `tolist()` for every device. @example await x.tolistAsync() */
  async tolistAsync(): Promise<NestedList> {
    return toNested(await this.toArrayAsync(), this.shape, this.dtype === bool);
  }
  /** `toArray()` for every device. @example await x.toArrayAsync() */
  async toArrayAsync(): Promise<TypedArray> {
    const c = kContiguous(this);
    const data = await c.storage.backend.read(c.storage.buf, c.dtype);
    return data.subarray(c.offset, c.offset + numel(c.shape)).slice();
  }

  /** PyTorch's printed form. @example String(torch.tensor([2])) // 'tensor([2.])' */
  override toString(): string {
    return formatTensor({
      data: this.storage.backend.readSync ? this.hostData() : [],
      shape: this.shape,
      dtype: this.dtype.name as FormatDtype,
      requiresGrad: this.requiresGrad,
      gradFn: this.gradFn?.name ?? null,
      device: this.device,
    });
  }
  /** @internal Node's util.inspect / console.log. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // -------------------------------------------------------------------------------------------------------------
  // autograd

  /**
   * Computes the gradient of this tensor w.r.t. the graph leaves and accumulates it into their `.grad`.
   * @example loss.backward(); y.backward(torch.onesLike(y), { retainGraph: true })
   */
  backward(gradient?: Tensor | null, opts?: BackwardOptions): void {
    engine.backward([this], [gradient ?? null], opts);
  }
  /** Sets requiresGrad on a leaf (floating point only). @example torch.zeros(2).requiresGrad_() */
  requiresGrad_(flag = true): this {
    checkType(
      typeof flag === 'boolean',
      () => `requiresGrad_(): argument 'requiresGrad' must be a boolean, not ${typeof flag}`,
    );
    if (!this.isLeaf) {
      check(
        flag,
        'you can only change requiresGrad flags of leaf variables. If you want to use a computed variable in a ' +
          "subgraph that doesn't require differentiation use varNoGrad = v.detach().",
      );
      return this;
    }
    check(
      !flag || this.dtype.isFloatingPoint,
      () =>
        `only Tensors of floating point dtype can require gradients (got ${this.dtype}). Convert with .float() first.`,
    );
    check(
      !flag || !this.inference || isInferenceModeEnabled(),
      'Setting requiresGrad=true on inference tensor outside InferenceMode is not allowed. Make a clone() of it ' +
        'first to get a normal tensor.',
    );
    this._requiresGrad = flag;
    return this;
  }
  /** A tensor sharing storage (and version counter) but cut from the graph. @example x.detach() */
  detach(): Tensor {
    const t = makeTensor(this.storage, this.shape, this.strides, this.offset);
    t.inference = this.inference;
    return asT(t);
  }
  /** Cuts this tensor from the graph in place, making it a leaf. @example y.detach_() */
  detach_(): this {
    check(this.base === null || this.gradFn === null, "Can't detach views in-place. Use detach() instead.");
    this.gradFn = null;
    this._requiresGrad = false;
    this.outputNr = 0;
    return this;
  }
  /** Keeps `.grad` for this non-leaf tensor after backward. @example y.retainGrad() */
  retainGrad(): void {
    check(
      this.requiresGrad,
      "can't retainGrad on Tensor that has requiresGrad=false: only tensors that require grad have a gradient to keep.",
    );
    engine.retainGrad(this);
  }
  /**
   * Calls `fn(grad)` whenever a gradient for this tensor is computed; a returned tensor replaces the gradient.
   * @example const h = x.registerHook((g) => g.mul(2)); h.remove();
   */
  registerHook(fn: (grad: Tensor) => Tensor | undefined | void): { remove(): void } {
    check(
      this.requiresGrad,
      "cannot register a hook on a tensor that doesn't require gradient. Call requiresGrad_() first.",
    );
    checkType(
      typeof fn === 'function',
      () => `registerHook(): expected a function (grad) => grad?, got ${typeof fn}`,
    );
    const hook = fn as TensorHook;
    if (this.isLeaf) {
      this._hooks ??= [];
      this._hooks.push(hook);
      return { remove: () => void (this._hooks = this._hooks?.filter((h) => h !== hook) ?? null) };
    }
    const node = this.gradFn!;
    node.tensorPreHooks ??= new Map();
    const list = node.tensorPreHooks.get(this.outputNr) ?? [];
    list.push(hook);
    node.tensorPreHooks.set(this.outputNr, list);
    return {
      remove: () => {
        const i = list.indexOf(hook);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // conversions

  /** Converts to a dtype or moves to a device (no copy when nothing changes). @example x.to(torch.float64); x.to('cpu') */
  to(target: DType | string | { dtype?: DType; device?: string }): Tensor {
    let t: Tensor = this;
    const spec = target instanceof DType || typeof target === 'string' ? null : target;
    const dtype = spec ? spec.dtype : target instanceof DType ? target : undefined;
    const device = spec ? spec.device : typeof target === 'string' ? target : undefined;
    if (dtype !== undefined) t = asT(ew.toDtype(t, dtype));
    if (device !== undefined && device !== t.device) t = asT(toDevice(t, device));
    return t;
  }
  /** float32 copy (or self). @example x.float() */
  float(): Tensor {
    return this.to(float32);
  }
  /** float64 copy (or self). @example x.double() */
  double(): Tensor {
    return this.to(float64);
  }
  /** int32 copy (or self). @example x.int() */
  int(): Tensor {
    return this.to(int32);
  }
  /** bool copy (or self). @example x.bool() */
  bool(): Tensor {
    return this.to(bool);
  }
  /** A copy with its own storage (recorded as CloneBackward0). @example x.clone() */
  clone(): Tensor {
    return asT(mv_.clone(this));
  }
  /** Self if contiguous, else a contiguous copy. @example x.t().contiguous() */
  contiguous(): Tensor {
    return asT(mv_.contiguous(this));
  }

  // -------------------------------------------------------------------------------------------------------------
  // arithmetic (also in torch.*)

  /** `this + alpha·other`. @example x.add(1) */
  add(other: TensorOrNumber, opts?: { alpha?: number }): Tensor {
    return asT(ew.add(this, other, opts));
  }
  /** `this − alpha·other`. @example x.sub(1) */
  sub(other: TensorOrNumber, opts?: { alpha?: number }): Tensor {
    return asT(ew.sub(this, other, opts));
  }
  /** Elementwise product. @example x.mul(2) */
  mul(other: TensorOrNumber): Tensor {
    return asT(ew.mul(this, other));
  }
  /** Elementwise true division. @example x.div(2) */
  div(other: TensorOrNumber): Tensor {
    return asT(ew.div(this, other));
  }
  /** Elementwise power. @example x.pow(2) */
  pow(exponent: TensorOrNumber): Tensor {
    return asT(ew.pow(this, exponent));
  }
  /** −x. @example x.neg() */
  neg(): Tensor {
    return asT(ew.neg(this));
  }
  /** |x|. @example x.abs() */
  abs(): Tensor {
    return asT(ew.abs(this));
  }
  /** eˣ. @example x.exp() */
  exp(): Tensor {
    return asT(ew.exp(this));
  }
  /** ln x. @example x.log() */
  log(): Tensor {
    return asT(ew.log(this));
  }
  /** √x. @example x.sqrt() */
  sqrt(): Tensor {
    return asT(ew.sqrt(this));
  }
  /** 1/√x. @example x.rsqrt() */
  rsqrt(): Tensor {
    return asT(ew.rsqrt(this));
  }
  /** sin x. @example x.sin() */
  sin(): Tensor {
    return asT(ew.sin(this));
  }
  /** cos x. @example x.cos() */
  cos(): Tensor {
    return asT(ew.cos(this));
  }
  /** tanh x. @example x.tanh() */
  tanh(): Tensor {
    return asT(ew.tanh(this));
  }
  /** Logistic sigmoid. @example x.sigmoid() */
  sigmoid(): Tensor {
    return asT(ew.sigmoid(this));
  }
  /** max(x, 0). @example x.relu() */
  relu(): Tensor {
    return asT(ew.relu(this));
  }
  /** Sign (−1, 0, 1). @example x.sign() */
  sign(): Tensor {
    return asT(ew.sign(this));
  }
  /** x². @example x.square() */
  square(): Tensor {
    return asT(ew.square(this));
  }
  /** 1/x. @example x.reciprocal() */
  reciprocal(): Tensor {
    return asT(ew.reciprocal(this));
  }
  /** Rounds down. @example x.floor() */
  floor(): Tensor {
    return asT(ew.floor(this));
  }
  /** Rounds up. @example x.ceil() */
  ceil(): Tensor {
    return asT(ew.ceil(this));
  }
  /** Rounds half to even. @example x.round() */
  round(): Tensor {
    return asT(ew.round(this));
  }
  /** Rounds toward zero. @example x.trunc() */
  trunc(): Tensor {
    return asT(ew.trunc(this));
  }
  /** Error function. @example x.erf() */
  erf(): Tensor {
    return asT(ew.erf(this));
  }
  /** ln(1 + x). @example x.log1p() */
  log1p(): Tensor {
    return asT(ew.log1p(this));
  }
  /** eˣ − 1. @example x.expm1() */
  expm1(): Tensor {
    return asT(ew.expm1(this));
  }
  /** Elementwise maximum. @example x.maximum(y) */
  maximum(other: TensorOrNumber): Tensor {
    return asT(ew.maximum(this, other));
  }
  /** Elementwise minimum. @example x.minimum(y) */
  minimum(other: TensorOrNumber): Tensor {
    return asT(ew.minimum(this, other));
  }
  /** Limits to [min, max]. @example x.clamp(0, 1); x.clamp({ min: 0 }) */
  clamp(min?: TensorOrNumber | null | ew.ClampBounds, max?: TensorOrNumber | null): Tensor {
    return asT(ew.clamp(this, min, max));
  }
  /** Alias of clamp. @example x.clip(0, 1) */
  clip(min?: TensorOrNumber | null | ew.ClampBounds, max?: TensorOrNumber | null): Tensor {
    return this.clamp(min, max);
  }
  /** `cond ? this : other`. @example x.where(x.gt(0), 0) */
  where(condition: Tensor, other: TensorOrNumber): Tensor {
    return asT(ew.where(condition, this, other));
  }

  /** `==` elementwise (bool). @example x.eq(0) */
  eq(other: TensorOrNumber): Tensor {
    return asT(ew.eq(this, other));
  }
  /** `!=` elementwise (bool). @example x.ne(0) */
  ne(other: TensorOrNumber): Tensor {
    return asT(ew.ne(this, other));
  }
  /** `<` elementwise (bool). @example x.lt(0) */
  lt(other: TensorOrNumber): Tensor {
    return asT(ew.lt(this, other));
  }
  /** `<=` elementwise (bool). @example x.le(0) */
  le(other: TensorOrNumber): Tensor {
    return asT(ew.le(this, other));
  }
  /** `>` elementwise (bool). @example x.gt(0) */
  gt(other: TensorOrNumber): Tensor {
    return asT(ew.gt(this, other));
  }
  /** `>=` elementwise (bool). @example x.ge(0) */
  ge(other: TensorOrNumber): Tensor {
    return asT(ew.ge(this, other));
  }
  /** Logical not. @example mask.logicalNot() */
  logicalNot(): Tensor {
    return asT(ew.logicalNot(this));
  }
  /** Logical and. @example a.logicalAnd(b) */
  logicalAnd(other: TensorOrNumber): Tensor {
    return asT(ew.logicalAnd(this, other));
  }
  /** Logical or. @example a.logicalOr(b) */
  logicalOr(other: TensorOrNumber): Tensor {
    return asT(ew.logicalOr(this, other));
  }
  /** True where NaN. @example x.isnan() */
  isnan(): Tensor {
    return asT(ew.isnan(this));
  }
  /** True when shapes and values are equal. @example a.equal(b) */
  equal(other: Tensor): boolean {
    return sameShape(this.shape, other.shape) && asT(ew.eq(this, other)).all().item() !== 0;
  }

  // -------------------------------------------------------------------------------------------------------------
  // reductions

  /** Sum (all, or over dims). @example x.sum(); x.sum(1, { keepdim: true }) */
  sum(dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor {
    return asT(red.sum(this, dim, opts));
  }
  /** Mean (all, or over dims). @example x.mean(0) */
  mean(dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor {
    return asT(red.mean(this, dim, opts));
  }
  /** Product (all, or over one dim). @example x.prod() */
  prod(dim?: number | red.ReduceOptions | null, opts?: red.ReduceOptions): Tensor {
    return asT(red.prod(this, dim, opts));
  }
  /** Largest element, or `{ values, indices }` along dim. @example x.max(); x.max(1).values */
  max(): Tensor;
  max(dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, opts?: { keepdim?: boolean }): Tensor | ValuesIndices {
    if (dim instanceof TensorImpl) return this.maximum(dim as Tensor);
    return (dim === undefined ? red.max(this) : red.max(this, dim, opts)) as Tensor | ValuesIndices;
  }
  /** Smallest element, or `{ values, indices }` along dim. @example x.min(0).indices */
  min(): Tensor;
  min(dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, opts?: { keepdim?: boolean }): Tensor | ValuesIndices {
    if (dim instanceof TensorImpl) return this.minimum(dim as Tensor);
    return (dim === undefined ? red.min(this) : red.min(this, dim, opts)) as Tensor | ValuesIndices;
  }
  /** Max over dims. @example x.amax(1) */
  amax(dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor {
    return asT(red.amax(this, dim, opts));
  }
  /** Min over dims. @example x.amin(1) */
  amin(dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor {
    return asT(red.amin(this, dim, opts));
  }
  /** Index of the max (int32). @example x.argmax(1) */
  argmax(dim?: number | null | red.ReduceOptions, opts?: red.ReduceOptions): Tensor {
    return asT(red.argmax(this, dim, opts));
  }
  /** Index of the min (int32). @example x.argmin() */
  argmin(dim?: number | null | red.ReduceOptions, opts?: red.ReduceOptions): Tensor {
    return asT(red.argmin(this, dim, opts));
  }
  /** Variance (unbiased by default). @example x.var() */
  var(dim?: red.Dims | red.VarOptions, opts?: red.VarOptions): Tensor {
    return asT(red.var_(this, dim, opts));
  }
  /** Standard deviation (unbiased by default). @example x.std(0) */
  std(dim?: red.Dims | red.VarOptions, opts?: red.VarOptions): Tensor {
    return asT(red.std(this, dim, opts));
  }
  /** log Σ exp, stably. @example x.logsumexp(1) */
  logsumexp(dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor {
    return asT(red.logsumexp(this, dim, opts));
  }
  /** Vector p-norm. @example x.norm(); x.norm(1) */
  norm(p: number | 'fro' = 2, dim?: red.Dims, opts?: { keepdim?: boolean }): Tensor {
    return asT(red.norm(this, p, dim, opts));
  }
  /** Any non-zero. @example mask.any() */
  any(dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor {
    return asT(red.any(this, dim, opts));
  }
  /** All non-zero. @example mask.all() */
  all(dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor {
    return asT(red.all(this, dim, opts));
  }
  /** Sorted values and their indices along dim. @example const { values, indices } = x.sort(0); */
  sort(dim = -1, opts?: { descending?: boolean; stable?: boolean }): ValuesIndices {
    return sortOps.sort(this, dim, opts) as ValuesIndices;
  }
  /** Indices that sort along dim. @example x.argsort() */
  argsort(dim = -1, opts?: { descending?: boolean; stable?: boolean }): Tensor {
    return asT(sortOps.argsort(this, dim, opts));
  }
  /** The k largest (or smallest) entries along dim. @example x.topk(3).values */
  topk(k: number, dim = -1, opts?: { largest?: boolean; sorted?: boolean }): ValuesIndices {
    return sortOps.topk(this, k, dim, opts) as ValuesIndices;
  }
  /** Running sum. @example x.cumsum(0) */
  cumsum(dim: number): Tensor {
    return asT(red.cumsum(this, dim));
  }
  /** Softmax along dim. @example x.softmax(1) */
  softmax(dim: number): Tensor {
    return asT(softmax(this, dim));
  }
  /** log-softmax along dim. @example x.logSoftmax(1) */
  logSoftmax(dim: number): Tensor {
    return asT(logSoftmax(this, dim));
  }

  // -------------------------------------------------------------------------------------------------------------
  // linear algebra

  /** Matrix product with PyTorch's rank rules. @example x.matmul(w) */
  matmul(other: Tensor): Tensor {
    return asT(matmul(this, other));
  }
  /** 2-D matrix product. @example a.mm(b) */
  mm(other: Tensor): Tensor {
    return asT(mm(this, other));
  }
  /** Batched matrix product. @example a.bmm(b) */
  bmm(other: Tensor): Tensor {
    return asT(bmm(this, other));
  }
  /** Inner product of 1-D tensors. @example a.dot(b) */
  dot(other: Tensor): Tensor {
    return asT(dot(this, other));
  }
  /** Matrix-vector product. @example A.mv(v) */
  mv(vec: Tensor): Tensor {
    return asT(mv(this, vec));
  }
  /** Transpose of a ≤2-D tensor. @example w.t() */
  t(): Tensor {
    return asT(mv_.t(this));
  }

  // -------------------------------------------------------------------------------------------------------------
  // shape and views

  /** A view with a new shape. @example x.view(2, 3); x.view(-1) */
  view(...shape: (number | readonly number[])[]): Tensor {
    return asT(mv_.view(this, sizesOf(shape)));
  }
  /** A view (or copy) with a new shape. @example x.reshape(-1, 2) */
  reshape(...shape: (number | readonly number[])[]): Tensor {
    return asT(mv_.reshape(this, sizesOf(shape)));
  }
  /** View with `other`'s shape. @example x.viewAs(y) */
  viewAs(other: Tensor): Tensor {
    return this.view(other.shape);
  }
  /** Reshape to `other`'s shape. @example x.reshapeAs(y) */
  reshapeAs(other: Tensor): Tensor {
    return this.reshape(other.shape);
  }
  /** Flattens dims. @example x.flatten(1) */
  flatten(startDim = 0, endDim = -1): Tensor {
    return asT(mv_.flatten(this, startDim, endDim));
  }
  /** Inserts a size-1 dim. @example x.unsqueeze(0) */
  unsqueeze(dim: number): Tensor {
    return asT(mv_.unsqueeze(this, dim));
  }
  /** Removes size-1 dims. @example x.squeeze() */
  squeeze(dim?: number | readonly number[]): Tensor {
    return asT(mv_.squeeze(this, dim));
  }
  /** Swaps two dims. @example x.transpose(0, 1) */
  transpose(dim0: number, dim1: number): Tensor {
    return asT(mv_.transpose(this, dim0, dim1));
  }
  /** Reorders dims. @example x.permute(1, 0) */
  permute(...dims: (number | readonly number[])[]): Tensor {
    return asT(mv_.permute(this, sizesOfDims(dims)));
  }
  /** Broadcasts to a shape without copying. @example b.expand(3, 4) */
  expand(...shape: (number | readonly number[])[]): Tensor {
    return asT(mv_.expand(this, sizesOf(shape)));
  }
  /** Broadcasts to `other`'s shape. @example b.expandAs(x) */
  expandAs(other: Tensor): Tensor {
    return this.expand(other.shape);
  }
  /** View of a range of one dim. @example x.narrow(0, 1, 2) */
  narrow(dim: number, start: number, length: number): Tensor {
    return asT(mv_.narrow(this, dim, start, length));
  }
  /** View of one index of a dim (dim removed). @example x.select(0, 1) */
  select(dim: number, index: number): Tensor {
    return asT(mv_.select(this, dim, index));
  }
  /** Entries at `index` (int32) along dim. @example x.indexSelect(0, idx) */
  indexSelect(dim: number, index: Tensor): Tensor {
    return asT(mv_.indexSelect(this, dim, index));
  }
  /** Gathers values along dim. @example x.gather(1, idx) */
  gather(dim: number, index: Tensor): Tensor {
    return asT(mv_.gather(this, dim, index));
  }
  /** Out-of-place scatter-add. @example z.scatterAdd(0, idx, src) */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return asT(mv_.scatterAdd(this, dim, index, src));
  }
  /** Splits into `chunks` pieces. @example x.chunk(2) */
  chunk(chunks: number, dim = 0): Tensor[] {
    return mv_.chunk(this, chunks, dim) as Tensor[];
  }
  /** Splits by size or sizes. @example x.split(2) */
  split(splitSize: number | readonly number[], dim = 0): Tensor[] {
    return mv_.split(this, splitSize, dim) as Tensor[];
  }
  /** All slices along dim. @example x.unbind() */
  unbind(dim = 0): Tensor[] {
    return mv_.unbind(this, dim) as Tensor[];
  }
  /** Tiles the tensor. @example x.repeat(2, 1) */
  repeat(...reps: (number | readonly number[])[]): Tensor {
    return asT(mv_.repeat(this, sizesOf(reps)));
  }
  /** View with explicit geometry. @example x.asStrided([2], [2]) */
  asStrided(size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor {
    return asT(mv_.asStrided(this, size, stride, storageOffset));
  }

  // -------------------------------------------------------------------------------------------------------------
  // in place (bump version; see autograd/inplace.ts)

  /** In-place `this += alpha·other`. @example x.add_(1) */
  add_(other: TensorOrNumber, opts?: { alpha?: number }): this {
    return inplace(this, () => ew.add(this, other, opts), 'add_') as this;
  }
  /** In-place `this −= alpha·other`. @example w.sub_(w.grad.mul(lr)) */
  sub_(other: TensorOrNumber, opts?: { alpha?: number }): this {
    return inplace(this, () => ew.sub(this, other, opts), 'sub_') as this;
  }
  /** In-place product. @example x.mul_(2) */
  mul_(other: TensorOrNumber): this {
    return inplace(this, () => ew.mul(this, other), 'mul_') as this;
  }
  /** In-place division. @example x.div_(2) */
  div_(other: TensorOrNumber): this {
    return inplace(this, () => ew.div(this, other), 'div_') as this;
  }
  /** In-place power. @example x.pow_(2) */
  pow_(exponent: TensorOrNumber): this {
    return inplace(this, () => ew.pow(this, exponent), 'pow_') as this;
  }
  /** In-place clamp. @example x.clamp_(0, 1) */
  clamp_(min?: TensorOrNumber | null | ew.ClampBounds, max?: TensorOrNumber | null): this {
    return inplace(this, () => ew.clamp(this, min, max), 'clamp_') as this;
  }
  /** In-place negation. @example x.neg_() */
  neg_(): this {
    return inplace(this, () => ew.neg(this), 'neg_') as this;
  }
  /** In-place exp. @example x.exp_() */
  exp_(): this {
    return inplace(this, () => ew.exp(this), 'exp_') as this;
  }
  /** In-place sqrt. @example x.sqrt_() */
  sqrt_(): this {
    return inplace(this, () => ew.sqrt(this), 'sqrt_') as this;
  }
  /** In-place relu. @example x.relu_() */
  relu_(): this {
    return inplace(this, () => ew.relu(this), 'relu_') as this;
  }
  /** In-place sigmoid. @example x.sigmoid_() */
  sigmoid_(): this {
    return inplace(this, () => ew.sigmoid(this), 'sigmoid_') as this;
  }
  /** In-place tanh. @example x.tanh_() */
  tanh_(): this {
    return inplace(this, () => ew.tanh(this), 'tanh_') as this;
  }
  /** `this + value·t1·t2` (AddcmulBackward0). @example p.addcmul(a, b, { value: 0.5 }) */
  addcmul(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor {
    return asT(applyOp(AddcmulSpec, [this, t1, t2], scalarArg('addcmul', 'value', opts?.value ?? 1)));
  }
  /** `this + value·t1/t2` (AddcdivBackward0). @example p.addcdiv(m, v, { value: -lr }) */
  addcdiv(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor {
    return asT(applyOp(AddcdivSpec, [this, t1, t2], scalarArg('addcdiv', 'value', opts?.value ?? 1)));
  }
  /** Linear interpolation `this + weight·(end − this)` (LerpBackward0). @example m.lerp(g, 0.1) */
  lerp(end: Tensor, weight: number): Tensor {
    return asT(applyOp(LerpSpec, [this, end], scalarArg('lerp', 'weight', weight)));
  }
  /** In-place `this += value·t1·t2`. @example p.addcmul_(a, b, { value: 0.5 }) */
  addcmul_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this {
    return inplace(this, () => this.addcmul(t1, t2, opts), 'addcmul_') as this;
  }
  /** In-place `this += value·t1/t2`. @example p.addcdiv_(m, v, { value: -lr }) */
  addcdiv_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this {
    return inplace(this, () => this.addcdiv(t1, t2, opts), 'addcdiv_') as this;
  }
  /** In-place linear interpolation toward `end`. @example m.lerp_(g, 0.1) */
  lerp_(end: Tensor, weight: number): this {
    return inplace(this, () => this.lerp(end, weight), 'lerp_') as this;
  }
  /** Copies `src` (broadcast, cast) into this tensor. @example x.copy_(y) */
  copy_(src: Tensor): this {
    checkType(src instanceof TensorImpl, () => `copy_(): argument 'src' must be a Tensor, not ${typeof src}`);
    const shape = broadcastShapes(this.shape, src.shape); // throws PyTorch's message naming both sizes
    check(
      sameShape(shape, this.shape),
      () =>
        `copy_: output with shape [${this.shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`,
    );
    const s = src.device === this.device ? src : toDevice(src, this.device);
    return inplace(this, () => ew.copyInto(this, s), 'copy_') as this;
  }
  /** Fills with zeros. @example w.grad.zero_() */
  zero_(): this {
    return writeInplace(this, 'zero_', () => kFill(this, 0), 'ZeroBackward0') as this;
  }
  /** Fills with a value. @example x.fill_(1) */
  fill_(value: number | boolean): this {
    checkType(typeof value === 'number' || typeof value === 'boolean', 'fill_(): value must be a number');
    return writeInplace(this, 'fill_', () => kFill(this, Number(value)), 'FillBackward2') as this;
  }
  /** Fills with N(mean, std²) samples. @example w.normal_(0, 0.01) */
  normal_(mean = 0, std = 1, opts?: { generator?: Generator }): this {
    checkFloat(this, 'normal_');
    return writeInplace(
      this,
      'normal_',
      () =>
        fillRandom(this, (a) => (opts?.generator ?? defaultGenerator).normal(a as Float32Array, mean, std)),
      'NormalBackward0',
    ) as this;
  }
  /** Fills with U(from, to) samples. @example w.uniform_(-0.1, 0.1) */
  uniform_(from = 0, to = 1, opts?: { generator?: Generator }): this {
    checkFloat(this, 'uniform_');
    return writeInplace(
      this,
      'uniform_',
      () =>
        fillRandom(this, (a) => (opts?.generator ?? defaultGenerator).uniform(a as Float32Array, from, to)),
      'UniformBackward0',
    ) as this;
  }
  /** Fills with 0/1 samples of probability p. @example mask.bernoulli_(0.5) */
  bernoulli_(p = 0.5, opts?: { generator?: Generator }): this {
    return writeInplace(
      this,
      'bernoulli_',
      () => fillRandom(this, (a) => (opts?.generator ?? defaultGenerator).bernoulli(a as Float32Array, p)),
      'BernoulliBackward2',
    ) as this;
  }
}

function scalarArg(fn: string, name: string, v: unknown): number {
  checkType(typeof v === 'number', () => `${fn}(): argument '${name}' must be a number, not ${typeof v}`);
  return v as number;
}

// The fused pointwise ops of optimizer updates, as PyTorch has them (so that their nodes carry PyTorch's names):
// forward and backward are compositions of elementwise ops; the engine sums broadcast gradients.
const AddcmulSpec: OpSpec<number> = {
  name: 'AddcmulBackward0',
  forward: ([s, a, b], v) => ew.add(s!, ew.mul(ew.mul(a!, b!), v)),
  // d(s + v·a·b) = ds + v·b·da + v·a·db
  backward: (g, [, a, b], _out, [, needA, needB], v) => [
    g,
    needA ? ew.mul(g, ew.mul(b!, v)) : null,
    needB ? ew.mul(g, ew.mul(a!, v)) : null,
  ],
  save: ([, needA, needB]) => [...(needB ? [1] : []), ...(needA ? [2] : [])],
};

const AddcdivSpec: OpSpec<number> = {
  name: 'AddcdivBackward0',
  forward: ([s, a, b], v) => ew.add(s!, ew.mul(ew.div(a!, b!), v)),
  // d(s + v·a/b) = ds + v/b·da − v·a/b²·db
  backward: (g, [, a, b], _out, [, needA, needB], v) => [
    g,
    needA ? ew.div(ew.mul(g, v), b!) : null,
    needB ? ew.neg(ew.div(ew.mul(ew.mul(g, v), a!), ew.mul(b!, b!))) : null,
  ],
  save: ([, needA, needB]) => [...(needB ? [1] : []), ...(needA || needB ? [2] : [])],
};

const LerpSpec: OpSpec<number> = {
  name: 'LerpBackward0',
  forward: ([s, e], w) => ew.add(s!, ew.mul(ew.sub(e!, s!), w)),
  // d(s + w·(e − s)) = (1 − w)·ds + w·de
  backward: (g, _in, _out, [needS, needE], w) => [
    needS ? ew.mul(g, 1 - w) : null,
    needE ? ew.mul(g, w) : null,
  ],
};

function checkFloat(t: TensorImpl, what: string): void {
  check(t.dtype.isFloatingPoint, () => `${what} expects a floating point tensor, but got ${t.dtype}`);
}

/** Writes generator output into a tensor (contiguous host buffer first, then copied in, as PyTorch does). */
function fillRandom(t: TensorImpl, fill: (a: TypedArray) => void): void {
  const host = new t.dtype.ArrayType(numel(t.shape));
  fill(host);
  const be = t.storage.backend;
  const src = makeTensor(new Storage(be, be.fromArray(t.dtype, host), t.dtype, host.length), t.shape);
  kCopyInto(t, src);
}

function toDevice(t: TensorImpl, device: string): TensorImpl {
  const be = getBackend(device);
  const src = kContiguous(t);
  const from = src.storage.backend;
  check(from.readSync !== undefined, () => `cannot move a ${t.device} tensor synchronously; use toAsync`);
  const data = from.readSync!(src.storage.buf, src.dtype).subarray(src.offset, src.offset + numel(src.shape));
  return makeTensor(new Storage(be, be.fromArray(t.dtype, data), t.dtype, data.length), t.shape);
}

function sizesOfDims(dims: readonly (number | readonly number[])[]): number[] {
  return dims.length === 1 && Array.isArray(dims[0]) ? [...(dims[0] as number[])] : (dims as number[]);
}

function toNested(data: ArrayLike<number>, shape: readonly number[], asBool: boolean): NestedList {
  const conv = (v: number): number | boolean => (asBool ? v !== 0 : v);
  if (shape.length === 0) return conv(data[0]!);
  const rec = (d: number, off: number): NestedList[] => {
    const n = shape[d]!;
    const stride = numel(shape.slice(d + 1));
    const out: NestedList[] = new Array(n);
    for (let i = 0; i < n; i++)
      out[i] = d === shape.length - 1 ? conv(data[off + i]!) : rec(d + 1, off + i * stride);
    return out;
  };
  return rec(0, 0);
}

registerTensorClass(Tensor);

export type { NestedData, Operand };
