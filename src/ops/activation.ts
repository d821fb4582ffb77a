/**
 * @file softmax and logSoftmax: primitives (not composites) for numerical stability and PyTorch's node names.
 */
import { bool } from '../core/dtype.js';
import { contiguousStrides, normalizeDim } from '../core/shape.js';
import type { TensorImpl } from '../graph/tensor-impl.js';
import { check } from '../util/assert.js';
import { applyOp, type OpSpec } from './define.js';
import { exp, mul, sub } from './elementwise.js';
import { kBinary, kContiguous, kReduce, kSoftmax, kUnary, kView } from './kernels.js';
import { sum } from './reduce.js';

type T = TensorImpl;

/** max over `dim`, kept as size 1 (NaN-free shift for stable exponentials). */
function kMaxKeep(x: T, dim: number): T {
  const m = kReduce('max', x, [dim], x.dtype);
  const shape = x.shape.map((s, d) => (d === dim ? 1 : s));
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }
  return kView(m, shape, strides, 0);
}

function shifted(x: T, dim: number): T {
  if (x.shape.length === 0) return kBinary('sub', x, x, x.dtype);
  return kBinary('sub', x, kMaxKeep(x, dim), x.dtype);
}

function sumKeep(x: T, dim: number): T {
  if (x.shape.length === 0) return x;
  return kView(
    kReduce('sum', x, [dim], x.dtype),
    x.shape.map((s, d) => (d === dim ? 1 : s)),
    contiguousStrides(x.shape.map((s, d) => (d === dim ? 1 : s))),
    0,
  );
}

/** Over the last dim (class scores, attention rows) the rows are one contiguous run each: one fused kernel. */
const fused = (x: T, dim: number): boolean => x.shape.length === 0 || dim === x.shape.length - 1;

const SoftmaxSpec: OpSpec<number> = {
  name: 'SoftmaxBackward0',
  forward: ([x], dim) => {
    if (fused(x!, dim)) return kSoftmax(kContiguous(x!), dim, false);
    const e = kUnary('exp', shifted(x!, dim));
    return kBinary('div', e, sumKeep(e, dim), x!.dtype);
  },
  saveOutput: true,
  // d softmax = s ⊙ (g − Σ g⊙s)
  backward: (g, _x, s, _n, dim) => [mul(s, sub(g, sum(mul(g, s), dim, { keepdim: true })))],
};

const LogSoftmaxSpec: OpSpec<number> = {
  name: 'LogSoftmaxBackward0',
  forward: ([x], dim) => {
    if (fused(x!, dim)) return kSoftmax(kContiguous(x!), dim, true);
    const z = shifted(x!, dim);
    return kBinary('sub', z, kUnary('log', sumKeep(kUnary('exp', z), dim)), x!.dtype);
  },
  saveOutput: true,
  // d log_softmax = g − exp(out)·Σ g
  backward: (g, _x, out, _n, dim) => [sub(g, mul(exp(out), sum(g, dim, { keepdim: true })))],
};

function checkFloat(x: T, what: string): T {
  check(
    x.dtype.isFloatingPoint,
    () =>
      `${what}(): not implemented for '${x.dtype === bool ? 'Bool' : 'Int'}' tensors, as in PyTorch. Convert with ` +
      '.float() first.',
  );
  return x;
}

/**
 * Softmax along `dim`: exp(x) / Σ exp(x), computed stably.
 * @example torch.softmax(x, 1)
 */
export function softmax(x: T, dim: number): T {
  return applyOp(SoftmaxSpec, [checkFloat(x, 'softmax')], normalizeDim(dim, x.shape.length));
}

/**
 * log(softmax(x)) along `dim`, computed stably.
 * @example torch.logSoftmax(x, 1)
 */
export function logSoftmax(x: T, dim: number): T {
  return applyOp(LogSoftmaxSpec, [checkFloat(x, 'logSoftmax')], normalizeDim(dim, x.shape.length));
}
