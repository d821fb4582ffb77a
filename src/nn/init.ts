/**
 * @file nn.init: in-place initialisers with PyTorch's arithmetic (the same doubles, the same generator draws), so
 * that layers built after `manualSeed` hold the same weights as PyTorch's.
 */
import type { Generator } from '../core/random.js';
import { noGrad } from '../graph/grad-mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { check } from '../util/assert.js';

/** Nonlinearities known to calculateGain. @example 'relu' */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

/**
 * The recommended gain for a nonlinearity (PyTorch's `calculate_gain`).
 * @example nn.init.calculateGain('relu') // 1.4142135623730951
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      check(
        typeof slope === 'number' && Number.isFinite(slope),
        () => `negative_slope ${slope} not a valid number`,
      );
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case 'selu':
      return 3.0 / 4;
    default:
      throw new Error(`Unsupported nonlinearity ${String(nonlinearity satisfies never)}`);
  }
}

/**
 * fan_in and fan_out of a weight: dim 1 and dim 0 times the receptive field (the product of the other dims).
 * @example nn.init.calculateFanInAndFanOut(torch.empty(2, 3)) // [3, 2]
 */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  const d = tensor.dim();
  check(d >= 2, 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  let receptive = 1;
  for (let i = 2; i < d; i++) receptive *= tensor.shape[i]!;
  return [tensor.shape[1]! * receptive, tensor.shape[0]! * receptive];
}

function fan(tensor: Tensor, mode: 'fan_in' | 'fan_out'): number {
  check(
    mode === 'fan_in' || mode === 'fan_out',
    () => `Mode ${String(mode)} not supported, please use one of fan_in, fan_out`,
  );
  const [fi, fo] = calculateFanInAndFanOut(tensor);
  return mode === 'fan_in' ? fi : fo;
}

/** Options naming the generator to draw from. @example { generator: g } */
export interface InitOptions {
  generator?: Generator;
}

const gen = (o?: InitOptions): { generator?: Generator } => (o?.generator ? { generator: o.generator } : {});

/**
 * Fills with U(a, b) in place.
 * @example nn.init.uniform_(w, -0.1, 0.1)
 */
export function uniform_(tensor: Tensor, a = 0, b = 1, opts?: InitOptions): Tensor {
  return noGrad(() => tensor.uniform_(a, b, gen(opts)));
}

/**
 * Fills with N(mean, std²) in place.
 * @example nn.init.normal_(w, 0, 0.02)
 */
export function normal_(tensor: Tensor, mean = 0, std = 1, opts?: InitOptions): Tensor {
  return noGrad(() => tensor.normal_(mean, std, gen(opts)));
}

/**
 * Fills with a constant in place.
 * @example nn.init.constant_(b, 0.1)
 */
export function constant_(tensor: Tensor, val: number): Tensor {
  return noGrad(() => tensor.fill_(val));
}

/** Fills with ones. @example nn.init.ones_(w) */
export const ones_ = (tensor: Tensor): Tensor => constant_(tensor, 1);
/** Fills with zeros. @example nn.init.zeros_(b) */
export const zeros_ = (tensor: Tensor): Tensor => noGrad(() => tensor.zero_());

/**
 * Fills a 2-D tensor with the identity.
 * @example nn.init.eye_(w)
 */
export function eye_(tensor: Tensor): Tensor {
  check(tensor.dim() === 2, 'Only tensors with 2 dimensions are supported');
  return noGrad(() => {
    tensor.zero_();
    const n = Math.min(tensor.shape[0]!, tensor.shape[1]!);
    for (let i = 0; i < n; i++) tensor.select(0, i).narrow(0, i, 1).fill_(1);
    return tensor;
  });
}

/**
 * Glorot uniform: U(−a, a) with a = gain·√(6/(fan_in + fan_out)).
 * @example nn.init.xavierUniform_(w)
 */
export function xavierUniform_(tensor: Tensor, gain = 1, opts?: InitOptions): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fi + fo));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a, opts);
}

/**
 * Glorot normal: N(0, std²) with std = gain·√(2/(fan_in + fan_out)).
 * @example nn.init.xavierNormal_(w)
 */
export function xavierNormal_(tensor: Tensor, gain = 1, opts?: InitOptions): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fi + fo));
  return normal_(tensor, 0, std, opts);
}

/** Options of the Kaiming initialisers. @example { a: Math.sqrt(5), mode: 'fan_in', nonlinearity: 'leaky_relu' } */
export interface KaimingOptions extends InitOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

/**
 * He uniform: U(−b, b) with b = gain·√(3/fan) (what nn.Linear and nn.Conv2d use with a = √5).
 * @example nn.init.kaimingUniform_(w, { a: Math.sqrt(5) })
 */
export function kaimingUniform_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.numel() === 0) {
    console.warn('UserWarning: Initializing zero-element tensors is a no-op');
    return tensor;
  }
  const f = fan(tensor, opts.mode ?? 'fan_in');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  const std = gain / Math.sqrt(f);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound, opts);
}

/**
 * He normal: N(0, std²) with std = gain/√fan.
 * @example nn.init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' })
 */
export function kaimingNormal_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.numel() === 0) {
    console.warn('UserWarning: Initializing zero-element tensors is a no-op');
    return tensor;
  }
  const f = fan(tensor, opts.mode ?? 'fan_in');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return normal_(tensor, 0, gain / Math.sqrt(f), opts);
}
