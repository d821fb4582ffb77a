/**
 * @file torch.* functions over Tensors: typed one-liners onto the ops (methods live on Tensor itself).
 */

import type { DType } from '../core/dtype.js';
import type { TensorImpl } from '../graph/tensor-impl.js';
import { logSoftmax as logSoftmaxOp, softmax as softmaxOp } from '../ops/activation.js';
import * as ew from '../ops/elementwise.js';
import * as lin from '../ops/matmul.js';
import * as mov from '../ops/movement.js';
import { resultTypeOf } from '../ops/operands.js';
import * as red from '../ops/reduce.js';
import * as sortOps from '../ops/sort.js';
import type { Tensor, TensorOrNumber, ValuesIndices } from './tensor.js';

type N = TensorOrNumber;
const T = (t: TensorImpl): Tensor => t as Tensor;

/** `a + alpha·b`, broadcasting. @example torch.add(x, 1) */
export const add = (a: N, b: N, opts?: { alpha?: number }): Tensor => T(ew.add(a, b, opts));
/** `a − alpha·b`, broadcasting. @example torch.sub(1, x) */
export const sub = (a: N, b: N, opts?: { alpha?: number }): Tensor => T(ew.sub(a, b, opts));
/** Elementwise product. @example torch.mul(w, x) */
export const mul = (a: N, b: N): Tensor => T(ew.mul(a, b));
/** Elementwise true division. @example torch.div(x, 2) */
export const div = (a: N, b: N): Tensor => T(ew.div(a, b));
/** Elementwise power. @example torch.pow(x, 2) */
export const pow = (a: N, b: N): Tensor => T(ew.pow(a, b));
/** Elementwise maximum. @example torch.maximum(a, b) */
export const maximum = (a: N, b: N): Tensor => T(ew.maximum(a, b));
/** Elementwise minimum. @example torch.minimum(a, b) */
export const minimum = (a: N, b: N): Tensor => T(ew.minimum(a, b));
/** −x. @example torch.neg(x) */
export const neg = (x: Tensor): Tensor => T(ew.neg(x));
/** |x|. @example torch.abs(x) */
export const abs = (x: Tensor): Tensor => T(ew.abs(x));
/** eˣ. @example torch.exp(x) */
export const exp = (x: Tensor): Tensor => T(ew.exp(x));
/** ln x. @example torch.log(x) */
export const log = (x: Tensor): Tensor => T(ew.log(x));
/** √x. @example torch.sqrt(x) */
export const sqrt = (x: Tensor): Tensor => T(ew.sqrt(x));
/** 1/√x. @example torch.rsqrt(x) */
export const rsqrt = (x: Tensor): Tensor => T(ew.rsqrt(x));
/** sin x. @example torch.sin(x) */
export const sin = (x: Tensor): Tensor => T(ew.sin(x));
/** cos x. @example torch.cos(x) */
export const cos = (x: Tensor): Tensor => T(ew.cos(x));
/** tanh x. @example torch.tanh(x) */
export const tanh = (x: Tensor): Tensor => T(ew.tanh(x));
/** Logistic sigmoid. @example torch.sigmoid(x) */
export const sigmoid = (x: Tensor): Tensor => T(ew.sigmoid(x));
/** max(x, 0). @example torch.relu(x) */
export const relu = (x: Tensor): Tensor => T(ew.relu(x));
/** Sign. @example torch.sign(x) */
export const sign = (x: Tensor): Tensor => T(ew.sign(x));
/** x². @example torch.square(x) */
export const square = (x: Tensor): Tensor => T(ew.square(x));
/** 1/x. @example torch.reciprocal(x) */
export const reciprocal = (x: Tensor): Tensor => T(ew.reciprocal(x));
/** Rounds down. @example torch.floor(x) */
export const floor = (x: Tensor): Tensor => T(ew.floor(x));
/** Rounds up. @example torch.ceil(x) */
export const ceil = (x: Tensor): Tensor => T(ew.ceil(x));
/** Rounds half to even. @example torch.round(x) */
export const round = (x: Tensor): Tensor => T(ew.round(x));
/** Rounds toward zero. @example torch.trunc(x) */
export const trunc = (x: Tensor): Tensor => T(ew.trunc(x));
/** Error function. @example torch.erf(x) */
export const erf = (x: Tensor): Tensor => T(ew.erf(x));
/** ln(1 + x). @example torch.log1p(x) */
export const log1p = (x: Tensor): Tensor => T(ew.log1p(x));
/** eˣ − 1. @example torch.expm1(x) */
export const expm1 = (x: Tensor): Tensor => T(ew.expm1(x));
/** Limits to [min, max]. @example torch.clamp(x, 0, 1) */
export const clamp = (x: Tensor, min?: N | null | ew.ClampBounds, max?: N | null): Tensor =>
  T(ew.clamp(x, min, max));
/** Alias of clamp. @example torch.clip(x, 0, 1) */
export const clip = clamp;
/** `cond ? a : b`. @example torch.where(x.gt(0), x, 0) */
export const where = (condition: Tensor, a: N, b: N): Tensor => T(ew.where(condition, a, b));
/** `==` (bool). @example torch.eq(a, b) */
export const eq = (a: N, b: N): Tensor => T(ew.eq(a, b));
/** `!=` (bool). @example torch.ne(a, b) */
export const ne = (a: N, b: N): Tensor => T(ew.ne(a, b));
/** `<` (bool). @example torch.lt(a, b) */
export const lt = (a: N, b: N): Tensor => T(ew.lt(a, b));
/** `<=` (bool). @example torch.le(a, b) */
export const le = (a: N, b: N): Tensor => T(ew.le(a, b));
/** `>` (bool). @example torch.gt(a, b) */
export const gt = (a: N, b: N): Tensor => T(ew.gt(a, b));
/** `>=` (bool). @example torch.ge(a, b) */
export const ge = (a: N, b: N): Tensor => T(ew.ge(a, b));
/** Logical not. @example torch.logicalNot(m) */
export const logicalNot = (x: Tensor): Tensor => T(ew.logicalNot(x));
/** Logical and. @example torch.logicalAnd(a, b) */
export const logicalAnd = (a: N, b: N): Tensor => T(ew.logicalAnd(a, b));
/** Logical or. @example torch.logicalOr(a, b) */
export const logicalOr = (a: N, b: N): Tensor => T(ew.logicalOr(a, b));
/** True where NaN. @example torch.isnan(x) */
export const isnan = (x: Tensor): Tensor => T(ew.isnan(x));

/** Sum. @example torch.sum(x, 1) */
export const sum = (x: Tensor, dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor =>
  T(red.sum(x, dim, opts));
/** Mean. @example torch.mean(x) */
export const mean = (x: Tensor, dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor =>
  T(red.mean(x, dim, opts));
/** Product. @example torch.prod(x) */
export const prod = (x: Tensor, dim?: number | red.ReduceOptions | null, opts?: red.ReduceOptions): Tensor =>
  T(red.prod(x, dim, opts));
/** Largest element, or `{ values, indices }` along dim, or elementwise maximum of two tensors. @example torch.max(x, 1) */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim?: number | Tensor, opts?: { keepdim?: boolean }): Tensor | ValuesIndices {
  return dim === undefined ? x.max() : typeof dim === 'number' ? x.max(dim, opts) : x.max(dim);
}
/** Smallest element, or `{ values, indices }` along dim, or elementwise minimum. @example torch.min(x, 0) */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim?: number | Tensor, opts?: { keepdim?: boolean }): Tensor | ValuesIndices {
  return dim === undefined ? x.min() : typeof dim === 'number' ? x.min(dim, opts) : x.min(dim);
}
/** Max over dims. @example torch.amax(x, 1) */
export const amax = (x: Tensor, dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor =>
  T(red.amax(x, dim, opts));
/** Min over dims. @example torch.amin(x, 1) */
export const amin = (x: Tensor, dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor =>
  T(red.amin(x, dim, opts));
/** Index of the max (int32). @example torch.argmax(x, 1) */
export const argmax = (
  x: Tensor,
  dim?: number | null | red.ReduceOptions,
  opts?: red.ReduceOptions,
): Tensor => T(red.argmax(x, dim, opts));
/** Index of the min (int32). @example torch.argmin(x) */
export const argmin = (
  x: Tensor,
  dim?: number | null | red.ReduceOptions,
  opts?: red.ReduceOptions,
): Tensor => T(red.argmin(x, dim, opts));
/** Variance (unbiased by default). @example torch.var(x) */
export const var_ = (x: Tensor, dim?: red.Dims | red.VarOptions, opts?: red.VarOptions): Tensor =>
  T(red.var_(x, dim, opts));
/** Standard deviation (unbiased by default). @example torch.std(x) */
export const std = (x: Tensor, dim?: red.Dims | red.VarOptions, opts?: red.VarOptions): Tensor =>
  T(red.std(x, dim, opts));
/** log Σ exp. @example torch.logsumexp(x, 1) */
export const logsumexp = (x: Tensor, dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor =>
  T(red.logsumexp(x, dim, opts));
/** Vector p-norm. @example torch.norm(x) */
export const norm = (
  x: Tensor,
  p: number | 'fro' = 2,
  dim?: red.Dims,
  opts?: { keepdim?: boolean },
): Tensor => T(red.norm(x, p, dim, opts));
/** Any non-zero. @example torch.any(m) */
export const any = (x: Tensor, dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor =>
  T(red.any(x, dim, opts));
/** All non-zero. @example torch.all(m) */
export const all = (x: Tensor, dim?: red.Dims | red.ReduceOptions, opts?: red.ReduceOptions): Tensor =>
  T(red.all(x, dim, opts));
/** Running sum. @example torch.cumsum(x, 0) */
export const cumsum = (x: Tensor, dim: number): Tensor => T(red.cumsum(x, dim));
/** Sorted values and indices along dim. @example torch.sort(x, 1) */
export const sort = (x: Tensor, dim = -1, opts?: { descending?: boolean; stable?: boolean }): ValuesIndices =>
  sortOps.sort(x, dim, opts) as ValuesIndices;
/** Indices that sort along dim. @example torch.argsort(x) */
export const argsort = (x: Tensor, dim = -1, opts?: { descending?: boolean; stable?: boolean }): Tensor =>
  T(sortOps.argsort(x, dim, opts));
/** The k largest entries along dim. @example torch.topk(x, 2) */
export const topk = (
  x: Tensor,
  k: number,
  dim = -1,
  opts?: { largest?: boolean; sorted?: boolean },
): ValuesIndices => sortOps.topk(x, k, dim, opts) as ValuesIndices;
/** Softmax. @example torch.softmax(x, 1) */
export const softmax = (x: Tensor, dim: number): Tensor => T(softmaxOp(x, dim));
/** log-softmax. @example torch.logSoftmax(x, 1) */
export const logSoftmax = (x: Tensor, dim: number): Tensor => T(logSoftmaxOp(x, dim));

/** Matrix product with rank rules. @example torch.matmul(a, b) */
export const matmul = (a: Tensor, b: Tensor): Tensor => T(lin.matmul(a, b));
/** 2-D product. @example torch.mm(a, b) */
export const mm = (a: Tensor, b: Tensor): Tensor => T(lin.mm(a, b));
/** Batched product. @example torch.bmm(a, b) */
export const bmm = (a: Tensor, b: Tensor): Tensor => T(lin.bmm(a, b));
/** Inner product. @example torch.dot(a, b) */
export const dot = (a: Tensor, b: Tensor): Tensor => T(lin.dot(a, b));
/** Matrix-vector product. @example torch.mv(A, v) */
export const mv = (a: Tensor, v: Tensor): Tensor => T(lin.mv(a, v));
/** Matrix transpose. @example torch.t(w) */
export const t = (x: Tensor): Tensor => T(mov.t(x));

/** Reshape (view when possible). @example torch.reshape(x, [2, 3]) */
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => T(mov.reshape(x, shape));
/** Flatten dims. @example torch.flatten(x, 1) */
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor => T(mov.flatten(x, startDim, endDim));
/** Insert a size-1 dim. @example torch.unsqueeze(x, 1) */
export const unsqueeze = (x: Tensor, dim: number): Tensor => T(mov.unsqueeze(x, dim));
/** Remove size-1 dims. @example torch.squeeze(x) */
export const squeeze = (x: Tensor, dim?: number | readonly number[]): Tensor => T(mov.squeeze(x, dim));
/** Swap two dims. @example torch.transpose(x, 0, 1) */
export const transpose = (x: Tensor, dim0: number, dim1: number): Tensor => T(mov.transpose(x, dim0, dim1));
/** Reorder dims. @example torch.permute(x, [1, 0]) */
export const permute = (x: Tensor, dims: readonly number[]): Tensor => T(mov.permute(x, dims));
/** Narrow a dim. @example torch.narrow(x, 0, 1, 2) */
export const narrow = (x: Tensor, dim: number, start: number, length: number): Tensor =>
  T(mov.narrow(x, dim, start, length));
/** Select an index. @example torch.select(x, 0, 1) */
export const select = (x: Tensor, dim: number, index: number): Tensor => T(mov.select(x, dim, index));
/** Entries at `index` along dim. @example torch.indexSelect(x, 0, idx) */
export const indexSelect = (x: Tensor, dim: number, index: Tensor): Tensor =>
  T(mov.indexSelect(x, dim, index));
/** Gather along dim. @example torch.gather(x, 1, idx) */
export const gather = (x: Tensor, dim: number, index: Tensor): Tensor => T(mov.gather(x, dim, index));
/** Out-of-place scatter-add. @example torch.scatterAdd(z, 0, idx, src) */
export const scatterAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor =>
  T(mov.scatterAdd(x, dim, index, src));
/** Split into chunks. @example torch.chunk(x, 2) */
export const chunk = (x: Tensor, chunks: number, dim = 0): Tensor[] => mov.chunk(x, chunks, dim) as Tensor[];
/** Split by size(s). @example torch.split(x, 2) */
export const split = (x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] =>
  mov.split(x, splitSize, dim) as Tensor[];
/** Slices along dim. @example torch.unbind(x) */
export const unbind = (x: Tensor, dim = 0): Tensor[] => mov.unbind(x, dim) as Tensor[];
/** Concatenate. @example torch.cat([a, b], 0) */
export const cat = (tensors: readonly Tensor[], dim = 0): Tensor => T(mov.cat(tensors, dim));
/** Alias of cat. @example torch.concat([a, b]) */
export const concat = cat;
/** Stack along a new dim. @example torch.stack([a, b]) */
export const stack = (tensors: readonly Tensor[], dim = 0): Tensor => T(mov.stack(tensors, dim));
/** Tile. @example torch.tile(x, [2, 1]) */
export const tile = (x: Tensor, reps: readonly number[]): Tensor =>
  T(mov.repeat(x, [...new Array<number>(Math.max(0, x.dim() - reps.length)).fill(1), ...reps]));
/** Copy that records. @example torch.clone(x) */
export const clone = (x: Tensor): Tensor => T(mov.clone(x));

/**
 * The dtype an arithmetic op on `a` and `b` gives (torch.result_type): JS numbers promote like Python scalars,
 * integer-valued numbers as ints and others as floats.
 * @example torch.resultType(torch.tensor([1], { dtype: torch.int32 }), 2.5) // torch.float32
 */
export const resultType = (a: N, b: N): DType => resultTypeOf([a, b]);

/** `input + value·t1·t2`. @example torch.addcmul(p, a, b, { value: 0.5 }) */
export const addcmul = (input: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor =>
  input.addcmul(t1, t2, opts);
/** `input + value·t1/t2`. @example torch.addcdiv(p, m, v, { value: -0.1 }) */
export const addcdiv = (input: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor =>
  input.addcdiv(t1, t2, opts);
/** `input + weight·(end − input)`. @example torch.lerp(a, b, 0.25) */
export const lerp = (input: Tensor, end: Tensor, weight: number): Tensor => input.lerp(end, weight);
