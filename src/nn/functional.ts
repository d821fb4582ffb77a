/**
 * @file torch.nn.functional: the stateless forms of every layer and loss, over the fluent Tensor. Arguments follow
 * PyTorch's, with keyword arguments in one options object; composites (crossEntropy, l1Loss) are built as PyTorch
 * builds them, so their graphs carry the same nodes.
 */
import { int32 } from '../core/dtype.js';
import { defaultGenerator, type Generator } from '../core/random.js';
import type { TensorImpl } from '../graph/tensor-impl.js';
import { logSoftmax as logSoftmaxOp, softmax as softmaxOp } from '../ops/activation.js';
import * as ew from '../ops/elementwise.js';
import { kView, kZeros } from '../ops/kernels.js';
import { matmul } from '../ops/matmul.js';
import { reshape, squeeze, t as transposeOp, unsqueeze, view } from '../ops/movement.js';
import { mean, sum } from '../ops/reduce.js';
import type { Tensor } from '../tensor/tensor.js';
import { check, fmtShape, isInt } from '../util/assert.js';
import { addmmOp, dropoutOp, embeddingOp, geluOp, leakyReluOp, siluOp } from './functional-act.js';
import {
  avgPool2dOp,
  checkInput4d,
  col2im,
  conv2dOp,
  convPadding,
  im2col,
  maxPool2dOp,
  pair,
  type Size2,
  type Window2d,
  windowGeometry,
} from './functional-conv.js';
import {
  binaryCrossEntropyOp,
  binaryCrossEntropyWithLogitsOp,
  checkReduction,
  mseLossOp,
  nllLossOp,
  type Reduction,
} from './functional-loss.js';
import { batchNormOp, layerNormOp } from './functional-norm.js';

export type { Size2 } from './functional-conv.js';
export type { Reduction } from './functional-loss.js';

type T = TensorImpl;
const out = (t: TensorImpl): Tensor => t as Tensor;

/** Runs a 4-D op on a 3-D (unbatched) input by adding and removing the batch dim. */
function batched(x: T, what: string, f: (x4: T) => T): T {
  checkInput4d(x, what);
  if (x.shape.length === 4) return f(x);
  return squeeze(f(unsqueeze(x, 0)), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// linear and convolution

/**
 * `input @ weight.T + bias` (AddmmBackward0 for a 2-D input with a bias, as in PyTorch).
 * @example F.linear(x, w, b) // x [N, in], w [out, in], b [out] -> [N, out]
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  check(
    input.shape[input.shape.length - 1] === weight.shape[1],
    () =>
      `mat1 and mat2 shapes cannot be multiplied (${input.shape.slice(0, -1).reduce((a, b) => a * b, 1)}x` +
      `${input.shape[input.shape.length - 1]} and ${weight.shape[1]}x${weight.shape[0]}): linear expects input [*, ` +
      `${weight.shape[1]}] for a weight of shape ${fmtShape(weight.shape)}`,
  );
  if (bias && input.shape.length === 2) return out(addmmOp(bias, input, transposeOp(weight)));
  if (bias && input.shape.length === 3 && input.denseRowMajor) {
    const [a, b, k] = input.shape as [number, number, number];
    return out(
      view(addmmOp(bias, reshape(input, [a * b, k]), transposeOp(weight)), [a, b, weight.shape[0]!]),
    );
  }
  const y = matmul(input, transposeOp(weight));
  return out(bias ? ew.add(y, bias) : y);
}

/** Options of conv2d. @example { stride: 1, padding: 'same' } */
export interface Conv2dOptions {
  stride?: Size2;
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
  groups?: number;
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of [N, C, H, W] (or [C, H, W]) by [O, C/groups, kh, kw].
 * @example F.conv2d(x, w, b, { stride: 1, padding: 1 })
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: Conv2dOptions = {},
): Tensor {
  const stride = pair(opts.stride ?? 1, 'stride');
  const dilation = pair(opts.dilation ?? 1, 'dilation');
  const groups = opts.groups ?? 1;
  check(stride[0] > 0 && stride[1] > 0, 'non-positive stride is not supported');
  check(
    opts.padding !== 'same' || (stride[0] === 1 && stride[1] === 1),
    "padding='same' is not supported for strided convolutions",
  );
  check(
    weight.shape.length === 4,
    () => `conv2d: expected a 4-D weight [out, in/groups, kh, kw], got ${fmtShape(weight.shape)}`,
  );
  const [o, cg, kh, kw] = weight.shape as [number, number, number, number];
  return out(
    batched(input, 'conv2d', (x) => {
      const c = x.shape[1]!;
      check(
        isInt(groups) && groups > 0 && c % groups === 0 && o % groups === 0,
        () =>
          `conv2d: groups (${groups}) must be a positive integer dividing both in_channels (${c}) and out_channels (${o})`,
      );
      check(
        cg * groups === c,
        () =>
          `Given groups=${groups}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ` +
          `${cg * groups} channels, but got ${c} channels instead`,
      );
      check(
        x.dtype === weight.dtype,
        () =>
          `conv2d: expected input and weight to have the same dtype, but got ${x.dtype} and ${weight.dtype}. Convert with .to(${weight.dtype}).`,
      );
      check(
        !bias || (bias.shape.length === 1 && bias.shape[0] === o),
        () => `conv2d: bias must have shape [${o}], got ${fmtShape(bias!.shape)}`,
      );
      const pad = convPadding(opts.padding ?? 0, [kh, kw], dilation);
      const g = windowGeometry(x.shape[2]!, x.shape[3]!, [kh, kw], stride, pad, dilation, false);
      return conv2dOp(x, weight, bias ?? null, g, groups);
    }),
  );
}

/** Options of unfold / fold. @example { padding: 1, stride: 1 } */
export interface UnfoldOptions {
  dilation?: Size2;
  padding?: Size2;
  stride?: Size2;
}

function unfoldGeometry(h: number, w: number, kernelSize: Size2, o: UnfoldOptions): Window2d {
  const [ph, pw] = pair(o.padding ?? 0, 'padding');
  return windowGeometry(
    h,
    w,
    pair(kernelSize, 'kernel_size'),
    pair(o.stride ?? 1, 'stride'),
    [ph, ph, pw, pw],
    pair(o.dilation ?? 1, 'dilation'),
    false,
  );
}

/**
 * Sliding local blocks of [N, C, H, W] as [N, C·kh·kw, L] (im2col; Im2ColBackward0).
 * @example F.unfold(x, 2) // [1, 1, 4, 4] -> [1, 4, 9]
 */
export function unfold(input: Tensor, kernelSize: Size2, opts: UnfoldOptions = {}): Tensor {
  check(
    input.shape.length === 4,
    () => `Input Error: Only 4D input Tensors are supported (got ${input.shape.length}D)`,
  );
  const [n, c, h, w] = input.shape as [number, number, number, number];
  const g = unfoldGeometry(h, w, kernelSize, opts);
  return out(reshape(im2col(input, g), [n, c * g.kh * g.kw, g.oh * g.ow]));
}

/**
 * Sums sliding local blocks [N, C·kh·kw, L] back into [N, C, H, W] (col2im; the adjoint of unfold).
 * @example F.fold(cols, [4, 4], 2)
 */
export function fold(input: Tensor, outputSize: Size2, kernelSize: Size2, opts: UnfoldOptions = {}): Tensor {
  check(
    input.shape.length === 3,
    () => `Input Error: Only 3D input Tensors are supported (got ${input.shape.length}D)`,
  );
  const [h, w] = pair(outputSize, 'output_size');
  const g = unfoldGeometry(h, w, kernelSize, opts);
  const [n, ckk, l] = input.shape as [number, number, number];
  const kk = g.kh * g.kw;
  check(
    ckk % kk === 0 && l === g.oh * g.ow,
    () => `fold: expected input of size [N, C*${kk}, ${g.oh * g.ow}], got ${fmtShape(input.shape)}`,
  );
  return out(col2im(reshape(input, [n, ckk / kk, g.kh, g.kw, g.oh, g.ow]), g));
}

// ---------------------------------------------------------------------------------------------------------------
// pooling

/** Options of maxPool2d. @example { stride: 2, padding: 0 } */
export interface MaxPool2dOptions {
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

function poolGeometry(
  x: T,
  kernelSize: Size2,
  stride: Size2 | null | undefined,
  padding: Size2 | undefined,
  dilation: Size2 | undefined,
  ceil: boolean,
  what: string,
): Window2d {
  const k = pair(kernelSize, 'kernel_size');
  const s = pair(stride ?? k, 'stride');
  const [ph, pw] = pair(padding ?? 0, 'padding');
  check(
    k[0] > 0 && k[1] > 0 && s[0] > 0 && s[1] > 0,
    () => `${what}: kernel_size and stride must be greater than zero`,
  );
  check(
    ph <= k[0] / 2 && pw <= k[1] / 2,
    () => `pad should be at most half of effective kernel size, but got pad=${ph}, kernel_size=${k[0]}`,
  );
  const [h, w] = x.shape.slice(-2) as [number, number];
  return windowGeometry(h, w, k, s, [ph, ph, pw, pw], pair(dilation ?? 1, 'dilation'), ceil);
}

/**
 * 2-D max pooling (MaxPool2DWithIndicesBackward0); `returnIndices: true` also returns the flat (H·W) argmax of each window.
 * @example F.maxPool2d(x, 2) ; const [y, idx] = F.maxPool2d(x, 2, { returnIndices: true })
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: Size2,
  opts?: MaxPool2dOptions & { returnIndices?: false },
): Tensor;
export function maxPool2d(
  input: Tensor,
  kernelSize: Size2,
  opts: MaxPool2dOptions & { returnIndices: true },
): [Tensor, Tensor];
export function maxPool2d(
  input: Tensor,
  kernelSize: Size2,
  opts: MaxPool2dOptions = {},
): Tensor | [Tensor, Tensor] {
  checkInput4d(input, 'max_pool2d');
  const x = input.shape.length === 3 ? unsqueeze(input, 0) : input;
  const g = poolGeometry(
    x,
    kernelSize,
    opts.stride,
    opts.padding,
    opts.dilation,
    opts.ceilMode ?? false,
    'max_pool2d',
  );
  let [values, indices] = maxPool2dOp(x, g);
  if (input.shape.length === 3) [values, indices] = [squeeze(values, 0), squeeze(indices, 0)];
  return opts.returnIndices ? [out(values), out(indices)] : out(values);
}

/** Options of avgPool2d. @example { stride: 2, countIncludePad: false } */
export interface AvgPool2dOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/**
 * 2-D average pooling (AvgPool2DBackward0).
 * @example F.avgPool2d(x, 2)
 */
export function avgPool2d(input: Tensor, kernelSize: Size2, opts: AvgPool2dOptions = {}): Tensor {
  return out(
    batched(input, 'avg_pool2d', (x) => {
      const g = poolGeometry(
        x,
        kernelSize,
        opts.stride,
        opts.padding,
        1,
        opts.ceilMode ?? false,
        'avg_pool2d',
      );
      const [ph, pw] = pair(opts.padding ?? 0, 'padding');
      const d = opts.divisorOverride ?? null;
      check(d === null || d !== 0, 'divisor must be not zero');
      return avgPool2dOp(x, g, ph, pw, opts.countIncludePad ?? true, d);
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// normalisation, embedding, dropout

/** Options of batchNorm. @example { training: true, momentum: 0.1, eps: 1e-5 } */
export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalisation over dim 1 (NativeBatchNormBackward0); in training it updates `runningMean`/`runningVar` in place.
 * @example F.batchNorm(x, rm, rv, { weight, bias, training: true })
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  return out(
    batchNormOp(input, {
      weight: opts.weight ?? null,
      bias: opts.bias ?? null,
      runningMean,
      runningVar,
      training: opts.training ?? false,
      momentum: opts.momentum ?? 0.1,
      eps: opts.eps ?? 1e-5,
    }),
  );
}

/** Options of layerNorm. @example { eps: 1e-5 } */
export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims (NativeLayerNormBackward0).
 * @example F.layerNorm(x, [4], { weight, bias })
 */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  opts: LayerNormOptions = {},
): Tensor {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  return out(layerNormOp(input, shape, opts.weight ?? null, opts.bias ?? null, opts.eps ?? 1e-5));
}

/**
 * Rows of `weight` [V, D] at int32 `input` indices (EmbeddingBackward0); the `paddingIdx` row gets no gradient.
 * @example F.embedding(torch.tensor([1, 2], { dtype: torch.int32 }), w)
 */
export function embedding(input: Tensor, weight: Tensor, opts: { paddingIdx?: number | null } = {}): Tensor {
  let pad = opts.paddingIdx ?? null;
  if (pad !== null && pad < 0) pad += weight.shape[0]!;
  return out(embeddingOp(input, weight, pad));
}

/** Options of dropout. @example { p: 0.2, training: true } */
export interface DropoutOptions {
  p?: number;
  training?: boolean;
  generator?: Generator;
}

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1 − p) when training (identity otherwise);
 * the same mask as PyTorch's CPU dropout for the same seed.
 * @example F.dropout(x, 0.5) ; F.dropout(x, { p: 0.1, training: model.training })
 */
export function dropout(input: Tensor, p: number | DropoutOptions = 0.5, training = true): Tensor {
  const o: DropoutOptions = typeof p === 'number' ? { p, training } : p;
  const prob = o.p ?? 0.5;
  check(prob >= 0 && prob <= 1, () => `dropout probability has to be between 0 and 1, but got ${prob}`);
  if (!(o.training ?? true) || prob === 0) return input;
  return out(dropoutOp(input, prob, o.generator ?? defaultGenerator));
}

// ---------------------------------------------------------------------------------------------------------------
// activations

/** max(x, 0). @example F.relu(x) */
export const relu = (input: Tensor): Tensor => out(ew.relu(input));
/** tanh. @example F.tanh(x) */
export const tanh = (input: Tensor): Tensor => out(ew.tanh(input));
/** Logistic sigmoid. @example F.sigmoid(x) */
export const sigmoid = (input: Tensor): Tensor => out(ew.sigmoid(input));

/**
 * GELU, exact (`approximate: 'none'`) or with the tanh approximation.
 * @example F.gelu(x) ; F.gelu(x, { approximate: 'tanh' })
 */
export function gelu(input: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  return out(geluOp(input, opts.approximate ?? 'none'));
}

/** SiLU / swish: x·σ(x). @example F.silu(x) */
export const silu = (input: Tensor): Tensor => out(siluOp(input));

/**
 * Leaky ReLU: x where x > 0, else `negativeSlope`·x.
 * @example F.leakyRelu(x, 0.1)
 */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  return out(leakyReluOp(input, negativeSlope));
}

/** The dim PyTorch picks when softmax is called without one (with a warning there): 0 for 0-, 1- and 3-D input, else 1. */
function implicitDim(x: T): number {
  const d = x.shape.length;
  return d === 0 || d === 1 || d === 3 ? 0 : 1;
}

/**
 * Softmax along `dim`.
 * @example F.softmax(x, 1)
 */
export function softmax(input: Tensor, dim?: number): Tensor {
  return out(softmaxOp(input, dim ?? implicitDim(input)));
}

/**
 * log(softmax(x)) along `dim`, computed stably.
 * @example F.logSoftmax(x, 1)
 */
export function logSoftmax(input: Tensor, dim?: number): Tensor {
  return out(logSoftmaxOp(input, dim ?? implicitDim(input)));
}

/**
 * One-hot encoding of int32 class indices: [*] -> [*, numClasses] (int32).
 * @example F.oneHot(torch.tensor([0, 2], { dtype: torch.int32 }), 3)
 */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  check(
    input.dtype === int32,
    () => `one_hot is only applicable to index tensors (int32), got ${input.dtype}`,
  );
  const vals = Array.from(input.toArray() as Int32Array);
  const n = numClasses < 0 ? Math.max(-1, ...vals) + 1 : numClasses;
  for (const v of vals)
    check(
      v >= 0 && v < n,
      () => `Class values must be smaller than num_classes (${n}) and non-negative, got ${v}.`,
    );
  const z = kZeros([vals.length, n], int32, input);
  const data = new Int32Array(vals.length * n);
  vals.forEach((v, i) => {
    data[i * n + v] = 1;
  });
  const be = z.storage.backend;
  const t = kView(z, z.shape, z.strides, 0);
  be.copy(t.strided, { buf: be.fromArray(int32, data), dtype: int32, strides: [n, 1], offset: 0 }, z.shape);
  return out(reshape(t, [...input.shape, n]));
}

// ---------------------------------------------------------------------------------------------------------------
// losses

/** A loss's `reduction` option. @example { reduction: 'sum' } */
export interface ReductionOptions {
  reduction?: Reduction;
}

function reduce(loss: T, reduction: Reduction): T {
  checkReduction(reduction);
  return reduction === 'mean' ? mean(loss) : reduction === 'sum' ? sum(loss) : loss;
}

/**
 * Mean squared error (MseLossBackward0).
 * @example F.mseLoss(pred, y)
 */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  return out(mseLossOp(input, target, opts.reduction ?? 'mean'));
}

/**
 * Mean absolute error: |input − target| reduced (composite, as in PyTorch 1.13).
 * @example F.l1Loss(pred, y)
 */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  return out(reduce(ew.abs(ew.sub(input, target)), opts.reduction ?? 'mean'));
}

/** Options of nllLoss. @example { ignoreIndex: 0 } */
export interface NllLossOptions extends ReductionOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
}

/**
 * Negative log-likelihood of int32 class targets under log-probabilities ([N, C], [C] or [N, C, d...]).
 * @example F.nllLoss(F.logSoftmax(logits, 1), y)
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  return out(
    nllLossOp(input, target, {
      weight: opts.weight ?? null,
      ignoreIndex: opts.ignoreIndex ?? -100,
      reduction: opts.reduction ?? 'mean',
    }),
  );
}

/** Options of crossEntropy. @example { labelSmoothing: 0.1 } */
export interface CrossEntropyOptions extends NllLossOptions {
  labelSmoothing?: number;
}

/**
 * Cross entropy of logits against int32 class indices or class probabilities (a float target of the input's
 * shape), with `weight`, `ignoreIndex`, `labelSmoothing` and `reduction` as in PyTorch.
 * @example F.crossEntropy(logits, y) ; F.crossEntropy(logits, probs, { labelSmoothing: 0.1 })
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  checkReduction(reduction);
  const eps = opts.labelSmoothing ?? 0;
  check(eps >= 0 && eps <= 1, () => `label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const ignore = opts.ignoreIndex ?? -100;
  const weight = opts.weight ?? null;
  const classDim = input.shape.length === 1 ? 0 : 1;
  const c = input.shape[classDim]!;
  const logp = logSoftmaxOp(input, classDim);
  const wShape = input.shape.map((s, i) => (i === classDim ? s : 1));
  if (target.dtype.isFloatingPoint) {
    check(
      target.shape.length === input.shape.length && target.shape.every((s, i) => s === input.shape[i]),
      () =>
        `crossEntropy: class-probability targets must have the input's shape ${fmtShape(input.shape)}, got ` +
        `${fmtShape(target.shape)}; for class indices pass an int32 tensor.`,
    );
    const tgt = eps > 0 ? ew.add(ew.mul(target, 1 - eps), eps / c) : target;
    let prod = ew.mul(logp, tgt);
    if (weight) prod = ew.mul(prod, reshape(weight, wShape));
    if (reduction === 'none') return out(ew.neg(sum(prod, classDim)));
    const s = ew.neg(sum(prod));
    return out(reduction === 'sum' ? s : ew.div(s, input.numel() / c));
  }
  const nll = nllLossOp(logp, target, { weight, ignoreIndex: ignore, reduction });
  if (eps === 0) return out(nll);
  // label smoothing: (1 − ε)·nll + ε/C·(−Σ_c w_c·log p_c), ignoring ignore_index, normalised like nll_loss
  let smooth = ew.neg(sum(weight ? ew.mul(logp, reshape(weight, wShape)) : logp, classDim));
  const keep = ew.ne(target, ignore);
  smooth = ew.where(keep, smooth, 0);
  let ret: T;
  if (reduction === 'none') ret = smooth;
  else if (reduction === 'sum') ret = sum(smooth);
  else if (weight) {
    const tv = Array.from(target.toArray() as Int32Array);
    const wv = weight.toArray();
    const total = tv.reduce((acc, k) => (k === ignore ? acc : Math.fround(acc + wv[k]!)), 0);
    ret = ew.div(sum(smooth), total);
  } else ret = ew.div(sum(smooth), sum(keep, undefined, { dtype: smooth.dtype }));
  return out(ew.add(ew.mul(nll, 1 - eps), ew.mul(ret, eps / c)));
}

/** Options of binaryCrossEntropy. @example { weight: w } */
export interface BceOptions extends ReductionOptions {
  weight?: Tensor | null;
}

/**
 * Binary cross entropy between probabilities in [0, 1] and targets of the same shape.
 * @example F.binaryCrossEntropy(torch.sigmoid(z), y)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  return out(binaryCrossEntropyOp(input, target, opts.weight ?? null, opts.reduction ?? 'mean'));
}

/** Options of binaryCrossEntropyWithLogits. @example { posWeight: torch.tensor([3]) } */
export interface BceWithLogitsOptions extends BceOptions {
  posWeight?: Tensor | null;
}

/**
 * Binary cross entropy on logits (sigmoid folded in, numerically stable), with optional `posWeight`.
 * @example F.binaryCrossEntropyWithLogits(z, y)
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: BceWithLogitsOptions = {},
): Tensor {
  return out(
    binaryCrossEntropyWithLogitsOp(
      input,
      target,
      opts.weight ?? null,
      opts.posWeight ?? null,
      opts.reduction ?? 'mean',
    ),
  );
}
