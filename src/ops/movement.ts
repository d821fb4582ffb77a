/**
 * @file Shape ops. Views (view, reshape, squeeze, transpose, permute, expand, narrow, select, split…) share the
 * input's storage and only compute new (shape, strides, offset); cat, stack, repeat, gather and friends copy.
 * Each backward is the inverse movement; index-like views scatter their gradient back into zeros.
 */
import { bool, type DType, int32, promoteTypes } from '../core/dtype.js';
import {
  checkSizes,
  inferSize,
  normalizeDim,
  normalizeDims,
  numel,
  sameShape,
  viewStrides,
} from '../core/shape.js';
import { fromBuf, type TensorImpl } from '../graph/tensor-impl.js';
import { check, checkType, fmtShape, isInt } from '../util/assert.js';
import { applyMultiOp, applyOp, cloneOp, type MultiOpSpec, type OpSpec } from './define.js';
import { kContiguous, kCopyInto, kView, kZeros } from './kernels.js';

type T = TensorImpl;

/** A view's geometry within its storage. @example { shape: [3], strides: [1], offset: 0 } */
export interface Geometry {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Makes a view tensor of `x`, linked to the root base (Note [View + inplace]). */
function makeView(x: T, g: Geometry): T {
  const v = kView(x, g.shape, g.strides, g.offset);
  v.base = x.base ?? x;
  return v;
}

/** Marks a recorded view as differentiable: its gradFn is regenerated if its base changes in place. */
function markDiffView(v: T): T {
  if (v.gradFn !== null) v.viewVersion = v.version;
  return v;
}

interface ViewDef<P> {
  readonly name: string;
  readonly geometry: (x: Geometry, p: P) => Geometry;
  /** Inverse movement of the gradient; omit for index-like views (their gradient is scattered into zeros). */
  readonly backward?: (g: T, inputShape: readonly number[], p: P) => T;
}

/**
 * Defines a view op: forward is pure geometry; backward is the inverse movement, or for index-like views
 * (narrow, select, asStrided) a scatter of the gradient into zeros of the input's shape.
 */
type ViewFn<P> = ((x: T, p: P) => T) & {
  /** The gradient path of index-like views: `g` written into zeros of `inputShape` at the view's geometry. */
  readonly scatter: (g: T, inputShape: readonly number[], p: P) => T;
};

function defineView<P>(def: ViewDef<P>): ViewFn<P> {
  const scatter: OpSpec<{ inputShape: readonly number[]; p: P }> = {
    name: `${def.name.replace(/0$/, '')}Backward0`,
    forward: ([g], { inputShape, p }) => {
      const z = kZeros(inputShape, g!.dtype, g!);
      kCopyInto(makeView(z, def.geometry(z, p)), g!);
      return z;
    },
    backward: (gg, _i, _o, _n, { p }) => [view(gg, p)],
  };
  const scatterFn = (g: T, inputShape: readonly number[], p: P): T =>
    applyOp(scatter, [g], { inputShape, p });
  const spec: OpSpec<P> = {
    name: def.name,
    forward: ([x], p) => makeView(x!, def.geometry(x!, p)),
    backward: (g, [x], _out, _n, p) => [
      def.backward ? def.backward(g, x!.shape, p) : scatterFn(g, x!.shape, p),
    ],
  };
  const view = (x: T, p: P): T => markDiffView(applyOp(spec, [x], p));
  return Object.assign(view, { scatter: scatterFn });
}

// ---------------------------------------------------------------------------------------------------------------
// views

const viewOp = defineView<readonly number[]>({
  name: 'ViewBackward0',
  geometry: (x, shape) => {
    const strides = viewStrides(x.shape, x.strides, shape);
    check(
      strides !== null,
      () =>
        `view size is not compatible with input tensor's size and stride (at least one dimension spans across two ` +
        `contiguous subspaces). Use .reshape(...) instead.`,
    );
    return { shape, strides, offset: x.offset };
  },
  backward: (g, inputShape) => reshape(g, inputShape),
});

/**
 * A view with a new shape (one entry may be -1); fails when the strides do not allow it (use reshape).
 * @example x.view(2, 3) ; x.view(-1)
 */
export function view(x: T, shape: readonly number[]): T {
  return viewOp(x, inferSize(shape, numel(x.shape)));
}

const UnsafeViewSpec: OpSpec<readonly number[]> = {
  name: 'UnsafeViewBackward0',
  forward: ([x], shape) => kView(x!, shape, viewStrides(x!.shape, x!.strides, shape)!, x!.offset),
  backward: (g, [x]) => [reshape(g, x!.shape)],
};

/**
 * A view of `x` (which must allow it, e.g. a fresh contiguous result) recorded as PyTorch's `_unsafe_view`
 * (UnsafeViewBackward0), as matmul and reshape-by-copy end.
 * @example unsafeView(bmm(a, b), [2, 3, 4, 5])
 */
export function unsafeView(x: T, shape: readonly number[]): T {
  return applyOp(UnsafeViewSpec, [x], shape);
}

/**
 * Same data with a new shape: a view when the strides allow it, else a copy.
 * @example x.reshape(3, 2) ; x.reshape(-1)
 */
export function reshape(x: T, shape: readonly number[]): T {
  const target = inferSize(shape, numel(x.shape));
  if (sameShape(target, x.shape) && !x.requiresGrad) return x;
  if (viewStrides(x.shape, x.strides, target) !== null) return viewOp(x, target);
  return applyOp(UnsafeViewSpec, [cloneOp([x])], target);
}

/**
 * Flattens dims `startDim..endDim` into one.
 * @example x.flatten() ; x.flatten(1)
 */
export function flatten(x: T, startDim = 0, endDim = -1): T {
  if (x.shape.length === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.shape.length);
  const e = normalizeDim(endDim, x.shape.length);
  check(s <= e, 'flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return x;
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

const unsqueezeOp = defineView<number>({
  name: 'UnsqueezeBackward0',
  geometry: (x, d) => {
    const shape = x.shape.slice();
    const strides = x.strides.slice();
    const stride = d < x.shape.length ? x.shape[d]! * x.strides[d]! : 1;
    shape.splice(d, 0, 1);
    strides.splice(d, 0, stride);
    return { shape, strides, offset: x.offset };
  },
  backward: (g, _s, d) => squeeze(g, d),
});

/**
 * Inserts a dim of size 1 at `dim`.
 * @example x.unsqueeze(1) // [3] -> [3, 1]
 */
export function unsqueeze(x: T, dim: number): T {
  return unsqueezeOp(x, normalizeDim(dim, x.shape.length + 1));
}

/** A squeeze view recorded under `name` (PyTorch numbers each squeeze overload: see squeeze). */
function squeezeView(name: string): ViewFn<readonly number[]> {
  return defineView<readonly number[]>({
    name,
    geometry: (x, dims) => ({
      shape: x.shape.filter((s, d) => !(dims.includes(d) && s === 1)),
      strides: x.strides.filter((_, d) => !(dims.includes(d) && x.shape[d] === 1)),
      offset: x.offset,
    }),
    backward: (g, inputShape) => reshape(g, inputShape),
  });
}
const squeezeAllOp = squeezeView('SqueezeBackward0'); // squeeze()
const squeezeDimOp = squeezeView('SqueezeBackward1'); // squeeze(dim)
const squeezeDimsOp = squeezeView('SqueezeBackward2'); // squeeze(dims), PyTorch 2.x
const squeezeInplaceDimOp = squeezeView('SqueezeBackward4'); // squeeze_(dim), PyTorch 2.x

/**
 * Removes dims of size 1 (all of them, only `dim`, or only those in a list of dims).
 * @example x.squeeze() ; x.squeeze(0) ; x.squeeze([0, 2])
 */
export function squeeze(x: T, dim?: number | readonly number[]): T {
  if (dim === undefined)
    return squeezeAllOp(
      x,
      x.shape.map((_, d) => d),
    );
  const dims = normalizeDims(dim, x.shape.length);
  return typeof dim === 'number' ? squeezeDimOp(x, dims) : squeezeDimsOp(x, dims);
}

/**
 * squeeze(x, dim) recorded as PyTorch's in-place `squeeze_(dim)` (SqueezeBackward4), which matmul of a vector by a
 * matrix ends with; otherwise the same view as squeeze.
 * @example squeezeInplaceDim(mm(unsqueeze(v, 0), m), 0)
 */
export function squeezeInplaceDim(x: T, dim: number): T {
  return squeezeInplaceDimOp(x, [normalizeDim(dim, x.shape.length)]);
}

const transposeOp = defineView<readonly [number, number]>({
  name: 'TransposeBackward0',
  geometry: (x, [a, b]) => {
    if (x.shape.length === 0) return x; // a 0-dim tensor: dims 0 and -1 name no axis
    const shape = x.shape.slice();
    const strides = x.strides.slice();
    [shape[a], shape[b]] = [shape[b]!, shape[a]!];
    [strides[a], strides[b]] = [strides[b]!, strides[a]!];
    return { shape, strides, offset: x.offset };
  },
  backward: (g, _s, [a, b]) => transpose(g, a, b),
});

/**
 * Swaps two dims (a view).
 * @example x.transpose(0, 1)
 */
export function transpose(x: T, dim0: number, dim1: number): T {
  const r = x.shape.length;
  return transposeOp(x, [normalizeDim(dim0, r), normalizeDim(dim1, r)]);
}

const tOp = defineView<void>({
  name: 'TBackward0',
  geometry: (x) =>
    x.shape.length < 2
      ? x
      : { shape: [x.shape[1]!, x.shape[0]!], strides: [x.strides[1]!, x.strides[0]!], offset: x.offset },
  backward: (g) => t(g),
});

/**
 * Transpose of a matrix (vectors and scalars are returned as they are).
 * @example w.t()
 */
export function t(x: T): T {
  check(
    x.shape.length <= 2,
    () =>
      `t() expects a tensor with <= 2 dimensions, but self is ${x.shape.length}D. Use transpose(dim0, dim1) or mT.`,
  );
  return tOp(x);
}

const permuteOp = defineView<readonly number[]>({
  name: 'PermuteBackward0',
  geometry: (x, dims) => ({
    shape: dims.map((d) => x.shape[d]!),
    strides: dims.map((d) => x.strides[d]!),
    offset: x.offset,
  }),
  backward: (g, _s, dims) => {
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => {
      inv[d] = i;
    });
    return permute(g, inv);
  },
});

/**
 * Reorders dims (a view).
 * @example x.permute(2, 0, 1)
 */
export function permute(x: T, dims: readonly number[]): T {
  check(
    dims.length === x.shape.length,
    () =>
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ` +
      `ordering of dimensions i.e. input.dim() = ${x.shape.length} is not equal to len(dims) = ${dims.length}`,
  );
  const normalized = dims.map((d) => normalizeDim(d, x.shape.length));
  check(
    new Set(normalized).size === normalized.length,
    () => `permute(): duplicate dims are not allowed. Got dims ${fmtShape(dims)}.`,
  );
  return permuteOp(x, normalized);
}

const expandOp = defineView<readonly number[]>({
  name: 'ExpandBackward0',
  geometry: (x, shape) => {
    const off = shape.length - x.shape.length;
    const strides = shape.map((s, i) => {
      const d = i - off;
      if (d < 0) return 0;
      return x.shape[d] === 1 && s !== 1 ? 0 : x.strides[d]!;
    });
    return { shape, strides, offset: x.offset };
  },
  backward: (g) => g, // the engine sums the gradient back to the input's shape (sumTo)
});

/**
 * Broadcasts size-1 dims to `shape` without copying (-1 keeps a size).
 * @example b.expand(3, 4)
 */
export function expand(x: T, shape: readonly number[]): T {
  checkSizes(shape, 'expand', true);
  const off = shape.length - x.shape.length;
  check(
    off >= 0,
    () =>
      `expand(${fmtShape(x.shape)}, size=${fmtShape(shape)}): the number of sizes provided (${shape.length}) must be ` +
      `greater or equal to the number of dimensions in the tensor (${x.shape.length})`,
  );
  const target = shape.map((s, i) => {
    const d = i - off;
    const cur = d >= 0 ? x.shape[d]! : 1;
    if (s === -1) {
      check(
        d >= 0,
        () => `The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`,
      );
      return cur;
    }
    check(
      cur === s || cur === 1,
      () =>
        `The expanded size of the tensor (${s}) must match the existing size (${cur}) at non-singleton dimension ${i}.  ` +
        `Target sizes: ${fmtShape(shape)}.  Tensor sizes: ${fmtShape(x.shape)}`,
    );
    return s;
  });
  if (sameShape(target, x.shape) && !x.requiresGrad) return x;
  return expandOp(x, target);
}

const narrowOp = defineView<{ dim: number; start: number; length: number }>({
  name: 'SliceBackward0',
  geometry: (x, { dim, start, length }) => {
    const shape = x.shape.slice();
    shape[dim] = length;
    return { shape, strides: x.strides, offset: x.offset + start * x.strides[dim]! };
  },
});

/**
 * A view of `length` entries of `dim` starting at `start`.
 * @example x.narrow(0, 1, 2)
 */
export function narrow(x: T, dim: number, start: number, length: number): T {
  check(x.shape.length > 0, 'narrow() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.shape.length);
  const size = x.shape[d]!;
  checkType(isInt(start) && isInt(length), 'narrow(): start and length must be integers');
  if (start < 0) start += size;
  check(
    start >= 0 && length >= 0 && start + length <= size,
    () => `start (${start}) + length (${length}) exceeds dimension size (${size}).`,
  );
  return narrowOp(x, { dim: d, start, length });
}

const selectOp = defineView<{ dim: number; index: number }>({
  name: 'SelectBackward0',
  geometry: (x, { dim, index }) => ({
    shape: x.shape.filter((_, d) => d !== dim),
    strides: x.strides.filter((_, d) => d !== dim),
    offset: x.offset + index * x.strides[dim]!,
  }),
});

/**
 * The slice at `index` of `dim`, with that dim removed (a view).
 * @example x.select(0, 1) // x[1]
 */
export function select(x: T, dim: number, index: number): T {
  check(x.shape.length > 0, 'select() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.shape.length);
  const size = x.shape[d]!;
  checkType(isInt(index), 'select(): index must be an integer');
  check(
    index >= -size && index < size,
    () => `select(): index ${index} out of range for tensor of size ${fmtShape(x.shape)} at dimension ${d}`,
  );
  return selectOp(x, { dim: d, index: index < 0 ? index + size : index });
}

const asStridedOp = defineView<Geometry>({
  name: 'AsStridedBackward0',
  geometry: (_x, g) => g,
});

/**
 * `src` written into zeros of `shape` at the given geometry (the differentiable inverse of asStrided on a
 * contiguous tensor of `shape`).
 * @example asStridedScatter(g, [3, 3], { shape: [3], strides: [4], offset: 0 }) // g on the diagonal
 */
export function asStridedScatter(src: T, shape: readonly number[], geometry: Geometry): T {
  return asStridedOp.scatter(src, shape, geometry);
}

/**
 * A view with explicit sizes, strides and storage offset (advanced; the caller keeps it in bounds).
 * @example x.asStrided([2, 2], [1, 2])
 */
export function asStrided(x: T, shape: readonly number[], strides: readonly number[], offset = x.offset): T {
  checkSizes(shape);
  check(shape.length === strides.length, () => `mismatch in length of strides and shape`);
  let maxIndex = offset;
  for (let i = 0; i < shape.length; i++) if (shape[i]! > 0) maxIndex += (shape[i]! - 1) * strides[i]!;
  check(
    numel(shape) === 0 || maxIndex < x.storage.size,
    () =>
      `setStorage: sizes ${fmtShape(shape)}, strides ${fmtShape(strides)}, storage offset ${offset}, requiring a ` +
      `storage of ${maxIndex + 1} elements, are out of bounds for storage of ${x.storage.size} elements`,
  );
  return asStridedOp(x, { shape, strides, offset });
}

// ---------------------------------------------------------------------------------------------------------------
// split / chunk / unbind: several views at once

const SplitSpec: MultiOpSpec<{ dim: number; sizes: readonly number[]; name: string }> = {
  name: 'SplitBackward0',
  forward: ([x], { dim, sizes }) => {
    let start = 0;
    return sizes.map((len) => {
      const shape = x!.shape.slice();
      shape[dim] = len;
      const v = makeView(x!, { shape, strides: x!.strides, offset: x!.offset + start * x!.strides[dim]! });
      start += len;
      return v;
    });
  },
  backward: (gs, _x, outs, _n, { dim }) => {
    const like = gs.find((g) => g !== null)!;
    return [
      cat(
        gs.map((g, i) => g ?? kZeros(outs[i]!.shape, like.dtype, like)),
        dim,
      ),
    ];
  },
};

function splitBySizes(x: T, sizes: readonly number[], dim: number, name: string): T[] {
  const outs = applyMultiOp({ ...SplitSpec, name }, [x], { dim, sizes, name });
  for (const o of outs) markDiffView(o);
  return outs;
}

/**
 * Splits into pieces of `splitSize` (the last may be smaller) or of the listed sizes, along `dim`.
 * @example x.split(2) ; x.split([1, 3], 1)
 */
export function split(x: T, splitSize: number | readonly number[], dim = 0): T[] {
  check(x.shape.length > 0, 'split expects at least a 1-dimensional tensor');
  const d = normalizeDim(dim, x.shape.length);
  const size = x.shape[d]!;
  if (typeof splitSize === 'number') {
    checkType(
      isInt(splitSize) && splitSize >= 0,
      () => `split expects split_size be non-negative, but got split_size=${splitSize}`,
    );
    check(
      splitSize > 0 || size === 0,
      () => `split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`,
    );
    const n = splitSize === 0 ? 1 : Math.max(1, Math.ceil(size / splitSize));
    const sizes = Array.from({ length: n }, (_, i) => Math.min(splitSize, size - i * splitSize));
    return splitBySizes(x, sizes, d, 'SplitBackward0');
  }
  checkSizes(splitSize, 'split_sizes');
  const total = splitSize.reduce((a, b) => a + b, 0);
  check(
    total === size,
    () =>
      `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), ` +
      `but got split_sizes=${fmtShape(splitSize)}`,
  );
  return splitBySizes(x, splitSize, d, 'SplitWithSizesBackward0');
}

/**
 * Splits into `chunks` nearly equal pieces along `dim` (fewer if the size does not allow).
 * @example x.chunk(3)
 */
export function chunk(x: T, chunks: number, dim = 0): T[] {
  checkType(isInt(chunks), 'chunk expects `chunks` to be an integer');
  check(chunks > 0, () => `chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  check(x.shape.length > 0, 'chunk expects at least a 1-dimensional tensor');
  const d = normalizeDim(dim, x.shape.length);
  const size = x.shape[d]!;
  // an empty dim still gives `chunks` (empty) chunks, through split_with_sizes as in PyTorch
  if (size === 0) return split(x, new Array<number>(chunks).fill(0), d);
  return split(x, Math.max(1, Math.ceil(size / chunks)), d);
}

const UnbindSpec: MultiOpSpec<number> = {
  name: 'UnbindBackward0',
  forward: ([x], dim) =>
    Array.from({ length: x!.shape[dim]! }, (_, i) =>
      makeView(x!, {
        shape: x!.shape.filter((_, d) => d !== dim),
        strides: x!.strides.filter((_, d) => d !== dim),
        offset: x!.offset + i * x!.strides[dim]!,
      }),
    ),
  backward: (gs, _x, outs, _n, dim) => {
    const like = gs.find((g) => g !== null)!;
    return [
      stack(
        gs.map((g, i) => g ?? kZeros(outs[i]!.shape, like.dtype, like)),
        dim,
      ),
    ];
  },
};

/**
 * All slices along `dim`, as views.
 * @example x.unbind(0)
 */
export function unbind(x: T, dim = 0): T[] {
  const d = normalizeDim(dim, x.shape.length);
  const outs = applyMultiOp(UnbindSpec, [x], d);
  for (const o of outs) markDiffView(o);
  return outs;
}

// ---------------------------------------------------------------------------------------------------------------
// copies: contiguous, cat, stack, repeat

/**
 * `x` if it is contiguous, else a contiguous copy (CloneBackward0).
 * @example x.t().contiguous()
 */
export function contiguous(x: T): T {
  return x.denseRowMajor ? x : cloneOp([x]);
}

/**
 * A copy with its own storage that records (CloneBackward0).
 * @example x.clone()
 */
export function clone(x: T): T {
  return cloneOp([x]);
}

const isLegacyEmpty = (x: T): boolean => x.shape.length === 1 && x.shape[0] === 0;

const CatSpec: OpSpec<{ dim: number; dtype: DType }> = {
  name: 'CatBackward0',
  forward: (xs, { dim, dtype }) => {
    const first = xs.find((x) => !(x.shape.length === 1 && x.shape[0] === 0))!;
    const shape = first.shape.slice();
    shape[dim] = xs.reduce(
      (acc, x) => acc + (x.shape.length === 1 && x.shape[0] === 0 ? 0 : x.shape[dim]!),
      0,
    );
    const out = kZeros(shape, dtype, first);
    let start = 0;
    for (const x of xs) {
      if (x.shape.length === 1 && x.shape[0] === 0) continue;
      const s = out.shape.slice();
      s[dim] = x.shape[dim]!;
      kCopyInto(kView(out, s, out.strides, start * out.strides[dim]!), x);
      start += x.shape[dim]!;
    }
    return out;
  },
  backward: (g, inputs, _out, needs, { dim }) => {
    let start = 0;
    return inputs.map((x, i) => {
      if (isLegacyEmpty(x)) return needs[i] ? kZeros(x.shape, g.dtype, g) : null;
      const len = x.shape[dim]!;
      const r = needs[i] ? narrow(g, dim, start, len) : null;
      start += len;
      return r;
    });
  },
};

/**
 * Concatenates tensors along an existing dim (1-D empty tensors are skipped, as in PyTorch).
 * @example torch.cat([a, b], 0)
 */
export function cat(tensors: readonly T[], dim = 0): T {
  check(Array.isArray(tensors) && tensors.length > 0, 'torch.cat(): expected a non-empty list of Tensors');
  const nonEmpty = tensors.filter((x) => !(x.shape.length === 1 && x.shape[0] === 0));
  if (nonEmpty.length === 0) return cloneOp([tensors[0]!]);
  const ref = nonEmpty[0]!;
  check(ref.shape.length > 0, 'zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normalizeDim(dim, ref.shape.length);
  tensors.forEach((x, i) => {
    if (x.shape.length === 1 && x.shape[0] === 0) return;
    check(
      x.shape.length === ref.shape.length,
      () => `Tensors must have same number of dimensions: got ${ref.shape.length} and ${x.shape.length}`,
    );
    for (let k = 0; k < x.shape.length; k++) {
      const s = x.shape[k];
      check(
        k === d || s === ref.shape[k],
        () =>
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${s} ` +
          `for tensor number ${i} in the list.`,
      );
    }
  });
  // the result dtype promotes over all inputs, as in PyTorch
  const dtype = tensors.reduce((acc, x) => promoteTypes(acc, x.dtype), tensors[0]!.dtype);
  return applyOp(CatSpec, tensors, { dim: d, dtype });
}

/**
 * Stacks equally shaped tensors along a new dim.
 * @example torch.stack([a, b], 0)
 */
export function stack(tensors: readonly T[], dim = 0): T {
  check(Array.isArray(tensors) && tensors.length > 0, 'stack expects a non-empty TensorList');
  const ref = tensors[0]!;
  tensors.forEach((x, i) => {
    check(
      sameShape(x.shape, ref.shape),
      () =>
        `stack expects each tensor to be equal size, but got ${fmtShape(ref.shape)} at entry 0 and ${fmtShape(x.shape)} at entry ${i}`,
    );
  });
  const d = normalizeDim(dim, ref.shape.length + 1);
  const dtype = tensors.reduce((acc, x) => promoteTypes(acc, x.dtype), ref.dtype);
  return applyOp(StackSpec, tensors, { dim: d, dtype });
}

/** `x` seen with a size-1 dim inserted at `d` (a kernel-level view, not recorded). */
function kUnsqueezed(x: T, d: number): T {
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  strides.splice(d, 0, d < x.shape.length ? x.shape[d]! * x.strides[d]! : 1);
  shape.splice(d, 0, 1);
  return kView(x, shape, strides, x.offset);
}

const StackSpec: OpSpec<{ dim: number; dtype: DType }> = {
  name: 'StackBackward0',
  forward: (xs, p) =>
    CatSpec.forward(
      xs.map((x) => kUnsqueezed(x, p.dim)),
      p,
    ),
  // each input's gradient is its slice of the output gradient
  backward: (g, inputs, _out, needs, { dim }) => inputs.map((_, i) => (needs[i] ? select(g, dim, i) : null)),
};

const RepeatSpec: OpSpec<readonly number[]> = {
  name: 'RepeatBackward0',
  forward: ([x], reps) => {
    const pad = reps.length - x!.shape.length;
    const src = kView(
      x!,
      [...new Array<number>(pad).fill(1), ...x!.shape],
      [...new Array<number>(pad).fill(0), ...x!.strides],
      x!.offset,
    );
    // out viewed as [r0, s0, r1, s1, ...] is src broadcast over the r axes
    const outShape = reps.map((r, i) => r * src.shape[i]!);
    const out = kZeros(outShape, x!.dtype, x!);
    const inter = reps.flatMap((r, i) => [r, src.shape[i]!]);
    const interStrides = viewStrides(outShape, out.strides, inter)!;
    const srcStrides = reps.flatMap((_, i) => [0, src.strides[i]!]);
    kCopyInto(kView(out, inter, interStrides, 0), kView(src, inter, srcStrides, src.offset));
    return out;
  },
  // sum the gradient over the repeat axes of the [r0, s0, r1, s1, ...] view
  backward: (g, [x], _out, _n, reps) => {
    const pad = reps.length - x!.shape.length;
    const srcShape = [...new Array<number>(pad).fill(1), ...x!.shape];
    const inter = reps.flatMap((r, i) => [r, srcShape[i]!]);
    const summed = sumDims(
      reshape(g, inter),
      reps.map((_, i) => 2 * i),
    );
    return [reshape(summed, x!.shape)];
  },
};

let sumDims: (x: T, dims: number[]) => T = () => {
  throw new Error('internal: reduce ops not loaded');
};
/**
 * Supplies the sum used by repeat's backward (reduce.ts sits above this file). @internal
 * @example setSumDims((x, dims) => sum(x, dims))
 */
export function setSumDims(fn: (x: T, dims: number[]) => T): void {
  sumDims = fn;
}

/**
 * Tiles the tensor `reps[i]` times along each dim (copies).
 * @example x.repeat(2, 1)
 */
export function repeat(x: T, reps: readonly number[]): T {
  checkSizes(reps, 'repeats');
  check(
    reps.length >= x.shape.length,
    'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor',
  );
  return applyOp(RepeatSpec, [x], reps);
}

// ---------------------------------------------------------------------------------------------------------------
// gather / scatter / indexSelect

function checkIndex(index: T, what: string): void {
  check(
    index.dtype === int32,
    () => `${what}(): Expected dtype int32 for index, but got ${index.dtype}. Use .int() to convert.`,
  );
}

function checkIndexBounds(index: T, size: number, what: string, dim: number): void {
  const be = index.storage.backend;
  if (!be.readSync) return;
  const c = kContiguous(index);
  const data = be.readSync(c.storage.buf, c.dtype);
  for (let i = 0; i < numel(c.shape); i++) {
    const v = data[c.offset + i]!;
    check(v >= 0 && v < size, () => {
      const detail = `index ${v} is out of bounds for dimension ${dim} with size ${size}`;
      return what === 'indexSelect'
        ? `indexSelect(): index out of range in self: ${detail}`
        : `${what}(): ${detail}`;
    });
  }
}

const ScatterAddSpec: OpSpec<{ dim: number; index: T }> = {
  name: 'ScatterAddBackward0',
  forward: ([x, src], { dim, index }) => {
    const be = x!.storage.backend;
    const added = be.scatterAdd(x!.shape, dim, index.strided, src!.strided, index.shape, x!.dtype);
    const out = kContiguous(x!, true);
    be.copy(out.strided, { buf: added, dtype: x!.dtype, strides: out.strides, offset: 0 }, out.shape, true);
    return out;
  },
  backward: (g, _i, _o, [, needSrc], { dim, index }) => [g, needSrc ? gather(g, dim, index) : null],
};

/**
 * `x` with `src` added at `index` along `dim` (out of place).
 * @example torch.scatterAdd(zeros, 0, idx, src)
 */
export function scatterAdd(x: T, dim: number, index: T, src: T): T {
  const d = normalizeDim(dim, x.shape.length);
  checkIndex(index, 'scatterAdd');
  check(
    index.shape.length === x.shape.length,
    'scatterAdd(): Index tensor must have the same number of dimensions as self tensor',
  );
  check(
    src.dtype === x.dtype,
    () =>
      `scatter(): Expected self.dtype to be equal to src.dtype (got ${x.dtype} and ${src.dtype}). Convert src with ` +
      `.to(${x.dtype}) first.`,
  );
  index.shape.forEach((s: number, k: number) => {
    check(
      s <= src.shape[k]! && (k === d || s <= x.shape[k]!),
      () =>
        `Expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ` +
        `${d} and to be smaller size than src ${fmtShape(src.shape)}`,
    );
  });
  checkIndexBounds(index, x.shape[d]!, 'scatterAdd', d);
  return applyOp(ScatterAddSpec, [x, src], { dim: d, index: viewOf(index, src.shape) });
}

function viewOf(index: T, shape: readonly number[]): T {
  return sameShape(index.shape, shape) ? index : kView(index, index.shape, index.strides, index.offset);
}

const GatherSpec: OpSpec<{ dim: number; index: T }> = {
  name: 'GatherBackward0',
  forward: ([x], { dim, index }) => {
    const be = x!.storage.backend;
    return makeOut(x!, be.gather(x!.strided, dim, index.strided, index.shape, x!.dtype), index.shape);
  },
  backward: (g, [x], _o, _n, { dim, index }) => [scatterAdd(kZeros(x!.shape, g.dtype, g), dim, index, g)],
};

function makeOut(like: T, buf: object, shape: readonly number[]): T {
  return fromBuf(like.storage.backend, buf, like.dtype, shape);
}

/**
 * `out[i][j] = x[index[i][j]][j]` for dim 0 (and likewise for other dims).
 * @example torch.gather(x, 1, idx)
 */
export function gather(x: T, dim: number, index: T): T {
  const d = normalizeDim(dim, x.shape.length);
  checkIndex(index, 'gather');
  check(
    index.shape.length === x.shape.length || (x.shape.length === 0 && index.shape.length <= 1),
    'gather(): Index tensor must have the same number of dimensions as input tensor',
  );
  index.shape.forEach((s: number, k: number) => {
    check(
      k === d || s <= x.shape[k]!,
      () =>
        `gather(): Size does not match at dimension ${k} expected index ${fmtShape(index.shape)} to be smaller than ` +
        `self ${fmtShape(x.shape)} apart from dimension ${d}`,
    );
  });
  checkIndexBounds(index, x.shape[d]!, 'gather', d);
  return applyOp(GatherSpec, [x], { dim: d, index });
}

const IndexSelectSpec: OpSpec<{ dim: number; index: T }> = {
  name: 'IndexSelectBackward0',
  forward: ([x], { dim, index }) => gatherAlong(x!, dim, index),
  // index_select's backward is index_add into zeros: a scatter-add with the index expanded over the other dims
  backward: (g, [x], _o, _n, { dim, index }) => [
    scatterAdd(kZeros(x!.shape, g.dtype, g), dim, expandIndex(index, g.shape, dim), g),
  ],
};

function expandIndex(index: T, shape: readonly number[], dim: number): T {
  const strides = shape.map((_, d) => (d === dim ? (index.strides[0] ?? 0) : 0));
  return kView(index, shape, strides, index.offset);
}

function gatherAlong(x: T, dim: number, index: T): T {
  const shape = x.shape.slice();
  shape[dim] = numel(index.shape);
  const be = x.storage.backend;
  return makeOut(x, be.gather(x.strided, dim, expandIndex(index, shape, dim).strided, shape, x.dtype), shape);
}

/**
 * Picks entries `index` (1-D int32) along `dim`.
 * @example torch.indexSelect(x, 0, torch.tensor([0, 2], { dtype: torch.int32 }))
 */
export function indexSelect(x: T, dim: number, index: T): T {
  checkIndex(index, 'indexSelect');
  check(index.shape.length <= 1, 'index_select(): Index is supposed to be a vector');
  const d = normalizeDim(dim, x.shape.length);
  checkIndexBounds(index, x.shape.length ? x.shape[d]! : 1, 'indexSelect', d);
  const idx = index.shape.length === 0 ? kView(index, [1], [0], index.offset) : index;
  return applyOp(IndexSelectSpec, [x], { dim: d, index: idx });
}

/**
 * Boolean mask check used by masked ops.
 * @example checkBoolMask(mask)
 */
export function checkBoolMask(mask: T): void {
  check(mask.dtype === bool, () => `expected a bool mask, but got ${mask.dtype}`);
}
