/**
 * @file The plain TypeScript CPU backend: the executable specification every other backend is tested against.
 * Buffers are typed arrays; kernels walk strided inputs with an odometer over the outer dims and a tight inner loop.
 */
import type { DType, TypedArray } from '../../core/dtype.js';
import { coalesceDims, contiguousStrides, numel } from '../../core/shape.js';
import type { Backend, BinaryOp, Buf, ReduceOp, Strided, UnaryOp } from '../backend.js';
import { ArrayPool } from './pool.js';
import { col2imRef, im2colRef, maxPool2dBackwardRef, maxPool2dRef } from './window.js';

const arr = (s: Strided): TypedArray => s.buf as TypedArray;

/** Rounds half to even, as PyTorch's round does. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function erf(x: number): number {
  // W. J. Cody's rational approximations (as in most libm erf), accurate to double precision.
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const num =
      (((0.18577770618460315 * t + 3.1611237438705655) * t + 113.86415415105016) * t + 377.485237685302) * t +
      3209.3775891384694;
    const den =
      (((t + 23.601290952344122) * t + 244.02463793444417) * t + 1282.6165260773723) * t + 2844.236833439171;
    return (x * num) / den;
  }
  // exp(-x²) as exp(-ysq²)·exp(-(x-ysq)(x+ysq)) with ysq = x rounded to 1/16, as Cody does, to keep full precision
  const ysq = Math.trunc(ax * 16) / 16;
  const expx2 = Math.exp(-ysq * ysq) * Math.exp(-(ax - ysq) * (ax + ysq));
  if (ax < 4) {
    const num =
      (((((((2.1531153547440383e-8 * ax + 0.5641884969886701) * ax + 8.883149794388377) * ax +
        66.11919063714163) *
        ax +
        298.6351381974001) *
        ax +
        881.952221241769) *
        ax +
        1712.0476126340707) *
        ax +
        2051.0783778260716) *
        ax +
      1230.3393547979972;
    const den =
      (((((((ax + 15.744926110709835) * ax + 117.6939508913125) * ax + 537.1811018620099) * ax +
        1621.3895745666903) *
        ax +
        3290.7992357334597) *
        ax +
        4362.619090143247) *
        ax +
        3439.3676741437216) *
        ax +
      1230.3393548037495;
    const r = 1 - (expx2 * num) / den;
    return x < 0 ? -r : r;
  }
  const z = 1 / (ax * ax);
  const num =
    ((((0.016315387137302097 * z + 0.30532663496123236) * z + 0.36034489994980445) * z +
      0.12578172611122926) *
      z +
      0.016083785148742275) *
      z +
    0.0006587491615298378;
  const den =
    ((((z + 2.568520192289822) * z + 1.8729528499234673) * z + 0.5279051029514285) * z +
      0.06051834131244132) *
      z +
    0.0023352049762686918;
  const r = 1 - (expx2 / ax) * (0.5641895835477563 - (z * num) / den);
  return x < 0 ? -r : r;
}

type Fn1 = (x: number) => number;
type Fn2 = (x: number, y: number) => number;

/** Bool outputs store 0/1 (any non-zero, NaN included, is true), as PyTorch's casts to bool do. */
const toBool =
  (f: Fn1): Fn1 =>
  (x) =>
    f(x) !== 0 ? 1 : 0;
const toBool2 =
  (f: Fn2): Fn2 =>
  (x, y) =>
    f(x, y) !== 0 ? 1 : 0;

const UNARY: { readonly [K in UnaryOp]: Fn1 } = {
  copy: (x) => x,
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  // biome-ignore lint/complexity/useMathMinMax: Math.max(-0, 0) is 0; PyTorch's relu keeps -0 (and NaN)
  relu: (x) => (x < 0 ? 0 : x),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), // NaN → 0, as PyTorch's (0 < x) - (x < 0)
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  trunc: Math.trunc,
  erf,
  log1p: Math.log1p,
  expm1: Math.expm1,
  not: (x) => (x === 0 ? 1 : 0),
  isnan: (x) => (Number.isNaN(x) ? 1 : 0),
};

/** Integer overrides: wrap-around products and C's truncating pow, as int32 tensors behave in PyTorch. */
const INT_BINARY: Partial<Record<BinaryOp, Fn2>> = {
  mul: Math.imul,
  pow: (x, y) => {
    if (y < 0) return x === 1 ? 1 : x === -1 ? (y % 2 === 0 ? 1 : -1) : 0;
    let r = 1;
    for (let i = 0; i < y; i++) r = Math.imul(r, x);
    return r;
  },
};

/** Float32 forms that round each step as float32 kernels do, where one rounding at the end would differ (1 − y²). */
const F32_BINARY: Partial<Record<BinaryOp, Fn2>> = {
  tanhBackward: (g, y) => g * Math.fround(1 - Math.fround(y * y)),
  sigmoidBackward: (g, y) => g * Math.fround(Math.fround(1 - y) * y),
};

const BINARY: { readonly [K in BinaryOp]: Fn2 } = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  // C's pow, not JS's **: pow(1, NaN) = 1 and pow(-1, ±inf) = 1
  pow: (x, y) =>
    y === 2
      ? x * x
      : y === 0.5
        ? Math.sqrt(x)
        : x === 1 || (x === -1 && !Number.isFinite(y) && y === y)
          ? 1
          : x ** y,
  // NaN propagates; on ties (0 and -0) the first operand wins, as in PyTorch (Math.max/min prefer +0/-0)
  // biome-ignore lint/complexity/useMathMinMax: see above
  maximum: (x, y) => (x !== x || y !== y ? Number.NaN : x < y ? y : x),
  // biome-ignore lint/complexity/useMathMinMax: see above
  minimum: (x, y) => (x !== x || y !== y ? Number.NaN : x > y ? y : x),
  eq: (x, y) => (x === y ? 1 : 0),
  ne: (x, y) => (x !== y ? 1 : 0),
  lt: (x, y) => (x < y ? 1 : 0),
  le: (x, y) => (x <= y ? 1 : 0),
  gt: (x, y) => (x > y ? 1 : 0),
  ge: (x, y) => (x >= y ? 1 : 0),
  and: (x, y) => (x !== 0 && y !== 0 ? 1 : 0),
  or: (x, y) => (x !== 0 || y !== 0 ? 1 : 0),
  atan2: Math.atan2,
  tanhBackward: (g, y) => g * (1 - y * y),
  sigmoidBackward: (g, y) => g * ((1 - y) * y),
  reluBackward: (g, y) => (y <= 0 ? 0 : g),
};

type DenseLoop = (
  out: TypedArray,
  a: TypedArray,
  oa: number,
  sa: 0 | 1,
  b: TypedArray,
  ob: number,
  sb: 0 | 1,
  n: number,
) => void;

/**
 * The four arithmetic ops with the operator written in the loop (no call per element): the hot path of small
 * float tensors, where per-element closure calls would dominate. Strides are 1 (dense) or 0 (broadcast scalar).
 */
const DENSE_ARITH: Partial<Record<BinaryOp, DenseLoop>> = {
  add: (out, a, oa, sa, b, ob, sb, n) => {
    for (let i = 0; i < n; i++) out[i] = a[oa + i * sa]! + b[ob + i * sb]!;
  },
  sub: (out, a, oa, sa, b, ob, sb, n) => {
    for (let i = 0; i < n; i++) out[i] = a[oa + i * sa]! - b[ob + i * sb]!;
  },
  mul: (out, a, oa, sa, b, ob, sb, n) => {
    for (let i = 0; i < n; i++) out[i] = a[oa + i * sa]! * b[ob + i * sb]!;
  },
  div: (out, a, oa, sa, b, ob, sb, n) => {
    for (let i = 0; i < n; i++) out[i] = a[oa + i * sa]! / b[ob + i * sb]!;
  },
};

/** Calls `inner(offsets, n, innerStrides)` for every run of the innermost dim. */
function walk(
  shape: readonly number[],
  strides: (readonly number[])[],
  offsets: readonly number[],
  inner: (offs: number[], n: number, st: number[]) => void,
): void {
  if (numel(shape) === 0) return;
  const [cs, cst] = coalesceDims(shape, strides);
  const nd = cs.length;
  const n = cs[nd - 1]!;
  const innerSt = cst.map((s) => s[nd - 1]!);
  const idx = new Array<number>(nd).fill(0);
  const offs = offsets.slice();
  const k = strides.length;
  for (;;) {
    inner(offs, n, innerSt);
    let d = nd - 2;
    for (; d >= 0; d--) {
      idx[d]!++;
      for (let j = 0; j < k; j++) offs[j]! += cst[j]![d]!;
      if (idx[d]! < cs[d]!) break;
      for (let j = 0; j < k; j++) offs[j]! -= cst[j]![d]! * cs[d]!;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/** True when `strides` walk `shape` row-major without gaps (size-1 dims may have any stride). */
function dense(strides: readonly number[], shape: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** True when every stride is 0 (a broadcast scalar). */
function zero(strides: readonly number[]): boolean {
  for (const s of strides) if (s !== 0) return false;
  return true;
}

/** Dead arrays the engine handed back, reused for outputs (Note [Array pool]). */
const pool = new ArrayPool();

/** The CPU backend instance. @example cpuBackend.alloc(float32, 3) // Float32Array(3) */
export const cpuBackend: Backend = {
  device: 'cpu',
  alloc: (dtype: DType, n: number): Buf => pool.zeros(dtype, n),
  fromArray: (dtype: DType, data: TypedArray): Buf => {
    const out = pool.take(dtype, data.length);
    out.set(data);
    return out;
  },
  readSync: (buf: Buf): TypedArray => buf as TypedArray,
  release: (buf: Buf): void => pool.give(buf as TypedArray),
  read: async (buf: Buf): Promise<TypedArray> => (buf as TypedArray).slice(),

  unary(op, x, shape, dtype) {
    const n = numel(shape);
    const out = pool.take(dtype, n);
    const f = dtype.name === 'bool' ? toBool(UNARY[op]) : UNARY[op];
    const xs = arr(x);
    if (dense(x.strides, shape)) {
      // fast path: one flat loop (most tensors)
      const o = x.offset;
      for (let i = 0; i < n; i++) out[i] = f(xs[o + i]!);
      return out;
    }
    walk(shape, [x.strides, contiguousStrides(shape)], [x.offset, 0], ([ox, oo], n, [sx]) => {
      for (let i = 0; i < n; i++) out[oo! + i] = f(xs[ox! + i * sx!]!);
    });
    return out;
  },

  binary(op, a, b, shape, dtype) {
    const n = numel(shape);
    const out = pool.take(dtype, n);
    const f =
      dtype.name === 'bool'
        ? toBool2(BINARY[op])
        : (dtype.name === 'int32' && INT_BINARY[op]) ||
          (dtype.name === 'float32' && F32_BINARY[op]) ||
          BINARY[op];
    const as = arr(a);
    const bs = arr(b);
    // fast paths: dense operands, or a dense operand with a broadcast scalar (most calls)
    const da = dense(a.strides, shape);
    const db = dense(b.strides, shape);
    if ((da || zero(a.strides)) && (db || zero(b.strides))) {
      const oa = a.offset;
      const ob = b.offset;
      const arith = dtype.isFloatingPoint ? DENSE_ARITH[op] : undefined;
      if (arith) arith(out, as, oa, da ? 1 : 0, bs, ob, db ? 1 : 0, n);
      else if (da && db) for (let i = 0; i < n; i++) out[i] = f(as[oa + i]!, bs[ob + i]!);
      else if (da) {
        const bv = bs[ob]!;
        for (let i = 0; i < n; i++) out[i] = f(as[oa + i]!, bv);
      } else if (db) {
        const av = as[oa]!;
        for (let i = 0; i < n; i++) out[i] = f(av, bs[ob + i]!);
      } else out.fill(f(as[oa]!, bs[ob]!));
      return out;
    }
    walk(
      shape,
      [a.strides, b.strides, contiguousStrides(shape)],
      [a.offset, b.offset, 0],
      ([oa, ob, oo], n, [sa, sb]) => {
        for (let i = 0; i < n; i++) out[oo! + i] = f(as[oa! + i * sa!]!, bs[ob! + i * sb!]!);
      },
    );
    return out;
  },

  where(c, a, b, shape, dtype) {
    const out = pool.take(dtype, numel(shape));
    const cs = arr(c);
    const as = arr(a);
    const bs = arr(b);
    walk(
      shape,
      [c.strides, a.strides, b.strides, contiguousStrides(shape)],
      [c.offset, a.offset, b.offset, 0],
      ([oc, oa, ob, oo], n, [sc, sa, sb]) => {
        for (let i = 0; i < n; i++)
          out[oo! + i] = cs[oc! + i * sc!] ? as[oa! + i * sa!]! : bs[ob! + i * sb!]!;
      },
    );
    return out;
  },

  reduce(op, x, shape, axes, dtype) {
    const keep = shape.map((_, d) => d).filter((d) => !axes.includes(d));
    const outShape = keep.map((d) => shape[d]!);
    const m = numel(outShape);
    const r = numel(axes.map((d) => shape[d]!));
    const out = pool.zeros(dtype, m);
    const xs = arr(x);
    const red = reducer(op);
    // the element offsets of one reduced sub-grid, relative to its first element: computed once, then every
    // output element is a flat loop over them
    const rel = new Float64Array(r);
    let filled = 0;
    walk(
      axes.length ? axes.map((d) => shape[d]!) : [1],
      [axes.length ? axes.map((d) => x.strides[d]!) : [0]],
      [0],
      ([o], n, [st]) => {
        for (let j = 0; j < n; j++) rel[filled++] = o! + j * st!;
      },
    );
    const reduceAt = (base: number): number => {
      const acc = red.init();
      for (let j = 0; j < r; j++) red.step(acc, xs[base + rel[j]!]!);
      return red.done(acc, r);
    };
    if (m === 1) {
      out[0] = reduceAt(x.offset);
      return out;
    }
    const kStrides = keep.map((d) => x.strides[d]!);
    walk(outShape, [kStrides, contiguousStrides(outShape)], [x.offset, 0], ([ox, oo], n, [sk]) => {
      for (let i = 0; i < n; i++) out[oo! + i] = reduceAt(ox! + i * sk!);
    });
    return out;
  },

  matmul(a, b, batch, m, k, n, dtype, sumBatch = false) {
    const as = arr(a);
    const bs = arr(b);
    const [ab, am, ak] = a.strides as [number, number, number];
    const [bb, bk, bn] = b.strides as [number, number, number];
    // the textbook triple loop, accumulating each output in double precision and rounding once
    const dot = (p: number, i: number, j: number): number => {
      const abase = a.offset + p * ab + i * am;
      const bbase = b.offset + p * bb + j * bn;
      let acc = 0;
      for (let q = 0; q < k; q++) acc += as[abase + q * ak]! * bs[bbase + q * bk]!;
      return acc;
    };
    if (sumBatch) {
      const out = pool.take(dtype, m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let p = 0; p < batch; p++) acc += dot(p, i, j);
          out[i * n + j] = acc;
        }
      return out;
    }
    const out = pool.take(dtype, batch * m * n);
    let o = 0;
    for (let p = 0; p < batch; p++)
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[o++] = dot(p, i, j);
    return out;
  },

  gather(x, dim, index, shape, dtype) {
    const out = pool.take(dtype, numel(shape));
    const xs = arr(x);
    const is = arr(index);
    const size = shape.length;
    const xStrideDim = x.strides[dim]!;
    const xStridesNoDim = x.strides.map((s, d) => (d === dim ? 0 : s));
    walk(
      shape,
      [xStridesNoDim, index.strides, contiguousStrides(shape)],
      [x.offset, index.offset, 0],
      ([ox, oi, oo], n, [sx, si]) => {
        for (let i = 0; i < n; i++) out[oo! + i] = xs[ox! + i * sx! + is[oi! + i * si!]! * xStrideDim]!;
      },
    );
    void size;
    return out;
  },

  scatterAdd(outShape, dim, index, src, shape, dtype) {
    const out = pool.zeros(dtype, numel(outShape));
    const ss = arr(src);
    const is = arr(index);
    const oStrides = contiguousStrides(outShape);
    const oStrideDim = oStrides[dim]!;
    const oNoDim = oStrides.map((s, d) => (d === dim ? 0 : s));
    walk(
      shape,
      [oNoDim, index.strides, src.strides],
      [0, index.offset, src.offset],
      ([oo, oi, os], n, [so, si, ss2]) => {
        for (let i = 0; i < n; i++)
          out[oo! + i * so! + is[oi! + i * si!]! * oStrideDim]! += ss[os! + i * ss2!]!;
      },
    );
    return out;
  },

  sort(x, shape, dim, descending) {
    const total = numel(shape);
    const values = new x.dtype.ArrayType(total);
    const indices = new Int32Array(total);
    const xs = arr(x);
    const len = shape[dim]!;
    const outer = shape.map((s, d) => (d === dim ? 1 : s));
    const oStrides = contiguousStrides(shape);
    const xNoDim = x.strides.map((s, d) => (d === dim ? 0 : s));
    const oNoDim = oStrides.map((s, d) => (d === dim ? 0 : s));
    const xd = x.strides[dim]!;
    const od = oStrides[dim]!;
    const order = new Array<number>(len);
    const vals = new Float64Array(len);
    const cmp = descending
      ? (p: number, q: number) => {
          const a = vals[p]!;
          const b = vals[q]!;
          if (a !== a) return b !== b ? p - q : -1;
          if (b !== b) return 1;
          return a > b ? -1 : a < b ? 1 : p - q;
        }
      : (p: number, q: number) => {
          const a = vals[p]!;
          const b = vals[q]!;
          if (a !== a) return b !== b ? p - q : 1;
          if (b !== b) return -1;
          return a < b ? -1 : a > b ? 1 : p - q;
        };
    walk(outer, [xNoDim, oNoDim], [x.offset, 0], ([ox, oo], n, [sx, so]) => {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < len; j++) {
          vals[j] = xs[ox! + i * sx! + j * xd]!;
          order[j] = j;
        }
        order.sort(cmp);
        for (let j = 0; j < len; j++) {
          values[oo! + i * so! + j * od] = vals[order[j]!]!;
          indices[oo! + i * so! + j * od] = order[j]!;
        }
      }
    });
    return [values, indices];
  },

  cumulative(op, x, shape, dim, dtype) {
    const out = pool.zeros(dtype, numel(shape));
    const xs = arr(x);
    const len = shape[dim]!;
    const outer = shape.map((s, d) => (d === dim ? 1 : s));
    const oStrides = contiguousStrides(shape);
    const xNoDim = x.strides.map((s, d) => (d === dim ? 0 : s));
    const oNoDim = oStrides.map((s, d) => (d === dim ? 0 : s));
    const xd = x.strides[dim]!;
    const od = oStrides[dim]!;
    walk(outer, [xNoDim, oNoDim], [x.offset, 0], ([ox, oo], n, [sx, so]) => {
      for (let i = 0; i < n; i++) {
        let acc = op === 'sum' ? 0 : 1;
        for (let j = 0; j < len; j++) {
          const v = xs[ox! + i * sx! + j * xd]!;
          acc = op === 'sum' ? acc + v : acc * v;
          out[oo! + i * so! + j * od] = acc;
          acc = out[oo! + i * so! + j * od]!;
        }
      }
    });
    return out;
  },

  copy(dst, src, shape, accumulate = false) {
    const ds = arr(dst);
    const ss = arr(src);
    const toBool = dst.dtype.name === 'bool';
    if (!toBool && dense(dst.strides, shape) && dense(src.strides, shape)) {
      // fast path: one flat loop (the engine summing gradients into a buffer, clones)
      const n = numel(shape);
      const od = dst.offset;
      const os = src.offset;
      if (accumulate) for (let i = 0; i < n; i++) ds[od + i]! += ss[os + i]!;
      else for (let i = 0; i < n; i++) ds[od + i] = ss[os + i]!;
      return;
    }
    walk(shape, [dst.strides, src.strides], [dst.offset, src.offset], ([od, os], n, [sd, ss2]) => {
      if (accumulate) for (let i = 0; i < n; i++) ds[od! + i * sd!]! += ss[os! + i * ss2!]!;
      else if (toBool) for (let i = 0; i < n; i++) ds[od! + i * sd!] = ss[os! + i * ss2!] !== 0 ? 1 : 0;
      else for (let i = 0; i < n; i++) ds[od! + i * sd!] = ss[os! + i * ss2!]!;
    });
  },

  fill(dst, shape, value) {
    const ds = arr(dst);
    walk(shape, [dst.strides], [dst.offset], ([od], n, [sd]) => {
      for (let i = 0; i < n; i++) ds[od! + i * sd!] = value;
    });
  },

  axpy(dst, x, alpha, shape) {
    const ds = arr(dst);
    const xs = arr(x);
    walk(shape, [dst.strides, x.strides], [dst.offset, x.offset], ([od, ox], n, [sd, sx]) => {
      for (let i = 0; i < n; i++) ds[od! + i * sd!] = ds[od! + i * sd!]! + alpha * xs[ox! + i * sx!]!;
    });
  },
  im2col: im2colRef,
  col2im: col2imRef,
  maxPool2d: maxPool2dRef,
  maxPool2dBackward: maxPool2dBackwardRef,
  softmax: softmaxRef,
};

interface Acc {
  v: number;
  i: number;
  n: number;
}

/** Backend.softmax on host arrays: each row found by walking the other dims, then three passes along it. */
function softmaxRef(x: Strided, shape: readonly number[], dim: number, log: boolean, dtype: DType): Buf {
  const total = numel(shape);
  const out = pool.take(dtype, total);
  if (total === 0) return out;
  const xs = arr(x);
  const round = dtype.name === 'float32' ? Math.fround : (v: number): number => v;
  const flat = shape.length === 0;
  const outStrides = contiguousStrides(shape);
  const n = flat ? 1 : shape[dim]!;
  const sx = flat ? 0 : x.strides[dim]!;
  const so = flat ? 0 : outStrides[dim]!;
  const row = (xb: number, ob: number): void => {
    let m = xs[xb]!; // the max, NaN winning (as the max reduction)
    for (let j = 1; j < n && m === m; j++) {
      const v = xs[xb + j * sx]!;
      if (v !== v || v > m) m = v;
    }
    let s = 0;
    for (let j = 0; j < n; j++) {
      const e = round(Math.exp(round(xs[xb + j * sx]! - m)));
      s += e;
      if (!log) out[ob + j * so] = e;
    }
    s = round(s);
    if (!log) for (let j = 0; j < n; j++) out[ob + j * so] = round(out[ob + j * so]! / s);
    else {
      const lse = round(Math.log(s));
      for (let j = 0; j < n; j++) out[ob + j * so] = round(round(xs[xb + j * sx]! - m) - lse);
    }
  };
  if (flat) row(x.offset, 0);
  else {
    const outer = shape.map((s, d) => (d === dim ? 1 : s));
    walk(outer, [x.strides, outStrides], [x.offset, 0], ([ox, oo], cnt, [sxi, soi]) => {
      for (let i = 0; i < cnt; i++) row(ox! + i * sxi!, oo! + i * soi!);
    });
  }
  return out;
}

function reducer(op: ReduceOp): {
  init(): Acc;
  step(a: Acc, x: number): void;
  done(a: Acc, r: number): number;
} {
  switch (op) {
    case 'sum':
      return { init: () => ({ v: 0, i: 0, n: 0 }), step: (a, x) => void (a.v += x), done: (a) => a.v };
    case 'prod':
      return { init: () => ({ v: 1, i: 0, n: 0 }), step: (a, x) => void (a.v *= x), done: (a) => a.v };
    case 'any':
      return {
        init: () => ({ v: 0, i: 0, n: 0 }),
        step: (a, x) => void (x !== 0 && (a.v = 1)),
        done: (a) => a.v,
      };
    case 'all':
      return {
        init: () => ({ v: 1, i: 0, n: 0 }),
        step: (a, x) => void (x === 0 && (a.v = 0)),
        done: (a) => a.v,
      };
    case 'max':
    case 'min':
    case 'argmax':
    case 'argmin': {
      const isMax = op === 'max' || op === 'argmax';
      const wantIndex = op === 'argmax' || op === 'argmin';
      return {
        init: () => ({ v: Number.NaN, i: -1, n: 0 }),
        step: (a, x) => {
          // NaN propagates and wins (PyTorch); the first extreme index wins ties.
          if (a.i < 0 || (a.v === a.v && (x !== x || (isMax ? x > a.v : x < a.v)))) {
            a.v = x;
            a.i = a.n;
          }
          a.n++;
        },
        done: (a) => (wantIndex ? a.i : a.v),
      };
    }
    default:
      return op satisfies never;
  }
}
