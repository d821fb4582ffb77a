/**
 * @file Shapes, strides and broadcasting: viewStrides against PyTorch's x.view(target) on random strided tensors
 * (test/fixtures/ops.json), and properties of broadcastShapes, normalizeDim(s), inferSize and the stride helpers.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  broadcastShapes,
  broadcastStrides,
  contiguousStrides,
  inferSize,
  isContiguousLayout,
  normalizeDim,
  normalizeDims,
  numel,
  viewStrides,
} from '../../src/core/shape.js';
import { opsFixture } from '../helpers/ops.js';

describe('viewStrides matches x.view(target) in PyTorch', () => {
  for (const [i, v] of opsFixture().views.entries()) {
    const name = `${i}: [${v.shape}] strides [${v.strides}] -> [${v.target}]`;
    test(name, () => {
      if (v.error?.startsWith('cannot reshape')) {
        expect(() => inferSize(v.target, numel(v.shape))).toThrow(v.error);
        return;
      }
      const target = inferSize(v.target, numel(v.shape));
      const strides = viewStrides(v.shape, v.strides, target);
      if (v.error) expect(strides).toBeNull();
      else {
        expect(target).toEqual(v.out!.shape);
        expect(strides).toEqual(v.out!.strides);
      }
    });
  }
});

/** NumPy's broadcasting rule, written independently of broadcastShapes. */
function referenceBroadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 5 });
/** Two shapes that broadcast: drop leading dims of a common shape and set some dims to 1. */
const compatiblePair = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 5 }),
    fc.nat(5),
    fc.nat(5),
    fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  )
  .map(([shape, da, db, oa, ob]) => {
    const a = shape.slice(Math.min(da, shape.length)).map((s, i) => (oa[i] ? 1 : s));
    const b = shape.slice(Math.min(db, shape.length)).map((s, i) => (ob[i] ? 1 : s));
    return [a, b] as const;
  });

describe('broadcastShapes', () => {
  test('agrees with the reference rule on compatible shapes, in either order', () => {
    fc.assert(
      fc.property(compatiblePair, ([a, b]) => {
        const expected = referenceBroadcast(a, b);
        expect(expected).not.toBeNull();
        expect(broadcastShapes(a, b)).toEqual(expected);
        expect(broadcastShapes(b, a)).toEqual(expected);
      }),
    );
  });
  test('throws naming both sizes, the dim and both shapes exactly when the rule fails', () => {
    fc.assert(
      fc.property(shapeArb, shapeArb, (a, b) => {
        const expected = referenceBroadcast(a, b);
        if (expected) expect(broadcastShapes(a, b)).toEqual(expected);
        else {
          let message = '';
          try {
            broadcastShapes(a, b);
          } catch (e) {
            message = (e as Error).message;
          }
          expect(message).toMatch(
            /The size of tensor a \(\d+\) must match the size of tensor b \(\d+\) at non-singleton dimension \d+/,
          );
          expect(message).toContain(`[${a.join(', ')}]`);
          expect(message).toContain(`[${b.join(', ')}]`);
        }
      }),
    );
  });
  test('names the output dim of the mismatch, as PyTorch does', () => {
    expect(() => broadcastShapes([2, 3], [4])).toThrow(
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1',
    );
    expect(() => broadcastShapes([5, 2, 3], [4, 3])).toThrow('at non-singleton dimension 1');
  });
  test('of several shapes is the fold of pairs', () => {
    expect(broadcastShapes([2, 1, 3], [4, 3], [1])).toEqual([2, 4, 3]);
    expect(broadcastShapes()).toEqual([]);
  });
  test('broadcastStrides gives 0 strides on broadcast dims', () => {
    expect(broadcastStrides([3], [1], [2, 3])).toEqual([0, 1]);
    expect(broadcastStrides([2, 1], [1, 1], [2, 4])).toEqual([1, 0]);
  });
});

describe('dims', () => {
  test("normalizeDim wraps [-r, r) and refuses the rest with PyTorch's message (scalars act as rank 1)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -8, max: 8 }), (rank, dim) => {
        const r = Math.max(rank, 1);
        if (dim >= -r && dim < r) expect(normalizeDim(dim, rank)).toBe(((dim % r) + r) % r);
        else
          expect(() => normalizeDim(dim, rank)).toThrow(
            `Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`,
          );
      }),
    );
  });
  test('normalizeDims refuses repeats and non-integers', () => {
    expect(normalizeDims([-1, 0], 3)).toEqual([2, 0]);
    expect(normalizeDims(undefined, 2)).toEqual([0, 1]);
    expect(() => normalizeDims([1, -2], 3)).toThrow('dim 1 appears multiple times in the list of dims');
    expect(() => normalizeDim(1.5, 3)).toThrow(TypeError);
  });
});

describe('inferSize', () => {
  test('fills one -1 and keeps the element count', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.nat(3),
        (shape, k) => {
          const i = k % shape.length;
          const target = shape.map((s, j) => (j === i ? -1 : s));
          expect(inferSize(target, numel(shape))).toEqual(shape);
        },
      ),
    );
  });
  test("refuses bad shapes with PyTorch's messages", () => {
    expect(() => inferSize([4, 2], 6)).toThrow("shape '[4, 2]' is invalid for input of size 6");
    expect(() => inferSize([-1, 4], 6)).toThrow("shape '[-1, 4]' is invalid for input of size 6");
    expect(() => inferSize([-1, -1], 6)).toThrow('only one dimension can be inferred');
    expect(() => inferSize([-2, 3], 6)).toThrow('invalid shape dimension -2');
    expect(() => inferSize([-1, 0], 0)).toThrow(
      'the unspecified dimension size -1 can be any value and is ambiguous',
    );
  });
});

describe('strides', () => {
  test('contiguous strides are contiguous, and swapping two dims of size > 1 is not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 5 }),
        fc.nat(4),
        fc.nat(4),
        (shape, i, j) => {
          const strides = contiguousStrides(shape);
          expect(isContiguousLayout(shape, strides)).toBe(true);
          expect(viewStrides(shape, strides, [numel(shape)])).toEqual([1]);
          const a = i % Math.max(shape.length, 1);
          const b = j % Math.max(shape.length, 1);
          if (shape.length > 1 && a !== b && shape[a]! > 1 && shape[b]! > 1 && numel(shape) > 0) {
            const s = shape.slice();
            const st = strides.slice();
            [s[a], s[b]] = [s[b]!, s[a]!];
            [st[a], st[b]] = [st[b]!, st[a]!];
            expect(isContiguousLayout(s, st)).toBe(false);
          }
        },
      ),
    );
  });
  test('numel is the product of sizes (1 for a scalar)', () => {
    expect(numel([])).toBe(1);
    expect(numel([2, 0, 3])).toBe(0);
    expect(numel([2, 3, 4])).toBe(24);
  });
});
