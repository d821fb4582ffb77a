/**
 * @file Reductions (sum, mean, prod, max/min, amax/amin, argmax/argmin, var/std, logsumexp, norm, any/all,
 * cumsum) and sumTo, the one place broadcast gradients are summed back to an input's shape.
 */
import { bool, type DType, float32, int32 } from '../core/dtype.js';
import { contiguousStrides, normalizeDim, normalizeDims, numel, sameShape } from '../core/shape.js';
import { fromBuf, type TensorImpl } from '../graph/tensor-impl.js';
import { check, checkType, fmtShape } from '../util/assert.js';
import { applyMultiOp, applyOp, type MultiOpSpec, type OpSpec } from './define.js';
import {
  abs,
  add,
  div,
  eq,
  exp,
  isnan,
  logicalAnd,
  logicalOr,
  mul,
  pow,
  sign,
  sub,
  where,
} from './elementwise.js';
import { kBinary, kCast, kFill, kFull, kReduce, kUnary, kView, kWhere, kZeros } from './kernels.js';
import { expand, permute, reshape, scatterAdd, setSumDims, unsqueeze } from './movement.js';

type T = TensorImpl;

/** Dims to reduce: a dim, a list of dims, or all when omitted. @example const d: Dims = [0, 1]; */
export type Dims = number | readonly number[] | null | undefined;

/** Options of a reduction. @example { keepdim: true } */
export interface ReduceOptions {
  keepdim?: boolean;
  dtype?: DType;
}

interface Reduced {
  readonly dims: readonly number[];
  readonly keepdim: boolean;
  /** No dim given (PyTorch's overload without dim, e.g. SumBackward0); an empty dim list reduces all dims too. */
  readonly all: boolean;
}

function parse(x: T, dim: Dims | ReduceOptions, opts: ReduceOptions | undefined): [Reduced, ReduceOptions] {
  if (dim !== null && typeof dim === 'object' && !Array.isArray(dim))
    return parse(x, undefined, dim as ReduceOptions);
  const o = opts ?? {};
  const all = dim === undefined || dim === null;
  const empty = Array.isArray(dim) && dim.length === 0;
  const dims = normalizeDims(all || empty ? undefined : (dim as number | readonly number[]), x.shape.length);
  return [{ dims: x.shape.length === 0 ? [] : dims, keepdim: o.keepdim ?? false, all }, o];
}

/** Shape of the reduced tensor. */
function reducedShape(shape: readonly number[], r: Reduced): number[] {
  return r.keepdim
    ? shape.map((s, d) => (r.dims.includes(d) ? 1 : s))
    : shape.filter((_, d) => !r.dims.includes(d));
}

function kReduceTo(
  op: 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin' | 'any' | 'all',
  x: T,
  r: Reduced,
  dtype: DType,
): T {
  const out = kReduce(op, x, r.dims, dtype);
  return r.keepdim
    ? kView(out, reducedShape(x.shape, r), contiguousStrides(reducedShape(x.shape, r)), 0)
    : out;
}

/** Brings a reduced gradient (or result) back to the input's rank by unsqueezing the reduced dims. */
function unreduce(g: T, inputShape: readonly number[], r: Reduced): T {
  if (r.keepdim || inputShape.length === g.shape.length) return g;
  let out = g;
  for (const d of [...r.dims].sort((a, b) => a - b)) out = unsqueeze(out, d);
  return out;
}

/** Gradient of a sum: the output gradient broadcast over the reduced dims. */
function expandBack(g: T, inputShape: readonly number[], r: Reduced): T {
  return expand(unreduce(g, inputShape, r), inputShape);
}

function count(shape: readonly number[], r: Reduced): number {
  return numel(r.dims.map((d) => shape[d]!));
}

// ---------------------------------------------------------------------------------------------------------------
// sum / mean / prod

const sumSpec = (name: string): OpSpec<Reduced & { dtype: DType }> => ({
  name,
  forward: ([x], p) => kReduceTo('sum', kCast(x!, p.dtype), p, p.dtype),
  backward: (g, [x], _o, _n, p) => [expandBack(g, x!.shape, p)],
});
const Sum0 = sumSpec('SumBackward0');
const Sum1 = sumSpec('SumBackward1');

/**
 * Sum of all elements, or over `dim` (optionally keeping it as size 1).
 * @example x.sum() ; x.sum(1, { keepdim: true })
 */
export function sum(x: T, dim?: Dims | ReduceOptions, opts?: ReduceOptions): T {
  const [r, o] = parse(x, dim, opts);
  const dtype = o.dtype ?? (x.dtype.isFloatingPoint ? x.dtype : int32);
  return applyOp(r.all ? Sum0 : Sum1, [x], { ...r, dtype });
}

const meanSpec = (name: string): OpSpec<Reduced & { dtype: DType }> => ({
  name,
  forward: ([x], p) => {
    const s = kReduceTo('sum', kCast(x!, p.dtype), p, p.dtype);
    return kBinary('div', s, scalarOf(count(x!.shape, p), s), p.dtype);
  },
  backward: (g, [x], _o, _n, p) => [div(expandBack(g, x!.shape, p), count(x!.shape, p))],
});
const Mean0 = meanSpec('MeanBackward0');
const Mean1 = meanSpec('MeanBackward1');

/** A 0-dim tensor of `like`'s (floating) dtype holding `v`. */
function scalarOf(v: number, like: T): T {
  return kFull([], v, like.dtype.isFloatingPoint ? like.dtype : float32, like);
}

/**
 * Mean of all elements, or over `dim` (floating-point tensors only, as in PyTorch).
 * @example x.mean() ; x.mean(0)
 */
export function mean(x: T, dim?: Dims | ReduceOptions, opts?: ReduceOptions): T {
  const [r, o] = parse(x, dim, opts);
  const dtype = o.dtype ?? x.dtype;
  check(
    dtype.isFloatingPoint,
    () =>
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. ` +
      `Got: ${dtype.name === 'int32' ? 'Int' : 'Bool'}. Convert with .float() first.`,
  );
  return applyOp(r.all ? Mean0 : Mean1, [x], { ...r, dtype });
}

const prodSpec = (name: string): OpSpec<Reduced & { dtype: DType }> => ({
  name,
  forward: ([x], p) => kReduceTo('prod', kCast(x!, p.dtype), p, p.dtype),
  save: [0],
  saveOutput: true,
  // d Πx = Π_{j≠i} x_j · dx_i: result/x when no x is 0, else the product of the others, multiplied out
  backward: (g, [x], out, _n, p) => {
    const gx = expandBack(g, x!.shape, p);
    if (hasZero(x!)) return [mul(gx, productOfOthers(x!, p))];
    return [mul(gx, div(expandBack(out, x!.shape, p), x!))];
  },
});
const Prod0 = prodSpec('ProdBackward0');
const Prod1 = prodSpec('ProdBackward1');

function hasZero(x: T): boolean {
  const any = kReduce(
    'any',
    kBinary('eq', x, kFull([], 0, x.dtype, x), x.dtype, bool),
    [...x.shape.keys()],
    bool,
  );
  const be = any.storage.backend;
  return be.readSync !== undefined && be.readSync(any.storage.buf, bool)[any.offset] === 1;
}

/**
 * Π_{j≠i} x_j over the reduced dims, with differentiable ops (so double backward works through zeros): the reduced
 * dims are moved last and flattened to n, each slice is repeated n times with the diagonal set to 1, and multiplied
 * out. Takes O(n²) memory per slice, so it only runs when x has zeros (elsewhere result/x is exact enough).
 */
function productOfOthers(x: T, r: Reduced): T {
  const kept = x.shape.map((_, d) => d).filter((d) => !r.dims.includes(d));
  const order = [...kept, ...r.dims];
  const keptShape = kept.map((d) => x.shape[d]!);
  const n = numel(r.dims.map((d) => x.shape[d]!));
  const flat = reshape(permute(x, order), [...keptShape, n]);
  const eye = kZeros([n, n], bool, x);
  kFill(kView(eye, [n], [n + 1], 0), 1);
  const rows = expand(unsqueeze(flat, -2), [...keptShape, n, n]);
  const others = prod(where(eye, 1, rows), -1);
  const inverse = order.map((_, i) => order.indexOf(i));
  return permute(
    reshape(
      others,
      order.map((d) => x.shape[d]!),
    ),
    inverse,
  );
}

/**
 * Product of all elements, or over one `dim`.
 * @example x.prod() ; x.prod(1)
 */
export function prod(x: T, dim?: number | ReduceOptions | null, opts?: ReduceOptions): T {
  const [r, o] = parse(x, dim, opts);
  const dtype = o.dtype ?? (x.dtype.isFloatingPoint ? x.dtype : int32);
  return applyOp(r.all ? Prod0 : Prod1, [x], { ...r, dtype });
}

// ---------------------------------------------------------------------------------------------------------------
// max / min / amax / amin / argmax / argmin

function checkNonEmpty(x: T, what: string, r: Reduced): void {
  if (r.all) {
    check(
      numel(x.shape) > 0,
      () =>
        `${what}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with ` +
        `the 'dim' argument (input shape ${fmtShape(x.shape)}).`,
    );
    return;
  }
  for (const d of r.dims)
    check(
      x.shape[d] !== 0,
      () =>
        `${what}(): Expected reduction dim ${d} to have non-zero size. The input has shape ${fmtShape(x.shape)}: ` +
        'reduce over a dim of non-zero size.',
    );
}

/** Spreads the gradient evenly over the positions equal to the result (ties share), as PyTorch's amax/max do. */
function evenlyDistribute(g: T, x: T, out: T, r: Reduced): T {
  const outx = unreduce(out, x.shape, r);
  const mask = logicalOr(eq(x, outx), logicalAnd(isnan(x), isnan(outx)));
  const counts = sum(mask, r.dims.length ? r.dims : null, { keepdim: true, dtype: g.dtype });
  return where(mask, div(unreduce(g, x.shape, r), counts), 0);
}

/**
 * PyTorch's scale_grad_by_count (amax/amin): g/count on the positions equal to the result. Unlike max(), NaN is not
 * matched, so a slice whose result is NaN gets NaN gradients everywhere (0/0), as in PyTorch.
 */
function scaleGradByCount(g: T, x: T, out: T, r: Reduced): T {
  const mask = eq(x, unreduce(out, x.shape, r));
  const counts = sum(mask, r.dims.length ? r.dims : null, { keepdim: true, dtype: g.dtype });
  return mul(div(unreduce(g, x.shape, r), counts), mask);
}

const extremeSpec = (name: string, op: 'max' | 'min', grad: typeof evenlyDistribute): OpSpec<Reduced> => ({
  name,
  forward: ([x], p) => kReduceTo(op, x!, p, x!.dtype),
  save: [0],
  saveOutput: true,
  backward: (g, [x], out, _n, p) => [grad(g, x!, out, p)],
});
const Max1 = extremeSpec('MaxBackward1', 'max', evenlyDistribute);
const Min1 = extremeSpec('MinBackward1', 'min', evenlyDistribute);
const Amax = extremeSpec('AmaxBackward0', 'max', scaleGradByCount);
const Amin = extremeSpec('AminBackward0', 'min', scaleGradByCount);

const indexedSpec = (name: string, op: 'max' | 'min'): MultiOpSpec<Reduced> => ({
  name,
  forward: ([x], p) => [
    kReduceTo(op, x!, p, x!.dtype),
    kReduceTo(op === 'max' ? 'argmax' : 'argmin', x!, p, int32),
  ],
  saveOutput: true,
  // the gradient goes to the selected index: scattered into zeros of the input's shape
  backward: ([g], [x], [, indices], _n, p) => {
    if (x!.shape.length === 0) return [g!]; // a 0-dim input is its own max
    const gx = unreduce(g!, x!.shape, p);
    const ix = unreduce(indices!, x!.shape, p);
    return [scatterAdd(kZeros(x!.shape, gx.dtype, gx), p.dims[0]!, ix, gx)];
  },
});
const Max0 = indexedSpec('MaxBackward0', 'max');
const Min0 = indexedSpec('MinBackward0', 'min');

/** Values and indices of a reduction along one dim (PyTorch's named tuple). @example const { values, indices } = x.max(1); */
export interface ValuesIndices<V = T> {
  values: V;
  indices: V;
}

function extreme(
  op: 'max' | 'min',
  x: T,
  dim: number | undefined | ReduceOptions,
  opts?: ReduceOptions,
): T | ValuesIndices {
  if (dim === undefined || (typeof dim === 'object' && dim !== null)) {
    const r: Reduced = { dims: x.shape.map((_, i) => i), keepdim: false, all: true };
    checkNonEmpty(x, op, r);
    return applyOp(op === 'max' ? Max1 : Min1, [x], r);
  }
  checkType(typeof dim === 'number', `${op}(): dim must be a number`);
  const r: Reduced = {
    dims: [normalizeDim(dim, x.shape.length)].filter(() => x.shape.length > 0),
    keepdim: opts?.keepdim ?? false,
    all: false,
  };
  checkNonEmpty(x, op, r);
  const [values, indices] = applyMultiOp(op === 'max' ? Max0 : Min0, [x], r);
  return { values: values!, indices: indices! };
}

/**
 * Largest element, or `{ values, indices }` along `dim`.
 * @example x.max() ; const { values, indices } = x.max(1);
 */
export function max(x: T): T;
export function max(x: T, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function max(x: T, dim?: number, opts?: ReduceOptions): T | ValuesIndices {
  return extreme('max', x, dim, opts);
}

/**
 * Smallest element, or `{ values, indices }` along `dim`.
 * @example x.min() ; x.min(0).indices
 */
export function min(x: T): T;
export function min(x: T, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function min(x: T, dim?: number, opts?: ReduceOptions): T | ValuesIndices {
  return extreme('min', x, dim, opts);
}

/**
 * Maximum over dims (all when omitted); ties share the gradient.
 * @example x.amax(1)
 */
export function amax(x: T, dim?: Dims | ReduceOptions, opts?: ReduceOptions): T {
  const [r] = parse(x, dim, opts);
  checkNonEmpty(x, 'amax', r);
  return applyOp(Amax, [x], r);
}

/**
 * Minimum over dims (all when omitted); ties share the gradient.
 * @example x.amin(1)
 */
export function amin(x: T, dim?: Dims | ReduceOptions, opts?: ReduceOptions): T {
  const [r] = parse(x, dim, opts);
  checkNonEmpty(x, 'amin', r);
  return applyOp(Amin, [x], r);
}

function argExtreme(
  op: 'argmax' | 'argmin',
  x: T,
  dim: number | null | undefined | ReduceOptions,
  opts?: ReduceOptions,
): T {
  if (dim === undefined || dim === null || typeof dim === 'object') {
    const keepdim = (typeof dim === 'object' && dim ? dim.keepdim : opts?.keepdim) ?? false;
    const flat = reshape(x, [-1]);
    checkNonEmpty(flat, op, { dims: [0], keepdim: false, all: true });
    const out = kReduce(op, flat, [0], int32);
    return keepdim
      ? reshape(
          out,
          x.shape.map(() => 1),
        )
      : out;
  }
  const r: Reduced = {
    dims: x.shape.length ? [normalizeDim(dim, x.shape.length)] : [],
    keepdim: opts?.keepdim ?? false,
    all: false,
  };
  checkNonEmpty(x, op, r);
  return kReduceTo(op, x, r, int32);
}

/**
 * Index of the largest element (of the flattened tensor, or along `dim`), as int32.
 * @example x.argmax() ; x.argmax(1)
 */
export function argmax(x: T, dim?: number | null | ReduceOptions, opts?: ReduceOptions): T {
  return argExtreme('argmax', x, dim, opts);
}

/**
 * Index of the smallest element (of the flattened tensor, or along `dim`), as int32.
 * @example x.argmin(0)
 */
export function argmin(x: T, dim?: number | null | ReduceOptions, opts?: ReduceOptions): T {
  return argExtreme('argmin', x, dim, opts);
}

// ---------------------------------------------------------------------------------------------------------------
// var / std / logsumexp / norm

/** Options of var/std: `correction` (default 1, Bessel's) or `unbiased`, and `keepdim`. @example { correction: 0 } */
export interface VarOptions {
  keepdim?: boolean;
  correction?: number;
  unbiased?: boolean;
}

type VarP = Reduced & { correction: number };

function varForward(x: T, p: VarP): T {
  const n = count(x.shape, p);
  const dtype = x.dtype;
  const keep = { ...p, keepdim: true };
  const m = kBinary('div', kReduceTo('sum', x, keep, dtype), scalarOf(n, x), dtype);
  const d = kBinary('sub', x, m, dtype);
  const ss = kReduceTo('sum', kBinary('mul', d, d, dtype), p, dtype);
  return kBinary('div', ss, scalarOf(Math.max(0, n - p.correction), x), dtype);
}

/** d var = 2(x − mean)/(N − correction)·dvar */
function varBackward(g: T, x: T, p: VarP): T {
  const n = count(x.shape, p);
  return mul(
    mul(unreduce(g, x.shape, p), 2 / (n - p.correction)),
    sub(x, mean(x, p.dims.length ? p.dims : null, { keepdim: true })),
  );
}

const VarSpec: OpSpec<VarP> = {
  name: 'VarBackward0',
  forward: ([x], p) => varForward(x!, p),
  save: [0],
  backward: (g, [x], _o, _n, p) => [varBackward(g, x!, p)],
};

const StdSpec: OpSpec<VarP> = {
  name: 'StdBackward0',
  forward: ([x], p) => kUnary('sqrt', varForward(x!, p)),
  save: [0],
  saveOutput: true,
  // d std = d var / (2·std), zero where std = 0
  backward: (g, [x], out, _n, p) => [varBackward(where(eq(out, 0), 0, div(g, mul(out, 2))), x!, p)],
};

function varParams(x: T, dim: Dims | VarOptions, opts: VarOptions | undefined, what: string): VarP {
  if (dim !== null && typeof dim === 'object' && !Array.isArray(dim))
    return varParams(x, undefined, dim as VarOptions, what);
  check(
    x.dtype.isFloatingPoint,
    () =>
      `std and var only support floating point and complex dtypes (${what}() got ${x.dtype}). Convert with .float() first.`,
  );
  const o = opts ?? {};
  const [r] = parse(x, dim as Dims, { keepdim: o.keepdim ?? false });
  return { ...r, correction: o.correction ?? (o.unbiased === false ? 0 : 1) };
}

/**
 * Variance with Bessel's correction by default (`{ correction: 0 }` or `{ unbiased: false }` for the population variance).
 * @example x.var() ; x.var(1, { keepdim: true })
 */
export function var_(x: T, dim?: Dims | VarOptions, opts?: VarOptions): T {
  return applyOp(VarSpec, [x], varParams(x, dim, opts, 'var'));
}

/**
 * Standard deviation (the square root of `var`).
 * @example x.std()
 */
export function std(x: T, dim?: Dims | VarOptions, opts?: VarOptions): T {
  return applyOp(StdSpec, [x], varParams(x, dim, opts, 'std'));
}

const LogsumexpSpec: OpSpec<Reduced> = {
  name: 'LogsumexpBackward0',
  forward: ([x], p) => {
    // log Σ exp(x − m) + m with m = max, for stability (m = 0 where the max is ±inf)
    const dtype = x!.dtype;
    const keep = { ...p, keepdim: true };
    let m = kReduceTo('max', x!, keep, dtype);
    m = kWhere(kUnary('isnan', kBinary('sub', m, m, dtype), bool, dtype), kFull([], 0, dtype, m), m, dtype);
    const s = kReduceTo('sum', kUnary('exp', kBinary('sub', x!, m, dtype)), p, dtype);
    return kBinary('add', kUnary('log', s), p.keepdim ? m : kReduceTo('sum', m, p, dtype), dtype);
  },
  save: [0],
  saveOutput: true,
  backward: (g, [x], out, _n, p) => [mul(unreduce(g, x!.shape, p), exp(sub(x!, unreduce(out, x!.shape, p))))],
};

/**
 * log(Σ exp(x)) over dims, computed stably.
 * @example x.logsumexp(1)
 */
export function logsumexp(x: T, dim?: Dims | ReduceOptions, opts?: ReduceOptions): T {
  const [r] = parse(x, dim, opts);
  const xf = x.dtype.isFloatingPoint ? x : kUnary('copy', x, float32);
  return applyOp(LogsumexpSpec, [xf], r);
}

const NormSpec: OpSpec<Reduced & { p: number }> = {
  name: 'LinalgVectorNormBackward0',
  forward: ([x], r) => {
    const dtype = x!.dtype;
    const a = kUnary('abs', x!);
    if (r.p === Number.POSITIVE_INFINITY) return kReduceTo('max', a, r, dtype);
    if (r.p === Number.NEGATIVE_INFINITY) return kReduceTo('min', a, r, dtype);
    if (r.p === 0) return kReduceTo('sum', kBinary('ne', a, scalarOf(0, x!), dtype, dtype), r, dtype);
    if (r.p === 1) return kReduceTo('sum', a, r, dtype);
    if (r.p === 2) return kUnary('sqrt', kReduceTo('sum', kBinary('mul', a, a, dtype), r, dtype));
    const s = kReduceTo('sum', kBinary('pow', a, scalarOf(r.p, x!), dtype), r, dtype);
    return kBinary('pow', s, scalarOf(1 / r.p, x!), dtype);
  },
  save: [0],
  saveOutput: true,
  // PyTorch's norm_backward, case by case (zeros of x and a zero norm give zero gradients, never NaN)
  backward: (g, [x], out, _n, r) => {
    const p = r.p;
    if (p === 0) return [null]; // piecewise constant: no gradient, as in PyTorch
    const gx = unreduce(g, x!.shape, r);
    const nx = unreduce(out, x!.shape, r);
    if (p === 1) return [mul(sign(x!), gx)];
    if (p === 2) return [mul(gx, where(eq(nx, 0), 0, div(x!, nx)))];
    if (!Number.isFinite(p)) {
      // the gradient of amax/amin(|x|), shared by ties (and NaNs)
      const ax = abs(x!);
      const mask = logicalOr(eq(ax, nx), isnan(ax));
      const counts = sum(mask, r.dims.length ? r.dims : null, { keepdim: true, dtype: g.dtype });
      return [mul(sign(x!), mul(div(gx, counts), mask))];
    }
    // d‖x‖ₚ = sign(x)·|x|^(p−1)·‖x‖^(1−p)·dx
    if (p < 1) return [mul(mul(where(eq(x!, 0), 0, mul(sign(x!), pow(abs(x!), p - 1))), gx), pow(nx, 1 - p))];
    const scaled = p < 2 ? mul(sign(x!), pow(abs(x!), p - 1)) : mul(x!, pow(abs(x!), p - 2));
    return [mul(scaled, where(eq(nx, 0), 0, div(gx, pow(nx, p - 1))))];
  },
};

/**
 * Vector p-norm over dims (all by default; p = 2 by default, also 1, Infinity, -Infinity, 0 and any other p).
 * @example x.norm() ; x.norm(1, 0)
 */
export function norm(x: T, p: number | 'fro' = 2, dim?: Dims, opts?: { keepdim?: boolean }): T {
  const pv = p === 'fro' ? 2 : p;
  check(
    x.dtype.isFloatingPoint,
    () => `linalg.vector_norm: Expected a floating point tensor as input. Got ${x.dtype}`,
  );
  const [r] = parse(x, dim, { keepdim: opts?.keepdim ?? false });
  return applyOp(NormSpec, [x], { ...r, p: pv });
}

// ---------------------------------------------------------------------------------------------------------------
// any / all / cumsum

/**
 * True if any element (along dims) is non-zero.
 * @example x.gt(0).any()
 */
export function any(x: T, dim?: Dims | ReduceOptions, opts?: ReduceOptions): T {
  const [r] = parse(x, dim, opts);
  return kReduceTo('any', x, r, bool);
}

/**
 * True if all elements (along dims) are non-zero.
 * @example x.gt(0).all()
 */
export function all(x: T, dim?: Dims | ReduceOptions, opts?: ReduceOptions): T {
  const [r] = parse(x, dim, opts);
  return kReduceTo('all', x, r, bool);
}

const CumsumSpec: OpSpec<number> = {
  name: 'CumsumBackward0',
  forward: ([x], dim) => {
    const be = x!.storage.backend;
    const dtype = x!.dtype.isFloatingPoint ? x!.dtype : int32;
    const v = x!.shape.length === 0 ? kView(x!, [1], [0], x!.offset) : x!; // a 0-dim tensor scans as [1]
    return fromBuf(be, be.cumulative('sum', v.strided, v.shape, dim, dtype), dtype, x!.shape);
  },
  // reverse cumulative sum of the gradient: Σ_{j≥i} g_j = Σ g − cumsum(g) + g
  backward: (g, _x, _o, _n, dim) => [sub(add(sum(g, dim, { keepdim: true }), g), cumsum(g, dim))],
};

/**
 * Running sum along `dim`.
 * @example x.cumsum(0)
 */
export function cumsum(x: T, dim: number): T {
  return applyOp(CumsumSpec, [x], normalizeDim(dim, x.shape.length));
}

// ---------------------------------------------------------------------------------------------------------------
// sumTo: the engine's unbroadcast

/**
 * Sums `g` down to `shape` over the dims broadcasting added (leading dims, and size-1 dims that were expanded).
 * The engine calls this for every gradient whose shape differs from its input's: the one place unbroadcasting happens.
 * @example sumTo(g, [3]) // g of shape [2, 3] -> [3]
 */
export function sumTo(g: T, shape: readonly number[]): T {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  check(lead >= 0, () => `sumTo: cannot reduce shape ${fmtShape(g.shape)} to ${fmtShape(shape)}`);
  const dims: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) dims.push(i);
  }
  const s = dims.length ? sum(g, dims, { keepdim: true }) : g;
  return lead > 0 || !sameShape(s.shape, shape) ? reshape(s, shape) : s;
}

setSumDims((x, dims) => sum(x, dims));
