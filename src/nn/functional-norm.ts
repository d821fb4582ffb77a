/**
 * @file Normalisation primitives: batch norm (NativeBatchNormBackward0, updating running statistics as PyTorch's
 * native_batch_norm does) and layer norm (NativeLayerNormBackward0). Backwards recompute the statistics in
 * differentiable ops, so second derivatives are right too.
 */

import { contiguousStrides, numel } from '../core/shape.js';
import type { Grad } from '../graph/node.js';
import type { TensorImpl } from '../graph/tensor-impl.js';
import { applyMultiOp, applyOp, type MultiOpSpec, type OpSpec } from '../ops/define.js';
import { add, mul, rsqrt, sub } from '../ops/elementwise.js';
import { kBinary, kContiguous, kCopyInto, kReduce, kUnary, kView, scalarLike } from '../ops/kernels.js';
import { reshape } from '../ops/movement.js';
import { mean, sum } from '../ops/reduce.js';
import { check, fmtShape } from '../util/assert.js';

type T = TensorImpl;

/** `v` ([C] or the normalized shape) as a view broadcastable against x. */
function viewAs(v: T, shape: readonly number[]): T {
  return kView(
    v,
    shape,
    shape.map((s) => (s === 1 ? 0 : v.strides[0]!)),
    v.offset,
  );
}

/** `x` reduced over `dims` to the mean, kept broadcastable (kernels only). */
function kMeanKeep(x: T, dims: readonly number[], keepShape: readonly number[]): T {
  const n = numel(dims.map((d) => x.shape[d]!));
  const s = kReduce('sum', x, dims, x.dtype);
  const m = kBinary('div', s, scalarLike(n, x), x.dtype);
  return kView(m, keepShape, contiguousStrides(keepShape), 0);
}

/**
 * Gradients of y = x̂·w + b with x̂ = (x − mean)/√(var + ε) over `dims`, in differentiable ops:
 * dx = (ĝ − mean ĝ − x̂·mean(ĝ·x̂))/√(var + ε) with ĝ = g·w; dw = Σ g·x̂; db = Σ g (over `affineDims`).
 */
function normBackward(
  g: T,
  x: T,
  w: T | null,
  dims: readonly number[],
  affineDims: readonly number[],
  affineShape: readonly number[],
  eps: number,
  needs: readonly [boolean, boolean, boolean],
): [Grad, Grad, Grad] {
  const mu = mean(x, dims, { keepdim: true });
  const xc = sub(x, mu);
  const inv = rsqrt(add(mean(mul(xc, xc), dims, { keepdim: true }), eps));
  const xhat = mul(xc, inv);
  let gx: Grad = null;
  if (needs[0]) {
    const gh = w ? mul(g, w) : g;
    const a = mean(gh, dims, { keepdim: true });
    const b = mean(mul(gh, xhat), dims, { keepdim: true });
    gx = mul(sub(sub(gh, a), mul(xhat, b)), inv);
  }
  const gw = needs[1] ? reshape(sum(mul(g, xhat), affineDims), affineShape) : null;
  const gb = needs[2] ? reshape(sum(g, affineDims), affineShape) : null;
  return [gx, gw, gb];
}

// ---------------------------------------------------------------------------------------------------------------
// batch norm

interface BnP {
  readonly training: boolean;
  readonly eps: number;
  readonly momentum: number;
  readonly runningMean: T | null;
  readonly runningVar: T | null;
  readonly hasW: boolean;
  readonly hasB: boolean;
}

function bnDims(x: T): [number[], number[]] {
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const keep = x.shape.map((s, i) => (i === 1 ? s : 1));
  return [dims, keep];
}

const BatchNormSpec: MultiOpSpec<BnP> = {
  name: 'NativeBatchNormBackward0',
  forward: (inputs, p) => {
    const x = inputs[0]!;
    const w = p.hasW ? inputs[1]! : null;
    const b = p.hasB ? inputs[p.hasW ? 2 : 1]! : null;
    const [dims, keep] = bnDims(x);
    const dt = x.dtype;
    let mu: T;
    let invstd: T;
    if (p.training) {
      mu = kMeanKeep(x, dims, keep);
      const xc = kBinary('sub', x, mu, dt);
      const v = kMeanKeep(kBinary('mul', xc, xc, dt), dims, keep);
      invstd = kUnary('rsqrt', kBinary('add', v, scalarLike(p.eps, x), dt));
      if (p.runningMean && p.runningVar) {
        const m = numel(dims.map((d) => x.shape[d]!));
        const flat = (t: T): T => kView(t, [x.shape[1]!], [1], t.offset);
        const unbiased = kBinary('mul', flat(v), scalarLike(m / (m - 1), x), dt);
        updateRunning(p.runningMean, flat(mu), p.momentum);
        updateRunning(p.runningVar, unbiased, p.momentum);
      }
    } else {
      mu = viewAs(p.runningMean!, keep);
      invstd = kUnary('rsqrt', kBinary('add', viewAs(p.runningVar!, keep), scalarLike(p.eps, x), dt));
    }
    let y = kBinary('mul', kBinary('sub', x, mu, dt), invstd, dt);
    if (w) y = kBinary('mul', y, viewAs(w, keep), dt);
    if (b) y = kBinary('add', y, viewAs(b, keep), dt);
    const c = x.shape[1]!;
    const flat = (t: T): T => kContiguous(kView(t, [c], [t.strides[1]!], t.offset), true);
    return [y, flat(mu), flat(invstd)];
  },
  save: (needs) => (needs.length > 1 ? [0, 1] : [0]), // x and the weight, if any
  saveOutput: true,
  backward: ([g], inputs, [, mu, invstd], needs, p) => {
    const x = inputs[0]!;
    const [dims, keep] = bnDims(x);
    const w = p.hasW ? reshape(inputs[1]!, keep) : null;
    const c = x.shape[1]!;
    const wantW = p.hasW && needs[1]!;
    const wantB = p.hasB && needs[p.hasW ? 2 : 1]!;
    let res: [Grad, Grad, Grad];
    if (p.training) res = normBackward(g!, x, w, dims, dims, [c], p.eps, [needs[0]!, wantW, wantB]);
    else {
      // eval: mean and 1/√(var + ε) are constants
      const inv = reshape(invstd!, keep);
      const xhat = mul(sub(x, reshape(mu!, keep)), inv);
      res = [
        needs[0] ? mul(w ? mul(g!, w) : g!, inv) : null,
        wantW ? sum(mul(g!, xhat), dims) : null,
        wantB ? sum(g!, dims) : null,
      ];
    }
    const out: Grad[] = [res[0]];
    if (p.hasW) out.push(res[1]);
    if (p.hasB) out.push(res[2]);
    return out;
  },
};

/** running ← (1 − momentum)·running + momentum·value, in place (as PyTorch: momentum·value + (1 − momentum)·running). */
function updateRunning(running: T, value: T, momentum: number): void {
  const dt = running.dtype;
  const next = kBinary(
    'add',
    kBinary('mul', value, scalarLike(momentum, running), dt),
    kBinary('mul', running, scalarLike(1 - momentum, running), dt),
    dt,
  );
  kCopyInto(running, next);
  running.storage.version++;
}

/** Options of the batch-norm primitive. @example { training: true, momentum: 0.1, eps: 1e-5 } */
export interface BatchNormOpOptions {
  weight: T | null;
  bias: T | null;
  runningMean: T | null;
  runningVar: T | null;
  training: boolean;
  momentum: number;
  eps: number;
}

/**
 * Batch normalisation over dim 1 of [N, C, ...]; in training, normalises with the batch statistics and updates the
 * running ones in place.
 * @example batchNormOp(x, { weight, bias, runningMean, runningVar, training: true, momentum: 0.1, eps: 1e-5 })
 */
export function batchNormOp(x: T, o: BatchNormOpOptions): T {
  check(
    x.shape.length >= 2,
    () => `batch_norm: expected 2D or more input (got ${x.shape.length}D input, size ${fmtShape(x.shape)})`,
  );
  const c = x.shape[1]!;
  for (const [name, t] of [
    ['weight', o.weight],
    ['bias', o.bias],
    ['running_mean', o.runningMean],
    ['running_var', o.runningVar],
  ] as const)
    check(
      t === null || (t.shape.length === 1 && t.shape[0] === c),
      () =>
        `batch_norm: ${name} should contain ${c} elements, not ${t ? numel(t.shape) : 0} (input size ${fmtShape(x.shape)})`,
    );
  if (o.training) {
    const m = numel(x.shape) / c;
    check(
      m > 1,
      () => `Expected more than 1 value per channel when training, got input size ${fmtShape(x.shape)}`,
    );
  } else
    check(
      o.runningMean !== null && o.runningVar !== null,
      'batch_norm: running_mean and running_var must be given in evaluation mode (training: false)',
    );
  const inputs = [x];
  if (o.weight) inputs.push(o.weight);
  if (o.bias) inputs.push(o.bias);
  const [y] = applyMultiOp(BatchNormSpec, inputs, {
    training: o.training,
    eps: o.eps,
    momentum: o.momentum,
    runningMean: o.runningMean,
    runningVar: o.runningVar,
    hasW: o.weight !== null,
    hasB: o.bias !== null,
  });
  return y!;
}

// ---------------------------------------------------------------------------------------------------------------
// layer norm

interface LnP {
  readonly k: number;
  readonly eps: number;
  readonly hasW: boolean;
  readonly hasB: boolean;
}

const LayerNormSpec: OpSpec<LnP> = {
  name: 'NativeLayerNormBackward0',
  forward: (inputs, p) => {
    const x = inputs[0]!;
    const r = x.shape.length;
    const dims = Array.from({ length: p.k }, (_, i) => r - p.k + i);
    const keep = x.shape.map((s, i) => (i >= r - p.k ? 1 : s));
    const dt = x.dtype;
    const mu = kMeanKeep(x, dims, keep);
    const xc = kBinary('sub', x, mu, dt);
    const v = kMeanKeep(kBinary('mul', xc, xc, dt), dims, keep);
    let y = kBinary('mul', xc, kUnary('rsqrt', kBinary('add', v, scalarLike(p.eps, x), dt)), dt);
    if (p.hasW) y = kBinary('mul', y, inputs[1]!, dt);
    if (p.hasB) y = kBinary('add', y, inputs[p.hasW ? 2 : 1]!, dt);
    return y;
  },
  save: (needs) => (needs.length > 1 ? [0, 1] : [0]), // x and the weight, if any
  backward: (g, inputs, _o, needs, p) => {
    const x = inputs[0]!;
    const r = x.shape.length;
    const dims = Array.from({ length: p.k }, (_, i) => r - p.k + i);
    const lead = Array.from({ length: r - p.k }, (_, i) => i);
    const normShape = x.shape.slice(r - p.k);
    const w = p.hasW ? inputs[1]! : null;
    const wantW = p.hasW && needs[1]!;
    const wantB = p.hasB && needs[p.hasW ? 2 : 1]!;
    const [gx, gw, gb] = normBackward(g, x, w, dims, lead, normShape, p.eps, [needs[0]!, wantW, wantB]);
    const out: Grad[] = [gx];
    if (p.hasW) out.push(gw);
    if (p.hasB) out.push(gb);
    return out;
  },
};

/**
 * Layer normalisation over the last `normalizedShape.length` dims, with optional elementwise affine.
 * @example layerNormOp(x, [4], w, b, 1e-5)
 */
export function layerNormOp(
  x: T,
  normalizedShape: readonly number[],
  weight: T | null,
  bias: T | null,
  eps: number,
): T {
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.shape.length - k);
  check(
    k > 0 && x.shape.length >= k && tail.every((s, i) => s === normalizedShape[i]),
    () =>
      `Given normalized_shape=${fmtShape(normalizedShape)}, expected input with shape [*, ${normalizedShape.join(', ')}], ` +
      `but got input of size${fmtShape(x.shape)}`,
  );
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const)
    check(
      t === null || (t.shape.length === k && t.shape.every((s, i) => s === normalizedShape[i])),
      () =>
        `layer_norm: ${name} of shape ${fmtShape(t!.shape)} does not match normalized_shape ${fmtShape(normalizedShape)}`,
    );
  const inputs = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  return applyOp(LayerNormSpec, inputs, { k, eps, hasW: weight !== null, hasB: bias !== null });
}
