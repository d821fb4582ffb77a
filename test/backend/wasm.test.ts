/**
 * @file Conformance of the WebAssembly backend against the plain TypeScript reference: every wasm kernel on random
 * shapes (odd sizes, non-contiguous views, offsets, broadcasting), with 1, 2 and 3 threads; plus heap reclamation.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Buf, Strided } from '../../src/backend/backend.js';
import { cpuBackend } from '../../src/backend/cpu/cpu.js';
import { COMPARE, VEC_BINARY, VEC_UNARY } from '../../src/backend/wasm/codegen.js';
import { simdSupport } from '../../src/backend/wasm/emitter.js';
import { Heap, WasmBuf } from '../../src/backend/wasm/heap.js';
import { createWasmBackend, SMALL, type WasmBackend } from '../../src/backend/wasm/wasm.js';
import { bool, type DType, float32, float64, int32, type TypedArray } from '../../src/core/dtype.js';
import { Generator, type MtState, setRandomKernels } from '../../src/core/random.js';
import { windowGeometry } from '../../src/nn/functional-conv.js';
import { GEMM_SIZES } from '../helpers/gemm-cases.js';

const be = createWasmBackend() as WasmBackend;

/** A deterministic generator (tests must not depend on Math.random). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rand = rng(42);

function data(dtype: DType, n: number, lo = -3, hi = 3): TypedArray {
  const a = new dtype.ArrayType(n);
  for (let i = 0; i < n; i++) {
    const v = lo + (hi - lo) * rand();
    a[i] = dtype === bool ? (v > 0 ? 1 : 0) : dtype === int32 ? Math.round(v * 10) : v;
  }
  return a;
}

/** A view description of `shape` over a buffer: 'c' contiguous, 't' last two dims transposed, 's' sliced with offset. */
type Layout = 'c' | 't' | 's';
interface Case {
  wasm: Strided;
  ref: Strided;
}
function operand(dtype: DType, shape: readonly number[], layout: Layout, lo?: number, hi?: number): Case {
  const nd = shape.length;
  let full = [...shape];
  if (layout === 's' && nd > 0) full = shape.map((s, d) => (d === nd - 1 ? s + 3 : s));
  let strides = new Array<number>(nd);
  let acc = 1;
  const order = [...full.keys()];
  if (layout === 't' && nd >= 2) [order[nd - 1], order[nd - 2]] = [order[nd - 2]!, order[nd - 1]!];
  for (let i = nd - 1; i >= 0; i--) {
    strides[order[i]!] = acc;
    acc *= full[order[i]!]!;
  }
  const offset = layout === 's' ? 2 : 0;
  const host = data(dtype, acc + offset, lo, hi);
  strides = strides.map((s) => s);
  return {
    wasm: { buf: be.fromArray(dtype, host), dtype, strides, offset },
    ref: { buf: host, dtype, strides, offset },
  };
}
/** Broadcast a case to `shape` (inserting zero strides for leading/size-1 dims). */
function broadcast(c: Case, from: readonly number[], to: readonly number[]): Case {
  const lead = to.length - from.length;
  const strides = to.map((_s, d) => (d < lead || from[d - lead] === 1 ? 0 : c.ref.strides[d - lead]!));
  return { wasm: { ...c.wasm, strides }, ref: { ...c.ref, strides } };
}

function read(b: Buf, dtype: DType): Float64Array {
  return Float64Array.from(be.readSync(b, dtype));
}

function expectClose(
  got: ArrayLike<number> | object,
  want: ArrayLike<number> | object,
  rtol: number,
  atol: number,
  what: string,
): void {
  const gs = got as ArrayLike<number>;
  const ws = want as ArrayLike<number>;
  expect(gs.length, `${what}: length`).toBe(ws.length);
  for (let i = 0; i < ws.length; i++) {
    const g = gs[i]!;
    const w = ws[i]!;
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (g === w) continue;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w)))
      expect.fail(`${what}: element ${i} is ${g}, expected ${w}`);
  }
}

const SHAPES: number[][] = [[1537], [37, 53], [3, 41, 17], [2, 5, 7, 31]];
const LAYOUTS: Layout[] = ['c', 't', 's'];
const THREADS = [1, 2, 3];

beforeAll(() => {
  expect(be).not.toBeNull();
  expect(be.ready).toBe(true);
  be.small = 256; // these shapes (~2000 elements) must reach the wasm kernels
});
afterAll(() => be.setThreads(1));

describe.each(THREADS)('wasm backend with %i thread(s)', (threads) => {
  beforeAll(async () => {
    be.setThreads(threads);
    await be.threadsReady();
    expect(be.readyWorkers).toBe(threads - 1);
    // split even these small cases across the threads
    be.parallelFrom.elems = 512;
    be.parallelFrom.macs = 4096;
  });

  test('the pool runs every job list exactly once, in order within a list, however many lists', () => {
    const pool = be as unknown as {
      run(lists: { fn: number; args: number[] }[][]): void;
      index: Map<string, number>;
    };
    const fill = pool.index.get('fill_f32')!;
    const axpy = pool.index.get('axpy_f32')!;
    const ones = be.heap.allocRaw(64);
    be.heap.f32().fill(1, ones / 4, ones / 4 + 16);
    for (const count of [2, 7, 64, 150]) {
      const ptr = be.heap.allocRaw(count * 64);
      // list l adds l + 1 to its 16 zeros (twice would give 2l + 2), then sets the first 8 to -l - 0.5 (after)
      const lists = Array.from({ length: count }, (_, l) => [
        { fn: axpy, args: [ptr + l * 64, ones, 1, 16, 0, 4, 0, 4, l + 1] },
        { fn: fill, args: [ptr + l * 64, 1, 8, 0, 4, -l - 0.5] },
      ]);
      for (let rep = 0; rep < 20; rep++) {
        be.heap.f32().fill(0, ptr / 4, ptr / 4 + count * 16);
        pool.run(lists);
        const got = be.heap.f32().subarray(ptr / 4, ptr / 4 + count * 16);
        const bad = Array.from(got).findIndex(
          (v, k) => v !== (k % 16 < 8 ? -((k >> 4) + 0.5) : (k >> 4) + 1),
        );
        expect(bad, `${count} lists, repetition ${rep}: element ${bad}`).toBe(-1);
      }
      be.heap.freeRaw(ptr, count * 64);
    }
    be.heap.freeRaw(ones, 64);
  });

  test('unary kernels', () => {
    for (const op of [...VEC_UNARY, 'sin', 'erf'] as const)
      for (const shape of SHAPES)
        for (const layout of LAYOUTS) {
          const positive = op === 'log' || op === 'sqrt' || op === 'rsqrt';
          const x = operand(float32, shape, layout, positive ? 0.01 : -12, 12);
          const got = read(be.unary(op, x.wasm, shape, float32), float32);
          const want = cpuBackend.unary(op, x.ref, shape, float32);
          const transcendental = op === 'exp' || op === 'log' || op === 'tanh' || op === 'sigmoid';
          expectClose(
            got,
            want,
            transcendental ? 4e-6 : 1e-6,
            transcendental ? 1e-6 : 0,
            `${op} ${shape} ${layout}`,
          );
        }
  });

  test('exp, tanh and sigmoid at the edges of float32 (overflow, denormals, signed zeros, NaN)', () => {
    const edges = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0,
      -0,
      1e-30,
      -1e-30,
      9,
      9.01,
      9.05,
      20,
      88.7,
      88.72,
      88.7228,
      88.723,
      89,
      100,
      -87.3,
      -87.34,
      -87.5,
      -95,
      -103.9,
      -105,
      -200,
    ];
    const sweep = Array.from({ length: 4000 }, (_, i) => -104 + (193 * i) / 4000);
    const xs = new Float32Array([...edges, ...sweep]);
    const ulps = (a: number, b: number): number => {
      const f = new Float32Array([a, b]);
      const u = new Int32Array(f.buffer);
      return Math.abs(u[0]! - u[1]!);
    };
    for (const op of ['exp', 'tanh', 'sigmoid'] as const) {
      const x: Strided = { buf: be.fromArray(float32, xs), dtype: float32, offset: 0, strides: [1] };
      const got = read(be.unary(op, x, [xs.length], float32), float32);
      const want = cpuBackend.unary(op, { ...x, buf: xs }, [xs.length], float32) as Float32Array;
      for (let i = 0; i < xs.length; i++) {
        const [g, w] = [got[i]!, want[i]!];
        if (i < edges.length && op !== 'sigmoid')
          expect(Object.is(g, w), `${op}(${xs[i]}) = ${g}, want ${w}`).toBe(true);
        // sigmoid's 1/(1 + e^-x) overflows to 0 below -88.7 in float32 (as PyTorch's does), the reference in float64
        else if (Math.abs(w) > 1e-37)
          expect(ulps(g, w), `${op}(${xs[i]}) = ${g}, want ${w}`).toBeLessThanOrEqual(2);
      }
    }
  });

  test('softmax and log-softmax rows (fused kernel) against the reference, NaN and infinite rows included', () => {
    for (const n of [1, 3, 4, 5, 17, 300])
      for (const rows of [1, 7, 600])
        for (const log of [false, true]) {
          const host = data(float32, rows * n, -30, 30) as Float32Array;
          if (rows >= 7) {
            host[n] = Number.NaN; // row 1: NaN
            for (let j = 0; j < n; j++) host[2 * n + j] = Number.NEGATIVE_INFINITY; // row 2: all -inf
            host[3 * n] = Number.POSITIVE_INFINITY; // row 3: an inf
            host[4 * n] = Number.NEGATIVE_INFINITY; // row 4: one -inf among finite values
            host[5 * n] = 3e38; // row 5: huge values
          }
          const x: Strided = { buf: be.fromArray(float32, host), dtype: float32, offset: 0, strides: [n, 1] };
          const got = read(be.softmax(x, [rows, n], 1, log, float32), float32);
          const want = cpuBackend.softmax({ ...x, buf: host }, [rows, n], 1, log, float32) as Float32Array;
          for (let i = 0; i < want.length; i++) {
            const [g, w] = [got[i]!, want[i]!];
            // log s (s in [1, n]) can be off by an ulp of s, when the exp polynomial rounds one term the other way:
            // about 1.2e-7 on every log-probability of the row
            const atol = log ? 3e-7 : 1e-7;
            const ok = Number.isNaN(w)
              ? Number.isNaN(g)
              : g === w || Math.abs(g - w) <= 4e-6 * Math.abs(w) + atol;
            expect(ok, `${log ? 'log' : ''}softmax rows=${rows} n=${n} [${i}]: ${g} != ${w}`).toBe(true);
          }
        }
  });

  test('binary kernels with broadcasting', () => {
    const pairs: [number[], number[]][] = [
      [[64, 33], [33]],
      [
        [64, 33],
        [64, 1],
      ],
      [
        [7, 1, 45],
        [1, 9, 45],
      ],
      [[1500], []],
      [
        [3, 41, 17],
        [3, 41, 17],
      ],
    ];
    for (const op of [...VEC_BINARY, ...COMPARE, 'pow', 'atan2'] as const)
      for (const [sa, sb] of pairs)
        for (const layout of LAYOUTS) {
          const shape =
            sa.length >= sb.length ? sa.map((s, d) => Math.max(s, sb[d - (sa.length - sb.length)] ?? 1)) : sb;
          const a0 = operand(float32, sa, layout, op === 'pow' ? 0.1 : -3, 3);
          const b0 = operand(float32, sb, sb.length ? 'c' : 'c');
          const a = broadcast(a0, sa, shape);
          const b = broadcast(b0, sb, shape);
          const out = (COMPARE as readonly string[]).includes(op) ? bool : float32;
          const got = read(be.binary(op, a.wasm, b.wasm, shape, out), out);
          const want = cpuBackend.binary(op, a.ref, b.ref, shape, out);
          expectClose(got, want, 1e-6, 0, `${op} ${sa} ${sb} ${layout}`);
        }
  });

  test('pow by constant exponents', () => {
    for (const e of [2, 0.5, 1, -1, 3]) {
      const x = operand(float32, [40, 41], 't', 0.1, 3);
      const c = {
        buf: be.fromArray(float32, new Float32Array([e])),
        dtype: float32,
        strides: [0, 0],
        offset: 0,
      };
      const got = read(be.binary('pow', x.wasm, c, [40, 41], float32), float32);
      const want = cpuBackend.binary('pow', x.ref, { ...c, buf: new Float32Array([e]) }, [40, 41], float32);
      expectClose(got, want, 1e-6, 0, `pow ${e}`);
    }
  });

  test('where', () => {
    const shape = [33, 65];
    const c = broadcast(operand(bool, [33, 1], 'c'), [33, 1], shape);
    const a = operand(float32, shape, 't');
    const b = broadcast(operand(float32, [65], 's'), [65], shape);
    const got = read(be.where(c.wasm, a.wasm, b.wasm, shape, float32), float32);
    expectClose(got, cpuBackend.where(c.ref, a.ref, b.ref, shape, float32), 0, 0, 'where');
  });

  test('reductions over every axis set', () => {
    for (const op of ['sum', 'max', 'min', 'prod', 'argmax'] as const)
      for (const shape of [[17, 33, 29], [1100], [70, 31]])
        for (const layout of LAYOUTS) {
          const nd = shape.length;
          const sets: number[][] = [];
          for (let mask = 1; mask < 1 << nd; mask++)
            sets.push([...Array(nd).keys()].filter((d) => mask & (1 << d)));
          for (const axes of sets) {
            if (op === 'argmax' && axes.length !== 1) continue;
            const x = operand(float32, shape, layout, op === 'prod' ? 0.9 : -3, op === 'prod' ? 1.1 : 3);
            const dt = op === 'argmax' ? int32 : float32;
            const got = read(be.reduce(op, x.wasm, shape, axes, dt), dt);
            const want = cpuBackend.reduce(op, x.ref, shape, axes, dt);
            expectClose(got, want, 2e-6, 1e-5, `${op} ${shape} ${layout} axes ${axes}`);
          }
        }
  });

  test('matmul: odd sizes, all transposes, batches, broadcast batch', () => {
    for (const [batch, m, k, n] of GEMM_SIZES)
      for (const ta of [false, true])
        for (const tb of [false, true])
          for (const bcast of [false, true]) {
            const a = operand(float32, [batch, m, k], ta ? 't' : 'c');
            const b = operand(float32, [bcast ? 1 : batch, k, n], tb ? 't' : 's');
            const bs = { ...b, wasm: { ...b.wasm }, ref: { ...b.ref } };
            if (bcast) {
              const strides = [0, b.ref.strides[1]!, b.ref.strides[2]!];
              bs.wasm = { ...b.wasm, strides };
              bs.ref = { ...b.ref, strides };
            }
            const got = read(be.matmul(a.wasm, bs.wasm, batch, m, k, n, float32), float32);
            const want = cpuBackend.matmul(a.ref, bs.ref, batch, m, k, n, float32);
            expectClose(
              got,
              want,
              1e-4,
              1e-4 * Math.sqrt(k),
              `matmul ${batch}x${m}x${k}x${n} ta=${ta} tb=${tb}`,
            );
            // the batch-reduce form: one [m, n] sum of the batch's products
            const sum = read(be.matmul(a.wasm, bs.wasm, batch, m, k, n, float32, true), float32);
            const sumWant = cpuBackend.matmul(a.ref, bs.ref, batch, m, k, n, float32, true) as TypedArray;
            expect(sum.length).toBe(m * n);
            expectClose(sum, sumWant, 1e-4, 1e-4 * Math.sqrt(k * batch), `sumBatch ${batch}x${m}x${k}x${n}`);
          }
  });

  test('copy with casts, accumulate, fill through strides', () => {
    const dtypes = [float32, float64, int32, bool];
    for (const from of dtypes)
      for (const to of dtypes) {
        const shape = [41, 37];
        const src = operand(from, shape, 't');
        const dstW = operand(to, shape, 's');
        const dstR = { ...dstW.ref, buf: (dstW.ref.buf as TypedArray).slice() };
        be.copy(dstW.wasm, src.wasm, shape);
        cpuBackend.copy(dstR, src.ref, shape);
        expectClose(read(dstW.wasm.buf, to), dstR.buf as TypedArray, 0, 0, `copy ${from.name}->${to.name}`);
      }
    const shape = [64, 40];
    const dst = operand(float32, shape, 't');
    const dstR = { ...dst.ref, buf: (dst.ref.buf as TypedArray).slice() };
    const src = broadcast(operand(float32, [40], 'c'), [40], shape);
    be.copy(dst.wasm, src.wasm, shape, true);
    cpuBackend.copy(dstR, src.ref, shape, true);
    expectClose(read(dst.wasm.buf, float32), dstR.buf as TypedArray, 1e-7, 0, 'copy accumulate');
    for (const dt of dtypes) {
      const d = operand(dt, [50, 30], 's');
      const r = { ...d.ref, buf: (d.ref.buf as TypedArray).slice() };
      be.fill(d.wasm, [50, 30], 1);
      cpuBackend.fill(r, [50, 30], 1);
      expectClose(read(d.wasm.buf, dt), r.buf as TypedArray, 0, 0, `fill ${dt.name}`);
    }
  });

  test('window kernels: im2col, col2im, max pooling and its backward', () => {
    // [N, C, h, w], kernel, stride, padding [t, b, l, r], dilation, ceil mode
    const cases: [
      number[],
      [number, number],
      [number, number],
      [number, number, number, number],
      [number, number],
      boolean,
    ][] = [
      [[3, 5, 11, 13], [3, 3], [1, 1], [1, 1, 1, 1], [1, 1], false],
      [[2, 3, 12, 12], [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], false],
      [[2, 4, 9, 14], [3, 2], [2, 3], [1, 1, 0, 1], [1, 2], true],
      [[1, 7, 10, 9], [2, 3], [1, 2], [1, 1, 1, 1], [2, 1], false],
      [[5, 2, 7, 6], [4, 1], [3, 1], [2, 2, 0, 0], [1, 1], true],
      [[1, 9, 6, 17], [1, 5], [1, 1], [0, 0, 2, 2], [1, 3], false],
      [[2, 3, 10, 31], [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], false], // SIMD max pooling, stride 2
      [[1, 4, 8, 33], [3, 3], [1, 1], [1, 1, 1, 1], [1, 1], false], // and stride 1
    ];
    for (const [shape, k, st, pad, dil, ceil] of cases)
      for (const layout of LAYOUTS) {
        const [n, c, h, w] = shape as [number, number, number, number];
        const g = windowGeometry(h, w, k, st, pad, dil, ceil);
        const what = `${shape} k${k} s${st} p${pad} d${dil} ${layout}`;
        const x = operand(float32, shape, layout);
        const ref = x.ref.buf as Float32Array;
        // NaNs and -inf exercise max pooling's rules
        for (let i = 0; i < ref.length; i += 37)
          ref[i] = i % 74 === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
        const xw = { ...x.wasm, buf: be.fromArray(float32, ref) };
        expectClose(
          read(be.im2col(xw, shape, g, float32), float32),
          cpuBackend.im2col(x.ref, shape, g, float32) as TypedArray,
          0,
          0,
          `im2col ${what}`,
        );
        const colShape = [n, c, g.kh, g.kw, g.oh, g.ow];
        const cols = operand(float32, colShape, layout);
        expectClose(
          read(be.col2im(cols.wasm, colShape, g, float32), float32),
          cpuBackend.col2im(cols.ref, colShape, g, float32) as TypedArray,
          0,
          0,
          `col2im ${what}`,
        );
        const [v, i] = be.maxPool2d(xw, shape, g);
        const [rv, ri] = cpuBackend.maxPool2d(x.ref, shape, g);
        expectClose(read(v, float32), rv as TypedArray, 0, 0, `maxPool2d values ${what}`);
        expectClose(read(i, int32), ri as TypedArray, 0, 0, `maxPool2d indices ${what}`);
        const outShape = [n, c, g.oh, g.ow];
        const gr = operand(float32, outShape, layout);
        const idx = { buf: i, dtype: int32, strides: [c * g.oh * g.ow, g.oh * g.ow, g.ow, 1], offset: 0 };
        const refIdx = { ...idx, buf: ri };
        expectClose(
          read(be.maxPool2dBackward(gr.wasm, idx, outShape, g, float32), float32),
          cpuBackend.maxPool2dBackward(gr.ref, refIdx, outShape, g, float32) as TypedArray,
          0,
          0,
          `maxPool2dBackward ${what}`,
        );
      }
  });

  test("axpy (the optimizers' in-place update) rounds exactly as the reference", () => {
    for (const dt of [float32, float64])
      for (const [dl, xl] of [
        ['c', 'c'],
        ['s', 't'],
      ] as const) {
        const shape = [61, 37];
        const dst = operand(dt, shape, dl);
        const dstR = { ...dst.ref, buf: (dst.ref.buf as TypedArray).slice() };
        const x = operand(dt, shape, xl);
        const alpha = dt === float32 ? Math.fround(-0.0123) : -0.0123;
        be.axpy(dst.wasm, x.wasm, alpha, shape);
        cpuBackend.axpy(dstR, x.ref, alpha, shape);
        expectClose(read(dst.wasm.buf, dt), dstR.buf as TypedArray, 0, 0, `axpy ${dt.name} ${dl}${xl}`);
      }
  });

  test("rand's and randn's kernels are bit-identical to the JavaScript reference", () => {
    const kernels = {
      normalBlocksF32: (out: Float32Array, from: number, blocks: number, m: number, sd: number) =>
        be.normalBlocks(out, from, blocks, m, sd),
      fill24: (state: MtState, out: Float32Array, from: number, to: number) =>
        be.fill24(state, out, from, to),
    };
    const draw = (
      k: typeof kernels | null,
      seed: number,
      f: (g: Generator) => Float32Array,
    ): Float32Array => {
      setRandomKernels(k);
      const g = new Generator().manualSeed(seed);
      g.random(); // start mid-way through the state words
      const a = f(g);
      const b = g.uniform(new Float32Array(700)); // the state advanced exactly as the reference's
      const out = new Float32Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    };
    for (const [seed, mean, std, n] of [
      [0, 0, 1, 1 << 18],
      [7, 0, 1, 4099],
      [3, 2.5, 0.3, 70001],
      [11, -1, 1e-3, 16 * 16],
    ] as const)
      for (const [what, f] of [
        ['normal', (g: Generator) => g.normal(new Float32Array(n), mean, std)],
        ['uniform', (g: Generator) => g.uniform(new Float32Array(n))],
      ] as const) {
        const want = draw(null, seed, f);
        const got = draw(kernels, seed, f);
        const bad = got.findIndex((v, i) => !Object.is(v, want[i]));
        expect(bad, `${what} seed ${seed} mean ${mean} std ${std}: element ${bad}`).toBe(-1);
      }
    setRandomKernels(kernels);
  });

  test('the long tail runs the reference kernels over heap views', () => {
    const x = operand(float32, [40, 50], 't');
    const got = be.cumulative('sum', x.wasm, [40, 50], 1, float32);
    expectClose(
      read(got, float32),
      cpuBackend.cumulative('sum', x.ref, [40, 50], 1, float32),
      1e-6,
      1e-6,
      'cumsum',
    );
    const [v, i] = be.sort(x.wasm, [40, 50], 1, true);
    const [rv, ri] = cpuBackend.sort(x.ref, [40, 50], 1, true);
    expectClose(read(v, float32), rv as TypedArray, 0, 0, 'sort values');
    expectClose(read(i, int32), ri as TypedArray, 0, 0, 'sort indices');
  });
});

describe('wasm heap', () => {
  test('small tensors stay typed arrays; large ones live in the heap', () => {
    be.small = SMALL;
    expect(ArrayBuffer.isView(be.alloc(float32, 10))).toBe(true);
    expect(be.alloc(float32, 100_000)).toBeInstanceOf(WasmBuf);
    const big = be.fromArray(float32, new Float32Array(5000).fill(2));
    const view = be.readSync(big, float32);
    expect(view.length).toBe(5000);
    expect(view[4999]).toBe(2);
  });

  test('garbage comes back: the heap stays flat over a long synchronous loop', () => {
    const heap = be.heap;
    if (!('reclaims' in heap)) return;
    const before = heap.reclaimThreshold;
    heap.reclaimThreshold = 16 * 2 ** 20;
    const x = operand(float32, [256, 1024], 'c').wasm;
    let peak = 0;
    for (let i = 0; i < 300; i++) {
      be.unary('exp', x, [256, 1024], float32); // 1 MiB of garbage per step
      if (i === 100) peak = heap.heapBytes;
    }
    heap.reclaimThreshold = before;
    // Node reclaims synchronously (the hooks load at import): the heap stops growing after the first reclaims
    expect(heap.reclaims).toBeGreaterThan(0);
    expect(heap.heapBytes).toBeLessThanOrEqual(peak * 1.5);
  });

  test('a block released early is not freed again when its handle is collected', () => {
    const heap = new Heap({ shared: false, reserved: 1 << 16 });
    const bytes = 3000;
    // handles are made and dropped inside these helpers, so no interpreter register of this frame keeps one alive
    const releaseOne = (): number => {
      const a = heap.alloc(bytes);
      const p = a.ptr;
      heap.release(a);
      return p;
    };
    const owner: { buf: WasmBuf | null } = { buf: null };
    const own = (): number => {
      owner.buf = heap.alloc(bytes);
      return owner.buf.ptr;
    };
    /** Whether the next block of this class handed out would be `p` (a raw alloc and free leaves no handle). */
    const nextIs = (p: number): boolean => {
      const q = heap.allocRaw(bytes);
      heap.freeRaw(q, bytes);
      return q === p;
    };
    const ptr = releaseOne();
    expect(heap.owedCallbacks).toBe(1);
    expect(own()).toBe(ptr); // the released block is reused at once
    heap.reclaimNow();
    expect(heap.owedCallbacks).toBe(0); // the released handle's callback came, and was skipped:
    expect(nextIs(ptr)).toBe(false); // the owner's block is not handed out twice
    owner.buf = null;
    let freed = false;
    for (let i = 0; i < 5 && !freed; i++) {
      heap.reclaimNow();
      freed = nextIs(ptr);
    }
    expect(freed).toBe(true); // the owner's own callback frees it
  });
});

describe('kernel module', () => {
  test('uses relaxed-SIMD FMA in Node, and leaves the V8 flag as it found it (Note [Relaxed SIMD on Node 20])', () => {
    const before = simdSupport().relaxed;
    const fresh = createWasmBackend() as WasmBackend;
    expect(fresh.fma).toBe(true);
    expect(simdSupport().relaxed).toBe(before); // on Node 20: still false for every other module
    const a = fresh.fromArray(
      float32,
      Float32Array.from({ length: 96 * 80 }, (_, i) => (i % 7) - 3),
    );
    const b = fresh.fromArray(
      float32,
      Float32Array.from({ length: 80 * 72 }, (_, i) => (i % 5) - 2),
    );
    const s = (buf: Buf, r: number, c: number): Strided => ({
      buf,
      dtype: float32,
      offset: 0,
      strides: [r * c, c, 1],
    });
    const got = fresh.readSync(fresh.matmul(s(a, 96, 80), s(b, 80, 72), 1, 96, 80, 72, float32), float32);
    const host = (buf: Buf, r: number, c: number): Strided => ({
      ...s(buf, r, c),
      buf: fresh.readSync(buf, float32),
    });
    const want = cpuBackend.matmul(host(a, 96, 80), host(b, 80, 72), 1, 96, 80, 72, float32) as TypedArray;
    expectClose(got, want, 0, 0, 'small-integer products are exact with or without FMA');
  });

  test('workers start only once splittable work adds up (Note [Starting workers late])', () => {
    const fresh = createWasmBackend() as WasmBackend;
    fresh.setThreads(2);
    const host = Float32Array.from({ length: 256 * 256 }, (_, i) => (i % 7) - 3);
    const x: Strided = {
      buf: fresh.fromArray(float32, host),
      dtype: float32,
      offset: 0,
      strides: [0, 256, 1],
    };
    const product = (): Buf => fresh.matmul(x, x, 1, 256, 256, 256, float32);
    product(); // a short script's one big op: 32 units
    expect(fresh.startedWorkers).toBe(0);
    for (let i = 0; i < 3; i++) product();
    expect(fresh.startedWorkers).toBe(1);
  });

  test('TSGRAD_WASM_FMA=0 keeps the multiply-add kernels', () => {
    process.env.TSGRAD_WASM_FMA = '0';
    try {
      expect((createWasmBackend() as WasmBackend).fma).toBe(false);
    } finally {
      delete process.env.TSGRAD_WASM_FMA;
    }
  });
});
