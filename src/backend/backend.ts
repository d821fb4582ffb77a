/**
 * @file The backend boundary: a small set of kernels over untyped buffers, knowing nothing of autograd.
 * Ops compose these primitives; a device (CPU, WebAssembly, WebGPU) implements each of them once.
 */
import type { DType, TypedArray } from '../core/dtype.js';

/** An opaque buffer owned by one backend (a typed array on the CPU, a slot in wasm memory, a GPUBuffer). @example const b: Buf = backend.alloc(float32, 4); */
export type Buf = object;

/**
 * A strided read (or write) of a buffer: element `i` of a view with shape `s` lives at
 * `offset + sum(index[d] * strides[d])`. Broadcast dimensions have stride 0.
 * @example const x: Strided = { buf, dtype: float32, strides: [3, 1], offset: 0 };
 */
export interface Strided {
  readonly buf: Buf;
  readonly dtype: DType;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Elementwise one-input kernels. @example backend.unary('exp', x, [2], float32) */
export type UnaryOp =
  | 'copy'
  | 'neg'
  | 'abs'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'sign'
  | 'square'
  | 'reciprocal'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'trunc'
  | 'erf'
  | 'log1p'
  | 'expm1'
  | 'not'
  | 'isnan';

/** Elementwise two-input kernels (comparisons write 0/1). @example backend.binary('add', a, b, [2, 3], float32) */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'and'
  | 'or'
  | 'atan2'
  // fused gradients (PyTorch's tanh_backward, sigmoid_backward, threshold_backward at 0): (grad, output) -> grad·f'
  | 'tanhBackward'
  | 'sigmoidBackward'
  | 'reluBackward';

/**
 * Where a kh×kw window (stride, dilation) sits over an h×w plane padded by `pt` rows above and `pl` columns to the
 * left inside a `hp`×`wp` frame (which also covers ceil-mode windows). Output is `oh`×`ow` windows.
 * @example const g: Window2d = windowGeometry(8, 8, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1], false); // oh = ow = 8
 */
export interface Window2d {
  readonly h: number;
  readonly w: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly pt: number;
  readonly pl: number;
  readonly hp: number;
  readonly wp: number;
  readonly oh: number;
  readonly ow: number;
}

/** Reductions over a set of axes. @example backend.reduce('sum', x, [2, 3], [1], float32) */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin' | 'any' | 'all';

/**
 * What every device implements. All outputs are new contiguous buffers unless the method says it writes
 * into `dst`. Inputs are read through their strides, so views and broadcasts never need copies.
 * @example const out = getBackend('cpu').binary('mul', a, b, [2], float32);
 */
export interface Backend {
  /** Device name, e.g. `'cpu'`. */
  readonly device: string;
  /** A new zero-filled buffer of `n` elements. */
  alloc(dtype: DType, n: number): Buf;
  /** A buffer holding a copy of `data` (whose element type must be `dtype`'s). */
  fromArray(dtype: DType, data: TypedArray): Buf;
  /** The contents as a typed array; on the CPU this may be the buffer itself (do not mutate). Absent where reads must be async. */
  readSync?(buf: Buf, dtype: DType): TypedArray;
  /**
   * Takes back a buffer that nothing will read again (the backward engine's dead temporaries) for reuse by later
   * allocations while it is still in cache. Optional: without it buffers are simply left to the garbage collector.
   */
  release?(buf: Buf): void;
  /** The contents as a new typed array. */
  read(buf: Buf, dtype: DType): Promise<TypedArray>;
  /** `out[i] = op(x[i])`, computed and stored in `out` dtype. */
  unary(op: UnaryOp, x: Strided, shape: readonly number[], out: DType): Buf;
  /** `out[i] = op(a[i], b[i])` over `shape` (inputs already broadcast through strides). */
  binary(op: BinaryOp, a: Strided, b: Strided, shape: readonly number[], out: DType): Buf;
  /** `out[i] = cond[i] ? a[i] : b[i]`. */
  where(cond: Strided, a: Strided, b: Strided, shape: readonly number[], out: DType): Buf;
  /** Reduces `axes` of `shape` away; the output is contiguous over the remaining axes in order. argmax/argmin reduce one axis. */
  reduce(op: ReduceOp, x: Strided, shape: readonly number[], axes: readonly number[], out: DType): Buf;
  /**
   * Batched matrix product: `a` is read as [batch, m, k], `b` as [batch, k, n] (3 strides each); the output is
   * [batch, m, n], or with `sumBatch` the [m, n] sum of the batch's products (a batch-reduce GEMM: a convolution's
   * weight gradient sums one product per image, with no copy to gather them into one).
   */
  matmul(
    a: Strided,
    b: Strided,
    batch: number,
    m: number,
    k: number,
    n: number,
    out: DType,
    sumBatch?: boolean,
  ): Buf;
  /** `out[...i, j, k...] = x[...i, index[...i, j, k...], k...]` along `dim`; `index` (int32) has the output's shape. */
  gather(x: Strided, dim: number, index: Strided, shape: readonly number[], out: DType): Buf;
  /** A zero buffer of `outShape` with `out[..., index[i], ...] += src[i]` along `dim`; `index` and `src` have `shape`. */
  scatterAdd(
    outShape: readonly number[],
    dim: number,
    index: Strided,
    src: Strided,
    shape: readonly number[],
    out: DType,
  ): Buf;
  /** Sorts along `dim` (the last axis of a contiguous view is fastest); returns values and int32 indices. Stable; NaN sorts as largest. */
  sort(x: Strided, shape: readonly number[], dim: number, descending: boolean): [Buf, Buf];
  /** Inclusive scan (`'sum'` or `'prod'`) along `dim`. */
  cumulative(op: 'sum' | 'prod', x: Strided, shape: readonly number[], dim: number, out: DType): Buf;
  /** Writes `src` into the strided destination `dst` (casting to `dst.dtype`); with `accumulate`, adds instead, in index order. */
  copy(dst: Strided, src: Strided, shape: readonly number[], accumulate?: boolean): void;
  /** Writes `value` into every element of the strided destination. */
  fill(dst: Strided, shape: readonly number[], value: number): void;
  /**
   * `dst += alpha·x` in place (same dtype), each element computed in float64 and rounded once to the dtype: for
   * float32 an exact fused multiply-add, as PyTorch's vectorised `add_(x, alpha=)`. The optimizers' update.
   */
  axpy(dst: Strided, x: Strided, alpha: number, shape: readonly number[]): void;
  /** The windows of `x` [N, C, h, w] as [N, C, kh, kw, oh, ow] (zero where a window overhangs the input). */
  im2col(x: Strided, shape: readonly number[], g: Window2d, out: DType): Buf;
  /** The adjoint of im2col: `cols` [N, C, kh, kw, oh, ow] summed into [N, C, h, w] in that index order. */
  col2im(cols: Strided, shape: readonly number[], g: Window2d, out: DType): Buf;
  /**
   * Max pooling of `x` [N, C, h, w]: the values [N, C, oh, ow] and the int32 flat (row·w + col) index of each pick.
   * As PyTorch: the first maximum wins ties, a NaN wins (the last NaN), windows see only in-bounds elements.
   */
  maxPool2d(x: Strided, shape: readonly number[], g: Window2d): [Buf, Buf];
  /** maxPool2d's backward: zero [N, C, h, w] planes with `grad[n, c, i]` added at `indices[n, c, i]`; `shape` is the grad's [N, C, oh, ow]. */
  maxPool2dBackward(grad: Strided, indices: Strided, shape: readonly number[], g: Window2d, out: DType): Buf;
  /**
   * softmax along `dim` of `shape` (with `log`, log-softmax), contiguous in a float `out` dtype, as one pass per row
   * instead of five ops and their temporaries. Rounded as that composition is: z = x − max, e = exp z, s = Σ e (in
   * float64), then e / s, or z − log s. A NaN in a row makes the row NaN; a 0-dim tensor is a row of one.
   */
  softmax(x: Strided, shape: readonly number[], dim: number, log: boolean, out: DType): Buf;
}
