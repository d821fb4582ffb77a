/**
 * @file Loss primitives with PyTorch's node names and formulas: nll_loss (NllLossBackward0 / NllLoss2DBackward0),
 * mse_loss, binary_cross_entropy and binary_cross_entropy_with_logits. cross_entropy and l1_loss are composites
 * (functional.ts), as in PyTorch.
 */
import { float64, int32 } from '../core/dtype.js';
import { contiguousStrides, numel, sameShape } from '../core/shape.js';
import { fromBuf, type TensorImpl } from '../graph/tensor-impl.js';
import { applyOp, type OpSpec } from '../ops/define.js';
import { add, div, log, log1p, mul, neg, sigmoid, sub } from '../ops/elementwise.js';
import { kBinary, kCast, kContiguous, kReduce, kUnary, kView, kZeros, scalarLike } from '../ops/kernels.js';
import { expand, scatterAdd, squeeze, unsqueeze } from '../ops/movement.js';
import { check, fmtShape } from '../util/assert.js';

type T = TensorImpl;

/** How a loss reduces over elements: PyTorch's `reduction` argument. @example 'mean' */
export type Reduction = 'none' | 'mean' | 'sum';

/**
 * Checks a `reduction` argument.
 * @example checkReduction('mean')
 */
export function checkReduction(r: unknown): asserts r is Reduction {
  check(
    r === 'none' || r === 'mean' || r === 'sum',
    () => `${String(r)} is not a valid value for reduction: use 'none', 'mean' or 'sum'`,
  );
}

function kReduceAll(x: T, reduction: Reduction): T {
  if (reduction === 'none') return x;
  const s = kReduce(
    'sum',
    x,
    x.shape.map((_, i) => i),
    x.dtype,
  );
  return reduction === 'sum' ? s : kBinary('div', s, scalarLike(numel(x.shape), x), x.dtype);
}

/** Gradient of the reduction: `g` broadcast to `shape` (divided by the count for 'mean'). */
function unreduce(g: T, shape: readonly number[], reduction: Reduction): T {
  if (reduction === 'none') return g;
  const e = expand(g, shape);
  return reduction === 'mean' ? div(e, numel(shape)) : e;
}

function hostData(t: T): ArrayLike<number> {
  const be = t.storage.backend;
  check(
    be.readSync !== undefined,
    () => `this loss needs to read its target synchronously, which ${t.device} cannot do`,
  );
  const c = kContiguous(t);
  return be.readSync!(c.storage.buf, c.dtype).subarray(c.offset, c.offset + numel(c.shape));
}

function upload(
  data: Float64Array | Int32Array,
  shape: readonly number[],
  like: T,
  kind: 'float' | 'int',
): T {
  const be = like.storage.backend;
  const dtype = kind === 'int' ? int32 : like.dtype;
  return fromBuf(be, be.fromArray(dtype, new dtype.ArrayType(data)), dtype, shape);
}

// ---------------------------------------------------------------------------------------------------------------
// nll_loss

interface NllP {
  readonly idx: T; // [N, 1, d...] int32, ignored targets replaced by 0
  readonly wi: T; // [N, d...] per-element weights (0 where ignored)
  readonly totalWeight: number;
  readonly reduction: Reduction;
}

const nllSpec = (name: string): OpSpec<NllP> => ({
  name,
  forward: ([x], { idx, wi, totalWeight, reduction }) => {
    const be = x!.storage.backend;
    const picked = fromBuf(
      be,
      be.gather(x!.strided, 1, idx.strided, idx.shape, x!.dtype),
      x!.dtype,
      idx.shape,
    );
    const loss = kUnary('neg', kBinary('mul', kView1(picked, wi.shape), wi, x!.dtype));
    if (reduction === 'none') return loss;
    const s = kReduce(
      'sum',
      loss,
      loss.shape.map((_, i) => i),
      x!.dtype,
    );
    return reduction === 'sum' ? s : kBinary('div', s, scalarLike(totalWeight, x!), x!.dtype);
  },
  // −w_i·g at each target's position (divided by the total weight for 'mean'), zero elsewhere
  backward: (g, [x], _o, _n, { idx, wi, totalWeight, reduction }) => {
    let gi = mul(neg(reduction === 'none' ? g : expand(g, wi.shape)), wi);
    if (reduction === 'mean') gi = div(gi, totalWeight);
    return [scatterAdd(kZeros(x!.shape, g.dtype, g), 1, idx, unsqueeze(gi, 1))];
  },
});
const Nll = nllSpec('NllLossBackward0');
const Nll2d = nllSpec('NllLoss2DBackward0');

/** A fresh contiguous kernel output seen with another shape of the same size. */
function kView1(t: T, shape: readonly number[]): T {
  return kView(t, shape, contiguousStrides(shape), t.offset);
}

/** Options of nll_loss. @example { ignoreIndex: -100, reduction: 'mean' } */
export interface NllOptions {
  weight?: T | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/**
 * Negative log-likelihood of int32 class `target` under log-probabilities `input` ([N, C], [C] or [N, C, d...]).
 * @example nllLossOp(logp, target, { reduction: 'mean' })
 */
export function nllLossOp(input: T, target: T, o: NllOptions = {}): T {
  const reduction = o.reduction ?? 'mean';
  checkReduction(reduction);
  const ignore = o.ignoreIndex ?? -100;
  check(input.shape.length >= 1, 'nll_loss: input must have at least 1 dimension, got a 0-dim tensor');
  check(
    target.dtype === int32,
    () =>
      `nll_loss: expected target of dtype int32 (class indices), but got ${target.dtype}. Convert with .int(), or ` +
      'pass class probabilities (same shape as the input) to crossEntropy.',
  );
  const unbatched = input.shape.length === 1;
  const x = unbatched ? unsqueeze(input, 0) : input;
  const t = unbatched ? unsqueeze(target, 0) : target;
  const [n, c] = x.shape as [number, number];
  const expected = [n, ...x.shape.slice(2)];
  check(sameShape(t.shape, expected), () =>
    x.shape.length === 2
      ? `Expected input batch_size (${n}) to match target batch_size (${t.shape[0] ?? 1}): input ${fmtShape(input.shape)}, target ${fmtShape(target.shape)}.`
      : `nll_loss: expected target of size ${fmtShape(expected)}, got ${fmtShape(t.shape)}`,
  );
  const w = o.weight ?? null;
  check(
    w === null || (w.shape.length === 1 && w.shape[0] === c),
    () =>
      `weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${fmtShape(w!.shape)}`,
  );
  const ts = hostData(t);
  const ws = w ? hostData(kCast(w, float64)) : null;
  const m = ts.length;
  const idx = new Int32Array(m);
  const wi = new Float64Array(m);
  let total = 0;
  for (let i = 0; i < m; i++) {
    const k = ts[i]!;
    if (k === ignore) continue;
    check(
      k >= 0 && k < c,
      () => `Target ${k} is out of bounds (the input has ${c} classes: targets must be in [0, ${c - 1}]).`,
    );
    idx[i] = k;
    wi[i] = ws ? ws[k]! : 1;
    total += wi[i]!;
  }
  const idxShape = [n, 1, ...x.shape.slice(2)];
  const p: NllP = {
    idx: upload(idx, idxShape, x, 'int'),
    wi: upload(wi, expected, x, 'float'),
    totalWeight: w ? Math.fround(total) : total,
    reduction,
  };
  const out = applyOp(x.shape.length > 2 ? Nll2d : Nll, [x], p);
  return unbatched && reduction === 'none' ? squeeze(out, 0) : out;
}

// ---------------------------------------------------------------------------------------------------------------
// mse_loss

const MseSpec: OpSpec<Reduction> = {
  name: 'MseLossBackward0',
  forward: ([x, t], reduction) => {
    const d = kBinary('sub', x!, t!, x!.dtype);
    return kReduceAll(kBinary('mul', d, d, x!.dtype), reduction);
  },
  save: [0, 1],
  // d (x − t)² = 2(x − t)·(dx − dt)
  backward: (g, [x, t], _o, [needX, needT], reduction) => {
    const d = sub(x!, t!);
    const gx = mul(mul(unreduce(g, d.shape, reduction), d), 2);
    return [needX ? gx : null, needT ? neg(gx) : null];
  },
};

/**
 * Mean squared error (or its sum, or per element).
 * @example mseLossOp(pred, y, 'mean')
 */
export function mseLossOp(input: T, target: T, reduction: Reduction = 'mean'): T {
  checkReduction(reduction);
  warnSize(input, target, 'mse_loss');
  return applyOp(MseSpec, [input, target], reduction);
}

const warned = new Set<string>();
function warnSize(input: T, target: T, what: string): void {
  if (sameShape(input.shape, target.shape) || warned.has(what)) return;
  warned.add(what);
  console.warn(
    `UserWarning: Using a target size (${fmtShape(target.shape)}) that is different to the input size ` +
      `(${fmtShape(input.shape)}) in ${what}. This will likely lead to incorrect results due to broadcasting. ` +
      'Please ensure they have the same size.',
  );
}

// ---------------------------------------------------------------------------------------------------------------
// binary cross entropy

interface BceP {
  readonly weight: T | null;
  readonly reduction: Reduction;
}

const BceSpec: OpSpec<BceP> = {
  name: 'BinaryCrossEntropyBackward0',
  forward: ([x, t], { weight, reduction }) => {
    const dt = x!.dtype;
    const lo = scalarLike(-100, x!);
    const log1m = kBinary('maximum', kUnary('log1p', kUnary('neg', x!)), lo, dt);
    const logx = kBinary('maximum', kUnary('log', x!), lo, dt);
    // (t − 1)·max(log(1 − x), −100) − t·max(log x, −100), as PyTorch's CPU kernel
    let loss = kBinary(
      'sub',
      kBinary('mul', kBinary('sub', t!, scalarLike(1, x!), dt), log1m, dt),
      kBinary('mul', t!, logx, dt),
      dt,
    );
    if (weight) loss = kBinary('mul', loss, weight, dt);
    return kReduceAll(loss, reduction);
  },
  save: [0, 1],
  backward: (g, [x, t], _o, [needX, needT], { weight, reduction }) => {
    let gg = unreduce(g, x!.shape, reduction);
    if (weight) gg = mul(gg, weight);
    // dx: (x − t)/max(x(1 − x), 1e-12); dt: log(1 − x) − log x
    const gx = needX ? div(mul(gg, sub(x!, t!)), clampMin(mul(sub(1, x!), x!), 1e-12)) : null;
    const gt = needT ? mul(gg, sub(log1p(neg(x!)), log(x!))) : null;
    return [gx, gt];
  },
};

function clampMin(x: T, v: number): T {
  return applyOp(ClampMinConst, [x], v);
}
const ClampMinConst: OpSpec<number> = {
  name: 'ClampMinBackward0',
  forward: ([x], v) => kBinary('maximum', x!, scalarLike(v, x!), x!.dtype),
  save: [0],
  backward: (g, [x], _o, _n, v) => [mul(g, kBinary('ge', x!, scalarLike(v, x!), x!.dtype))],
};

function checkUnit(t: T, what: string): void {
  const d = hostData(t);
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    check(
      v >= 0 && v <= 1,
      () =>
        `all elements of ${what} should be between 0 and 1 (found ${v}); apply sigmoid first, or use binaryCrossEntropyWithLogits`,
    );
  }
}

/**
 * Binary cross entropy between probabilities `input` and `target` (same shape).
 * @example binaryCrossEntropyOp(p, y, null, 'mean')
 */
export function binaryCrossEntropyOp(
  input: T,
  target: T,
  weight: T | null,
  reduction: Reduction = 'mean',
): T {
  checkReduction(reduction);
  check(
    sameShape(input.shape, target.shape),
    () =>
      `Using a target size (${fmtShape(target.shape)}) that is different to the input size (${fmtShape(input.shape)}) ` +
      'is deprecated. Please ensure they have the same size.',
  );
  checkUnit(input, 'input');
  checkUnit(target, 'target');
  return applyOp(BceSpec, [input, target], {
    weight: weight ? expandTo(weight, input.shape) : null,
    reduction,
  });
}

function expandTo(w: T, shape: readonly number[]): T {
  return sameShape(w.shape, shape) ? w : expand(w, shape);
}

interface BceLogitsP extends BceP {
  readonly posWeight: T | null;
}

const BceLogitsSpec: OpSpec<BceLogitsP> = {
  name: 'BinaryCrossEntropyWithLogitsBackward0',
  forward: ([x, t], { weight, posWeight, reduction }) => {
    const dt = x!.dtype;
    const one = scalarLike(1, x!);
    const maxVal = kBinary('maximum', kUnary('neg', x!), scalarLike(0, x!), dt);
    // log(e^(−m) + e^(−x−m)) + m = log(1 + e^(−x)) computed stably
    const lse = kUnary(
      'log',
      kBinary(
        'add',
        kUnary('exp', kUnary('neg', maxVal)),
        kUnary('exp', kBinary('sub', kUnary('neg', x!), maxVal, dt)),
        dt,
      ),
    );
    const oneMinusT = kBinary('sub', one, t!, dt);
    let loss: T;
    if (posWeight) {
      const logWeight = kBinary('add', kBinary('mul', kBinary('sub', posWeight, one, dt), t!, dt), one, dt);
      loss = kBinary(
        'add',
        kBinary('mul', oneMinusT, x!, dt),
        kBinary('mul', logWeight, kBinary('add', lse, maxVal, dt), dt),
        dt,
      );
    } else loss = kBinary('add', kBinary('add', kBinary('mul', oneMinusT, x!, dt), maxVal, dt), lse, dt);
    if (weight) loss = kBinary('mul', loss, weight, dt);
    return kReduceAll(loss, reduction);
  },
  save: [0, 1],
  backward: (g, [x, t], _o, [needX, needT], { weight, posWeight, reduction }) => {
    let gg = unreduce(g, x!.shape, reduction);
    if (weight) gg = mul(gg, weight);
    const s = sigmoid(x!);
    let gx: T | null = null;
    if (needX) {
      // dx = σ(x)·(1 + (pw − 1)·t) − pw·t  (σ(x) − t without pos_weight)
      if (posWeight) {
        const pt = mul(posWeight, t!);
        gx = mul(sub(mul(sub(add(pt, 1), t!), s), pt), gg);
      } else gx = mul(sub(s, t!), gg);
    }
    let gt: T | null = null;
    if (needT) gt = posWeight ? mul(sub(log(sub(1, s)), mul(posWeight, log(s))), gg) : mul(neg(x!), gg);
    return [gx, gt];
  },
};

/**
 * Binary cross entropy on logits (sigmoid folded in, stable), with optional `posWeight` per class.
 * @example binaryCrossEntropyWithLogitsOp(logits, y, null, null, 'mean')
 */
export function binaryCrossEntropyWithLogitsOp(
  input: T,
  target: T,
  weight: T | null,
  posWeight: T | null,
  reduction: Reduction = 'mean',
): T {
  checkReduction(reduction);
  check(
    sameShape(input.shape, target.shape),
    () => `Target size (${fmtShape(target.shape)}) must be the same as input size (${fmtShape(input.shape)})`,
  );
  return applyOp(BceLogitsSpec, [input, target], {
    weight: weight ? expandTo(weight, input.shape) : null,
    posWeight: posWeight ? expandTo(posWeight, input.shape) : null,
    reduction,
  });
}
