/**
 * @file The in-place protocol shared by every `op_`: checks, version bump, and history rewriting.
 * See Note [View + inplace] in graph/tensor-impl.ts: an in-place change through a view rewrites the base's
 * history with a CopySlices node, and stale views regenerate their gradFn (AsStridedBackward0) from the base.
 */
import { bool } from '../core/dtype.js';
import { broadcastShapes, sameShape } from '../core/shape.js';
import { enableGrad, isGradEnabled, isInferenceModeEnabled } from '../graph/grad-mode.js';
import { type Grad, Node } from '../graph/node.js';
import { type TensorImpl, viewHooks } from '../graph/tensor-impl.js';
import { gradientEdge, preserveSavedSelf, rebindSavedOutput } from '../ops/define.js';
import { add, where } from '../ops/elementwise.js';
import { kCopyInto, kFill, kView, kZeros } from '../ops/kernels.js';
import { asStrided, asStridedScatter, contiguous, type Geometry } from '../ops/movement.js';
import { check, fmtShape } from '../util/assert.js';

/** The view's geometry relative to its (contiguous) base. */
function relativeGeometry(view: TensorImpl, base: TensorImpl): Geometry {
  return { shape: view.shape, strides: view.strides, offset: view.offset - base.offset };
}

/**
 * The base's new history after an in-place op `fn` wrote into one of its views (PyTorch's CopySlices):
 * the gradient of the base is the incoming gradient outside the view's region, and `fn`'s input-0 gradient inside.
 */
class CopySlices extends Node {
  readonly name = 'CopySlices';
  constructor(
    base: TensorImpl,
    private readonly geometry: Geometry,
    private fn: Node | null,
  ) {
    super();
    this.nextFunctions = [gradientEdge(base), ...fn!.nextFunctions.slice(1)];
    this.outputMeta = [{ shape: base.shape, dtype: base.dtype }];
  }
  override apply([g]: Grad[], needs?: readonly boolean[]): Grad[] {
    const fn = this.fn;
    check(
      fn !== null,
      'CopySlices: Trying to backward through the graph a second time; specify retainGraph: true.',
    );
    const grad = contiguous(g!);
    const slice = contiguous(
      asStrided(grad, this.geometry.shape, this.geometry.strides, this.geometry.offset),
    );
    const fnNeeds = [true, ...(needs ?? this.nextFunctions.map(([n]) => n !== null)).slice(1)];
    const res = fn.apply([slice], fnNeeds);
    const mask = kZeros(grad.shape, bool, grad);
    kFill(kView(mask, this.geometry.shape, this.geometry.strides, this.geometry.offset), 1);
    const outside = where(mask, 0, grad);
    const r0 = res[0];
    return [r0 ? add(outside, asStridedScatter(r0, grad.shape, this.geometry)) : outside, ...res.slice(1)];
  }
  override releaseVariables(): void {
    this.fn?.releaseVariables();
  }
}

/** Rebuilds a stale view's gradFn from its base, as AsStridedBackward0 (Note [View + inplace]). */
function regenerate(view: TensorImpl): void {
  const base = view.base!;
  view.viewVersion = view.version;
  if (!base.requiresGrad) return;
  const g = relativeGeometry(view, base);
  // the view's history does not depend on the grad mode at the time its gradFn is read
  const fresh = enableGrad(() => asStrided(base, g.shape, g.strides, base.offset + g.offset));
  view._gradFn = fresh.gradFn;
  view.outputNr = 0;
}
viewHooks.regenerate = regenerate;

function checkInplaceAllowed(self: TensorImpl, opName: string): void {
  if (self.inference && !isInferenceModeEnabled())
    throw new Error(
      `Inplace update to inference tensor outside InferenceMode is not allowed (${opName}). You can make a clone to ` +
        'get a normal tensor before doing inplace update.',
    );
  if (!isGradEnabled()) return;
  if (self.gradFn === null && self._requiresGrad)
    throw new Error(
      `a leaf Variable that requires grad is being used in an in-place operation (${opName}). Wrap the update in ` +
        'torch.noGrad(() => ...) (as optimizers do), or use the out-of-place op.',
    );
  const base = self.base;
  if (base === null) return;
  if (base.gradFn === null && base._requiresGrad)
    throw new Error(
      `a view of a leaf Variable that requires grad is being used in an in-place operation (${opName}). ` +
        'Wrap the update in torch.noGrad(() => ...), or clone() the leaf first.',
    );
  const fn = self._gradFn;
  if (fn !== null && self.viewVersion !== -1 && fn.outputMeta.length > 1)
    throw new Error(
      `Output ${self.outputNr} of ${fn.name} is a view and is being modified inplace. This view is the output of a ` +
        'function that returns multiple views. Such functions do not allow the output views to be modified inplace ' +
        `(here by ${opName}). You should replace the inplace operation by an out-of-place one, or clone() the view first.`,
    );
  if (self.viewVersion === -1 && base.requiresGrad)
    throw new Error(
      `A view was created in no_grad mode and is being modified inplace with grad mode enabled (${opName}). Given ` +
        'that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both ' +
        "the view and the inplace either both inside the noGrad block (if you don't want the inplace to be tracked) " +
        'or both outside (if you want the inplace to be tracked).',
    );
}

/**
 * Runs an in-place op on `self`: `compute` returns the new value (recorded out of place as usual), which is
 * written into `self`'s storage; then the version is bumped and `self` (or its base) takes the new history.
 * Everything is validated before anything is written, so a refused op leaves every tensor unchanged.
 * @example inplace(w, () => sub(w, g), 'sub_')
 */
export function inplace(self: TensorImpl, compute: () => TensorImpl, opName: string): TensorImpl {
  checkInplaceAllowed(self, opName);
  const r = compute();
  if (!sameShape(r.shape, self.shape)) {
    const ok = (() => {
      try {
        return sameShape(broadcastShapes(r.shape, self.shape), self.shape);
      } catch {
        return false;
      }
    })();
    check(
      ok,
      () =>
        `${opName}: output with shape ${fmtShape(self.shape)} doesn't match the broadcast shape ${fmtShape(r.shape)}`,
    );
  }
  check(
    r.dtype.category <= self.dtype.category,
    () =>
      `${opName}: result type ${typeName(r.dtype.name)} can't be cast to the desired output type ${typeName(self.dtype.name)}. ` +
      `Use the out-of-place op, or convert ${self.dtype.name === 'bool' ? 'the tensor' : 'the other operand'} first.`,
  );
  const node = r.gradFn !== null && r !== self ? r.gradFn : null;
  if (node) preserveSavedSelf(node, self);
  kCopyInto(self, r);
  self.storage.version++;
  if (node) rebase(self, node, r.outputNr);
  return self;
}

function typeName(n: string): string {
  return { float32: 'Float', float64: 'Double', int32: 'Int', bool: 'Bool' }[n] ?? n;
}

/**
 * Gives `self`, just modified in place, the history `node` (output `outputNr`): directly, or through its base with
 * CopySlices when it is a view (Note [View + inplace]). retainGrad follows the tensor.
 * @example rebase(x, customNode, 0) // ctx.markDirty(x) in a custom Function
 */
export function rebase(self: TensorImpl, node: Node, outputNr: number): void {
  // retainGrad follows the tensor to its new history (PyTorch 2.x); the old node must no longer fill .grad
  const old = self.retainsGrad ? self.gradFn : null;
  const retain = old?.retainGradHooks?.get(self.outputNr);
  if (retain) old!.retainGradHooks!.delete(self.outputNr);
  const base = self.base;
  if (base === null) {
    self.gradFn = node;
    self.outputNr = outputNr;
    rebindSavedOutput(node, self);
  } else {
    const g = relativeGeometry(self, base);
    base.gradFn = new CopySlices(base, g, node);
    base.outputNr = 0;
    self.viewVersion = -2; // force regeneration from the new base history
    regenerate(self);
  }
  if (retain && self.gradFn) {
    self.gradFn.retainGradHooks ??= new Map();
    self.gradFn.retainGradHooks.set(self.outputNr, retain);
  }
}

/**
 * Fills `self` in place with values made without autograd (fill_, zero_, normal_, uniform_): checks and bumps the
 * version, and the tensor's history (or its base's, through CopySlices) becomes that of a constant: `nodeName`
 * (PyTorch's ZeroBackward0, FillBackward2...) gives the old history a zero gradient.
 * @example writeInplace(t, 'zero_', () => kFill(t, 0), 'ZeroBackward0')
 */
export function writeInplace(
  self: TensorImpl,
  opName: string,
  write: () => void,
  nodeName: string,
): TensorImpl {
  checkInplaceAllowed(self, opName);
  // the node takes the edge of the old history, so it is made before the version changes
  const node = isGradEnabled() && self.requiresGrad ? new ConstantNode(nodeName, self) : null;
  write();
  self.storage.version++;
  if (node) rebase(self, node, 0);
  return self;
}

class ConstantNode extends Node {
  constructor(
    readonly name: string,
    t: TensorImpl,
  ) {
    super();
    this.nextFunctions = [gradientEdge(t)];
    this.outputMeta = [{ shape: t.shape, dtype: t.dtype }];
  }
  override apply([g]: Grad[]): Grad[] {
    return [kZeros(g!.shape, g!.dtype, g!)];
  }
}
