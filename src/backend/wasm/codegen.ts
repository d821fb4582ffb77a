/**
 * @file The kernels of the wasm backend, emitted as one module: SIMD elementwise math, reductions, casts, and a
 * packed, register-blocked (4x8, 6x8 with FMA), cache-blocked SGEMM. Every kernel walks a 2-D (rows x n) strided window; strides are bytes.
 */
import { randomKernels } from './codegen-random.js';
import { windowKernels } from './codegen-window.js';
import { type Expr, type Func, type Local, ModuleBuilder } from './emitter.js';

/** Unary float32 ops with a SIMD kernel. @example const op: VecUnary = 'exp'; */
export type VecUnary =
  | 'copy'
  | 'neg'
  | 'abs'
  | 'sqrt'
  | 'rsqrt'
  | 'relu'
  | 'square'
  | 'reciprocal'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'trunc'
  | 'exp'
  | 'log'
  | 'tanh'
  | 'sigmoid'
  | 'sign';
/** Binary float32 ops with a SIMD kernel. @example const op: VecBinary = 'mul'; */
export type VecBinary =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'maximum'
  | 'minimum'
  | 'tanhBackward'
  | 'sigmoidBackward'
  | 'reluBackward';
/** Comparisons (float32 in, bool out). @example const op: Compare = 'gt'; */
export type Compare = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
/** Element types the cast kernels know. @example const t: Elem = 'f32'; */
export type Elem = 'f32' | 'f64' | 'i32' | 'u8';

/** Names of the SIMD unary kernels. @example VEC_UNARY.includes('exp') */
export const VEC_UNARY: readonly VecUnary[] = [
  'copy',
  'neg',
  'abs',
  'sqrt',
  'rsqrt',
  'relu',
  'square',
  'reciprocal',
  'floor',
  'ceil',
  'round',
  'trunc',
  'exp',
  'log',
  'tanh',
  'sigmoid',
  'sign',
];
/** Names of the SIMD binary kernels. @example VEC_BINARY.includes('add') */
export const VEC_BINARY: readonly VecBinary[] = [
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  'tanhBackward',
  'sigmoidBackward',
  'reluBackward',
];
/** Names of the comparison kernels. @example COMPARE.includes('gt') */
export const COMPARE: readonly Compare[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];
/** Element types of the cast kernels. @example ELEMS.length // 4 */
export const ELEMS: readonly Elem[] = ['f32', 'f64', 'i32', 'u8'];

/**
 * GEMM blocking: register tile MR x NR, cache blocks MC x KC (A, in L2) and KC x NC (B, in L3). The tile has
 * MR_FMA = 6 rows where relaxed-SIMD FMA exists (12 accumulators cover its latency, and with no temporary for the
 * product they fit the 15 vector registers V8 allocates) and MR = 4 without. MC is a multiple of both.
 */
export const GEMM = { MR: 4, MR_FMA: 6, NR: 8, MC: 72, KC: 256, NC: 2048 } as const;

/**
 * The register tile's rows and the bytes of one packed A value for a module built with or without FMA.
 * @example gemmTile(false) // { mr: 4, aBytes: 16 }
 */
export function gemmTile(fma: boolean): { mr: number; aBytes: number } {
  return fma ? { mr: GEMM.MR_FMA, aBytes: 4 } : { mr: GEMM.MR, aBytes: 16 };
}

const SIZE: { readonly [K in Elem]: number } = { f32: 4, f64: 8, i32: 4, u8: 1 };

// ---------------------------------------------------------------------------------------------------------------
// Vector math: each takes an f32x4 expression and returns one (using locals for reuse).

type V = (f: Func, x: Expr) => Expr;

/** Stores `x` in a fresh local and returns a getter. */
function bind(f: Func, x: Expr, type: 'v128' | 'i32' = 'v128'): [Expr, Expr] {
  const l = f.local(type);
  return [f.set(l, x), f.get(l)];
}

const splatF = (f: Func, v: number): Expr => f.constF32x4(v);

/** Horner's rule over f32x4 with coefficients highest degree first. */
function horner(f: Func, x: Expr, coefs: readonly number[]): Expr {
  let acc = splatF(f, coefs[0]!);
  for (let i = 1; i < coefs.length; i++) acc = f.vadd(f.vmul(acc, x), splatF(f, coefs[i]!));
  return acc;
}

/**
 * eˣ for x inside [-110, 89] (no NaN): Cody-Waite range reduction to r = x − n·ln 2 with |r| ≤ ln2/2 and Cephes
 * expf's degree-6 polynomial, about 1 ulp. Returns the setup statements, the polynomial e^r and the integer n.
 */
function vexpReduce(f: Func, c: Expr): [Expr[], Expr, Expr] {
  const [sc, gc] = bind(f, c);
  // n = round(x·log2 e) by the 1.5·2²³ trick: the sum's low mantissa bits hold n as an integer (no float->int convert)
  const MAGIC = 12582912;
  const [st, gt] = bind(f, f.vadd(f.vmul(gc, splatF(f, Math.LOG2E)), splatF(f, MAGIC)));
  const [sn, gn] = bind(f, f.vsub(gt, splatF(f, MAGIC)));
  const [sr, gr] = bind(
    f,
    f.vsub(f.vsub(gc, f.vmul(gn, splatF(f, 0.693359375))), f.vmul(gn, splatF(f, -2.1219444e-4))),
  );
  const p = horner(
    f,
    gr,
    [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1],
  );
  const y = f.vadd(f.vadd(f.vmul(p, f.vmul(gr, gr)), gr), splatF(f, 1));
  return [[sc, st, sn, sr], y, f.i32x4sub(gt, splatF(f, MAGIC))];
}

/** 2ⁿ as float bits, for integer lanes n in [-126, 127]. */
const pow2 = (f: Func, n: Expr): Expr => f.i32x4shl(f.i32x4add(n, f.constI32x4(127)), f.i32(23));

/** eˣ for x already inside [-87.3365, 88.3763] (tanh's argument): y·2ⁿ in one step. */
function vexpCore(f: Func, c: Expr): [Expr[], Expr] {
  const [setup, y, n] = vexpReduce(f, c);
  return [setup, f.vmul(y, pow2(f, n))];
}

/**
 * eˣ everywhere, with no selects: the clamps are pmax/pmin in the order that passes NaN through (`x < lo ? lo : x`
 * is x for NaN), and 2ⁿ is applied as two halves (n in [-159, 128]), so the products overflow to inf above ln(max
 * float) ≈ 88.72 and round to denormals and then 0 below -87.34, as the correctly rounded result does.
 */
const vexp: V = (f, x) => {
  const [setup, y, n] = vexpReduce(f, f.vpmin(f.vpmax(x, splatF(f, -110)), splatF(f, 89)));
  const [sn, gn] = bind(f, n);
  const [sh, gh] = bind(f, f.i32x4shrS(gn, f.i32(1)));
  return () => {
    f.emit(...setup, sn, sh);
    f.vmul(f.vmul(y, pow2(f, gh)), pow2(f, f.i32x4sub(gn, gh)))();
  };
};

/** ln x by frexp and a degree-9 polynomial (Cephes logf). */
const vlog: V = (f, x) => {
  const [sx, gx] = bind(f, x);
  // exponent and mantissa in [0.5, 1)
  const [se, ge] = bind(f, f.vFromI32(f.i32x4sub(f.i32x4shrU(gx, f.i32(23)), f.constI32x4(126))));
  const [sm, gm] = bind(f, f.vor(f.vand(gx, f.constI32x4(0x807fffff | 0)), f.constI32x4(0x3f000000)));
  const [smask, gmask] = bind(f, f.vcmp('lt', gm, splatF(f, Math.SQRT1_2)));
  const [se2, ge2] = bind(f, f.vsub(ge, f.vand(splatF(f, 1), gmask)));
  const [sm2, gm2] = bind(f, f.vadd(f.vsub(gm, splatF(f, 1)), f.vand(gm, gmask)));
  const [sz, gz] = bind(f, f.vmul(gm2, gm2));
  const poly = horner(
    f,
    gm2,
    [
      7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
      2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
    ],
  );
  let y = f.vmul(f.vmul(poly, gm2), gz);
  y = f.vadd(y, f.vmul(ge2, splatF(f, -2.1219444e-4)));
  y = f.vsub(y, f.vmul(gz, splatF(f, 0.5)));
  const [sr, gr] = bind(f, f.vadd(f.vadd(gm2, y), f.vmul(ge2, splatF(f, 0.693359375))));
  return () => {
    f.emit(sx, se, sm, smask, se2, sm2, sz, sr);
    let r = f.vselect(splatF(f, Number.NEGATIVE_INFINITY), gr, f.vcmp('eq', gx, f.vzero()));
    r = f.vselect(
      splatF(f, Number.POSITIVE_INFINITY),
      r,
      f.vcmp('eq', gx, splatF(f, Number.POSITIVE_INFINITY)),
    );
    r = f.vselect(splatF(f, Number.NaN), r, f.vor(f.vcmp('lt', gx, f.vzero()), f.vcmp('ne', gx, gx)));
    r();
  };
};

/**
 * tanh by a polynomial for |x| ≤ 0.625 and 1 − 2/(e²ˡˣˡ + 1) above (Cephes tanhf), both on |x| with x's sign put
 * back at the end (so tanh(-0) is -0). e²ˡˣˡ takes the exp core on min(|x|, 10) (tanh rounds to ±1 in float32 above
 * 9.02), so no overflow or NaN handling is needed inside; NaN takes the polynomial branch and comes out NaN.
 */
const vtanh: V = (f, x) => {
  const [sx, gx] = bind(f, x);
  const [sa, ga] = bind(f, f.vabs(gx));
  const [ss, gs] = bind(f, f.vmul(gx, gx));
  const poly = horner(
    f,
    gs,
    [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1],
  );
  const small = f.vadd(f.vmul(f.vmul(poly, gs), ga), ga);
  const [setup, e2a] = vexpCore(f, f.vmul(f.vpmin(splatF(f, 10), ga), splatF(f, 2)));
  const [sb, gb] = bind(f, f.vsub(splatF(f, 1), f.vdiv(splatF(f, 2), f.vadd(e2a, splatF(f, 1)))));
  return () => {
    f.emit(sx, sa, ss, ...setup, sb);
    const magnitude = f.vselect(gb, small, f.vcmp('gt', ga, splatF(f, 0.625)));
    f.vor(magnitude, f.vand(gx, f.constI32x4(0x80000000 | 0)))();
  };
};

const VUNARY: { readonly [K in VecUnary]: V } = {
  copy: (_f, x) => x,
  neg: (f, x) => f.vneg(x),
  abs: (f, x) => f.vabs(x),
  sqrt: (f, x) => f.vsqrt(x),
  rsqrt: (f, x) => f.vdiv(splatF(f, 1), f.vsqrt(x)),
  relu: (f, x) => f.vpmax(f.vzero(), x), // 0 < x ? x : 0, so NaN gives 0 as the reference does
  square: (f, x) => {
    const [s, g] = bind(f, x);
    return () => f.emit(s, f.vmul(g, g));
  },
  reciprocal: (f, x) => f.vdiv(splatF(f, 1), x),
  floor: (f, x) => f.vfloor(x),
  ceil: (f, x) => f.vceil(x),
  round: (f, x) => f.vnearest(x),
  trunc: (f, x) => f.vtrunc(x),
  exp: vexp,
  log: vlog,
  tanh: vtanh,
  sigmoid: (f, x) => f.vdiv(splatF(f, 1), f.vadd(splatF(f, 1), vexp(f, f.vneg(x)))),
  sign: (f, x) => {
    const [s, g] = bind(f, x);
    const r = f.vor(
      f.vand(splatF(f, 1), f.vcmp('gt', g, f.vzero())),
      f.vand(splatF(f, -1), f.vcmp('lt', g, f.vzero())),
    );
    return () => f.emit(s, f.vselect(g, r, f.vcmp('ne', g, g)));
  },
};

const VBINARY: { readonly [K in VecBinary]: (f: Func, a: Expr, b: Expr) => Expr } = {
  add: (f, a, b) => f.vadd(a, b),
  sub: (f, a, b) => f.vsub(a, b),
  mul: (f, a, b) => f.vmul(a, b),
  div: (f, a, b) => f.vdiv(a, b),
  maximum: (f, a, b) => f.vmax(a, b),
  minimum: (f, a, b) => f.vmin(a, b),
  tanhBackward: (f, g, y) => {
    const [s, gy] = bind(f, y);
    return () => f.emit(s, f.vmul(g, f.vsub(splatF(f, 1), f.vmul(gy, gy))));
  },
  sigmoidBackward: (f, g, y) => {
    const [s, gy] = bind(f, y);
    return () => f.emit(s, f.vmul(g, f.vmul(f.vsub(splatF(f, 1), gy), gy)));
  },
  // y <= 0 ? 0 : g, with NaN outputs passing the gradient through (the compare is false)
  reluBackward: (f, g, y) => f.vandnot(g, f.vcmp('le', y, f.vzero())),
};

// ---------------------------------------------------------------------------------------------------------------
// 2-D loop skeletons

/** Loops `rows` x `n` calling `body(i)` per row; `rowStep` advances the per-operand pointers. */
function rowLoop(f: Func, rows: Local, ptrs: readonly [Local, Local][], body: () => void): Expr {
  const r = f.local('i32');
  return f.for_(r, f.i32(0), f.get(rows), 1, () => {
    body();
    for (const [p, step] of ptrs) f.set(p, f.add(f.get(p), f.get(step)))();
  });
}

/**
 * Unary: (out, x, rows, n, xRow, xStep), out contiguous. SIMD over rows whose x step is 4 bytes; a lane-0 path
 * (same math, one element at a time) for tails and other strides.
 */
function unaryKernel(m: ModuleBuilder, op: VecUnary): void {
  m.func(`u_${op}`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [out, x, rows, n, xRow, xStep] = f.paramLocals(6);
    const oRow = f.local('i32');
    const j = f.local('i32');
    const n4 = f.local('i32');
    const po = f.local('i32');
    const px = f.local('i32');
    f.emit(f.set(oRow, f.shl(f.get(n), f.i32(2))), f.set(n4, f.and(f.get(n), f.i32(-4))));
    const scalarRest = (from: Expr): Expr =>
      f.for_(j, from, f.get(n), 1, () =>
        f.emit(
          f.store('f32', f.get(po), f.lane(VUNARY[op](f, f.loadSplat(f.get(px))), 0)),
          f.set(po, f.add(f.get(po), f.i32(4))),
          f.set(px, f.add(f.get(px), f.get(xStep))),
        ),
      );
    rowLoop(
      f,
      rows,
      [
        [out, oRow],
        [x, xRow],
      ],
      () => {
        f.emit(f.set(po, f.get(out)), f.set(px, f.get(x)));
        f.if_(
          f.eq(f.get(xStep), f.i32(4)),
          () => {
            f.for_(j, f.i32(0), f.get(n4), 4, () =>
              f.emit(
                f.store('v128', f.get(po), VUNARY[op](f, f.load('v128', f.get(px)))),
                f.set(po, f.add(f.get(po), f.i32(16))),
                f.set(px, f.add(f.get(px), f.i32(16))),
              ),
            )();
            scalarRest(f.get(n4))();
          },
          () => scalarRest(f.i32(0))(),
        )();
      },
    )();
  });
}

/** Binary: (out, a, b, rows, n, aRow, aStep, bRow, bStep), out contiguous; SIMD when steps are 4 or 0 bytes. */
function binaryKernel(m: ModuleBuilder, op: VecBinary): void {
  m.func(`b_${op}`, new Array(9).fill('i32'), [], (f) => {
    const [out, a, b, rows, n, aRow, aStep, bRow, bStep] = f.paramLocals(9);
    const oRow = f.local('i32');
    const j = f.local('i32');
    const n4 = f.local('i32');
    const po = f.local('i32');
    const pa = f.local('i32');
    const pb = f.local('i32');
    const va = f.local('v128');
    const vb = f.local('v128');
    const fn = VBINARY[op];
    f.emit(f.set(oRow, f.shl(f.get(n), f.i32(2))), f.set(n4, f.and(f.get(n), f.i32(-4))));
    const step =
      (vec: boolean): Expr =>
      () => {
        f.set(po, f.add(f.get(po), f.i32(vec ? 16 : 4)))();
        f.set(pa, f.add(f.get(pa), vec ? f.shl(f.get(aStep), f.i32(2)) : f.get(aStep)))();
        f.set(pb, f.add(f.get(pb), vec ? f.shl(f.get(bStep), f.i32(2)) : f.get(bStep)))();
      };
    const scalarRest = (from: Expr): Expr =>
      f.for_(j, from, f.get(n), 1, () =>
        f.emit(
          f.store('f32', f.get(po), f.lane(fn(f, f.loadSplat(f.get(pa)), f.loadSplat(f.get(pb))), 0)),
          step(false),
        ),
      );
    const vecLoop = (aKind: 'v' | 's', bKind: 'v' | 's'): void => {
      if (aKind === 's') f.set(va, f.loadSplat(f.get(pa)))();
      if (bKind === 's') f.set(vb, f.loadSplat(f.get(pb)))();
      f.for_(j, f.i32(0), f.get(n4), 4, () =>
        f.emit(
          f.store(
            'v128',
            f.get(po),
            fn(
              f,
              aKind === 'v' ? f.load('v128', f.get(pa)) : f.get(va),
              bKind === 'v' ? f.load('v128', f.get(pb)) : f.get(vb),
            ),
          ),
          step(true),
        ),
      )();
      scalarRest(f.get(n4))();
    };
    rowLoop(
      f,
      rows,
      [
        [out, oRow],
        [a, aRow],
        [b, bRow],
      ],
      () => {
        f.emit(f.set(po, f.get(out)), f.set(pa, f.get(a)), f.set(pb, f.get(b)));
        const a4 = f.eq(f.get(aStep), f.i32(4));
        const a0 = f.eqz(f.get(aStep));
        const b4 = f.eq(f.get(bStep), f.i32(4));
        const b0 = f.eqz(f.get(bStep));
        f.if_(
          f.and(a4, b4),
          () => vecLoop('v', 'v'),
          () =>
            f.if_(
              f.and(a4, b0),
              () => vecLoop('v', 's'),
              () =>
                f.if_(
                  f.and(a0, b4),
                  () => vecLoop('s', 'v'),
                  () => scalarRest(f.i32(0))(),
                )(),
            )(),
        )();
      },
    )();
  });
}

/** Comparison: (out u8, a, b, rows, n, aRow, aStep, bRow, bStep) on f32 inputs. */
function compareKernel(m: ModuleBuilder, op: Compare): void {
  m.func(`c_${op}`, new Array(9).fill('i32'), [], (f) => {
    const [out, a, b, rows, n, aRow, aStep, bRow, bStep] = f.paramLocals(9);
    const j = f.local('i32');
    const po = f.local('i32');
    const pa = f.local('i32');
    const pb = f.local('i32');
    rowLoop(
      f,
      rows,
      [
        [out, n],
        [a, aRow],
        [b, bRow],
      ],
      () => {
        f.emit(f.set(po, f.get(out)), f.set(pa, f.get(a)), f.set(pb, f.get(b)));
        f.for_(j, f.i32(0), f.get(n), 1, () =>
          f.emit(
            f.store8(f.get(po), f.fcmp(op, f.load('f32', f.get(pa)), f.load('f32', f.get(pb)))),
            f.set(po, f.add(f.get(po), f.i32(1))),
            f.set(pa, f.add(f.get(pa), f.get(aStep))),
            f.set(pb, f.add(f.get(pb), f.get(bStep))),
          ),
        )();
      },
    )();
  });
}

/** where: (out f32, cond u8, a, b, rows, n, cRow, cStep, aRow, aStep, bRow, bStep). */
function whereKernel(m: ModuleBuilder): void {
  m.func('where_f32', new Array(12).fill('i32'), [], (f) => {
    const [out, c, a, b, rows, n, cRow, cStep, aRow, aStep, bRow, bStep] = f.paramLocals(12);
    const oRow = f.local('i32');
    const j = f.local('i32');
    const po = f.local('i32');
    const pc = f.local('i32');
    const pa = f.local('i32');
    const pb = f.local('i32');
    f.set(oRow, f.shl(f.get(n), f.i32(2)))();
    rowLoop(
      f,
      rows,
      [
        [out, oRow],
        [c, cRow],
        [a, aRow],
        [b, bRow],
      ],
      () => {
        f.emit(f.set(po, f.get(out)), f.set(pc, f.get(c)), f.set(pa, f.get(a)), f.set(pb, f.get(b)));
        f.for_(j, f.i32(0), f.get(n), 1, () =>
          f.emit(
            f.store(
              'f32',
              f.get(po),
              f.select(f.load('f32', f.get(pa)), f.load('f32', f.get(pb)), f.load8(f.get(pc))),
            ),
            f.set(po, f.add(f.get(po), f.i32(4))),
            f.set(pc, f.add(f.get(pc), f.get(cStep))),
            f.set(pa, f.add(f.get(pa), f.get(aStep))),
            f.set(pb, f.add(f.get(pb), f.get(bStep))),
          ),
        )();
      },
    )();
  });
}

/** Loads one element of type `t` as f64 (the common currency of casts). */
function loadAsF64(f: Func, t: Elem, p: Expr): Expr {
  switch (t) {
    case 'f32':
      return f.promote(f.load('f32', p));
    case 'f64':
      return f.load('f64', p);
    case 'i32':
      return f.f64FromI32(f.load('i32', p));
    case 'u8':
      return f.f64FromI32(f.load8(p));
    default:
      return t satisfies never;
  }
}

/** Stores an f64 value as type `t` (bool: nonzero -> 1; int: truncation toward zero). */
function storeFromF64(f: Func, t: Elem, p: Expr, v: Expr): Expr {
  switch (t) {
    case 'f32':
      return f.store('f32', p, f.demote(v));
    case 'f64':
      return f.store('f64', p, v);
    case 'i32':
      return f.store('i32', p, f.i32FromF64(v));
    case 'u8':
      return f.store8(p, f.raw(0x62, v, f.f64(0))); // f64.ne
    default:
      return t satisfies never;
  }
}

/**
 * Strided copy with cast: (dst, src, rows, n, dRow, dStep, sRow, sStep[, accumulate]) for every pair of element
 * types; f32 -> f32 uses SIMD when both steps are 4 bytes.
 */
function castKernel(m: ModuleBuilder, from: Elem, to: Elem): void {
  m.func(`cast_${from}_${to}`, new Array(9).fill('i32'), [], (f) => {
    const [dst, src, rows, n, dRow, dStep, sRow, sStep, acc] = f.paramLocals(9);
    const j = f.local('i32');
    const n4 = f.local('i32');
    const pd = f.local('i32');
    const ps = f.local('i32');
    f.set(n4, f.and(f.get(n), f.i32(-4)))();
    const advance =
      (k: number): Expr =>
      () => {
        f.set(pd, f.add(f.get(pd), k === 1 ? f.get(dStep) : f.shl(f.get(dStep), f.i32(2))))();
        f.set(ps, f.add(f.get(ps), k === 1 ? f.get(sStep) : f.shl(f.get(sStep), f.i32(2))))();
      };
    const scalar = (from_: Expr): Expr =>
      f.for_(j, from_, f.get(n), 1, () => {
        const v = loadAsF64(f, from, f.get(ps));
        f.if_(
          f.get(acc),
          () => storeFromF64(f, to, f.get(pd), f.raw(0xa0, loadAsF64(f, to, f.get(pd)), v))(),
          () => storeFromF64(f, to, f.get(pd), v)(),
        )();
        advance(1)();
      });
    rowLoop(
      f,
      rows,
      [
        [dst, dRow],
        [src, sRow],
      ],
      () => {
        f.emit(f.set(pd, f.get(dst)), f.set(ps, f.get(src)));
        if (from === 'f32' && to === 'f32') {
          f.if_(
            f.and(f.eq(f.get(dStep), f.i32(4)), f.eq(f.get(sStep), f.i32(4))),
            () => {
              f.if_(
                f.get(acc),
                () =>
                  f.for_(j, f.i32(0), f.get(n4), 4, () => {
                    f.store(
                      'v128',
                      f.get(pd),
                      f.vadd(f.load('v128', f.get(pd)), f.load('v128', f.get(ps))),
                    )();
                    advance(4)();
                  })(),
                () =>
                  f.for_(j, f.i32(0), f.get(n4), 4, () => {
                    f.store('v128', f.get(pd), f.load('v128', f.get(ps)))();
                    advance(4)();
                  })(),
              )();
              scalar(f.get(n4))();
            },
            () => scalar(f.i32(0))(),
          )();
        } else scalar(f.i32(0))();
      },
    )();
  });
}

/** fill: (dst, rows, n, dRow, dStep, value f64) for each element type. */
function fillKernel(m: ModuleBuilder, t: Elem): void {
  m.func(`fill_${t}`, ['i32', 'i32', 'i32', 'i32', 'i32', 'f64'], [], (f) => {
    const [dst, rows, n, dRow, dStep, value] = f.paramLocals(6);
    const j = f.local('i32');
    const pd = f.local('i32');
    rowLoop(f, rows, [[dst, dRow]], () => {
      f.set(pd, f.get(dst))();
      f.for_(j, f.i32(0), f.get(n), 1, () =>
        f.emit(storeFromF64(f, t, f.get(pd), f.get(value)), f.set(pd, f.add(f.get(pd), f.get(dStep)))),
      )();
    })();
  });
}

/**
 * axpy: dst += alpha·x in float64, rounded once to the element type (an exact FMA for f32):
 * (dst, x, rows, n, dRow, dStep, xRow, xStep, alpha f64).
 */
function axpyKernel(m: ModuleBuilder, t: 'f32' | 'f64'): void {
  m.func(`axpy_${t}`, [...new Array<'i32'>(8).fill('i32'), 'f64'], [], (f) => {
    const [dst, x, rows, n, dRow, dStep, xRow, xStep, alpha] = f.paramLocals(9);
    const j = f.local('i32');
    const pd = f.local('i32');
    const px = f.local('i32');
    rowLoop(
      f,
      rows,
      [
        [dst, dRow],
        [x, xRow],
      ],
      () => {
        f.emit(f.set(pd, f.get(dst)), f.set(px, f.get(x)));
        f.for_(j, f.i32(0), f.get(n), 1, () =>
          f.emit(
            storeFromF64(
              f,
              t,
              f.get(pd),
              f.dadd(loadAsF64(f, t, f.get(pd)), f.dmul(loadAsF64(f, t, f.get(px)), f.get(alpha))),
            ),
            f.set(pd, f.add(f.get(pd), f.get(dStep))),
            f.set(px, f.add(f.get(px), f.get(xStep))),
          ),
        )();
      },
    )();
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reductions over float32

/** Rows: out[o] = reduce(x[o, 0..r)) with the r axis contiguous; sum accumulates in f64. (out, x, outer, r, xRow). */
function reduceRowsKernel(m: ModuleBuilder, op: 'sum' | 'max' | 'min'): void {
  m.func(`rrows_${op}`, ['i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [out, x, outer, r, xRow] = f.paramLocals(5);
    const o = f.local('i32');
    const j = f.local('i32');
    const r4 = f.local('i32');
    const p = f.local('i32');
    const acc0 = f.local('v128');
    const acc1 = f.local('v128');
    const v = f.local('v128');
    const s = f.local('f64');
    const fs = f.local('f32');
    f.set(r4, f.and(f.get(r), f.i32(-4)))();
    f.for_(o, f.i32(0), f.get(outer), 1, () => {
      f.set(p, f.add(f.get(x), f.mul(f.get(o), f.get(xRow))))();
      if (op === 'sum') {
        f.emit(f.set(acc0, f.vzero()), f.set(acc1, f.vzero()));
        f.for_(j, f.i32(0), f.get(r4), 4, () =>
          f.emit(
            f.set(v, f.load('v128', f.get(p))),
            f.set(acc0, f.dvadd(f.get(acc0), f.vPromoteLow(f.get(v)))),
            f.set(acc1, f.dvadd(f.get(acc1), f.vPromoteLow(f.vHigh(f.get(v))))),
            f.set(p, f.add(f.get(p), f.i32(16))),
          ),
        )();
        f.set(acc0, f.dvadd(f.get(acc0), f.get(acc1)))();
        f.set(s, f.dadd(f.dlane(f.get(acc0), 0), f.dlane(f.get(acc0), 1)))();
        f.for_(j, f.get(r4), f.get(r), 1, () =>
          f.emit(
            f.set(s, f.dadd(f.get(s), f.promote(f.load('f32', f.get(p))))),
            f.set(p, f.add(f.get(p), f.i32(4))),
          ),
        )();
        f.store('f32', f.add(f.get(out), f.shl(f.get(o), f.i32(2))), f.demote(f.get(s)))();
      } else {
        const vop = (a: Expr, b: Expr): Expr => (op === 'max' ? f.vmax(a, b) : f.vmin(a, b));
        const sop = (a: Expr, b: Expr): Expr => (op === 'max' ? f.fmax(a, b) : f.fmin(a, b));
        f.set(acc0, f.loadSplat(f.get(p)))();
        f.for_(j, f.i32(0), f.get(r4), 4, () =>
          f.emit(
            f.set(acc0, vop(f.get(acc0), f.load('v128', f.get(p)))),
            f.set(p, f.add(f.get(p), f.i32(16))),
          ),
        )();
        f.set(
          fs,
          sop(
            sop(f.lane(f.get(acc0), 0), f.lane(f.get(acc0), 1)),
            sop(f.lane(f.get(acc0), 2), f.lane(f.get(acc0), 3)),
          ),
        )();
        f.for_(j, f.get(r4), f.get(r), 1, () =>
          f.emit(f.set(fs, sop(f.get(fs), f.load('f32', f.get(p)))), f.set(p, f.add(f.get(p), f.i32(4)))),
        )();
        f.store('f32', f.add(f.get(out), f.shl(f.get(o), f.i32(2))), f.get(fs))();
      }
    })();
  });
}

/**
 * Columns: out[o, c] = reduce over i of x[o, i, c] with c contiguous (out is [outer, inner]).
 * (out, x, outer, r, inner, xOuter, xR). Sum accumulates four columns at a time in f64.
 */
function reduceColsKernel(m: ModuleBuilder, op: 'sum' | 'max' | 'min'): void {
  m.func(`rcols_${op}`, new Array(7).fill('i32'), [], (f) => {
    const [out, x, outer, r, inner, xOuter, xR] = f.paramLocals(7);
    const o = f.local('i32');
    const c = f.local('i32');
    const i = f.local('i32');
    const c4 = f.local('i32');
    const p = f.local('i32');
    const po = f.local('i32');
    const acc0 = f.local('v128');
    const acc1 = f.local('v128');
    const v = f.local('v128');
    const s = f.local('f64');
    const fs = f.local('f32');
    f.set(c4, f.and(f.get(inner), f.i32(-4)))();
    f.set(po, f.get(out))();
    f.for_(o, f.i32(0), f.get(outer), 1, () => {
      f.for_(c, f.i32(0), f.get(c4), 4, () => {
        f.set(p, f.add(f.add(f.get(x), f.mul(f.get(o), f.get(xOuter))), f.shl(f.get(c), f.i32(2))))();
        if (op === 'sum') {
          f.emit(f.set(acc0, f.vzero()), f.set(acc1, f.vzero()));
          f.for_(i, f.i32(0), f.get(r), 1, () =>
            f.emit(
              f.set(v, f.load('v128', f.get(p))),
              f.set(acc0, f.dvadd(f.get(acc0), f.vPromoteLow(f.get(v)))),
              f.set(acc1, f.dvadd(f.get(acc1), f.vPromoteLow(f.vHigh(f.get(v))))),
              f.set(p, f.add(f.get(p), f.get(xR))),
            ),
          )();
          f.store('f32', f.get(po), f.demote(f.dlane(f.get(acc0), 0)))();
          f.store('f32', f.get(po), f.demote(f.dlane(f.get(acc0), 1)), 4)();
          f.store('f32', f.get(po), f.demote(f.dlane(f.get(acc1), 0)), 8)();
          f.store('f32', f.get(po), f.demote(f.dlane(f.get(acc1), 1)), 12)();
        } else {
          f.set(acc0, f.load('v128', f.get(p)))();
          f.for_(i, f.i32(1), f.get(r), 1, () =>
            f.emit(
              f.set(p, f.add(f.get(p), f.get(xR))),
              f.set(
                acc0,
                op === 'max'
                  ? f.vmax(f.get(acc0), f.load('v128', f.get(p)))
                  : f.vmin(f.get(acc0), f.load('v128', f.get(p))),
              ),
            ),
          )();
          f.store('v128', f.get(po), f.get(acc0))();
        }
        f.set(po, f.add(f.get(po), f.i32(16)))();
      })();
      f.for_(c, f.get(c4), f.get(inner), 1, () => {
        f.set(p, f.add(f.add(f.get(x), f.mul(f.get(o), f.get(xOuter))), f.shl(f.get(c), f.i32(2))))();
        if (op === 'sum') {
          f.set(s, f.f64(0))();
          f.for_(i, f.i32(0), f.get(r), 1, () =>
            f.emit(
              f.set(s, f.dadd(f.get(s), f.promote(f.load('f32', f.get(p))))),
              f.set(p, f.add(f.get(p), f.get(xR))),
            ),
          )();
          f.store('f32', f.get(po), f.demote(f.get(s)))();
        } else {
          f.set(fs, f.load('f32', f.get(p)))();
          f.for_(i, f.i32(1), f.get(r), 1, () =>
            f.emit(
              f.set(p, f.add(f.get(p), f.get(xR))),
              f.set(
                fs,
                op === 'max'
                  ? f.fmax(f.get(fs), f.load('f32', f.get(p)))
                  : f.fmin(f.get(fs), f.load('f32', f.get(p))),
              ),
            ),
          )();
          f.store('f32', f.get(po), f.get(fs))();
        }
        f.set(po, f.add(f.get(po), f.i32(4)))();
      })();
    })();
  });
}

/**
 * softmax (log = 0) or log-softmax (log = 1) of contiguous rows: (out, x, rows, n), n ≥ 1. Three passes per row: the
 * max (NaN-propagating, as the max reduction), e = exp(x − max) summed in float64 (and stored for softmax), then
 * e / s or (x − max) − log s, rounded as Backend.softmax describes.
 */
function softmaxKernel(m: ModuleBuilder): void {
  m.func('softmax_f32', ['i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [out, x, rows, n, log] = f.paramLocals(5);
    const r = f.local('i32');
    const j = f.local('i32');
    const n4 = f.local('i32');
    const px = f.local('i32');
    const po = f.local('i32');
    const vm = f.local('v128');
    const mx = f.local('f32');
    const acc0 = f.local('v128');
    const acc1 = f.local('v128');
    const e = f.local('v128');
    const sum = f.local('f64');
    const tail = f.local('f64');
    const vs = f.local('v128');
    const at = (base: Local): Expr => f.add(f.get(base), f.shl(f.get(j), f.i32(2)));
    /** Both the vector loop (4 lanes from `j`) and the scalar tail (lane 0 of a splat) run `body(v)`. */
    const rowLoop = (body: (v: Expr, vec: boolean) => void): void => {
      f.for_(j, f.i32(0), f.get(n4), 4, () => body(f.load('v128', at(px)), true))();
      f.for_(j, f.get(n4), f.get(n), 1, () => body(f.loadSplat(at(px)), false))();
    };
    const put = (v: Expr, vec: boolean): Expr =>
      vec ? f.store('v128', at(po), v) : f.store('f32', at(po), f.lane(v, 0));
    f.set(n4, f.and(f.get(n), f.i32(-4)))();
    f.for_(r, f.i32(0), f.get(rows), 1, () => {
      f.emit(
        f.set(px, f.add(f.get(x), f.shl(f.mul(f.get(r), f.get(n)), f.i32(2)))),
        f.set(po, f.add(f.get(out), f.shl(f.mul(f.get(r), f.get(n)), f.i32(2)))),
        f.set(vm, f.loadSplat(f.get(px))),
      );
      rowLoop((v) => f.set(vm, f.vmax(f.get(vm), v))());
      f.set(
        mx,
        f.fmax(
          f.fmax(f.lane(f.get(vm), 0), f.lane(f.get(vm), 1)),
          f.fmax(f.lane(f.get(vm), 2), f.lane(f.get(vm), 3)),
        ),
      )();
      f.emit(
        f.set(vm, f.splat(f.get(mx))),
        f.set(acc0, f.vzero()),
        f.set(acc1, f.vzero()),
        f.set(tail, f.f64(0)),
      );
      rowLoop((v, vec) => {
        f.set(e, VUNARY.exp(f, f.vsub(v, f.get(vm))))();
        f.if_(f.eqz(f.get(log)), () => put(f.get(e), vec)())();
        if (vec)
          f.emit(
            f.set(acc0, f.dvadd(f.get(acc0), f.vPromoteLow(f.get(e)))),
            f.set(acc1, f.dvadd(f.get(acc1), f.vPromoteLow(f.vHigh(f.get(e))))),
          );
        else f.set(tail, f.dadd(f.get(tail), f.promote(f.lane(f.get(e), 0))))();
      });
      f.set(acc0, f.dvadd(f.get(acc0), f.get(acc1)))();
      f.set(sum, f.dadd(f.dadd(f.dlane(f.get(acc0), 0), f.dlane(f.get(acc0), 1)), f.get(tail)))();
      f.set(vs, f.splat(f.demote(f.get(sum))))();
      f.if_(
        f.eqz(f.get(log)),
        () => {
          f.for_(j, f.i32(0), f.get(n4), 4, () =>
            f.emit(f.store('v128', at(po), f.vdiv(f.load('v128', at(po)), f.get(vs)))),
          )();
          f.for_(j, f.get(n4), f.get(n), 1, () =>
            f.emit(f.store('f32', at(po), f.fdiv(f.load('f32', at(po)), f.lane(f.get(vs), 0)))),
          )();
        },
        () => {
          f.set(vs, VUNARY.log(f, f.get(vs)))();
          rowLoop((v, vec) => put(f.vsub(f.vsub(v, f.get(vm)), f.get(vs)), vec)());
        },
      )();
    })();
  });
}

// ---------------------------------------------------------------------------------------------------------------
// SGEMM

/**
 * c[MR x 8] (+)= Σ_k pa[k][0..MR) ⊗ pb[k][0..8): (pa, pb, c, kc, ldc, accumulate).
 * Without FMA (MR = 4) each step is 8 multiplies, 8 adds and 6 loads, and on cores that dispatch at most four vector
 * ops a cycle, loads included (Zen 1), that caps the kernel near 16/22 of the multiply-add loop. A is packed
 * pre-broadcast there (each value four times): plain loads measured a little faster than load32_splat.
 * With FMA (MR = 6) a step is 12 fused multiply-adds and 8 loads, and A is packed plain and splat in the loop.
 */
function microKernel(m: ModuleBuilder, fma: boolean): number {
  const { mr, aBytes } = gemmTile(fma);
  return m.func('gemm_micro', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [pa, pb, c, kc, ldc, acc] = f.paramLocals(6);
    const C = Array.from({ length: 2 * mr }, () => f.local('v128'));
    const b0 = f.local('v128');
    const b1 = f.local('v128');
    const a = f.local('v128');
    const k = f.local('i32');
    const madd = (x: Expr, y: Expr, z: Expr): Expr => (fma ? f.vmadd(x, y, z) : f.vadd(z, f.vmul(x, y)));
    const aStep = mr * aBytes;
    const stepAt = (u: number): void => {
      f.set(b0, f.load('v128', f.get(pb), 32 * u))();
      f.set(b1, f.load('v128', f.get(pb), 32 * u + 16))();
      for (let r = 0; r < mr; r++) {
        const at = aStep * u + aBytes * r;
        f.set(a, fma ? f.loadSplat(f.get(pa), at) : f.load('v128', f.get(pa), at))();
        f.set(C[2 * r]!, madd(f.get(a), f.get(b0), f.get(C[2 * r]!)))();
        f.set(C[2 * r + 1]!, madd(f.get(a), f.get(b1), f.get(C[2 * r + 1]!)))();
      }
    };
    f.set(k, f.get(kc))();
    if (fma) {
      // one step per iteration: with 12 accumulators live, any unrolling lets TurboFan hoist the next step's
      // loads and spill (measured at half speed)
      f.while_(f.gtS(f.get(k), f.i32(0)), () => {
        stepAt(0);
        f.emit(
          f.set(pa, f.add(f.get(pa), f.i32(aStep))),
          f.set(pb, f.add(f.get(pb), f.i32(32))),
          f.set(k, f.sub(f.get(k), f.i32(1))),
        );
      })();
    } else {
      // Two k steps per iteration with an exit test between them: a plain unroll lets TurboFan hoist every load
      // of the body to the top and spill the accumulators; the branch keeps each step's loads in its own block.
      f.block((exit) => {
        f.while_(f.gtS(f.get(k), f.i32(0)), () => {
          stepAt(0);
          f.set(k, f.sub(f.get(k), f.i32(1)))();
          f.if_(f.eqz(f.get(k)), () => {
            f.emit(f.set(pa, f.add(f.get(pa), f.i32(aStep))), f.set(pb, f.add(f.get(pb), f.i32(32))));
            f.brIf(exit, f.i32(1))();
          })();
          stepAt(1);
          f.emit(
            f.set(pa, f.add(f.get(pa), f.i32(2 * aStep))),
            f.set(pb, f.add(f.get(pb), f.i32(64))),
            f.set(k, f.sub(f.get(k), f.i32(1))),
          );
        })();
      })();
    }
    const row = (r: number): Expr => f.add(f.get(c), f.mul(f.get(ldc), f.i32(r)));
    f.if_(
      f.get(acc),
      () => {
        for (let r = 0; r < mr; r++) {
          f.store('v128', row(r), f.vadd(f.load('v128', row(r)), f.get(C[2 * r]!)))();
          f.store('v128', row(r), f.vadd(f.load('v128', row(r), 16), f.get(C[2 * r + 1]!)), 16)();
        }
      },
      () => {
        for (let r = 0; r < mr; r++) {
          f.store('v128', row(r), f.get(C[2 * r]!))();
          f.store('v128', row(r), f.get(C[2 * r + 1]!), 16)();
        }
      },
    )();
  });
}

/**
 * C (+)= Σ_batch A·Bᵀ-rows, unpacked, for operands whose rows both run along K: C[i][j] = Σ_b Σ_l A[b][i][l]·B[b][j][l]
 * with (c, a, b, m, n, k, lda, ldb, ldc, batch, aBatch, bBatch, accumulate), strides in bytes, the batch summed.
 * Note [Dot products]: for a product with few outputs and a long K (a convolution's weight gradient: 8 x 9 outputs
 * from 25,088 terms each) packing the operands costs more than the multiply-adds they feed, and the register tile
 * would be mostly padding. Here each 3 x 3 block of outputs keeps nine vectors of four partial sums in registers while
 * it streams three rows of each operand; rows past m or n repeat the last row and are not stored; K's last k % 4
 * terms go through scalar sums.
 */
function dotKernel(m: ModuleBuilder, fma: boolean): void {
  m.func('gemm_dot', new Array(13).fill('i32'), [], (f) => {
    const [c, a, b, M, N, K, lda, ldb, ldc, batch, aB, bB, accumulate] = f.paramLocals(13);
    const [i, j, l, bi, k4] = [
      f.local('i32'),
      f.local('i32'),
      f.local('i32'),
      f.local('i32'),
      f.local('i32'),
    ];
    const pa = Array.from({ length: 3 }, () => f.local('i32'));
    const pb = Array.from({ length: 3 }, () => f.local('i32'));
    const acc = Array.from({ length: 9 }, () => f.local('v128'));
    const tail = Array.from({ length: 9 }, () => f.local('f32'));
    const va = Array.from({ length: 3 }, () => f.local('v128'));
    const vb = f.local('v128');
    const sa = Array.from({ length: 3 }, () => f.local('f32'));
    const sb = f.local('f32');
    const out = f.local('i32');
    const v = f.local('f32');
    const madd = (x: Expr, y: Expr, z: Expr): Expr => (fma ? f.vmadd(x, y, z) : f.vadd(z, f.vmul(x, y)));
    /** Row `first + r` of a side with `count` rows, clamped to its last row. */
    const row = (first: Local, r: number, count: Local): Expr =>
      f.minS(f.add(f.get(first), f.i32(r)), f.sub(f.get(count), f.i32(1)));
    const at = (p: Local): Expr => f.add(f.get(p), f.shl(f.get(l), f.i32(2)));
    f.set(k4, f.and(f.get(K), f.i32(-4)))();
    f.for_(i, f.i32(0), f.get(M), 3, () =>
      f.for_(j, f.i32(0), f.get(N), 3, () => {
        for (let q = 0; q < 9; q++) f.emit(f.set(acc[q]!, f.vzero()), f.set(tail[q]!, f.f32(0)));
        f.for_(bi, f.i32(0), f.get(batch), 1, () => {
          for (let r = 0; r < 3; r++)
            f.emit(
              f.set(
                pa[r]!,
                f.add(f.add(f.get(a), f.mul(f.get(bi), f.get(aB))), f.mul(row(i, r, M), f.get(lda))),
              ),
              f.set(
                pb[r]!,
                f.add(f.add(f.get(b), f.mul(f.get(bi), f.get(bB))), f.mul(row(j, r, N), f.get(ldb))),
              ),
            );
          f.for_(l, f.i32(0), f.get(k4), 4, () => {
            for (let r = 0; r < 3; r++) f.set(va[r]!, f.load('v128', at(pa[r]!)))();
            for (let s = 0; s < 3; s++) {
              f.set(vb, f.load('v128', at(pb[s]!)))();
              for (let r = 0; r < 3; r++)
                f.set(acc[3 * r + s]!, madd(f.get(va[r]!), f.get(vb), f.get(acc[3 * r + s]!)))();
            }
          })();
          f.for_(l, f.get(k4), f.get(K), 1, () => {
            for (let r = 0; r < 3; r++) f.set(sa[r]!, f.load('f32', at(pa[r]!)))();
            for (let s = 0; s < 3; s++) {
              f.set(sb, f.load('f32', at(pb[s]!)))();
              for (let r = 0; r < 3; r++)
                f.set(tail[3 * r + s]!, f.fadd(f.get(tail[3 * r + s]!), f.fmul(f.get(sa[r]!), f.get(sb))))();
            }
          })();
        })();
        for (let r = 0; r < 3; r++)
          for (let s = 0; s < 3; s++)
            f.if_(
              f.and(f.ltS(f.add(f.get(i), f.i32(r)), f.get(M)), f.ltS(f.add(f.get(j), f.i32(s)), f.get(N))),
              () => {
                const q = acc[3 * r + s]!;
                f.emit(
                  f.set(
                    v,
                    f.fadd(
                      f.fadd(
                        f.fadd(f.lane(f.get(q), 0), f.lane(f.get(q), 1)),
                        f.fadd(f.lane(f.get(q), 2), f.lane(f.get(q), 3)),
                      ),
                      f.get(tail[3 * r + s]!),
                    ),
                  ),
                  f.set(
                    out,
                    f.add(
                      f.add(f.get(c), f.mul(f.add(f.get(i), f.i32(r)), f.get(ldc))),
                      f.shl(f.add(f.get(j), f.i32(s)), f.i32(2)),
                    ),
                  ),
                );
                f.if_(f.get(accumulate), () => f.set(v, f.fadd(f.load('f32', f.get(out)), f.get(v)))())();
                f.store('f32', f.get(out), f.get(v))();
              },
            )();
      })(),
    )();
  });
}

/**
 * Packs an mc x kc block of A (any strides) into MR-row panels, zero-padded: (a, rowStep, colStep, mc, kc, dst).
 * Each value is stored broadcast to a v128 without FMA, as one f32 with it (see `gemmTile`).
 */
function packA(m: ModuleBuilder, fma: boolean): number {
  const { mr, aBytes } = gemmTile(fma);
  return m.func('gemm_packA', new Array(6).fill('i32'), [], (f) => {
    const [a, rs, cs, mc, kc, dst] = f.paramLocals(6);
    const ir = f.local('i32');
    const p = f.local('i32');
    const r = f.local('i32');
    const src = f.local('i32');
    const d = f.local('i32');
    const put = (at: Expr, v: Expr, off = 0): Expr =>
      aBytes === 16 ? f.store('v128', at, f.splat(v), off) : f.store('f32', at, v, off);
    const next = (): void =>
      f.emit(f.set(src, f.add(f.get(src), f.get(cs))), f.set(d, f.add(f.get(d), f.i32(mr * aBytes))));
    f.set(d, f.get(dst))();
    f.for_(ir, f.i32(0), f.get(mc), mr, () => {
      f.set(src, f.add(f.get(a), f.mul(f.get(ir), f.get(rs))))();
      f.if_(
        f.leS(f.add(f.get(ir), f.i32(mr)), f.get(mc)),
        () =>
          f.for_(p, f.i32(0), f.get(kc), 1, () => {
            for (let q = 0; q < mr; q++) {
              const at = f.add(f.get(src), f.mul(f.get(rs), f.i32(q)));
              if (aBytes === 16) f.store('v128', f.get(d), f.loadSplat(at), 16 * q)();
              else f.store('f32', f.get(d), f.load('f32', at), 4 * q)();
            }
            next();
          })(),
        () =>
          f.for_(p, f.i32(0), f.get(kc), 1, () => {
            f.for_(r, f.i32(0), f.i32(mr), 1, () =>
              put(
                f.add(f.get(d), f.mul(f.get(r), f.i32(aBytes))),
                f.select(
                  f.load(
                    'f32',
                    f.add(
                      f.get(src),
                      f.mul(f.get(rs), f.minS(f.get(r), f.sub(f.sub(f.get(mc), f.get(ir)), f.i32(1)))),
                    ),
                  ),
                  f.f32(0),
                  f.ltS(f.add(f.get(ir), f.get(r)), f.get(mc)),
                ),
              )(),
            )();
            next();
          })(),
      )();
    })();
  });
}

/**
 * Packs a kc x nc block of B (any strides) into 8-column panels, zero-padded: (b, rowStep, colStep, kc, nc, dst).
 * Full panels have two fast paths: rows of B contiguous (cs = 4: two v128 copies per k) and columns contiguous
 * (rs = 4, B is a transposed view such as nn.Linear's W^T: four k of each column per v128 load, 4x4 transposes).
 */
function packB(m: ModuleBuilder): number {
  return m.func('gemm_packB', new Array(6).fill('i32'), [], (f) => {
    const [b, rs, cs, kc, nc, dst] = f.paramLocals(6);
    const jr = f.local('i32');
    const p = f.local('i32');
    const j = f.local('i32');
    const src = f.local('i32');
    const d = f.local('i32');
    const k4 = f.local('i32');
    const V = Array.from({ length: 8 }, () => f.local('v128'));
    const T = Array.from({ length: 4 }, () => f.local('v128'));
    const full = (): Expr => f.leS(f.add(f.get(jr), f.i32(8)), f.get(nc));
    const col = (c: number): Expr => f.add(f.get(src), f.mul(f.get(cs), f.i32(c)));
    /** Scalar copy of row p of the panel: 8 columns read through cs (the transposed path's k tail). */
    const rowByColumns = (): void => {
      for (let c = 0; c < 8; c++) f.store('f32', f.get(d), f.load('f32', col(c)), 4 * c)();
    };
    f.set(d, f.get(dst))();
    f.set(k4, f.and(f.get(kc), f.i32(-4)))();
    f.for_(jr, f.i32(0), f.get(nc), 8, () => {
      f.set(src, f.add(f.get(b), f.mul(f.get(jr), f.get(cs))))();
      f.if_(
        f.and(full(), f.eq(f.get(cs), f.i32(4))),
        () =>
          f.for_(p, f.i32(0), f.get(kc), 1, () =>
            f.emit(
              f.store('v128', f.get(d), f.load('v128', f.get(src))),
              f.store('v128', f.get(d), f.load('v128', f.get(src), 16), 16),
              f.set(src, f.add(f.get(src), f.get(rs))),
              f.set(d, f.add(f.get(d), f.i32(32))),
            ),
          )(),
        () =>
          f.if_(
            f.and(full(), f.eq(f.get(rs), f.i32(4))),
            () => {
              f.for_(p, f.i32(0), f.get(k4), 4, () => {
                for (let c = 0; c < 8; c++) f.set(V[c]!, f.load('v128', col(c)))();
                // per half (columns 0-3, 4-7): 4x4 transpose, row q = lane q of each column
                for (let h = 0; h < 2; h++) {
                  const [v0, v1, v2, v3] = [0, 1, 2, 3].map((c) => f.get(V[4 * h + c]!)) as [
                    Expr,
                    Expr,
                    Expr,
                    Expr,
                  ];
                  f.set(T[0]!, f.vshuffle32(v0, v1, [0, 4, 1, 5]))();
                  f.set(T[1]!, f.vshuffle32(v2, v3, [0, 4, 1, 5]))();
                  f.set(T[2]!, f.vshuffle32(v0, v1, [2, 6, 3, 7]))();
                  f.set(T[3]!, f.vshuffle32(v2, v3, [2, 6, 3, 7]))();
                  for (let q = 0; q < 4; q++) {
                    const [x, y] = q < 2 ? [T[0]!, T[1]!] : [T[2]!, T[3]!];
                    const lanes: [number, number, number, number] = q % 2 === 0 ? [0, 1, 4, 5] : [2, 3, 6, 7];
                    f.store('v128', f.get(d), f.vshuffle32(f.get(x), f.get(y), lanes), 32 * q + 16 * h)();
                  }
                }
                f.emit(f.set(src, f.add(f.get(src), f.i32(16))), f.set(d, f.add(f.get(d), f.i32(128))));
              })();
              f.for_(p, f.get(k4), f.get(kc), 1, () => {
                rowByColumns();
                f.emit(f.set(src, f.add(f.get(src), f.i32(4))), f.set(d, f.add(f.get(d), f.i32(32))));
              })();
            },
            () =>
              f.for_(p, f.i32(0), f.get(kc), 1, () => {
                f.for_(j, f.i32(0), f.i32(8), 1, () =>
                  f.store(
                    'f32',
                    f.add(f.get(d), f.shl(f.get(j), f.i32(2))),
                    f.select(
                      f.load(
                        'f32',
                        f.add(
                          f.get(src),
                          f.mul(f.get(cs), f.minS(f.get(j), f.sub(f.sub(f.get(nc), f.get(jr)), f.i32(1)))),
                        ),
                      ),
                      f.f32(0),
                      f.ltS(f.add(f.get(jr), f.get(j)), f.get(nc)),
                    ),
                  )(),
                )();
                f.emit(f.set(src, f.add(f.get(src), f.get(rs))), f.set(d, f.add(f.get(d), f.i32(32))));
              })(),
          )(),
      )();
    })();
  });
}

/**
 * The whole product: C[batch][m x n] = A·B with A, B read through byte strides and C contiguous rows of `ldc` bytes.
 * (a, ars, acs, b, brs, bcs, c, m, n, k, ldc, batch, aBatch, bBatch, cBatch, scratchA, scratchB, tile).
 */
function gemmDriver(m: ModuleBuilder, fma: boolean, micro: number, pA: number, pB: number): void {
  const { MC, KC, NC } = GEMM;
  const { mr: MR, aBytes } = gemmTile(fma);
  m.func('gemm', new Array(18).fill('i32'), [], (f) => {
    const [a, ars, acs, b, brs, bcs, c, M, N, K, ldc, batch, aB, bB, cB, sa, sb, tile] = f.paramLocals(18);
    const bi = f.local('i32');
    const jc = f.local('i32');
    const pc = f.local('i32');
    const ic = f.local('i32');
    const nc = f.local('i32');
    const kc = f.local('i32');
    const mc = f.local('i32');
    const jr = f.local('i32');
    const ir = f.local('i32');
    const cc = f.local('i32');
    const i = f.local('i32');
    const j = f.local('i32');
    const nr = f.local('i32');
    const mr = f.local('i32');
    const acc = f.local('i32');
    const pa = f.local('i32');
    const pb = f.local('i32');
    const addr = f.local('i32');
    const kb = f.local('i32');
    const min = (x: Expr, y: Expr): Expr => f.minS(x, y);
    // K in ceil(K / KC) equal blocks: a short last block (K = 784 -> 256 x 3 + 16) would pay the per-tile C
    // load / store and call costs for very few multiply-adds
    f.set(kb, f.divU(f.add(f.get(K), f.i32(KC - 1)), f.i32(KC)))();
    f.set(
      kb,
      f.divU(f.add(f.get(K), f.sub(f.get(kb), f.i32(1))), f.select(f.get(kb), f.i32(1), f.get(kb))),
    )();
    f.for_(bi, f.i32(0), f.get(batch), 1, () => {
      f.for_(jc, f.i32(0), f.get(N), NC, () => {
        f.set(nc, min(f.i32(NC), f.sub(f.get(N), f.get(jc))))();
        f.for_(pc, f.i32(0), f.get(K), f.get(kb), () => {
          f.set(kc, min(f.get(kb), f.sub(f.get(K), f.get(pc))))();
          // accumulate after the first K block; a zero C batch stride sums the batch into one C (batch-reduce)
          f.set(acc, f.or(f.gtS(f.get(pc), f.i32(0)), f.and(f.gtS(f.get(bi), f.i32(0)), f.eqz(f.get(cB)))))();
          f.call(
            pB,
            f.add(f.add(f.get(b), f.mul(f.get(pc), f.get(brs))), f.mul(f.get(jc), f.get(bcs))),
            f.get(brs),
            f.get(bcs),
            f.get(kc),
            f.get(nc),
            f.get(sb),
          )();
          f.for_(ic, f.i32(0), f.get(M), MC, () => {
            f.set(mc, min(f.i32(MC), f.sub(f.get(M), f.get(ic))))();
            f.call(
              pA,
              f.add(f.add(f.get(a), f.mul(f.get(ic), f.get(ars))), f.mul(f.get(pc), f.get(acs))),
              f.get(ars),
              f.get(acs),
              f.get(mc),
              f.get(kc),
              f.get(sa),
            )();
            // macro kernel over the block
            f.for_(jr, f.i32(0), f.get(nc), 8, () => {
              f.set(nr, min(f.i32(8), f.sub(f.get(nc), f.get(jr))))();
              f.set(pb, f.add(f.get(sb), f.shl(f.mul(f.get(jr), f.get(kc)), f.i32(2))))();
              f.for_(ir, f.i32(0), f.get(mc), MR, () => {
                f.set(mr, min(f.i32(MR), f.sub(f.get(mc), f.get(ir))))();
                f.set(pa, f.add(f.get(sa), f.mul(f.mul(f.get(ir), f.get(kc)), f.i32(aBytes))))();
                f.set(
                  cc,
                  f.add(
                    f.add(f.get(c), f.mul(f.add(f.get(ic), f.get(ir)), f.get(ldc))),
                    f.shl(f.add(f.get(jc), f.get(jr)), f.i32(2)),
                  ),
                )();
                f.if_(
                  f.and(f.eq(f.get(mr), f.i32(MR)), f.eq(f.get(nr), f.i32(8))),
                  () => f.call(micro, f.get(pa), f.get(pb), f.get(cc), f.get(kc), f.get(ldc), f.get(acc))(),
                  () => {
                    f.call(micro, f.get(pa), f.get(pb), f.get(tile), f.get(kc), f.i32(32), f.i32(0))();
                    f.for_(i, f.i32(0), f.get(mr), 1, () =>
                      f.for_(j, f.i32(0), f.get(nr), 1, () => {
                        f.set(
                          addr,
                          f.add(f.add(f.get(cc), f.mul(f.get(i), f.get(ldc))), f.shl(f.get(j), f.i32(2))),
                        )();
                        f.store(
                          'f32',
                          f.get(addr),
                          f.fadd(
                            f.select(f.load('f32', f.get(addr)), f.f32(0), f.get(acc)),
                            f.load(
                              'f32',
                              f.add(f.get(tile), f.add(f.shl(f.get(i), f.i32(5)), f.shl(f.get(j), f.i32(2)))),
                            ),
                          ),
                        )();
                      })(),
                    )();
                  },
                )();
              })();
            })();
          })();
        })();
      })();
      f.emit(
        f.set(a, f.add(f.get(a), f.get(aB))),
        f.set(b, f.add(f.get(b), f.get(bB))),
        f.set(c, f.add(f.get(c), f.get(cB))),
      );
    })();
  });
}

/** A multiply-add loop on twelve independent f32x4 chains: the SIMD ceiling (flops = iters * 12 * 8). */
function peakKernel(m: ModuleBuilder, fma: boolean): void {
  m.func('peak', ['i32'], ['f32'], (f) => {
    const iters = f.param(0);
    const A = Array.from({ length: 12 }, () => f.local('v128'));
    const x = f.local('v128');
    const y = f.local('v128');
    const it = f.local('i32');
    f.emit(f.set(x, splatF(f, 0.999999)), f.set(y, splatF(f, 1e-6)));
    for (const [i, l] of A.entries()) f.set(l, splatF(f, i))();
    f.for_(it, f.i32(0), f.get(iters), 1, () => {
      for (const l of A)
        f.set(
          l,
          fma ? f.vmadd(f.get(l), f.get(x), f.get(y)) : f.vadd(f.vmul(f.get(l), f.get(x)), f.get(y)),
        )();
    })();
    let s: Expr = f.get(A[0]!);
    for (let i = 1; i < A.length; i++) s = f.vadd(s, f.get(A[i]!));
    f.ret(f.lane(s, 0))();
  });
}

/**
 * Builds the kernel module's bytes.
 * @example const bytes = buildKernels({ shared: true, maximumPages: 65536, fma: false });
 */
export function buildKernels(opts: { shared: boolean; maximumPages: number; fma: boolean }): Uint8Array {
  const m = new ModuleBuilder({ shared: opts.shared, initialPages: 1, maximumPages: opts.maximumPages });
  for (const op of VEC_UNARY) unaryKernel(m, op);
  for (const op of VEC_BINARY) binaryKernel(m, op);
  for (const op of COMPARE) compareKernel(m, op);
  whereKernel(m);
  for (const from of ELEMS) for (const to of ELEMS) castKernel(m, from, to);
  for (const t of ELEMS) fillKernel(m, t);
  randomKernels(m);
  axpyKernel(m, 'f32');
  axpyKernel(m, 'f64');
  for (const op of ['sum', 'max', 'min'] as const) {
    reduceRowsKernel(m, op);
    reduceColsKernel(m, op);
  }
  dotKernel(m, opts.fma);
  const micro = microKernel(m, opts.fma);
  gemmDriver(m, opts.fma, micro, packA(m, opts.fma), packB(m));
  peakKernel(m, opts.fma);
  windowKernels(m);
  softmaxKernel(m);
  return m.toBytes();
}

/** Bytes per element of a cast-kernel element type. @example elemSize('f64') // 8 */
export function elemSize(t: Elem): number {
  return SIZE[t];
}
