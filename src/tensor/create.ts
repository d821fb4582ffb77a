/**
 * @file Creation functions: tensor, zeros/ones/full/empty, arange/linspace/eye, and the random ones, which draw
 * from PyTorch's CPU generator so the same seed gives the same numbers as PyTorch.
 */
import { getBackend } from '../backend/devices.js';
import { bool, DType, float32, float64, int32, type TypedArray } from '../core/dtype.js';
import { defaultGenerator, type Generator } from '../core/random.js';
import { checkSizes, numel } from '../core/shape.js';
import { isInferenceModeEnabled } from '../graph/grad-mode.js';
import { makeTensor, Storage } from '../graph/tensor-impl.js';
import { check, checkType, isInt } from '../util/assert.js';
import { fromData, type NestedData } from './from-data.js';
import type { Tensor } from './tensor.js';

/** Options of creation functions. @example { dtype: torch.float64, requiresGrad: true } */
export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  device?: string;
}

/** Options of random creation functions. @example { generator: g } */
export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

/** Sizes as variadic numbers or one array, optionally followed by options. @example [2, 3] or [[2, 3], { dtype }] */
export type SizeArgs<O> = (number | readonly number[] | O)[];

function parseSize<O extends object>(args: SizeArgs<O>, fn: string): [number[], O] {
  let opts = {} as O;
  let rest = args;
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    opts = last as O;
    rest = args.slice(0, -1);
  }
  let sizes: unknown[];
  if (rest.length === 1 && Array.isArray(rest[0])) sizes = [...(rest[0] as number[])];
  else sizes = rest as unknown[];
  for (const s of sizes)
    checkType(
      isInt(s),
      () =>
        `${fn}(): argument 'size' must be a list of integers, but found element of type ${typeof s}` +
        (typeof s === 'number' ? ` (${s})` : '') +
        ` in (${sizes.map(String).join(', ')})`,
    );
  checkSizes(sizes);
  return [sizes as number[], opts];
}

function finish(t: Tensor, opts: CreateOptions): Tensor {
  checkType(
    opts.requiresGrad === undefined || typeof opts.requiresGrad === 'boolean',
    () => `requiresGrad must be a boolean, got ${typeof opts.requiresGrad}`,
  );
  if (isInferenceModeEnabled()) t.inference = true; // made in inference mode: an inference tensor
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function make(data: TypedArray, dtype: DType, shape: readonly number[], opts: CreateOptions): Tensor {
  const be = getBackend(opts.device ?? 'cpu');
  const t = makeTensor(new Storage(be, be.fromArray(dtype, data), dtype, data.length), shape) as Tensor;
  return finish(t, opts);
}

function checkDtype(d: unknown): void {
  checkType(
    d === undefined || d instanceof DType,
    () => `dtype must be a torch dtype (torch.float32, ...), got ${String(d)}`,
  );
}

/**
 * A tensor from a number, nested arrays or a typed array (float32 for numbers unless `dtype` says otherwise).
 * @example torch.tensor([[1, 2], [3, 4]]) ; torch.tensor(3, { requiresGrad: true })
 */
export function tensor(data: NestedData | Tensor, opts: CreateOptions = {}): Tensor {
  checkDtype(opts.dtype);
  if (typeof data === 'object' && data !== null && 'storage' in data) {
    const src = data as Tensor;
    return finish(
      src
        .detach()
        .to(opts.dtype ?? src.dtype)
        .clone() as Tensor,
      opts,
    );
  }
  return finish(fromData(data, opts.dtype, getBackend(opts.device ?? 'cpu')) as Tensor, opts);
}

/**
 * A tensor filled with zeros.
 * @example torch.zeros(2, 3) ; torch.zeros([2, 3], { dtype: torch.int32 })
 */
export function zeros(...args: SizeArgs<CreateOptions>): Tensor {
  const [shape, o] = parseSize(args, 'zeros');
  return full(shape, 0, o);
}

/**
 * A tensor filled with ones.
 * @example torch.ones(2, 2)
 */
export function ones(...args: SizeArgs<CreateOptions>): Tensor {
  const [shape, o] = parseSize(args, 'ones');
  return full(shape, 1, o);
}

/**
 * Uninitialised in PyTorch; zero-filled here (JS memory is always initialised).
 * @example torch.empty(3)
 */
export function empty(...args: SizeArgs<CreateOptions>): Tensor {
  const [shape, o] = parseSize(args, 'empty');
  return full(shape, 0, o);
}

/**
 * A tensor of `size` filled with `value` (float32 for numbers, bool for booleans, unless `dtype` is given).
 * @example torch.full([2, 2], 7)
 */
export function full(
  size: readonly number[] | number,
  value: number | boolean,
  opts: CreateOptions = {},
): Tensor {
  checkDtype(opts.dtype);
  const [shape] = parseSize([size as number[]], 'full');
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? bool : float32);
  const data = new dtype.ArrayType(numel(shape));
  if (Number(value) !== 0) data.fill(Number(value));
  return make(data, dtype, shape, opts);
}

/**
 * Values from `start` to `end` (exclusive) by `step`; `arange(n)` counts 0..n-1. float32 unless all
 * arguments are integers... and `dtype` decides (PyTorch gives int64 for integers; tsgrad uses float32 by default,
 * like `torch.tensor` on JS numbers, unless `dtype: torch.int32`).
 * @example torch.arange(5) ; torch.arange(0, 1, 0.25)
 */
export function arange(
  start: number,
  end?: number | CreateOptions,
  step?: number | CreateOptions,
  opts?: CreateOptions,
): Tensor {
  let o: CreateOptions = opts ?? {};
  if (typeof end === 'object') [o, end] = [end, undefined];
  if (typeof step === 'object') [o, step] = [step, undefined];
  let s = start;
  let e = end as number | undefined;
  if (e === undefined) [s, e] = [0, start];
  const st = (step as number | undefined) ?? 1;
  for (const v of [s, e, st])
    checkType(typeof v === 'number' && !Number.isNaN(v), 'arange(): start, end and step must be numbers');
  check(st !== 0, 'step must be nonzero');
  check((st > 0 && e >= s) || (st < 0 && e <= s), 'upper bound and larger bound inconsistent with step sign');
  checkDtype(o.dtype);
  const dtype = o.dtype ?? float32;
  const n = Math.ceil((e - s) / st);
  const data = new dtype.ArrayType(n);
  for (let i = 0; i < n; i++) data[i] = s + st * i;
  return make(data, dtype, [n], o);
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive, computed as PyTorch's CPU kernel does
 * (from the start for the first half, from the end for the second).
 * @example torch.linspace(-1, 1, 5) // [-1, -0.5, 0, 0.5, 1]
 */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  checkType(isInt(steps), 'linspace(): argument steps must be an integer');
  check(steps >= 0, 'number of steps must be non-negative');
  checkDtype(opts.dtype);
  const dtype = opts.dtype ?? float32;
  const data = new dtype.ArrayType(steps);
  const r = dtype === float32 ? Math.fround : (x: number) => x;
  if (steps === 1) data[0] = start;
  else if (steps > 1) {
    const a = r(start);
    const b = r(end);
    const stepSize = r(r(b - a) / (steps - 1));
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++)
      data[i] = i < half ? r(a + r(stepSize * i)) : r(b - r(stepSize * (steps - i - 1)));
  }
  return make(data, dtype, [steps], opts);
}

/**
 * An identity matrix (n × m).
 * @example torch.eye(3)
 */
export function eye(n: number, m?: number | CreateOptions, opts?: CreateOptions): Tensor {
  let o = opts ?? {};
  if (typeof m === 'object') [o, m] = [m, undefined];
  const cols = (m as number | undefined) ?? n;
  checkSizes([n, cols]);
  const dtype = o.dtype ?? float32;
  const data = new dtype.ArrayType(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return make(data, dtype, [n, cols], o);
}

function randomFloat(
  args: SizeArgs<RandomOptions>,
  fn: string,
  fill: (g: Generator, a: Float32Array | Float64Array) => void,
): Tensor {
  const [shape, o] = parseSize(args, fn);
  checkDtype(o.dtype);
  const dtype = o.dtype ?? float32;
  check(
    dtype === float32 || dtype === float64,
    () => `"${fn}" not implemented for '${dtype.name}': use a floating point dtype`,
  );
  const data = new dtype.ArrayType(numel(shape)) as Float32Array | Float64Array;
  fill(o.generator ?? defaultGenerator, data);
  return make(data, dtype, shape, o);
}

/**
 * Uniform samples in [0, 1), the same as PyTorch's CPU generator for the same seed.
 * @example torch.manualSeed(0); torch.rand(2, 3)
 */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  return randomFloat(args, 'rand', (g, a) => g.uniform(a));
}

/**
 * Standard normal samples, the same as PyTorch's CPU generator for the same seed.
 * @example torch.manualSeed(100); torch.randn(1, 1)
 */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  return randomFloat(args, 'randn', (g, a) => g.normal(a));
}

/**
 * Random integers in [low, high) (int32 by default; PyTorch's int64), as PyTorch draws them.
 * @example torch.randint(0, 10, [3]) ; torch.randint(10, [2, 2])
 */
export function randint(
  low: number,
  high: number | readonly number[],
  size?: readonly number[] | RandomOptions,
  opts?: RandomOptions,
): Tensor {
  let lo = low;
  let hi = high as number;
  let sz = size as readonly number[];
  let o = opts ?? {};
  if (Array.isArray(high)) {
    [lo, hi, sz] = [0, low, high];
    if (size && !Array.isArray(size)) o = size as RandomOptions;
  }
  checkType(Array.isArray(sz), 'randint(): argument size must be a list of integers');
  check(lo < hi, () => `random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
  const [shape] = parseSize([sz], 'randint');
  const dtype = o.dtype ?? int32;
  const data = new dtype.ArrayType(numel(shape)) as Int32Array | Float32Array | Float64Array;
  (o.generator ?? defaultGenerator).randint(data, lo, hi);
  return make(data, dtype, shape, o);
}

/**
 * A random permutation of 0..n-1 (int32), as PyTorch's CPU randperm.
 * @example torch.randperm(5)
 */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  checkSizes([n], 'n');
  const perm = (opts.generator ?? defaultGenerator).randperm(n);
  const dtype = opts.dtype ?? int32;
  return make(dtype === int32 ? perm : new dtype.ArrayType(perm), dtype, [n], opts);
}

const likeOpts = (t: Tensor, o: CreateOptions): CreateOptions => ({ dtype: t.dtype, device: t.device, ...o });

/** Zeros shaped like `t`. @example torch.zerosLike(x) */
export function zerosLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  return full(t.shape, 0, likeOpts(t, opts));
}
/** Ones shaped like `t`. @example torch.onesLike(x) */
export function onesLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  return full(t.shape, 1, likeOpts(t, opts));
}
/** `value` shaped like `t`. @example torch.fullLike(x, 7) */
export function fullLike(t: Tensor, value: number, opts: CreateOptions = {}): Tensor {
  return full(t.shape, value, likeOpts(t, opts));
}
/** Zeros shaped like `t` (tsgrad memory is always initialised). @example torch.emptyLike(x) */
export function emptyLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  return full(t.shape, 0, likeOpts(t, opts));
}
/** Uniform samples shaped like `t`. @example torch.randLike(x) */
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return rand(t.shape, { dtype: t.dtype, ...opts });
}
/** Normal samples shaped like `t`. @example torch.randnLike(x) */
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return randn(t.shape, { dtype: t.dtype, ...opts });
}
