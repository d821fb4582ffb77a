/**
 * @file Property tests (fast-check): broadcasting ops equal the same ops on expanded contiguous copies; chains of
 * view ops give the values an independent index-mapping reference predicts, share storage, and write through to
 * their base; reductions over random dims equal naive loops, with PyTorch's keepdim shapes.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';

const RUNS = { numRuns: 150 };

const sizeArb = fc.integer({ min: 0, max: 3 });
const shapeArb = (minLength = 0, maxLength = 4, min = 0) =>
  fc.array(fc.integer({ min, max: 3 }), { minLength, maxLength });

/** Row-major index tuples of a shape, in order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < n; k++) {
    const idx = new Array<number>(shape.length);
    let r = k;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d]!;
      r = Math.floor(r / shape[d]!);
    }
    yield idx;
  }
}

const flatIndex = (idx: readonly number[], shape: readonly number[]): number =>
  idx.reduce((acc, i, d) => acc * shape[d]! + i, 0);

const randomTensor = (shape: readonly number[], seed: number): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  // deterministic values with few ties, exactly representable in float32
  const data = Array.from({ length: n }, (_, i) => (((i + 1) * 7919 + seed * 104729) % 2003) / 64 - 15);
  return torch.tensor(data).reshape(shape as number[]);
};

// ---------------------------------------------------------------------------------------------------------------

describe('broadcasting', () => {
  /** Two broadcastable shapes and their broadcast: drop leading dims of the result and set some dims to 1. */
  const pairArb = fc
    .tuple(
      shapeArb(0, 4),
      fc.nat(4),
      fc.nat(4),
      fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    )
    .map(([out, da, db, oa, ob]) => ({
      out,
      a: out.slice(Math.min(da, out.length)).map((s, i) => (oa[i] ? 1 : s)),
      b: out.slice(Math.min(db, out.length)).map((s, i) => (ob[i] ? 1 : s)),
    }));

  test('binary ops of broadcast operands equal the ops of expanded contiguous copies', () => {
    fc.assert(
      fc.property(
        pairArb,
        fc.constantFrom('add', 'sub', 'mul', 'div', 'maximum', 'lt', 'eq'),
        ({ a, b }, op) => {
          const x = randomTensor(a, 1);
          const y = randomTensor(b, 2).add(op === 'div' ? 40 : 0);
          const call = (p: Tensor, q: Tensor): Tensor =>
            (torch as unknown as Record<string, (p: Tensor, q: Tensor) => Tensor>)[op]!(p, q);
          const r = call(x, y);
          const xe = x.expand(r.shape).contiguous();
          const ye = y.expand(r.shape).contiguous();
          expect(xe.isContiguous() && ye.isContiguous()).toBe(true);
          const e = call(xe, ye);
          expect(r.shape).toEqual(e.shape);
          expect(Array.from(r.toArray())).toEqual(Array.from(e.toArray()));
        },
      ),
      RUNS,
    );
  });

  test('gradients of broadcast operands are summed back to their shapes', () => {
    fc.assert(
      fc.property(pairArb, ({ a, b }) => {
        const x = randomTensor(a, 3).requiresGrad_();
        const y = randomTensor(b, 4).requiresGrad_();
        const out = x.mul(y);
        out.backward(torch.onesLike(out));
        // d/dx Σ x·y = Σ over the broadcast dims of y (expanded), and likewise for y
        const ye = y.detach().expand(out.shape);
        const xe = x.detach().expand(out.shape);
        const expectX = sumTo(ye, a);
        const expectY = sumTo(xe, b);
        expect(x.grad!.shape).toEqual(a);
        expect(y.grad!.shape).toEqual(b);
        expectClose(x.grad!.toArray(), expectX);
        expectClose(y.grad!.toArray(), expectY);
      }),
      RUNS,
    );
  });
});

/** Naive sum of an expanded tensor `t` down to `shape` (broadcast dims summed), as a flat row-major array. */
function sumTo(t: Tensor, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
  const vals = t.toArray();
  const off = t.shape.length - shape.length;
  let k = 0;
  for (const idx of indices(t.shape)) {
    const src = idx.slice(off).map((i, d) => (shape[d] === 1 ? 0 : i));
    out[flatIndex(src, shape)]! += vals[k++]!;
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Number.isNaN(e)) expect(a).toBeNaN();
    else expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-5 + rtol * Math.abs(e));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// views: each op maps the view's index tuples to flat indices of the base (the reference)

/** A view under construction: its shape, and for each of its elements (row-major) the flat index in the base. */
interface Ref {
  shape: number[];
  map: number[];
}

/** Applies `f` (output index tuple -> input index tuple) to build the reference of a view of shape `shape`. */
function remap(ref: Ref, shape: number[], f: (idx: number[]) => number[]): Ref {
  const map: number[] = [];
  for (const idx of indices(shape)) map.push(ref.map[flatIndex(f(idx), ref.shape)]!);
  return { shape, map };
}

type ViewStep =
  | { op: 'transpose'; a: number; b: number }
  | { op: 'permute'; seed: number }
  | { op: 'narrow'; dim: number; start: number; length: number }
  | { op: 'select'; dim: number; index: number }
  | { op: 'unsqueeze'; dim: number }
  | { op: 'squeeze' }
  | { op: 'squeezeDim'; dim: number }
  | { op: 'expand'; dim: number; size: number }
  | { op: 'view'; seed: number }
  | { op: 'flatten' }
  | { op: 't' };

const stepArb: fc.Arbitrary<ViewStep> = fc.oneof(
  fc.record({ op: fc.constant('transpose' as const), a: fc.nat(3), b: fc.nat(3) }),
  fc.record({ op: fc.constant('permute' as const), seed: fc.nat(1000) }),
  fc.record({ op: fc.constant('narrow' as const), dim: fc.nat(3), start: fc.nat(3), length: fc.nat(3) }),
  fc.record({ op: fc.constant('select' as const), dim: fc.nat(3), index: fc.nat(3) }),
  fc.record({ op: fc.constant('unsqueeze' as const), dim: fc.nat(4) }),
  fc.record({ op: fc.constant('squeeze' as const) }),
  fc.record({ op: fc.constant('squeezeDim' as const), dim: fc.nat(3) }),
  fc.record({ op: fc.constant('expand' as const), dim: fc.nat(3), size: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant('view' as const), seed: fc.nat(1000) }),
  fc.record({ op: fc.constant('flatten' as const) }),
  fc.record({ op: fc.constant('t' as const) }),
);

/** Applies a step to both the tensor and the reference; returns null when the step does not apply to this shape. */
function apply(x: Tensor, ref: Ref, step: ViewStep): [Tensor, Ref] | null {
  const r = ref.shape.length;
  const s = ref.shape;
  switch (step.op) {
    case 'transpose': {
      if (r === 0) return null;
      const a = step.a % r;
      const b = step.b % r;
      const shape = s.slice();
      [shape[a], shape[b]] = [shape[b]!, shape[a]!];
      return [
        x.transpose(a, b),
        remap(ref, shape, (idx) => {
          const i = idx.slice();
          [i[a], i[b]] = [i[b]!, i[a]!];
          return i;
        }),
      ];
    }
    case 'permute': {
      const perm = s.map((_, i) => i);
      let seed = step.seed;
      for (let i = perm.length - 1; i > 0; i--) {
        const j = seed % (i + 1);
        seed = Math.floor(seed / (i + 1)) + 7;
        [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      }
      const shape = perm.map((p) => s[p]!);
      return [
        x.permute(perm),
        remap(ref, shape, (idx) => {
          const i = new Array<number>(r);
          perm.forEach((p, k) => {
            i[p] = idx[k]!;
          });
          return i;
        }),
      ];
    }
    case 'narrow': {
      if (r === 0) return null;
      const d = step.dim % r;
      if (s[d] === 0) return null;
      const start = step.start % s[d]!;
      const length = Math.min(step.length, s[d]! - start);
      const shape = s.slice();
      shape[d] = length;
      return [
        x.narrow(d, start, length),
        remap(ref, shape, (idx) => idx.map((v, k) => (k === d ? v + start : v))),
      ];
    }
    case 'select': {
      if (r === 0) return null;
      const d = step.dim % r;
      if (s[d] === 0) return null;
      const index = step.index % s[d]!;
      return [
        x.select(d, index),
        remap(
          ref,
          s.filter((_, k) => k !== d),
          (idx) => [...idx.slice(0, d), index, ...idx.slice(d)],
        ),
      ];
    }
    case 'unsqueeze': {
      const d = step.dim % (r + 1);
      return [
        x.unsqueeze(d),
        remap(ref, [...s.slice(0, d), 1, ...s.slice(d)], (idx) => idx.filter((_, k) => k !== d)),
      ];
    }
    case 'squeeze': {
      const keep = s.map((v, k) => (v === 1 ? -1 : k)).filter((k) => k >= 0);
      return [
        x.squeeze(),
        remap(
          ref,
          keep.map((k) => s[k]!),
          (idx) => s.map((v, k) => (v === 1 ? 0 : idx[keep.indexOf(k)]!)),
        ),
      ];
    }
    case 'squeezeDim': {
      if (r === 0) return null;
      const d = step.dim % r;
      if (s[d] !== 1) return [x.squeeze(d), ref];
      return [
        x.squeeze(d),
        remap(
          ref,
          s.filter((_, k) => k !== d),
          (idx) => [...idx.slice(0, d), 0, ...idx.slice(d)],
        ),
      ];
    }
    case 'expand': {
      if (r === 0) return [x.expand([step.size]), remap(ref, [step.size], () => [])];
      const d = step.dim % r;
      if (s[d] !== 1) return null;
      const shape = s.slice();
      shape[d] = step.size;
      return [x.expand(shape), remap(ref, shape, (idx) => idx.map((v, k) => (k === d ? 0 : v)))];
    }
    case 'view': {
      // merge or split a pair of adjacent dims, as a view when the strides allow it, else reshape (a copy)
      if (r === 0) return null;
      const d = step.seed % r;
      let shape: number[];
      if (d + 1 < r && step.seed % 2 === 0) shape = [...s.slice(0, d), s[d]! * s[d + 1]!, ...s.slice(d + 2)];
      else if (s[d]! % 2 === 0 && s[d]! > 0) shape = [...s.slice(0, d), 2, s[d]! / 2, ...s.slice(d + 1)];
      else shape = [...s.slice(0, d), 1, s[d]!, ...s.slice(d + 1)];
      return [x.reshape(shape), { shape, map: ref.map }];
    }
    case 'flatten':
      return [x.flatten(), { shape: [ref.map.length], map: ref.map }];
    case 't':
      if (r > 2) return null;
      return [x.t(), r < 2 ? ref : remap(ref, [s[1]!, s[0]!], ([i, j]) => [j!, i!])];
    default:
      return step satisfies never;
  }
}

describe('views', () => {
  const caseArb = fc.record({
    shape: shapeArb(0, 4, 1),
    steps: fc.array(stepArb, { minLength: 1, maxLength: 5 }),
  });

  test('chains of view ops give the reference values, share storage, and write through to their base', () => {
    fc.assert(
      fc.property(caseArb, ({ shape, steps }) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const base = torch.arange(n, { dtype: torch.float32 }).reshape(shape);
        let x: Tensor = base;
        let ref: Ref = { shape: shape.slice(), map: Array.from({ length: n }, (_, i) => i) };
        let expanded = false;
        let copied = false;
        for (const step of steps) {
          const r = apply(x, ref, step);
          if (!r) continue;
          const before = x;
          [x, ref] = r;
          if (step.op === 'expand') expanded = true;
          if (x.storage !== before.storage) copied = true;
          // only reshape may copy, and only when PyTorch's view would fail
          if (x.storage !== before.storage) expect(['view', 'flatten']).toContain(step.op);
        }
        expect(x.shape).toEqual(ref.shape);
        expect(Array.from(x.toArray())).toEqual(ref.map);
        expect(Array.from(x.contiguous().toArray())).toEqual(ref.map);
        expect(x.contiguous().isContiguous()).toBe(true);
        if (copied) return;
        expect(x.storage).toBe(base.storage);
        if (expanded || ref.map.length === 0) return;
        // writes through the view land in the base at the reference positions, and nowhere else
        x.copy_(torch.arange(ref.map.length, { dtype: torch.float32 }).add(1000).reshape(ref.shape));
        const b = base.toArray();
        const written = new Map(ref.map.map((m, i) => [m, 1000 + i]));
        for (let i = 0; i < n; i++) expect(b[i]).toBe(written.get(i) ?? i);
        expect(base.version).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  test('a view of a tensor that requires grad passes the gradient back to the base positions', () => {
    fc.assert(
      fc.property(caseArb, ({ shape, steps }) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const base = torch.arange(n, { dtype: torch.float64 }).reshape(shape).requiresGrad_();
        let x: Tensor = base;
        let ref: Ref = { shape: shape.slice(), map: Array.from({ length: n }, (_, i) => i) };
        for (const step of steps) {
          const r = apply(x, ref, step);
          if (r) [x, ref] = r;
        }
        if (x === base) return;
        const w = torch.arange(ref.map.length, { dtype: torch.float64 }).add(1).reshape(ref.shape);
        x.mul(w).sum().backward();
        const expected = new Array<number>(n).fill(0);
        ref.map.forEach((m, i) => {
          expected[m]! += i + 1;
        });
        expect(Array.from(base.grad!.toArray())).toEqual(expected);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('reductions', () => {
  const caseArb = fc
    .record({
      shape: shapeArb(0, 4),
      mask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      keepdim: fc.boolean(),
      seed: fc.nat(100),
      op: fc.constantFrom('sum', 'mean', 'amax', 'amin', 'prod', 'max', 'min'),
    })
    .map((c) => ({ ...c, dims: c.shape.map((_, d) => d).filter((d) => c.mask[d]) }));

  /** Naive reduction of `data` (row-major, `shape`) over `dims` with `op`; returns the kept shape and values. */
  function naive(data: ArrayLike<number>, shape: number[], dims: number[], op: string): number[] {
    const outShape = shape.filter((_, d) => !dims.includes(d));
    const n = outShape.reduce((a, b) => a * b, 1);
    const acc: number[][] = Array.from({ length: n }, () => []);
    let k = 0;
    for (const idx of indices(shape))
      acc[
        flatIndex(
          idx.filter((_, d) => !dims.includes(d)),
          outShape,
        )
      ]!.push(data[k++]!);
    return acc.map((v) => {
      switch (op) {
        case 'sum':
          return v.reduce((a, b) => a + b, 0);
        case 'mean':
          return v.reduce((a, b) => a + b, 0) / v.length;
        case 'prod':
          return v.reduce((a, b) => a * b, 1);
        case 'amax':
        case 'max':
          return Math.max(...v);
        default:
          return Math.min(...v);
      }
    });
  }

  test('over random dims equal naive loops, with keepdim shapes', () => {
    fc.assert(
      fc.property(caseArb, ({ shape, dims, keepdim, seed, op }) => {
        const x = randomTensor(shape, seed).div(op === 'prod' ? 8 : 1);
        const empty = dims.some((d) => shape[d] === 0) || (dims.length === 0 && shape.includes(0));
        const expectedShape = keepdim
          ? shape.map((s, d) => (dims.includes(d) || dims.length === 0 ? 1 : s))
          : shape.filter((_, d) => dims.length > 0 && !dims.includes(d));
        let out: Tensor;
        if (op === 'max' || op === 'min') {
          // the dim form reduces one dim: the first chosen (or all dims at once without a dim)
          if (dims.length === 0) {
            if (shape.includes(0)) {
              expect(() => x[op]()).toThrow('Expected reduction dim to be specified for input.numel() == 0');
              return;
            }
            out = x[op]();
            expect(out.shape).toEqual([]);
            expectClose(
              out.toArray(),
              naive(
                x.toArray(),
                shape,
                shape.map((_, d) => d),
                op,
              ),
            );
            return;
          }
          const d = dims[0]!;
          if (shape[d] === 0) {
            expect(() => x[op](d, { keepdim })).toThrow(`Expected reduction dim ${d} to have non-zero size`);
            return;
          }
          const { values, indices: idx } = x[op](d, { keepdim });
          const one = keepdim ? shape.map((s, k) => (k === d ? 1 : s)) : shape.filter((_, k) => k !== d);
          expect(values.shape).toEqual(one);
          expect(idx.shape).toEqual(one);
          expect(idx.dtype).toBe(torch.int32);
          expectClose(values.toArray(), naive(x.toArray(), shape, [d], op));
          // the indices point at the values
          expectClose(x.gather(d, keepdim ? idx : idx.unsqueeze(d)).toArray(), Array.from(values.toArray()));
          return;
        }
        if ((op === 'amax' || op === 'amin') && empty) {
          expect(() => (x[op] as (d: number[], o: object) => Tensor)(dims, { keepdim })).toThrow(
            'Expected reduction dim',
          );
          return;
        }
        if (op === 'prod') {
          if (dims.length !== 1) return;
          out = x.prod(dims[0]!, { keepdim });
        } else out = (x[op] as (d: number[], o: object) => Tensor)(dims, { keepdim });
        const all = dims.length === 0 ? shape.map((_, d) => d) : dims;
        expect(out.shape).toEqual(dims.length === 0 && !keepdim ? [] : expectedShape);
        expectClose(out.toArray(), naive(x.toArray(), shape, all, op));
      }),
      { numRuns: 300 },
    );
  });

  test('sums of sizes 0..3 cover the empty cases (sum 0, mean NaN, prod 1)', () => {
    fc.assert(
      fc.property(sizeArb, sizeArb, (a, b) => {
        const x = torch.ones(a, b);
        expect(Array.from(x.sum(1).toArray())).toEqual(new Array(a).fill(b));
        expect(Array.from(x.prod(1).toArray())).toEqual(new Array(a).fill(1));
        const m = Array.from(x.mean(1).toArray());
        for (const v of m) b === 0 ? expect(v).toBeNaN() : expect(v).toBe(1);
      }),
    );
  });
});
