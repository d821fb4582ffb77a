/**
 * @file Activation and lookup primitives for nn: gelu (exact and tanh), silu, dropout (as PyTorch's CPU path: a
 * Bernoulli mask times the input) and embedding. Primitives for PyTorch's node names and numerical stability.
 */
import { bool, int32 } from '../core/dtype.js';
import { defaultGenerator, type Generator } from '../core/random.js';
import { contiguousStrides, numel } from '../core/shape.js';
import { fromBuf, makeTensor, Storage, type TensorImpl } from '../graph/tensor-impl.js';
import { applyOp, type OpSpec } from '../ops/define.js';
import { add, eq, erf, exp, gt, mul, sigmoid, sub, tanh, where } from '../ops/elementwise.js';
import {
  kBinary,
  kContiguous,
  kMatmul,
  kRelease,
  kUnary,
  kView,
  kWhere,
  kZeros,
  scalarLike,
} from '../ops/kernels.js';
import { type MmLayout, mmGrads, mmLayout } from '../ops/matmul.js';
import { reshape, scatterAdd, unsqueeze } from '../ops/movement.js';
import { check, fmtShape } from '../util/assert.js';

type T = TensorImpl;

const SQRT1_2 = Math.SQRT1_2;
const BETA_EXACT = (2 / Math.sqrt(Math.PI)) * SQRT1_2 * 0.5; // 1/√(2π)
const BETA_TANH = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5; // √(2/π)
const KAPPA = 0.044715;

const GeluSpec: OpSpec<'none' | 'tanh'> = {
  name: 'GeluBackward0',
  forward: ([x], approx) =>
    approx === 'tanh'
      ? mul(mul(x!, 0.5), add(1, tanh(mul(add(x!, mul(mul(mul(x!, x!), x!), KAPPA)), BETA_TANH))))
      : mul(mul(x!, 0.5), add(1, erf(mul(x!, SQRT1_2)))),
  save: [0],
  backward: (g, [x], _o, _n, approx) => {
    if (approx === 'tanh') {
      // d/dx ½x(1 + tanh u) = ½(1 + tanh u) + ½x(1 − tanh²u)·β(1 + 3κx²), u = β(x + κx³)
      const x2 = mul(x!, x!);
      const th = tanh(mul(add(x!, mul(mul(x2, x!), KAPPA)), BETA_TANH));
      const left = mul(add(1, th), 0.5);
      const right = mul(mul(mul(x!, 0.5), sub(1, mul(th, th))), mul(add(1, mul(x2, 3 * KAPPA)), BETA_TANH));
      return [mul(g, add(left, right))];
    }
    // d/dx xΦ(x) = Φ(x) + x·φ(x)
    const cdf = mul(add(1, erf(mul(x!, SQRT1_2))), 0.5);
    const pdf = mul(exp(mul(mul(x!, x!), -0.5)), BETA_EXACT);
    return [mul(g, add(cdf, mul(x!, pdf)))];
  },
};

/**
 * GELU: x·Φ(x), or its tanh approximation with `approximate: 'tanh'`.
 * @example geluOp(x, 'none')
 */
export function geluOp(x: T, approximate: 'none' | 'tanh'): T {
  check(
    approximate === 'none' || approximate === 'tanh',
    () => `approximate argument must be either none or tanh, got '${String(approximate)}'`,
  );
  return applyOp(GeluSpec, [x], approximate);
}

const SiluSpec: OpSpec<void> = {
  name: 'SiluBackward0',
  forward: ([x]) => kBinary('div', x!, onePlusExpNeg(x!), x!.dtype),
  save: [0],
  // d x·σ(x) = σ(x)·(1 + x·(1 − σ(x)))
  backward: (g, [x]) => {
    const s = sigmoid(x!);
    return [mul(g, mul(s, add(1, mul(x!, sub(1, s)))))];
  },
};

function onePlusExpNeg(x: T): T {
  return kBinary('add', kUnary('exp', kUnary('neg', x)), scalarLike(1, x), x.dtype);
}

/**
 * SiLU (swish): x·σ(x), computed as x / (1 + e⁻ˣ) like PyTorch's CPU kernel.
 * @example siluOp(x)
 */
export function siluOp(x: T): T {
  return applyOp(SiluSpec, [x], undefined);
}

/**
 * Dropout as PyTorch does it on the CPU: `x * (bernoulli(1 − p) / (1 − p))` (MulBackward0), with the same draws
 * from the generator as PyTorch for the same seed.
 * @example dropoutOp(x, 0.5, defaultGenerator)
 */
export function dropoutOp(x: T, p: number, generator: Generator = defaultGenerator): T {
  check(p >= 0 && p <= 1, () => `dropout probability has to be between 0 and 1, but got ${p}`);
  if (p === 1) return mul(x, kZeros([], x.dtype, x));
  const be = x.storage.backend;
  const n = numel(x.shape);
  const host = new x.dtype.ArrayType(n) as Float32Array | Float64Array;
  generator.bernoulli(host, 1 - p);
  const mask = makeTensor(new Storage(be, be.fromArray(x.dtype, host), x.dtype, n), x.shape);
  const noise = kBinary('div', mask, scalarLike(1 - p, x), x.dtype);
  return mul(x, noise);
}

// ---------------------------------------------------------------------------------------------------------------
// embedding

interface EmbP {
  readonly indices: T;
  readonly paddingIdx: number | null;
}

const EmbeddingSpec: OpSpec<EmbP> = {
  name: 'EmbeddingBackward0',
  forward: ([w], { indices }) => {
    const d = w!.shape[1]!;
    const flat = kContiguous(indices);
    const l = numel(indices.shape);
    const idx = kView(flat, [l, d], [1, 0], flat.offset);
    const be = w!.storage.backend;
    const out = fromBuf(be, be.gather(w!.strided, 0, idx.strided, [l, d], w!.dtype), w!.dtype, [l, d]);
    return kView(out, [...indices.shape, d], [...contiguousStrides(indices.shape).map((s) => s * d), 1], 0);
  },
  // rows of g added into zeros at their indices (the padding row gets none)
  backward: (g, [w], _o, _n, { indices, paddingIdx }) => {
    const [v, d] = w!.shape as [number, number];
    const l = numel(indices.shape);
    let gm = reshape(g, [l, d]);
    const flat = kContiguous(indices);
    const idx1 = kView(flat, [l], [1], flat.offset);
    if (paddingIdx !== null) gm = where(unsqueeze(eq(idx1, paddingIdx), 1), 0, gm);
    const idx = kView(flat, [l, d], [1, 0], flat.offset);
    return [scatterAdd(kZeros([v, d], g.dtype, g), 0, idx, gm)];
  },
};

/**
 * Looks up rows of `weight` [V, D] at int32 `indices` (any shape); the output is [...indices.shape, D].
 * @example embeddingOp(idx, w, null)
 */
export function embeddingOp(indices: T, weight: T, paddingIdx: number | null): T {
  check(
    indices.dtype === int32,
    () =>
      `Expected tensor for argument #1 'indices' to have scalar type int32; but got ${indices.dtype} instead ` +
      '(while checking arguments for embedding). Convert with .int() first.',
  );
  check(weight.shape.length === 2, () => `'weight' must be 2-D, got ${fmtShape(weight.shape)}`);
  const v = weight.shape[0]!;
  const be = indices.storage.backend;
  if (be.readSync) {
    const c = kContiguous(indices);
    const data = be.readSync(c.storage.buf, c.dtype);
    for (let i = 0; i < numel(c.shape); i++) {
      const k = data[c.offset + i]!;
      check(
        k >= 0 && k < v,
        () => `index out of range in self: index ${k} is not in [0, ${v}) (embedding has ${v} rows)`,
      );
    }
  }
  return applyOp(EmbeddingSpec, [weight], { indices, paddingIdx });
}

/**
 * A bool tensor, true where `x` equals `v` (used by losses with ignore_index).
 * @example equalsMask(target, -100)
 */
export function equalsMask(x: T, v: number): T {
  return kBinary('eq', x, scalarLike(v, x), x.dtype, bool);
}

// ---------------------------------------------------------------------------------------------------------------
// addmm (linear with a bias on 2-D input)

const AddmmSpec: OpSpec<MmLayout> = {
  name: 'AddmmBackward0',
  forward: ([b, m1, m2]) => {
    const [n, k] = m1!.shape as [number, number];
    const o = m2!.shape[1]!;
    const prod = kMatmul(
      kView(m1!, [1, n, k], [0, m1!.strides[0]!, m1!.strides[1]!], m1!.offset),
      kView(m2!, [1, k, o], [0, m2!.strides[0]!, m2!.strides[1]!], m2!.offset),
      m1!.dtype,
    );
    const y = kBinary('add', kView(prod, [n, o], [o, 1], 0), b!, m1!.dtype);
    kRelease(prod); // the product before the bias: no one else can see it
    return y;
  },
  save: ([, needA, needB]) => (needA && needB ? [1, 2] : needA ? [2] : needB ? [1] : []),
  // d(b + AB) = db + dA·B + A·dB; the engine sums db down to the bias's shape
  backward: (g, [, m1, m2], _o, [needBias, ...need], layout) => [
    needBias ? g : null,
    ...mmGrads(g, m1!, m2!, need, layout),
  ],
};

/**
 * `bias + mat1 @ mat2` for 2-D matrices (one AddmmBackward0 node, as nn.Linear records).
 * @example addmmOp(b, x, t(w))
 */
export function addmmOp(bias: T, mat1: T, mat2: T): T {
  return applyOp(AddmmSpec, [bias, mat1, mat2], mmLayout(mat1, mat2));
}

const LeakyReluSpec: OpSpec<number> = {
  name: 'LeakyReluBackward0',
  forward: ([x], slope) =>
    kWhere(
      kBinary('gt', x!, scalarLike(0, x!), x!.dtype, bool),
      x!,
      kBinary('mul', x!, scalarLike(slope, x!), x!.dtype),
      x!.dtype,
    ),
  save: [0],
  // slope 1 where x > 0, `slope` elsewhere
  backward: (g, [x], _o, _n, slope) => [where(gt(x!, 0), g, mul(g, slope))],
};

/**
 * Leaky ReLU: x where x > 0, else slope·x (one LeakyReluBackward0 node).
 * @example leakyReluOp(x, 0.01)
 */
export function leakyReluOp(x: T, slope: number): T {
  return applyOp(LeakyReluSpec, [x], slope);
}
