/**
 * @file The generator against PyTorch 1.13's CPU streams (test/fixtures/random.json, from
 * scripts/fixtures/rng.py), plus properties: one seed gives one stream, and states round-trip.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { defaultGenerator, Generator, manualSeed, seedFromTime } from '../../src/core/random.js';

type Values = { out?: (number | string)[]; hash?: number; head?: (number | string)[] };
type Step = Values &
  (
    | { op: 'uniform'; dtype: 'float32' | 'float64'; n: number; from: number; to: number }
    | { op: 'normal'; dtype: 'float32' | 'float64'; n: number; mean: number; std: number }
    | {
        op: 'randint';
        dtype: 'int32' | 'int64' | 'float32' | 'float64';
        n: number;
        low: number;
        high: number;
      }
    | { op: 'randperm'; n: number }
    | {
        op: 'bernoulli';
        dtype: 'float32' | 'float64';
        n: number;
        p: number | number[];
        pDtype: string | null;
      }
    | { op: 'randomInt64' | 'state' | 'initialSeed'; out: string }
  );
type Case = { name: string; seed: string | null; global: boolean; steps: Step[] };

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/random.json', import.meta.url), 'utf8')) as {
  torch: string;
  cpuCapability: string;
  cases: Case[];
};

/** FNV-1a over the bytes of a typed array, as the fixture script hashes big outputs. */
function fnv1a(a: ArrayBufferView): number {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

/** Compares all values exactly (or the hash of them), reporting the first difference. */
function expectExact(got: ArrayLike<number>, step: Values, what: string): void {
  if (step.hash !== undefined) {
    expect(Array.from(got).slice(0, 8), `${what}: head`).toEqual(step.head!.map(Number));
    expect(fnv1a(got as unknown as ArrayBufferView), `${what}: hash of all ${got.length}`).toBe(step.hash);
    return;
  }
  const want = step.out!.map(Number);
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    if (got[i] !== want[i]) expect(got[i], `${what}: element ${i}`).toBe(want[i]);
}

/** Exact float64 matches and the largest error seen, over every float64 normal in the fixtures. */
const f64Normals = { total: 0, exact: 0, worst: 0 };

/**
 * float64 normals use libm's log/sin/cos, which differ between glibc (PyTorch) and V8 (fdlibm) by an ulp in a
 * few percent of calls; the error is relative to the sample before `* std + mean`, so the tolerance is too.
 */
function expectClose64(got: Float64Array, want: number[], mean: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const err =
      Math.abs(got[i]! - want[i]!) / (8 * Number.EPSILON * (Math.abs(want[i]! - mean) + Math.abs(mean)));
    f64Normals.total++;
    if (got[i] === want[i]) f64Normals.exact++;
    f64Normals.worst = Math.max(f64Normals.worst, err);
    if (!(err <= 1)) expect(got[i], `${what}: element ${i}, beyond 4 eps`).toBe(want[i]);
  }
}

const typed = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: Float64Array, // same draws as int64 (64-bit from a range of 2^32 on); values stay below 2^53 here
} as const;

/** Runs one fixture step on g and checks it; returns the generator the case continues with. */
function runStep(g: Generator, s: Step, what: string): Generator {
  switch (s.op) {
    case 'uniform':
      expectExact(g.uniform(new typed[s.dtype](s.n), s.from, s.to), s, what);
      return g;
    case 'normal': {
      const got = g.normal(new typed[s.dtype](s.n), s.mean, s.std);
      if (got instanceof Float32Array) expectExact(got, s, what);
      else expectClose64(got, s.out!.map(Number), s.mean, what);
      return g;
    }
    case 'randint':
      expectExact(g.randint(new typed[s.dtype](s.n), s.low, s.high), s, what);
      return g;
    case 'randperm':
      expectExact(g.randperm(s.n), s, what);
      return g;
    case 'bernoulli': {
      const p =
        typeof s.p === 'number'
          ? s.p
          : s.pDtype === 'float32'
            ? Float32Array.from(s.p)
            : Float64Array.from(s.p);
      expectExact(g.bernoulli(new typed[s.dtype](s.n), p), s, what);
      return g;
    }
    case 'randomInt64':
      expect(g.randomInt64(), what).toBe(BigInt(s.out));
      return g;
    case 'initialSeed':
      expect(g.initialSeed(), what).toBe(BigInt(s.out));
      return g;
    case 'state': {
      const torchState = new Uint8Array(Buffer.from(s.out, 'base64'));
      expect(g.getState(), what).toEqual(torchState);
      return new Generator().setState(torchState); // the rest of the stream continues from torch's bytes
    }
    default:
      return s satisfies never;
  }
}

function replay(c: Case): void {
  let g = c.global ? manualSeed(BigInt(c.seed!)) : new Generator();
  if (!c.global && c.seed !== null) g.manualSeed(BigInt(c.seed));
  for (const [k, s] of c.steps.entries()) g = runStep(g, s, `${c.name} (seed ${c.seed}) step ${k} ${s.op}`);
}

describe('against PyTorch 1.13 CPU streams', () => {
  test('fixtures come from the AVX2 kernels', () => {
    expect(fixtures.torch.startsWith('1.13')).toBe(true);
    expect(fixtures.cpuCapability).toBe('AVX2');
    expect(fixtures.cases.length).toBeGreaterThan(200);
  });

  test.each(fixtures.cases.map((c, i) => [i, c.name, c.seed, c] as const))(
    '%i %s (seed %s)',
    (_i, _n, _s, c) => replay(c),
  );

  // float64 normals only: the tolerance above, and most of them must still match bit for bit.
  test('float64 normals: mostly bit-exact, the rest within libm ulps', () => {
    if (f64Normals.total === 0) for (const c of fixtures.cases) replay(c); // when run on its own (-t)
    expect(f64Normals.total).toBeGreaterThan(5_000);
    expect(f64Normals.exact / f64Normals.total).toBeGreaterThan(0.9);
    expect(f64Normals.worst).toBeLessThanOrEqual(1);
  });
});

describe('Generator', () => {
  test('mt19937 reference output and default seeds', () => {
    const g = new Generator().manualSeed(5489);
    expect([g.random(), g.random(), g.random()]).toEqual([3499211612, 581869302, 3890346734]);
    expect(new Generator().initialSeed()).toBe(67280421310721n);
    expect(manualSeed(3)).toBe(defaultGenerator);
    expect(defaultGenerator.initialSeed()).toBe(3n);
    expect(new Generator().manualSeed(0).randomInt64()).toBe(900450186894289455n);
    expect(Array.from(new Generator().manualSeed(0).randperm(5))).toEqual([4, 0, 1, 3, 2]);
  });

  test('seed() re-seeds non-deterministically and reports the seed', () => {
    const g = new Generator();
    const s = g.seed();
    expect(g.initialSeed()).toBe(s);
    expect(s).toBeGreaterThanOrEqual(0n);
    expect(s).toBeLessThan(1n << 64n);
    expect(seedFromTime()).toBeLessThan(1n << 64n);
    const a = g.uniform(new Float32Array(4));
    expect(Array.from(new Generator().manualSeed(s).uniform(new Float32Array(4)))).toEqual(Array.from(a));
  });

  test('errors worded like PyTorch, before anything is drawn', () => {
    const g = new Generator().manualSeed(0);
    const before = g.getState();
    expect(() => g.uniform(new Float32Array(2), 3, 2)).toThrow(
      /uniform_ expects to return a \[from, to\) range/,
    );
    expect(() => g.normal(new Float64Array(2), 0, -1)).toThrow(/normal expects std >= 0.0/);
    expect(() => g.randint(new Int32Array(2), 5, 5)).toThrow(/random_ expects 'from' to be less than 'to'/);
    expect(() => g.randint(new Float32Array(2), 0, 2 ** 25)).toThrow(/out of bounds for float/);
    expect(() => g.randint(new Int32Array(2), 0, 2 ** 32)).toThrow(/out of bounds for int/);
    expect(() => g.bernoulli(new Float32Array(2), 1.5)).toThrow(/bernoulli_ expects p to be in \[0, 1\]/);
    expect(() => g.bernoulli(new Float32Array(2), Float32Array.of(0.5, 2))).toThrow(/p in \[0, 1\]/);
    expect(() => g.randperm(-1)).toThrow(/n must be non-negative/);
    expect(() => g.manualSeed(2n ** 64n)).toThrow(/Overflow/);
    expect(() => g.manualSeed(0.5)).toThrow(/integer seed/);
    expect(() => g.setState(new Uint8Array(10))).toThrow(/CPUGeneratorImplState of size 5056/);
    expect(() => g.setState(new Uint8Array(5056))).toThrow(/Invalid mt19937 state/);
    expect(g.getState()).toEqual(before);
  });
});

/** One random call on a generator, returning what it produced as plain numbers. */
const ops = fc.oneof(
  fc.record({ op: fc.constant('uniform' as const), n: fc.nat(40), f64: fc.boolean() }),
  fc.record({ op: fc.constant('normal' as const), n: fc.nat(40), f64: fc.boolean() }),
  fc.record({
    op: fc.constant('randint' as const),
    n: fc.nat(10),
    high: fc.integer({ min: 1, max: 2 ** 40 }),
  }),
  fc.record({ op: fc.constant('randperm' as const), n: fc.nat(20) }),
  fc.record({
    op: fc.constant('bernoulli' as const),
    n: fc.nat(10),
    p: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ op: fc.constant('int64' as const) }),
);
type Op = typeof ops extends fc.Arbitrary<infer T> ? T : never;

function run(g: Generator, op: Op): (number | string)[] {
  switch (op.op) {
    case 'uniform':
      return Array.from(g.uniform(op.f64 ? new Float64Array(op.n) : new Float32Array(op.n), -1, 2));
    case 'normal':
      return Array.from(g.normal(op.f64 ? new Float64Array(op.n) : new Float32Array(op.n), 1, 0.7));
    case 'randint':
      return Array.from(g.randint(new Float64Array(op.n), -3, op.high));
    case 'randperm':
      return Array.from(g.randperm(op.n));
    case 'bernoulli':
      return Array.from(g.bernoulli(new Uint8Array(op.n), op.p));
    case 'int64':
      return [String(g.randomInt64())];
    default:
      return op satisfies never;
  }
}

describe('properties', () => {
  const seed = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

  test('the same seed gives the same stream', () => {
    fc.assert(
      fc.property(seed, fc.array(ops, { maxLength: 8 }), (s, calls) => {
        const a = new Generator().manualSeed(s);
        const b = new Generator().manualSeed(s);
        for (const op of calls) expect(run(a, op)).toEqual(run(b, op));
      }),
      { numRuns: 60 },
    );
  });

  test('getState/setState round-trips mid-stream, cached normal sample included', () => {
    fc.assert(
      fc.property(
        seed,
        fc.array(ops, { maxLength: 6 }),
        fc.array(ops, { maxLength: 6 }),
        (s, before, after) => {
          const a = new Generator().manualSeed(s);
          for (const op of before) run(a, op);
          const state = a.getState();
          const b = new Generator().setState(state);
          expect(b.getState()).toEqual(state);
          expect(b.initialSeed()).toBe(a.initialSeed());
          for (const op of after) expect(run(b, op)).toEqual(run(a, op));
        },
      ),
      { numRuns: 60 },
    );
  });
});
