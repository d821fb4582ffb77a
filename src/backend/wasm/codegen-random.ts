/**
 * @file The two loops of a large float32 `torch.rand`/`torch.randn` as wasm kernels: mt19937 draws to uniforms, and
 * the Box-Muller block transform with the same operations, order and roundings as the JavaScript reference in
 * core/random.ts (PyTorch's AVX2 normal_fill_16 with avx_mathfun's log and sincos and gcc's FMA contractions), so
 * results are bit-identical. Compiled code needs no JIT warm-up, which was most of a first large fill (cold start).
 */
import { BOX_MULLER_F32, MT19937 } from '../../core/random.js';
import type { Expr, Func, ModuleBuilder } from './emitter.js';

// f64 opcodes the emitter has no name for (values are float32 numbers held in f64, as the JS reference holds them)
const SQRT = 0x9f;
const NEG = 0x9a;
const EQ = 0x61;
const NE = 0x62;
const LT = 0x63;
const GT = 0x64;
const BITS_OF_F32 = 0xbc; // i32.reinterpret_f32
const F32_OF_BITS = 0xbe; // f32.reinterpret_i32

const K = BOX_MULLER_F32;

/** Math.fround: f64 → f32 → f64. */
const fr = (f: Func, x: Expr): Expr => f.promote(f.demote(x));
const add = (f: Func, a: Expr, b: Expr): Expr => f.dadd(a, b);
const sub = (f: Func, a: Expr, b: Expr): Expr => f.dsub(a, b);
const mul = (f: Func, a: Expr, b: Expr): Expr => f.dmul(a, b);

/** fmaf(a, b, c) -> f64: the single-rounded float32 a·b + c, as core/random.ts's fmaf. */
function fmafKernel(m: ModuleBuilder): number {
  return m.func('rng_fmaf', ['f64', 'f64', 'f64'], ['f64'], (f) => {
    const [a, b, c] = f.paramLocals(3);
    const p = f.local('f64');
    const s = f.local('f64');
    const r = f.local('f64');
    const t = f.local('f64');
    const bb = f.local('f64');
    const e = f.local('f64');
    f.emit(
      f.set(p, mul(f, f.get(a), f.get(b))), // exact: two 24-bit significands
      f.set(s, add(f, f.get(p), f.get(c))),
      f.set(r, fr(f, f.get(s))),
    );
    f.if_(f.raw(EQ, f.get(r), f.get(s)), () => f.ret(f.get(r))())();
    f.set(t, add(f, f.get(r), mul(f, f.f64(2), sub(f, f.get(s), f.get(r)))))();
    f.if_(f.raw(NE, fr(f, f.get(t)), f.get(t)), () => f.ret(f.get(r))())();
    f.emit(
      f.set(bb, sub(f, f.get(s), f.get(p))),
      f.set(e, add(f, sub(f, f.get(p), sub(f, f.get(s), f.get(bb))), sub(f, f.get(c), f.get(bb)))),
    );
    f.if_(f.raw(EQ, f.get(e), f.f64(0)), () => f.ret(f.get(r))())();
    f.ret(f.select(f.get(t), f.get(r), f.eq(f.raw(GT, f.get(e), f.f64(0)), f.raw(GT, f.get(t), f.get(r)))))();
  });
}

/** logAvx(x) -> f64 for x in (0, 1]: avx_mathfun's log256_ps for one lane. */
function logKernel(m: ModuleBuilder, fmaf: number): number {
  return m.func('rng_log', ['f64'], ['f64'], (f) => {
    const x = f.param(0);
    const bits = f.local('i32');
    const e = f.local('f64');
    const z = f.local('f64');
    const y = f.local('f64');
    const fma = (a: Expr, b: Expr, c: Expr): Expr => f.call(fmaf, a, b, c);
    f.emit(
      f.set(bits, f.raw(BITS_OF_F32, f.demote(f.get(x)))),
      f.set(e, f.f64FromI32(f.sub(f.shrU(f.get(bits), f.i32(23)), f.i32(126)))),
      f.set(
        x,
        f.promote(f.raw(F32_OF_BITS, f.or(f.and(f.get(bits), f.i32(~0x7f800000)), f.i32(0x3f000000)))),
      ),
    );
    f.if_(
      f.raw(LT, f.get(x), f.f64(K.SQRTHF)),
      () =>
        f.emit(
          f.set(e, sub(f, f.get(e), f.f64(1))),
          f.set(x, fr(f, add(f, sub(f, f.get(x), f.f64(1)), f.get(x)))),
        ),
      () => f.set(x, fr(f, sub(f, f.get(x), f.f64(1))))(),
    )();
    f.emit(f.set(z, fr(f, mul(f, f.get(x), f.get(x)))), f.set(y, f.f64(K.LOG_P[0]!)));
    for (let k = 1; k < 9; k++) f.set(y, fma(f.get(y), f.get(x), f.f64(K.LOG_P[k]!)))();
    f.emit(
      f.set(y, fr(f, mul(f, f.get(y), f.get(x)))),
      f.set(y, fma(f.get(y), f.get(z), fr(f, mul(f, f.get(e), f.f64(K.LOG_Q1))))),
      f.set(y, fr(f, sub(f, f.get(y), fr(f, mul(f, f.get(z), f.f64(0.5)))))),
      f.set(x, fr(f, add(f, f.get(x), f.get(y)))),
    );
    f.ret(fr(f, add(f, f.get(x), mul(f, f.get(e), f.f64(K.LOG_Q2)))))();
  });
}

/**
 * normal16_f32(ptr, blocks, mean, std, plain): Box-Muller over `blocks` blocks of 16 float32 uniforms at `ptr`, in
 * place; `plain` (mean 0, std 1) skips the final fmaf as the reference does.
 */
function normalKernel(m: ModuleBuilder, fmaf: number, log: number): void {
  m.func('normal16_f32', ['i32', 'i32', 'f64', 'f64', 'i32'], [], (f) => {
    const [ptr, blocks, mean, std, plain] = f.paramLocals(5);
    const blk = f.local('i32');
    const j = f.local('i32');
    const at = f.local('i32');
    const radius = f.local('f64');
    const x = f.local('f64');
    const q = f.local('i32');
    const qf = f.local('f64');
    const z = f.local('f64');
    const c = f.local('f64');
    const s = f.local('f64');
    const sn = f.local('f64');
    const cs = f.local('f64');
    const fma = (a: Expr, b: Expr, cc: Expr): Expr => f.call(fmaf, a, b, cc);
    const load = (off: number): Expr => f.promote(f.load('f32', f.get(at), off));
    const out = (off: number, v: Expr): Expr =>
      f.store(
        'f32',
        f.get(at),
        f.demote(f.select(add(f, v, f.f64(0)), fma(v, f.get(std), f.get(mean)), f.get(plain))),
        off,
      );
    f.for_(blk, f.i32(0), f.get(blocks), 1, () => {
      f.for_(j, f.i32(0), f.i32(8), 1, () => {
        f.set(at, f.add(f.get(ptr), f.shl(f.add(f.shl(f.get(blk), f.i32(4)), f.get(j)), f.i32(2))))();
        // radius = fround(sqrt(-2 · log(fround(1 − u))))
        f.set(radius, fr(f, f.raw(SQRT, mul(f, f.f64(-2), f.call(log, fr(f, sub(f, f.f64(1), load(0))))))))();
        // sincos of fround(2π · u'), avx_mathfun's sincos256_ps for one lane
        f.emit(
          f.set(x, fr(f, mul(f, f.f64(K.TWO_PI_F), load(32)))),
          f.set(q, f.and(f.add(f.i32FromF64(fr(f, mul(f, f.get(x), f.f64(K.FOPI)))), f.i32(1)), f.i32(~1))),
          f.set(qf, f.f64FromI32(f.get(q))),
          f.set(x, fr(f, add(f, f.get(x), mul(f, f.get(qf), f.f64(K.DP1))))),
          f.set(x, fr(f, add(f, f.get(x), mul(f, f.get(qf), f.f64(K.DP2))))),
          f.set(x, fma(f.get(qf), f.f64(K.DP3), f.get(x))),
          f.set(z, fr(f, mul(f, f.get(x), f.get(x)))),
          f.set(c, fma(fma(f.f64(K.COS_P0), f.get(z), f.f64(K.COS_P1)), f.get(z), f.f64(K.COS_P2))),
          f.set(c, fr(f, mul(f, f.get(c), f.get(z)))),
          f.set(
            c,
            fr(f, add(f, fma(f.get(c), f.get(z), f.raw(NEG, fr(f, mul(f, f.get(z), f.f64(0.5))))), f.f64(1))),
          ),
          f.set(s, fma(fma(f.f64(K.SIN_P0), f.get(z), f.f64(K.SIN_P1)), f.get(z), f.f64(K.SIN_P2))),
          f.set(s, fma(fr(f, mul(f, f.get(s), f.get(z))), f.get(x), f.get(x))),
          // the kernel's and/andnot blend adds +0; then the sign flips
          f.set(sn, add(f, f.select(f.get(c), f.get(s), f.and(f.get(q), f.i32(2))), f.f64(0))),
          f.set(cs, add(f, f.select(f.get(s), f.get(c), f.and(f.get(q), f.i32(2))), f.f64(0))),
          f.set(sn, f.select(f.raw(NEG, f.get(sn)), f.get(sn), f.and(f.get(q), f.i32(4)))),
          f.set(cs, f.select(f.get(cs), f.raw(NEG, f.get(cs)), f.and(f.sub(f.get(q), f.i32(2)), f.i32(4)))),
          out(0, fr(f, mul(f, f.get(radius), f.get(cs)))),
          out(32, fr(f, mul(f, f.get(radius), f.get(sn)))),
        );
      })();
    })();
  });
}

/** Byte offsets in a state block: the 624 words, then `left` and `next` (i32). */
export const MT_STATE = {
  words: 0,
  left: MT19937.N * 4,
  next: MT19937.N * 4 + 4,
  bytes: MT19937.N * 4 + 8,
} as const;

/** mt_twist(state): mt19937's next_state over the words at `state`. */
function twistKernel(m: ModuleBuilder): number {
  const { N, M, MATRIX_A, UPPER, LOWER } = MT19937;
  return m.func('mt_twist', ['i32'], [], (f) => {
    const st = f.param(0);
    const k = f.local('i32');
    const v = f.local('i32');
    const word = (i: Expr): Expr => f.load('i32', f.add(f.get(st), f.shl(i, f.i32(2))));
    // mt[k] = mt[k + shift] ^ (((mt[k] & UPPER) | (v & LOWER)) >>> 1) ^ (-(v & 1) & MATRIX_A), v = mt[next]
    const step =
      (kk: Expr, next: Expr, shifted: Expr): Expr =>
      () => {
        f.set(v, word(next))();
        f.store(
          'i32',
          f.add(f.get(st), f.shl(kk, f.i32(2))),
          f.xor(
            f.xor(
              word(shifted),
              f.shrU(f.or(f.and(word(kk), f.i32(UPPER | 0)), f.and(f.get(v), f.i32(LOWER))), f.i32(1)),
            ),
            f.and(f.sub(f.i32(0), f.and(f.get(v), f.i32(1))), f.i32(MATRIX_A | 0)),
          ),
        )();
      };
    f.for_(k, f.i32(0), f.i32(N - M), 1, () =>
      step(f.get(k), f.add(f.get(k), f.i32(1)), f.add(f.get(k), f.i32(M)))(),
    )();
    f.for_(k, f.i32(N - M), f.i32(N - 1), 1, () =>
      step(f.get(k), f.add(f.get(k), f.i32(1)), f.add(f.get(k), f.i32(M - N)))(),
    )();
    step(f.i32(N - 1), f.i32(0), f.i32(M - 1))();
  });
}

/** mt_fill24(state, out, n): n float32 uniforms (random() & 0xffffff)·2⁻²⁴ at `out`, advancing the state. */
function fillKernel24(m: ModuleBuilder, twist: number): void {
  m.func('mt_fill24', ['i32', 'i32', 'i32'], [], (f) => {
    const [st, out, n] = f.paramLocals(3);
    const i = f.local('i32');
    const left = f.local('i32');
    const next = f.local('i32');
    const y = f.local('i32');
    f.emit(
      f.set(left, f.load('i32', f.get(st), MT_STATE.left)),
      f.set(next, f.load('i32', f.get(st), MT_STATE.next)),
    );
    f.for_(i, f.i32(0), f.get(n), 1, () => {
      f.set(left, f.sub(f.get(left), f.i32(1)))();
      f.if_(f.eqz(f.get(left)), () =>
        f.emit(f.call(twist, f.get(st)), f.set(left, f.i32(MT19937.N)), f.set(next, f.i32(0))),
      )();
      f.emit(
        f.set(y, f.load('i32', f.add(f.get(st), f.shl(f.get(next), f.i32(2))))),
        f.set(next, f.add(f.get(next), f.i32(1))),
        f.set(y, f.xor(f.get(y), f.shrU(f.get(y), f.i32(11)))),
        f.set(y, f.xor(f.get(y), f.and(f.shl(f.get(y), f.i32(7)), f.i32(0x9d2c5680 | 0)))),
        f.set(y, f.xor(f.get(y), f.and(f.shl(f.get(y), f.i32(15)), f.i32(0xefc60000 | 0)))),
        f.set(y, f.xor(f.get(y), f.shrU(f.get(y), f.i32(18)))),
        f.store(
          'f32',
          f.add(f.get(out), f.shl(f.get(i), f.i32(2))),
          f.fmul(f.f32FromI32(f.and(f.get(y), f.i32(0xffffff))), f.f32(2 ** -24)), // 24 bits: exact
        ),
      );
    })();
    f.emit(
      f.store('i32', f.get(st), f.get(left), MT_STATE.left),
      f.store('i32', f.get(st), f.get(next), MT_STATE.next),
    );
  });
}

/**
 * Adds the random kernels to the kernel module: mt_fill24 (with mt_twist) and normal16_f32 (with fmaf and log).
 * @example randomKernels(m)
 */
export function randomKernels(m: ModuleBuilder): void {
  fillKernel24(m, twistKernel(m));
  const fmaf = fmafKernel(m);
  normalKernel(m, fmaf, logKernel(m, fmaf));
}
