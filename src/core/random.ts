/**
 * @file PyTorch's CPU random generator (mt19937) and the samplers of PyTorch 1.13's CPU kernels, bit for bit:
 * the same seed and call order give the same `rand`, `randn`, `randint`, `randperm`, `bernoulli` values.
 */

import { check } from '../util/assert.js';

// Note [Which PyTorch this reproduces]
// PyTorch 1.13 on x86-64 as Debian builds it (gcc 12, no MKL), running its AVX2 kernels, which is what
// `torch.__config__.show()` reports as "CPU capability usage: AVX2". Sources: ATen/core/MT19937RNGEngine.h,
// CPUGeneratorImpl.cpp, core/TransformationHelper.h, core/DistributionsHelper.h, native/cpu/
// DistributionTemplates.h, native/cpu/avx_mathfun.h and randperm_cpu in native/TensorFactories.cpp.
// - Exact: every uniform, randint, randperm, random_ and bernoulli value, the state bytes, and float32 normals
//   (below 16 elements the scalar path computes in double and rounds to float32, so a libm difference shows
//   only when that double lies within a few ulps of a float32 rounding boundary: about once in 10^8 values).
// - float64 normals go through libm's log/sin/cos (glibc there, V8's fdlibm port here); the two differ by an
//   ulp in a few percent of calls, so float64 `normal` agrees to a few ulps, not bit for bit.
// - A build running the default or AVX512 kernels computes float32 normals of >= 16 elements with
//   logf/sinf/cosf instead of avx_mathfun's polynomials and may differ from this in the last bit.

// Note [FMA contraction]
// gcc contracts `a * b + c` into one fused multiply-add in the AVX2 kernel files (x * (to - from) + from in
// uniform_, the Horner steps of avx_mathfun, val * std + mean), so those steps round once. JavaScript has no
// fma, so `fmaf` and `fma64` emulate it exactly: an error-free product and sum, then rounding to odd as the
// sticky bit that stops the final rounding from rounding twice (Boldo and Melquiond, IEEE TC 2008); in float32
// the exact product fits a double, and only a sum landing halfway between two floats needs its error term.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const DEFAULT_SEED = 67280421310721n;
const U64 = (1n << 64n) - 1n;
const STATE_BYTES = 5056; // sizeof(CPUGeneratorImplState) in CPUGeneratorImpl.cpp
const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;
const TWO_POW_32 = 4294967296;

const fround = Math.fround;
const F64 = new Float64Array(1);
const W64 = new Uint32Array(F64.buffer);
const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

/** `s + e` (exactly, |e| <= ulp(s)/2, e != 0) rounded to odd: s if its last bit is 1, else its neighbour toward e. */
function toOdd(s: number, e: number): number {
  F64[0] = s;
  if ((W64[LO]! & 1) === 1) return s;
  if (s > 0 === e > 0) W64[LO]!++;
  else {
    if (W64[LO] === 0) W64[HI]!--;
    W64[LO]!--;
  }
  return F64[0]!;
}

/** Single-rounded float32 `a * b + c` for float32 a, b, c (see Note [FMA contraction]). */
function fmaf(a: number, b: number, c: number): number {
  const p = a * b; // exact: two 24-bit significands
  const s = p + c;
  const r = fround(s);
  if (r === s) return r;
  const t = r + 2 * (s - r); // when s is halfway between two floats, the other one
  if (fround(t) !== t) return r; // s is not halfway: rounding it to float is rounding p + c
  const bb = s - p;
  const e = p - (s - bb) + (c - bb); // s + e === p + c exactly: e breaks the tie
  return e === 0 ? r : e > 0 === t > r ? t : r;
}

/** Single-rounded float64 `a * b + c` (see Note [FMA contraction]); finite operands without underflow. */
function fma64(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || !Number.isFinite(c)) return p + c;
  let t = 134217729 * a; // Veltkamp split, 2^27 + 1
  const ah = t - (t - a);
  const al = a - ah;
  t = 134217729 * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl; // p + pe === a * b exactly
  const s = p + c;
  let bb = s - p;
  const se = p - (s - bb) + (c - bb); // s + se === p + c exactly
  if (pe === 0) return s;
  const v = se + pe;
  bb = v - se;
  const ve = se - (v - bb) + (pe - bb); // v + ve === se + pe exactly
  return s + (ve === 0 ? v : toOdd(v, ve));
}

// avx_mathfun.h's constants (cephes), as the float32 values the kernel holds (the same float32 as its literals).
const SQRTHF = fround(Math.SQRT1_2);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(fround);
const LOG_Q1 = fround(-2.1219444e-4);
const LOG_Q2 = fround(0.693359375);
const DP1 = fround(-0.78515625);
const DP2 = fround(-2.4187564849853516e-4);
const DP3 = fround(-3.774894977445941e-8);
const SIN_P0 = fround(-1.9515295891e-4);
const SIN_P1 = fround(8.3321608736e-3);
const SIN_P2 = fround(-1.6666654611e-1);
const COS_P0 = fround(2.443315711809948e-5);
const COS_P1 = fround(-1.388731625493765e-3);
const COS_P2 = fround(4.166664568298827e-2);
const FOPI = fround(1.27323954473516);
const TWO_PI_F = fround(2 * Math.PI);

/** The float32 constants of the Box-Muller kernel, for faster implementations of it (backend/wasm/codegen-random.ts). @example BOX_MULLER_F32.FOPI */
export const BOX_MULLER_F32 = {
  SQRTHF,
  LOG_P,
  LOG_Q1,
  LOG_Q2,
  DP1,
  DP2,
  DP3,
  SIN_P0,
  SIN_P1,
  SIN_P2,
  COS_P0,
  COS_P1,
  COS_P2,
  FOPI,
  TWO_PI_F,
} as const;

/** mt19937's parameters, for fill kernels (backend/wasm/codegen-random.ts). @example MT19937.N // 624 */
export const MT19937 = { N, M, MATRIX_A, UPPER, LOWER } as const;

/** The mt19937 state a fill kernel advances: the 624 words, draws left before the next twist, the next index. */
export interface MtState {
  readonly mt: Uint32Array;
  left: number;
  next: number;
}

/**
 * Faster, bit-identical implementations of the two loops of a large float32 `rand`/`randn` that a backend may
 * install (the wasm backend does: JIT warm-up made the first large fill slow, most of a cold start).
 */
export interface RandomKernels {
  /** Box-Muller over `blocks` blocks of 16 float32 uniforms at out[from..], in place (mean, std rounded to float32). */
  normalBlocksF32(out: Float32Array, from: number, blocks: number, mean: number, std: number): void;
  /** out[from, to) = (random() & 0xffffff) · 2⁻²⁴, advancing `state` exactly as that many random() calls do. */
  fill24(state: MtState, out: Float32Array, from: number, to: number): void;
}

let fastKernels: RandomKernels | null = null;
/** Elements from which the installed kernels are used (below, the JavaScript loops are as quick). */
const FAST_FROM = 256;

/**
 * Installs faster random kernels for large fills (null restores the JavaScript reference).
 * @example setRandomKernels({ normalBlocksF32: (...a) => wasmNormal(...a), fill24: (...a) => wasmFill(...a) })
 */
export function setRandomKernels(k: RandomKernels | null): void {
  fastKernels = k;
}

/** Box-Muller over blocks of 16: the installed kernel for large fills, else the reference. */
function normalBlocksF32(out: Float32Array, from: number, blocks: number, mean: number, std: number): void {
  if (fastKernels !== null && blocks * 16 >= FAST_FROM)
    fastKernels.normalBlocksF32(out, from, blocks, mean, std);
  else for (let b = 0; b < blocks; b++) boxMuller16F32(out, from + 16 * b, mean, std);
}

/** log256_ps of avx_mathfun.h for one lane, x in (0, 1], with gcc's fma contractions. */
function logAvx(x: number): number {
  F32[0] = x;
  const bits = I32[0]!;
  let e = (bits >>> 23) - 126; // exponent + 1, exact as a float
  I32[0] = (bits & ~0x7f800000) | 0x3f000000; // mantissa scaled into [0.5, 1)
  x = F32[0]!;
  if (x < SQRTHF) {
    e -= 1;
    x = fround(x - 1 + x); // both steps exact
  } else x = fround(x - 1);
  const z = fround(x * x);
  let y = LOG_P[0]!;
  for (let k = 1; k < 9; k++) y = fmaf(y, x, LOG_P[k]!);
  y = fround(y * x);
  y = fmaf(y, z, fround(e * LOG_Q1));
  y = fround(y - fround(z * 0.5));
  x = fround(x + y);
  return fround(x + e * LOG_Q2); // e * LOG_Q2 is exact
}

const SC = new Float64Array(2); // sincosAvx's results: sin, cos

/** sincos256_ps of avx_mathfun.h for one lane, x >= 0; writes SC = [sin, cos]. */
function sincosAvx(x: number): void {
  const j = ((Math.trunc(fround(x * FOPI)) + 1) & ~1) | 0;
  x = fround(x + j * DP1); // j * DP1 and j * DP2 are exact
  x = fround(x + j * DP2);
  x = fmaf(j, DP3, x);
  const z = fround(x * x);
  let c = fmaf(fmaf(COS_P0, z, COS_P1), z, COS_P2);
  c = fround(c * z);
  c = fround(fmaf(c, z, -fround(z * 0.5)) + 1);
  let s = fmaf(fmaf(SIN_P0, z, SIN_P1), z, SIN_P2);
  s = fmaf(fround(s * z), x, x);
  const swap = (j & 2) !== 0;
  const sn = (swap ? c : s) + 0; // the kernel's and/andnot blend adds +0
  const cs = (swap ? s : c) + 0;
  SC[0] = (j & 4) !== 0 ? -sn : sn;
  SC[1] = ((j - 2) & 4) === 0 ? -cs : cs;
}

/** normal_fill_16_AVX2: Box-Muller over 16 uniforms at out[o..o+16), 8 pairs (i, i + 8). */
function boxMuller16F32(out: Float32Array, o: number, mean: number, std: number): void {
  const plain = mean === 0 && std === 1;
  for (let j = o; j < o + 8; j++) {
    const radius = fround(Math.sqrt(-2 * logAvx(fround(1 - out[j]!))));
    sincosAvx(fround(TWO_PI_F * out[j + 8]!));
    const n1 = fround(radius * SC[1]!);
    const n2 = fround(radius * SC[0]!);
    out[j] = plain ? n1 + 0 : fmaf(n1, std, mean);
    out[j + 8] = plain ? n2 + 0 : fmaf(n2, std, mean);
  }
}

/** normal_fill<double>: Box-Muller over 16 uniforms at out[o..o+16) with libm's log, sin and cos. */
function boxMuller16F64(out: Float64Array, o: number, mean: number, std: number): void {
  for (let j = o; j < o + 8; j++) {
    const radius = Math.sqrt(-2 * Math.log(1 - out[j]!));
    const theta = 2 * Math.PI * out[j + 8]!;
    out[j] = fma64(radius * Math.cos(theta), std, mean);
    out[j + 8] = fma64(radius * Math.sin(theta), std, mean);
  }
}

/** A seed as PyTorch's manual_seed reads it: an integer in [-2^63, 2^64), negatives two's-complemented. */
function toSeed(seed: number | bigint): bigint {
  if (typeof seed === 'number') {
    check(Number.isInteger(seed), `manual_seed expected an integer seed, but got ${seed}`);
    seed = BigInt(seed);
  }
  check(
    seed <= U64 && seed >= -(1n << 63n),
    `Overflow when unpacking long: seed ${seed} is outside [-2**63, 2**64)`,
  );
  return seed & U64;
}

/**
 * A 64-bit seed from the clock (milliseconds and the sub-millisecond counter, mixed by splitmix64); the
 * fallback of `Generator.seed()` where `crypto.getRandomValues` is missing.
 * @example new Generator().manualSeed(seedFromTime())
 */
export function seedFromTime(): bigint {
  const now = typeof performance === 'undefined' ? 0 : performance.now();
  let z = (BigInt(Date.now()) * 1000003n + BigInt(Math.floor(now * 1e6)) + 0x9e3779b97f4a7c15n) & U64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & U64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & U64;
  return z ^ (z >> 31n);
}

/** 64 non-deterministic bits, like c10's getNonDeterministicRandom (/dev/urandom) on CPU. */
function nondeterministicSeed(): bigint {
  const crypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (crypto?.getRandomValues === undefined) return seedFromTime();
  const w = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(w[0]!) << 32n) | BigInt(w[1]!);
}

/** Typed arrays `randint` fills. */
type RandintOut = Int32Array | Float32Array | Float64Array;
/** Typed arrays `bernoulli` fills with 0 and 1. */
type BernoulliOut = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * PyTorch's CPU generator (`torch.Generator()`): mt19937 plus the cached second Box-Muller sample; its fill
 * methods reproduce PyTorch 1.13's CPU kernels on contiguous tensors (see Note [Which PyTorch this reproduces]).
 * @example
 * const g = new Generator().manualSeed(0);
 * g.uniform(new Float32Array(3)); // Float32Array [0.4962566, 0.7682218, 0.08847743] = torch.rand(3)
 */
export class Generator {
  private readonly mt = new Uint32Array(N);
  private left = 1;
  private next = 0;
  private initial = DEFAULT_SEED;
  /** The cached second sample of the scalar Box-Muller (normal_distribution<double>). */
  private nextDoubleNormal: number | null = null;
  /** Only carried through getState/setState: PyTorch's CPU kernels never read it. */
  private nextFloatNormal: number | null = null;

  /**
   * A generator seeded with `seed`; PyTorch's `torch.Generator()` starts at 67280421310721.
   * @example new Generator().initialSeed() // 67280421310721n
   */
  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /**
   * Seeds the generator like `torch.Generator.manual_seed`: mt19937 from the low 32 bits, the full 64-bit
   * seed kept for `initialSeed()`; negative seeds count from 2^64. Clears the cached normal sample.
   * @example new Generator().manualSeed(42).initialSeed() // 42n
   */
  manualSeed(seed: number | bigint): this {
    const s = toSeed(seed);
    const mt = this.mt;
    mt[0] = Number(s & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const prev = mt[j - 1]!;
      mt[j] = Math.imul(1812433253, prev ^ (prev >>> 30)) + j;
    }
    this.left = 1;
    this.next = 0;
    this.initial = s;
    this.nextDoubleNormal = null;
    this.nextFloatNormal = null;
    return this;
  }

  /**
   * The seed last given to `manualSeed` (or `seed`), as `torch.Generator.initial_seed()` returns it.
   * @example new Generator().manualSeed(-1).initialSeed() // 18446744073709551615n
   */
  initialSeed(): bigint {
    return this.initial;
  }

  /**
   * Re-seeds from 64 non-deterministic bits (crypto, else the clock) and returns the seed, like `Generator.seed()`.
   * @example const s = new Generator().seed(); // e.g. 3263375437580785986n
   */
  seed(): bigint {
    const s = nondeterministicSeed();
    this.manualSeed(s);
    return s;
  }

  /**
   * The generator's state in the byte layout of `torch.Generator.get_state()` (5056 bytes, little-endian).
   * @example const s = g.getState(); g.uniform(a); g.setState(s); g.uniform(b); // a and b are equal
   */
  getState(): Uint8Array {
    const bytes = new Uint8Array(STATE_BYTES);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, this.initial, true);
    v.setInt32(8, this.left, true);
    v.setInt32(12, 1, true); // seeded
    v.setBigUint64(16, BigInt(this.next), true);
    for (let i = 0; i < N; i++) v.setUint32(24 + 8 * i, this.mt[i]!, true);
    if (this.nextDoubleNormal !== null) {
      v.setFloat64(5024, this.nextDoubleNormal, true);
      v.setInt32(5040, 1, true);
    }
    if (this.nextFloatNormal !== null) {
      v.setFloat32(5048, this.nextFloatNormal, true);
      bytes[5052] = 1;
    }
    return bytes;
  }

  /**
   * Restores a state from `getState()` (or from `torch.Generator.get_state().numpy().tobytes()`).
   * @example g.setState(new Generator().manualSeed(1).getState()); // g now continues seed 1's stream
   */
  setState(state: Uint8Array): this {
    check(
      state.length === STATE_BYTES,
      `Expected a CPUGeneratorImplState of size ${STATE_BYTES} but found the input RNG state size to be ${state.length}`,
    );
    const v = new DataView(state.buffer, state.byteOffset, state.byteLength);
    const left = v.getInt32(8, true);
    const next = v.getBigUint64(16, true) & 0xffffffffn;
    check(v.getInt32(12, true) !== 0 && left > 0 && left <= N && next <= BigInt(N), 'Invalid mt19937 state');
    for (let i = 0; i < N; i++) this.mt[i] = v.getUint32(24 + 8 * i, true);
    this.initial = v.getBigUint64(0, true);
    this.left = left;
    this.next = Number(next);
    this.nextDoubleNormal = v.getInt32(5040, true) !== 0 ? v.getFloat64(5024, true) : null;
    this.nextFloatNormal = state[5052] !== 0 ? v.getFloat32(5048, true) : null;
    return this;
  }

  /**
   * The next 32 random bits as an unsigned integer (`CPUGeneratorImpl::random()`).
   * @example new Generator().manualSeed(5489).random() // 3499211612, mt19937's first output
   */
  random(): number {
    if (--this.left === 0) this.twist();
    let y = this.mt[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Fills out[from, to) with `(random() & 0xffffff) · 2⁻²⁴` (float32 uniforms in [0, 1)): the draws of `random()`
   * in one loop, so that large fills run fast from the first call instead of waiting for the JIT to inline.
   */
  private fill24(out: Float32Array, from: number, to: number): void {
    if (fastKernels !== null && to - from >= FAST_FROM) {
      const state: MtState = { mt: this.mt, left: this.left, next: this.next };
      fastKernels.fill24(state, out, from, to);
      this.left = state.left;
      this.next = state.next;
      return;
    }
    const mt = this.mt;
    let left = this.left;
    let next = this.next;
    for (let i = from; i < to; i++) {
      if (--left === 0) {
        this.twist();
        left = this.left;
        next = this.next;
      }
      let y = mt[next++]!;
      y ^= y >>> 11;
      y ^= (y << 7) & 0x9d2c5680;
      y ^= (y << 15) & 0xefc60000;
      y ^= y >>> 18;
      out[i] = (y & 0xffffff) * TWO_POW_M24;
    }
    this.left = left;
    this.next = next;
  }

  /**
   * The next 64 random bits, the first 32-bit draw high (`CPUGeneratorImpl::random64()`).
   * @example new Generator().manualSeed(0).random64() // 10123822223749065263n
   */
  random64(): bigint {
    const hi = this.random();
    return (BigInt(hi) << 32n) | BigInt(this.random());
  }

  /**
   * What `torch.empty((), dtype=torch.int64).random_().item()` returns: random64() mod 2^63. DataLoader's
   * RandomSampler seeds its own generator this way.
   * @example const samplerSeed = defaultGenerator.randomInt64(); new Generator().manualSeed(samplerSeed);
   */
  randomInt64(): bigint {
    return this.random64() & 0x7fffffffffffffffn;
  }

  /**
   * Fills `out` like `torch.rand` / `tensor.uniform_(from, to)`: float32 from 24 random bits, float64 from 53,
   * then `x * (to - from) + from` rounded once.
   * @example new Generator().manualSeed(0).uniform(new Float64Array(2), -1, 1) // [0.9401060036131061, 0.4156397287995759]
   */
  uniform<T extends Float32Array | Float64Array>(out: T, from = 0, to = 1): T {
    const f32 = out instanceof Float32Array;
    const a = f32 ? fround(from) : from;
    const b = f32 ? fround(to) : to;
    check(a <= b, `uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
    const range = f32 ? fround(b - a) : b - a;
    check(
      Number.isFinite(range),
      `uniform_ expects to-from <= std::numeric_limits<${f32 ? 'float' : 'double'}>::max(), but found to=${to} and from=${from} which result in to-from to exceed the limit`,
    );
    const n = out.length;
    if (f32) {
      if (a === 0 && range === 1) this.fill24(out as Float32Array, 0, n);
      else for (let i = 0; i < n; i++) out[i] = fmaf((this.random() & 0xffffff) * TWO_POW_M24, range, a);
    } else if (a === 0) {
      for (let i = 0; i < n; i++) out[i] = this.uniform53() * range; // fma(x, range, 0) rounds once anyway
    } else for (let i = 0; i < n; i++) out[i] = fma64(this.uniform53(), range, a);
    return out;
  }

  /**
   * Fills `out` like `torch.randn` / `tensor.normal_(mean, std)`: from 16 elements on, Box-Muller in blocks of
   * 16 (the last 16 redrawn and recomputed when the size is not a multiple of 16; float32 with the AVX2
   * kernel's polynomials); below 16, the scalar Box-Muller in double that caches its second sample.
   * @example new Generator().manualSeed(0).normal(new Float32Array(16)) // [-1.1258398, -1.1523602, -0.2505786, …]
   */
  normal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    check(std >= 0, `normal expects std >= 0.0, but found std ${std}`);
    const n = out.length;
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normalScalar(mean, std);
    } else if (out instanceof Float32Array) {
      const m = fround(mean);
      const s = fround(std);
      this.fill24(out, 0, n);
      normalBlocksF32(out, 0, Math.floor(n / 16), m, s);
      if (n % 16 !== 0) {
        this.fill24(out, n - 16, n);
        boxMuller16F32(out, n - 16, m, s);
      }
    } else {
      const o = out as Float64Array;
      for (let i = 0; i < n; i++) o[i] = this.uniform53();
      for (let i = 0; i < n - 15; i += 16) boxMuller16F64(o, i, mean, std);
      if (n % 16 !== 0) {
        for (let i = n - 16; i < n; i++) o[i] = this.uniform53();
        boxMuller16F64(o, n - 16, mean, std);
      }
    }
    return out;
  }

  /**
   * Fills `out` like `torch.randint(low, high, size)`: `(bits % (high - low)) + low` with 32 random bits, or 64
   * when the range reaches 2^32 (for int64, float and double tensors; an Int32Array always draws 32).
   * @example new Generator().manualSeed(0).randint(new Int32Array(5), 0, 10) // Int32Array [4, 9, 3, 0, 3]
   */
  randint<T extends RandintOut>(out: T, low: number, high: number): T {
    check(
      Number.isInteger(low) &&
        Number.isInteger(high) &&
        Math.abs(low) <= 2 ** 53 &&
        Math.abs(high) <= 2 ** 53,
      `randint expects integer bounds within ±2**53, but got low=${low}, high=${high}`,
    );
    check(low < high, `random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
    const [name, bound]: [string, number] =
      out instanceof Int32Array
        ? ['int', 2 ** 31]
        : out instanceof Float32Array
          ? ['float', 2 ** 24]
          : ['double', 2 ** 53];
    const min = -bound;
    const max = out instanceof Int32Array ? bound - 1 : bound;
    check(low >= min, `from is out of bounds for ${name}: ${low}`);
    check(high - 1 <= max, `to - 1 is out of bounds for ${name}: ${high - 1}`);
    const n = out.length;
    if (high - low >= TWO_POW_32 && !(out instanceof Int32Array)) {
      const range = BigInt(high) - BigInt(low);
      const base = BigInt(low);
      for (let i = 0; i < n; i++) out[i] = Number((this.random64() % range) + base);
    } else {
      const range = high - low;
      for (let i = 0; i < n; i++) out[i] = (this.random() % range) + low;
    }
    return out;
  }

  /**
   * A random permutation of 0..n-1 like `torch.randperm(n)` on CPU: Fisher-Yates swapping i with
   * i + random() % (n - i).
   * @example new Generator().manualSeed(0).randperm(5) // Int32Array [4, 0, 1, 3, 2], as torch.randperm(5)
   */
  randperm(n: number): Int32Array {
    check(Number.isInteger(n) && n >= 0, `n must be non-negative, got${n}`);
    check(n <= 2 ** 31, `randperm of n=${n} does not fit an Int32Array`);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = i + (this.random() % (n - i));
      const sav = out[i]!;
      out[i] = out[z]!;
      out[z] = sav;
    }
    return out;
  }

  /**
   * Fills `out` with 0/1 like `bernoulli_(p)`: a number p compares a 53-bit uniform (the scalar kernel, which
   * Debian's MKL-free build uses); a tensor of probabilities, as `torch.bernoulli(p)`, compares a 24-bit uniform
   * for a Float32Array p and a 53-bit one for a Float64Array p, element by element.
   * @example new Generator().manualSeed(0).bernoulli(new Float32Array(4), 0.5) // Float32Array [0, 0, 1, 0]
   */
  bernoulli<T extends BernoulliOut>(out: T, p: number | Float32Array | Float64Array): T {
    const n = out.length;
    if (typeof p === 'number') {
      check(p >= 0 && p <= 1, `bernoulli_ expects p to be in [0, 1], but got p=${p}`);
      for (let i = 0; i < n; i++) out[i] = this.uniform53() < p ? 1 : 0;
      return out;
    }
    check(
      p.length === n || p.length === 1,
      `bernoulli: the probabilities (${p.length} elements) must have one element or as many as the output (${n})`,
    );
    for (let i = 0; i < p.length; i++)
      check(p[i]! >= 0 && p[i]! <= 1, `bernoulli expects p in [0, 1], got ${p[i]}`);
    const step = p.length === 1 ? 0 : 1;
    if (p instanceof Float32Array)
      for (let i = 0; i < n; i++) out[i] = (this.random() & 0xffffff) * TWO_POW_M24 < p[i * step]! ? 1 : 0;
    else for (let i = 0; i < n; i++) out[i] = this.uniform53() < p[i * step]! ? 1 : 0;
    return out;
  }

  /** A double in [0, 1) from the low 53 bits of random64(), as uniform_real_distribution<double>. */
  private uniform53(): number {
    const hi = this.random() & 0x1fffff;
    return (hi * TWO_POW_32 + this.random()) * TWO_POW_M53;
  }

  /** normal_distribution<double>: Box-Muller in double, returning one sample and caching the other. */
  private normalScalar(mean: number, std: number): number {
    let ret = this.nextDoubleNormal;
    if (ret !== null) this.nextDoubleNormal = null;
    else {
      const u1 = this.uniform53();
      const u2 = this.uniform53();
      const r = Math.sqrt(-2 * Math.log(1 - u2));
      const theta = 2 * Math.PI * u1;
      this.nextDoubleNormal = r * Math.sin(theta);
      ret = r * Math.cos(theta);
    }
    return fma64(ret, std, mean);
  }

  /** mt19937's next_state: regenerates all 624 words. */
  private twist(): void {
    const s = this.mt;
    let k = 0;
    for (; k < N - M; k++) {
      const v = s[k + 1]!;
      s[k] = s[k + M]! ^ (((s[k]! & UPPER) | (v & LOWER)) >>> 1) ^ (-(v & 1) & MATRIX_A);
    }
    for (; k < N - 1; k++) {
      const v = s[k + 1]!;
      s[k] = s[k + M - N]! ^ (((s[k]! & UPPER) | (v & LOWER)) >>> 1) ^ (-(v & 1) & MATRIX_A);
    }
    const v = s[0]!;
    s[N - 1] = s[M - 1]! ^ (((s[N - 1]! & UPPER) | (v & LOWER)) >>> 1) ^ (-(v & 1) & MATRIX_A);
    this.left = N;
    this.next = 0;
  }
}

/**
 * The generator every sampler uses when none is given (PyTorch's default CPU generator), seeded with
 * 67280421310721 until `manualSeed` is called.
 * @example defaultGenerator.uniform(new Float32Array(2))
 */
export const defaultGenerator: Generator = new Generator();

/**
 * Seeds the default generator like `torch.manual_seed(seed)` and returns it.
 * @example manualSeed(0).uniform(new Float32Array(3)) // Float32Array [0.4962566, 0.7682218, 0.08847743]
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
