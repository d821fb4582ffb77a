/**
 * @file dtypes and type promotion: torch.result_type over every pair of operand kinds (test/fixtures/ops.json, from
 * PyTorch 1.13), promote_types' lattice, and scalar casts.
 */
import { describe, expect, test } from 'vitest';
import {
  bool,
  castScalar,
  DTYPES,
  type DTypeName,
  float32,
  float64,
  int32,
  type PromotionOperand,
  promoteTypes,
  resultType,
} from '../../src/core/dtype.js';
import { opsFixture } from '../helpers/ops.js';

const operand = (o: ReturnType<typeof opsFixture>['promotion'][number][0]): PromotionOperand =>
  typeof o === 'object' ? { dtype: DTYPES[o.dtype as DTypeName], dim: o.dim } : o;

describe('resultType matches torch.result_type', () => {
  for (const [a, b, expected] of opsFixture().promotion) {
    test(`${JSON.stringify(a)} with ${JSON.stringify(b)} -> ${expected}`, () => {
      expect(resultType([operand(a), operand(b)]).name).toBe(expected);
      expect(resultType([operand(b), operand(a)]).name).toBe(expected);
    });
  }
  test('numbers alone give their default dtypes (float32 for any number: JS has no int literal)', () => {
    expect(resultType([2.5])).toBe(float32);
    expect(resultType([true])).toBe(bool);
    expect(resultType([2])).toBe(int32);
  });
});

describe('promoteTypes', () => {
  const all = [bool, int32, float32, float64];
  test('is symmetric and idempotent, and its result is an upper bound of both', () => {
    for (const a of all)
      for (const b of all) {
        const r = promoteTypes(a, b);
        expect(promoteTypes(b, a)).toBe(r);
        expect(promoteTypes(r, a)).toBe(r);
        expect(promoteTypes(r, b)).toBe(r);
      }
    for (const a of all) expect(promoteTypes(a, a)).toBe(a);
  });
  test('follows the lattice bool < int32 < float32 < float64', () => {
    expect(promoteTypes(bool, int32)).toBe(int32);
    expect(promoteTypes(int32, float32)).toBe(float32);
    expect(promoteTypes(float32, float64)).toBe(float64);
    expect(promoteTypes(bool, float64)).toBe(float64);
  });
});

describe('castScalar and dtype objects', () => {
  test('casts as PyTorch stores values', () => {
    expect(castScalar(2.7, int32)).toBe(2);
    expect(castScalar(-2.7, int32)).toBe(-2);
    expect(castScalar(0.1, float32)).toBe(Math.fround(0.1));
    expect(castScalar(0.1, float64)).toBe(0.1);
    expect(castScalar(-3, bool)).toBe(1);
    expect(castScalar(Number.NaN, bool)).toBe(1);
    expect(castScalar(0, bool)).toBe(0);
  });
  test('print as torch.<name> and know their category', () => {
    expect(String(float32)).toBe('torch.float32');
    expect(String(bool)).toBe('torch.bool');
    expect(float64.isFloatingPoint).toBe(true);
    expect(int32.isFloatingPoint).toBe(false);
    expect(int32.itemsize).toBe(4);
  });
});
