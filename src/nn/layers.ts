/**
 * @file Layers: Linear, Conv2d, pooling, batch/layer norm, Embedding, Dropout, activations and Flatten, each
 * initialised as PyTorch initialises it (same draws after the same seed). State-dict names are PyTorch's
 * (`running_mean`...), so checkpoints move between the two; camelCase getters read the same buffers.
 */
import { type DType, int32 } from '../core/dtype.js';
import { empty, ones, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { check, checkType, isInt } from '../util/assert.js';
import * as F from './functional.js';
import { pair } from './functional-conv.js';
import * as init from './init.js';
import { Module, pyBool, pyFloat, pyTuple } from './module.js';
import { Parameter } from './parameter.js';

/** Options every parameterised layer takes. @example { dtype: torch.float64 } */
export interface FactoryOptions {
  dtype?: DType;
}

const dt = (o: FactoryOptions): { dtype?: DType } => (o.dtype ? { dtype: o.dtype } : {});
const fmt = (v: F.Size2): string => (typeof v === 'number' ? String(v) : pyTuple(v));

function checkPositiveInt(v: unknown, what: string): asserts v is number {
  checkType(isInt(v) && v >= 0, () => `${what} must be a non-negative integer, got ${String(v)}`);
}

/**
 * Fully connected layer: y = x·Wᵀ + b, with W [out, in] and b [out] drawn as PyTorch draws them.
 * @example const fc = new nn.Linear(3, 2); fc(torch.randn(4, 3)).shape // [4, 2]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;
  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super();
    checkPositiveInt(inFeatures, 'in_features');
    checkPositiveInt(outFeatures, 'out_features');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, inFeatures], dt(opts)));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outFeatures], dt(opts))) : null;
    this.resetParameters();
  }
  /** Kaiming-uniform weight (a = √5) and U(±1/√in) bias, as PyTorch. @example fc.resetParameters() */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }
  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Options of Conv2d. @example { stride: 1, padding: 1 } */
export interface Conv2dOptions extends F.Conv2dOptions, FactoryOptions {
  bias?: boolean;
  paddingMode?: 'zeros';
}

/**
 * 2-D convolution over [N, C, H, W] with weight [out, in/groups, kh, kw], initialised as PyTorch's.
 * @example const conv = new nn.Conv2d(1, 8, 3, { padding: 1 }); conv(torch.randn(2, 1, 8, 8)).shape // [2, 8, 8, 8]
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  weight: Parameter;
  bias: Parameter | null;
  constructor(inChannels: number, outChannels: number, kernelSize: F.Size2, opts: Conv2dOptions = {}) {
    super();
    checkPositiveInt(inChannels, 'in_channels');
    checkPositiveInt(outChannels, 'out_channels');
    const groups = opts.groups ?? 1;
    check(isInt(groups) && groups > 0, 'groups must be a positive integer');
    check(inChannels % groups === 0, 'in_channels must be divisible by groups');
    check(outChannels % groups === 0, 'out_channels must be divisible by groups');
    check(
      (opts.paddingMode ?? 'zeros') === 'zeros',
      () => `padding_mode '${opts.paddingMode}' is not supported yet: use 'zeros'`,
    );
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize, 'kernel_size');
    this.stride = pair(opts.stride ?? 1, 'stride');
    const p = opts.padding ?? 0;
    this.padding = p === 'same' || p === 'valid' ? p : pair(p, 'padding');
    this.dilation = pair(opts.dilation ?? 1, 'dilation');
    this.groups = groups;
    const [kh, kw] = this.kernelSize;
    this.weight = new Parameter(empty([outChannels, inChannels / groups, kh, kw], dt(opts)));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outChannels], dt(opts))) : null;
    this.resetParameters();
  }
  /** Kaiming-uniform weight (a = √5) and U(±1/√fan_in) bias, as PyTorch. @example conv.resetParameters() */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }
  override forward(input: Tensor): Tensor {
    return F.conv2d(input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}

/**
 * 2-D max pooling (stride defaults to the kernel size).
 * @example new nn.MaxPool2d(2)(torch.randn(1, 1, 4, 4)).shape // [1, 1, 2, 2]
 */
export class MaxPool2d extends Module {
  readonly kernelSize: F.Size2;
  readonly stride: F.Size2;
  readonly padding: F.Size2;
  readonly dilation: F.Size2;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  constructor(kernelSize: F.Size2, opts: F.MaxPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.ceilMode = opts.ceilMode ?? false;
    this.returnIndices = opts.returnIndices ?? false;
  }
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    const o = {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceilMode: this.ceilMode,
    };
    return this.returnIndices
      ? F.maxPool2d(input, this.kernelSize, { ...o, returnIndices: true })
      : F.maxPool2d(input, this.kernelSize, o);
  }
  override extraRepr(): string {
    return `kernel_size=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}, dilation=${fmt(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 2-D average pooling (stride defaults to the kernel size).
 * @example new nn.AvgPool2d(2)(torch.randn(1, 1, 4, 4)).shape // [1, 1, 2, 2]
 */
export class AvgPool2d extends Module {
  readonly kernelSize: F.Size2;
  readonly stride: F.Size2;
  readonly padding: F.Size2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(kernelSize: F.Size2, opts: F.AvgPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }
  override forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }
  override extraRepr(): string {
    return `kernel_size=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}`;
  }
}

/** Options of BatchNorm1d/2d. @example { momentum: 0.1, eps: 1e-5 } */
export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** null: a cumulative average of all batches. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(numFeatures: number, opts: BatchNormOptions) {
    super();
    checkPositiveInt(numFeatures, 'num_features');
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? new Parameter(ones([numFeatures], dt(opts))) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], dt(opts))) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], dt(opts)));
      this.registerBuffer('running_var', ones([numFeatures], dt(opts)));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: int32 }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }
  /** The running mean buffer (`running_mean` in the state dict). @example bn.runningMean */
  get runningMean(): Tensor | null {
    return this.buffer('running_mean');
  }
  /** The running (unbiased) variance buffer (`running_var`). @example bn.runningVar */
  get runningVar(): Tensor | null {
    return this.buffer('running_var');
  }
  /** How many training batches updated the statistics (`num_batches_tracked`, int32). @example bn.numBatchesTracked?.item() */
  get numBatchesTracked(): Tensor | null {
    return this.buffer('num_batches_tracked');
  }
  private buffer(name: string): Tensor | null {
    return (this as unknown as Record<string, Tensor | null>)[name] ?? null;
  }
  protected abstract checkInputDim(input: Tensor): void;
  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    const nbt = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && nbt) {
      nbt.add_(1);
      factor = this.momentum ?? 1 / nbt.item();
    }
    const bnTraining = this.training || (this.runningMean === null && this.runningVar === null);
    const useStats = !this.training || this.trackRunningStats;
    return F.batchNorm(input, useStats ? this.runningMean : null, useStats ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: bnTraining,
      momentum: factor,
      eps: this.eps,
    });
  }
  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalisation of [N, C] or [N, C, L] input over the batch (and length).
 * @example new nn.BatchNorm1d(3)(torch.randn(4, 3))
 */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(input: Tensor): void {
    check(
      input.dim() === 2 || input.dim() === 3,
      () => `expected 2D or 3D input (got ${input.dim()}D input)`,
    );
  }
}

/**
 * Batch normalisation of [N, C, H, W] input per channel.
 * @example new nn.BatchNorm2d(8)(torch.randn(2, 8, 4, 4))
 */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(input: Tensor): void {
    check(input.dim() === 4, () => `expected 4D input (got ${input.dim()}D input)`);
  }
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims, with elementwise affine by default.
 * @example new nn.LayerNorm(4)(torch.randn(2, 4))
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(
    normalizedShape: number | readonly number[],
    opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } & FactoryOptions = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, dt(opts))) : null;
    this.bias =
      this.elementwiseAffine && (opts.bias ?? true)
        ? new Parameter(zeros(this.normalizedShape, dt(opts)))
        : null;
  }
  override forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (N(0, 1) initial values; the `paddingIdx` row
 * is zero and gets no gradient).
 * @example new nn.Embedding(10, 3)(torch.tensor([1, 2], { dtype: torch.int32 })).shape // [2, 3]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;
  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    opts: { paddingIdx?: number | null; weight?: Tensor } & FactoryOptions = {},
  ) {
    super();
    checkPositiveInt(numEmbeddings, 'num_embeddings');
    checkPositiveInt(embeddingDim, 'embedding_dim');
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      check(pad < numEmbeddings && pad >= -numEmbeddings, 'Padding_idx must be within num_embeddings');
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    if (opts.weight) {
      check(
        opts.weight.shape.length === 2 &&
          opts.weight.shape[0] === numEmbeddings &&
          opts.weight.shape[1] === embeddingDim,
        'Shape of weight does not match num_embeddings and embedding_dim',
      );
      this.weight = new Parameter(opts.weight);
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], dt(opts)));
      this.resetParameters();
    }
  }
  /**
   * An Embedding holding `embeddings` (frozen unless `freeze: false`).
   * @example nn.Embedding.fromPretrained(torch.randn(5, 2))
   */
  static fromPretrained(
    embeddings: Tensor,
    opts: { freeze?: boolean; paddingIdx?: number | null } = {},
  ): Embedding {
    check(embeddings.dim() === 2, 'Embeddings parameter is expected to be 2-dimensional');
    const e = new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, {
      weight: embeddings,
      paddingIdx: opts.paddingIdx ?? null,
    });
    e.weight.requiresGrad_(!(opts.freeze ?? true));
    return e;
  }
  /** N(0, 1) weights, zero padding row. @example emb.resetParameters() */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.weight.select(0, this.paddingIdx);
      init.zeros_(row);
    }
  }
  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}

/**
 * Zeroes elements with probability `p` while training (scaling the rest by 1/(1 − p)); the identity in eval mode.
 * @example const drop = new nn.Dropout(0.2); drop.eval(); drop(x) === x
 */
export class Dropout extends Module {
  readonly p: number;
  constructor(p = 0.5) {
    super();
    check(p >= 0 && p <= 1, () => `dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
  }
  override forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** max(x, 0). @example new nn.ReLU()(x) */
export class ReLU extends Module {
  override forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

/**
 * x where x > 0, else `negativeSlope`·x.
 * @example new nn.LeakyReLU(0.1)(x)
 */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

/** GELU (exact, or the tanh approximation). @example new nn.GELU({ approximate: 'tanh' })(x) */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = opts.approximate ?? 'none';
  }
  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** SiLU / swish x·σ(x). @example new nn.SiLU()(x) */
export class SiLU extends Module {
  override forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}

/** tanh. @example new nn.Tanh()(x) */
export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/** Logistic sigmoid. @example new nn.Sigmoid()(x) */
export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** Softmax along `dim`. @example new nn.Softmax(1)(x) */
export class Softmax extends Module {
  constructor(readonly dim?: number) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** log(softmax(x)) along `dim`. @example new nn.LogSoftmax(1)(x) */
export class LogSoftmax extends Module {
  constructor(readonly dim?: number) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** Flattens dims `startDim..endDim` (1..-1 by default: everything but the batch). @example new nn.Flatten()(x) */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Returns its input. @example new nn.Identity()(x) === x */
export class Identity extends Module {
  override forward(input: Tensor): Tensor {
    return input;
  }
}
