/**
 * @file Elementwise ops: arithmetic, unary math, comparisons, where, clamp, casts.
 * Each entry is the op's forward (one kernel) with its backward formula underneath, in PyTorch's node names.
 * Backward formulas return gradients in the output's shape; the engine sums broadcast dims away (sumTo).
 */
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { bool, type DType, float32 } from '../core/dtype.js';
import { TensorImpl } from '../graph/tensor-impl.js';
import { check, checkType, fmtShape } from '../util/assert.js';
import { applyOp, type OpSpec } from './define.js';
import { kBinary, kCast, kCopyInto, kUnary, kWhere, kZeros } from './kernels.js';
import { describe, type Operand, resultTypeOf, toTensors } from './operands.js';

type T = TensorImpl;
type Binary = (a: Operand, b: Operand) => T;
type Unary = (x: T) => T;

/** Floating dtype an op computes in for inputs of `dtype` (ints and bools become float32, as in PyTorch). */
const floatOf = (dtype: DType): DType => (dtype.isFloatingPoint ? dtype : float32);

// ---------------------------------------------------------------------------------------------------------------
// Binary arithmetic

const AddSpec: OpSpec<{ alpha: number; dtype: DType }> = {
  name: 'AddBackward0',
  forward: ([a, b], { alpha, dtype }) =>
    kBinary('add', a!, alpha === 1 ? b! : kBinary('mul', b!, scalar(alpha, b!), dtype), dtype),
  backward: (g, _, _out, _n, { alpha }) => [g, alpha === 1 ? g : mul(g, alpha)], // d(a + αb) = da + α·db
};

const SubSpec: OpSpec<{ alpha: number; dtype: DType }> = {
  name: 'SubBackward0',
  forward: ([a, b], { alpha, dtype }) =>
    kBinary('sub', a!, alpha === 1 ? b! : kBinary('mul', b!, scalar(alpha, b!), dtype), dtype),
  backward: (g, _, _out, _n, { alpha }) => [g, alpha === 1 ? neg(g) : mul(g, -alpha)], // d(a − αb) = da − α·db
};

const MulSpec: OpSpec<DType> = {
  name: 'MulBackward0',
  forward: ([a, b], dtype) => kBinary('mul', a!, b!, dtype),
  save: ([needA, needB]) => (needA && needB ? [0, 1] : needA ? [1] : needB ? [0] : []),
  backward: (g, [a, b], _out, [needA, needB]) => [needA ? mul(g, b!) : null, needB ? mul(g, a!) : null], // d(ab) = b·da + a·db
};

const DivSpec: OpSpec<DType> = {
  name: 'DivBackward0',
  forward: ([a, b], dtype) => kBinary('div', a!, b!, dtype),
  save: ([, needB]) => (needB ? [0, 1] : [1]),
  // d(a/b) = da/b − a·db/b²
  backward: (g, [a, b], _out, [needA, needB]) => [
    needA ? div(g, b!) : null,
    needB ? div(mul(neg(g), a!), mul(b!, b!)) : null,
  ],
};

const PowScalarSpec: OpSpec<{ e: number; dtype: DType }> = {
  name: 'PowBackward0',
  forward: ([x], { e, dtype }) => kBinary('pow', x!, scalar(e, x!), dtype),
  save: [0],
  // d xᵉ = e·xᵉ⁻¹·dx (zero for e = 0)
  backward: (g, [x], _out, _n, { e }) => [e === 0 ? zerosLike(g) : mul(g, mul(pow(x!, e - 1), e))],
};

const PowTensorSpec: OpSpec<DType> = {
  name: 'PowBackward1',
  forward: ([x, y], dtype) => kBinary('pow', x!, y!, dtype),
  save: [0, 1],
  saveOutput: true,
  // d xʸ = y·xʸ⁻¹·dx + xʸ·ln(x)·dy (the second term is 0 where x = 0 and y ≥ 0)
  backward: (g, [x, y], out, [needX, needY]) => [
    needX ? where(eq(y!, 0), 0, mul(g, mul(y!, pow(x!, sub(y!, 1))))) : null,
    needY ? mul(g, where(logicalAnd(eq(x!, 0), ge(y!, 0)), 0, mul(out, log(x!)))) : null,
  ],
};

const PowScalarBaseSpec: OpSpec<{ base: number; dtype: DType }> = {
  name: 'PowBackward2',
  forward: ([y], { base, dtype }) => kBinary('pow', scalar(base, y!), y!, dtype),
  save: [0],
  saveOutput: true,
  // d bʸ = bʸ·ln(b)·dy
  backward: (g, [y], out, _n, { base }) => [
    base === 0 ? where(ge(y!, 0), 0, mul(g, mul(out, Math.log(base)))) : mul(g, mul(out, Math.log(base))),
  ],
};

function minMaxSpec(name: string, op: 'maximum' | 'minimum'): OpSpec<DType> {
  return {
    name,
    forward: ([a, b], dtype) => kBinary(op, a!, b!, dtype),
    save: [0, 1],
    // the gradient goes to the larger (smaller) input, split in half on ties
    backward: (g, [a, b], _out, [needA, needB]) => {
      const wins = op === 'maximum' ? gt : lt;
      const half = where(eq(a!, b!), div(g, 2), g);
      return [needA ? where(wins(b!, a!), 0, half) : null, needB ? where(wins(a!, b!), 0, half) : null];
    },
  };
}
const MaximumSpec = minMaxSpec('MaximumBackward0', 'maximum');
const MinimumSpec = minMaxSpec('MinimumBackward0', 'minimum');

function scalar(v: number, like: T): T {
  return toTensors('scalar', [like, v])[0][1]!;
}

/** The parameters of add and sub; alpha = 1 (nearly every call) shares one frozen object per dtype, as nodes keep it. */
const unitAlpha = new Map<DType, { readonly alpha: number; readonly dtype: DType }>();
function alphaParams(alpha: number, dtype: DType): { readonly alpha: number; readonly dtype: DType } {
  if (alpha !== 1) return { alpha, dtype };
  let p = unitAlpha.get(dtype);
  if (!p) unitAlpha.set(dtype, (p = Object.freeze({ alpha, dtype })));
  return p;
}

/** PyTorch's alpha_check: integral results take only integral alphas. */
function checkAlpha(alpha: number, dtype: DType): void {
  check(
    alpha === 1 || dtype.isFloatingPoint || Number.isInteger(alpha),
    () =>
      `For integral input tensors, argument alpha must not be a floating point number. Got alpha=${alpha} for a ` +
      `${dtype} result.`,
  );
}

/** PyTorch's sub_check: no subtraction with bool tensors (JS booleans count as bool tensors, as Python's do). */
function checkSub(a: Operand, b: Operand): void {
  const isBool = (o: Operand): boolean =>
    typeof o === 'boolean' ? true : typeof o === 'object' && o.dtype === bool;
  check(
    !(isBool(a) && isBool(b)),
    'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logicalXor()` operator instead.',
  );
  check(
    !isBool(a) && !isBool(b),
    'Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use ' +
      'the `~` or `logicalNot()` operator instead.',
  );
}

/**
 * Elementwise `a + alpha·b` with broadcasting; numbers accepted on either side.
 * @example torch.add(x, 1) ; torch.add(a, b, { alpha: 2 })
 */
export function add(a: Operand, b: Operand, opts?: { alpha?: number }): T {
  const [[x, y], dtype] = toTensors('add', [a, b]);
  const alpha = opts?.alpha ?? 1;
  checkAlpha(alpha, dtype);
  return applyOp(AddSpec, [x!, y!], alphaParams(alpha, dtype));
}

/**
 * Elementwise `a − alpha·b` with broadcasting.
 * @example torch.sub(x, 1) ; torch.sub(1, x)
 */
export function sub(a: Operand, b: Operand, opts?: { alpha?: number }): T {
  const [[x, y], dtype] = toTensors('sub', [a, b]);
  checkSub(a, b);
  const alpha = opts?.alpha ?? 1;
  checkAlpha(alpha, dtype);
  return applyOp(SubSpec, [x!, y!], alphaParams(alpha, dtype));
}

/**
 * Elementwise product with broadcasting.
 * @example torch.mul(w, x) ; torch.mul(3, x)
 */
export const mul: Binary = (a, b) => {
  const [[x, y], dtype] = toTensors('mul', [a, b]);
  return applyOp(MulSpec, [x!, y!], dtype);
};

/**
 * Elementwise true division (integers divide as floats), with broadcasting.
 * @example torch.div(x, 2)
 */
export const div: Binary = (a, b) => {
  const [[x, y], dtype] = toTensors('div', [a, b]);
  return applyOp(DivSpec, [x!, y!], floatOf(dtype));
};

/**
 * Elementwise power: tensor ** number, tensor ** tensor, or number ** tensor.
 * @example torch.pow(x, 2) ; torch.pow(2, x)
 */
export const pow: Binary = (a, b) => {
  const [[x, y], dtype] = toTensors('pow', [a, b]);
  check(
    !(typeof b === 'number' && b < 0 && Number.isInteger(b) && !dtype.isFloatingPoint),
    () =>
      `Integers to negative integer powers are not allowed. Got a ${x!.dtype} tensor to the power ${b}; convert ` +
      'with .float() first.',
  );
  if (typeof b === 'number' && typeof a !== 'number') return applyOp(PowScalarSpec, [x!], { e: b, dtype });
  if (typeof a === 'number') return applyOp(PowScalarBaseSpec, [y!], { base: a, dtype });
  return applyOp(PowTensorSpec, [x!, y!], dtype);
};

/**
 * Elementwise maximum (NaN propagates).
 * @example torch.maximum(a, b)
 */
export const maximum: Binary = (a, b) => {
  const [[x, y], dtype] = toTensors('maximum', [a, b]);
  return applyOp(MaximumSpec, [x!, y!], dtype);
};

/**
 * Elementwise minimum (NaN propagates).
 * @example torch.minimum(a, b)
 */
export const minimum: Binary = (a, b) => {
  const [[x, y], dtype] = toTensors('minimum', [a, b]);
  return applyOp(MinimumSpec, [x!, y!], dtype);
};

// ---------------------------------------------------------------------------------------------------------------
// Comparisons and logic (no gradient; bool results)

function compare(op: BinaryOp): Binary {
  return (a, b) => {
    const [[x, y], dtype] = toTensors(op, [a, b]);
    return kBinary(op, x!, y!, dtype, bool);
  };
}
/** `a == b` elementwise. @example torch.eq(x, 0) */
export const eq: Binary = compare('eq');
/** `a != b` elementwise. @example torch.ne(x, 0) */
export const ne: Binary = compare('ne');
/** `a < b` elementwise. @example torch.lt(x, 0) */
export const lt: Binary = compare('lt');
/** `a <= b` elementwise. @example torch.le(x, 0) */
export const le: Binary = compare('le');
/** `a > b` elementwise. @example torch.gt(x, 0) */
export const gt: Binary = compare('gt');
/** `a >= b` elementwise. @example torch.ge(x, 0) */
export const ge: Binary = compare('ge');
/** Logical and of truthiness. @example torch.logicalAnd(a, b) */
export const logicalAnd: Binary = (a, b) => {
  const [[x, y]] = toTensors('logicalAnd', [a, b]);
  return kBinary('and', x!, y!, x!.dtype === y!.dtype ? x!.dtype : float32, bool);
};
/** Logical or of truthiness. @example torch.logicalOr(a, b) */
export const logicalOr: Binary = (a, b) => {
  const [[x, y]] = toTensors('logicalOr', [a, b]);
  return kBinary('or', x!, y!, x!.dtype === y!.dtype ? x!.dtype : float32, bool);
};
/** Logical not. @example torch.logicalNot(mask) */
export const logicalNot: Unary = (x) => kUnary('not', x, bool, x.dtype);
/** True where NaN. @example torch.isnan(x) */
export const isnan: Unary = (x) => kUnary('isnan', x, bool, x.dtype);

// ---------------------------------------------------------------------------------------------------------------
// where

/** The condition is a parameter, not an input: PyTorch's WhereBackward0 has edges for self and other only. */
const WhereSpec: OpSpec<{ cond: T; dtype: DType }> = {
  name: 'WhereBackward0',
  forward: ([a, b], { cond, dtype }) => kWhere(cond, a!, b!, dtype),
  backward: (g, _i, _out, [needA, needB], { cond }) => [
    needA ? where(cond, g, 0) : null,
    needB ? where(cond, 0, g) : null,
  ],
};

/**
 * `condition ? a : b` elementwise, with broadcasting; numbers accepted for `a` and `b`.
 * @example torch.where(x.gt(0), x, 0)
 */
export function where(condition: T, a: Operand, b: Operand): T {
  const [[x, y], dtype] = toTensors('where', [a, b]);
  check(
    condition.dtype === bool,
    () =>
      `where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype.name}`,
  );
  return applyOp(WhereSpec, [x!, y!], { cond: condition, dtype });
}

// ---------------------------------------------------------------------------------------------------------------
// Unary math

interface UnaryDef {
  readonly op: UnaryOp;
  readonly name: string;
  /** 'float': ints compute in float32 (exp, log…); 'same': keep the dtype (neg, abs…). */
  readonly kind: 'float' | 'same';
  readonly saveInput?: boolean;
  readonly saveOutput?: boolean;
  readonly backward: (g: T, x: T, out: T) => T;
  /** Set where PyTorch refuses bool inputs: the error message. */
  readonly boolError?: string;
}

const noBool = (op: string): string =>
  `${op}(): not implemented for 'Bool' tensors (as in PyTorch). Convert with .int() or .float() first.`;

function unary(def: UnaryDef): Unary {
  const spec: OpSpec<DType> = {
    name: def.name,
    forward: ([x], dtype) => kUnary(def.op, x!, dtype),
    ...(def.saveInput ? { save: [0] } : {}),
    ...(def.saveOutput ? { saveOutput: true } : {}),
    backward: (g, [x], out) => [def.backward(g, x!, out)],
  };
  return (x) => {
    checkType(
      x instanceof TensorImpl,
      () => `${def.op}(): argument 'input' (position 1) must be Tensor, not ${describe(x)}`,
    );
    check(!(def.boolError && x.dtype === bool), () => def.boolError!);
    return applyOp(spec, [x], def.kind === 'float' ? floatOf(x.dtype) : x.dtype);
  };
}

const zerosGrad = (g: T): T => zerosLike(g);

/** −x. @example torch.neg(x) */
export const neg: Unary = unary({
  op: 'neg',
  name: 'NegBackward0',
  kind: 'same',
  backward: (g) => neg(g),
  boolError:
    'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` ' +
    'or `logicalNot()` operator instead.',
});
/** |x|. @example torch.abs(x) */
export const abs: Unary = unary({
  op: 'abs',
  name: 'AbsBackward0',
  kind: 'same',
  boolError: noBool('abs'),
  saveInput: true,
  backward: (g, x) => mul(g, sign(x)), // d|x| = sign(x)·dx
});
/** eˣ. @example torch.exp(x) */
export const exp: Unary = unary({
  op: 'exp',
  name: 'ExpBackward0',
  kind: 'float',
  saveOutput: true,
  backward: (g, _x, out) => mul(g, out), // d eˣ = eˣ·dx
});
/** Natural logarithm. @example torch.log(x) */
export const log: Unary = unary({
  op: 'log',
  name: 'LogBackward0',
  kind: 'float',
  saveInput: true,
  backward: (g, x) => div(g, x), // d ln x = dx / x
});
/** √x. @example torch.sqrt(x) */
export const sqrt: Unary = unary({
  op: 'sqrt',
  name: 'SqrtBackward0',
  kind: 'float',
  saveOutput: true,
  backward: (g, _x, out) => div(g, mul(out, 2)), // d √x = dx / (2√x)
});
/** 1/√x. @example torch.rsqrt(x) */
export const rsqrt: Unary = unary({
  op: 'rsqrt',
  name: 'RsqrtBackward0',
  kind: 'float',
  saveOutput: true,
  backward: (g, _x, out) => mul(mul(g, -0.5), pow(out, 3)), // d x^(−½) = −½·x^(−3/2)·dx
});
/** sin x. @example torch.sin(x) */
export const sin: Unary = unary({
  op: 'sin',
  name: 'SinBackward0',
  kind: 'float',
  saveInput: true,
  backward: (g, x) => mul(g, cos(x)),
});
/** cos x. @example torch.cos(x) */
export const cos: Unary = unary({
  op: 'cos',
  name: 'CosBackward0',
  kind: 'float',
  saveInput: true,
  backward: (g, x) => mul(g, neg(sin(x))),
});
// Fused gradients of tanh, sigmoid and relu from their outputs: one pass instead of two or three (PyTorch's
// tanh_backward, sigmoid_backward and threshold_backward), and differentiable again, with PyTorch's node names.

const TanhBackwardSpec: OpSpec<void> = {
  name: 'TanhBackwardBackward0',
  forward: ([g, y]) => kBinary('tanhBackward', g!, y!, y!.dtype),
  save: [0, 1],
  backward: (gg, [g, y], _o, [needG, needY]) => [
    needG ? tanhBackward(gg, y!) : null,
    needY ? mul(mul(gg, g!), mul(y!, -2)) : null, // ∂/∂y g(1 − y²) = −2yg
  ],
};
const SigmoidBackwardSpec: OpSpec<void> = {
  name: 'SigmoidBackwardBackward0',
  forward: ([g, y]) => kBinary('sigmoidBackward', g!, y!, y!.dtype),
  save: [0, 1],
  backward: (gg, [g, y], _o, [needG, needY]) => [
    needG ? sigmoidBackward(gg, y!) : null,
    needY ? mul(mul(gg, g!), sub(1, mul(y!, 2))) : null, // ∂/∂y g(1 − y)y = g(1 − 2y)
  ],
};
const ReluBackwardSpec: OpSpec<void> = {
  name: 'ThresholdBackwardBackward0',
  forward: ([g, y]) => kBinary('reluBackward', g!, y!, y!.dtype),
  save: [1],
  backward: (gg, [, y], _o, [needG]) => [needG ? reluBackward(gg, y!) : null, null], // a step: zero almost everywhere
};
/** g·(1 − y²): the gradient through y = tanh(x). @example tanhBackward(g, y) */
export const tanhBackward = (g: T, y: T): T => applyOp(TanhBackwardSpec, [g, y], undefined);
/** g·(1 − y)·y: the gradient through y = sigmoid(x). @example sigmoidBackward(g, y) */
export const sigmoidBackward = (g: T, y: T): T => applyOp(SigmoidBackwardSpec, [g, y], undefined);
/** y ≤ 0 ? 0 : g: the gradient through y = relu(x). @example reluBackward(g, y) */
export const reluBackward = (g: T, y: T): T => applyOp(ReluBackwardSpec, [g, y], undefined);

/** tanh x. @example torch.tanh(x) */
export const tanh: Unary = unary({
  op: 'tanh',
  name: 'TanhBackward0',
  kind: 'float',
  saveOutput: true,
  backward: (g, _x, out) => tanhBackward(g, out), // d tanh = (1 − tanh²)·dx
});
/** Logistic sigmoid 1/(1+e⁻ˣ) (a primitive for numerical stability and PyTorch's node name). @example torch.sigmoid(x) */
export const sigmoid: Unary = unary({
  op: 'sigmoid',
  name: 'SigmoidBackward0',
  kind: 'float',
  saveOutput: true,
  backward: (g, _x, out) => sigmoidBackward(g, out), // dσ = σ(1 − σ)·dx
});
/** max(x, 0). @example torch.relu(x) */
export const relu: Unary = unary({
  op: 'relu',
  name: 'ReluBackward0',
  kind: 'same',
  boolError: 'relu(): Boolean inputs not supported for relu. Convert with .float() first.',
  saveOutput: true,
  backward: (g, _x, out) => reluBackward(g, out),
});
/** −1, 0 or 1 (no gradient: zeros). @example torch.sign(x) */
export const sign: Unary = unary({ op: 'sign', name: 'SignBackward0', kind: 'same', backward: zerosGrad });
/** 1/x. @example torch.reciprocal(x) */
export const reciprocal: Unary = unary({
  op: 'reciprocal',
  name: 'ReciprocalBackward0',
  kind: 'float',
  saveOutput: true,
  backward: (g, _x, out) => mul(neg(g), mul(out, out)), // d(1/x) = −dx/x²
});
/** x² (recorded as PowBackward0, as in PyTorch). @example torch.square(x) */
export const square: Unary = (x) => {
  checkType(
    x instanceof TensorImpl,
    () => `square(): argument 'input' (position 1) must be Tensor, not ${describe(x)}`,
  );
  return pow(x, 2);
};
/** Rounds down. @example torch.floor(x) */
export const floor: Unary = unary({
  op: 'floor',
  name: 'FloorBackward0',
  kind: 'same',
  backward: zerosGrad,
  boolError: noBool('floor'),
});
/** Rounds up. @example torch.ceil(x) */
export const ceil: Unary = unary({
  op: 'ceil',
  name: 'CeilBackward0',
  kind: 'same',
  backward: zerosGrad,
  boolError: noBool('ceil'),
});
/** Rounds half to even. @example torch.round(x) */
export const round: Unary = unary({
  op: 'round',
  name: 'RoundBackward0',
  kind: 'same',
  backward: zerosGrad,
  boolError: noBool('round'),
});
/** Rounds toward zero. @example torch.trunc(x) */
export const trunc: Unary = unary({
  op: 'trunc',
  name: 'TruncBackward0',
  kind: 'same',
  backward: zerosGrad,
  boolError: noBool('trunc'),
});
/** Gauss error function. @example torch.erf(x) */
export const erf: Unary = unary({
  op: 'erf',
  name: 'ErfBackward0',
  kind: 'float',
  saveInput: true,
  backward: (g, x) => mul(mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)), g), // d erf = 2/√π·e^(−x²)·dx
});
/** ln(1 + x). @example torch.log1p(x) */
export const log1p: Unary = unary({
  op: 'log1p',
  name: 'Log1PBackward0',
  kind: 'float',
  saveInput: true,
  backward: (g, x) => div(g, add(x, 1)),
});
/** eˣ − 1. @example torch.expm1(x) */
export const expm1: Unary = unary({
  op: 'expm1',
  name: 'Expm1Backward0',
  kind: 'float',
  saveOutput: true,
  backward: (g, _x, out) => mul(g, add(out, 1)),
});

// ---------------------------------------------------------------------------------------------------------------
// clamp

const ClampScalarSpec: OpSpec<{ min: number | null; max: number | null; dtype: DType }> = {
  name: 'ClampBackward1',
  forward: ([x], { min, max, dtype }) => {
    let r = x!;
    if (min !== null) r = kBinary('maximum', r, scalar(min, x!), dtype);
    if (max !== null) r = kBinary('minimum', r, scalar(max, x!), dtype);
    return r;
  },
  save: [0],
  // the gradient passes where min ≤ x ≤ max
  backward: (g, [x], _out, _n, { min, max }) => {
    let inside: T | null = null;
    if (min !== null) inside = ge(x!, min);
    if (max !== null) inside = inside ? logicalAnd(inside, le(x!, max)) : le(x!, max);
    return [where(inside!, g, 0)];
  },
};

const ClampTensorSpec: OpSpec<{ hasMin: boolean; hasMax: boolean; dtype: DType }> = {
  name: 'ClampBackward0',
  forward: ([x, lo, hi], { hasMin, hasMax, dtype }) => {
    let r = x!;
    if (hasMin) r = kBinary('maximum', r, lo!, dtype);
    if (hasMax) r = kBinary('minimum', r, hi!, dtype);
    return r;
  },
  save: [0, 1, 2],
  // PyTorch's clamp_backward_min_max: where min > max the result is max, so max gets the gradient
  backward: (g, [x, lo, hi], _out, [needX, needLo, needHi], { hasMin, hasMax }) => {
    if (hasMin && hasMax)
      return [
        needX ? where(logicalAnd(ge(x!, lo!), le(x!, hi!)), g, 0) : null,
        needLo ? where(logicalAnd(lt(x!, lo!), lt(lo!, hi!)), g, 0) : null,
        needHi ? where(logicalOr(gt(x!, hi!), lt(hi!, lo!)), g, 0) : null,
      ];
    if (hasMin)
      return [needX ? where(ge(x!, lo!), g, 0) : null, needLo ? where(lt(x!, lo!), g, 0) : null, null];
    return [needX ? where(le(x!, hi!), g, 0) : null, null, needHi ? where(gt(x!, hi!), g, 0) : null];
  },
};

/** Bounds of clamp: numbers, tensors, or null for no bound. @example { min: 0, max: 1 } */
export interface ClampBounds {
  min?: number | T | null;
  max?: number | T | null;
}

/**
 * Limits every element to [min, max] (either bound may be omitted).
 * @example torch.clamp(x, { min: 0, max: 1 }) ; torch.clamp(x, -1, 1)
 */
export function clamp(x: T, min?: number | T | null | ClampBounds, max?: number | T | null): T {
  let lo: number | T | null | undefined = min as number | T | null | undefined;
  let hi: number | T | null | undefined = max;
  if (min !== null && typeof min === 'object' && !isTensor(min)) {
    lo = (min as ClampBounds).min;
    hi = (min as ClampBounds).max;
  }
  lo ??= null;
  hi ??= null;
  check(lo !== null || hi !== null, "torch.clamp: At least one of 'min' or 'max' must not be None");
  // the result dtype promotes over the bounds given, as torch.result_type(x, min, max)
  const dtype = resultTypeOf([x, ...(lo === null ? [] : [lo]), ...(hi === null ? [] : [hi])]);
  if ((lo === null || typeof lo === 'number') && (hi === null || typeof hi === 'number'))
    return applyOp(ClampScalarSpec, [x], { min: lo, max: hi, dtype });
  const [[t, l, h]] = toTensors('clamp', [x, lo ?? 0, hi ?? 0]);
  return applyOp(ClampTensorSpec, [t!, l!, h!], { hasMin: lo !== null, hasMax: hi !== null, dtype });
}

function isTensor(v: unknown): v is T {
  return typeof v === 'object' && v !== null && 'storage' in v;
}

// ---------------------------------------------------------------------------------------------------------------
// casts

const ToCopySpec: OpSpec<DType> = {
  name: 'ToCopyBackward0',
  forward: ([x], dtype) => (kCast(x!, dtype) === x ? kUnary('copy', x!) : kCast(x!, dtype)),
  backward: (g) => [g], // the engine casts the gradient back to the input's dtype
};

/**
 * A copy of `x` converted to `dtype` (differentiable between float dtypes).
 * @example torch.toDtype(x, torch.float64)
 */
export function toDtype(x: T, dtype: DType): T {
  if (x.dtype === dtype) return x;
  return applyOp(ToCopySpec, [x], dtype);
}

const CopySpec: OpSpec<void> = {
  name: 'CopyBackwards',
  forward: ([self, src]) => {
    const out = kZeros(self!.shape, self!.dtype, self!);
    kCopyInto(out, src!);
    return out;
  },
  // the old value is overwritten (zero gradient); the source gets the gradient, summed to its shape by the engine
  backward: (g, _i, _o, [needSelf, needSrc]) => [needSelf ? zerosLike(g) : null, needSrc ? g : null],
};

/**
 * The value `copy_` writes: `src` broadcast to `self`'s shape and cast to its dtype (recorded as CopyBackwards).
 * @example copyInto(x, y)
 */
export function copyInto(self: T, src: T): T {
  let fits = src.shape.length <= self.shape.length;
  for (let i = 1; fits && i <= src.shape.length; i++) {
    const s = src.shape[src.shape.length - i]!;
    fits = s === 1 || s === self.shape[self.shape.length - i];
  }
  check(
    fits,
    () =>
      `copy_: the source of shape ${fmtShape(src.shape)} cannot be broadcast to the destination's shape ` +
      `${fmtShape(self.shape)}; reshape or expand the source first`,
  );
  return applyOp(CopySpec, [self, src], undefined);
}

/**
 * Zeros with `x`'s shape, dtype and device.
 * @example zerosLike(g)
 */
export function zerosLike(x: T, dtype: DType = x.dtype): T {
  return kZeros(x.shape, dtype, x);
}
