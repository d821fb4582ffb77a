/**
 * @file The shared parity helper of the op tests: rebuilds the inputs of a case of test/fixtures/ops.json (written by
 * scripts/fixtures/ops.py from PyTorch 1.13), runs the tsgrad op, and checks values, shapes, dtypes, views, grad_fn
 * names, every input gradient, errors, printing and gradcheck.
 *
 * Deliberate differences from PyTorch that the checks allow for (Note [tsgrad vs PyTorch]):
 * - tsgrad has no int64: PyTorch's int64 results (sum of ints, argmax, indices...) are int32, and index tensors
 *   (gather, indexSelect, scatterAdd) are int32. The fixture already writes int64 as 'int32'.
 * - JS has one number type: a JS number is PyTorch's Python int when it is integral and a Python float otherwise
 *   (so `x.add(2.0)` is `x + 2`); numbers without a tensor default to float32. The fixture passes integral floats to
 *   PyTorch as ints.
 * - tsgrad computes float32 kernels in double precision and rounds once, so float32 results may differ from
 *   PyTorch's float32 arithmetic by a few ulps (and more after cancellation): float32 compares with a relative
 *   tolerance of 1e-5 plus an absolute one scaled by the largest expected magnitude; ints and bools are exact.
 * - grad_fn names follow PyTorch 2.x where 1.13 differs: see GRAD_FN_ALIASES and GRAD_FN_CASE_OVERRIDES.
 * - tsgrad accepts JS numbers on either side of the comparisons (PyTorch's torch.lt(1, x) is a TypeError; `1 < x`
 *   works): the fixture computes those through Python's reflected operators. maximum/minimum accept numbers too
 *   (PyTorch refuses them); the fixture has no such cases.
 * - where takes numbers for either branch as in PyTorch 2.x; 1.13 does not, so the fixture passes 0-dim tensors of
 *   the number's default dtype (the same promotion).
 * - var/std of a single element: 1.13 returns a wrong-shaped (or infinite) gradient, fixed in 2.x: the fixture
 *   records values only.
 * - Error messages keep PyTorch's wording where it names the problem, but name tsgrad's camelCase functions and
 *   int32, and add how to fix it: error cases check PyTorch's key phrases case-insensitively.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';

type Value = number | 'nan' | 'inf' | '-inf';
type DTypeName = 'float32' | 'float64' | 'int32' | 'bool';

/** A tensor argument of a case. @example { $t: 1, shape: [2], dtype: 'float32', data: [1, 2], view: [], requiresGrad: true } */
export interface TensorSpec {
  $t: 1;
  shape: number[];
  dtype: DTypeName;
  data: Value[];
  view: [string, ...unknown[]][];
  requiresGrad: boolean;
  index?: 1;
}

/** An expected tensor (output or gradient). @example { shape: [2], dtype: 'float32', data: [1, 2] } */
export interface ExpectedTensor {
  shape: number[];
  dtype: DTypeName;
  data: Value[];
  gradFn?: string | null;
  view?: { strides: number[]; offset: number };
}

/** One case of test/fixtures/ops.json. @example loadOpCases('reduce')[0] */
export interface OpCase {
  group: string;
  op: string;
  name: string;
  method: boolean;
  args: unknown[];
  kwargs: Record<string, unknown>;
  out?: ExpectedTensor[];
  upstream?: (ExpectedTensor | null)[];
  grads?: (ExpectedTensor | null)[];
  gradcheck?: boolean;
  gradgradcheck?: boolean;
  repr?: string;
  error?: { phrases: string[]; message: string };
}

/** Kinds of operands in a promotion case: a tensor of a dtype and rank, or a JS number/boolean. */
export type PromotionOperand = { dtype: DTypeName; dim: number } | number | boolean;

/** x.view(target) of a strided x in PyTorch: the result's geometry, or the error. */
export interface ViewCase {
  shape: number[];
  strides: number[];
  target: number[];
  out?: { shape: number[]; strides: number[] };
  error?: string;
}

interface OpsFixture {
  torch: string;
  cases: OpCase[];
  promotion: [PromotionOperand, PromotionOperand, DTypeName][];
  views: ViewCase[];
}

let fixture: OpsFixture | null = null;

/** The parsed fixture (read once). @example opsFixture().torch // '1.13.0' */
export function opsFixture(): OpsFixture {
  fixture ??= JSON.parse(
    readFileSync(new URL('../fixtures/ops.json', import.meta.url), 'utf8'),
  ) as OpsFixture;
  return fixture;
}

/** The cases of one group (elementwise, reduce, matmul, movement, activation). @example loadOpCases('matmul') */
export function loadOpCases(group: string): OpCase[] {
  return opsFixture().cases.filter((c) => c.group === group);
}

/**
 * grad_fn names of PyTorch 1.13 (the fixture) that PyTorch 2.x, and tsgrad, spell differently.
 * - reshape of a viewable tensor: 1.13 records `_reshape_alias`; 2.x reshapes through `view`.
 * - torch.norm: 1.13 dispatches to `norm.ScalarOpt_dim`; 2.x to `linalg_vector_norm`.
 * - squeeze_(dim) (matmul of a vector by a matrix): 2.x added squeeze.dims, shifting the in-place overload numbers.
 */
export const GRAD_FN_ALIASES: Readonly<Record<string, string>> = {
  ReshapeAliasBackward0: 'ViewBackward0',
  NormBackward0: 'LinalgVectorNormBackward0',
  NormBackward1: 'LinalgVectorNormBackward0',
  SqueezeBackward3: 'SqueezeBackward4',
};

/**
 * grad_fn names of single cases (by case name) where 1.13's differs from 2.x's for one code path only.
 * - matrix @ batch: 1.13 transposes, multiplies and copies (`.contiguous()`, CloneBackward0); 2.x runs bmm and ends
 *   with `_unsafe_view`, as for every other batched product.
 */
export const GRAD_FN_CASE_OVERRIDES: Readonly<Record<string, string>> = {
  'matmul(float32[2, 3], float32[2, 3, 4])': 'UnsafeViewBackward0',
};

/** The tsgrad (PyTorch 2.x) name of a PyTorch 1.13 grad_fn name. @example gradFnName('ReshapeAliasBackward0') // 'ViewBackward0' */
export function gradFnName(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  return GRAD_FN_ALIASES[name] ?? name;
}

const DTYPES: Record<DTypeName, torch.DType> = {
  float32: torch.float32,
  float64: torch.float64,
  int32: torch.int32,
  bool: torch.bool,
};

/** A fixture value as a number. @example decode('nan') // NaN */
export function decode(v: Value): number {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return v;
}

function isSpec(v: unknown): v is TensorSpec {
  return typeof v === 'object' && v !== null && '$t' in v;
}

type Method = (...a: unknown[]) => unknown;
const call = (obj: unknown, name: string, args: unknown[]): unknown => {
  const fn = (obj as Record<string, Method>)[name];
  if (typeof fn !== 'function') throw new Error(`test helper: no function ${name}`);
  return fn.apply(obj, args);
};

/**
 * The tensor a spec describes: its base data, then its views, detached (a leaf) and requiring grad as recorded.
 * `floatDtype` replaces the dtype of floating-point specs (gradcheck runs in float64).
 * @example buildTensor(spec) ; buildTensor(spec, torch.float64)
 */
export function buildTensor(spec: TensorSpec, floatDtype?: torch.DType): Tensor {
  let dtype = DTYPES[spec.dtype];
  if (floatDtype && dtype.isFloatingPoint) dtype = floatDtype;
  const data = Float64Array.from(spec.data, decode);
  let x = torch.tensor(Array.from(data), { dtype }).reshape(spec.shape);
  for (const [name, ...args] of spec.view) x = call(x, name, args) as Tensor;
  x = x.detach();
  if (spec.requiresGrad) x.requiresGrad_(true);
  return x;
}

/** Arguments of a case decoded: tensors built, `{$n}` numbers and `{$dtype}` dtypes resolved. */
export interface BuiltArgs {
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** Every tensor argument in order (lists flattened). */
  tensors: Tensor[];
}

/**
 * Builds the arguments of a case.
 * @example const { args, tensors } = buildArgs(c);
 */
export function buildArgs(c: Pick<OpCase, 'args' | 'kwargs'>, floatDtype?: torch.DType): BuiltArgs {
  const tensors: Tensor[] = [];
  const dec = (v: unknown): unknown => {
    if (isSpec(v)) {
      const t = buildTensor(v, floatDtype);
      tensors.push(t);
      return t;
    }
    if (Array.isArray(v)) return v.map(dec);
    if (typeof v === 'object' && v !== null) {
      if ('$n' in v) return decode((v as { $n: Value }).$n);
      if ('$dtype' in v) return DTYPES[(v as { $dtype: DTypeName }).$dtype];
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dec(x)]));
    }
    return v;
  };
  const args = (c.args as unknown[]).map(dec);
  const kwargs = dec(c.kwargs) as Record<string, unknown>;
  return { args, kwargs, tensors };
}

/** Calls that are not `torch[op](...args, kwargs)` or `self[op](...rest, kwargs)`. */
const SPECIAL_CALLS: Record<string, (args: unknown[]) => unknown> = {
  T: ([x]) => (x as Tensor).T,
  mT: ([x]) => (x as Tensor).mT,
};

/**
 * Runs op `op` of tsgrad: `torch[op](...args, kwargs?)`, or the method `args[0][op](...rest, kwargs?)`.
 * @example callOp('add', [x, 2], { alpha: 3 }, false)
 */
export function callOp(
  op: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  method: boolean,
): unknown {
  const special = SPECIAL_CALLS[op];
  if (special) return special(args);
  const extra = Object.keys(kwargs).length > 0 ? [kwargs] : [];
  if (method) return call(args[0], op, [...args.slice(1), ...extra]);
  return call(torch, op, [...args, ...extra]);
}

/** An op's result as a list of tensors (`{ values, indices }` and arrays flattened in order). @example outputsOf(x.max(1)) */
export function outputsOf(r: unknown): Tensor[] {
  if (r instanceof torch.Tensor) return [r];
  if (Array.isArray(r)) return r as Tensor[];
  if (typeof r === 'object' && r !== null && 'values' in r && 'indices' in r) {
    const { values, indices } = r as { values: Tensor; indices: Tensor };
    return [values, indices];
  }
  throw new Error(`test helper: unexpected op result ${String(r)}`);
}

/** Tolerances of a comparison. @example { rtol: 1e-5, atol: 1e-6 } */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Default tolerances by dtype (atol is scaled by the largest expected magnitude, at least 1). */
export const TOLERANCE: Readonly<Record<'float32' | 'float64', Tolerance>> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-10, atol: 1e-12 },
};

/**
 * Index of the first element where `actual` and `expected` differ beyond the tolerance (-1 when none). NaNs match
 * NaNs, infinities match equal infinities, and ints/bools must be equal.
 * @example mismatch(Float32Array.of(1), [1], 'float32') // -1
 */
export function mismatch(
  actual: ArrayLike<number>,
  expected: readonly Value[],
  dtype: DTypeName,
  scale = 1,
  precision: 'float32' | 'float64' | null = null,
): number {
  const exact = dtype === 'int32' || dtype === 'bool';
  const tol = exact ? { rtol: 0, atol: 0 } : TOLERANCE[precision ?? (dtype as 'float32' | 'float64')];
  let big = 1;
  for (const v of expected) {
    const d = Math.abs(decode(v));
    if (Number.isFinite(d) && d > big) big = d;
  }
  for (let i = 0; i < expected.length; i++) {
    const e = decode(expected[i]!);
    const a = Number(actual[i]);
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e) continue;
    if (!Number.isFinite(e) || !Number.isFinite(a)) return i;
    if (Math.abs(a - e) > tol.atol * big * scale + tol.rtol * scale * Math.abs(e)) return i;
  }
  return -1;
}

/** Options of expectTensor: a tolerance multiplier, and the precision the values were computed in (default: their dtype). */
export interface CompareOptions {
  scale?: number;
  precision?: 'float32' | 'float64';
}

/**
 * Expects `actual` to have the expected shape, dtype and values (within TOLERANCE times `scale`).
 * @example expectTensor(y, c.out[0], 'output 0')
 */
export function expectTensor(
  actual: Tensor | null,
  expected: ExpectedTensor | null,
  what: string,
  opts: CompareOptions = {},
): void {
  if (expected === null) {
    expect(actual, `${what}: expected no tensor`).toBeNull();
    return;
  }
  expect(actual, `${what}: expected a tensor`).not.toBeNull();
  const a = actual!;
  expect(a.shape, `${what}: shape`).toEqual(expected.shape);
  expect(a.dtype.name, `${what}: dtype`).toBe(expected.dtype);
  const values = a.toArray();
  expect(values.length, `${what}: numel`).toBe(expected.data.length);
  const i = mismatch(values, expected.data, expected.dtype, opts.scale ?? 1, opts.precision ?? null);
  if (i >= 0) {
    const e = expected.data.map(decode);
    expect.fail(
      `${what}: element ${i} is ${values[i]}, expected ${e[i]}\n actual:   [${Array.from(values).join(', ')}]\n ` +
        `expected: [${e.join(', ')}]`,
    );
  }
}

/** True when `a` shares `b`'s storage (a view). @example sharesStorage(x.t(), x) // true */
export function sharesStorage(a: Tensor, b: Tensor): boolean {
  return a.storage === b.storage;
}

/** Gradients are compared with looser tolerances than outputs (they chain several float32 ops). */
const GRAD_SCALE = 10;

/** Everything a case checks, bar gradcheck and errors (see runErrorCase). @example runCase(c) */
export function runCase(c: OpCase): void {
  const { args, kwargs, tensors } = buildArgs(c);
  const outs = outputsOf(callOp(c.op, args, kwargs, c.method));
  const expected = c.out!;
  expect(outs.length, 'number of outputs').toBe(expected.length);
  outs.forEach((o, k) => {
    const e = expected[k]!;
    expectTensor(o, e, `output ${k}`);
    const name = e.gradFn ? (GRAD_FN_CASE_OVERRIDES[c.name] ?? gradFnName(e.gradFn)) : null;
    expect(o.gradFn?.name ?? null, `output ${k}: gradFn`).toBe(name);
    const first = tensors[0];
    if (first && o.numel() > 0) {
      expect(sharesStorage(o, first), `output ${k}: ${e.view ? 'a view of' : 'a copy of'} its input`).toBe(
        !!e.view,
      );
      if (e.view) {
        const strides = o.stride().filter((_, d) => o.shape[d]! > 1);
        expect(strides, `output ${k}: strides`).toEqual(e.view.strides.filter((_, d) => o.shape[d]! > 1));
        expect(o.storageOffset(), `output ${k}: storage offset`).toBe(e.view.offset);
      }
    }
  });
  if (c.repr !== undefined) expectRepr(String(outs[0]), mapRepr(c.repr));

  // the method (or function) form gives the same values
  const alt = alternativeForm(c, args, kwargs);
  if (alt)
    alt.forEach((o, k) => {
      expectTensor(o, expected[k]!, `alternative form, output ${k}`);
    });

  // gradients for the recorded upstream gradients
  const leaves = tensors.filter((t) => t.requiresGrad);
  const diff = outs.filter((o) => o.requiresGrad);
  if (c.upstream === undefined) {
    if (leaves.length > 0) expect(diff.length, 'outputs requiring grad (PyTorch has none)').toBe(0);
    return;
  }
  outs.forEach((o, k) => {
    expect(o.requiresGrad, `output ${k}: requiresGrad`).toBe(c.upstream![k] !== null);
  });
  const ups = c.upstream.filter((u): u is ExpectedTensor => u !== null).map((u) => buildExpected(u));
  const grads = torch.autograd.grad(diff, leaves, { gradOutputs: ups, allowUnused: true });
  expect(grads.length).toBe(c.grads!.length);
  // a float64 gradient that flowed through float32 ops (e.g. of a 0-dim float64 operand of a float32 op) is only as
  // precise as float32
  const precision = usesFloat32(c) ? 'float32' : 'float64';
  grads.forEach((g, i) => {
    expectTensor(g, c.grads![i]!, `gradient of input ${i}`, { scale: GRAD_SCALE, precision });
  });
}

function usesFloat32(c: OpCase): boolean {
  const specs: TensorSpec[] = [];
  const walk = (v: unknown): void => {
    if (isSpec(v)) specs.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  walk(c.args);
  walk(c.kwargs);
  return specs.some((s) => s.dtype === 'float32') || (c.out ?? []).some((o) => o.dtype === 'float32');
}

function alternativeForm(c: OpCase, args: unknown[], kwargs: Record<string, unknown>): Tensor[] | null {
  const self = args[0];
  if (!(self instanceof torch.Tensor) || c.op === 'where' || SPECIAL_CALLS[c.op]) return null;
  const onTorch = typeof (torch as unknown as Record<string, unknown>)[c.op] === 'function';
  const onTensor = typeof (self as unknown as Record<string, unknown>)[c.op] === 'function';
  if (!onTorch || !onTensor) return null;
  return torch.noGrad(() => outputsOf(callOp(c.op, args, kwargs, !c.method)));
}

/** A tensor holding an expected tensor's values. @example buildExpected(c.upstream[0]) */
export function buildExpected(e: ExpectedTensor): Tensor {
  return torch.tensor(e.data.map(decode), { dtype: DTYPES[e.dtype] }).reshape(e.shape);
}

const NUMBER = /-?(?:\d+\.?\d*(?:e[+-]?\d+)?|inf|nan)/g;

/**
 * Expects a printed tensor to equal PyTorch's, except that a printed number may differ by one unit in its last digit
 * (float32 values computed in a different order can fall on either side of a rounding boundary).
 * @example expectRepr('tensor([1.0001])', 'tensor([1.0002])') // passes
 */
export function expectRepr(actual: string, expected: string): void {
  if (actual === expected) return;
  const text = (s: string): string => s.replace(NUMBER, '#');
  const nums = (s: string): string[] => s.match(NUMBER) ?? [];
  const [a, e] = [nums(actual), nums(expected)];
  const close =
    a.length === e.length &&
    a.every((x, i) => {
      const y = e[i]!;
      if (x === y) return true;
      const digits = (y.split('e')[0]!.split('.')[1] ?? '').length;
      const exp = Number(y.split('e')[1] ?? 0);
      const unit = 10 ** (exp - digits);
      return Math.abs(Number(x) - Number(y)) <= unit * 1.01 && x.length === y.length;
    });
  if (text(actual) !== text(expected) || !close) expect(actual, 'printed output').toBe(expected);
}

/** PyTorch's repr with grad_fn names mapped to tsgrad's. @example mapRepr('tensor(1., grad_fn=<NormBackward1>)') */
export function mapRepr(repr: string): string {
  return repr.replace(/grad_fn=<(\w+)>/g, (_, n: string) => `grad_fn=<${gradFnName(n)}>`);
}

/**
 * An error case: the op throws an Error whose message holds every phrase of PyTorch's message (case-insensitive),
 * and leaves its inputs (values and versions) unchanged.
 * @example runErrorCase(c)
 */
export function runErrorCase(c: OpCase): void {
  const { args, kwargs, tensors } = buildArgs(c);
  const before = tensors.map((t) => ({ data: t.toArray(), version: t.version }));
  let err: unknown = null;
  try {
    callOp(c.op, args, kwargs, c.method);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${c.name} to throw (PyTorch: ${c.error!.message})`).toBeInstanceOf(Error);
  const msg = (err as Error).message.toLowerCase();
  for (const p of c.error!.phrases)
    expect(msg, `message should contain ${JSON.stringify(p)} (PyTorch: ${c.error!.message})`).toContain(
      p.toLowerCase(),
    );
  tensors.forEach((t, i) => {
    expect(t.version, `input ${i}: version`).toBe(before[i]!.version);
    expect(Array.from(t.toArray()), `input ${i}: values`).toEqual(Array.from(before[i]!.data));
  });
}

/**
 * gradcheck (and gradgradcheck where PyTorch passes it) of a case on float64 copies of its inputs.
 * @example runGradcheck(c)
 */
export function runGradcheck(c: OpCase): void {
  const { args, kwargs, tensors } = buildArgs(c, torch.float64);
  const fn = (...xs: Tensor[]): Tensor[] => {
    const sub = (v: unknown): unknown => {
      if (v instanceof torch.Tensor) return xs[tensors.indexOf(v)];
      if (Array.isArray(v)) return v.map(sub);
      if (typeof v === 'object' && v !== null && !(v instanceof torch.DType))
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sub(x)]));
      return v;
    };
    return outputsOf(
      callOp(c.op, sub(args) as unknown[], sub(kwargs) as Record<string, unknown>, c.method),
    ).filter((o) => o.dtype.isFloatingPoint);
  };
  expect(torch.autograd.gradcheck(fn as never, tensors)).toBe(true);
  if (c.gradgradcheck) expect(torch.autograd.gradgradcheck(fn as never, tensors)).toBe(true);
}

/** A readable test name for a case. @example caseName(c) // 'add(float32[2, 3], float32[2, 3])' */
export function caseName(c: OpCase, i: number): string {
  return `${i}: ${c.method ? '.' : ''}${c.name}`;
}
