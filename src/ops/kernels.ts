/**
 * @file Kernel launchers: run one backend kernel on TensorImpls and wrap the result, with no autograd.
 * Op forwards are written with these; broadcasting and dtype casting for kernels happen here.
 */
import type { Backend, BinaryOp, ReduceOp, UnaryOp, Window2d } from '../backend/backend.js';
import { bool, castScalar, type DType, float64, int32 } from '../core/dtype.js';
import { broadcastShapes, broadcastStrides, numel, sameShape } from '../core/shape.js';
import { fromBuf, makeTensor, Storage, TensorImpl } from '../graph/tensor-impl.js';
import { check } from '../util/assert.js';

/**
 * A strided read of `x` as if it had `shape` (broadcast through zero strides).
 * @example broadcastRead(x, [2, 3])
 */
export function broadcastRead(x: TensorImpl, shape: readonly number[]) {
  if (sameShape(x.shape, shape)) return x.strided;
  const strides =
    x.shape.length === 0 ? zeroStrides(shape.length) : broadcastStrides(x.shape, x.strides, shape);
  return { buf: x.storage.buf, dtype: x.dtype, strides, offset: x.offset };
}

const ZERO_STRIDES: (readonly number[])[] = [];
/** A shared all-zero stride list (a scalar broadcast to any rank); never mutated. */
function zeroStrides(rank: number): readonly number[] {
  return (ZERO_STRIDES[rank] ??= Object.freeze(new Array<number>(rank).fill(0)));
}

/** True when converting `from` to `to` can change a value (so PyTorch casts before computing). */
function lossyCast(from: DType, to: DType): boolean {
  return from !== to && !(from === bool || (to === float64 && from !== float64));
}

/**
 * `x` converted to `dtype` (no copy when it already has it).
 * @example kCast(x, float64)
 */
export function kCast(x: TensorImpl, dtype: DType): TensorImpl {
  if (x.dtype === dtype) return x;
  if (x.wrappedNumber !== null) return scalarLike(x.wrappedNumber, x, dtype);
  const b = x.storage.backend;
  return fromBuf(b, b.unary('copy', x.strided, x.shape, dtype), dtype, x.shape);
}

/**
 * Elementwise unary kernel: the input is cast to `compute` first (when that could change values), the result
 * stored as `dtype`.
 * @example kUnary('exp', x) ; kUnary('isnan', x, bool, x.dtype)
 */
export function kUnary(
  op: UnaryOp,
  x: TensorImpl,
  dtype: DType = x.dtype,
  compute: DType = dtype,
): TensorImpl {
  if (lossyCast(x.dtype, compute)) x = kCast(x, compute);
  const b = x.storage.backend;
  return fromBuf(b, b.unary(op, x.strided, x.shape, dtype), dtype, x.shape);
}

/**
 * Elementwise binary kernel with broadcasting; operands are cast to `compute` first, the result stored as `out`.
 * @example kBinary('add', a, b, float32)
 */
export function kBinary(
  op: BinaryOp,
  a: TensorImpl,
  b: TensorImpl,
  compute: DType,
  out: DType = compute,
): TensorImpl {
  checkSameDevice(a, b);
  const shape =
    b.shape.length === 0 || sameShape(a.shape, b.shape)
      ? a.shape
      : a.shape.length === 0
        ? b.shape
        : broadcastShapes(a.shape, b.shape);
  if (lossyCast(a.dtype, compute)) a = kCast(a, compute);
  if (lossyCast(b.dtype, compute)) b = kCast(b, compute);
  const be = a.storage.backend;
  return fromBuf(be, be.binary(op, broadcastRead(a, shape), broadcastRead(b, shape), shape, out), out, shape);
}

/**
 * `cond ? a : b` elementwise with broadcasting.
 * @example kWhere(mask, a, b, float32)
 */
export function kWhere(cond: TensorImpl, a: TensorImpl, b: TensorImpl, dtype: DType): TensorImpl {
  checkSameDevice(cond, a);
  checkSameDevice(a, b);
  const shape = broadcastShapes(cond.shape, a.shape, b.shape);
  if (lossyCast(a.dtype, dtype)) a = kCast(a, dtype);
  if (lossyCast(b.dtype, dtype)) b = kCast(b, dtype);
  const be = a.storage.backend;
  const buf = be.where(
    broadcastRead(cond, shape),
    broadcastRead(a, shape),
    broadcastRead(b, shape),
    shape,
    dtype,
  );
  return fromBuf(be, buf, dtype, shape);
}

/**
 * softmax (with `log`, log-softmax) along `dim`, in `x`'s float dtype, one fused pass per row (Backend.softmax).
 * @example kSoftmax(logits, 1, true)
 */
export function kSoftmax(x: TensorImpl, dim: number, log: boolean): TensorImpl {
  const be = x.storage.backend;
  return fromBuf(be, be.softmax(x.strided, x.shape, dim, log, x.dtype), x.dtype, x.shape);
}

/**
 * Reduces `axes` away (the output has the remaining dims in order).
 * @example kReduce('sum', x, [1], float32)
 */
export function kReduce(op: ReduceOp, x: TensorImpl, axes: readonly number[], dtype: DType): TensorImpl {
  const be = x.storage.backend;
  const shape = x.shape.filter((_, d) => !axes.includes(d));
  return fromBuf(be, be.reduce(op, x.strided, x.shape, axes, dtype), dtype, shape);
}

/**
 * Batched matrix product of [B, m, k] and [B, k, n] (batch stride may be 0 for broadcasting): [B, m, n], or with
 * `sumBatch` the [m, n] sum over the batch (Backend.matmul).
 * @example kMatmul(a3, b3, float32)
 */
export function kMatmul(a: TensorImpl, b: TensorImpl, dtype: DType, sumBatch = false): TensorImpl {
  checkSameDevice(a, b);
  if (lossyCast(a.dtype, dtype)) a = kCast(a, dtype);
  if (lossyCast(b.dtype, dtype)) b = kCast(b, dtype);
  const [batch, m, k] = a.shape as [number, number, number];
  const n = b.shape[2]!;
  const be = a.storage.backend;
  const sa = { ...a.strided, strides: batch === 1 ? [0, a.strides[1]!, a.strides[2]!] : a.strides };
  const sb = { ...b.strided, strides: b.shape[0] === 1 ? [0, b.strides[1]!, b.strides[2]!] : b.strides };
  const nb = Math.max(batch, b.shape[0]!);
  const out = be.matmul(sa, sb, nb, m, k, n, dtype, sumBatch);
  return fromBuf(be, out, dtype, sumBatch ? [m, n] : [nb, m, n]);
}

/**
 * Hands the buffers of temporaries back to their backend now (where it can), so a loop reuses warm memory instead
 * of growing the heap until the next garbage collection. Only for fresh kernel results that nothing else can see.
 * @example const t = kMatmul(a, b, float32); const y = kBinary('add', t, bias, float32); kRelease(t);
 */
export function kRelease(...ts: TensorImpl[]): void {
  for (const t of ts) t.storage.backend.release?.(t.storage.buf);
}

/**
 * The windows of `x` [N, C, h, w] as a contiguous [N, C, kh, kw, oh, ow] tensor (zero outside the input).
 * @example kIm2col(x, windowGeometry(4, 4, [2, 2], [1, 1], [0, 0, 0, 0], [1, 1], false))
 */
export function kIm2col(x: TensorImpl, g: Window2d): TensorImpl {
  const be = x.storage.backend;
  const [n, c] = x.shape as [number, number];
  return fromBuf(be, be.im2col(x.strided, x.shape, g, x.dtype), x.dtype, [n, c, g.kh, g.kw, g.oh, g.ow]);
}

/**
 * Windows [N, C, kh, kw, oh, ow] summed back into a contiguous [N, C, h, w] image (im2col's adjoint).
 * @example kCol2im(cols, g)
 */
export function kCol2im(cols: TensorImpl, g: Window2d): TensorImpl {
  const be = cols.storage.backend;
  const [n, c] = cols.shape as [number, number];
  return fromBuf(be, be.col2im(cols.strided, cols.shape, g, cols.dtype), cols.dtype, [n, c, g.h, g.w]);
}

/**
 * Max pooling of [N, C, h, w]: values and int32 flat (h·w) indices, each [N, C, oh, ow].
 * @example const [values, indices] = kMaxPool2d(x, g);
 */
export function kMaxPool2d(x: TensorImpl, g: Window2d): [TensorImpl, TensorImpl] {
  const be = x.storage.backend;
  const shape = [x.shape[0]!, x.shape[1]!, g.oh, g.ow];
  const [v, i] = be.maxPool2d(x.strided, x.shape, g);
  return [fromBuf(be, v, x.dtype, shape), fromBuf(be, i, int32, shape)];
}

/**
 * Max pooling's backward: `grad` [N, C, oh, ow] added into zero [N, C, h, w] planes at `indices`.
 * @example kMaxPool2dBackward(gradOut, indices, g)
 */
export function kMaxPool2dBackward(grad: TensorImpl, indices: TensorImpl, g: Window2d): TensorImpl {
  checkSameDevice(grad, indices);
  const be = grad.storage.backend;
  const [n, c] = grad.shape as [number, number];
  const buf = be.maxPool2dBackward(grad.strided, indices.strided, grad.shape, g, grad.dtype);
  return fromBuf(be, buf, grad.dtype, [n, c, g.h, g.w]);
}

/**
 * Writes `src` (broadcast to `dst`'s shape, cast to its dtype) into `dst`'s storage through its strides.
 * @example kCopyInto(view, values)
 */
export function kCopyInto(dst: TensorImpl, src: TensorImpl, accumulate = false): void {
  checkSameDevice(dst, src);
  dst.storage.backend.copy(dst.strided, broadcastRead(src, dst.shape), dst.shape, accumulate);
}

/**
 * Fills `dst` through its strides.
 * @example kFill(t, 0)
 */
export function kFill(dst: TensorImpl, value: number): void {
  dst.storage.backend.fill(dst.strided, dst.shape, castScalar(value, dst.dtype));
}

/**
 * A contiguous copy of `x` (or `x` itself when `force` is false and it is already contiguous and dense).
 * @example kContiguous(x.transposed)
 */
export function kContiguous(x: TensorImpl, force = false): TensorImpl {
  if (!force && x.wholeStorage) return x;
  const be = x.storage.backend;
  return fromBuf(be, be.unary('copy', x.strided, x.shape, x.dtype), x.dtype, x.shape);
}

/**
 * A new zero-filled contiguous tensor on `like`'s device.
 * @example kZeros([2, 3], float32, x)
 */
export function kZeros(shape: readonly number[], dtype: DType, like: TensorImpl): TensorImpl {
  const be = like.storage.backend;
  return fromBuf(be, be.alloc(dtype, numel(shape)), dtype, shape);
}

/**
 * A new tensor of `shape` filled with `value`.
 * @example kFull([2], 1, float32, x)
 */
export function kFull(shape: readonly number[], value: number, dtype: DType, like: TensorImpl): TensorImpl {
  const t = kZeros(shape, dtype, like);
  if (value !== 0) kFill(t, value);
  return t;
}

/**
 * A 0-dim float64 tensor holding a JS number on `like`'s device, marked as a wrapped number: promotion treats
 * it as PyTorch treats a Python scalar, and kernels cast it to the compute dtype first.
 * @example scalarLike(2, x)
 */
export function scalarLike(value: number, like: TensorImpl | Backend, dtype: DType = float64): TensorImpl {
  const be = like instanceof TensorImpl ? like.storage.backend : like;
  let byDtype = scalarCache.get(be);
  if (!byDtype) scalarCache.set(be, (byDtype = new Map()));
  let cache = byDtype.get(dtype);
  if (!cache) byDtype.set(dtype, (cache = new Map()));
  // Map keys do not tell -0 from 0: -0 (x * -0.0 is -0 for positive x, as in PyTorch) gets its own key
  const key = Object.is(value, -0) ? '-0' : value;
  let t = cache.get(key);
  if (t === undefined) {
    // wrapped numbers are immutable, so one per (device, dtype, value) is shared; the cache stays small
    if (cache.size >= 1024) cache.clear();
    const data = new dtype.ArrayType(1);
    data[0] = castScalar(value, dtype);
    t = fromBuf(be, be.fromArray(dtype, data), dtype, []);
    t.wrappedNumber = value;
    cache.set(key, t);
  }
  return t;
}

const scalarCache = new WeakMap<Backend, Map<DType, Map<number | '-0', TensorImpl>>>();

/**
 * A view sharing `x`'s storage (no autograd; view ops add that).
 * @example kView(x, [6], [1], 0)
 */
export function kView(
  x: TensorImpl,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): TensorImpl {
  const v = makeTensor(x.storage, shape, strides, offset);
  v.inference = x.inference;
  return v;
}

/**
 * A fresh storage for `n` elements of `dtype` on `like`'s device.
 * @example newStorage(x, float32, 4)
 */
export function newStorage(like: TensorImpl, dtype: DType, n: number): Storage {
  const be = like.storage.backend;
  return new Storage(be, be.alloc(dtype, n), dtype, n);
}

function checkSameDevice(a: TensorImpl, b: TensorImpl): void {
  if (a.storage.backend === b.storage.backend) return;
  check(
    a.device === b.device,
    () =>
      `Expected all tensors to be on the same device, but found at least two devices, ${a.device} and ${b.device}! ` +
      `Move them with .to('${a.device}') first.`,
  );
}
