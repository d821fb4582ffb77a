/**
 * @file TensorImpl: storage + view (shape, strides, offset) + dtype + autograd metadata.
 * Ops see only this class; the fluent `Tensor` (a subclass, two floors up) is made through `makeTensor`.
 */
import type { Backend, Buf, Strided } from '../backend/backend.js';
import type { DType } from '../core/dtype.js';
import { contiguousStrides, isContiguousLayout, numel } from '../core/shape.js';
import { isGradEnabled } from './grad-mode.js';
import type { Node, TensorHook } from './node.js';

let nextStorageSerial = 0;

/** The serial the next storage will get (storages made later have this one or higher). @example storageSerialMark() */
export function storageSerialMark(): number {
  return nextStorageSerial;
}

/**
 * A flat buffer on a device. Views of one storage share it, and share its version counter
 * (PyTorch's VariableVersion), so an in-place change through any view is seen by all.
 * @example new Storage(backend, buf, float32, 6)
 */
export class Storage {
  /** Bumped by every in-place write. */
  version = 0;
  /** Creation order: storages made during a backward pass are newer than its start (Note [Owned gradients]). */
  readonly serial = nextStorageSerial++;
  /** @internal The backward task whose count `engineRefs` is (Note [Owned gradients] in engine.ts); 0 for none. */
  engineTask = 0;
  /** @internal References that task's engine holds to this storage, or -1 once seen outside it (tainted). */
  engineRefs = 0;
  constructor(
    readonly backend: Backend,
    readonly buf: Buf,
    readonly dtype: DType,
    readonly size: number,
  ) {}
}

/**
 * The tensor data structure without methods. Shape arrays are never mutated after construction.
 * @example const t = makeTensor(storage, [2, 3]);
 */
export class TensorImpl {
  /** The storage; shared with every view of it. */
  storage: Storage;
  /** Sizes of each dimension. */
  shape: readonly number[];
  /** Element strides of each dimension. */
  strides: readonly number[];
  /** Element offset of element [0, ..., 0] in the storage. */
  offset: number;
  /** Set on leaves only; non-leaves require grad through their gradFn. */
  _requiresGrad = false;
  /** The node that made this tensor (null for leaves); read it through `gradFn`. */
  _gradFn: Node | null = null;
  /** Which output of `gradFn` this tensor is. */
  outputNr = 0;
  /** Accumulated gradient (leaves, or non-leaves that retain it). */
  _grad: TensorImpl | null = null;
  /** Set by `retainGrad()`. */
  retainsGrad = false;
  /** Hooks of a leaf, run by its AccumulateGrad node. */
  _hooks: TensorHook[] | null = null;
  /** The AccumulateGrad node of a leaf that requires grad, made on first use. */
  gradAccumulator: Node | null = null;
  private viewBase: TensorImpl | null = null;
  /**
   * For differentiable views (floating-point views made while grad mode was on): the storage version their gradFn
   * belongs to; -1 for other tensors and for views made in noGrad. An in-place change of the base or of a sibling
   * view makes it stale; see Note [View + inplace].
   */
  viewVersion = -1;
  /** The JS number this 0-dim tensor wraps, if any (it then promotes like a Python scalar). */
  wrappedNumber: number | null = null;
  /** Made in inference mode: may never join a graph. */
  inference = false;

  constructor(storage: Storage, shape: readonly number[], strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides ?? stridesFor(shape);
    this.offset = offset;
  }

  /**
   * For views: the tensor whose storage this views (the root base, never itself a view). A floating-point view made
   * while grad mode is on is a differentiable view, whose gradFn follows its base's history (Note [View + inplace]).
   */
  get base(): TensorImpl | null {
    return this.viewBase;
  }
  set base(b: TensorImpl | null) {
    this.viewBase = b;
    if (b !== null && this.viewVersion === -1 && this.dtype.isFloatingPoint && isGradEnabled())
      this.viewVersion = this.storage.version;
  }
  /** Element type. */
  get dtype(): DType {
    return this.storage.dtype;
  }
  /** Device name, e.g. 'cpu'. */
  get device(): string {
    return this.storage.backend.device;
  }
  /** Version counter, bumped by in-place ops (shared by views). */
  get version(): number {
    return this.storage.version;
  }
  /** The node that made this tensor, regenerated for views whose base was modified in place. */
  get gradFn(): Node | null {
    if (this.viewVersion >= 0 && this.viewVersion !== this.storage.version && viewHooks.regenerate)
      viewHooks.regenerate(this);
    return this._gradFn;
  }
  set gradFn(fn: Node | null) {
    this._gradFn = fn;
  }
  /** Whether gradients flow to this tensor. */
  get requiresGrad(): boolean {
    return this._requiresGrad || this.gradFn !== null;
  }
  /** True for tensors not made by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** Rank. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. */
  get elementCount(): number {
    return numel(this.shape);
  }
  /** The strided description kernels read (made once: storage and geometry never change after construction). */
  get strided(): Strided {
    return (this._strided ??= {
      buf: this.storage.buf,
      dtype: this.storage.dtype,
      strides: this.strides,
      offset: this.offset,
    });
  }
  private _strided: Strided | undefined = undefined;
  /** True when row-major contiguous. */
  get denseRowMajor(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }
  /** True when this tensor is all of its storage, row-major from offset 0 (no other layout can share it). */
  get wholeStorage(): boolean {
    return this.offset === 0 && this.storage.size === numel(this.shape) && this.denseRowMajor;
  }
}

const NO_STRIDES: readonly number[] = Object.freeze([]);
const UNIT_STRIDES: readonly number[] = Object.freeze([1]);

/** Contiguous strides, sharing the arrays of the two most common ranks (strides are never mutated). */
function stridesFor(shape: readonly number[]): readonly number[] {
  if (shape.length === 0) return NO_STRIDES;
  if (shape.length === 1) return UNIT_STRIDES;
  return contiguousStrides(shape);
}

/**
 * Note [View + inplace]: when a differentiable view or its base is modified in place while recording, the base's
 * history is rewritten (CopySlices) and every view's gradFn becomes stale. The autograd floor installs
 * `regenerate`, which rebuilds a stale view's gradFn from its base (AsStridedBackward0), as PyTorch does lazily.
 */
export const viewHooks: { regenerate: ((view: TensorImpl) => void) | null } = { regenerate: null };

type TensorCtor = new (
  storage: Storage,
  shape: readonly number[],
  strides?: readonly number[],
  offset?: number,
) => TensorImpl;
let tensorClass: TensorCtor = TensorImpl;

/**
 * Sets the class `makeTensor` builds (the fluent Tensor registers itself when its module loads).
 * @example registerTensorClass(Tensor)
 */
export function registerTensorClass(ctor: TensorCtor): void {
  tensorClass = ctor;
}

/**
 * Makes a tensor (of the registered fluent class) over a storage.
 * @example makeTensor(new Storage(backend, buf, float32, 3), [3])
 */
export function makeTensor(
  storage: Storage,
  shape: readonly number[],
  strides?: readonly number[],
  offset = 0,
): TensorImpl {
  return new tensorClass(storage, shape, strides, offset);
}

/**
 * A new contiguous tensor over a fresh buffer produced by a kernel.
 * @example fromBuf(backend, buf, float32, [2, 3])
 */
export function fromBuf(backend: Backend, buf: Buf, dtype: DType, shape: readonly number[]): TensorImpl {
  return makeTensor(new Storage(backend, buf, dtype, numel(shape)), shape);
}
